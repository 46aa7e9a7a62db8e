"""Job placement follow-up of the trainees who completed a course: when they were
reached, how many months after the course, what they do now, for whom, whether they use
the skills learnt, what they earn."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.revitalization.models import TRAINING, Enrolment, PlacementFollowUp
from sanad.revitalization.services._common import require
from sanad.revitalization.services.training._base import (
    clean_text,
    not_future,
    parse_date,
    stamp,
    whole,
)

OUTCOME = PlacementFollowUp.Outcome
FIELDS = frozenset(
    {
        "followed_on",
        "months_after",
        "outcome",
        "employer",
        "uses_skills",
        "monthly_income_iqd",
        "notes",
    }
)
MAX_INCOME = 100_000_000


def _values(enrolment: Enrolment, fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def check(field: str, call: Any) -> Any:
        try:
            return call()
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                errors.setdefault(name, []).extend(str(m) for m in messages)
            return None

    day = check(
        "followed_on",
        lambda: not_future(parse_date(fields.get("followed_on"), "followed_on"), "followed_on"),
    )
    finished = enrolment.completed_on or enrolment.course.ends_on
    if day is not None and day < finished:
        errors.setdefault("followed_on", []).append(
            _("The trainee completed the course on %(date)s: follow them up after that.")
            % {"date": finished.isoformat()}
        )
    out["followed_on"] = day
    out["months_after"] = check(
        "months_after",
        lambda: whole(fields.get("months_after"), "months_after", low=1, high=60),
    )
    outcome = fields.get("outcome")
    if outcome not in OUTCOME.values:
        errors["outcome"] = [_("Choose what the trainee does now.")]
    out["outcome"] = outcome
    out["employer"] = check(
        "employer", lambda: clean_text(fields.get("employer"), "employer", max_length=200)
    )
    uses = fields.get("uses_skills")
    out["uses_skills"] = None if uses in (None, "") else bool(uses)
    income = fields.get("monthly_income_iqd")
    out["monthly_income_iqd"] = (
        None
        if income in (None, "")
        else check(
            "monthly_income_iqd",
            lambda: whole(income, "monthly_income_iqd", low=0, high=MAX_INCOME),
        )
    )
    out["notes"] = check("notes", lambda: clean_text(fields.get("notes"), "notes", max_length=300))
    if outcome == OUTCOME.UNREACHABLE and (
        out["employer"] or out["uses_skills"] is not None or out["monthly_income_iqd"]
    ):
        errors.setdefault("outcome", []).append(
            _(
                "The trainee could not be reached: leave the employer, the use of the skills "
                "and the income empty."
            )
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _duplicate(enrolment: Enrolment, months: int, current: PlacementFollowUp | None) -> None:
    others = PlacementFollowUp.objects.filter(enrolment=enrolment, months_after=months)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        raise field_error(
            "months_after",
            _("A follow-up %(n)d months after the course is already recorded: edit it instead.")
            % {"n": months},
            "placement_exists",
        )


def placement_record(
    *,
    user: Any,
    enrolment: Enrolment,
    followed_on: datetime.date | str,
    months_after: int,
    outcome: str,
    employer: str = "",
    uses_skills: bool | None = None,
    monthly_income_iqd: int | None = None,
    notes: str = "",
) -> PlacementFollowUp:
    """Record a follow-up of a trainee who completed the course (one per number of
    months after the course)."""
    require(user, TRAINING, enrolment)
    with transaction.atomic():
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course")
            .get(pk=enrolment.pk)
        )
        if row.status != Enrolment.Status.COMPLETED:
            raise Conflict(
                _("Job placement is followed up for trainees who completed the course."),
                code="not_completed",
            )
        values = _values(
            row,
            {
                "followed_on": followed_on,
                "months_after": months_after,
                "outcome": outcome,
                "employer": employer,
                "uses_skills": uses_skills,
                "monthly_income_iqd": monthly_income_iqd,
                "notes": notes,
            },
        )
        _duplicate(row, values["months_after"], None)
        placement = PlacementFollowUp(enrolment=row, **values)
        stamp(placement, user, created=True)
        placement.save()
    return placement


def placement_update(
    *, user: Any, placement: PlacementFollowUp, **fields: Any
) -> PlacementFollowUp:
    """Correct a follow-up (fields left out keep their value)."""
    require(user, TRAINING, placement)
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        row = (
            PlacementFollowUp.objects.select_for_update(of=("self",))
            .select_related("enrolment__course")
            .get(pk=placement.pk)
        )
        current = {name: getattr(row, name) for name in FIELDS}
        current.update(fields)
        values = _values(row.enrolment, current)
        _duplicate(row.enrolment, values["months_after"], row)
        for name, value in values.items():
            setattr(row, name, value)
        stamp(row, user)
        row.save()
    return row

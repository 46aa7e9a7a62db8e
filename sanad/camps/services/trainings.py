"""Trainings for camp-management actors: the training, its participants (one by one or
pasted as CSV lines) and their pre- and post-test scores."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sanad.accounts.models import Organisation
from sanad.camps.models import MANAGE_TRAINING, Site, Training, TrainingParticipant
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, grants_for, has_permission

TRAINING_FIELDS = (
    "title",
    "topic",
    "site",
    "governorate",
    "starts_on",
    "ends_on",
    "facilitators",
    "sessions",
    "max_score",
)
# The columns of a pasted participant line, in order.
CSV_COLUMNS = (
    "name",
    "sex",
    "organisation",
    "role",
    "phone",
    "sessions_attended",
    "pre_score",
    "post_score",
)
MAX_PASTED = 500
DEFAULTS = {"sessions": 1, "max_score": 100}
SEX_WORDS = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "أنثى": "female",
    "انثى": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "ذكر": "male",
}


def _require(user: Any, training: Training | None = None) -> None:
    if not has_permission(user, MANAGE_TRAINING) or (
        training is not None and not can_reach(user, training, MANAGE_TRAINING)
    ):
        raise PermissionDenied(
            _("Your role does not allow recording trainings here."), code="training_not_allowed"
        )


def _in_reach(user: Any, pcode: str) -> bool:
    return any(
        g.all_governorates or pcode in g.governorates for g in grants_for(user, MANAGE_TRAINING)
    )


def _clean(user: Any, data: dict[str, Any], training: Training | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    merged = {f: getattr(training, f) for f in TRAINING_FIELDS} if training else {}
    merged.update({k: v for k, v in data.items() if k in TRAINING_FIELDS})
    title = str(merged.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Give the training a title.")]
    out["title"] = title[:200]
    out["topic"] = str(merged.get("topic") or "").strip()[:200]
    out["facilitators"] = str(merged.get("facilitators") or "").strip()[:300]
    site: Site | None = merged.get("site")
    governorate = site.governorate if site is not None else merged.get("governorate")
    if governorate is None:
        errors["governorate"] = [_("Choose the governorate (or the site) of the training.")]
    elif not _in_reach(user, governorate.pcode):
        errors["governorate" if site is None else "site"] = [_("Choose a governorate you work in.")]
    out["site"], out["governorate"] = site, governorate
    starts_on, ends_on = merged.get("starts_on"), merged.get("ends_on") or merged.get("starts_on")
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = [_("Give the first day of the training.")]
    elif not isinstance(ends_on, datetime.date) or ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first day.")]
    out["starts_on"], out["ends_on"] = starts_on, ends_on
    for field, low, high, message in (
        ("sessions", 1, 500, _("Give the number of sessions (1 or more).")),
        ("max_score", 1, 1000, _("Give the highest score of the tests (1 or more).")),
    ):
        try:
            raw = merged.get(field)
            value = DEFAULTS[field] if raw in (None, "") else int(raw)
        except (TypeError, ValueError):
            value = 0
        if not low <= value <= high:
            errors[field] = [message]
        out[field] = value
    if training is not None and "max_score" not in errors:
        over = training.participants.filter(
            Q(pre_score__gt=out["max_score"]) | Q(post_score__gt=out["max_score"])
        ).exists()
        if over:
            errors["max_score"] = [_("Some participants scored more than this: raise it.")]
    if errors:
        raise ValidationFailed(fields=errors, code="training_invalid")
    return out


@transaction.atomic
def training_create(*, user: Any, data: dict[str, Any]) -> Training:
    _require(user)
    values = _clean(user, data, None)
    return Training.objects.create(**values, created_by=user, updated_by=user)


@transaction.atomic
def training_update(*, user: Any, training: Training, data: dict[str, Any]) -> Training:
    _require(user, training)
    values = _clean(user, data, training)
    for field, value in values.items():
        setattr(training, field, value)
    training.updated_by = user
    training.save()
    return training


# --- participants ----------------------------------------------------------------------------
def _organisation(value: Any) -> Organisation | None:
    if value is None or isinstance(value, Organisation):
        return value
    text = str(value).strip()
    if not text:
        return None
    return Organisation.objects.filter(
        Q(name__iexact=text) | Q(acronym__iexact=text) | Q(name_ar=text)
    ).first()


def _participant(training: Training, data: dict[str, Any]) -> TrainingParticipant:
    """A checked, unsaved participant; ValidationFailed names the fields to correct."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the participant's name.")]
    sex = SEX_WORDS.get(str(data.get("sex") or "").strip().lower(), "")
    if not sex:
        errors["sex"] = [_("Give the participant's sex (female or male).")]
    organisation = _organisation(data.get("organisation"))
    if data.get("organisation") not in (None, "") and organisation is None:
        errors["organisation"] = [
            _("No organisation has this name or acronym: check it or leave it empty.")
        ]

    def number(field: str, high: int, message: str) -> int | None:
        value = data.get(field)
        if value in (None, ""):
            return None
        try:
            n = int(str(value).strip())
        except (TypeError, ValueError):
            n = -1
        if not 0 <= n <= high:
            errors[field] = [message]
            return None
        return n

    attended = number(
        "sessions_attended",
        training.sessions,
        _("Sessions attended: a whole number from 0 to %(n)s.") % {"n": training.sessions},
    )
    score_message = _("Scores go from 0 to %(n)s.") % {"n": training.max_score}
    pre = number("pre_score", training.max_score, score_message)
    post = number("post_score", training.max_score, score_message)
    if errors:
        raise ValidationFailed(fields=errors, code="participant_invalid")
    return TrainingParticipant(
        training=training,
        name=name[:200],
        sex=sex,
        organisation=organisation,
        role=str(data.get("role") or "").strip()[:120],
        phone=str(data.get("phone") or "").strip()[:20],
        sessions_attended=attended or 0,
        pre_score=pre,
        post_score=post,
    )


@transaction.atomic
def participant_add(*, user: Any, training: Training, data: dict[str, Any]) -> TrainingParticipant:
    _require(user, training)
    participant = _participant(training, data)
    participant.save()
    return participant


@transaction.atomic
def participant_remove(*, user: Any, training: Training, participant_id: int) -> None:
    _require(user, training)
    training.participants.filter(pk=participant_id).delete()


@transaction.atomic
def participants_import(*, user: Any, training: Training, text: str) -> int:
    """Add participants from pasted CSV lines (name, sex, organisation, role, phone,
    sessions attended, pre-test score, post-test score; commas, semicolons or tabs;
    a header line is skipped). All or nothing: a wrong line names its number."""
    _require(user, training)
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if not lines:
        message = _("Paste one participant per line.")
        raise ValidationFailed(message, code="participants_empty", fields={"lines": [message]})
    if len(lines) > MAX_PASTED:
        message = _("Paste at most %(n)s lines at a time.") % {"n": MAX_PASTED}
        raise ValidationFailed(message, code="participants_too_many", fields={"lines": [message]})
    sample = lines[0]
    delimiter = "\t" if "\t" in sample else (";" if sample.count(";") > sample.count(",") else ",")
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    if rows and rows[0] and rows[0][0].strip().lower() in {"name", "الاسم", "ناو"}:
        rows = rows[1:]
    problems: list[str] = []
    participants = []
    for number, row in enumerate(rows, start=1):
        data = dict(zip(CSV_COLUMNS, (cell.strip() for cell in row), strict=False))
        try:
            participants.append(_participant(training, data))
        except ValidationFailed as exc:
            details = "; ".join(str(m) for msgs in exc.fields.values() for m in msgs)
            problems.append(_("Line %(n)s: %(problem)s") % {"n": number, "problem": details})
    if problems:
        message = _("Nothing was added. Correct these lines and paste again.")
        raise ValidationFailed(
            message, code="participants_invalid", fields={"lines": [message, *problems[:20]]}
        )
    TrainingParticipant.objects.bulk_create(participants)
    return len(participants)

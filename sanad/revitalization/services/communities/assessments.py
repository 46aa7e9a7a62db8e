"""Community assessments (participatory sessions): draft → completed (needs ranked) →
endorsed by the provincial authority; completed → draft again with a reason; cancelled
with a reason before endorsement.

While a draft, the officer records who took part (counts by group × sex × age band,
saved all or nothing), the needs the participants listed (votes, or each group's score
from 1 to 5) and the resources the community has. Every change of the needs ranks them
again (`ranking.rank_needs`). Completing needs a need and some participation; the
needs chosen for projects are then marked, and the endorsement (authority, date, letter)
needs at least one chosen need."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.revitalization.models import (
    MANAGE,
    AgeBand,
    AssessmentParticipation,
    Community,
    CommunityAssessment,
    CommunityResource,
    Need,
    ParticipantGroup,
    Sector,
    Sex,
)
from sanad.revitalization.services._common import actor, next_reference, require
from sanad.revitalization.services.communities._parse import (
    Problems,
    date,
    decimal,
    text,
    whole,
)
from sanad.revitalization.services.communities.ranking import rank_needs

STATUS = CommunityAssessment.Status
METHOD = CommunityAssessment.Method
FIELDS = frozenset({"held_on", "venue", "facilitators", "method", "summary"})
MAX_PEOPLE = 100_000
MAX_SCORES = 30
MAX_COST = Decimal("999999999999.99")


# --- helpers ---------------------------------------------------------------------------


def _lock(assessment: CommunityAssessment) -> CommunityAssessment:
    return CommunityAssessment.objects.select_for_update().get(pk=assessment.pk)


def _require_draft(assessment: CommunityAssessment) -> None:
    if assessment.status != STATUS.DRAFT:
        raise Conflict(
            _(
                "The assessment is %(status)s: its participation, needs and resources change "
                "only while it is a draft. Reopen it first."
            )
            % {"status": assessment.get_status_display().lower()},
            code="assessment_not_draft",
        )


def _stamp(assessment: CommunityAssessment, user: Any) -> None:
    CommunityAssessment.objects.filter(pk=assessment.pk).update(updated_by=actor(user))


def parse_scores(value: Any) -> list[int]:
    """The groups' scores, typed as "4, 5, 3" (or given as a list), each 1 to 5."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        parts = [p for p in value.replace("،", ",").replace(";", ",").split(",") if p.strip()]
    else:
        parts = list(value)
    scores: list[int] = []
    for part in parts:
        try:
            score = int(str(part).strip())
        except ValueError:
            score = 0
        if not 1 <= score <= 5:
            raise field_error(
                "scores",
                _("Give each group's score as a whole number from 1 to 5, separated by commas."),
                "invalid_scores",
            )
        scores.append(score)
    if len(scores) > MAX_SCORES:
        raise field_error(
            "scores",
            _("Give at most %(n)d scores, one per group.") % {"n": MAX_SCORES},
            "too_many_scores",
        )
    return scores


def _rank(assessment: CommunityAssessment) -> list[Need]:
    """Rank the assessment's needs again and save the ranks and notes."""
    needs = list(Need.objects.filter(assessment=assessment).order_by("id"))
    ranked = rank_needs(needs, assessment.method)
    changed = []
    for row in ranked:
        need = row.need
        if need.rank != row.rank or need.rank_note != row.note:
            need.rank, need.rank_note = row.rank, row.note
            changed.append(need)
    if changed:
        Need.objects.bulk_update(changed, ["rank", "rank_note"])
    return [row.need for row in ranked]


# --- the assessment --------------------------------------------------------------------


def _values(values: Mapping[str, Any]) -> dict[str, Any]:
    problems = Problems()
    out: dict[str, Any] = {
        "held_on": problems.run(date, values.get("held_on"), "held_on", past=True),
        "venue": problems.run(text, values.get("venue"), "venue", limit=200),
        "facilitators": problems.run(text, values.get("facilitators"), "facilitators", limit=300),
        "summary": problems.run(
            text, values.get("summary"), "summary", limit=10000, multiline=True
        ),
        "method": values.get("method") or METHOD.VOTES,
    }
    if out["method"] not in METHOD.values:
        problems.add("method", _("Choose how the participants ranked the needs."))
    problems.raise_if_any()
    return out


def assessment_create(
    *,
    user: Any,
    community: Community,
    held_on: datetime.date,
    venue: str = "",
    facilitators: str = "",
    method: str = METHOD.VOTES,
    summary: str = "",
) -> CommunityAssessment:
    """A draft assessment of an active community (reference CBA-YYYY-NNNNN)."""
    require(user, MANAGE, community)
    if not community.active:
        raise field_error(
            "community",
            _("%(name)s is inactive: reactivate the community before assessing it.")
            % {"name": community.name},
            "community_inactive",
        )
    values = _values(
        {
            "held_on": held_on,
            "venue": venue,
            "facilitators": facilitators,
            "method": method,
            "summary": summary,
        }
    )
    who = actor(user)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return CommunityAssessment.objects.create(
                    reference=next_reference(CommunityAssessment, "CBA"),
                    community=community,
                    programme_id=community.programme_id,
                    governorate_id=community.governorate_id,
                    created_by=who,
                    updated_by=who,
                    **values,
                )
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def assessment_update(
    *, user: Any, assessment: CommunityAssessment, **fields: Any
) -> CommunityAssessment:
    """Change a draft assessment's date, venue, facilitators, method or summary (a new
    method ranks the needs again)."""
    require(user, MANAGE, assessment)
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        locked = _lock(assessment)
        _require_draft(locked)
        current = {name: getattr(locked, name) for name in FIELDS}
        current.update(fields)
        values = _values(current)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_by = actor(user)
        locked.save()
        _rank(locked)
    return locked


# --- participation ---------------------------------------------------------------------


def assessment_participation_set(
    *,
    user: Any,
    assessment: CommunityAssessment,
    counts: Mapping[tuple[str, str, str], Any],
) -> list[AssessmentParticipation]:
    """Replace who took part: {(group, sex, age band): people}. All or nothing: one
    wrong value saves none; zero (or empty) leaves the cell out."""
    require(user, MANAGE, assessment)
    rows: list[tuple[str, str, str, int]] = []
    problems = Problems()
    for (group, sex, age_band), value in counts.items():
        if (
            group not in ParticipantGroup.values
            or sex not in Sex.values
            or age_band not in AgeBand.values
        ):
            problems.add("participation", _("Use the groups, sexes and ages of the grid."))
            continue
        n = problems.run(whole, value, "participation", maximum=MAX_PEOPLE)
        if n:
            rows.append((group, sex, age_band, n))
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(assessment)
        _require_draft(locked)
        AssessmentParticipation.objects.filter(assessment=locked).delete()
        created = AssessmentParticipation.objects.bulk_create(
            AssessmentParticipation(
                assessment=locked, group=group, sex=sex, age_band=age_band, count=n
            )
            for group, sex, age_band, n in rows
        )
        _stamp(locked, user)
    return created


# --- needs -----------------------------------------------------------------------------


def _need_values(values: Mapping[str, Any]) -> dict[str, Any]:
    problems = Problems()
    out: dict[str, Any] = {"sector": values.get("sector")}
    if out["sector"] not in Sector.values:
        problems.add("sector", _("Choose the sector of the need."))
    out["description"] = problems.run(
        text, values.get("description"), "description", limit=300, required=True
    )
    out["votes"] = problems.run(whole, values.get("votes"), "votes", maximum=MAX_PEOPLE) or 0
    out["scores"] = problems.run(parse_scores, values.get("scores")) or []
    out["estimated_cost"] = problems.run(
        decimal, values.get("estimated_cost"), "estimated_cost", required=False, maximum=MAX_COST
    )
    problems.raise_if_any()
    return out


def need_add(
    *,
    user: Any,
    assessment: CommunityAssessment,
    sector: str,
    description: str,
    votes: int | None = None,
    scores: Any = None,
    estimated_cost: Decimal | None = None,
) -> Need:
    """A need the participants listed; the needs are ranked again."""
    require(user, MANAGE, assessment)
    values = _need_values(
        {
            "sector": sector,
            "description": description,
            "votes": votes,
            "scores": scores,
            "estimated_cost": estimated_cost,
        }
    )
    with transaction.atomic():
        locked = _lock(assessment)
        _require_draft(locked)
        if locked.needs.filter(description__iexact=values["description"]).exists():
            raise field_error(
                "description",
                _("This need is already listed. Change its votes or scores instead."),
                "need_exists",
            )
        need = Need.objects.create(assessment=locked, **values)
        _rank(locked)
        _stamp(locked, user)
    need.refresh_from_db()
    return need


def need_update(*, user: Any, need: Need, **fields: Any) -> Need:
    """Change a need of a draft assessment (fields left out keep their value)."""
    assessment = need.assessment
    require(user, MANAGE, assessment)
    allowed = {"sector", "description", "votes", "scores", "estimated_cost"}
    if set(fields) - allowed:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(set(fields) - allowed))},
            code="unknown_fields",
        )
    with transaction.atomic():
        locked = _lock(assessment)
        _require_draft(locked)
        current = {name: getattr(need, name) for name in allowed}
        current.update(fields)
        values = _need_values(current)
        if (
            locked.needs.exclude(pk=need.pk)
            .filter(description__iexact=values["description"])
            .exists()
        ):
            raise field_error("description", _("Another need has this description."), "need_exists")
        Need.objects.filter(pk=need.pk).update(**values)
        _rank(locked)
        _stamp(locked, user)
    need.refresh_from_db()
    return need


def need_remove(*, user: Any, need: Need) -> None:
    """Take a need off a draft assessment; the others are ranked again."""
    assessment = need.assessment
    require(user, MANAGE, assessment)
    with transaction.atomic():
        locked = _lock(assessment)
        _require_draft(locked)
        Need.objects.filter(pk=need.pk).delete()
        _rank(locked)
        _stamp(locked, user)


def assessment_rank(*, user: Any, assessment: CommunityAssessment) -> list[Need]:
    """Rank the needs (by votes, or by the mean of the groups' scores; ties share a
    rank with a note naming the needs tied); returns them in rank order."""
    require(user, MANAGE, assessment)
    with transaction.atomic():
        locked = _lock(assessment)
        return _rank(locked)


# --- resources -------------------------------------------------------------------------


def resource_add(
    *, user: Any, assessment: CommunityAssessment, kind: str, description: str
) -> CommunityResource:
    """Something the community already has to build on (land, labour, a committee…)."""
    require(user, MANAGE, assessment)
    problems = Problems()
    if kind not in CommunityResource.Kind.values:
        problems.add("kind", _("Choose what kind of resource it is."))
    described = problems.run(text, description, "description", limit=300, required=True)
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(assessment)
        _require_draft(locked)
        resource = CommunityResource.objects.create(
            assessment=locked, kind=kind, description=described
        )
        _stamp(locked, user)
    return resource


def resource_remove(*, user: Any, resource: CommunityResource) -> None:
    require(user, MANAGE, resource.assessment)
    with transaction.atomic():
        locked = _lock(resource.assessment)
        _require_draft(locked)
        CommunityResource.objects.filter(pk=resource.pk).delete()
        _stamp(locked, user)


# --- status ----------------------------------------------------------------------------


def assessment_complete(*, user: Any, assessment: CommunityAssessment) -> CommunityAssessment:
    """Draft → completed: needs at least one need and who took part; ranks the needs."""
    require(user, MANAGE, assessment)
    with transaction.atomic():
        locked = _lock(assessment)
        if locked.status == STATUS.DRAFT:
            problems = []
            if not locked.needs.exists():
                problems.append(_("List the needs the participants raised."))
            if not locked.participation.exists():
                problems.append(_("Record how many people took part."))
            if problems:
                raise Conflict(
                    _("The assessment cannot be completed yet: %(what)s")
                    % {"what": " ".join(problems)},
                    code="assessment_incomplete",
                )
            _rank(locked)
        locked.updated_by = actor(user)
        CommunityAssessment.STATUS_MACHINE.transition(
            locked, to=STATUS.COMPLETED, by=user, extra_updates=("updated_by",)
        )
    assessment.status = locked.status
    return locked


def assessment_reopen(
    *, user: Any, assessment: CommunityAssessment, reason: str
) -> CommunityAssessment:
    """Completed → draft, to correct it (the reason is recorded)."""
    require(user, MANAGE, assessment)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    with transaction.atomic():
        locked = _lock(assessment)
        locked.updated_by = actor(user)
        CommunityAssessment.STATUS_MACHINE.transition(
            locked, to=STATUS.DRAFT, by=user, reason=reason, extra_updates=("updated_by",)
        )
    assessment.status = locked.status
    return locked


def assessment_cancel(
    *, user: Any, assessment: CommunityAssessment, reason: str
) -> CommunityAssessment:
    """A draft or completed assessment is cancelled (the reason is recorded)."""
    require(user, MANAGE, assessment)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    with transaction.atomic():
        locked = _lock(assessment)
        locked.updated_by = actor(user)
        CommunityAssessment.STATUS_MACHINE.transition(
            locked, to=STATUS.CANCELLED, by=user, reason=reason, extra_updates=("updated_by",)
        )
    assessment.status = locked.status
    return locked


def assessment_select_needs(
    *, user: Any, assessment: CommunityAssessment, needs: Iterable[Need | int]
) -> list[Need]:
    """Mark the needs chosen for projects (the others are unmarked), on a completed
    assessment."""
    require(user, MANAGE, assessment)
    ids = {n.pk if isinstance(n, Need) else int(n) for n in needs}
    with transaction.atomic():
        locked = _lock(assessment)
        if locked.status != STATUS.COMPLETED:
            raise Conflict(
                _(
                    "Choose the needs for projects once the assessment is completed and before it is endorsed."
                ),
                code="assessment_not_completed",
            )
        own = set(locked.needs.values_list("pk", flat=True))
        if ids - own:
            raise field_error(
                "needs", _("Choose needs of this assessment."), "need_not_in_assessment"
            )
        locked.needs.update(selected=False)
        locked.needs.filter(pk__in=ids).update(selected=True)
        _stamp(locked, user)
    return list(Need.objects.filter(assessment=locked, selected=True).order_by("rank", "id"))


def assessment_endorse(
    *,
    user: Any,
    assessment: CommunityAssessment,
    endorsed_by: str,
    endorsed_on: datetime.date,
    endorsement_reference: str,
) -> CommunityAssessment:
    """Completed → endorsed by the provincial authority (its name, the date and the
    letter's reference), with at least one need chosen for a project."""
    require(user, MANAGE, assessment)
    problems = Problems()
    authority = problems.run(text, endorsed_by, "endorsed_by", limit=200, required=True)
    day = problems.run(date, endorsed_on, "endorsed_on", past=True)
    letter = problems.run(
        text, endorsement_reference, "endorsement_reference", limit=100, required=True
    )
    if day is not None and day < assessment.held_on:
        problems.add(
            "endorsed_on", _("The endorsement cannot be dated before the session was held.")
        )
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(assessment)
        if locked.status == STATUS.COMPLETED and not locked.needs.filter(selected=True).exists():
            raise Conflict(
                _("Choose at least one need for a project before recording the endorsement."),
                code="no_need_selected",
            )
        locked.endorsed_by, locked.endorsed_on = authority, day
        locked.endorsement_reference = letter
        locked.updated_by = actor(user)
        CommunityAssessment.STATUS_MACHINE.transition(
            locked,
            to=STATUS.ENDORSED,
            by=user,
            extra_updates=("endorsed_by", "endorsed_on", "endorsement_reference", "updated_by"),
        )
    return locked

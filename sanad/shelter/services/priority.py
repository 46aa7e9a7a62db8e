"""Prioritisation of assessed houses: damage severity combined with the household's
vulnerability score from a targeting list, with the weights shown.

    damage points        = category points (minor 1, moderate 2, severe 3, destroyed 4) ÷ 4 × 100
    vulnerability points = the household's score on the list, normalised to 0–100 across
                           the households of the round (lowest → 0, highest → 100;
                           reversed when a lower score means more vulnerable; not on
                           the list → 0; all equal → 100)
    priority             = (weight of damage × damage points
                            + weight of vulnerability × vulnerability points) ÷ 100

Ties are broken by damage, then by the earlier assessment. The rows are a snapshot; the
officer ticks the houses to repair and marks the round final."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import InvalidTransition, NotFound, field_error
from sanad.core.scoping import grants_for, scoped
from sanad.programmes.models import Project
from sanad.shelter.models import MANAGE_CASE, Assessment, PriorityEntry, PriorityRound
from sanad.shelter.models.common import SEVERITY_POINTS
from sanad.shelter.services._common import actor, require

LIST_STATUSES = ("approved", "in_use")


ROUND_MACHINE = PriorityRound.STATUS_MACHINE


# --- the formula (pure) --------------------------------------------------------------------


def damage_points(category: str) -> float:
    """Category points ÷ 4 × 100: minor 25, moderate 50, severe 75, destroyed 100."""
    return SEVERITY_POINTS[category] / 4 * 100


def vulnerability_points(
    scores: Mapping[Any, float | None], *, lower_is_more_vulnerable: bool = False
) -> dict[Any, float]:
    """Each key's score normalised to 0–100 across the keys that have one (lowest → 0,
    highest → 100, or the reverse when a lower score means more vulnerable); a key
    with no score (not on the list) → 0; when every score is the same → 100."""
    known = [s for s in scores.values() if s is not None]
    if not known:
        return dict.fromkeys(scores, 0.0)
    low, high = min(known), max(known)
    out: dict[Any, float] = {}
    for key, score in scores.items():
        if score is None:
            out[key] = 0.0
        elif high == low:
            out[key] = 100.0
        else:
            share = (score - low) / (high - low)
            out[key] = (1 - share if lower_is_more_vulnerable else share) * 100
    return out


def priority_of(
    *, weight_damage: int, weight_vulnerability: int, damage: float, vulnerability: float
) -> float:
    """(w_d × damage points + w_v × vulnerability points) ÷ 100, to 0.01."""
    return round((weight_damage * damage + weight_vulnerability * vulnerability) / 100, 2)


@dataclass(frozen=True)
class Ranked:
    assessment: Assessment
    damage_points: float
    vulnerability_score: float | None
    vulnerability_points: float
    priority: float
    rank: int


def rank_assessments(
    assessments: Sequence[Assessment],
    scores: Mapping[int, float | None],
    *,
    weight_damage: int,
    weight_vulnerability: int,
    lower_is_more_vulnerable: bool = False,
) -> list[Ranked]:
    """The formula applied to assessments, best first; `scores` by household id (a
    house without a registered household has no score)."""
    by_assessment = {
        a.pk: (scores.get(a.household_id) if a.household_id else None) for a in assessments
    }
    points = vulnerability_points(by_assessment, lower_is_more_vulnerable=lower_is_more_vulnerable)
    rows = []
    for a in assessments:
        d = damage_points(a.damage)
        v = points[a.pk]
        p = priority_of(
            weight_damage=weight_damage,
            weight_vulnerability=weight_vulnerability,
            damage=d,
            vulnerability=v,
        )
        rows.append((a, d, by_assessment[a.pk], round(v, 2), p))
    rows.sort(key=lambda r: (-r[4], -r[1], r[0].assessed_on, r[0].pk))
    return [
        Ranked(
            assessment=a,
            damage_points=d,
            vulnerability_score=s,
            vulnerability_points=v,
            priority=p,
            rank=i,
        )
        for i, (a, d, s, v, p) in enumerate(rows, start=1)
    ]


# --- rounds -------------------------------------------------------------------------------


def _weights(data: Mapping[str, Any]) -> tuple[int, int]:
    try:
        wd = int(data.get("weight_damage"))  # type: ignore[arg-type]
        wv = int(data.get("weight_vulnerability"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise field_error(
            "weight_damage", _("Enter both weights as whole percentages."), "bad_weights"
        ) from None
    if not (0 <= wd <= 100 and 0 <= wv <= 100) or wd + wv != 100:
        raise field_error(
            "weight_damage",
            _("The weights of damage and vulnerability must add up to 100 (now %(sum)d).")
            % {"sum": wd + wv},
            "weights_not_100",
        )
    return wd, wv


def _reaches_programme(user: Any, code: str) -> bool:
    return any(g.all_programmes or code in g.programmes for g in grants_for(user, MANAGE_CASE))


def _beneficiary_list(user: Any, value: Any, weight_vulnerability: int) -> Any:
    from sanad.targeting.selectors import lists_visible_to

    if value in (None, ""):
        if weight_vulnerability:
            raise field_error(
                "beneficiary_list",
                _(
                    "Choose the targeting list the vulnerability scores come from, or set "
                    "the weight of vulnerability to 0."
                ),
                "list_required",
            )
        return None
    key = getattr(value, "pk", None)
    lst = lists_visible_to(user).filter(pk=key).first() if key else None
    if lst is None:
        raise field_error("beneficiary_list", _("Choose a list you may see."), "list_not_found")
    if lst.status not in LIST_STATUSES:
        raise field_error(
            "beneficiary_list",
            _("Only an approved list (or one in use) can be used: this one is “%(status)s”.")
            % {"status": lst.get_status_display()},
            "list_not_approved",
        )
    return lst


def eligible_assessments(*, user: Any, project: Project) -> list[Assessment]:
    """The project's validated assessments `user` may manage and that have no case
    yet; of a house assessed twice, only the latest validated assessment."""
    qs = (
        scoped(Assessment.objects.all(), user, MANAGE_CASE)
        .filter(project=project, status=Assessment.Status.VALIDATED, case__isnull=True)
        .select_related("household", "property")
        .order_by("property_id", "-assessed_on", "-id")
    )
    latest: dict[int, Assessment] = {}
    for a in qs:
        latest.setdefault(a.property_id, a)
    return list(latest.values())


def _scores(lst: Any, household_ids: Iterable[int]) -> dict[int, float]:
    from sanad.targeting.models import ListEntry

    if lst is None:
        return {}
    ids = [h for h in household_ids if h]
    return dict(
        ListEntry.objects.filter(list=lst, household_id__in=ids, included=True).values_list(
            "household_id", "score"
        )
    )


def _lower_is_more_vulnerable(lst: Any) -> bool:
    version = getattr(lst, "model_version", None) if lst is not None else None
    return getattr(version, "direction", "high") == "low"


def _compute(user: Any, rnd: PriorityRound) -> int:
    assessments = eligible_assessments(user=user, project=rnd.project)
    lst = rnd.beneficiary_list
    scores = _scores(lst, (a.household_id for a in assessments if a.household_id))
    ranked = rank_assessments(
        assessments,
        scores,
        weight_damage=rnd.weight_damage,
        weight_vulnerability=rnd.weight_vulnerability,
        lower_is_more_vulnerable=_lower_is_more_vulnerable(lst),
    )
    kept = set(rnd.entries.filter(selected=True).values_list("assessment_id", flat=True))
    rnd.entries.all().delete()
    PriorityEntry.objects.bulk_create(
        [
            PriorityEntry(
                round=rnd,
                assessment=r.assessment,
                damage_points=r.damage_points,
                vulnerability_score=r.vulnerability_score,
                vulnerability_points=r.vulnerability_points,
                priority=r.priority,
                rank=r.rank,
                selected=r.assessment.pk in kept,
            )
            for r in ranked
        ]
    )
    rnd.computed_at = timezone.now()
    rnd.save(update_fields=["computed_at", "updated_at", "updated_by"])
    return len(ranked)


def priority_round_create(*, user: Any, data: Mapping[str, Any]) -> PriorityRound:
    """A prioritisation of a project's validated assessments: `data` name, project,
    beneficiary_list (approved or in use; optional when the weight of vulnerability is
    0), weight_damage, weight_vulnerability (adding up to 100). The ranking is computed
    at once."""
    require(user, MANAGE_CASE)
    project = data.get("project")
    if not isinstance(project, Project):
        raise field_error("project", _("Choose the project."), "project_required")
    if not _reaches_programme(user, project.programme.code):
        raise field_error(
            "project", _("You may not prioritise for this programme."), "project_out_of_reach"
        )
    name = str(data.get("name") or "").strip()[:200] or _("Prioritisation of %(project)s") % {
        "project": project.code
    }
    wd, wv = _weights(data)
    lst = _beneficiary_list(user, data.get("beneficiary_list"), wv)
    with transaction.atomic():
        rnd = PriorityRound.objects.create(
            name=name,
            programme=project.programme,
            project=project,
            beneficiary_list=lst,
            weight_damage=wd,
            weight_vulnerability=wv,
            created_by=actor(user),
            updated_by=actor(user),
        )
        _compute(user, rnd)
    return rnd


def _draft(rnd: PriorityRound) -> PriorityRound:
    locked = PriorityRound.objects.select_for_update().get(pk=rnd.pk)
    if locked.status != PriorityRound.Status.DRAFT:
        raise InvalidTransition(
            _("This prioritisation is final: start a new one to rank again."),
            code="round_final",
        )
    return locked


def priority_round_update(
    *, user: Any, round: PriorityRound, data: Mapping[str, Any]
) -> PriorityRound:
    """Change the weights, the list or the name of a draft round and rank again
    (houses validated since are added; ticks are kept)."""
    require(user, MANAGE_CASE, round)
    wd, wv = _weights(data)
    lst = _beneficiary_list(user, data.get("beneficiary_list"), wv)
    with transaction.atomic():
        rnd = _draft(round)
        rnd.name = str(data.get("name") or rnd.name).strip()[:200]
        rnd.weight_damage, rnd.weight_vulnerability = wd, wv
        rnd.beneficiary_list = lst
        rnd.updated_by = actor(user)
        rnd.save()
        _compute(user, rnd)
    return rnd


def priority_round_recompute(*, user: Any, round: PriorityRound) -> int:
    """Rank a draft round again with the houses validated since (ticks kept)."""
    require(user, MANAGE_CASE, round)
    with transaction.atomic():
        rnd = _draft(round)
        rnd.updated_by = actor(user)
        return _compute(user, rnd)


def _ids(values: Iterable[Any]) -> set[int]:
    ids: set[int] = set()
    for value in values:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def priority_select(
    *,
    user: Any,
    round: PriorityRound,
    selected: Iterable[Any],
    among: Iterable[Any] | None = None,
) -> PriorityRound:
    """Tick exactly the rows `selected` (entry ids) as the houses to repair; with
    `among` (the rows shown on one page), only those rows change."""
    require(user, MANAGE_CASE, round)
    ids = _ids(selected)
    with transaction.atomic():
        rnd = _draft(round)
        visible = scoped(PriorityEntry.objects.filter(round=rnd), user, MANAGE_CASE)
        if ids - set(visible.filter(pk__in=ids).values_list("pk", flat=True)):
            raise NotFound()
        if among is not None:
            visible = visible.filter(pk__in=_ids(among) | ids)
        visible.update(selected=False)
        visible.filter(pk__in=ids).update(selected=True)
        rnd.updated_by = actor(user)
        rnd.save(update_fields=["updated_at", "updated_by"])
    return rnd


def priority_round_finalise(*, user: Any, round: PriorityRound) -> PriorityRound:
    """Mark the round final: its ranking and ticks no longer change, and cases can be
    opened for the ticked houses."""
    require(user, MANAGE_CASE, round)
    with transaction.atomic():
        rnd = _draft(round)
        if not rnd.entries.filter(selected=True).exists():
            raise field_error(
                "selected",
                _("Tick at least one house to repair before marking the list final."),
                "nothing_selected",
            )
        rnd.updated_by = actor(user)
        ROUND_MACHINE.transition(
            rnd, to=PriorityRound.Status.FINAL, by=user, extra_updates=["updated_by"]
        )
    return rnd


def formula_text() -> list[str]:
    """The formula in words, for the page (translated)."""
    return [
        _(
            "Damage points = category points (minor 1, moderate 2, severe 3, destroyed 4) "
            "÷ 4 × 100."
        ),
        _(
            "Vulnerability points = the household's score on the list, from 0 (lowest score "
            "in this prioritisation) to 100 (highest); reversed when a lower score means more "
            "vulnerable; 0 when the household is not on the list; 100 for everyone when all "
            "scores are equal."
        ),
        _(
            "Priority = (weight of damage × damage points + weight of vulnerability × "
            "vulnerability points) ÷ 100. Ties: more damage first, then the earlier assessment."
        ),
    ]

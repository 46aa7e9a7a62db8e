"""Informal sites: Mobile Response Team visits, hazard assessments and their mitigation.

- `visit_record` records a visit and, when the team saw it, updates the site's informal
  profile (land tenure, eviction risk, shelters by type, services).
- `hazard_assess` scores a hazard: risk = likelihood × impact (each 1–5), banded
  1–4 low, 5–9 medium, 10–16 high, 20–25 critical (`risk_band`).
- A hazard is mitigated when every action that was not dropped is done (at least one
  done), or when someone closes it explicitly with a reason (`hazard_close`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.camps.models import MRT, Hazard, Mitigation, MrtVisit, Site
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.state import StateMachine

# Risk bands: the lowest score of each band, highest band first.
BANDS: tuple[tuple[str, int], ...] = (("critical", 20), ("high", 10), ("medium", 5), ("low", 1))
BAND_LABELS = {
    "low": gettext_lazy("Low"),
    "medium": gettext_lazy("Medium"),
    "high": gettext_lazy("High"),
    "critical": gettext_lazy("Critical"),
}
# The risk scores each band holds (for filtering by band in the database).
BAND_RANGES: dict[str, tuple[int, int]] = {
    "low": (1, 4),
    "medium": (5, 9),
    "high": (10, 16),
    "critical": (20, 25),
}

HAZARD_MACHINE = StateMachine(
    "status", {"open": {"mitigated"}}, reason_required=frozenset({"mitigated"})
)
MITIGATION_MACHINE = StateMachine(
    "status",
    {
        "planned": {"in_progress", "done", "dropped"},
        "in_progress": {"done", "dropped"},
    },
    reason_required={"dropped"},
)
OPEN_MITIGATION = (Mitigation.Status.PLANNED, Mitigation.Status.IN_PROGRESS)
SHELTER_TYPES = ("tent", "caravan", "unfinished_building", "makeshift", "other")
SHELTER_TYPE_LABELS = {
    "tent": gettext_lazy("Tents"),
    "caravan": gettext_lazy("Caravans"),
    "unfinished_building": gettext_lazy("Unfinished or abandoned buildings"),
    "makeshift": gettext_lazy("Makeshift shelters"),
    "other": gettext_lazy("Other shelters"),
}
PROFILE_FIELDS = ("tenure", "eviction_risk", "shelter_types", "services_notes")


# --- pure rules ------------------------------------------------------------------------------
def risk_score(likelihood: int, impact: int) -> int:
    """Risk = likelihood × impact, each on a 1–5 scale."""
    return int(likelihood) * int(impact)


def risk_band(risk: int) -> str:
    """low (1–4), medium (5–9), high (10–16) or critical (20–25)."""
    for band, lowest in BANDS:
        if risk >= lowest:
            return band
    return "low"


def mitigation_overdue(mitigation: Mitigation, today: datetime.date | None = None) -> bool:
    """Still planned or in progress after its due date."""
    today = today or timezone.localdate()
    return (
        mitigation.status in OPEN_MITIGATION
        and mitigation.due_on is not None
        and mitigation.due_on < today
    )


# --- shared checks ---------------------------------------------------------------------------
def _require(user: Any, obj: Any) -> None:
    if not has_permission(user, MRT) or not can_reach(user, obj, MRT):
        raise PermissionDenied(
            _("Your role does not allow recording visits and hazards on this site."),
            code="mrt_not_allowed",
        )


def _text(data: dict[str, Any], field: str, limit: int) -> str:
    return str(data.get(field) or "").strip()[:limit]


def _date(
    data: dict[str, Any],
    field: str,
    errors: dict[str, list[str]],
    message: str,
    *,
    required: bool = True,
) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors[field] = [message]
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            errors[field] = [message]
            return None
    return value


def _not_future(
    value: datetime.date | None, field: str, errors: dict[str, list[str]], message: str
) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, []).append(message)


def _scale(data: dict[str, Any], field: str, errors: dict[str, list[str]], message: str) -> int:
    try:
        value = int(data.get(field))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        errors[field] = [message]
    return value


# --- visits ----------------------------------------------------------------------------------
def _profile(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The informal-site profile fields present in `data`, checked."""
    out: dict[str, Any] = {}
    if "tenure" in data and data["tenure"] not in (None, ""):
        if data["tenure"] not in Site.Tenure.values:
            errors["tenure"] = [_("Choose how the land is held.")]
        out["tenure"] = data["tenure"]
    if "eviction_risk" in data and data["eviction_risk"] is not None:
        if data["eviction_risk"] not in ("", *Site.Risk.values):
            errors["eviction_risk"] = [_("Choose low, medium or high eviction risk.")]
        out["eviction_risk"] = data["eviction_risk"]
    if "shelter_types" in data and data["shelter_types"] is not None:
        raw = data["shelter_types"]
        counts: dict[str, int] = {}
        if not isinstance(raw, dict):
            raw = {}
            errors["shelter_types"] = [_("Count the shelters of each type.")]
        for key, value in raw.items():
            if key not in SHELTER_TYPES:
                errors["shelter_types"] = [_("Count the shelters of each type.")]
                continue
            try:
                n = int(value or 0)
            except (TypeError, ValueError):
                n = -1
            if n < 0 or n > 100000:
                errors["shelter_types"] = [_("Count the shelters with whole numbers from 0.")]
            elif n:
                counts[key] = n
        out["shelter_types"] = counts
    if "services_notes" in data and data["services_notes"] is not None:
        out["services_notes"] = str(data["services_notes"]).strip()
    return out


@transaction.atomic
def visit_record(*, user: Any, site: Site, data: dict[str, Any]) -> MrtVisit:
    """Record a Mobile Response Team visit. Profile fields in `data` (tenure,
    eviction_risk, shelter_types, services_notes) update the site's informal profile."""
    _require(user, site)
    errors: dict[str, list[str]] = {}
    team = _text(data, "team", 120)
    if not team:
        errors["team"] = [_("Name the team that visited.")]
    visited_on = _date(data, "visited_on", errors, _("Give the day of the visit."))
    _not_future(visited_on, "visited_on", errors, _("The visit cannot be in the future."))
    families = data.get("families_present")
    if families in ("", None):
        families = None
    else:
        try:
            families = int(families)
        except (TypeError, ValueError):
            families = -1
        if families < 0 or families > 1_000_000:
            errors["families_present"] = [_("Count the families with a whole number from 0.")]
    profile = _profile(data, errors)
    if errors:
        raise ValidationFailed(fields=errors, code="mrt_visit_invalid")
    assert visited_on is not None
    visit = MrtVisit.objects.create(
        site=site,
        team=team,
        visited_on=visited_on,
        deployment=_text(data, "deployment", 120),
        activities=str(data.get("activities") or "").strip(),
        families_present=families,
        notes=str(data.get("notes") or "").strip(),
        created_by=user,
        updated_by=user,
    )
    changed = [f for f, v in profile.items() if getattr(site, f) != v]
    if changed:
        for field in changed:
            setattr(site, field, profile[field])
        site.updated_by = user
        site.save(update_fields=[*changed, "updated_by", "updated_at"])
    return visit


# --- hazards ---------------------------------------------------------------------------------
def _assessment(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    likelihood = _scale(
        data, "likelihood", errors, _("Rate the likelihood from 1 (rare) to 5 (almost certain).")
    )
    impact = _scale(data, "impact", errors, _("Rate the impact from 1 (minor) to 5 (severe)."))
    assessed_on = _date(data, "assessed_on", errors, _("Give the day of the assessment."))
    _not_future(assessed_on, "assessed_on", errors, _("The assessment cannot be in the future."))
    return {"likelihood": likelihood, "impact": impact, "assessed_on": assessed_on}


@transaction.atomic
def hazard_assess(
    *, user: Any, site: Site, data: dict[str, Any], visit: MrtVisit | None = None
) -> Hazard:
    """Assess a hazard on a site (during a visit or not): risk = likelihood × impact."""
    _require(user, site)
    errors: dict[str, list[str]] = {}
    if data.get("kind") not in Hazard.Kind.values:
        errors["kind"] = [_("Choose the kind of hazard.")]
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Describe the hazard and where it is on the site.")]
    values = _assessment(data, errors)
    if visit is not None and visit.site_id != site.pk:
        errors["visit"] = [_("Choose a visit to this site.")]
    if errors:
        raise ValidationFailed(fields=errors, code="hazard_invalid")
    return Hazard.objects.create(
        site=site,
        visit=visit,
        kind=data["kind"],
        description=description,
        risk=risk_score(values["likelihood"], values["impact"]),
        created_by=user,
        updated_by=user,
        **values,
    )


def _require_open(hazard: Hazard, message: str) -> None:
    if hazard.status != Hazard.Status.OPEN:
        raise Conflict(message, code="hazard_not_open")


@transaction.atomic
def hazard_reassess(*, user: Any, hazard: Hazard, data: dict[str, Any]) -> Hazard:
    """Score an open hazard again (its likelihood, impact and the day); the earlier
    scores stay in the audit trail."""
    _require(user, hazard)
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    _require_open(
        hazard,
        _("This hazard is mitigated. If it came back, assess it again as a new hazard."),
    )
    errors: dict[str, list[str]] = {}
    values = _assessment(data, errors)
    if errors:
        raise ValidationFailed(fields=errors, code="hazard_invalid")
    for field, value in values.items():
        setattr(hazard, field, value)
    if str(data.get("description") or "").strip():
        hazard.description = str(data["description"]).strip()
    hazard.risk = risk_score(hazard.likelihood, hazard.impact)
    hazard.updated_by = user
    hazard.save()
    return hazard


@transaction.atomic
def hazard_close(*, user: Any, hazard: Hazard, reason: str) -> Hazard:
    """Mark a hazard mitigated by hand, with the reason (its actions need not be done)."""
    _require(user, hazard)
    _require_open(hazard, _("This hazard is already mitigated."))
    if not reason.strip():
        message = _("Say why the hazard is no longer a risk.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
    return _mitigated(hazard, by=user, reason=reason.strip())


def _mitigated(hazard: Hazard, *, by: Any, reason: str) -> Hazard:
    hazard.mitigated_on = timezone.localdate()
    hazard.updated_by = by
    HAZARD_MACHINE.transition(
        hazard,
        to=Hazard.Status.MITIGATED,
        by=by,
        reason=reason,
        extra_updates=["mitigated_on", "updated_by"],
    )
    hazard.status = Hazard.Status.MITIGATED
    return hazard


def hazard_is_mitigated_by_actions(statuses: list[str]) -> bool:
    """Every action that was not dropped is done, and at least one is done."""
    kept = [s for s in statuses if s != Mitigation.Status.DROPPED]
    return bool(kept) and all(s == Mitigation.Status.DONE for s in kept)


# --- mitigation ------------------------------------------------------------------------------
@transaction.atomic
def mitigation_add(*, user: Any, hazard: Hazard, data: dict[str, Any]) -> Mitigation:
    """Plan an action that reduces an open hazard."""
    _require(user, hazard)
    _require_open(hazard, _("This hazard is mitigated: there is nothing more to plan."))
    errors: dict[str, list[str]] = {}
    action = _text(data, "action", 300)
    if not action:
        errors["action"] = [_("Say what will be done.")]
    due_on = _date(data, "due_on", errors, _("Give a valid due date."), required=False)
    if errors:
        raise ValidationFailed(fields=errors, code="mitigation_invalid")
    return Mitigation.objects.create(
        hazard=hazard,
        action=action,
        responsible=_text(data, "responsible", 120),
        due_on=due_on,
        created_by=user,
        updated_by=user,
    )


@transaction.atomic
def mitigation_update(*, user: Any, mitigation: Mitigation, data: dict[str, Any]) -> Mitigation:
    """Move an action on (planned → in progress → done, or dropped with a note), or change
    who does it and by when. When every kept action of the hazard is done, the hazard is
    mitigated."""
    _require(user, mitigation)
    mitigation = Mitigation.objects.select_for_update().get(pk=mitigation.pk)
    hazard = Hazard.objects.select_for_update().get(pk=mitigation.hazard_id)
    errors: dict[str, list[str]] = {}
    updates: list[str] = []
    if "due_on" in data:
        mitigation.due_on = _date(
            data, "due_on", errors, _("Give a valid due date."), required=False
        )
        updates.append("due_on")
    if "responsible" in data:
        mitigation.responsible = _text(data, "responsible", 120)
        updates.append("responsible")
    note = _text(data, "note", 300)
    if note:
        mitigation.note = note
        updates.append("note")
    status = data.get("status") or mitigation.status
    if status not in Mitigation.Status.values:
        errors["status"] = [_("Choose the status of the action.")]
    if errors:
        raise ValidationFailed(fields=errors, code="mitigation_invalid")
    mitigation.updated_by = user
    if status != mitigation.status:
        if status == Mitigation.Status.DROPPED and not note:
            message = _("Say why the action is dropped.")
            raise ValidationFailed(message, code="reason_required", fields={"note": [message]})
        if status in (Mitigation.Status.DONE, Mitigation.Status.DROPPED):
            mitigation.closed_on = timezone.localdate()
            updates.append("closed_on")
        MITIGATION_MACHINE.transition(
            mitigation,
            to=status,
            by=user,
            reason=note,
            extra_updates=[*updates, "updated_by"],
        )
        mitigation.status = status
    elif updates:
        mitigation.save(update_fields=[*updates, "updated_by", "updated_at"])
    if hazard.status == Hazard.Status.OPEN and hazard_is_mitigated_by_actions(
        list(hazard.mitigations.values_list("status", flat=True))
    ):
        _mitigated(hazard, by=user, reason=str(_("All its mitigation actions are done.")))
    return mitigation

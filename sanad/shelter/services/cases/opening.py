"""Opening rehabilitation cases (one, or in bulk from a final prioritisation round), their
milestones, the cash entitlement, starting (tranche 1 of the cash modality) and
cancelling."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, InvalidTransition, ValidationFailed, field_error
from sanad.shelter.models import (
    MANAGE_CASE,
    Assessment,
    CaseMilestone,
    PriorityRound,
    RehabCase,
)
from sanad.shelter.services._common import (
    actor,
    money,
    next_reference,
    require,
    space_check,
    today,
)
from sanad.shelter.services.cases._base import (
    LIVE,
    SHELTER_CONDITION,
    TRANCHE_NAMES,
    WORKS_MILESTONES,
    Modality,
    Status,
    _locked,
)

# --- milestones ------------------------------------------------------------------------


def default_milestones(modality: str, tranches: int | None = None) -> list[dict[str, Any]]:
    """The editable default milestones of a modality. Cash with N tranches: milestones
    1..N−1 release tranches 2..N (tranche 1 is released on signing), then completion."""
    if modality != Modality.CASH:
        return [
            {"name": name, "progress": Decimal(p), "releases_tranche": None}
            for name, p in WORKS_MILESTONES
        ]
    n = max(int(tranches or 3), 1)
    rows: list[dict[str, Any]] = []
    for k in range(1, n):
        name = TRANCHE_NAMES[k - 1] if k <= len(TRANCHE_NAMES) else f"Stage {k}"
        rows.append(
            {
                "name": name,
                "progress": money(Decimal(100) * k / n),
                "releases_tranche": k + 1,
            }
        )
    rows.append({"name": "Completion", "progress": Decimal(100), "releases_tranche": None})
    return rows


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise field_error(field, _("Write the date as YYYY-MM-DD."), f"invalid_{field}") from None


def _decimal(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise field_error(field, _("This field is required."), f"{field}_required")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Write a number."), f"invalid_{field}") from None
    if not number.is_finite() or number < 0:
        raise field_error(field, _("Write a number of zero or more."), f"invalid_{field}")
    return number


def _clean_milestones(
    rows: list[dict[str, Any]], *, modality: str, tranches: int | None
) -> list[dict[str, Any]]:
    """Check an edited list of milestones: named, progress rising to 100 %, and in the
    cash modality the tranches 2..N each released once, in order."""
    out: list[dict[str, Any]] = []
    last = Decimal(0)
    for i, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        if not name:
            raise field_error("milestones", _("Name milestone %(n)d.") % {"n": i}, "milestone_name")
        progress = _decimal(row.get("progress"), "milestones", required=True)
        assert progress is not None
        if not last < progress <= 100:
            raise field_error(
                "milestones",
                _(
                    "Milestone “%(name)s”: the progress must rise from one milestone to the next, up to 100 %%."
                )
                % {"name": name},
                "milestone_progress",
            )
        last = progress
        tranche = row.get("releases_tranche")
        tranche = int(tranche) if tranche not in (None, "") else None
        out.append(
            {
                "name": name[:200],
                "progress": money(progress),
                "releases_tranche": tranche,
                "due_on": _date(row.get("due_on"), "milestones"),
            }
        )
    if not out:
        raise field_error("milestones", _("Give at least one milestone."), "milestones_required")
    if last != 100:
        raise field_error(
            "milestones", _("The last milestone must reach 100 %."), "milestones_not_complete"
        )
    released = [r["releases_tranche"] for r in out if r["releases_tranche"] is not None]
    if modality != Modality.CASH:
        if released:
            raise field_error(
                "milestones",
                _("Only the cash modality releases tranches: leave “releases tranche” empty."),
                "tranche_not_cash",
            )
    elif tranches and released != list(range(2, tranches + 1)):
        raise field_error(
            "milestones",
            _(
                "The plan pays %(n)d tranches: tranche 1 on signing, and tranches 2 to "
                "%(n)d each released by one milestone, in order."
            )
            % {"n": tranches},
            "tranches_mismatch",
        )
    return out


def _write_milestones(case: RehabCase, rows: list[dict[str, Any]]) -> None:
    case.milestones.all().delete()
    CaseMilestone.objects.bulk_create(
        CaseMilestone(
            case=case,
            sequence=i,
            name=r["name"],
            progress=r["progress"],
            releases_tranche=r["releases_tranche"],
            due_on=r.get("due_on"),
        )
        for i, r in enumerate(rows, start=1)
    )


def case_milestones_set(*, user: Any, case: RehabCase, milestones: list[dict[str, Any]]) -> None:
    """Replace the milestones of a case whose milestones are all still pending."""
    require(user, MANAGE_CASE, case)
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.OPEN, Status.IN_PROGRESS):
            raise Conflict(
                _("The milestones of a case that is not open or in progress cannot change."),
                code="case_not_editable",
            )
        if case.milestones.exclude(status=CaseMilestone.Status.PENDING).exists():
            raise Conflict(
                _("A milestone is already verified: the milestones can no longer change."),
                code="milestone_verified",
            )
        rows = _clean_milestones(milestones, modality=case.modality, tranches=_tranches(case))
        _write_milestones(case, rows)


def _tranches(case: RehabCase) -> int | None:
    if case.modality != Modality.CASH or case.entitlement is None:
        return None
    return int(case.entitlement.plan.tranches)


# --- entitlement -------------------------------------------------------------------------


def _check_entitlement(entitlement: Any, household: Any) -> None:
    from sanad.cash.models import CashPlan, Entitlement

    plan = entitlement.plan
    if household is None or entitlement.household_id != household.pk:
        raise field_error(
            "entitlement",
            _("This entitlement is another household's. Choose the occupying household's."),
            "entitlement_other_household",
        )
    if plan.condition != SHELTER_CONDITION:
        raise field_error(
            "entitlement",
            _("The plan “%(plan)s” is not paid on verified shelter milestones.")
            % {"plan": plan.name},
            "entitlement_not_shelter",
        )
    if (
        plan.status != CashPlan.Status.APPROVED
        or entitlement.status == Entitlement.Status.CANCELLED
    ):
        raise field_error(
            "entitlement",
            _("The entitlement must be of an approved plan and not cancelled."),
            "entitlement_not_live",
        )
    other = RehabCase.objects.filter(entitlement=entitlement).exclude(status=Status.CANCELLED)
    if other.exists():
        raise field_error(
            "entitlement",
            _("This entitlement already pays the repair of another house (case %(ref)s).")
            % {"ref": other.first().reference},  # type: ignore[union-attr]
            "entitlement_taken",
        )


def case_link_entitlement(*, user: Any, case: RehabCase, entitlement: Any) -> RehabCase:
    """Link the household's shelter cash entitlement to an open cash-modality case. The
    milestones are set again to the defaults for the plan's tranches when they do not
    release tranches 2..N."""
    require(user, MANAGE_CASE, case)
    with transaction.atomic():
        case = _locked(case)
        if case.modality != Modality.CASH:
            raise field_error(
                "entitlement",
                _("Only a cash-modality case is paid through an entitlement."),
                "not_cash",
            )
        if case.status != Status.OPEN:
            raise Conflict(
                _("The entitlement is linked before the case starts."), code="case_not_open"
            )
        entitlement = type(entitlement).objects.select_related("plan").get(pk=entitlement.pk)
        _check_entitlement(entitlement, case.household)
        case.entitlement = entitlement
        case.updated_by = actor(user)
        case.save(update_fields=["entitlement", "updated_by", "updated_at"])
        n = int(entitlement.plan.tranches)
        current = list(
            case.milestones.exclude(releases_tranche=None).values_list(
                "releases_tranche", flat=True
            )
        )
        if current != list(range(2, n + 1)):
            _write_milestones(case, default_milestones(Modality.CASH, n))
    return case


# --- create, update ---------------------------------------------------------------------


def _case_values(data: dict[str, Any], assessment: Assessment | None, case: Any = None) -> dict:
    base = case or assessment
    values: dict[str, Any] = {}
    occupants = data.get("occupants_after", getattr(base, "occupants_after", None))
    if occupants is None and assessment is not None:
        occupants = assessment.occupants
    try:
        occupants = int(occupants)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise field_error(
            "occupants_after", _("Give the number of people living there."), "occupants_required"
        ) from None
    if occupants < 1:
        raise field_error(
            "occupants_after", _("At least one person lives in the house."), "occupants_required"
        )
    area = data.get("covered_area_after_m2")
    if area in (None, ""):
        area = getattr(case, "covered_area_after_m2", None) if case else None
        if area is None and assessment is not None:
            area = assessment.covered_area_after_m2
    area_value = _decimal(area, "covered_area_after_m2")
    if area_value is None or area_value <= 0:
        raise field_error(
            "covered_area_after_m2",
            _("Give the covered living space after the works, in m²."),
            "area_required",
        )
    values["occupants_after"] = occupants
    values["covered_area_after_m2"] = money(area_value)
    values["space_per_person"], values["below_standard"] = space_check(area_value, occupants)
    for name in ("budget", "actual_cost"):
        if name in data:
            number = _decimal(data.get(name), name)
            values[name] = money(number) if number is not None else None
    if values.get("budget", 0) is None:
        values["budget"] = Decimal(0)
    for name in ("planned_start", "planned_end"):
        if name in data:
            values[name] = _date(data.get(name), name)
    start = values.get("planned_start", getattr(case, "planned_start", None))
    end = values.get("planned_end", getattr(case, "planned_end", None))
    if start and end and end < start:
        raise field_error(
            "planned_end", _("The planned end is before the start."), "end_before_start"
        )
    if "notes" in data:
        values["notes"] = str(data.get("notes") or "")[:5000]
    return values


def case_create(
    *, user: Any, assessment: Assessment, modality: str, data: dict[str, Any] | None = None
) -> RehabCase:
    """Open the case of a validated assessment (one per assessment), copying the
    property, household and project; budget = the bill of quantities unless given;
    occupants and covered area from the assessment unless given, checked against the
    space standard. `data`: occupants_after, covered_area_after_m2, budget, currency,
    planned_start, planned_end, notes, entitlement (cash), milestones (list of
    {name, progress, releases_tranche, due_on}; defaults per modality)."""
    require(user, MANAGE_CASE, assessment)
    data = dict(data or {})
    if modality not in Modality.values:
        raise field_error("modality", _("Choose a modality from the list."), "invalid_modality")
    if assessment.status != Assessment.Status.VALIDATED:
        raise Conflict(
            _("Assessment %(ref)s is not validated: validate it before opening a case.")
            % {"ref": assessment.reference},
            code="assessment_not_validated",
        )
    if RehabCase.objects.filter(assessment=assessment).exists():
        raise Conflict(
            _("Assessment %(ref)s already has a case.") % {"ref": assessment.reference},
            code="case_exists",
        )
    data.setdefault("budget", assessment.boq_total)
    values = _case_values(data, assessment)
    entitlement = data.get("entitlement")
    if entitlement is not None:
        if modality != Modality.CASH:
            raise field_error(
                "entitlement",
                _("Only a cash-modality case is paid through an entitlement."),
                "not_cash",
            )
        _check_entitlement(entitlement, assessment.household)
    tranches = int(entitlement.plan.tranches) if entitlement is not None else None
    if data.get("milestones"):
        milestones = _clean_milestones(data["milestones"], modality=modality, tranches=tranches)
    else:
        milestones = default_milestones(modality, tranches)
    currency = data.get("currency") or assessment.currency
    prop = assessment.property
    for _attempt in range(3):
        try:
            with transaction.atomic():
                case = RehabCase.objects.create(
                    reference=next_reference(RehabCase, "SC"),
                    assessment=assessment,
                    property=prop,
                    household=assessment.household or prop.household,
                    programme=assessment.programme,
                    project=assessment.project,
                    governorate=assessment.governorate,
                    modality=modality,
                    entitlement=entitlement,
                    currency=currency,
                    created_by=actor(user),
                    updated_by=actor(user),
                    **values,
                )
                _write_milestones(case, milestones)
                return case
        except IntegrityError:
            if RehabCase.objects.filter(assessment=assessment).exists():
                raise Conflict(
                    _("Assessment %(ref)s already has a case.") % {"ref": assessment.reference},
                    code="case_exists",
                ) from None
    raise Conflict(_("Could not number the case. Try again."), code="case_number_busy")


def case_create_from_round(
    *, user: Any, round: PriorityRound, modality: str, data: dict[str, Any] | None = None
) -> list[RehabCase]:
    """Open a case for every house ticked in a final prioritisation round that has none
    yet, all with one modality; all or nothing (the first refusal names the house)."""
    require(user, MANAGE_CASE, round)
    if round.status != PriorityRound.Status.FINAL:
        raise Conflict(
            _("Mark the prioritisation final before opening its cases."), code="round_not_final"
        )
    entries = list(
        round.entries.filter(selected=True)
        .exclude(assessment__case__isnull=False)
        .select_related("assessment__property", "assessment__household")
        .order_by("rank")
    )
    if not entries:
        raise Conflict(
            _("No house ticked in this prioritisation is left without a case."),
            code="nothing_to_open",
        )
    created: list[RehabCase] = []
    with transaction.atomic():
        for entry in entries:
            try:
                created.append(
                    case_create(
                        user=user, assessment=entry.assessment, modality=modality, data=data
                    )
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    _("House ranked %(rank)d (%(ref)s): %(error)s")
                    % {"rank": entry.rank, "ref": entry.assessment.reference, "error": exc.message},
                    code=exc.code,
                    fields=exc.fields,
                ) from exc
            except Conflict as exc:
                raise Conflict(
                    _("House ranked %(rank)d (%(ref)s): %(error)s")
                    % {"rank": entry.rank, "ref": entry.assessment.reference, "error": exc.message},
                    code=exc.code,
                ) from exc
    return created


def case_update(*, user: Any, case: RehabCase, data: dict[str, Any]) -> RehabCase:
    """Change occupants, covered area (the space standard is checked again), budget,
    actual cost, planned dates and notes of a live case."""
    require(user, MANAGE_CASE, case)
    with transaction.atomic():
        case = _locked(case)
        if case.status not in LIVE:
            raise Conflict(_("A closed or cancelled case cannot change."), code="case_not_editable")
        values = _case_values(data, None, case)
        for name, value in values.items():
            setattr(case, name, value)
        case.updated_by = actor(user)
        case.save(update_fields=[*values, "updated_by", "updated_at"])
    return case


# --- start, cancel ----------------------------------------------------------------------


def case_start(*, user: Any, case: RehabCase, started_on: Any = None) -> RehabCase:
    """The works start (the agreement with the family is signed). A contractor case
    needs its contract; a cash case needs its entitlement, whose tranche 1 is released
    in the same transaction."""
    require(user, MANAGE_CASE, case)
    started = _date(started_on, "started_on") or today()
    if started > today():
        raise field_error("started_on", _("The start cannot be in the future."), "future_date")
    with transaction.atomic():
        case = _locked(case)
        if case.status != Status.OPEN:
            raise InvalidTransition(_("Only an open case can start."), code="case_not_open")
        if case.modality == Modality.CONTRACTOR and case.contract_id is None:
            raise Conflict(
                _("Award the house to a contractor (a contract) before the works start."),
                code="contract_required",
            )
        if case.modality == Modality.CASH:
            if case.entitlement is None:
                raise Conflict(
                    _("Link the household's shelter cash entitlement before the works start."),
                    code="entitlement_required",
                )
            from sanad.cash.services import entitlement_tranche_release

            entitlement_tranche_release(
                user=user,
                entitlement=case.entitlement,
                tranche=1,
                evidence=f"Agreement signed, case {case.reference}",
                source=f"shelter_case:{case.pk}",
                permission=None,
            )
        case.started_on = started
        case.updated_by = actor(user)
        RehabCase.STATUS_MACHINE.transition(
            case, to=Status.IN_PROGRESS, by=user, extra_updates=["started_on", "updated_by"]
        )
    return case


def case_cancel(*, user: Any, case: RehabCase, reason: str) -> RehabCase:
    require(user, MANAGE_CASE, case)
    with transaction.atomic():
        case = _locked(case)
        if not RehabCase.STATUS_MACHINE.can(case, Status.CANCELLED):
            raise InvalidTransition(
                _("Only an open case or one in progress can be cancelled."),
                code="case_not_cancellable",
            )
        RehabCase.STATUS_MACHINE.transition(
            case, to=Status.CANCELLED, by=user, reason=(reason or "").strip()
        )
    return case

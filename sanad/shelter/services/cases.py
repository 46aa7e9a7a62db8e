"""Rehabilitation cases: opened from a validated assessment (one case per house, or in
bulk from a final prioritisation round), their milestones, start (the cash modality's
first tranche), handover signed by the family with its completion certificate and
the assistance ledger, defects during the liability period, and closing.

open → in progress (started) → completed (a final inspection verified, see
`services.inspections`) → handed over → closed (the liability period over, no defect
left open); open/in progress → cancelled.

Cash modality: the household's entitlement under an approved cash plan whose condition
is a verified shelter milestone. Tranche 1 is released when the case starts (the
agreement is signed); milestone k releases tranche k + 1 when an inspection verifies it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, InvalidTransition, ValidationFailed
from sanad.core.photos import sniff
from sanad.shelter.models import (
    INSPECT,
    MANAGE_CASE,
    Assessment,
    CaseMilestone,
    Defect,
    PriorityRound,
    RehabCase,
)
from sanad.shelter.models.common import Component
from sanad.shelter.services._common import (
    PHOTOS,
    actor,
    money,
    next_reference,
    require,
    space_check,
    today,
)

Status = RehabCase.Status
Modality = RehabCase.Modality
LIVE = (Status.OPEN, Status.IN_PROGRESS, Status.COMPLETED, Status.HANDED_OVER)
DONE = (Status.COMPLETED, Status.HANDED_OVER, Status.CLOSED, Status.CANCELLED)
SHELTER_CONDITION = "shelter_milestone"
MAX_SIGNATURE_BYTES = 512 * 1024
LEDGER_SOURCE = "shelter_case"
LEDGER_ITEM = "shelter_rehabilitation"

# Default stages of the works (name, progress reached). The cash modality puts one
# tranche milestone per tranche after the first, then the completion.
WORKS_MILESTONES = (("Structural works", 40), ("Finishing", 80), ("Completion", 100))
TRANCHE_NAMES = (
    "Structural works",
    "Roof and walls",
    "Doors, windows and finishing",
    "Services (water, sanitation, electricity)",
)


def _fail(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _locked(case: RehabCase) -> RehabCase:
    return RehabCase.objects.select_for_update().get(pk=case.pk)


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
        raise _fail(field, _("Write the date as YYYY-MM-DD."), f"invalid_{field}") from None


def _decimal(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise _fail(field, _("This field is required."), f"{field}_required")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _fail(field, _("Write a number."), f"invalid_{field}") from None
    if not number.is_finite() or number < 0:
        raise _fail(field, _("Write a number of zero or more."), f"invalid_{field}")
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
            raise _fail("milestones", _("Name milestone %(n)d.") % {"n": i}, "milestone_name")
        progress = _decimal(row.get("progress"), "milestones", required=True)
        assert progress is not None
        if not last < progress <= 100:
            raise _fail(
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
        raise _fail("milestones", _("Give at least one milestone."), "milestones_required")
    if last != 100:
        raise _fail(
            "milestones", _("The last milestone must reach 100 %."), "milestones_not_complete"
        )
    released = [r["releases_tranche"] for r in out if r["releases_tranche"] is not None]
    if modality != Modality.CASH:
        if released:
            raise _fail(
                "milestones",
                _("Only the cash modality releases tranches: leave “releases tranche” empty."),
                "tranche_not_cash",
            )
    elif tranches and released != list(range(2, tranches + 1)):
        raise _fail(
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
        raise _fail(
            "entitlement",
            _("This entitlement is another household's. Choose the occupying household's."),
            "entitlement_other_household",
        )
    if plan.condition != SHELTER_CONDITION:
        raise _fail(
            "entitlement",
            _("The plan “%(plan)s” is not paid on verified shelter milestones.")
            % {"plan": plan.name},
            "entitlement_not_shelter",
        )
    if (
        plan.status != CashPlan.Status.APPROVED
        or entitlement.status == Entitlement.Status.CANCELLED
    ):
        raise _fail(
            "entitlement",
            _("The entitlement must be of an approved plan and not cancelled."),
            "entitlement_not_live",
        )
    other = RehabCase.objects.filter(entitlement=entitlement).exclude(status=Status.CANCELLED)
    if other.exists():
        raise _fail(
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
            raise _fail(
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
        raise _fail(
            "occupants_after", _("Give the number of people living there."), "occupants_required"
        ) from None
    if occupants < 1:
        raise _fail(
            "occupants_after", _("At least one person lives in the house."), "occupants_required"
        )
    area = data.get("covered_area_after_m2")
    if area in (None, ""):
        area = getattr(case, "covered_area_after_m2", None) if case else None
        if area is None and assessment is not None:
            area = assessment.covered_area_after_m2
    area_value = _decimal(area, "covered_area_after_m2")
    if area_value is None or area_value <= 0:
        raise _fail(
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
        raise _fail("planned_end", _("The planned end is before the start."), "end_before_start")
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
        raise _fail("modality", _("Choose a modality from the list."), "invalid_modality")
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
            raise _fail(
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
        raise _fail("started_on", _("The start cannot be in the future."), "future_date")
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


# --- handover ---------------------------------------------------------------------------


def signature_png(data_url: str) -> bytes:
    """The PNG bytes of a signature drawn on the page (a `data:image/png;base64,…` URL),
    refusing anything else."""
    prefix = "data:image/png;base64,"
    message = _("Draw the signature again: what was sent is not a picture.")
    if not data_url.startswith(prefix):
        raise _fail("signature", message, "signature_invalid")
    try:
        content = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise _fail("signature", message, "signature_invalid") from None
    if len(content) > MAX_SIGNATURE_BYTES:
        raise _fail("signature", _("The signature is too large."), "signature_too_large")
    kind = sniff(content[:16])
    if kind is None or kind[0] != "image/png":
        raise _fail("signature", message, "signature_invalid")
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != "PNG" or image.width * image.height > 4_000_000:
                raise ValueError("not a signature")
            image.verify()
    except Exception:  # Pillow raises many kinds for a broken or forged file
        raise _fail("signature", message, "signature_invalid") from None
    return content


def defects_days(case: RehabCase) -> int:
    if case.contract is not None:
        return int(case.contract.defects_liability_days)
    return int(settings.SANAD_SHELTER_DEFECTS_DAYS)


def case_handover(*, user: Any, case: RehabCase, data: dict[str, Any]) -> RehabCase:
    """The family takes the house back: who signed for it (name, relationship), when,
    and the signature drawn on the phone (`signature`, a PNG data URL) or
    `signed_on_paper`. Numbers the completion certificate, sets the end of the defects
    liability and writes the assistance ledger (value = actual cost, or budget, for the
    direct and contractor modalities, with `exchange_rate`; the cash modality's money is
    already in the ledger through its payments, so no value)."""
    require(user, MANAGE_CASE, case)
    signed_by = str(data.get("signed_by") or "").strip()
    if not signed_by:
        raise _fail("signed_by", _("Write who signed for the family."), "signed_by_required")
    relationship = str(data.get("relationship") or "").strip()[:60]
    handed_on = _date(data.get("handed_over_on"), "handed_over_on") or today()
    if handed_on > today():
        raise _fail("handed_over_on", _("The handover cannot be in the future."), "future_date")
    drawn = str(data.get("signature") or "")
    on_paper = bool(data.get("signed_on_paper"))
    if not drawn and not on_paper:
        raise _fail(
            "signature",
            _("Have the family sign on the screen, or tick “signed on paper”."),
            "signature_required",
        )
    png = signature_png(drawn) if drawn else None
    written: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            if case.status != Status.COMPLETED:
                raise InvalidTransition(
                    _("The house is handed over once the works are completed."),
                    code="case_not_completed",
                )
            if case.completed_on and handed_on < case.completed_on:
                raise _fail(
                    "handed_over_on",
                    _("The handover cannot be before the works were completed."),
                    "handover_before_completion",
                )
            if "actual_cost" in data and data.get("actual_cost") not in (None, ""):
                case.actual_cost = money(_decimal(data["actual_cost"], "actual_cost"))
            if png is not None:
                path = PHOTOS.store_bytes(case.public_id, png, "png")
                written.append(path)
                case.handover_signature = path
            case.handed_over_on = handed_on
            case.handover_signed_by = signed_by[:200]
            case.handover_relationship = relationship
            case.certificate_number = next_reference(RehabCase, "CC", field="certificate_number")
            case.defects_liability_until = handed_on + datetime.timedelta(days=defects_days(case))
            case.updated_by = actor(user)
            fields = [
                "actual_cost",
                "handover_signature",
                "handed_over_on",
                "handover_signed_by",
                "handover_relationship",
                "certificate_number",
                "defects_liability_until",
                "updated_by",
            ]
            RehabCase.STATUS_MACHINE.transition(
                case,
                to=Status.HANDED_OVER,
                by=user,
                reason=_("Signed on paper.") if on_paper and not png else "",
                extra_updates=fields,
            )
            _ledger(user, case, data)
    except BaseException:
        PHOTOS.remove(written)
        raise
    return case


def _ledger(user: Any, case: RehabCase, data: dict[str, Any]) -> Any:
    """The assistance ledger's record of the repaired house (None without a registered
    household: the ledger records deliveries to households)."""
    if case.household_id is None:
        return None
    from sanad.assistance import services as ledger

    values: dict[str, Any] = {}
    if case.modality != Modality.CASH:
        cost = case.actual_cost if case.actual_cost is not None else case.budget
        if cost:
            values = {
                "value": money(cost),
                "currency": case.currency,
                "exchange_rate": data.get("exchange_rate") or None,
            }
    return ledger.assistance_record(
        user=user,
        household=case.household,
        programme=case.programme,
        project=case.project,
        kind="service",
        item=LEDGER_ITEM,
        quantity=1,
        unit="house",
        delivered_on=case.handed_over_on or today(),
        admin_unit=case.property.admin_unit,
        source_type=LEDGER_SOURCE,
        source_id=str(case.pk),
        description=f"Rehabilitated house, case {case.reference}, certificate "
        f"{case.certificate_number}"[:200],
        permission=None,
        **values,
    )


# --- defects and closing ----------------------------------------------------------------


def defect_report(*, user: Any, case: RehabCase, data: dict[str, Any]) -> Defect:
    """A defect found during the liability period of a handed-over house."""
    require(user, MANAGE_CASE, case)
    component = str(data.get("component") or "")
    if component not in Component.values:
        raise _fail("component", _("Choose a component from the list."), "invalid_component")
    description = str(data.get("description") or "").strip()
    if not description:
        raise _fail("description", _("Describe the defect."), "description_required")
    reported = _date(data.get("reported_on"), "reported_on") or today()
    due = _date(data.get("due_on"), "due_on")
    if due and due < reported:
        raise _fail("due_on", _("The fix is due after it is reported."), "due_before_report")
    with transaction.atomic():
        case = _locked(case)
        if case.status != Status.HANDED_OVER:
            raise Conflict(
                _("Defects are reported on a handed-over house, during its liability period."),
                code="case_not_handed_over",
            )
        if case.defects_liability_until and reported > case.defects_liability_until:
            raise Conflict(
                _("The defects liability ended on %(date)s.")
                % {"date": case.defects_liability_until.isoformat()},
                code="liability_over",
            )
        return Defect.objects.create(
            case=case,
            component=component,
            description=description[:5000],
            reported_on=reported,
            due_on=due,
            created_by=actor(user),
            updated_by=actor(user),
        )


def _locked_defect(defect: Defect) -> Defect:
    return Defect.objects.select_for_update().select_related("case").get(pk=defect.pk)


def defect_fix(*, user: Any, defect: Defect, fixed_on: Any = None) -> Defect:
    """Whoever did the works says the defect is fixed: an inspector verifies it."""
    require(user, MANAGE_CASE, defect)
    fixed = _date(fixed_on, "fixed_on") or today()
    with transaction.atomic():
        defect = _locked_defect(defect)
        defect.fixed_on = fixed
        defect.updated_by = actor(user)
        Defect.STATUS_MACHINE.transition(
            defect, to=Defect.Status.FIXED, by=user, extra_updates=["fixed_on", "updated_by"]
        )
    return defect


def defect_verify(*, user: Any, defect: Defect) -> Defect:
    require(user, INSPECT, defect)
    with transaction.atomic():
        defect = _locked_defect(defect)
        defect.verified_on, defect.verified_by = today(), actor(user)
        Defect.STATUS_MACHINE.transition(
            defect,
            to=Defect.Status.VERIFIED,
            by=user,
            extra_updates=["verified_on", "verified_by"],
        )
    return defect


def defect_reopen(*, user: Any, defect: Defect, reason: str) -> Defect:
    """The inspector finds the defect is not fixed: open again, with why."""
    require(user, INSPECT, defect)
    with transaction.atomic():
        defect = _locked_defect(defect)
        defect.fixed_on = None
        Defect.STATUS_MACHINE.transition(
            defect,
            to=Defect.Status.OPEN,
            by=user,
            reason=(reason or "").strip(),
            extra_updates=["fixed_on"],
        )
    return defect


def _closable(case: RehabCase, on: datetime.date) -> str:
    """Why the case cannot close on `on` ('' when it can)."""
    if case.status != Status.HANDED_OVER:
        return _("Only a handed-over house can be closed.")
    if case.defects_liability_until and on <= case.defects_liability_until:
        return _("The defects liability runs until %(date)s: close the case after it.") % {
            "date": case.defects_liability_until.isoformat()
        }
    if case.defects.exclude(status=Defect.Status.VERIFIED).exists():
        return _("A defect is not verified fixed yet.")
    return ""


def case_close(*, user: Any, case: RehabCase) -> RehabCase:
    """Close a handed-over case after its defects-liability period, no defect open."""
    require(user, MANAGE_CASE, case)
    with transaction.atomic():
        case = _locked(case)
        why = _closable(case, today())
        if why:
            raise Conflict(why, code="case_not_closable")
        case.closed_on = today()
        RehabCase.STATUS_MACHINE.transition(
            case, to=Status.CLOSED, by=user, extra_updates=["closed_on"]
        )
    return case


def cases_close_due(*, on: datetime.date | None = None) -> int:
    """Close every handed-over case whose liability period ended with no defect left
    open (the nightly command; idempotent). Returns how many were closed."""
    on = on or today()
    due = (
        RehabCase.objects.filter(status=Status.HANDED_OVER, defects_liability_until__lt=on)
        .exclude(defects__status__in=(Defect.Status.OPEN, Defect.Status.FIXED))
        .values_list("pk", flat=True)
    )
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            case = RehabCase.objects.select_for_update().get(pk=pk)
            if _closable(case, on):
                continue
            case.closed_on = on
            RehabCase.STATUS_MACHINE.transition(
                case,
                to=Status.CLOSED,
                reason=_("Defects liability period over, no defect open."),
                extra_updates=["closed_on"],
            )
            closed += 1
    return closed

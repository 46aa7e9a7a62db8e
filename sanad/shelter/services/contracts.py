"""Contractors, tenders and works contracts covering several houses.

- Contractors: register, edit, suspend or exclude (with a reason), reinstate.
- Tenders: a lot of open contractor-modality cases of one project in one governorate
  (a case is in one live tender at a time); estimate = the sum of the cases' budgets.
  draft → open (bids recorded) → evaluated → awarded (a contract made from one bid), or
  cancelled. The recommended bid is the lowest price among bids whose technical score
  reaches `TECHNICAL_PASS` (70); awarding another needs a reason.
- Contracts: from an award, or a direct award (with a reason). Payment milestones must
  add up to 100 % before signing. Certifying a milestone computes what is payable
  (`milestone_amounts`): gross share, less retention, less the penalty for each day late,
  the contract's penalties never exceeding its cap. Practical completion when every
  milestone is certified and every house is finished; the retention is released after
  the defects-liability period with no open defect → closed. Terminate with a reason.

Money is `Decimal`, rounded to 0.01 with ROUND_HALF_UP at each step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.core.scoping import grants_for, scoped
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    Bid,
    Contract,
    ContractMilestone,
    Contractor,
    Defect,
    RehabCase,
    Tender,
)
from sanad.shelter.services._common import actor, money, next_reference, require, today

TECHNICAL_PASS = Decimal("70")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")
LIVE_TENDER = (Tender.Status.DRAFT, Tender.Status.OPEN, Tender.Status.EVALUATED)
# A case whose works are finished (for the contract's practical completion).
CASE_DONE = (
    RehabCase.Status.COMPLETED,
    RehabCase.Status.HANDED_OVER,
    RehabCase.Status.CLOSED,
)
UNRESOLVED_DEFECT = (Defect.Status.OPEN, Defect.Status.FIXED)


def _fail(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _text(data: dict[str, Any], field: str, *, max_length: int, required: bool = False) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise _fail(field, _("This field is required."), f"{field}_required")
    if len(value) > max_length:
        raise _fail(
            field, _("Shorten this to %(n)d characters.") % {"n": max_length}, f"{field}_too_long"
        )
    return value


def _decimal(
    data: dict[str, Any],
    field: str,
    *,
    default: Any = None,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    positive: bool = False,
) -> Decimal:
    raw = data.get(field, default)
    if raw in (None, ""):
        raw = default
    if raw in (None, ""):
        raise _fail(field, _("Enter a number."), f"{field}_required")
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise _fail(field, _("Enter a number."), f"invalid_{field}") from None
    if not value.is_finite():
        raise _fail(field, _("Enter a number."), f"invalid_{field}")
    if positive and value <= 0:
        raise _fail(field, _("Enter an amount above zero."), f"{field}_not_positive")
    if minimum is not None and value < minimum:
        raise _fail(field, _("Enter at least %(n)s.") % {"n": minimum}, f"{field}_too_small")
    if maximum is not None and value > maximum:
        raise _fail(field, _("Enter at most %(n)s.") % {"n": maximum}, f"{field}_too_large")
    return value


def _date(data: dict[str, Any], field: str, *, required: bool = False) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise _fail(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise _fail(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from None


def _reaches(user: Any, permission: str, governorate: Any, programme: Any) -> bool:
    """Whether the user's grants of `permission` cover a governorate and a programme
    (for a record about to be created, which `can_reach` cannot test)."""
    gov = getattr(governorate, "pcode", governorate)
    prog = getattr(programme, "code", programme)
    for grant in grants_for(user, permission):
        if (grant.all_governorates or gov in grant.governorates) and (
            grant.all_programmes or prog in grant.programmes
        ):
            return True
    return False


def _record_creation(obj: Any, *, user: Any, to: str, reason: str) -> None:
    """Keep why a record was made (a direct award's justification) in its status
    history, as the first step."""
    StatusTransition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk),
        field="status",
        from_state="",
        to_state=to,
        by=actor(user),
        reason=reason,
    )


def _stamp(obj: Any, user: Any, *, created: bool = False) -> None:
    who = actor(user)
    if created:
        obj.created_by = who
    obj.updated_by = who


# --- contractors -----------------------------------------------------------------------


def _contractor_fields(contractor: Contractor, data: dict[str, Any]) -> list[Any]:
    contractor.name = _text(data, "name", max_length=200, required=True)
    contractor.registration_number = _text(data, "registration_number", max_length=60)
    contractor.contact_name = _text(data, "contact_name", max_length=200)
    contractor.phone = _text(data, "phone", max_length=30)
    contractor.email = _text(data, "email", max_length=254)
    contractor.notes = _text(data, "notes", max_length=5000)
    same = Contractor.objects.exclude(pk=contractor.pk)
    if same.filter(name__iexact=contractor.name).exists():
        raise _fail(
            "name",
            _("A contractor with this name is already registered. Open it instead."),
            "contractor_exists",
        )
    if (
        contractor.registration_number
        and same.filter(registration_number__iexact=contractor.registration_number).exists()
    ):
        raise _fail(
            "registration_number",
            _("Another contractor has this registration number."),
            "registration_number_taken",
        )
    return list(data.get("governorates") or [])


def contractor_create(*, user: Any, data: dict[str, Any]) -> Contractor:
    """Register a contractor (`data`: name, registration_number, contact_name, phone,
    email, notes, governorates: admin units of level 1 it works in)."""
    require(user, MANAGE_CONTRACT)
    contractor = Contractor()
    governorates = _contractor_fields(contractor, data)
    _stamp(contractor, user, created=True)
    with transaction.atomic():
        contractor.save()
        contractor.governorates.set(governorates)
    return contractor


def contractor_update(*, user: Any, contractor: Contractor, data: dict[str, Any]) -> Contractor:
    require(user, MANAGE_CONTRACT, contractor)
    governorates = _contractor_fields(contractor, data)
    _stamp(contractor, user)
    with transaction.atomic():
        contractor.save()
        contractor.governorates.set(governorates)
    return contractor


def contractor_suspend(*, user: Any, contractor: Contractor, reason: str) -> Contractor:
    """Suspend a contractor: no new bid or award until reinstated."""
    require(user, MANAGE_CONTRACT, contractor)
    Contractor.STATUS_MACHINE.transition(contractor, to="suspended", by=user, reason=reason)
    return contractor


def contractor_exclude(*, user: Any, contractor: Contractor, reason: str) -> Contractor:
    """Exclude a contractor for good (fraud, abandoned works…)."""
    require(user, MANAGE_CONTRACT, contractor)
    Contractor.STATUS_MACHINE.transition(contractor, to="excluded", by=user, reason=reason)
    return contractor


def contractor_reinstate(*, user: Any, contractor: Contractor, reason: str = "") -> Contractor:
    require(user, MANAGE_CONTRACT, contractor)
    Contractor.STATUS_MACHINE.transition(contractor, to="active", by=user, reason=reason)
    return contractor


def _require_active(contractor: Contractor, field: str = "contractor") -> None:
    if contractor.status != Contractor.Status.ACTIVE:
        raise _fail(
            field,
            _("%(name)s is %(status)s: choose an active contractor.")
            % {"name": contractor.name, "status": contractor.get_status_display().lower()},
            "contractor_not_active",
        )


# --- lots of houses --------------------------------------------------------------------


def eligible_cases_q() -> Q:
    """Cases that may go into a new lot: by contractor, no contract, in no live tender,
    not finished (open, or in progress when a terminated contractor left the works
    unfinished)."""
    return Q(
        modality=RehabCase.Modality.CONTRACTOR,
        status__in=(RehabCase.Status.OPEN, RehabCase.Status.IN_PROGRESS),
        contract__isnull=True,
    ) & ~Q(tenders__status__in=LIVE_TENDER)


def _check_lot(
    *,
    user: Any,
    cases: Iterable[RehabCase],
    project: Any,
    governorate: Any,
    currency: str,
    tender: Tender | None = None,
    required: bool = True,
) -> list[RehabCase]:
    """The cases of a lot, locked, each checked: in the user's reach, contractor
    modality, open, no contract, same project, governorate and currency, in no other
    live tender."""
    ids = sorted({c.pk for c in cases})
    if not ids:
        if required:
            raise _fail("cases", _("Choose at least one house for the lot."), "lot_empty")
        return []
    reachable = scoped(RehabCase.objects.all(), user, MANAGE_CONTRACT).filter(pk__in=ids)
    rows = list(RehabCase.objects.select_for_update().filter(pk__in=reachable).order_by("pk"))
    if len(rows) != len(ids):
        raise _fail(
            "cases", _("Some of the houses are not in your area or programme."), "case_not_found"
        )
    links = Tender.cases.through.objects.filter(
        rehabcase_id__in=ids, tender__status__in=LIVE_TENDER
    )
    if tender is not None:
        links = links.exclude(tender_id=tender.pk)
    busy = set(links.values_list("rehabcase_id", flat=True))
    problems = []
    for case in rows:
        if case.modality != RehabCase.Modality.CONTRACTOR:
            problems.append(
                _("%(ref)s is not to be done by a contractor.") % {"ref": case.reference}
            )
        elif (
            case.status not in (RehabCase.Status.OPEN, RehabCase.Status.IN_PROGRESS)
            or case.contract_id
        ):
            problems.append(
                _("%(ref)s already has a contract or its works are finished.")
                % {"ref": case.reference}
            )
        elif case.pk in busy:
            problems.append(_("%(ref)s is already in another tender.") % {"ref": case.reference})
        elif case.project_id != project.pk:
            problems.append(_("%(ref)s belongs to another project.") % {"ref": case.reference})
        elif case.governorate_id != governorate.pk:
            problems.append(_("%(ref)s is in another governorate.") % {"ref": case.reference})
        elif case.currency != currency:
            problems.append(
                _("%(ref)s is budgeted in %(cur)s.") % {"ref": case.reference, "cur": case.currency}
            )
    if problems:
        message = " ".join(problems)
        raise ValidationFailed(message, code="case_not_eligible", fields={"cases": problems})
    return rows


def _estimate(cases: Sequence[RehabCase]) -> Decimal:
    return money(sum((c.budget for c in cases), ZERO))


def _governorate_of(data: dict[str, Any]) -> Any:
    gov = data.get("governorate")
    if gov is None:
        raise _fail("governorate", _("Choose the governorate."), "governorate_required")
    if getattr(gov, "level", 1) != 1:
        gov = gov.governorate
    return gov


def _project_of(data: dict[str, Any]) -> Any:
    project = data.get("project")
    if project is None:
        raise _fail("project", _("Choose the project."), "project_required")
    return project


def _currency(data: dict[str, Any], default: str) -> str:
    currency = str(data.get("currency") or default or "USD")
    if currency not in ("USD", "IQD"):
        raise _fail("currency", _("Choose USD or IQD."), "invalid_currency")
    return currency


# --- tenders ---------------------------------------------------------------------------


def tender_create(*, user: Any, data: dict[str, Any], cases: Iterable[RehabCase]) -> Tender:
    """A draft tender for a lot of houses of one project in one governorate (`data`:
    title, project, governorate, description, closes_on, currency)."""
    require(user, MANAGE_CONTRACT)
    project, governorate = _project_of(data), _governorate_of(data)
    if not _reaches(user, MANAGE_CONTRACT, governorate, project.programme):
        raise _fail(
            "governorate",
            _("You may not run tenders in this governorate or programme."),
            "out_of_scope",
        )
    title = _text(data, "title", max_length=200, required=True)
    currency = _currency(data, project.currency)
    closes_on = _date(data, "closes_on")
    with transaction.atomic():
        lot = _check_lot(
            user=user, cases=cases, project=project, governorate=governorate, currency=currency
        )
        tender = Tender(
            reference=next_reference(Tender, "ST"),
            title=title,
            programme=project.programme,
            project=project,
            governorate=governorate,
            description=_text(data, "description", max_length=10000),
            estimate=_estimate(lot),
            currency=currency,
            closes_on=closes_on,
        )
        _stamp(tender, user, created=True)
        tender.save()
        tender.cases.set(lot)
    return tender


def _locked_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


def tender_update(
    *, user: Any, tender: Tender, data: dict[str, Any], cases: Iterable[RehabCase]
) -> Tender:
    """Change a draft tender's title, description, closing date and lot."""
    require(user, MANAGE_CONTRACT, tender)
    with transaction.atomic():
        tender = _locked_tender(tender)
        if tender.status != Tender.Status.DRAFT:
            raise Conflict(
                _("Only a draft tender can be changed; this one is %(status)s.")
                % {"status": tender.get_status_display().lower()},
                code="tender_not_draft",
            )
        lot = _check_lot(
            user=user,
            cases=cases,
            project=tender.project,
            governorate=tender.governorate,
            currency=tender.currency,
            tender=tender,
        )
        tender.title = _text(data, "title", max_length=200, required=True)
        tender.description = _text(data, "description", max_length=10000)
        tender.closes_on = _date(data, "closes_on")
        tender.estimate = _estimate(lot)
        _stamp(tender, user)
        tender.save()
        tender.cases.set(lot)
    return tender


def tender_open(*, user: Any, tender: Tender, issued_on: datetime.date | None = None) -> Tender:
    """Publish the tender: bids may be recorded."""
    require(user, MANAGE_CONTRACT, tender)
    with transaction.atomic():
        tender = _locked_tender(tender)
        if not tender.cases.exists():
            raise Conflict(_("Add at least one house to the lot first."), code="lot_empty")
        tender.issued_on = issued_on or tender.issued_on or today()
        if tender.closes_on and tender.closes_on < tender.issued_on:
            raise _fail(
                "closes_on",
                _("The closing date is before the issue date: change it first."),
                "closes_before_issue",
            )
        Tender.STATUS_MACHINE.transition(tender, to="open", by=user, extra_updates=("issued_on",))
    return tender


def _bid_fields(bid: Bid, data: dict[str, Any]) -> None:
    bid.amount = money(_decimal(data, "amount", positive=True))
    duration = data.get("duration_days")
    if duration in (None, ""):
        bid.duration_days = None
    else:
        try:
            bid.duration_days = int(duration)
        except (TypeError, ValueError):
            raise _fail("duration_days", _("Enter a number of days."), "invalid_duration") from None
        if not 1 <= bid.duration_days <= 3650:
            raise _fail("duration_days", _("Enter between 1 and 3650 days."), "invalid_duration")
    score = data.get("technical_score")
    bid.technical_score = (
        None
        if score in (None, "")
        else _decimal(data, "technical_score", minimum=Decimal(0), maximum=HUNDRED)
    )
    bid.notes = _text(data, "notes", max_length=5000)


def bid_record(*, user: Any, tender: Tender, data: dict[str, Any]) -> Bid:
    """Record a contractor's bid on an open tender (`data`: contractor, amount,
    duration_days, technical_score, notes)."""
    require(user, MANAGE_CONTRACT, tender)
    contractor = data.get("contractor")
    if contractor is None:
        raise _fail("contractor", _("Choose the contractor."), "contractor_required")
    with transaction.atomic():
        tender = _locked_tender(tender)
        if tender.status != Tender.Status.OPEN:
            raise Conflict(
                _("Bids are recorded while the tender is open; this one is %(status)s.")
                % {"status": tender.get_status_display().lower()},
                code="tender_not_open",
            )
        _require_active(contractor)
        if tender.bids.filter(contractor=contractor).exists():
            raise _fail(
                "contractor",
                _("%(name)s already has a bid on this tender: change that one.")
                % {"name": contractor.name},
                "bid_exists",
            )
        bid = Bid(tender=tender, contractor=contractor)
        _bid_fields(bid, data)
        _stamp(bid, user, created=True)
        bid.save()
    return bid


def bid_update(*, user: Any, bid: Bid, data: dict[str, Any]) -> Bid:
    """Correct a bid or give its technical score, until the tender is awarded."""
    require(user, MANAGE_CONTRACT, bid.tender)
    with transaction.atomic():
        tender = _locked_tender(bid.tender)
        if tender.status not in (Tender.Status.OPEN, Tender.Status.EVALUATED):
            raise Conflict(
                _("The bids of a %(status)s tender cannot be changed.")
                % {"status": tender.get_status_display().lower()},
                code="tender_closed",
            )
        bid = Bid.objects.get(pk=bid.pk)
        data = {**data, "contractor": bid.contractor}
        _bid_fields(bid, data)
        _stamp(bid, user)
        bid.save()
    return bid


def tender_evaluate(*, user: Any, tender: Tender) -> Tender:
    """Close the bidding: the committee's scores are in (every bid needs one)."""
    require(user, MANAGE_CONTRACT, tender)
    with transaction.atomic():
        tender = _locked_tender(tender)
        bids = list(tender.bids.select_related("contractor"))
        if not bids:
            raise Conflict(_("Record at least one bid before the evaluation."), code="no_bids")
        unscored = [b.contractor.name for b in bids if b.technical_score is None]
        if unscored:
            raise Conflict(
                _("Give a technical score to every bid first: %(names)s.")
                % {"names": ", ".join(unscored)},
                code="bid_unscored",
            )
        Tender.STATUS_MACHINE.transition(tender, to="evaluated", by=user)
    return tender


def recommended_bid(bids: Iterable[Bid], *, threshold: Decimal = TECHNICAL_PASS) -> Bid | None:
    """The lowest price among bids of active contractors whose technical score reaches
    the threshold; a tie goes to the better technical score, then to the earlier bid."""
    passing = [
        b
        for b in bids
        if b.technical_score is not None
        and b.technical_score >= threshold
        and b.contractor.status == Contractor.Status.ACTIVE
    ]
    if not passing:
        return None
    return min(passing, key=lambda b: (b.amount, -(b.technical_score or 0), b.created_at, b.pk))


def _contract_terms(contract: Contract, data: dict[str, Any]) -> None:
    """Dates and percentages of a contract (defaults of the model when left out)."""
    contract.start_on = _date(data, "start_on")
    contract.end_on = _date(data, "end_on")
    if contract.start_on and contract.end_on and contract.end_on < contract.start_on:
        raise _fail("end_on", _("The planned completion is before the start."), "end_before_start")
    contract.retention_percent = _decimal(
        data,
        "retention_percent",
        default=contract.retention_percent,
        minimum=Decimal(0),
        maximum=Decimal(50),
    )
    contract.penalty_per_day_percent = _decimal(
        data,
        "penalty_per_day_percent",
        default=contract.penalty_per_day_percent,
        minimum=Decimal(0),
        maximum=Decimal(10),
    )
    contract.penalty_cap_percent = _decimal(
        data,
        "penalty_cap_percent",
        default=contract.penalty_cap_percent,
        minimum=Decimal(0),
        maximum=HUNDRED,
    )
    days = data.get("defects_liability_days")
    if days not in (None, ""):
        try:
            contract.defects_liability_days = int(days)
        except (TypeError, ValueError):
            raise _fail(
                "defects_liability_days", _("Enter a number of days."), "invalid_days"
            ) from None
        if not 0 <= contract.defects_liability_days <= 3650:
            raise _fail(
                "defects_liability_days", _("Enter between 0 and 3650 days."), "invalid_days"
            )


def tender_award(
    *, user: Any, tender: Tender, bid: Bid, reason: str = "", data: dict[str, Any] | None = None
) -> Contract:
    """Award an evaluated tender to one bid: a draft contract for the bid's amount
    covering the lot's houses. Choosing another bid than the recommended one needs a
    reason. `data`: start_on, end_on (default: start + the bid's duration), retention
    and penalty percentages, defects_liability_days. All-or-nothing."""
    require(user, MANAGE_CONTRACT, tender)
    data = data or {}
    reason = (reason or "").strip()
    with transaction.atomic():
        tender = _locked_tender(tender)
        if tender.status != Tender.Status.EVALUATED:
            raise Conflict(
                _("Evaluate the bids before the award; this tender is %(status)s.")
                % {"status": tender.get_status_display().lower()},
                code="tender_not_evaluated",
            )
        bids = list(tender.bids.select_related("contractor"))
        chosen = next((b for b in bids if b.pk == bid.pk), None)
        if chosen is None:
            raise _fail("bid", _("Choose one of this tender's bids."), "bid_not_found")
        _require_active(chosen.contractor, "bid")
        recommended = recommended_bid(bids)
        if (recommended is None or chosen.pk != recommended.pk) and not reason:
            message = _(
                "This is not the recommended bid (the lowest price with a technical score "
                "of at least %(pass)s): say why you choose it."
            ) % {"pass": TECHNICAL_PASS}
            raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
        lot = _check_lot(
            user=user,
            # A house cancelled since the call for bids drops out of the lot.
            cases=list(tender.cases.exclude(status=RehabCase.Status.CANCELLED)),
            project=tender.project,
            governorate=tender.governorate,
            currency=tender.currency,
            tender=tender,
        )
        contract = Contract(
            reference=next_reference(Contract, "SW"),
            contractor=chosen.contractor,
            tender=tender,
            programme=tender.programme,
            project=tender.project,
            governorate=tender.governorate,
            value=chosen.amount,
            currency=tender.currency,
        )
        _contract_terms(contract, data)
        if contract.start_on and not contract.end_on and chosen.duration_days:
            contract.end_on = contract.start_on + datetime.timedelta(days=chosen.duration_days)
        _stamp(contract, user, created=True)
        contract.save()
        _record_creation(
            contract,
            user=user,
            to=Contract.Status.DRAFT,
            reason=_("Awarded from tender %(ref)s.") % {"ref": tender.reference}
            + (f" {reason}" if reason else ""),
        )
        RehabCase.objects.filter(pk__in=[c.pk for c in lot]).update(
            contract=contract, updated_at=timezone.now()
        )
        Bid.objects.filter(pk=chosen.pk).update(awarded=True, updated_at=timezone.now())
        Tender.STATUS_MACHINE.transition(
            tender,
            to="awarded",
            by=user,
            reason=reason
            or _("Recommended bid: %(name)s, %(amount)s %(cur)s.")
            % {"name": chosen.contractor.name, "amount": chosen.amount, "cur": tender.currency},
        )
    return contract


def tender_cancel(*, user: Any, tender: Tender, reason: str) -> Tender:
    """Cancel a tender that is not awarded; its houses may go into another lot."""
    require(user, MANAGE_CONTRACT, tender)
    with transaction.atomic():
        tender = _locked_tender(tender)
        Tender.STATUS_MACHINE.transition(tender, to="cancelled", by=user, reason=reason)
    return tender


# --- contracts -------------------------------------------------------------------------


def contract_create(
    *,
    user: Any,
    data: dict[str, Any],
    cases: Iterable[RehabCase] = (),
    reason: str,
) -> Contract:
    """A direct award, without tender (`data`: contractor, project, governorate, value,
    currency, start_on, end_on, retention/penalty percentages, defects_liability_days);
    `reason` says why there was no tender. The houses (optional: a contract may cover
    site upgrades or roads) follow the same rules as a tender's lot."""
    require(user, MANAGE_CONTRACT)
    reason = (reason or "").strip()
    if not reason:
        raise _fail(
            "reason", _("Say why the contract is awarded without a tender."), "reason_required"
        )
    contractor = data.get("contractor")
    if contractor is None:
        raise _fail("contractor", _("Choose the contractor."), "contractor_required")
    _require_active(contractor)
    project, governorate = _project_of(data), _governorate_of(data)
    if not _reaches(user, MANAGE_CONTRACT, governorate, project.programme):
        raise _fail(
            "governorate",
            _("You may not make contracts in this governorate or programme."),
            "out_of_scope",
        )
    currency = _currency(data, project.currency)
    contract = Contract(
        contractor=contractor,
        programme=project.programme,
        project=project,
        governorate=governorate,
        value=money(_decimal(data, "value", positive=True)),
        currency=currency,
    )
    _contract_terms(contract, data)
    with transaction.atomic():
        lot = _check_lot(
            user=user,
            cases=cases,
            project=project,
            governorate=governorate,
            currency=currency,
            required=False,
        )
        contract.reference = next_reference(Contract, "SW")
        _stamp(contract, user, created=True)
        contract.save()
        _record_creation(
            contract,
            user=user,
            to=Contract.Status.DRAFT,
            reason=_("Direct award: %(reason)s") % {"reason": reason},
        )
        if lot:
            RehabCase.objects.filter(pk__in=[c.pk for c in lot]).update(
                contract=contract, updated_at=timezone.now()
            )
    return contract


def _locked_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("contractor").get(pk=contract.pk)


def _require_draft(contract: Contract) -> None:
    if contract.status != Contract.Status.DRAFT:
        raise Conflict(
            _("Only a draft contract can be changed; this one is %(status)s.")
            % {"status": contract.get_status_display().lower()},
            code="contract_not_draft",
        )


def contract_update(*, user: Any, contract: Contract, data: dict[str, Any]) -> Contract:
    """Change a draft contract's dates and terms; its value too when it was awarded
    directly (a tendered contract keeps the bid's amount)."""
    require(user, MANAGE_CONTRACT, contract)
    with transaction.atomic():
        contract = _locked_contract(contract)
        _require_draft(contract)
        if contract.tender_id is None and data.get("value") not in (None, ""):
            contract.value = money(_decimal(data, "value", positive=True))
        _contract_terms(contract, data)
        _stamp(contract, user)
        contract.save()
    return contract


def contract_cases_set(*, user: Any, contract: Contract, cases: Iterable[RehabCase]) -> Contract:
    """Change which houses a draft, directly awarded contract covers."""
    require(user, MANAGE_CONTRACT, contract)
    cases = list(cases)
    with transaction.atomic():
        contract = _locked_contract(contract)
        _require_draft(contract)
        if contract.tender_id:
            raise Conflict(
                _("The houses of a tendered contract are the tender's lot."),
                code="contract_from_tender",
            )
        current = list(RehabCase.objects.select_for_update().filter(contract=contract))
        wanted = {c.pk for c in cases}
        keep = [c for c in current if c.pk in wanted]
        new = [c for c in cases if c.pk not in {k.pk for k in keep}]
        lot = _check_lot(
            user=user,
            cases=new,
            project=contract.project,
            governorate=contract.governorate,
            currency=contract.currency,
            required=False,
        )
        now = timezone.now()
        RehabCase.objects.filter(contract=contract).exclude(pk__in=wanted).update(
            contract=None, updated_at=now
        )
        RehabCase.objects.filter(pk__in=[c.pk for c in lot]).update(
            contract=contract, updated_at=now
        )
    return contract


def milestones_set(
    *, user: Any, contract: Contract, milestones: Sequence[dict[str, Any]]
) -> list[ContractMilestone]:
    """Replace a draft contract's payment milestones (each: name, percent, due_on), in
    order. The shares need not add up to 100 % yet; signing requires it."""
    require(user, MANAGE_CONTRACT, contract)
    rows: list[ContractMilestone] = []
    errors: list[str] = []
    for i, item in enumerate(milestones, start=1):
        try:
            name = _text(item, "name", max_length=200, required=True)
            percent = _decimal(item, "percent", positive=True, maximum=HUNDRED)
            due_on = cast(datetime.date, _date(item, "due_on", required=True))
        except ValidationFailed as exc:
            field = next(iter(exc.fields), "")
            labels = {"name": _("name"), "percent": _("share"), "due_on": _("due date")}
            errors.append(
                _("Milestone %(n)d, %(field)s: %(message)s")
                % {"n": i, "field": labels.get(field, field), "message": exc.message}
            )
            continue
        rows.append(
            ContractMilestone(
                contract=contract, sequence=i, name=name, percent=percent, due_on=due_on
            )
        )
    if errors:
        raise ValidationFailed(
            " ".join(errors), code="invalid_milestones", fields={"milestones": errors}
        )
    dates = [m.due_on for m in rows]
    if dates != sorted(dates):
        message = _("Put the milestones in the order of their due dates.")
        raise _fail("milestones", message, "milestones_out_of_order")
    with transaction.atomic():
        contract = _locked_contract(contract)
        _require_draft(contract)
        ContractMilestone.objects.filter(contract=contract).delete()
        ContractMilestone.objects.bulk_create(rows)
    return list(contract.milestones.all())


def milestones_total(contract: Contract) -> Decimal:
    total = contract.milestones.aggregate(t=Sum("percent"))["t"]
    return Decimal(total or 0)


def contract_sign(*, user: Any, contract: Contract, signed_on: datetime.date) -> Contract:
    """Sign a draft contract: active. Its milestones must add up to exactly 100 %. The
    houses without planned dates take the contract's, and their works start on the
    contract's start (when it is not in the future)."""
    require(user, MANAGE_CONTRACT, contract)
    with transaction.atomic():
        contract = _locked_contract(contract)
        if contract.status != Contract.Status.DRAFT:
            raise Conflict(
                _("This contract is already %(status)s.")
                % {"status": contract.get_status_display().lower()},
                code="contract_not_draft",
            )
        _require_active(contract.contractor)
        if not contract.milestones.exists():
            raise Conflict(_("Add the payment milestones before signing."), code="no_milestones")
        total = milestones_total(contract)
        if total != HUNDRED:
            raise Conflict(
                _("The payment milestones add up to %(total)s %%; make them 100 %% before signing.")
                % {"total": f"{total.normalize():f}"},
                code="milestones_not_100",
            )
        if signed_on is None:
            raise _fail("signed_on", _("Enter the date of signature."), "signed_on_required")
        if signed_on > today():
            raise _fail(
                "signed_on", _("The date of signature cannot be in the future."), "future_date"
            )
        contract.signed_on = signed_on
        if contract.start_on is None:
            contract.start_on = signed_on
        Contract.STATUS_MACHINE.transition(
            contract, to="active", by=user, extra_updates=("signed_on", "start_on")
        )
        cases = RehabCase.objects.filter(contract=contract)
        now = timezone.now()
        cases.filter(planned_start__isnull=True).update(
            planned_start=contract.start_on, updated_at=now
        )
        if contract.end_on:
            cases.filter(planned_end__isnull=True).update(
                planned_end=contract.end_on, updated_at=now
            )
        # The works on the houses start with the contract (when it starts today or
        # earlier; a later start is recorded on each house when it comes).
        if contract.start_on <= today():
            from sanad.shelter.services.cases import case_start

            for case in cases.filter(status=RehabCase.Status.OPEN).order_by("pk"):
                case_start(user=user, case=case, started_on=contract.start_on)
    return contract


@dataclass(frozen=True)
class Amounts:
    gross: Decimal
    retention: Decimal
    penalty: Decimal
    net: Decimal
    penalty_uncapped: Decimal


def milestone_amounts(
    *,
    value: Decimal,
    percent: Decimal,
    retention_percent: Decimal,
    penalty_per_day_percent: Decimal,
    penalty_cap_percent: Decimal,
    days_late: int,
    penalties_so_far: Decimal = ZERO,
) -> Amounts:
    """What a certified milestone is worth:

    gross = value × percent ÷ 100; retention = gross × retention % ÷ 100;
    penalty = gross × penalty per day % ÷ 100 × days late, but the contract's penalties
    together never exceed value × cap % ÷ 100 (this one takes what is left of the cap);
    net = gross − retention − penalty, never below 0. Each rounded to 0.01 (half up)."""
    gross = money(Decimal(value) * Decimal(percent) / HUNDRED)
    retention = money(gross * Decimal(retention_percent) / HUNDRED)
    uncapped = money(gross * Decimal(penalty_per_day_percent) / HUNDRED * max(0, int(days_late)))
    cap = money(Decimal(value) * Decimal(penalty_cap_percent) / HUNDRED)
    left = max(ZERO, cap - Decimal(penalties_so_far))
    penalty = min(uncapped, left)
    net = max(ZERO, gross - retention - penalty)
    return Amounts(
        gross=gross,
        retention=retention,
        penalty=penalty,
        net=money(net),
        penalty_uncapped=uncapped,
    )


def _locked_milestone(milestone: ContractMilestone) -> ContractMilestone:
    return ContractMilestone.objects.select_for_update().get(pk=milestone.pk)


def milestone_certify(
    *, user: Any, milestone: ContractMilestone, completed_on: datetime.date
) -> ContractMilestone:
    """Certify a milestone of an active contract as reached on `completed_on` (in
    order): computes gross, retention, the penalty for the days after its due date
    (within the contract's cap) and the payable net."""
    contract = milestone.contract
    require(user, MANAGE_CONTRACT, contract)
    if completed_on is None:
        raise _fail("completed_on", _("Enter the date the work was reached."), "date_required")
    if completed_on > today():
        raise _fail(
            "completed_on", _("The completion date cannot be in the future."), "future_date"
        )
    with transaction.atomic():
        # The contract row is the lock: two certifications at once would both read the
        # penalties so far and could together pass the cap.
        contract = _locked_contract(contract)
        milestone = _locked_milestone(milestone)
        if contract.status != Contract.Status.ACTIVE:
            raise Conflict(
                _("Milestones are certified on an active contract; this one is %(status)s.")
                % {"status": contract.get_status_display().lower()},
                code="contract_not_active",
            )
        if milestone.status != ContractMilestone.Status.PENDING:
            raise Conflict(_("This milestone is already certified."), code="already_certified")
        earlier = contract.milestones.filter(
            sequence__lt=milestone.sequence, status=ContractMilestone.Status.PENDING
        ).first()
        if earlier is not None:
            raise Conflict(
                _("Certify “%(name)s” first: milestones are certified in order.")
                % {"name": earlier.name},
                code="milestone_out_of_order",
            )
        if contract.signed_on and completed_on < contract.signed_on:
            raise _fail(
                "completed_on",
                _("The completion date is before the contract was signed."),
                "before_signature",
            )
        so_far = contract.milestones.exclude(pk=milestone.pk).aggregate(p=Sum("penalty"))["p"]
        days_late = max(0, (completed_on - milestone.due_on).days)
        amounts = milestone_amounts(
            value=contract.value,
            percent=milestone.percent,
            retention_percent=contract.retention_percent,
            penalty_per_day_percent=contract.penalty_per_day_percent,
            penalty_cap_percent=contract.penalty_cap_percent,
            days_late=days_late,
            penalties_so_far=Decimal(so_far or 0),
        )
        milestone.status = ContractMilestone.Status.CERTIFIED
        milestone.completed_on = completed_on
        milestone.certified_by = actor(user)
        milestone.certified_at = timezone.now()
        milestone.days_late = days_late
        milestone.gross = amounts.gross
        milestone.retention = amounts.retention
        milestone.penalty = amounts.penalty
        milestone.net = amounts.net
        milestone.save()
        _complete_if_done(contract, user=user)
    return milestone


def milestone_record_payment(
    *, user: Any, milestone: ContractMilestone, paid_on: datetime.date, reference: str
) -> ContractMilestone:
    """Record that a certified milestone's net was paid (date and payment reference)."""
    require(user, MANAGE_CONTRACT, milestone.contract)
    reference = _text({"reference": reference}, "reference", max_length=60, required=True)
    if paid_on is None:
        raise _fail("paid_on", _("Enter the date of payment."), "date_required")
    if paid_on > today():
        raise _fail("paid_on", _("The payment date cannot be in the future."), "future_date")
    with transaction.atomic():
        milestone = _locked_milestone(milestone)
        if milestone.status != ContractMilestone.Status.CERTIFIED:
            raise Conflict(
                _("Only a certified, unpaid milestone can be paid.")
                if milestone.status == ContractMilestone.Status.PENDING
                else _("This milestone is already paid."),
                code="milestone_not_certified",
            )
        if milestone.completed_on and paid_on < milestone.completed_on:
            raise _fail(
                "paid_on",
                _("The payment date is before the milestone was reached."),
                "paid_before_certified",
            )
        milestone.status = ContractMilestone.Status.PAID
        milestone.paid_on = paid_on
        milestone.payment_reference = reference
        milestone.save(update_fields=["status", "paid_on", "payment_reference"])
    return milestone


def completion_blockers(contract: Contract) -> list[str]:
    """Why the contract is not practically complete yet (empty: it may be)."""
    reasons = []
    pending = contract.milestones.filter(status=ContractMilestone.Status.PENDING).count()
    if pending:
        reasons.append(_("%(n)d payment milestone(s) not certified.") % {"n": pending})
    unfinished = (
        RehabCase.objects.filter(contract=contract)
        .exclude(status__in=(*CASE_DONE, RehabCase.Status.CANCELLED))
        .count()
    )
    if unfinished:
        reasons.append(_("%(n)d house(s) not completed.") % {"n": unfinished})
    return reasons


def _practical_completion(contract: Contract) -> datetime.date:
    dates = [d for d in contract.milestones.values_list("completed_on", flat=True) if d is not None]
    dates += [
        d
        for d in RehabCase.objects.filter(contract=contract, status__in=CASE_DONE).values_list(
            "completed_on", flat=True
        )
        if d is not None
    ]
    return max(dates) if dates else today()


def _complete_if_done(contract: Contract, *, user: Any) -> bool:
    if contract.status != Contract.Status.ACTIVE or completion_blockers(contract):
        return False
    contract.completed_on = _practical_completion(contract)
    Contract.STATUS_MACHINE.transition(
        contract, to="completed", by=user, extra_updates=("completed_on",)
    )
    return True


def contract_check_completion(*, user: Any, contract: Contract) -> bool:
    """Record the practical completion if the contract is now finished (every milestone
    certified, every house completed); for the cases' services to call in the
    transaction that completes a house. No permission check: it only follows facts
    recorded by others. Returns whether the contract was completed."""
    with transaction.atomic():
        contract = _locked_contract(contract)
        return _complete_if_done(contract, user=user)


def contract_complete(*, user: Any, contract: Contract) -> Contract:
    """Record the practical completion: every milestone certified and every house
    finished (the date is the latest of them). The defects-liability period starts."""
    require(user, MANAGE_CONTRACT, contract)
    with transaction.atomic():
        contract = _locked_contract(contract)
        if contract.status != Contract.Status.ACTIVE:
            raise Conflict(
                _("Only an active contract can be completed; this one is %(status)s.")
                % {"status": contract.get_status_display().lower()},
                code="contract_not_active",
            )
        blockers = completion_blockers(contract)
        if blockers:
            raise Conflict(" ".join(blockers), code="contract_not_finished")
        _complete_if_done(contract, user=user)
    return contract


def retention_due_on(contract: Contract) -> datetime.date | None:
    if contract.completed_on is None:
        return None
    return contract.completed_on + datetime.timedelta(days=contract.defects_liability_days)


def open_defects(contract: Contract) -> int:
    return Defect.objects.filter(case__contract=contract, status__in=UNRESOLVED_DEFECT).count()


def contract_release_retention(
    *, user: Any, contract: Contract, released_on: datetime.date | None = None
) -> Contract:
    """Release the retention once the defects-liability period after practical
    completion is over and no defect on its houses is open: closed."""
    require(user, MANAGE_CONTRACT, contract)
    released_on = released_on or today()
    with transaction.atomic():
        contract = _locked_contract(contract)
        if contract.status != Contract.Status.COMPLETED:
            raise Conflict(
                _(
                    "The retention is released after practical completion; this contract is %(status)s."
                )
                % {"status": contract.get_status_display().lower()},
                code="contract_not_completed",
            )
        due = retention_due_on(contract)
        if due is not None and released_on < due:
            raise Conflict(
                _(
                    "The defects-liability period runs until %(date)s: release the retention after it."
                )
                % {"date": due.isoformat()},
                code="liability_period_running",
            )
        n = open_defects(contract)
        if n:
            raise Conflict(
                _("%(n)d defect(s) on the contract's houses are not verified fixed yet.")
                % {"n": n},
                code="defects_open",
            )
        total = contract.milestones.aggregate(r=Sum("retention"))["r"]
        contract.retention_released = money(total or 0)
        contract.retention_released_on = released_on
        Contract.STATUS_MACHINE.transition(
            contract,
            to="closed",
            by=user,
            extra_updates=("retention_released", "retention_released_on"),
        )
    return contract


def contract_terminate(*, user: Any, contract: Contract, reason: str) -> tuple[Contract, int]:
    """End a draft or active contract early. Its unfinished houses are released from
    it (they may go into a new lot); returns the contract and how many were released."""
    require(user, MANAGE_CONTRACT, contract)
    with transaction.atomic():
        contract = _locked_contract(contract)
        Contract.STATUS_MACHINE.transition(contract, to="terminated", by=user, reason=reason)
        released = RehabCase.objects.filter(
            contract=contract, status__in=(RehabCase.Status.OPEN, RehabCase.Status.IN_PROGRESS)
        ).update(contract=None, updated_at=timezone.now())
    return contract, released

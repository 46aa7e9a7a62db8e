"""Contractors and tenders: registration and status of contractors; a lot of houses,
bids, evaluation and the award that makes the contract."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    Bid,
    Contract,
    Contractor,
    RehabCase,
    Tender,
)
from sanad.shelter.services._common import money, next_reference, require, today
from sanad.shelter.services.contracts._base import (
    HUNDRED,
    TECHNICAL_PASS,
    _check_lot,
    _contract_terms,
    _currency,
    _date,
    _decimal,
    _estimate,
    _governorate_of,
    _project_of,
    _reaches,
    _record_creation,
    _require_active,
    _stamp,
    _text,
)

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
        raise field_error(
            "name",
            _("A contractor with this name is already registered. Open it instead."),
            "contractor_exists",
        )
    if (
        contractor.registration_number
        and same.filter(registration_number__iexact=contractor.registration_number).exists()
    ):
        raise field_error(
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


# --- tenders ---------------------------------------------------------------------------


def tender_create(*, user: Any, data: dict[str, Any], cases: Iterable[RehabCase]) -> Tender:
    """A draft tender for a lot of houses of one project in one governorate (`data`:
    title, project, governorate, description, closes_on, currency)."""
    require(user, MANAGE_CONTRACT)
    project, governorate = _project_of(data), _governorate_of(data)
    if not _reaches(user, MANAGE_CONTRACT, governorate, project.programme):
        raise field_error(
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
            raise field_error(
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
            raise field_error(
                "duration_days", _("Enter a number of days."), "invalid_duration"
            ) from None
        if not 1 <= bid.duration_days <= 3650:
            raise field_error(
                "duration_days", _("Enter between 1 and 3650 days."), "invalid_duration"
            )
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
        raise field_error("contractor", _("Choose the contractor."), "contractor_required")
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
            raise field_error(
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
            raise field_error("bid", _("Choose one of this tender's bids."), "bid_not_found")
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

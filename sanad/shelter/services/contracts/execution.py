"""Works contracts: direct award, houses, payment milestones, signing, certification
(retention and penalties for delay), payment, practical completion, retention release,
termination."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    Contract,
    ContractMilestone,
    Defect,
    RehabCase,
)
from sanad.shelter.services._common import actor, money, next_reference, require, today
from sanad.shelter.services.contracts._base import (
    CASE_DONE,
    HUNDRED,
    UNRESOLVED_DEFECT,
    ZERO,
    _check_lot,
    _contract_terms,
    _currency,
    _date,
    _decimal,
    _governorate_of,
    _project_of,
    _reaches,
    _record_creation,
    _require_active,
    _stamp,
    _text,
)

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
        raise field_error(
            "reason", _("Say why the contract is awarded without a tender."), "reason_required"
        )
    contractor = data.get("contractor")
    if contractor is None:
        raise field_error("contractor", _("Choose the contractor."), "contractor_required")
    _require_active(contractor)
    project, governorate = _project_of(data), _governorate_of(data)
    if not _reaches(user, MANAGE_CONTRACT, governorate, project.programme):
        raise field_error(
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
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("contractor")
        .get(pk=contract.pk)
    )


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
        raise field_error("milestones", message, "milestones_out_of_order")
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
            raise field_error("signed_on", _("Enter the date of signature."), "signed_on_required")
        if signed_on > today():
            raise field_error(
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
        raise field_error(
            "completed_on", _("Enter the date the work was reached."), "date_required"
        )
    if completed_on > today():
        raise field_error(
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
            raise field_error(
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
        raise field_error("paid_on", _("Enter the date of payment."), "date_required")
    if paid_on > today():
        raise field_error("paid_on", _("The payment date cannot be in the future."), "future_date")
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
            raise field_error(
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

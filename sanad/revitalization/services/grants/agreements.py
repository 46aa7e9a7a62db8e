"""Business plans, grant agreements, their disbursement through the cash module and the
release of their tranches.

- A selected application gets a business plan (what the grant buys, line by line; the
  total within the call's smallest and largest grant), approved by someone other than
  who wrote it.
- With the plan approved, the agreement is signed (`GA-YYYY-NNNNN`): the application
  moves to "agreement", the follow-up visits at 3, 6 and 12 months are scheduled and
  the assistance ledger records the grantee (no value: the cash payments record the
  money).
- `agreements_disburse` puts the call's signed agreements not yet in a cash plan into
  one draft cash plan of amounts set per household; a cash officer approves it on the
  cash plan's page (another person), which makes one entitlement per agreement.
- `agreement_release_tranche` releases tranche k of the entitlement when its gate is
  open (`selectors.agreements.tranche_gate`): tranche 1 once the plan is approved,
  tranche k ≥ 2 after a verification visit of tranche k − 1.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.assistance.models import AssistanceKind
from sanad.cash.models import CashPlan, Entitlement, PlannedAmount, TrancheRelease
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
    field_error,
)
from sanad.registry.models import Household
from sanad.revitalization.models import (
    GRANTS,
    BusinessPlan,
    GrantAgreement,
    GrantApplication,
    GrantCall,
    GrantVisit,
    RevenueBand,
)
from sanad.revitalization.selectors import agreements as selectors
from sanad.revitalization.services._common import (
    PROGRAMME,
    actor,
    next_reference,
    require,
    today,
)

APP = GrantApplication.Status
VISIT = GrantVisit.Kind
CENT = Decimal("0.01")
MAX_MONEY = Decimal("99999999999999.99")
MAX_LINES = 40
MAX_JOBS = 1000
# The follow-up visits scheduled when an agreement is signed: kind → months after.
FOLLOW_UP_MONTHS: dict[str, int] = {VISIT.MONTH_3: 3, VISIT.MONTH_6: 6, VISIT.MONTH_12: 12}
# How long the cash plan of a call lasts after the call closed (capped by its project).
PLAN_MONTHS = 18
LEDGER_ITEM = "crp_business_grant"
# The agreement records the grantee in the ledger without a value (the cash payments
# record the money). The ledger requires a value for the kind "grant", so the
# agreement is recorded as a service; see docs (the lead may switch this to "grant"
# once the ledger accepts a grant without a value).
LEDGER_KIND = AssistanceKind.SERVICE
SIGNATURES = GrantAgreement.SignatureMethod


# --- values ---------------------------------------------------------------------------------
def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = (
            value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
        )
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _money(
    errors: dict[str, list[str]], field: str, value: Any, *, allow_zero: bool = False
) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        errors.setdefault(field, []).append(_("Write the amount as a number, such as 2500."))
        return None
    if number < 0 or (number == 0 and not allow_zero):
        errors.setdefault(field, []).append(
            _("The amount must be zero or more.")
            if allow_zero
            else _("The amount must be above zero.")
        )
        return None
    if number > MAX_MONEY or number != number.quantize(CENT):
        errors.setdefault(field, []).append(_("Write the amount with at most two decimals."))
        return None
    return number.quantize(CENT)


def _text(
    errors: dict[str, list[str]], field: str, value: Any, limit: int, *, required: bool = False
) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(_("This is required."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(_("Keep this under %(n)d characters.") % {"n": limit})
    return text


def _date(errors: dict[str, list[str]], field: str, value: Any) -> datetime.date | None:
    if value in (None, ""):
        errors.setdefault(field, []).append(_("Enter a date."))
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None


def _range_message(call: GrantCall) -> str:
    return _("Grants of call %(call)s are from %(min)s to %(max)s %(currency)s.") % {
        "call": call.reference,
        "min": f"{call.amount_min:,.2f}".rstrip("0").rstrip("."),
        "max": f"{call.amount_max:,.2f}".rstrip("0").rstrip("."),
        "currency": call.currency,
    }


def clean_budget_lines(
    errors: dict[str, list[str]], lines: Iterable[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Each line: item (what), quantity and unit cost above zero; amount = quantity ×
    unit cost. Empty lines are left out. Stored as strings (exact decimals in JSON)."""
    out: list[dict[str, str]] = []
    problems: list[str] = []
    for index, line in enumerate(lines or ()):
        item = str(line.get("item") or "").strip()
        raw_qty, raw_cost = line.get("quantity"), line.get("unit_cost")
        if not item and raw_qty in (None, "") and raw_cost in (None, ""):
            continue
        n = index + 1
        if not item:
            problems.append(_("Line %(n)d: say what it buys.") % {"n": n})
            continue
        if len(item) > 200:
            problems.append(_("Line %(n)d: keep the item under 200 characters.") % {"n": n})
            continue
        qty, cost = _decimal(raw_qty), _decimal(raw_cost)
        if qty is None or qty <= 0 or qty != qty.quantize(CENT):
            problems.append(_("Line %(n)d: give the quantity as a number above zero.") % {"n": n})
            continue
        if cost is None or cost <= 0 or cost != cost.quantize(CENT) or cost > MAX_MONEY:
            problems.append(_("Line %(n)d: give the unit cost as an amount above zero.") % {"n": n})
            continue
        amount = (qty * cost).quantize(CENT)
        out.append(
            {
                "item": item,
                "quantity": f"{qty.quantize(CENT).normalize():f}",
                "unit_cost": str(cost.quantize(CENT)),
                "amount": str(amount),
            }
        )
    if not out and not problems:
        problems.append(_("Give at least one line of what the grant buys."))
    if len(out) > MAX_LINES:
        problems.append(_("Keep the plan to %(n)d lines at most.") % {"n": MAX_LINES})
    if problems:
        errors["budget_lines"] = problems
    return out


def lines_total(lines: Iterable[Mapping[str, Any]]) -> Decimal:
    return sum((Decimal(str(line["amount"])) for line in lines), Decimal("0")).quantize(CENT)


def _locked_application(application: GrantApplication) -> GrantApplication:
    return (
        GrantApplication.objects.select_for_update(of=("self",))
        .select_related("call__project", "applicant", "household", "community")
        .get(pk=application.pk)
    )


# --- business plans ---------------------------------------------------------------------------
def business_plan_save(
    *,
    user: Any,
    application: GrantApplication,
    summary: str,
    budget_lines: Iterable[Mapping[str, Any]],
    own_contribution: Any = 0,
    jobs_expected: Any = 0,
    revenue_band_expected: str = "",
) -> BusinessPlan:
    """Write (or rewrite) the business plan of a selected application. Its total is the
    sum of its lines and must be within the call's smallest and largest grant. A plan
    changed after its approval must be approved again."""
    require(user, GRANTS, application)
    errors: dict[str, list[str]] = {}
    clean_summary = _text(errors, "summary", summary, 4000, required=True)
    lines = clean_budget_lines(errors, budget_lines)
    contribution = _money(errors, "own_contribution", own_contribution or 0, allow_zero=True)
    try:
        jobs = int(jobs_expected or 0)
    except (TypeError, ValueError):
        jobs = -1
    if not 0 <= jobs <= MAX_JOBS:
        errors["jobs_expected"] = [
            _("Give the jobs expected as a whole number from 0 to %(n)d.") % {"n": MAX_JOBS}
        ]
    band = str(revenue_band_expected or "")
    if band and band not in RevenueBand.values:
        errors["revenue_band_expected"] = [_("Choose a revenue band from the list.")]
    with transaction.atomic():
        application = _locked_application(application)
        call = application.call
        if application.status != APP.SELECTED:
            raise Conflict(
                _(
                    "Only a selected application without an agreement gets a business plan "
                    "(this one is “%(status)s”)."
                )
                % {"status": application.get_status_display()},
                code="application_not_selected",
            )
        total = lines_total(lines) if lines else Decimal("0")
        if lines and not (call.amount_min <= total <= call.amount_max):
            errors.setdefault("budget_lines", []).append(
                _("The plan's total is %(total)s %(currency)s. %(range)s")
                % {
                    "total": f"{total:,.2f}",
                    "currency": call.currency,
                    "range": _range_message(call),
                }
            )
        if errors:
            raise ValidationFailed(fields=errors)
        plan = BusinessPlan.objects.select_for_update().filter(application=application).first()
        values = {
            "summary": clean_summary,
            "budget_lines": lines,
            "total": total,
            "own_contribution": contribution,
            "jobs_expected": jobs,
            "revenue_band_expected": band,
        }
        if plan is None:
            return BusinessPlan.objects.create(
                application=application,
                created_by=actor(user),
                updated_by=actor(user),
                **values,
            )
        for name, value in values.items():
            setattr(plan, name, value)
        plan.approved_by = None
        plan.approved_at = None
        plan.updated_by = actor(user)
        plan.save()
        return plan


def business_plan_approve(*, user: Any, plan: BusinessPlan) -> BusinessPlan:
    """Approve a business plan: by someone other than who wrote it (two-person rule),
    recorded with who and when."""
    require(user, GRANTS, plan)
    with transaction.atomic():
        plan = (
            BusinessPlan.objects.select_for_update(of=("self",))
            .select_related("application__call")
            .get(pk=plan.pk)
        )
        if plan.application.status != APP.SELECTED:
            raise Conflict(
                _("The application is “%(status)s”: its plan can no longer be approved.")
                % {"status": plan.application.get_status_display()},
                code="application_not_selected",
            )
        if plan.approved_at is not None:
            raise Conflict(_("This business plan is already approved."), code="plan_approved")
        writers = {plan.created_by_id, plan.updated_by_id} - {None}
        if getattr(user, "pk", None) in writers:
            raise PermissionDenied(
                _(
                    "You wrote this business plan: another person must approve it (two-person rule)."
                ),
                code="same_person",
            )
        call = plan.application.call
        if not (call.amount_min <= plan.total <= call.amount_max):
            raise Conflict(
                _("The plan's total is outside the call's range. %(range)s Correct the plan.")
                % {"range": _range_message(call)},
                code="plan_total_out_of_range",
            )
        plan.approved_by = actor(user)
        plan.approved_at = timezone.now()
        plan.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return plan


# --- agreements -------------------------------------------------------------------------------
def agreement_sign(
    *,
    user: Any,
    application: GrantApplication,
    signed_on: Any,
    amount: Any = None,
    signature: str = SIGNATURES.SIGNED,
    witness: str = "",
) -> GrantAgreement:
    """Sign the grant agreement of a selected application whose business plan is
    approved: the amount (the plan's total by default, within the call's range) in the
    call's currency, rate and tranches. The application moves to "agreement", the
    follow-up visits at 3, 6 and 12 months are scheduled, and the ledger records the
    grantee (no value)."""
    require(user, GRANTS, application)
    errors: dict[str, list[str]] = {}
    day = _date(errors, "signed_on", signed_on)
    if day is not None and day > today():
        errors["signed_on"] = [_("The date of signature cannot be in the future.")]
    if signature not in SIGNATURES.values:
        errors["signature"] = [_("Choose how the grantee signed: signature or thumbprint.")]
    clean_witness = _text(errors, "witness", witness, 200)
    if signature == SIGNATURES.THUMBPRINT and not clean_witness:
        errors.setdefault("witness", []).append(
            _("A thumbprint needs a witness: give the witness's name.")
        )
    given = None
    if amount not in (None, ""):
        given = _money(errors, "amount", amount)
    with transaction.atomic():
        application = _locked_application(application)
        call = application.call
        if GrantAgreement.objects.filter(application=application).exists():
            raise Conflict(
                _("The agreement of this application is already signed."),
                code="agreement_exists",
            )
        if application.status != APP.SELECTED:
            raise InvalidTransition(
                _("Only a selected application gets an agreement (this one is “%(status)s”).")
                % {"status": application.get_status_display()},
                code="application_not_selected",
            )
        plan = BusinessPlan.objects.filter(application=application).first()
        if plan is None or plan.approved_at is None:
            raise Conflict(
                _("Approve the business plan first: the agreement is signed on an approved plan."),
                code="plan_not_approved",
            )
        value = given if given is not None else plan.total
        if "amount" not in errors and not (call.amount_min <= value <= call.amount_max):
            errors["amount"] = [_range_message(call)]
        project = call.project
        if day is not None and "signed_on" not in errors:
            if day < application.submitted_on:
                errors["signed_on"] = [
                    _("The agreement cannot be signed before the application (%(day)s).")
                    % {"day": application.submitted_on.isoformat()}
                ]
            elif not (project.start_date <= day <= project.end_date):
                errors["signed_on"] = [
                    _(
                        "Project %(code)s runs from %(start)s to %(end)s: sign the agreement "
                        "within it."
                    )
                    % {
                        "code": project.code,
                        "start": project.start_date.isoformat(),
                        "end": project.end_date.isoformat(),
                    }
                ]
        if errors:
            raise ValidationFailed(fields=errors)
        assert day is not None
        agreement = GrantAgreement.objects.create(
            application=application,
            number=next_reference(GrantAgreement, "GA", field="number"),
            amount=value,
            currency=call.currency,
            exchange_rate=call.exchange_rate,
            tranches=call.tranches,
            signed_on=day,
            signature=signature,
            witness=clean_witness,
            created_by=actor(user),
            updated_by=actor(user),
        )
        GrantVisit.objects.bulk_create(
            [
                GrantVisit(
                    agreement=agreement,
                    kind=kind,
                    due_on=add_months(day, months),
                    created_by=actor(user),
                    updated_by=actor(user),
                )
                for kind, months in FOLLOW_UP_MONTHS.items()
            ]
        )
        GrantApplication.STATUS_MACHINE.transition(
            application,
            to=APP.AGREEMENT,
            by=user,
            reason=_("Agreement %(number)s signed.") % {"number": agreement.number},
        )
        _ledger(user, agreement, application)
    return agreement


def _ledger(user: Any, agreement: GrantAgreement, application: GrantApplication) -> None:
    from sanad.assistance.services import assistance_record

    community = application.community
    assistance_record(
        user=user,
        individual=application.applicant,
        programme=PROGRAMME,
        project=application.call.project,
        kind=LEDGER_KIND,
        item=LEDGER_ITEM,
        delivered_on=agreement.signed_on,
        admin_unit=community.admin_unit if community is not None else None,
        source_type=selectors.LEDGER_SOURCE,
        source_id=str(agreement.public_id),
        description=_("Business grant agreement %(number)s") % {"number": agreement.number},
        permission=None,
    )


# --- disbursement through the cash module ------------------------------------------------------
def _final(household: Household) -> Household:
    from sanad.assistance.selectors import household_final

    return household_final(household)


def agreements_disburse(*, user: Any, call: GrantCall) -> CashPlan:
    """Put every signed agreement of the call not yet in a cash plan into one new draft
    cash plan (amounts set per household, paid in the call's tranches on verified
    milestones). The call keeps its latest plan. A cash officer approves the plan on its
    page (someone other than who made it)."""
    require(user, GRANTS, call)
    from sanad.cash.services import plan_create_for_households

    with transaction.atomic():
        call = (
            GrantCall.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=call.pk)
        )
        waiting = selectors.call_disbursement(call).waiting
        if not waiting:
            raise Conflict(
                _("Every signed agreement of call %(call)s is already in a cash plan.")
                % {"call": call.reference},
                code="nothing_to_disburse",
            )
        rows: list[tuple[Household, Decimal, str]] = []
        for agreement in waiting:
            household = _final(agreement.application.household)
            if household.status != Household.Status.ACTIVE:
                raise Conflict(
                    _(
                        "Agreement %(number)s: household %(id)s is “%(status)s”. Reactivate "
                        "it in the registry (or withdraw the application) before disbursing."
                    )
                    % {
                        "number": agreement.number,
                        "id": household.registration_id,
                        "status": household.get_status_display(),
                    },
                    code="household_not_active",
                )
            rows.append((household, agreement.amount, agreement.number))
        project = call.project
        expires = min(add_months(call.closes_on, PLAN_MONTHS), project.end_date)
        batch = CashPlan.objects.filter(source=selectors.plan_source(call)).count() + 1
        name = _("%(call)s business grants") % {"call": call.reference}
        if batch > 1:
            name = _("%(name)s (batch %(n)d)") % {"name": name, "n": batch}
        plan = plan_create_for_households(
            user=user,
            name=name,
            project=project,
            households=rows,
            modality=CashPlan.Modality.CASH,
            currency=call.currency,
            exchange_rate=call.exchange_rate,
            expires_on=expires,
            tranches=call.tranches,
            condition=CashPlan.Condition.GRANT_MILESTONE,
            condition_note=_(
                "Tranche 1 on signature; each next tranche after a visit verifying the one "
                "before was spent as planned."
            ),
            item_code=LEDGER_ITEM,
            source=selectors.plan_source(call),
            permission=GRANTS,
        )
        call.cash_plan = plan
        call.updated_by = actor(user)
        call.save(update_fields=["cash_plan", "updated_by", "updated_at"])
    return plan


# The name the brief also uses.
call_disburse = agreements_disburse


def agreements_link_entitlements(call: GrantCall) -> int:
    """Link each signed agreement of the call that has no entitlement yet to the one its
    approved cash plan made for its household (matched by the planned amount's
    reference, the agreement number, and the household it was merged into). Called by
    the pages and before a release; returns how many were linked."""
    pending = list(
        GrantAgreement.objects.filter(application__call=call, entitlement__isnull=True).values_list(
            "pk", "number"
        )
    )
    if not pending:
        return 0
    numbers = {number: pk for pk, number in pending}
    planned = list(
        PlannedAmount.objects.filter(
            reference__in=numbers,
            plan__source=selectors.plan_source(call),
            plan__status__in=(CashPlan.Status.APPROVED, CashPlan.Status.CLOSED),
        ).select_related("household")
    )
    if not planned:
        return 0
    taken = set(
        GrantAgreement.objects.filter(entitlement__isnull=False).values_list(
            "entitlement_id", flat=True
        )
    )
    linked = 0
    for row in planned:
        household = _final(row.household)
        entitlement = (
            Entitlement.objects.filter(plan_id=row.plan_id, household=household)
            .exclude(pk__in=taken)
            .first()
        )
        if entitlement is None:
            continue
        changed = GrantAgreement.objects.filter(
            pk=numbers[row.reference], entitlement__isnull=True
        ).update(entitlement=entitlement, updated_at=timezone.now())
        if changed:
            taken.add(entitlement.pk)
            linked += 1
    return linked


# --- tranches -------------------------------------------------------------------------------
def agreement_release_tranche(
    *, user: Any, agreement: GrantAgreement, tranche: Any
) -> TrancheRelease:
    """Release tranche `tranche` of the agreement's cash entitlement when its gate is
    open (see `selectors.agreements.tranche_gate`), in the same transaction as the cash
    module's release. Released again (a retried request), it answers the release
    already recorded."""
    require(user, GRANTS, agreement)
    try:
        k = int(tranche)
    except (TypeError, ValueError):
        raise field_error(
            "tranche", _("Choose the tranche to release."), "invalid_tranche"
        ) from None
    agreements_link_entitlements(agreement.application.call)
    from sanad.cash.services import entitlement_tranche_release

    with transaction.atomic():
        agreement = (
            GrantAgreement.objects.select_for_update(of=("self",))
            .select_related("application__call", "entitlement__plan")
            .get(pk=agreement.pk)
        )
        if not 1 <= k <= agreement.tranches:
            raise field_error(
                "tranche",
                _("Choose a tranche from 1 to %(n)d.") % {"n": agreement.tranches},
                "invalid_tranche",
            )
        gate = selectors.tranche_gate(agreement, k)
        if gate.released is not None:
            return gate.released
        if gate.code:
            raise Conflict(gate.message, code=gate.code)
        assert agreement.entitlement is not None
        if k == 1:
            evidence = _("Grant agreement %(number)s signed on %(day)s.") % {
                "number": agreement.number,
                "day": agreement.signed_on.isoformat(),
            }
        else:
            visit = (
                GrantVisit.objects.filter(
                    agreement=agreement,
                    kind=VISIT.VERIFICATION,
                    verifies_tranche=k - 1,
                    funds_used_as_planned=True,
                    operating=True,
                    visited_on__isnull=False,
                )
                .order_by("-visited_on", "-id")
                .first()
            )
            evidence = _(
                "Grant agreement %(number)s: the visit on %(day)s verified tranche %(n)d "
                "spent as planned and the business operating."
            ) % {
                "number": agreement.number,
                "day": visit.visited_on.isoformat() if visit and visit.visited_on else "",
                "n": k - 1,
            }
        return entitlement_tranche_release(
            user=user,
            entitlement=agreement.entitlement,
            tranche=k,
            evidence=evidence[:300],
            source=selectors.LEDGER_SOURCE,
            permission=None,
        )


__all__ = [
    "add_months",
    "agreement_release_tranche",
    "agreement_sign",
    "agreements_disburse",
    "agreements_link_entitlements",
    "business_plan_approve",
    "business_plan_save",
    "call_disburse",
    "clean_budget_lines",
    "lines_total",
]

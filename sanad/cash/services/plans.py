"""Cash and voucher plans and their entitlements.

A plan is drafted by one person and approved by another (two-person rule). Approval
turns the approved beneficiary list into one entitlement per household in one
transaction, so a plan never exists half-approved with some households missing.

A plan of amounts set per household (`plan_create_for_households`: the business grants
of revitalization) has no beneficiary list: its households and their amounts are its
`PlannedAmount`s, written by the module that made it (`CashPlan.source`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.assistance import selectors as ledger
from sanad.cash.models import (
    APPROVE_PLAN,
    MANAGE,
    CashPlan,
    Entitlement,
    Payment,
    PlannedAmount,
    Redemption,
    TrancheRelease,
    Vendor,
    Voucher,
)
from sanad.cash.services._common import (
    actor,
    money,
    rate,
    require,
    require_permission,
    round_money,
    text,
    today,
)
from sanad.cash.services._common import currency as _currency
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach
from sanad.programmes.models import Project
from sanad.registry.models import Household, Individual
from sanad.stock.models import Item
from sanad.targeting import selectors as targeting
from sanad.targeting import services as targeting_services
from sanad.targeting.models import BeneficiaryList

_USABLE_LISTS = (BeneficiaryList.Status.APPROVED, BeneficiaryList.Status.IN_USE)
DEFAULT_ITEM: dict[str, str] = {"evoucher": "nfi_evoucher", "cash": "nfi_cash"}
MAX_TRANCHES = 12
# A plan of amounts set per household pays a grant in at most six instalments.
MAX_HOUSEHOLD_TRANCHES = 6


def _collect(errors: dict[str, list[str]], fn: Any) -> Any:
    try:
        return fn()
    except ValidationFailed as exc:
        for k, v in exc.fields.items():
            errors.setdefault(k, []).extend(v if isinstance(v, list) else [v])
        return None


def plan_create(
    *,
    user: Any,
    name: str,
    beneficiary_list: BeneficiaryList,
    project: Project,
    modality: str,
    currency: str,
    exchange_rate: Decimal | int | str,
    expires_on: datetime.date,
    amount_kind: str = "fixed",
    amount: Decimal | int | str | None = None,
    per_member: Decimal | int | str | None = None,
    cap: Decimal | int | str | None = None,
    tranches: int = 1,
    allowed_categories: Iterable[str] = (),
    allowed_vendors: Iterable[Vendor] = (),
    condition: str = "",
    condition_note: str = "",
    require_pin: bool = False,
    item_code: str | None = None,
) -> CashPlan:
    """A draft plan: which approved list, how much per household, in which currency at
    which rate, with which restrictions and condition, until when."""
    require_permission(user, MANAGE)
    errors: dict[str, list[str]] = {}
    clean_name = _collect(errors, lambda: text(name, "name", limit=200, required=True))
    if beneficiary_list.status not in _USABLE_LISTS:
        errors["beneficiary_list"] = [
            _("Only an approved beneficiary list can be used: this one is “%(status)s”.")
            % {"status": beneficiary_list.get_status_display()}
        ]
    if project.programme_id != beneficiary_list.programme_id:
        errors["project"] = [
            _("Project %(code)s belongs to another programme than the list.")
            % {"code": project.code}
        ]
    if modality not in CashPlan.Modality.values:
        errors["modality"] = [_("Choose e-voucher or cash.")]
    code = _collect(errors, lambda: _currency(currency))
    clean_rate = _collect(errors, lambda: rate(exchange_rate))
    _check_expiry(errors, project, expires_on)

    clean_amount = clean_per_member = clean_cap = None
    if amount_kind == CashPlan.AmountKind.FIXED:
        clean_amount = _collect(errors, lambda: money(amount, "amount"))
    elif amount_kind == CashPlan.AmountKind.PER_MEMBER:
        clean_per_member = _collect(errors, lambda: money(per_member, "per_member"))
        clean_cap = _collect(errors, lambda: money(cap, "cap", required=False))
        if clean_cap is not None and clean_per_member is not None and clean_cap < clean_per_member:
            errors["cap"] = [_("The cap cannot be below the amount for one member.")]
    else:
        errors["amount_kind"] = [_("Choose a fixed amount or an amount per member.")]

    try:
        n_tranches = int(tranches)
    except (TypeError, ValueError):
        n_tranches = 0
    if not (1 <= n_tranches <= MAX_TRANCHES):
        errors["tranches"] = [
            _("Give the number of tranches, from 1 to %(n)d.") % {"n": MAX_TRANCHES}
        ]
    elif modality == CashPlan.Modality.EVOUCHER and n_tranches != 1:
        errors["tranches"] = [_("An e-voucher plan is paid in one voucher: one tranche.")]

    categories = sorted({str(c) for c in allowed_categories or ()})
    bad = [c for c in categories if c not in Item.Category.values]
    if bad:
        errors["allowed_categories"] = [
            _("Unknown item categories: %(codes)s.") % {"codes": ", ".join(bad)}
        ]
    vendors = list(allowed_vendors or ())
    if any(not isinstance(v, Vendor) or v.status == Vendor.Status.CLOSED for v in vendors):
        errors["allowed_vendors"] = [_("Choose vendors that are not closed.")]
    if modality == CashPlan.Modality.CASH and (categories or vendors or require_pin):
        errors.setdefault("modality", []).append(
            _("Item, vendor and PIN restrictions apply to e-vouchers only.")
        )
    if condition not in CashPlan.Condition.values:
        errors["condition"] = [_("Choose a condition from the list, or none.")]
    note = _collect(errors, lambda: text(condition_note, "condition_note", limit=200))
    if condition == CashPlan.Condition.OTHER and not note:
        errors["condition_note"] = [_("Say in words what the condition is.")]
    ledger_item = item_code or DEFAULT_ITEM.get(modality, "nfi_evoucher")
    ledger_item = _collect(errors, lambda: text(ledger_item, "item_code", limit=80, required=True))
    if errors:
        raise ValidationFailed(fields=errors)

    with transaction.atomic():
        plan = CashPlan.objects.create(
            name=clean_name,
            programme_id=beneficiary_list.programme_id,
            project=project,
            beneficiary_list=beneficiary_list,
            modality=modality,
            amount_kind=amount_kind,
            amount=clean_amount,
            per_member=clean_per_member,
            cap=clean_cap,
            currency=code,
            exchange_rate=clean_rate,
            tranches=n_tranches,
            allowed_categories=categories,
            condition=condition,
            condition_note=note or "",
            require_pin=bool(require_pin),
            expires_on=expires_on,
            item_code=ledger_item,
            created_by=actor(user),
            updated_by=actor(user),
        )
        if vendors:
            plan.allowed_vendors.set(vendors)
        if not can_reach(user, plan, MANAGE):
            raise PermissionDenied(_("Your role does not reach the programme of this plan."))
    return plan


def _check_expiry(errors: dict[str, list[str]], project: Project, expires_on: Any) -> None:
    if not isinstance(expires_on, datetime.date):
        errors["expires_on"] = [_("Give the date the entitlements expire.")]
    elif expires_on < today():
        errors["expires_on"] = [_("The expiry date is in the past.")]
    elif not (project.start_date <= expires_on <= project.end_date):
        errors["expires_on"] = [
            _(
                "Project %(code)s runs from %(start)s to %(end)s: the plan must expire within "
                "it, since every redemption is charged to the project on its day."
            )
            % {
                "code": project.code,
                "start": project.start_date.isoformat(),
                "end": project.end_date.isoformat(),
            }
        ]


def _clean_planned(
    errors: dict[str, list[str]], households: Sequence[tuple[Household, Any, str]]
) -> list[tuple[Household, Decimal, str]]:
    """The (household, amount, reference) rows of a plan of amounts set per household:
    at least one, each household active and given once, each amount above zero."""
    given = list(households or ())
    pks = [
        row[0].pk
        for row in given
        if isinstance(row, tuple | list) and len(row) == 3 and isinstance(row[0], Household)
    ]
    statuses = dict(Household.objects.filter(pk__in=pks).values_list("pk", "status"))
    rows: list[tuple[Household, Decimal, str]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for index, row in enumerate(given):
        if not isinstance(row, tuple | list) or len(row) != 3:
            problems.append(
                _("Row %(n)d: give a household, an amount and a reference.") % {"n": index + 1}
            )
            continue
        household, raw_amount, reference = row
        label = str(reference or getattr(household, "registration_id", "") or index + 1)
        if not isinstance(household, Household) or household.pk not in statuses:
            problems.append(_("%(row)s: choose a registered household.") % {"row": label})
            continue
        status = statuses[household.pk]
        if status != Household.Status.ACTIVE:
            problems.append(
                _(
                    "%(row)s: household %(id)s is “%(status)s”: only an active household can "
                    "be entitled (give the household it was merged into)."
                )
                % {
                    "row": label,
                    "id": household.registration_id,
                    "status": Household.Status(status).label,
                }
            )
            continue
        if household.pk in seen:
            problems.append(
                _("%(row)s: household %(id)s is given twice: a household has one amount per plan.")
                % {"row": label, "id": household.registration_id}
            )
            continue
        seen.add(household.pk)
        try:
            value = money(raw_amount, "households")
        except ValidationFailed:
            problems.append(
                _("%(row)s: the amount must be a number above zero, with at most two decimals.")
                % {"row": label}
            )
            continue
        ref = str(reference or "").strip()
        if len(ref) > 60:
            problems.append(_("%(row)s: keep the reference under 60 characters.") % {"row": label})
            continue
        rows.append((household, cast(Decimal, value), ref))
    if not given:
        problems.append(_("Give at least one household and its amount."))
    if problems:
        errors["households"] = problems
    return rows


def plan_create_for_households(
    *,
    user: Any,
    name: str,
    project: Project,
    households: Sequence[tuple[Household, Decimal, str]],
    modality: str = "cash",
    currency: str,
    exchange_rate: Decimal | int | str,
    expires_on: datetime.date,
    tranches: int,
    condition: str = CashPlan.Condition.GRANT_MILESTONE,
    condition_note: str = "",
    item_code: str = "crp_business_grant",
    source: str = "",
    permission: str | None = MANAGE,
) -> CashPlan:
    """A draft plan of amounts set for each household by another module (a grant
    agreement each): `households` is (household, amount, reference) rows, kept as the
    plan's `PlannedAmount`s; there is no beneficiary list. Approval by another person
    (`plan_approve`) makes one entitlement per row. `source` names the record that made
    the plan (shown on its page). `permission=None` is the caller's word that it
    checked the user's right to make the plan (the grant call's manager)."""
    if permission is not None:
        require_permission(user, permission)
    errors: dict[str, list[str]] = {}
    clean_name = _collect(errors, lambda: text(name, "name", limit=200, required=True))
    if modality not in CashPlan.Modality.values:
        errors["modality"] = [_("Choose e-voucher or cash.")]
    code = _collect(errors, lambda: _currency(currency))
    clean_rate = _collect(errors, lambda: rate(exchange_rate))
    _check_expiry(errors, project, expires_on)
    try:
        n_tranches = int(tranches)
    except (TypeError, ValueError):
        n_tranches = 0
    if not (1 <= n_tranches <= MAX_HOUSEHOLD_TRANCHES):
        errors["tranches"] = [
            _("Give the number of tranches, from 1 to %(n)d.") % {"n": MAX_HOUSEHOLD_TRANCHES}
        ]
    elif modality == CashPlan.Modality.EVOUCHER and n_tranches != 1:
        errors["tranches"] = [_("An e-voucher plan is paid in one voucher: one tranche.")]
    if condition not in CashPlan.Condition.values:
        errors["condition"] = [_("Choose a condition from the list, or none.")]
    note = _collect(errors, lambda: text(condition_note, "condition_note", limit=200))
    if condition == CashPlan.Condition.OTHER and not note:
        errors["condition_note"] = [_("Say in words what the condition is.")]
    ledger_item = _collect(errors, lambda: text(item_code, "item_code", limit=80, required=True))
    clean_source = _collect(errors, lambda: text(source, "source", limit=80))
    rows = _clean_planned(errors, households)
    if errors:
        raise ValidationFailed(fields=errors)

    with transaction.atomic():
        plan = CashPlan.objects.create(
            name=clean_name,
            programme_id=project.programme_id,
            project=project,
            beneficiary_list=None,
            source=clean_source or "",
            modality=modality,
            amount_kind=CashPlan.AmountKind.PER_HOUSEHOLD,
            currency=code,
            exchange_rate=clean_rate,
            tranches=n_tranches,
            condition=condition,
            condition_note=note or "",
            expires_on=expires_on,
            item_code=ledger_item,
            created_by=actor(user),
            updated_by=actor(user),
        )
        if permission is not None and not can_reach(user, plan, permission):
            raise PermissionDenied(_("Your role does not reach the programme of this plan."))
        PlannedAmount.objects.bulk_create(
            [
                PlannedAmount(plan=plan, household=household, amount=value, reference=ref)
                for household, value, ref in rows
            ]
        )
    return plan


def entitlement_amount(plan: CashPlan, members: int) -> Decimal:
    """What one household of `members` active members is entitled to under the plan."""
    if plan.amount_kind == CashPlan.AmountKind.FIXED:
        return round_money(Decimal(plan.amount or 0))
    value = Decimal(plan.per_member or 0) * members
    if plan.cap is not None:
        value = min(value, Decimal(plan.cap))
    return round_money(value)


def _households(plan: CashPlan) -> list[tuple[Household, int]]:
    """The active households the plan serves, each with its active members: a household
    merged since the list was approved is served as the one it was merged into (once);
    withdrawn or inactive ones are left out."""
    active = Count("members", filter=Q(members__status=Individual.Status.ACTIVE))
    assert plan.beneficiary_list is not None
    households = targeting.list_households(plan.beneficiary_list, require_approved=False)
    seen: set[int] = set()
    result: list[tuple[Household, int]] = []
    rows: Any = households.annotate(active_members=active)
    for row in rows:
        household: Household = row
        members: int = row.active_members
        if household.status == Household.Status.MERGED:
            household = ledger.household_final(household)
            members = household.members.filter(status=Individual.Status.ACTIVE).count()
        if household.status != Household.Status.ACTIVE or household.pk in seen:
            continue
        seen.add(household.pk)
        result.append((household, members))
    return result


def _planned(plan: CashPlan) -> list[tuple[Household, int, Decimal]]:
    """The households of a plan of amounts set per household, each with its active
    members and its amount: a household merged since the plan was made is served as the
    one it was merged into (once); withdrawn or inactive ones are left out."""
    active = Count(
        "household__members", filter=Q(household__members__status=Individual.Status.ACTIVE)
    )
    rows: Any = (
        PlannedAmount.objects.filter(plan=plan)
        .select_related("household")
        .annotate(active_members=active)
        .order_by("pk")
    )
    seen: set[int] = set()
    result: list[tuple[Household, int, Decimal]] = []
    for row in rows:
        household: Household = row.household
        members: int = row.active_members
        if household.status == Household.Status.MERGED:
            household = ledger.household_final(household)
            members = household.members.filter(status=Individual.Status.ACTIVE).count()
        if household.status != Household.Status.ACTIVE or household.pk in seen:
            continue
        seen.add(household.pk)
        result.append((household, members, round_money(Decimal(row.amount))))
    return result


def plan_approve(*, user: Any, plan: CashPlan) -> CashPlan:
    """Approve a draft plan (someone other than its creator) and create one entitlement
    per household of the list: released at once, or pending until its condition is
    met. The list is marked as used. A plan of amounts set per household makes one
    entitlement per planned amount instead (no list to mark)."""
    require(user, plan, APPROVE_PLAN)
    with transaction.atomic():
        plan = (
            CashPlan.objects.select_for_update(of=("self",))
            .select_related("beneficiary_list", "project")
            .get(pk=plan.pk)
        )
        if plan.status != CashPlan.Status.DRAFT:
            CashPlan.STATUS_MACHINE.transition(plan, to=CashPlan.Status.APPROVED, by=user)
        if plan.created_by_id is not None and plan.created_by_id == getattr(user, "pk", None):
            raise PermissionDenied(
                _("You created this plan: another person must approve it (two-person rule)."),
                code="same_person",
            )
        lst = plan.beneficiary_list
        per_household = plan.amount_kind == CashPlan.AmountKind.PER_HOUSEHOLD
        if per_household:
            entitled = _planned(plan)
        elif lst is None:
            raise Conflict(
                _("The plan has no beneficiary list: there is nobody to entitle."),
                code="empty_list",
            )
        else:
            if lst.status not in _USABLE_LISTS:
                raise Conflict(
                    _("The list “%(list)s” is no longer approved (“%(status)s”).")
                    % {"list": lst.name, "status": lst.get_status_display()},
                    code="list_not_approved",
                )
            entitled = [
                (household, members, entitlement_amount(plan, members))
                for household, members in _households(plan)
            ]
        status = Entitlement.Status.PENDING if plan.condition else Entitlement.Status.RELEASED
        released = 0 if plan.condition else plan.tranches
        rows = []
        for household, members, value in entitled:
            if value <= 0:
                continue
            rows.append(
                Entitlement(
                    plan=plan,
                    household=household,
                    members=members,
                    amount=value,
                    currency=plan.currency,
                    exchange_rate=plan.exchange_rate,
                    status=status,
                    released_tranches=released,
                    created_by=actor(user),
                    updated_by=actor(user),
                )
            )
        if not rows:
            raise Conflict(
                _("The plan has no active household left: there is nobody to entitle.")
                if per_household
                else _("The list has no active households: there is nobody to entitle."),
                code="empty_list",
            )
        Entitlement.objects.bulk_create(rows, batch_size=1000)
        plan.approved_by = actor(user)
        plan.approved_at = timezone.now()
        CashPlan.STATUS_MACHINE.transition(
            plan,
            to=CashPlan.Status.APPROVED,
            by=user,
            extra_updates=("approved_by", "approved_at"),
        )
        if lst is not None:
            targeting_services.list_mark_used(lst=lst, user=user, used_by="cash", permission=None)
    return plan


def _unpaid(plan: CashPlan) -> Any:
    """Entitlements of the plan nothing was delivered on yet: no redemption of their
    vouchers, no payment made."""
    return (
        Entitlement.objects.filter(plan=plan)
        .exclude(status=Entitlement.Status.CANCELLED)
        .annotate(
            redeemed=Exists(Redemption.objects.filter(voucher__entitlement=OuterRef("pk"))),
            paid=Exists(
                Payment.objects.filter(entitlement=OuterRef("pk"), status=Payment.Status.PAID)
            ),
        )
        .filter(redeemed=False, paid=False)
    )


def plan_cancel(*, user: Any, plan: CashPlan, reason: str) -> CashPlan:
    """Cancel a plan: its active vouchers are cancelled (what was spent stays spent) and
    entitlements nothing was delivered on are cancelled."""
    require(user, plan, MANAGE)
    reason = text(reason, "reason", limit=300, required=True)
    with transaction.atomic():
        plan = CashPlan.objects.select_for_update().get(pk=plan.pk)
        CashPlan.STATUS_MACHINE.transition(
            plan, to=CashPlan.Status.CANCELLED, by=user, reason=reason
        )
        now = timezone.now()
        Voucher.objects.filter(entitlement__plan=plan, status=Voucher.Status.ACTIVE).update(
            status=Voucher.Status.CANCELLED, updated_at=now, updated_by=actor(user)
        )
        Entitlement.objects.filter(pk__in=_unpaid(plan).values("pk")).update(
            status=Entitlement.Status.CANCELLED, updated_at=now, updated_by=actor(user)
        )
    return plan


def plan_close(*, user: Any, plan: CashPlan) -> CashPlan:
    """Close an approved plan when its work is done: vouchers still active end
    (expired: an unspent balance cannot be spent after the plan closed) and
    entitlements still waiting for their condition are cancelled."""
    require(user, plan, MANAGE)
    with transaction.atomic():
        plan = CashPlan.objects.select_for_update().get(pk=plan.pk)
        CashPlan.STATUS_MACHINE.transition(plan, to=CashPlan.Status.CLOSED, by=user)
        now = timezone.now()
        Voucher.objects.filter(entitlement__plan=plan, status=Voucher.Status.ACTIVE).update(
            status=Voucher.Status.EXPIRED, updated_at=now, updated_by=actor(user)
        )
        Entitlement.objects.filter(plan=plan, status=Entitlement.Status.PENDING).update(
            status=Entitlement.Status.CANCELLED, updated_at=now, updated_by=actor(user)
        )
    return plan


def entitlement_condition_met(*, user: Any, entitlement: Entitlement, evidence: str) -> Entitlement:
    """Record that the household met the plan's condition (what shows it: an
    attendance sheet, an inspection report…): pending → released."""
    require(user, entitlement, MANAGE)
    evidence = text(evidence, "evidence", limit=300, required=True)
    plan = CashPlan.objects.get(pk=entitlement.plan_id)
    if plan.status != CashPlan.Status.APPROVED:
        raise Conflict(
            _("The plan is “%(status)s”: entitlements can no longer be released.")
            % {"status": plan.get_status_display()},
            code="plan_not_approved",
        )
    if plan.condition == CashPlan.Condition.SHELTER_MILESTONE:
        raise Conflict(
            _(
                "This plan pays for shelter works: each tranche is released by the "
                "inspection that verifies its milestone (on the rehabilitation case), "
                "not by hand."
            ),
            code="released_by_inspection",
        )
    if plan.condition == CashPlan.Condition.GRANT_MILESTONE:
        raise Conflict(
            _(
                "This plan pays business grants: each tranche is released from the grant "
                "agreement (after the visit that verifies the tranche before), not by hand."
            ),
            code="released_by_agreement",
        )
    now = timezone.now()
    changed = Entitlement.objects.filter(
        pk=entitlement.pk, status=Entitlement.Status.PENDING
    ).update(
        status=Entitlement.Status.RELEASED,
        condition_met_at=now,
        condition_met_by=actor(user),
        condition_evidence=evidence,
        released_tranches=plan.tranches,
        updated_at=now,
        updated_by=actor(user),
    )
    entitlement.refresh_from_db()
    if not changed:
        raise Conflict(
            _("This entitlement is “%(status)s”, not waiting for its condition.")
            % {"status": entitlement.get_status_display()},
            code="not_pending",
        )
    return entitlement


def entitlement_tranche_release(
    *,
    user: Any,
    entitlement: Entitlement,
    tranche: int,
    evidence: str,
    source: str = "",
    permission: str | None = MANAGE,
) -> TrancheRelease:
    """Release one tranche of an entitlement whose plan pays on a condition met tranche
    by tranche (a verified shelter milestone for each): tranche k only after tranche
    k − 1, never twice. Released again with the same tranche (a retried request), it
    answers the release already recorded. `permission=None` is the caller's word that
    it checked the user's right to verify the condition (the shelter inspection's
    sign-off does)."""
    if permission is not None:
        require(user, entitlement, permission)
    evidence = text(evidence, "evidence", limit=300, required=True)
    with transaction.atomic():
        entitlement = (
            Entitlement.objects.select_for_update(of=("self",))
            .select_related("plan")
            .get(pk=entitlement.pk)
        )
        plan = entitlement.plan
        done = TrancheRelease.objects.filter(entitlement=entitlement, tranche=tranche).first()
        if done is not None:
            return done
        if not plan.condition:
            raise Conflict(
                _("The plan “%(plan)s” has no condition: its tranches are all released.")
                % {"plan": plan.name},
                code="no_condition",
            )
        if plan.status != CashPlan.Status.APPROVED:
            raise Conflict(
                _("The plan is “%(status)s”: entitlements can no longer be released.")
                % {"status": plan.get_status_display()},
                code="plan_not_approved",
            )
        if entitlement.status == Entitlement.Status.CANCELLED:
            raise Conflict(
                _("This entitlement is cancelled: nothing more can be released."),
                code="entitlement_cancelled",
            )
        if not 1 <= tranche <= plan.tranches:
            raise ValidationFailed(
                fields={"tranche": [_("Choose a tranche from 1 to %(n)d.") % {"n": plan.tranches}]}
            )
        if tranche != entitlement.released_tranches + 1:
            raise Conflict(
                _(
                    "Tranche %(n)d cannot be released before tranche %(before)d: "
                    "%(released)d released so far."
                )
                % {"n": tranche, "before": tranche - 1, "released": entitlement.released_tranches},
                code="tranche_out_of_order",
            )
        now = timezone.now()
        entitlement.released_tranches = tranche
        entitlement.status = Entitlement.Status.RELEASED
        entitlement.condition_met_at = now
        entitlement.condition_met_by = actor(user)
        entitlement.condition_evidence = evidence
        entitlement.updated_by = actor(user)
        entitlement.save(
            update_fields=[
                "released_tranches",
                "status",
                "condition_met_at",
                "condition_met_by",
                "condition_evidence",
                "updated_at",
                "updated_by",
            ]
        )
        return TrancheRelease.objects.create(
            entitlement=entitlement,
            tranche=tranche,
            evidence=evidence,
            source=source[:80],
            released_by=actor(user),
        )

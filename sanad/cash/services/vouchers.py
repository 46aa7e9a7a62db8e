"""E-vouchers: issue, cancel, re-issue, look up.

A code is 16 random characters of Crockford's base 32 (80 bits from `secrets`): it
cannot be guessed, and it is typed forgivingly (dashes, lower case, O for 0, I or L
for 1). The PIN, when the plan asks for one, is shown once (on the printed sheet)
and kept only as a hash.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.cash.models import MANAGE, CashPlan, Entitlement, Voucher
from sanad.cash.services._common import (
    actor,
    code_new,
    code_normalise,
    fmt_money,
    pin_new,
    require,
    text,
    today,
)
from sanad.core.errors import Conflict, ValidationFailed
from sanad.core.state import StateMachine

logger = logging.getLogger(__name__)

# A voucher's cancellations are recorded with who, when and why (`history`); running
# out of balance and expiring are recorded by the redemption itself.
VOUCHER_STATUS = StateMachine(
    "status",
    {"active": {"spent", "cancelled", "expired"}},
    reason_required={"cancelled"},
)


def _send_sms(voucher: Voucher) -> None:
    """Deliver the voucher's code by SMS to the household's phone.

    A hook, deliberately empty: messaging belongs to the communication module (issue
    8), which will send through its gateway and set `delivered_by="sms"` and
    `delivered_at`. Until then vouchers are delivered on printed sheets."""


def _fresh_codes(n: int) -> list[str]:
    """`n` new codes not in use. A clash among 2^80 codes is all but impossible; the
    check costs one query and makes it impossible."""
    codes: set[str] = set()
    while len(codes) < n:
        wanted = {code_new() for _i in range(n - len(codes))}
        taken = set(Voucher.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    return list(codes)


def _new_voucher(
    *, user: Any, entitlement: Entitlement, plan: CashPlan, amount: Any, code: str, **extra: Any
) -> tuple[Voucher, str | None]:
    pin = pin_new() if plan.require_pin else None
    voucher = Voucher(
        entitlement=entitlement,
        code=code,
        pin_hash=make_password(pin) if pin else "",
        amount=amount,
        balance=amount,
        currency=entitlement.currency,
        expires_on=plan.expires_on,
        created_by=actor(user),
        updated_by=actor(user),
        **extra,
    )
    return voucher, pin


def _issuable_plan(plan: CashPlan) -> None:
    if plan.modality != CashPlan.Modality.EVOUCHER:
        raise Conflict(
            _("This is a cash plan: it is paid through the provider, not with vouchers."),
            code="not_evoucher_plan",
        )
    if plan.status != CashPlan.Status.APPROVED:
        raise Conflict(
            _("Vouchers are issued for approved plans only: this one is “%(status)s”.")
            % {"status": plan.get_status_display()},
            code="plan_not_approved",
        )
    if plan.expires_on < today():
        raise Conflict(
            _("The plan expired on %(date)s: no more vouchers can be issued.")
            % {"date": plan.expires_on.isoformat()},
            code="plan_expired",
        )


def vouchers_issue(*, user: Any, plan: CashPlan) -> list[tuple[Voucher, str | None]]:
    """One active voucher for every released entitlement of the plan that has none yet
    (issuing again after more conditions were met issues only the new ones). Returns
    each voucher with its PIN in clear (None without PIN): print it now, it is not
    kept."""
    require(user, plan, MANAGE)
    with transaction.atomic():
        # The plan's row lock makes two clicks on "issue" issue once.
        plan = CashPlan.objects.select_for_update().get(pk=plan.pk)
        _issuable_plan(plan)
        entitlements = list(
            Entitlement.objects.filter(plan=plan, status=Entitlement.Status.RELEASED)
            .exclude(Exists(Voucher.objects.filter(entitlement=OuterRef("pk"))))
            .order_by("id")
        )
        codes = _fresh_codes(len(entitlements))
        issued = [
            _new_voucher(user=user, entitlement=e, plan=plan, amount=e.amount, code=code)
            for e, code in zip(entitlements, codes, strict=True)
        ]
        Voucher.objects.bulk_create([v for v, _pin in issued], batch_size=1000)
        vouchers = [v for v, _pin in issued]

        def deliver() -> None:
            for voucher in vouchers:
                _send_sms(voucher)

        transaction.on_commit(deliver)
    return issued


def voucher_cancel(*, user: Any, voucher: Voucher, reason: str) -> Voucher:
    """Cancel an active voucher (lost, stolen, given in error): it can no longer be
    redeemed. Its balance stays on it for a re-issue."""
    require(user, voucher, MANAGE)
    reason = text(reason, "reason", limit=300, required=True)
    voucher.refresh_from_db()
    _cancel(user=user, voucher=voucher, reason=reason)
    return voucher


def _cancel(*, user: Any, voucher: Voucher, reason: str) -> None:
    if voucher.status != Voucher.Status.ACTIVE:
        raise Conflict(
            _("This voucher is “%(status)s”: only an active voucher can be cancelled.")
            % {"status": voucher.get_status_display()},
            code="voucher_not_active",
        )
    voucher.updated_by = actor(user)
    VOUCHER_STATUS.transition(
        voucher, to=Voucher.Status.CANCELLED, by=user, reason=reason, extra_updates=("updated_by",)
    )


def voucher_reissue(*, user: Any, voucher: Voucher, reason: str) -> tuple[Voucher, str | None]:
    """Replace a voucher by a new code carrying its remaining balance (the old one is
    cancelled if it was still active). Returns the new voucher and its PIN."""
    require(user, voucher, MANAGE)
    reason = text(reason, "reason", limit=300, required=True)
    with transaction.atomic():
        old = (
            Voucher.objects.select_for_update()
            .select_related("entitlement__plan")
            .get(pk=voucher.pk)
        )
        plan = old.entitlement.plan
        _issuable_plan(plan)
        if hasattr(old, "replaced_by"):
            raise Conflict(
                _("This voucher was already replaced by another one."), code="already_replaced"
            )
        if old.status not in (Voucher.Status.ACTIVE, Voucher.Status.CANCELLED):
            raise Conflict(
                _(
                    "This voucher is “%(status)s”: only an active or cancelled voucher can be re-issued."
                )
                % {"status": old.get_status_display()},
                code="voucher_not_reissuable",
            )
        if old.balance <= 0:
            raise Conflict(_("This voucher has nothing left to re-issue."), code="voucher_spent")
        if old.status == Voucher.Status.ACTIVE:
            # Once cancelled the balance cannot move (redemptions need "active"), and
            # the row lock keeps a redemption from slipping in before.
            _cancel(user=user, voucher=old, reason=reason)
            old.refresh_from_db()
        (code,) = _fresh_codes(1)
        new, pin = _new_voucher(
            user=user,
            entitlement=old.entitlement,
            plan=plan,
            amount=old.balance,
            code=code,
            replaces=old,
        )
        new.save()
        logger.info(
            "voucher %s re-issued as %s (%s) by user %s",
            old.pk,
            new.pk,
            fmt_money(new.balance, new.currency),
            getattr(user, "pk", None),
        )
        transaction.on_commit(lambda: _send_sms(new))
    return new, pin


def voucher_lookup(*, code: str) -> Voucher | None:
    """The voucher a typed or scanned code names, or None (no permission check: the
    caller decides what the user may learn of it)."""
    normalised = code_normalise(code)
    if not normalised:
        return None
    return (
        Voucher.objects.select_related("entitlement__plan", "entitlement__household")
        .filter(code=normalised)
        .first()
    )


def voucher_mark_delivered(*, user: Any, vouchers: list[Voucher], by: str = "print") -> int:
    """Record how vouchers reached the households (the print sheet job calls this with
    "print"; the communication module with "sms")."""
    if by not in ("print", "sms"):
        raise ValidationFailed(
            _("Choose print or SMS."), fields={"by": [_("Choose print or SMS.")]}
        )
    return Voucher.objects.filter(pk__in=[v.pk for v in vouchers]).update(
        delivered_by=by, delivered_at=timezone.now()
    )

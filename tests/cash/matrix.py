"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the cash
pages (plans, entitlements, vouchers, vendors, the redeem page, the shop's sales,
signals) and the cash API:

    from tests.cash.matrix import cash_checks, cash_world_for_matrix
    # in the world fixture:   extras={"cash": cash_world_for_matrix(), ...}
    # in registry_checks:     *cash_checks(role, w.extras["cash"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme. The plan "in" is an NFI plan of
Duhok households, at a Duhok vendor; the plan "outside" a SHELTER plan whose household
lives in Erbil, its vendor in Erbil. The matrix's vendor_staff user holds the role but
is nobody's cashier: the redeem page opens and tells them so, the look-up and the sale
refuse (403 not_vendor_staff). Writes are checked on out-of-scope records only (404,
nothing changes); tests/cash checks the writes that succeed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

VIEW, MANAGE = "cash.view_cash", "cash.manage_plan"
MANAGE_VENDOR, REDEEM = "cash.manage_vendor", "cash.redeem_voucher"
PLAN_OUT, VENDOR_OUT = "Matrix voucher plan outside", "Matrix vendor outside"


def cash_world_for_matrix() -> dict[str, Any]:
    from django.utils import timezone

    from sanad.cash.models import (
        CashPlan,
        Entitlement,
        Redemption,
        Signal,
        VendorStaff,
        Voucher,
    )
    from tests.cash.factories import cash_world, make_cashier, make_vendor, redeem
    from tests.factories import ERBIL, ProgrammeFactory, ProjectFactory
    from tests.registry.factories import make_household

    w = cash_world(households=2)
    redemption_in, _replayed = redeem(w, 0)
    signal_in = Signal.objects.create(kind=Signal.Kind.BURST, vendor=w.vendor, details={})

    vendor_out = make_vendor(w.admin, governorate=ERBIL, name=VENDOR_OUT, code="matrix-vendor-out")
    cashier_out = make_cashier(w.admin, vendor_out, username="matrix-cashier-out")
    staff_out = VendorStaff.objects.get(user=cashier_out)
    shelter = ProgrammeFactory(code="SHELTER")
    plan_out = CashPlan.objects.create(
        name=PLAN_OUT,
        programme=shelter,
        project=ProjectFactory(programme=shelter),
        beneficiary_list=w.lst,
        modality=CashPlan.Modality.EVOUCHER,
        amount=50000,
        currency="IQD",
        exchange_rate=1310,
        expires_on=w.today,
        item_code="shelter_evoucher",
        status=CashPlan.Status.APPROVED,
    )
    household_out = make_household(governorate=ERBIL, members=1)
    entitlement_out = Entitlement.objects.create(
        plan=plan_out,
        household=household_out,
        members=1,
        amount=50000,
        currency="IQD",
        exchange_rate=1310,
        status=Entitlement.Status.PENDING,
    )
    voucher_out = Voucher.objects.create(
        entitlement=entitlement_out,
        code="MATR1X0VT0000000",
        amount=50000,
        balance=40000,
        currency="IQD",
        expires_on=w.today,
    )
    redemption_out = Redemption.objects.create(
        voucher=voucher_out,
        vendor=vendor_out,
        amount=Decimal(10000),
        currency="IQD",
        exchange_rate=1310,
        balance_after=Decimal(40000),
        idempotency_key="matrix-out",
        request_hash="0" * 64,
        redeemed_at=timezone.now(),
    )
    signal_out = Signal.objects.create(
        kind=Signal.Kind.BURST, vendor=vendor_out, details={"count": 99, "minutes": 5}
    )
    return {
        "plan_in": w.plan,
        "plan_out": plan_out,
        "entitlement_out": entitlement_out,
        "voucher_in": w.voucher(0),
        "voucher_out": voucher_out,
        "vendor_in": w.vendor,
        "vendor_out": vendor_out,
        "staff_out": staff_out,
        "redemption_in": redemption_in,
        "redemption_out": redemption_out,
        "signal_in": signal_in,
        "signal_out": signal_out,
        "blanket": w.blanket,
    }


def cash_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    manage_vendor, redeem = can(role, MANAGE_VENDOR), can(role, REDEEM)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"cash:{name}", args=args)  # noqa: E731
    p_in, p_out = world["plan_in"].public_id, world["plan_out"].public_id
    v_in, v_out = world["vendor_in"].public_id, world["vendor_out"].public_id
    voucher_in, voucher_out = world["voucher_in"], world["voucher_out"]
    r_in, r_out = world["redemption_in"].public_id, world["redemption_out"].public_id
    e_out = world["entitlement_out"].public_id
    sale = {"code": voucher_in.code, "key": f"matrix-{role}", "items": "[]"}
    reason = {"reason": "matrix"}
    api = "/api/v1"
    items = [{"item": world["blanket"].code, "quantity": "1", "unit_price": "12000"}]
    return [
        # --- plans, entitlements, vouchers ---------------------------------------------
        Check("cash:plan_list", "get", url("plan_list"), allowed(view), absent=PLAN_OUT),
        Check("cash:plan_create", "get", url("plan_create"), allowed(manage)),
        Check("cash:plan_detail in", "get", url("plan_detail", p_in), hid(view)),
        Check("cash:plan_detail out", "get", url("plan_detail", p_out), out404(view)),
        Check(
            "cash:plan_transition out",
            "post",
            url("plan_transition", p_out),
            out404(view),
            {"to": "cancelled", **reason},
        ),
        Check("cash:vouchers_issue out", "post", url("vouchers_issue", p_out), out404(manage), {}),
        Check("cash:vouchers_print out", "post", url("vouchers_print", p_out), out404(manage), {}),
        Check(
            "cash:entitlement_release out",
            "post",
            url("entitlement_release", e_out),
            out404(manage),
            {"evidence": "matrix"},
        ),
        Check(
            "cash:voucher_cancel out",
            "post",
            url("voucher_cancel", voucher_out.public_id),
            out404(manage),
            reason,
        ),
        Check(
            "cash:voucher_reissue out",
            "post",
            url("voucher_reissue", voucher_out.public_id),
            out404(manage),
            reason,
        ),
        # --- vendors ---------------------------------------------------------------------
        Check("cash:vendor_list", "get", url("vendor_list"), allowed(view), absent=VENDOR_OUT),
        Check("cash:vendor_create", "get", url("vendor_create"), allowed(manage_vendor)),
        Check("cash:vendor_detail in", "get", url("vendor_detail", v_in), hid(view)),
        Check("cash:vendor_detail out", "get", url("vendor_detail", v_out), out404(view)),
        Check("cash:vendor_edit in", "get", url("vendor_edit", v_in), hid(manage_vendor)),
        Check("cash:vendor_edit out", "get", url("vendor_edit", v_out), out404(manage_vendor)),
        Check(
            "cash:vendor_transition out",
            "post",
            url("vendor_transition", v_out),
            out404(manage_vendor),
            {"to": "suspended", **reason},
        ),
        Check(
            "cash:vendor_price_add out",
            "post",
            url("vendor_price_add", v_out),
            out404(manage_vendor),
            {"item": world["blanket"].code, "unit_price": "1", "currency": "IQD"},
        ),
        Check(
            "cash:vendor_staff_add out",
            "post",
            url("vendor_staff_add", v_out),
            out404(manage_vendor),
            {"username": f"matrix-{role}", "full_name": "Matrix"},
        ),
        Check(
            "cash:vendor_staff_remove out",
            "post",
            url("vendor_staff_remove", v_out, world["staff_out"].pk),
            out404(manage_vendor),
            {},
        ),
        # --- the redeem page (the matrix's vendor_staff is nobody's cashier) --------------
        Check("cash:redeem", "get", url("redeem"), allowed(redeem)),
        Check(
            "cash:redeem_voucher",
            "get",
            url("redeem_voucher") + f"?code={voucher_in.code}",
            {403},
        ),
        Check(
            "cash:redeem_sale",
            "post",
            url("redeem_sale"),
            allowed(redeem, ok_codes={400, 403}),
            sale,
        ),
        Check("cash:my_sales", "get", url("my_sales"), allowed(redeem), absent="12,000"),
        # --- signals ---------------------------------------------------------------------
        Check("cash:signal_list", "get", url("signal_list"), allowed(view), absent=VENDOR_OUT),
        Check(
            "cash:signal_review out",
            "post",
            url("signal_review", world["signal_out"].pk),
            out404(view),
            {"note": "matrix"},
        ),
        # --- API -------------------------------------------------------------------------
        Check(
            "cash-plan-list", "get", f"{api}/cash/plans/", allowed(view), api=True, absent=PLAN_OUT
        ),
        Check("cash-plan-detail in", "get", f"{api}/cash/plans/{p_in}/", hid(view), api=True),
        Check("cash-plan-detail out", "get", f"{api}/cash/plans/{p_out}/", out404(view), api=True),
        Check(
            "cash-vendor-list",
            "get",
            f"{api}/cash/vendors/",
            allowed(view),
            api=True,
            absent=VENDOR_OUT,
        ),
        Check("cash-vendor-detail in", "get", f"{api}/cash/vendors/{v_in}/", hid(view), api=True),
        Check(
            "cash-vendor-detail out",
            "get",
            f"{api}/cash/vendors/{v_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "cash-redemption-list",
            "get",
            f"{api}/cash/redemptions/",
            allowed(view),
            api=True,
            absent="matrix-vendor-out",
        ),
        Check(
            "cash-redemption-detail in",
            "get",
            f"{api}/cash/redemptions/{r_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "cash-redemption-detail out",
            "get",
            f"{api}/cash/redemptions/{r_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "cash-payment-request-list",
            "get",
            f"{api}/cash/payment-requests/",
            allowed(view),
            api=True,
        ),
        Check(
            "cash-payment-request-detail out",
            "get",
            f"{api}/cash/payment-requests/00000000-0000-0000-0000-000000000000/",
            out404(view),
            api=True,
        ),
        Check("voucher-detail", "get", f"{api}/vouchers/{voucher_in.code}", {403}, api=True),
        Check(
            "voucher-redemptions",
            "post",
            f"{api}/vouchers/{voucher_in.code}/redemptions",
            {403},
            {"items": items},
            api=True,
        ),
    ]

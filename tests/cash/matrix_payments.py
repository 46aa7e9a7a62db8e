"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
reconciliation and transfer pages:

    from tests.cash.matrix_payments import cash_payment_checks, cash_payment_world
    # in the world fixture:   extras={"cash_payments": cash_payment_world(), ...}
    # in registry_checks:     *cash_payment_checks(role, w.extras["cash_payments"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme. The payment request "in" is of a
Duhok vendor, the one "outside" of an Erbil vendor (payment requests are scoped by the
vendor's governorate); the payment list "in" is of an NFI cash plan, the one "outside"
of a SHELTER plan (payment lists are scoped by programme). Writes are checked on
out-of-scope records only (404, nothing changes); tests/cash checks the writes that
succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, RECONCILE = "cash.view_cash", "cash.request_payment"
APPROVE, TRANSFER = "cash.approve_payment", "cash.manage_transfers"
OUT_REQUEST, OUT_LIST = "PAY-MATRIX-OUT", "PL-MATRIX-OUT"


def cash_payment_world() -> dict[str, Any]:
    from sanad.cash import services
    from sanad.cash.models import CashPlan, PaymentList, PaymentRequest
    from tests.cash.factories import cash_world, make_plan, make_vendor, redeem
    from tests.factories import ERBIL, ProgrammeFactory, ProjectFactory

    w = cash_world(households=2)
    redeem(w, 0)
    request_in = services.payment_request_create(
        user=w.finance, vendor=w.vendor, period_start=w.today, period_end=w.today, currency="IQD"
    )
    vendor_out = make_vendor(w.admin, governorate=ERBIL, name="Matrix shop outside")
    request_out = PaymentRequest.objects.create(
        number=OUT_REQUEST,
        vendor=vendor_out,
        period_start=w.today,
        period_end=w.today,
        currency="IQD",
    )

    template = services.fsp_template_create(
        user=w.admin,
        name="Matrix provider",
        provider="Matrix",
        columns="ID = registration_id\nRef = payment_id\nAmount = amount",
    )
    cash_plan = make_plan(w, modality="cash", amount="90000", item_code="nfi_cash")
    cash_plan = services.plan_approve(user=w.approver, plan=cash_plan)
    list_in = services.payment_list_create(
        user=w.finance, plan=cash_plan, tranche=1, template=template
    )
    shelter = ProgrammeFactory(code="SHELTER")
    plan_out = CashPlan.objects.create(
        name="Matrix cash plan outside",
        programme=shelter,
        project=ProjectFactory(programme=shelter),
        beneficiary_list=w.lst,
        modality=CashPlan.Modality.CASH,
        amount=90000,
        currency="IQD",
        exchange_rate=1310,
        expires_on=w.today,
        item_code="shelter_cash",
        status=CashPlan.Status.APPROVED,
    )
    list_out = PaymentList.objects.create(
        number=OUT_LIST,
        plan=plan_out,
        tranche=1,
        template=template,
        status=PaymentList.Status.RESULTS,
    )
    return {
        "request_in": request_in,
        "request_out": request_out,
        "list_in": list_in,
        "list_out": list_out,
    }


def cash_payment_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, reconcile = can(role, VIEW), can(role, RECONCILE)
    approve, transfer = can(role, APPROVE), can(role, TRANSFER)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    r_in, r_out = world["request_in"].public_id, world["request_out"].public_id
    l_in, l_out = world["list_in"].public_id, world["list_out"].public_id
    url = lambda name, *args: reverse(f"cash:{name}", args=args)  # noqa: E731
    return [
        # --- payment requests ----------------------------------------------------------
        Check("cash:payment_list", "get", url("payment_list"), allowed(view), absent=OUT_REQUEST),
        Check("cash:payment_create", "get", url("payment_create"), allowed(reconcile)),
        Check("cash:payment_detail in", "get", url("payment_detail", r_in), hid(view)),
        Check("cash:payment_detail out", "get", url("payment_detail", r_out), out404(view)),
        Check(
            "cash:payment_submit out", "post", url("payment_submit", r_out), out404(reconcile), {}
        ),
        Check(
            "cash:payment_approve out", "post", url("payment_approve", r_out), out404(approve), {}
        ),
        Check(
            "cash:payment_reject out",
            "post",
            url("payment_reject", r_out),
            out404(view),
            {"reason": "matrix"},
        ),
        Check(
            "cash:payment_paid out",
            "post",
            url("payment_paid", r_out),
            out404(approve),
            {"paid_on": "2020-01-01", "reference": "matrix"},
        ),
        # --- provider templates --------------------------------------------------------
        Check("cash:fsp_list", "get", url("fsp_list"), allowed(view)),
        Check("cash:fsp_create", "get", url("fsp_create"), allowed(transfer)),
        # --- payment lists -------------------------------------------------------------
        Check("cash:transfer_list", "get", url("transfer_list"), allowed(view), absent=OUT_LIST),
        Check("cash:transfer_create", "get", url("transfer_create"), allowed(transfer)),
        Check("cash:transfer_detail in", "get", url("transfer_detail", l_in), hid(view)),
        Check("cash:transfer_detail out", "get", url("transfer_detail", l_out), out404(view)),
        Check(
            "cash:transfer_export out", "post", url("transfer_export", l_out), out404(transfer), {}
        ),
        Check(
            "cash:transfer_results out",
            "post",
            url("transfer_results", l_out),
            out404(transfer),
            {},
        ),
        Check(
            "cash:transfer_follow_up out",
            "post",
            url("transfer_follow_up", l_out),
            out404(transfer),
            {},
        ),
        Check(
            "cash:transfer_close out", "post", url("transfer_close", l_out), out404(transfer), {}
        ),
    ]

"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
revitalization agreements part: the agreements list, the visits due, an agreement's
page, its tranche release and visits, a selected application's business plan (write,
approve) and signature, and a call's disbursement through cash:

    from tests.revitalization.matrix_agreements import agreements_checks, agreements_world
    # in the world fixture:   extras={"revitalization_agreements": agreements_world(), ...}
    # in checks_for:          *agreements_checks(role, w.extras["revitalization_agreements"],
    #                                            Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. Grant calls belong to the CRP
programme, so both the "in" records (Duhok) and the "out" ones (Erbil) are out of the
users' programme scope: their pages and writes answer 404 for a role holding the
permission (403 or 404 for one without it), and the lists show neither. Writes are
checked on out-of-scope records only (404, nothing changes); tests/revitalization checks
the writes that succeed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse

VIEW, GRANTS = "revitalization.view_revitalization", "revitalization.manage_grants"
NUMBER_IN, NUMBER_OUT = "GA-MTX-00001", "GA-MTX-00002"


def agreements_world() -> dict[str, Any]:
    from sanad.revitalization.models import BusinessPlan, GrantAgreement
    from tests.factories import DUHOK, ERBIL
    from tests.revitalization.factories import make_call
    from tests.revitalization.factories_agreements import selected_application

    signed_on = datetime.date(2026, 3, 15)

    def agreement(governorate: str, number: str) -> tuple[Any, Any, Any]:
        call = make_call(governorate=governorate, status="selected")
        signed_app = selected_application(call, status="agreement")
        BusinessPlan.objects.create(
            application=signed_app,
            summary="Matrix plan",
            budget_lines=[],
            total=Decimal("2500"),
        )
        row = GrantAgreement.objects.create(
            application=signed_app,
            number=number,
            amount=Decimal("2500"),
            currency=call.currency,
            exchange_rate=call.exchange_rate,
            tranches=call.tranches,
            signed_on=signed_on,
        )
        waiting = selected_application(call)
        BusinessPlan.objects.create(
            application=waiting,
            summary="Matrix plan waiting",
            budget_lines=[
                {"item": "Tools", "quantity": "1", "unit_cost": "2500", "amount": "2500"}
            ],
            total=Decimal("2500"),
        )
        return call, row, waiting

    call_in, agreement_in, waiting_in = agreement(DUHOK, NUMBER_IN)
    call_out, agreement_out, waiting_out = agreement(ERBIL, NUMBER_OUT)
    return {
        "call_in": call_in,
        "call_out": call_out,
        "agreement_in": agreement_in,
        "agreement_out": agreement_out,
        "waiting_in": waiting_in,
        "waiting_out": waiting_out,
    }


def agreements_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, GRANTS)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"revitalization:{name}", args=args)  # noqa: E731
    a_in, a_out = world["agreement_in"].public_id, world["agreement_out"].public_id
    w_in, w_out = world["waiting_in"].public_id, world["waiting_out"].public_id
    c_out = world["call_out"].public_id
    plan_post = {
        "summary": "Matrix",
        "jobs_expected": "1",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": "Tools",
        "lines-0-quantity": "1",
        "lines-0-unit_cost": "2000",
    }
    visit_post = {
        "kind": "month_3",
        "visited_on": "2026-06-20",
        "operating": "yes",
        "jobs_created": "1",
        "revenue_band": "low",
    }
    return [
        Check(
            "revitalization:agreement_list",
            "get",
            url("agreement_list"),
            allowed(view),
            absent=NUMBER_OUT,
        ),
        Check(
            "revitalization:agreement_list in",
            "get",
            url("agreement_list"),
            allowed(view),
            absent=NUMBER_IN,
        ),
        Check(
            "revitalization:agreement_list call-out",
            "get",
            f"{url('agreement_list')}?call={c_out}",
            allowed(view),
            absent=NUMBER_OUT,
        ),
        Check(
            "revitalization:visit_due_list",
            "get",
            url("visit_due_list"),
            allowed(view),
            absent=NUMBER_OUT,
        ),
        Check(
            "revitalization:agreement_detail in",
            "get",
            url("agreement_detail", a_in),
            out404(view),
        ),
        Check(
            "revitalization:agreement_detail out",
            "get",
            url("agreement_detail", a_out),
            out404(view),
        ),
        Check("revitalization:agreement_pdf in", "get", url("agreement_pdf", a_in), out404(view)),
        Check("revitalization:agreement_pdf out", "get", url("agreement_pdf", a_out), out404(view)),
        Check(
            "revitalization:agreement_release out",
            "post",
            url("agreement_release", a_out),
            out404(manage),
            {"tranche": "1"},
        ),
        Check(
            "revitalization:visit_record out",
            "get",
            url("visit_record", a_out),
            out404(manage),
        ),
        Check(
            "revitalization:visit_record out-post",
            "post",
            url("visit_record", a_out),
            out404(manage),
            visit_post,
        ),
        Check(
            "revitalization:agreement_plan in",
            "get",
            url("agreement_plan", w_in),
            out404(view),
        ),
        Check(
            "revitalization:agreement_plan out",
            "get",
            url("agreement_plan", w_out),
            out404(view),
        ),
        Check(
            "revitalization:agreement_plan out-post",
            "post",
            url("agreement_plan", w_out),
            out404(manage),
            plan_post,
        ),
        Check(
            "revitalization:agreement_plan_approve out",
            "post",
            url("agreement_plan_approve", w_out),
            out404(manage),
        ),
        Check(
            "revitalization:agreement_sign out",
            "get",
            url("agreement_sign", w_out),
            out404(manage),
        ),
        Check(
            "revitalization:agreement_sign out-post",
            "post",
            url("agreement_sign", w_out),
            out404(manage),
            {"signed_on": "2026-04-01", "signature": "signed"},
        ),
        Check(
            "revitalization:agreement_disburse out",
            "post",
            url("agreement_disburse", c_out),
            out404(manage),
        ),
    ]

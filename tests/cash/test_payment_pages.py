"""The reconciliation and transfer pages, as a finance team uses them: reconcile a
vendor (the figures before saving), submit, approve as another person, record the
payment; describe the provider's file, make a tranche's list, download it, upload the
results (and see the rows to fix when one is wrong), make a follow-up list. Pages that
a role may not use answer 403; records outside the scope 404."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services
from sanad.cash.models import FspTemplate, PaymentList, PaymentRequest
from tests.cash.factories import cash_world, line, make_vendor, redeem
from tests.cash.test_transfers import COLUMNS, cash_plan_world, results
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"cash:{name}", args=args)


def _form(w: Any, **extra: Any) -> dict[str, Any]:
    return {
        "vendor": str(w.vendor.public_id),
        "period_start": (w.today - datetime.timedelta(days=7)).isoformat(),
        "period_end": w.today.isoformat(),
        "currency": "IQD",
        **extra,
    }


def test_a_finance_officer_reconciles_a_vendor_and_another_approves():
    w = cash_world(households=2)
    redeem(w, 0, [line(w.blanket, 2)])  # 24,000
    redeem(w, 1, [line(w.soap, 2)])  # 3,000
    web = client_for(w.finance)

    page = web.get(url("payment_create"))
    assert page.status_code == 200 and w.vendor.name in page.content.decode()
    preview = web.post(url("payment_create"), _form(w, vendor_claimed="30000", preview="1"))
    body = preview.content.decode()
    assert 'data-testid="preview-count">2<' in body
    assert "27,000 IQD" in body and "3,000 IQD" in body
    assert not PaymentRequest.objects.exists()

    saved = web.post(url("payment_create"), _form(w, vendor_claimed="30000"))
    request = PaymentRequest.objects.get()
    assert saved.status_code == 302 and saved["Location"] == url(
        "payment_detail", request.public_id
    )
    detail = web.get(saved["Location"]).content.decode()
    assert request.number in detail
    assert 'data-testid="redemptions-count">2<' in detail
    assert "The vendor claims 30,000 IQD but its redemptions total 27,000 IQD" in detail
    assert 'data-testid="payment-submit"' in detail

    web.post(url("payment_submit", request.public_id))
    detail = web.get(url("payment_detail", request.public_id)).content.decode()
    assert 'data-testid="same-person"' in detail and 'data-testid="payment-approve"' not in detail
    web.post(url("payment_approve", request.public_id))  # refused: the same person
    request.refresh_from_db()
    assert request.status == "submitted"

    approver = client_for(make_user("finance_officer", governorates=(DUHOK,)))
    assert (
        'data-testid="payment-approve"'
        in approver.get(url("payment_detail", request.public_id)).content.decode()
    )
    approver.post(url("payment_approve", request.public_id))
    approver.post(
        url("payment_paid", request.public_id),
        {"paid_on": w.today.isoformat(), "reference": "BANK-1"},
    )
    request.refresh_from_db()
    assert (request.status, request.payment_reference) == ("paid", "BANK-1")

    listing = web.get(url("payment_list")).content.decode()
    assert request.number in listing and "1 discrepancy" in listing


def test_rejecting_from_the_page_frees_the_redemptions():
    w = cash_world(households=1)
    redeem(w, 0)
    request = services.payment_request_create(
        user=w.finance,
        vendor=w.vendor,
        period_start=w.today,
        period_end=w.today,
        currency="IQD",
    )
    web = client_for(w.finance)
    web.post(url("payment_reject", request.public_id), {"reason": "Wrong period"})
    request.refresh_from_db()
    assert request.status == "rejected" and not request.redemptions.exists()
    page = web.get(url("payment_detail", request.public_id)).content.decode()
    assert "went back to be reconciled again" in page and "Wrong period" in page


def test_nothing_to_reconcile_is_said_on_the_form():
    w = cash_world(households=1)
    response = client_for(w.finance).post(url("payment_create"), _form(w))
    assert response.status_code == 400
    assert "nothing to reconcile" in response.content.decode()


def test_a_finance_officer_runs_a_tranche_through_the_provider():
    w = cash_plan_world(households=2)
    web = client_for(w.finance)

    assert web.get(url("fsp_create")).status_code == 200
    columns = "\n".join(f"{c['header']} = {c['field']}" for c in COLUMNS)
    response = web.post(
        url("fsp_create"),
        {
            "name": "Zain Cash",
            "provider": "Zain",
            "sheet_name": "Transfers",
            "columns": columns,
            "result_status_column": "Status",
            "paid_values": "paid, success",
            "reason_column": "Reason",
            "reference_column": "Transaction",
        },
    )
    assert response.status_code == 302
    template = FspTemplate.objects.get(name="Zain Cash")
    assert "Zain Cash" in web.get(url("fsp_list")).content.decode()

    response = web.post(
        url("transfer_create"),
        {"plan": str(w.plan.public_id), "tranche": "1", "template": str(template.public_id)},
    )
    payment_list = PaymentList.objects.get()
    assert response["Location"] == url("transfer_detail", payment_list.public_id)
    detail = web.get(response["Location"]).content.decode()
    assert payment_list.number in detail and 'data-testid="transfer-export"' in detail

    download = web.post(url("transfer_export", payment_list.public_id))
    assert download.status_code == 200
    assert payment_list.number in download["Content-Disposition"]
    rows = [list(r) for r in load_workbook(io.BytesIO(download.content))["Transfers"].values]
    assert rows[0] == [c["header"] for c in COLUMNS]

    # one wrong row: nothing imported, the rows to fix are listed
    bad = [list(r) for r in rows]
    bad[1][5] = "not-an-id"
    upload = io.BytesIO(results(bad, {0: ("paid", ""), 1: ("failed", "No wallet")}))
    upload.name = "results.xlsx"
    response = web.post(url("transfer_results", payment_list.public_id), {"file": upload})
    assert response.status_code == 400
    assert "Row 2:" in response.content.decode() and "nothing was imported" in (
        response.content.decode()
    )
    assert not AssistanceRecord.objects.filter(source_type="cash.payment").exists()

    upload = io.BytesIO(results(rows, {0: ("paid", ""), 1: ("failed", "No wallet")}))
    upload.name = "results.xlsx"
    response = web.post(url("transfer_results", payment_list.public_id), {"file": upload})
    assert response.status_code == 302
    detail = web.get(response["Location"]).content.decode()
    assert 'data-testid="count-paid">1<' in detail and "No wallet" in detail
    assert 'data-testid="transfer-follow-up"' in detail

    response = web.post(url("transfer_follow_up", payment_list.public_id))
    follow_up = PaymentList.objects.get(follow_up_of=payment_list)
    assert response["Location"] == url("transfer_detail", follow_up.public_id)
    assert follow_up.number in web.get(url("transfer_list")).content.decode()
    assert (
        'data-testid="transfer-follow-up"'
        not in web.get(url("transfer_detail", payment_list.public_id)).content.decode()
    )


@pytest.mark.parametrize("role", ["vendor_staff", "donor_viewer", "field_enumerator"])
def test_roles_without_cash_view_see_none_of_these_pages(role):
    user = make_user(role, governorates=(DUHOK,))
    web = client_for(user)
    for name in ("payment_list", "payment_create", "fsp_list", "transfer_list", "transfer_create"):
        assert web.get(url(name)).status_code == 403, name


def test_a_viewer_sees_the_pages_but_not_the_actions():
    w = cash_world(households=1)
    redeem(w, 0)
    request = services.payment_request_create(
        user=w.finance, vendor=w.vendor, period_start=w.today, period_end=w.today, currency="IQD"
    )
    viewer = client_for(make_user("me_viewer", governorates=(DUHOK,)))
    page = viewer.get(url("payment_detail", request.public_id)).content.decode()
    assert request.number in page and 'data-testid="payment-submit"' not in page
    assert viewer.get(url("payment_create")).status_code == 403
    assert viewer.post(url("payment_submit", request.public_id)).status_code == 403
    assert viewer.get(url("fsp_create")).status_code == 403


def test_records_outside_the_scope_are_not_found():
    w = cash_world(households=1)
    erbil_vendor = make_vendor(w.admin, governorate=ERBIL)
    outside = PaymentRequest.objects.create(
        number="PAY-OUT",
        vendor=erbil_vendor,
        period_start=w.today,
        period_end=w.today,
        currency="IQD",
    )
    web = client_for(w.finance)
    assert web.get(url("payment_detail", outside.public_id)).status_code == 404
    assert web.post(url("payment_approve", outside.public_id)).status_code == 404
    assert "PAY-OUT" not in web.get(url("payment_list")).content.decode()

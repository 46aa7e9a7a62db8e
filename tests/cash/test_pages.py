"""The cash pages, in the order a team uses them: a plan from an approved list, approval
by another person, the vouchers issued and their sheet printed (with the PINs, once),
cancel and re-issue, conditions met; vendors with their prices and cashiers; the
cashier's phone page (look-up, sale, a retried sale spends once, refusals) and the
shop's own sales; signals reviewed. A cashier sees nothing else."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sanad.accounts.models import RoleAssignment
from sanad.cash import services
from sanad.cash.models import CashPlan, Entitlement, Redemption, Signal, Vendor, Voucher
from sanad.core.models import Job
from tests.cash.factories import cash_world, key, line, make_cashier, make_vendor, redeem
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, subdistrict_in

pytestmark = pytest.mark.django_db


def in_language(user: Any, lang: str) -> Client:
    user.preferred_language = lang
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def _sale(web: Client, code: str, items: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"code": code, "items": items, "key": extra.pop("key") if "key" in extra else key()}
    body.update(extra)
    return web.post(
        "/cash/redeem/sale/", json.dumps(body, default=str), content_type="application/json"
    )


def _job_file(job: Job) -> Path:
    return Path(settings.JOB_FILES_DIR) / str(job.public_id) / job.result_file


# --- plans ---------------------------------------------------------------------------------
def test_an_officer_drafts_a_plan_and_another_approves_it_creating_the_entitlements():
    w = cash_world(households=3, approve=False)
    web = client_for(w.officer)
    assert web.get("/cash/plans/new/").status_code == 200
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    form = {
        "name": "Winter vouchers",
        "beneficiary_list": str(w.lst.public_id),
        "project": str(w.project.public_id),
        "modality": "evoucher",
        "amount_kind": "fixed",
        "amount": "60000",
        "currency": "IQD",
        "exchange_rate": "1310",
        "tranches": "1",
        "expires_on": expires,
        "allowed_categories": ["bedding", "heating"],
        "allowed_vendors": [str(w.vendor.public_id)],
        "require_pin": "on",
    }
    saved = web.post("/cash/plans/new/", form)
    plan = CashPlan.objects.get(name="Winter vouchers")
    assert saved.status_code == 302 and saved["Location"] == f"/cash/plans/{plan.public_id}/"
    assert plan.status == "draft" and plan.require_pin
    assert plan.allowed_categories == ["bedding", "heating"]
    assert list(plan.allowed_vendors.all()) == [w.vendor]

    page = web.get(f"/cash/plans/{plan.public_id}/").content.decode()
    assert 'data-testid="cash-plan-same-person"' in page and "cash-plan-approve" not in page
    refused = web.post(f"/cash/plans/{plan.public_id}/status/", {"to": "approved"})
    assert refused.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "draft"  # the creator cannot approve it

    other = client_for(w.approver)
    assert "cash-plan-approve" in other.get(f"/cash/plans/{plan.public_id}/").content.decode()
    other.post(f"/cash/plans/{plan.public_id}/status/", {"to": "approved"})
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.approved_by == w.approver
    assert Entitlement.objects.filter(plan=plan, status="released").count() == 3
    listing = web.get("/cash/").content.decode()
    assert "Winter vouchers" in listing


def test_a_plan_form_with_mistakes_says_what_to_fix():
    w = cash_world(households=1, approve=False)
    web = client_for(w.officer)
    response = web.post(
        "/cash/plans/new/",
        {
            "name": "Bad",
            "beneficiary_list": str(w.lst.public_id),
            "project": str(w.project.public_id),
            "modality": "evoucher",
            "amount_kind": "fixed",
            "amount": "1000",
            "currency": "IQD",
            "exchange_rate": "1.31",
            "tranches": "1",
            "expires_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Iraqi dinars for one US dollar" in response.content.decode()
    assert not CashPlan.objects.filter(name="Bad").exists()


def test_issuing_vouchers_prints_their_sheet_with_the_pins_once(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.JOB_FILES_DIR = str(tmp_path)
    w = cash_world(households=3, issue=False, require_pin=True)
    web = client_for(w.officer)
    page = web.get(f"/cash/plans/{w.plan.public_id}/").content.decode()
    assert 'data-testid="vouchers-issue"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/cash/plans/{w.plan.public_id}/vouchers/issue/")
    job = Job.objects.get(kind="cash.voucher_sheet")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.public_id}/"
    assert job.status == "succeeded", job.error
    assert job.result == {"vouchers": 3, "with_pins": True}
    assert "pins" not in job.params  # the PINs are gone from the database
    pdf = _job_file(job).read_bytes()
    assert pdf.startswith(b"%PDF")
    vouchers = Voucher.objects.filter(entitlement__plan=w.plan)
    assert vouchers.count() == 3 and all(v.pin_hash for v in vouchers)
    assert set(vouchers.values_list("delivered_by", flat=True)) == {"print"}

    # Issuing again issues nothing new; printing again prints without PINs.
    again = web.post(f"/cash/plans/{w.plan.public_id}/vouchers/issue/", follow=True)
    assert "already has a voucher" in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        web.post(f"/cash/plans/{w.plan.public_id}/vouchers/print/")
    reprint = Job.objects.filter(kind="cash.voucher_sheet").order_by("-pk").first()
    assert reprint is not None and reprint.result == {"vouchers": 3, "with_pins": False}


def test_the_sheet_puts_eight_vouchers_on_an_a4_page_with_code_value_and_household():
    from sanad.cash import exports
    from sanad.cash.services._common import code_display

    w = cash_world(households=9)
    vouchers = list(exports.printable(Voucher.objects.filter(entitlement__plan=w.plan)))
    pins = {str(vouchers[0].public_id): "4321"}
    html = exports.sheet_html(w.plan, vouchers, pins)
    first = vouchers[0]
    head = first.entitlement.household.members.get(relationship="head")
    assert code_display(first.code) in html and "50,000 IQD" in html
    assert first.entitlement.household.registration_id in html and head.full_name_ar in html
    assert "4321" in html and html.count('class="pin"') == 1
    from weasyprint import HTML

    from sanad.registry.cards.pdf import FONT_DIR, _fetcher

    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    assert len(document.pages) == 2  # 9 vouchers: 8 + 1
    document.write_pdf()
    # The names are shaped with the vendored Noto Sans Arabic, not a server's fonts.
    assert any(b"Sanad-Arabic" in font.name for font in document.fonts.values())


def test_a_voucher_is_cancelled_then_reissued_with_its_balance(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.JOB_FILES_DIR = str(tmp_path)
    w = cash_world(households=2)
    redeem(w, 0, [line(w.blanket, 1)])  # 12,000 spent of 50,000
    old = w.voucher(0)
    web = client_for(w.officer)
    page = web.get(f"/cash/plans/{w.plan.public_id}/").content.decode()
    assert f"…{old.code[-4:]}" in page and "38,000 IQD" in page

    web.post(f"/cash/vouchers/{old.public_id}/cancel/", {"reason": "Lost at the market"})
    old.refresh_from_db()
    assert old.status == "cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/cash/vouchers/{old.public_id}/reissue/", {"reason": "Lost"})
    new = Voucher.objects.get(replaces=old)
    assert new.balance == Decimal("38000") and new.status == "active"
    job = Job.objects.get(kind="cash.voucher_sheet")
    assert response["Location"] == f"/jobs/{job.public_id}/" and job.result["vouchers"] == 1


def test_a_condition_met_releases_the_entitlement():
    w = cash_world(households=2, issue=False, condition="awareness_session")
    entitlement = Entitlement.objects.filter(plan=w.plan).first()
    assert entitlement is not None and entitlement.status == "pending"
    web = client_for(w.officer)
    assert 'data-testid="release"' in web.get(f"/cash/plans/{w.plan.public_id}/").content.decode()
    web.post(f"/cash/entitlements/{entitlement.public_id}/release/", {"evidence": ""})
    entitlement.refresh_from_db()
    assert entitlement.status == "pending"  # evidence is required
    web.post(
        f"/cash/entitlements/{entitlement.public_id}/release/",
        {"evidence": "Attendance sheet 12 March"},
    )
    entitlement.refresh_from_db()
    assert entitlement.status == "released"
    assert entitlement.condition_evidence == "Attendance sheet 12 March"


def test_the_plan_page_lists_entitlements_in_pages_with_few_queries(django_assert_max_num_queries):
    w = cash_world(households=4)
    web = client_for(w.officer)
    with django_assert_max_num_queries(40):
        page = web.get(f"/cash/plans/{w.plan.public_id}/")
    assert page.content.decode().count('data-testid="entitlement-row"') == 4
    found = web.get(
        f"/cash/plans/{w.plan.public_id}/?q={w.households[1].registration_id}"
    ).content.decode()
    assert found.count('data-testid="entitlement-row"') == 1


# --- vendors -------------------------------------------------------------------------------
def test_an_officer_registers_a_vendor_sets_prices_adds_a_cashier_and_activates_it():
    w = cash_world(households=1, approve=False)
    web = client_for(w.officer)
    assert web.get("/cash/vendors/new/").status_code == 200
    unit = subdistrict_in(DUHOK)
    saved = web.post(
        "/cash/vendors/new/",
        {
            "code": "zakho-1",
            "name": "Zakho market",
            "admin_unit": unit.pcode,
            "opens_at": "08:00",
            "closes_at": "18:00",
            "open_days": ["0", "1", "2", "3", "5", "6"],
        },
    )
    vendor = Vendor.objects.get(code="zakho-1")
    assert saved["Location"] == f"/cash/vendors/{vendor.public_id}/"
    assert vendor.status == "pending" and vendor.open_days == [0, 1, 2, 3, 5, 6]

    refused = web.post(f"/cash/vendors/{vendor.public_id}/status/", {"to": "active"}, follow=True)
    assert "contract number" in refused.content.decode()
    web.post(
        f"/cash/vendors/{vendor.public_id}/edit/",
        {
            "code": "zakho-1",
            "name": "Zakho market",
            "admin_unit": unit.pcode,
            "contract_number": "C-9",
        },
    )
    web.post(f"/cash/vendors/{vendor.public_id}/status/", {"to": "active"})
    vendor.refresh_from_db()
    assert vendor.status == "active" and vendor.contract_number == "C-9"

    web.post(
        f"/cash/vendors/{vendor.public_id}/prices/",
        {
            "item": w.blanket.code,
            "unit_price": "11000",
            "currency": "IQD",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert vendor.prices.get().unit_price == Decimal("11000")
    web.post(
        f"/cash/vendors/{vendor.public_id}/staff/",
        {"username": "zakho-cashier", "full_name": "Ali Hassan", "password": "Long-pass-2026!"},
    )
    staff = vendor.staff.select_related("user").get()
    roles = set(RoleAssignment.objects.filter(user=staff.user).values_list("role", flat=True))
    assert roles == {"vendor_staff"}
    page = web.get(f"/cash/vendors/{vendor.public_id}/").content.decode()
    assert "zakho-cashier" in page and "11,000 IQD" in page

    web.post(f"/cash/vendors/{vendor.public_id}/status/", {"to": "suspended", "reason": ""})
    vendor.refresh_from_db()
    assert vendor.status == "active"  # a reason is required
    web.post(f"/cash/vendors/{vendor.public_id}/status/", {"to": "suspended", "reason": "Audit"})
    vendor.refresh_from_db()
    assert vendor.status == "suspended"
    web.post(f"/cash/vendors/{vendor.public_id}/staff/{staff.pk}/remove/")
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert not staff.active and not staff.user.is_active


def test_the_vendor_list_shows_only_vendors_in_reach():
    w = cash_world(households=1, approve=False)
    make_vendor(w.admin, governorate=ERBIL, name="Erbil shop outside")
    page = client_for(w.officer).get("/cash/vendors/").content.decode()
    assert w.vendor.name in page and "Erbil shop outside" not in page


# --- the cashier's phone page --------------------------------------------------------------
def test_the_cashier_looks_a_voucher_up_and_learns_nothing_about_the_family():
    w = cash_world(households=1, allowed_categories=["bedding", "heating"])
    web = client_for(w.cashier)
    page = web.get("/cash/redeem/")
    assert page.status_code == 200 and w.vendor.name in page.content.decode()
    code = w.code(0)
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    answer = web.get("/cash/redeem/voucher/", {"code": typed})
    data = answer.json()
    assert answer.status_code == 200 and data["ok"] and data["balance_text"] == "50,000 IQD"
    assert data["usable"] and not data["require_pin"]
    assert [i["code"] for i in data["items"]] == sorted([w.blanket.code, w.heater.code])
    assert {i["unit_price"] for i in data["items"]} == {"12000", "30000"}
    household = w.households[0]
    head = household.members.get(relationship="head")
    text = answer.content.decode()
    for personal in (household.registration_id, head.full_name_en, head.full_name_ar):
        assert personal not in text

    missing = web.get("/cash/redeem/voucher/", {"code": "0000-0000-0000-0000"})
    assert missing.status_code == 404 and missing.json()["code"] == "voucher_not_found"


def test_a_sale_on_the_page_spends_once_even_when_sent_twice():
    w = cash_world(households=1)
    web = client_for(w.cashier)
    items = [line(w.blanket, 2), line(w.soap, 3)]
    first = _sale(web, w.code(0), items, key="attempt-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["amount"] == "28500.00" and body["balance_text"] == "21,500 IQD"
    again = _sale(web, w.code(0), items, key="attempt-1")
    assert again.status_code == 200 and again.json()["redemption"] == body["redemption"]
    assert again.json()["replayed"] is True
    assert Redemption.objects.count() == 1
    assert w.voucher(0).balance == Decimal("21500")

    reused = _sale(web, w.code(0), [line(w.blanket, 1)], key="attempt-1")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    over = _sale(web, w.code(0), [line(w.heater, 1)])
    assert over.status_code == 409 and over.json()["code"] == "insufficient_balance"
    assert "21,500 IQD" in over.json()["message"]
    nokey = _sale(web, w.code(0), [line(w.soap, 1)], key="")
    assert nokey.status_code == 400
    assert Redemption.objects.count() == 1


def test_a_pin_voucher_needs_its_pin_on_the_page():
    w = cash_world(households=1, require_pin=True)
    web = client_for(w.cashier)
    assert web.get("/cash/redeem/voucher/", {"code": w.code(0)}).json()["require_pin"]
    missing = _sale(web, w.code(0), [line(w.blanket)])
    assert missing.status_code == 400 and missing.json()["code"] == "pin_required"
    wrong_pin = "0000" if w.pin(0) != "0000" else "1111"
    wrong = _sale(web, w.code(0), [line(w.blanket)], pin=wrong_pin)
    assert wrong.status_code == 400 and wrong.json()["code"] == "pin_wrong"
    right = _sale(web, w.code(0), [line(w.blanket)], pin=w.pin(0))
    assert right.status_code == 201


def test_the_cashier_sees_only_the_shops_own_sales():
    w = cash_world(households=2)
    other_vendor = make_vendor(w.officer, prices={w.blanket: Decimal("12000")})
    other_cashier = make_cashier(w.officer, other_vendor)
    redeem(w, 0, [line(w.blanket, 1)])
    redeem(w, 1, [line(w.blanket, 2)], user=other_cashier)
    page = client_for(w.cashier).get("/cash/redeem/sales/").content.decode()
    assert page.count('data-testid="sale"') == 1 and "12,000 IQD" in page
    assert "24,000 IQD" not in page


def test_a_cashier_sees_nothing_but_the_redeem_pages():
    w = cash_world(households=1)
    web = client_for(w.cashier)
    for url in (
        "/cash/",
        "/cash/plans/new/",
        f"/cash/plans/{w.plan.public_id}/",
        "/cash/vendors/",
        f"/cash/vendors/{w.vendor.public_id}/",
        "/cash/signals/",
        "/cash/payments/",
        "/cash/transfers/",
    ):
        assert web.get(url).status_code in (403, 404), url
    assert web.get("/cash/redeem/").status_code == 200
    assert web.get("/cash/redeem/sales/").status_code == 200
    tabs = web.get("/cash/redeem/").content.decode()
    assert "/cash/vendors/" not in tabs and "/cash/signals/" not in tabs


def test_someone_who_is_not_a_cashier_cannot_open_the_redeem_page():
    w = cash_world(households=1)
    web = client_for(w.officer)
    assert web.get("/cash/redeem/").status_code == 403
    assert _sale(web, w.code(0), [line(w.blanket)]).status_code == 403
    assert Redemption.objects.count() == 0


def test_the_redeem_page_reads_right_to_left_in_arabic():
    w = cash_world(households=1)
    page = in_language(w.cashier, "ar").get("/cash/redeem/").content.decode()
    assert 'dir="rtl"' in page and 'data-testid="redeem-code"' in page
    assert 'dir="ltr"' in page  # the code itself stays left to right


# --- signals -------------------------------------------------------------------------------
def test_a_signal_is_listed_and_reviewed(django_capture_on_commit_callbacks):
    w = cash_world(households=1)
    with django_capture_on_commit_callbacks(execute=True):
        redemption, _replayed = redeem(w, 0, [line(w.blanket, 1, unit_price=Decimal("15000"))])
    signal = Signal.objects.get(kind="price_above_contract")
    assert signal.redemption == redemption
    web = client_for(w.officer)
    page = web.get("/cash/signals/").content.decode()
    assert "Price above the contracted list" in page and "15000" in page
    web.post(f"/cash/signals/{signal.pk}/review/", {"note": "Price list was out of date"})
    signal.refresh_from_db()
    assert signal.reviewed_by == w.officer and signal.review_note == "Price list was out of date"
    assert 'data-testid="signal-row"' not in web.get("/cash/signals/").content.decode()
    assert "Price list was out of date" in web.get("/cash/signals/?state=all").content.decode()


def test_a_viewer_sees_signals_but_cannot_review_them(django_capture_on_commit_callbacks):
    from tests.factories import make_user

    w = cash_world(households=1)
    with django_capture_on_commit_callbacks(execute=True):
        redeem(w, 0, [line(w.blanket, 1, unit_price=Decimal("15000"))])
    signal = Signal.objects.get()
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    web = client_for(viewer)
    page = web.get("/cash/signals/").content.decode()
    assert 'data-testid="signal-row"' in page and 'data-testid="signal-review"' not in page
    web.post(f"/cash/signals/{signal.pk}/review/", {"note": "x"})
    signal.refresh_from_db()
    assert signal.reviewed_at is None


def test_services_refusals_are_unchanged_by_the_pages():
    """The page adds nothing: a cancelled plan's voucher is refused with the service's code."""
    w = cash_world(households=1)
    services.plan_cancel(user=w.officer, plan=w.plan, reason="Funding withdrawn")
    refused = _sale(client_for(w.cashier), w.code(0), [line(w.blanket)])
    assert refused.status_code == 409 and refused.json()["code"] == "voucher_cancelled"

"""The distribution pages, in the order a team uses them: a plan from an approved
list (with the kits it needs against the stock), approval, an event, dispatch, the
distribution day on a phone (scan or search, the verdict, the receipt — retried
without recording twice), refusals with their reasons, closing with the
reconciliation, the monitoring sample and the reports; also in Arabic."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from sanad.assistance.models import AssistanceRecord
from sanad.distribution.models import Event, MonitoringSample, Plan, Receipt, Refusal
from sanad.registry.cards.pdf import qr_payload
from tests.conftest import client_for
from tests.distribution.factories import distribution_world, head_of, open_event
from tests.factories import ERBIL
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


def in_language(user: Any, lang: str) -> Client:
    user.preferred_language = lang
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def _receipt(web: Client, event: Event, household: Any, **data: Any) -> Any:
    body = {
        "household": str(household.public_id),
        "collected_by": str(head_of(household).public_id),
        "proof": "declared",
        "client_key": "key-1",
        "found_by": "qr",
        "device": "test-phone",
        **data,
    }
    return web.post(f"/distributions/events/{event.public_id}/day/receipts/", body)


def test_a_programme_officer_plans_from_an_approved_list_and_sees_the_stock_it_needs():
    w = distribution_world(households=3, stocked=2)
    web = client_for(w.officer)
    page = web.get("/distributions/plans/new/")
    assert page.status_code == 200 and w.lst.name in page.content.decode()

    choice = {
        "beneficiary_list": str(w.lst.public_id),
        "kit": str(w.kit.public_id),
        "project": str(w.project.public_id),
        "warehouse": str(w.warehouse.public_id),
        "quantity_per_household": "1",
    }
    check = web.get("/distributions/plans/new/", {**choice, "check": "1"}).content.decode()
    assert 'data-testid="check-households">3<' in check
    assert 'data-testid="check-needed">3<' in check
    assert 'data-testid="check-available">2<' in check
    assert "1 kits short" in check

    response = web.post("/distributions/plans/new/", {**choice, "name": "Second round"})
    plan = Plan.objects.get(name="Second round")
    assert response.status_code == 302 and response["Location"].endswith(f"{plan.public_id}/")
    assert plan.status == "draft" and plan.kit == w.kit


def test_a_plan_that_cannot_be_reserved_says_how_many_kits_are_short():
    w = distribution_world(households=3, stocked=2)
    web = client_for(w.officer)
    response = web.post(
        f"/distributions/plans/{w.plan.public_id}/status/", {"to": "approved"}, follow=True
    )
    w.plan.refresh_from_db()
    assert w.plan.status == "draft"
    assert "short" in response.content.decode() or "available" in response.content.decode()


def test_the_plan_goes_from_approval_to_an_open_event_through_the_pages():
    w = distribution_world(households=2)
    web = client_for(w.officer)
    detail = f"/distributions/plans/{w.plan.public_id}/"
    assert web.post(detail + "status/", {"to": "approved"}).status_code == 302
    w.plan.refresh_from_db()
    assert w.plan.status == "approved" and w.plan.reserved == Decimal(2)

    page = web.get(detail).content.decode()
    assert 'data-testid="plan-reserved">2<' in page and 'data-testid="event-add"' in page

    response = web.post(
        detail + "events/new/", {"place": str(w.camp.public_id), "date": w.today.isoformat()}
    )
    event = Event.objects.get(plan=w.plan)
    assert response.status_code == 302 and event.expected_households == 2

    page = web.get(f"/distributions/events/{event.public_id}/").content.decode()
    assert page.count('data-testid="expected-row"') == 2
    assert 'data-testid="event-dispatch"' in page

    assert web.post(f"/distributions/events/{event.public_id}/dispatch/", {}).status_code == 302
    event.refresh_from_db()
    assert event.status == "open" and event.dispatched == Decimal(2)
    page = web.get(detail).content.decode()
    assert 'data-testid="day-link"' in page and "0 / 2" in page


def test_an_event_outside_the_season_shows_the_reason_on_the_form():
    import datetime

    w = distribution_world(households=1)
    web = client_for(w.officer)
    web.post(f"/distributions/plans/{w.plan.public_id}/status/", {"to": "approved"})
    late = w.season.ends_on + datetime.timedelta(days=10)
    response = web.post(
        f"/distributions/plans/{w.plan.public_id}/events/new/",
        {"place": str(w.camp.public_id), "date": late.isoformat()},
    )
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    assert not Event.objects.filter(plan=w.plan).exists()


def test_on_distribution_day_a_scanned_card_shows_the_household_in_green_and_records_once():
    w = distribution_world(households=2)
    event = open_event(w)
    household = w.households[0]
    web = client_for(w.field)

    page = web.get(f"/distributions/events/{event.public_id}/day/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="day-scan"' in html and 'data-testid="day-received">0<' in html
    assert "vendor/jsqr/jsQR.js" in html

    panel = web.get(
        f"/distributions/events/{event.public_id}/day/household/",
        {"token": qr_payload(household)},
    ).content.decode()
    assert 'data-verdict="ok"' in panel and household.registration_id in panel
    assert str(head_of(household).public_id) in panel and 'name="client_key"' in panel

    first = _receipt(web, event, household)
    assert first.status_code == 200 and first.json()["ok"]
    assert first.json()["counter"] == {"received": 1, "expected": 2}
    # The phone lost the answer and sent again: the first receipt, nothing more.
    again = _receipt(web, event, household)
    assert again.status_code == 200 and again.json()["receipt"] == first.json()["receipt"]
    assert Receipt.objects.filter(event=event).count() == 1
    assert AssistanceRecord.objects.filter(source_type="distribution.receipt").count() == 1

    # Another device, another key: refused with when and by whom.
    other = _receipt(web, event, household, client_key="key-2")
    assert other.status_code == 409 and other.json()["code"] == "already_received"
    assert str(w.field) in other.json()["message"]

    panel = web.get(
        f"/distributions/events/{event.public_id}/day/household/",
        {"token": qr_payload(household)},
    ).content.decode()
    assert 'data-verdict="already_received"' in panel and 'data-testid="day-existing"' in panel
    counter = web.get(f"/distributions/events/{event.public_id}/day/counter/").content.decode()
    assert 'data-testid="day-received">1<' in counter


def test_a_signature_drawn_on_the_phone_is_kept_with_the_receipt():
    w = distribution_world(households=1)
    event = open_event(w)
    png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    response = _receipt(
        client_for(w.field), event, w.households[0], proof="signature", signature=png
    )
    assert response.status_code == 200
    assert Receipt.objects.get().signature == png


def test_a_receipt_without_a_signature_or_a_collector_is_refused_with_a_sentence():
    w = distribution_world(households=1)
    event = open_event(w)
    web = client_for(w.field)
    response = _receipt(web, event, w.households[0], proof="signature", signature="")
    assert response.status_code == 400 and response.json()["message"]
    response = _receipt(web, event, w.households[0], collected_by="")
    assert response.status_code == 400 and "who collected" in response.json()["message"]
    assert not Receipt.objects.exists()


def test_a_household_not_on_the_list_is_shown_in_red_with_the_reason_and_counted():
    w = distribution_world(households=1)
    event = open_event(w)
    stranger = make_household(governorate="IQG09", members=2)
    web = client_for(w.field)
    panel = web.get(
        f"/distributions/events/{event.public_id}/day/household/",
        {"household": str(stranger.public_id)},
    ).content.decode()
    assert 'data-verdict="not_on_list"' in panel and "not on the beneficiary list" in panel
    assert 'id="receipt-form"' not in panel
    assert Refusal.objects.filter(event=event, household=stranger, code="not_on_list").exists()
    page = web.get(f"/distributions/events/{event.public_id}/").content.decode()
    assert stranger.registration_id in page and "not on the beneficiary list" in page


def test_an_unknown_card_is_said_so():
    w = distribution_world(households=1)
    event = open_event(w)
    panel = client_for(w.field).get(
        f"/distributions/events/{event.public_id}/day/household/", {"token": "SND1:nope"}
    )
    assert 'data-verdict="unknown"' in panel.content.decode()


def test_search_finds_expected_households_first_and_a_hand_scanner_opens_the_panel():
    w = distribution_world(households=2)
    event = open_event(w)
    web = client_for(w.field)
    household = w.households[1]
    url = f"/distributions/events/{event.public_id}/day/search/"
    results = web.get(url, {"q": household.registration_id}).content.decode()
    assert household.registration_id in results and "expected here" in results
    assert w.households[0].registration_id not in results

    nothing = web.get(url, {"q": "ZZZZZZZZ"}).content.decode()
    assert 'data-testid="day-no-result"' in nothing

    scanned = web.get(url, {"q": qr_payload(household)}, HTTP_HX_REQUEST="true")
    assert scanned["HX-Retarget"] == "#panel"
    assert 'data-verdict="ok"' in scanned.content.decode()


def test_the_day_page_is_refused_to_roles_that_do_not_record_and_hidden_outside_the_scope():
    w = distribution_world(households=1)
    event = open_event(w)
    assert (
        client_for(w.storekeeper).get(f"/distributions/events/{event.public_id}/day/").status_code
        == 403
    )
    from tests.factories import make_user

    erbil = make_user(
        "field_enumerator", username="erbil-field", governorates=(ERBIL,), programmes=("NFI",)
    )
    web = client_for(erbil)
    assert web.get(f"/distributions/events/{event.public_id}/day/").status_code == 404
    response = _receipt(web, event, w.households[0])
    assert response.status_code == 404 and not Receipt.objects.exists()


def test_closing_an_event_reconciles_and_asks_the_reason_for_missing_kits():
    w = distribution_world(households=3)
    event = open_event(w)
    web = client_for(w.field)
    _receipt(web, event, w.households[0])
    closer = client_for(w.storekeeper)
    url = f"/distributions/events/{event.public_id}/close/"

    page = closer.get(f"/distributions/events/{event.public_id}/").content.decode()
    assert 'data-testid="close-form"' in page and 'data-dispatched="3' in page

    refused = closer.post(url, {"returned": "1", "reason": ""}, follow=True).content.decode()
    event.refresh_from_db()
    assert event.status == "open" and "alert-danger" in refused

    closer.post(url, {"returned": "1", "reason": "One kit torn in the rain"})
    event.refresh_from_db()
    assert event.status == "closed"
    assert (event.dispatched, event.distributed, event.returned, event.lost) == (
        Decimal(3),
        Decimal(1),
        Decimal(1),
        Decimal(1),
    )
    page = closer.get(f"/distributions/events/{event.public_id}/").content.decode()
    assert "One kit torn in the rain" in page


def test_a_planned_event_can_be_cancelled_with_a_reason():
    w = distribution_world(households=1)
    web = client_for(w.officer)
    web.post(f"/distributions/plans/{w.plan.public_id}/status/", {"to": "approved"})
    web.post(
        f"/distributions/plans/{w.plan.public_id}/events/new/",
        {"place": str(w.camp.public_id), "date": w.today.isoformat()},
    )
    event = Event.objects.get(plan=w.plan)
    web.post(f"/distributions/events/{event.public_id}/cancel/", {"reason": "Road closed"})
    event.refresh_from_db()
    assert event.status == "cancelled"


def test_a_monitoring_sample_is_drawn_and_its_calls_are_listed():
    w = distribution_world(households=3)
    event = open_event(w)
    web = client_for(w.field)
    for i, household in enumerate(w.households):
        _receipt(web, event, household, client_key=f"k{i}")
    officer = client_for(w.officer)
    response = officer.post(
        f"/distributions/plans/{w.plan.public_id}/samples/new/", {"size": "2", "seed": "7"}
    )
    sample = MonitoringSample.objects.get(plan=w.plan)
    assert response.status_code == 302 and sample.size == 2 and sample.seed == 7
    page = officer.get(f"/distributions/samples/{sample.public_id}/").content.decode()
    assert page.count('data-testid="sample-row"') == 2
    assert "0 of 2 called" in page


def test_the_event_and_project_reports_show_who_was_served():
    w = distribution_world(households=2, members=3)
    event = open_event(w)
    _receipt(client_for(w.field), event, w.households[0])
    web = client_for(w.officer)
    page = web.get(f"/distributions/events/{event.public_id}/report/").content.decode()
    assert 'data-testid="report-households">1<' in page
    assert 'data-testid="report-individuals">3<' in page
    assert 'data-testid="export-xlsx"' in page and 'data-testid="export-pdf"' in page
    page = web.get(f"/distributions/projects/{w.project.public_id}/report/").content.decode()
    assert 'data-testid="report-households">1<' in page and w.kit.code in page


def test_the_plan_list_filters_by_status_and_hides_other_scopes():
    w = distribution_world(households=1)
    web = client_for(w.officer)
    page = web.get("/distributions/", {"status": "draft"}).content.decode()
    assert w.plan.name in page
    page = web.get("/distributions/", {"status": "closed"}).content.decode()
    assert w.plan.name not in page


def test_the_day_page_reads_right_to_left_in_arabic():
    w = distribution_world(households=1)
    event = open_event(w)
    html = in_language(w.field, "ar").get(f"/distributions/events/{event.public_id}/day/")
    text = html.content.decode()
    assert 'dir="rtl"' in text and "bootstrap.rtl.min.css" in text


def test_the_receipt_answer_is_json_the_phone_can_queue_on():
    w = distribution_world(households=1)
    event = open_event(w)
    response = _receipt(client_for(w.field), event, w.households[0])
    payload = json.loads(response.content)
    assert set(payload) >= {"ok", "receipt", "message", "counter", "at"}


def test_a_monitoring_call_is_recorded_from_the_sample_page():
    w = distribution_world(households=1)
    event = open_event(w)
    _receipt(client_for(w.field), event, w.households[0])
    officer = client_for(w.officer)
    officer.post(f"/distributions/plans/{w.plan.public_id}/samples/new/", {"size": "1"})
    sample = MonitoringSample.objects.get(plan=w.plan)
    row = sample.rows.get()
    response = officer.post(
        f"/distributions/samples/{sample.public_id}/rows/{row.pk}/",
        {
            f"row{row.pk}-outcome": "reached",
            f"row{row.pk}-satisfied": "false",
            f"row{row.pk}-notes": "Heater missing",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="sample-saved"' in response.content.decode()
    row.refresh_from_db()
    assert (row.outcome, row.satisfied, row.notes) == ("reached", False, "Heater missing")
    page = officer.get(f"/distributions/samples/{sample.public_id}/").content.decode()
    assert "1 of 1 called" in page


def test_the_report_exports_run_as_a_job(django_capture_on_commit_callbacks):
    from sanad.core.models import Job

    w = distribution_world(households=1)
    event = open_event(w)
    _receipt(client_for(w.field), event, w.households[0])
    web = client_for(w.officer)
    for target, key in (("event", event.public_id), ("project", w.project.public_id)):
        for fmt in ("xlsx", "pdf"):
            with django_capture_on_commit_callbacks(execute=True):
                response = web.post(
                    "/distributions/reports/export/",
                    {"target": target, "id": str(key), "format": fmt},
                )
            assert response.status_code == 302 and "/jobs/" in response["Location"]
    jobs = Job.objects.filter(kind="distribution.report_export")
    assert jobs.count() == 4
    assert {j.status for j in jobs} == {Job.Status.SUCCEEDED}, [j.error for j in jobs]


def test_a_warehouse_officer_dispatches_kits_to_an_event_from_its_page():
    w = distribution_world(households=2)
    web = client_for(w.officer)
    web.post(f"/distributions/plans/{w.plan.public_id}/status/", {"to": "approved"})
    web.post(
        f"/distributions/plans/{w.plan.public_id}/events/new/",
        {"place": str(w.camp.public_id), "date": w.today.isoformat()},
    )
    event = Event.objects.get(plan=w.plan)
    store = client_for(w.storekeeper)
    assert (
        'data-testid="event-dispatch"'
        in store.get(f"/distributions/events/{event.public_id}/").content.decode()
    )
    store.post(f"/distributions/events/{event.public_id}/dispatch/", {"quantity": "2"})
    event.refresh_from_db()
    assert event.status == "open" and event.dispatched == Decimal(2)

"""The maintenance pages as people use them, on a phone too: raising a ticket with a
photo, the team recording its work with photos, a manager verifying, the list with
overdue tickets, assets and schedules, and raising a ticket from a feedback case."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sanad.camps.models import Asset, MaintenanceSchedule, Ticket
from sanad.camps.services import tickets as services
from tests.camps.factories import make_site
from tests.camps.tickets_factories import (  # noqa: F401  (photo_dir: autouse fixture)
    assigned_ticket,
    done_ticket,
    jpeg_bytes,
    make_asset,
    photo,
    photo_dir,
    raise_ticket,
)
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.feedback.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site(name="Domiz 1")


@pytest.fixture
def manager():
    return make_user("camp_manager", governorates=(DUHOK,))


@pytest.fixture
def worker():
    return make_user("maintenance_team", governorates=(DUHOK,))


def test_raising_a_ticket_with_a_photo_from_the_form(manager, site):
    tap = make_asset(site, code="TAP-B-04")
    client = client_for(manager)
    url = reverse("camps:ticket_create") + f"?site={site.public_id}&asset={tap.public_id}"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'enctype="multipart/form-data"' in body and "TAP-B-04" in body
    assert 'accept="image/jpeg,image/png,image/webp"' in body
    response = client.post(
        url,
        {
            "site": str(site.public_id),
            "asset": str(tap.public_id),
            "title": "Tap leaking",
            "priority": "high",
            "source": "inspection",
            "asset_condition": "poor",
            "photos": [photo(), photo("b.jpg")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("camps:ticket_detail", args=[ticket.public_id])
    assert ticket.asset == tap and ticket.source == "inspection" and ticket.category == "water"
    assert ticket.photos.count() == 2


def test_a_form_error_is_shown_beside_the_field(manager, site):
    client = client_for(manager)
    response = client.post(
        reverse("camps:ticket_create"),
        {
            "site": str(site.public_id),
            "title": "x",
            "priority": "normal",
            "source": "staff",
            "photos": [photo("bad.jpg", b"not an image")],
        },
    )
    assert response.status_code == 400
    assert "is not a JPEG, PNG or WebP photo" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_whole_job_through_the_pages(manager, worker, site):
    ticket = raise_ticket(manager, site)
    mgr, team = client_for(manager), client_for(worker)
    action = lambda name: reverse("camps:ticket_action", args=[ticket.public_id, name])  # noqa: E731
    assert (
        mgr.post(
            action("triage"), {"triage-priority": "urgent", "triage-category": "water"}
        ).status_code
        == 302
    )
    assert (
        mgr.post(
            action("assign"), {"assign-assignee": worker.username, "assign-team": "WASH"}
        ).status_code
        == 302
    )
    detail = team.get(reverse("camps:ticket_detail", args=[ticket.public_id]))
    assert 'data-testid="ticket-work-form"' in detail.content.decode()
    # no photo: refused, the form says so
    refused = team.post(action("work"), {"work-work_done": "Fixed"})
    assert refused.status_code == 400
    assert "Add at least one photo of the work done." in refused.content.decode()
    done = team.post(action("work"), {"work-work_done": "Fixed", "work-photos": [photo()]})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "done"
    assert team.post(action("verify")).status_code == 403  # the team cannot verify
    assert mgr.post(action("verify")).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "verified" and ticket.verified_by == manager


def test_the_person_who_recorded_the_work_is_told_someone_else_verifies(manager, site):
    ticket = done_ticket(manager, manager, site)
    page = client_for(manager).get(reverse("camps:ticket_detail", args=[ticket.public_id]))
    body = page.content.decode()
    assert 'data-testid="ticket-verify-other"' in body
    assert 'data-testid="ticket-verify"' not in body
    response = client_for(manager).post(
        reverse("camps:ticket_action", args=[ticket.public_id, "verify"]), follow=True
    )
    assert "Someone other than who recorded the work must verify it." in response.content.decode()


def test_an_unknown_action_is_not_found(manager, site):
    ticket = raise_ticket(manager, site)
    url = reverse("camps:ticket_action", args=[ticket.public_id, "explode"])
    assert client_for(manager).post(url).status_code == 404


def test_the_list_highlights_overdue_tickets_and_filters_them(manager, site):
    late = raise_ticket(manager, site, title="Late one", priority="urgent")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    raise_ticket(manager, site, title="On time")
    client = client_for(manager)
    body = client.get(reverse("camps:ticket_list")).content.decode()
    assert 'class="table-danger"' in body and 'data-testid="ticket-overdue"' in body
    overdue = client.get(reverse("camps:ticket_list") + "?overdue=1").content.decode()
    assert "Late one" in overdue and "On time" not in overdue


def test_the_list_filters_by_site_mine_and_hides_closed_by_default(manager, worker, site):
    other = make_site(name="Kabarto 1")
    mine = assigned_ticket(manager, site, assignee=worker, title="Mine")
    raise_ticket(manager, other, title="Elsewhere")
    rejected = raise_ticket(manager, site, title="Rejected one")
    services.ticket_reject(user=manager, ticket=rejected, reason="Duplicate")
    client = client_for(worker)
    url = reverse("camps:ticket_list")
    assert "Mine" in client.get(url + "?mine=1").content.decode()
    assert "Elsewhere" not in client.get(url + "?mine=1").content.decode()
    by_site = client.get(url + f"?site={site.public_id}").content.decode()
    assert "Elsewhere" not in by_site and "Rejected one" not in by_site
    assert "Rejected one" in client.get(url + "?open=0").content.decode()
    assert mine.number in by_site


def test_the_list_is_a_fixed_number_of_queries(manager, site, django_assert_max_num_queries):
    for i in range(5):
        raise_ticket(manager, site, title=f"T{i}", asset=make_asset(site))
    client = client_for(manager)
    client.get(reverse("camps:ticket_list"))
    with django_assert_max_num_queries(20):
        client.get(reverse("camps:ticket_list"))


def test_photos_are_served_only_to_who_may_see_the_ticket(manager, site):
    ticket = raise_ticket(manager, site, photos=[photo()])
    stored = ticket.photos.get()
    url = reverse("camps:ticket_photo", args=[stored.public_id])
    response = client_for(manager).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    erbil = make_user("camp_manager", governorates=(ERBIL,))
    assert client_for(erbil).get(url).status_code == 404
    donor = make_user("donor_viewer")
    assert client_for(donor).get(url).status_code == 403


def test_the_detail_page_is_phone_friendly_and_right_to_left(manager, site):
    ticket = raise_ticket(manager, site, photos=[photo()])
    client = client_for(manager)
    client.cookies["django_language"] = "ar"
    response = client.get(
        reverse("camps:ticket_detail", args=[ticket.public_id]), HTTP_ACCEPT_LANGUAGE="ar"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in body
    assert "sanad/photo.js" in body and "onclick" not in body
    assert "ml-" not in body.split("<main", 1)[-1].split("</main>")[0].replace("html-", "")


# --- assets and schedules ----------------------------------------------------------------


def test_recording_and_editing_an_asset_through_the_pages(manager, site):
    client = client_for(manager)
    response = client.post(
        reverse("camps:asset_create") + f"?site={site.public_id}",
        {"site": str(site.public_id), "kind": "latrine", "code": "LAT-A-1", "condition": "good"},
    )
    assert response.status_code == 302
    asset = Asset.objects.get(code="LAT-A-1")
    edit = reverse("camps:asset_edit", args=[asset.public_id])
    assert (
        client.post(edit, {"kind": "latrine", "code": "LAT-A-1", "condition": "broken"}).status_code
        == 302
    )
    page = client.get(edit).content.decode()
    assert 'data-testid="asset-condition-history"' in page and "Not working" in page
    listing = client.get(reverse("camps:asset_list") + f"?site={site.public_id}").content.decode()
    assert "LAT-A-1" in listing and "Report a problem" in listing


def test_the_maintenance_team_sees_assets_but_cannot_edit_them(worker, site):
    asset = make_asset(site)
    client = client_for(worker)
    assert client.get(reverse("camps:asset_list")).status_code == 200
    assert client.get(reverse("camps:asset_edit", args=[asset.public_id])).status_code == 403


def test_adding_a_schedule_through_the_page(manager, site):
    client = client_for(manager)
    response = client.post(
        reverse("camps:schedule_create"),
        {
            "site": str(site.public_id),
            "task": "Flush the pipes",
            "asset_kind": "pipe",
            "priority": "normal",
            "every_days": "90",
            "next_due_on": "2026-04-01",
            "active": "on",
        },
    )
    assert response.status_code == 302
    schedule = MaintenanceSchedule.objects.get()
    assert schedule.category == "water" and schedule.every_days == 90
    assert "Flush the pipes" in client.get(reverse("camps:schedule_list")).content.decode()
    edit = client.get(reverse("camps:schedule_edit", args=[schedule.public_id]))
    assert edit.status_code == 200


# --- from a feedback case ------------------------------------------------------------------


def test_the_case_page_links_to_raising_a_ticket_for_who_may(manager, site):
    case = make_case(place=site.place)
    url = reverse("feedback:case_detail", args=[case.public_id])
    assert 'data-testid="case-raise-ticket"' in client_for(manager).get(url).content.decode()
    officer = make_user("feedback_manager", governorates=(DUHOK,))
    assert 'data-testid="case-raise-ticket"' in client_for(officer).get(url).content.decode()
    focal = make_user("psea_focal_point", governorates=(DUHOK,))
    assert 'data-testid="case-raise-ticket"' not in client_for(focal).get(url).content.decode()


def test_raising_from_a_case_asks_before_copying_personal_words(manager, site):
    case = make_case(place=site.place, description="Layla in tent 7: the latrine door is broken.")
    client = client_for(manager)
    url = reverse("camps:ticket_from_case", args=[case.public_id])
    form = client.get(url)
    body = form.content.decode()
    assert form.status_code == 200
    assert case.reference in body and 'name="copy_description"' in body
    response = client.post(url, {"site": str(site.public_id), "priority": "normal", "title": ""})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert "Layla" not in ticket.title + ticket.description
    # a second visit goes to the existing ticket
    again = client.get(url)
    assert again.status_code == 302 and again.url.endswith(f"{ticket.public_id}/")
    detail = client.get(again.url).content.decode()
    assert 'data-testid="ticket-case"' in detail


def test_an_abuse_report_is_not_found_on_the_from_case_page(manager, site):
    report = make_case(category="sea", place=site.place, description="Abuse report")
    url = reverse("camps:ticket_from_case", args=[report.public_id])
    client = client_for(manager)
    assert client.get(url).status_code == 404
    assert client.post(url, {"site": str(site.public_id), "priority": "normal"}).status_code == 404
    assert not Ticket.objects.exists()


def test_a_hotline_operator_without_site_access_goes_back_to_the_case(site):
    operator = make_user("hotline_operator", governorates=(DUHOK,))
    case = make_case(place=site.place)
    url = reverse("camps:ticket_from_case", args=[case.public_id])
    response = client_for(operator).post(url, {"site": str(site.public_id), "priority": "high"})
    assert response.status_code == 302
    assert response.url == reverse("feedback:case_detail", args=[case.public_id])
    assert Ticket.objects.get().priority == "high"


# --- API ------------------------------------------------------------------------------------


def test_the_api_lists_and_raises_tickets(manager, site):
    tap = make_asset(site)
    api = api_client_for(manager)
    created = api.post(
        "/api/v1/camps/tickets/",
        {
            "site": str(site.public_id),
            "asset": str(tap.public_id),
            "title": "Leak",
            "priority": "urgent",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["number"].startswith("CM-") and data["category"] == "water"
    assert data["asset"] == str(tap.public_id) and data["overdue"] is False
    listed = api.get("/api/v1/camps/tickets/?priority=urgent").json()
    assert [t["number"] for t in listed["results"]] == [data["number"]]
    assets = api.get(f"/api/v1/camps/assets/?site={site.public_id}").json()
    assert [a["code"] for a in assets["results"]] == [tap.code]

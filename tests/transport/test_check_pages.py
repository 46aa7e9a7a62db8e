"""The departure and arrival pages on a phone: ticks and scans work as plain form posts
and as fetch (JSON), re-balancing and departing from the page, completing, incidents,
Arabic."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanad.transport.models import Convoy, ConvoyLoad, Incident
from sanad.transport.services import checks
from tests.conftest import client_for
from tests.factories import make_user
from tests.transport.test_checks import departed_convoy, officer, ready_convoy, reg

pytestmark = pytest.mark.django_db


def url(name: str, convoy: Convoy) -> str:
    return reverse(f"transport:{name}", args=[convoy.public_id])


def test_the_departure_page_lists_households_by_vehicle_with_counters_and_buttons():
    convoy, loads = ready_convoy(households=2, vehicles=("bus", "minibus"), placement=[0, 1])
    response = client_for(officer()).get(url("convoy_departure", convoy))
    body = response.content.decode()
    assert response.status_code == 200
    for load in loads:
        assert reg(load) in body
        assert load.convoy_vehicle.vehicle.plate_number in body
    assert 'data-testid="btn-boarded"' in body and 'data-testid="scan-form"' in body
    assert 'data-testid="count-planned">2<' in body
    assert "<script>" not in body.split("</footer>")[0]  # no inline script: strict CSP


def test_a_viewer_sees_the_departure_page_without_buttons():
    convoy, _loads = ready_convoy(households=1)
    body = client_for(make_user("im_officer")).get(url("convoy_departure", convoy)).content.decode()
    assert 'data-testid="btn-boarded"' not in body and 'data-testid="depart"' not in body


def test_a_tick_posted_without_javascript_redirects_back_with_the_vehicle():
    convoy, (load,) = ready_convoy(households=1)
    response = client_for(officer()).post(
        url("convoy_check", convoy),
        {"action": "boarded", "load": str(load.public_id), "stage": "departure"},
        follow=True,
    )
    load.refresh_from_db()
    assert load.status == ConvoyLoad.Status.BOARDED
    assert load.convoy_vehicle.vehicle.plate_number in response.content.decode()


def test_a_scan_by_fetch_answers_json_with_the_vehicle_and_counters():
    convoy, (load, _other) = ready_convoy(households=2)
    response = client_for(officer()).post(
        url("convoy_check", convoy),
        {"action": "scan", "code": reg(load), "stage": "departure"},
        HTTP_ACCEPT="application/json",
    )
    data = response.json()
    assert data["ok"] and data["status"] == "boarded"
    assert data["vehicle"] == load.convoy_vehicle.vehicle.plate_number
    assert data["counts"]["boarded"] == 1 and data["counts"]["planned"] == 1


def test_a_scan_of_a_household_not_in_the_convoy_answers_a_clear_message():
    convoy, _loads = ready_convoy(households=1)
    response = client_for(officer()).post(
        url("convoy_check", convoy),
        {"action": "scan", "code": "SND-NOPE-0000", "stage": "departure"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 404
    assert "not on this movement" in response.json()["message"]


def test_rebalance_and_depart_from_the_page(settings):
    settings.SANAD_TRANSPORT_PLAN_SECONDS = 1.0
    client = client_for(officer())
    convoy, loads = ready_convoy(households=3)
    for load, action in zip(loads, ("boarded", "boarded", "no_show"), strict=True):
        client.post(url("convoy_check", convoy), {"action": action, "load": str(load.public_id)})
    body = client.get(url("convoy_departure", convoy)).content.decode()
    assert 'data-testid="rebalance-box"' in body and 'rebalance-box" hidden' not in body
    response = client.post(url("convoy_rebalance", convoy), follow=True)
    assert "No household had to change vehicle" in response.content.decode()
    response = client.post(url("convoy_depart", convoy), follow=True)
    assert response.redirect_chain[-1][0] == url("convoy_arrival", convoy)
    convoy.refresh_from_db()
    assert convoy.status == Convoy.Status.DEPARTED


def test_depart_refused_on_the_page_says_how_many_households_are_pending():
    convoy, _loads = ready_convoy(households=2)
    response = client_for(officer()).post(url("convoy_depart", convoy), follow=True)
    assert "2 households are neither boarded nor marked no-show" in response.content.decode()


def test_the_arrival_page_checks_in_shows_the_handover_and_completes():
    convoy, loads, user = departed_convoy(households=2)
    client = client_for(user)
    client.post(url("convoy_check", convoy), {"action": "arrived", "load": str(loads[0].public_id)})
    body = client.get(url("convoy_arrival", convoy)).content.decode()
    assert 'data-testid="handed-over"' in body and "ledger" in body
    assert reg(loads[1]) in body and 'data-testid="record-missing"' in body
    refused = client.post(url("convoy_complete", convoy), follow=True).content.decode()
    assert "Not checked in" in refused
    form = client.get(url("incident_create", convoy) + "?next=arrival&kind=missing")
    assert reg(loads[1]) in form.content.decode()
    response = client.post(
        url("incident_create", convoy),
        {
            "next": "arrival",
            "kind": "missing",
            "severity": "high",
            "occurred_at": "2026-01-01T10:00",
            "description": f"Not checked in on arrival: {reg(loads[1])}",
            "people_affected": "4",
            "households": [str(loads[1].movement_household.public_id)],
        },
    )
    assert response.status_code == 302 and response["Location"] == url("convoy_arrival", convoy)
    assert Incident.objects.filter(convoy=convoy, kind="missing").count() == 1
    client.post(url("convoy_complete", convoy))
    convoy.refresh_from_db()
    assert convoy.status == Convoy.Status.ARRIVED
    assert "Passenger missing" in client.get(url("convoy_arrival", convoy)).content.decode()


def test_an_incident_form_with_errors_is_shown_again():
    convoy, _loads = ready_convoy(households=1)
    response = client_for(officer()).post(
        url("incident_create", convoy), {"kind": "other", "occurred_at": "2026-01-01T10:00"}
    )
    assert response.status_code == 400


def test_the_pages_are_in_arabic():
    convoy, loads, user = departed_convoy(households=1)
    client = client_for(user)
    client.cookies["django_language"] = "ar"
    body = client.get(url("convoy_arrival", convoy), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in body
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="arrived")
    assert client.get(url("convoy_departure", convoy), HTTP_ACCEPT_LANGUAGE="ar").status_code == 200


def test_out_of_scope_convoys_are_404_and_roles_without_permission_403():
    from tests.factories import ERBIL

    convoy, _loads = ready_convoy(households=1)
    stranger = client_for(make_user("transport_officer", governorates=(ERBIL,)))
    assert stranger.get(url("convoy_departure", convoy)).status_code == 404
    assert stranger.post(url("convoy_check", convoy), {"action": "boarded"}).status_code == 404
    viewer = client_for(make_user("im_officer"))
    assert viewer.post(url("convoy_depart", convoy)).status_code == 403
    assert viewer.get(url("incident_create", convoy)).status_code == 403


def test_the_matrix_rows_hold_for_every_role():
    """The rows this part gives the permission matrix, run here for each role (the
    matrix test runs them too once the lead wires them in)."""
    from sanad.accounts.roles import Role, permissions_of
    from sanad.transport.models import Convoy as ConvoyModel
    from sanad.transport.models import ConvoyLoad as LoadModel
    from tests.accounts.test_permission_matrix import HIDDEN, Check, allowed
    from tests.factories import DUHOK
    from tests.transport.matrix_checks import checks_checks, checks_world

    world = checks_world()
    failures = []
    for role in [r.value for r in Role]:
        user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
        client = client_for(user)
        can = lambda r, p: p in permissions_of(r)  # noqa: E731
        for check in checks_checks(role, world, Check, can, allowed, HIDDEN):
            response = getattr(client, check.method)(check.url, check.data or {})
            if response.status_code not in check.expect:
                failures.append(f"{role} {check.label}: {response.status_code}")
    assert not failures, failures
    assert ConvoyModel.objects.get(pk=world["convoy_out"].pk).status == "ready"
    assert LoadModel.objects.get(pk=world["load_out"].pk).status == "planned"

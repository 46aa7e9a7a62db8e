"""The convoy pages as people use them: the list with its filters, creating a convoy
from a movement, the plan board (adding vehicles, planning, moving a household, the
planner's refusals shown on the page, ready and cancel), in English and Arabic, and the
API; out-of-scope convoys answer 404."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from sanad.transport.models import Convoy, ConvoyLoad, ConvoyVehicle
from sanad.transport.services import convoys as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.transport.factories import (
    add_household,
    make_convoy,
    make_driver,
    make_movement,
    make_place,
    make_vehicle,
    transport_programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _programme():
    transport_programme()


@pytest.fixture
def officer():
    return make_user("transport_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))


@pytest.fixture
def movement():
    return make_movement()


def _board(client, convoy):
    return client.get(reverse("transport:convoy_detail", args=[convoy.public_id]))


def test_creating_a_convoy_from_the_movement(officer, movement):
    client = client_for(officer)
    url = reverse("transport:convoy_create", args=[movement.public_id])
    page = client.get(url)
    assert page.status_code == 200 and movement.reference in page.content.decode()
    assert 'value="2026-11-30"' in page.content.decode()  # the requested date
    response = client.post(
        url, {"departs_on": "2026-12-01", "departure_time": "07:30", "oversize_policy": "refuse"}
    )
    convoy = Convoy.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transport:convoy_detail", args=[convoy.public_id])
    assert convoy.departs_on == datetime.date(2026, 12, 1)
    assert convoy.departure_time == datetime.time(7, 30)


def test_a_convoy_of_a_draft_movement_is_refused_on_the_form(officer):
    movement = make_movement(status="draft")
    response = client_for(officer).post(
        reverse("transport:convoy_create", args=[movement.public_id]),
        {"departs_on": "2026-12-01", "oversize_policy": "refuse"},
    )
    assert response.status_code == 400 and "approved" in response.content.decode()
    assert not Convoy.objects.exists()


def test_the_list_filters_by_status_and_date(officer, movement):
    a = make_convoy(movement, departs_on=datetime.date(2026, 12, 1))
    b = make_convoy(movement, departs_on=datetime.date(2026, 12, 20), status="ready")
    client = client_for(officer)
    url = reverse("transport:convoy_list")
    page = client.get(url).content.decode()
    assert a.reference in page and b.reference in page
    page = client.get(url, {"status": "ready"}).content.decode()
    assert a.reference not in page and b.reference in page
    page = client.get(url, {"from": "2026-12-10", "to": "2026-12-31"}).content.decode()
    assert a.reference not in page and b.reference in page


def test_the_list_keeps_its_query_count(officer, movement, django_assert_max_num_queries):
    for _ in range(3):
        convoy = make_convoy(movement, vehicles=("bus", "minibus"))
        add_household(movement, members=3)
        services.convoy_plan(user=officer, convoy=convoy)
    client = client_for(officer)
    client.get(reverse("transport:convoy_list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("transport:convoy_list")).status_code == 200


def test_adding_a_vehicle_planning_and_marking_ready_from_the_board(officer, movement):
    convoy = make_convoy(movement, vehicles=())
    rows = [add_household(movement, members=n) for n in (4, 5)]
    escorted = add_household(movement, members=2, fitness="escort")
    bus, ambulance, driver = make_vehicle("bus"), make_vehicle("ambulance"), make_driver()
    client = client_for(officer)
    page = _board(client, convoy).content.decode()
    assert bus.plate_number in page and driver.name in page  # offered
    vehicles = reverse("transport:convoy_vehicles", args=[convoy.public_id])
    response = client.post(
        vehicles,
        {"op": "add", "add-vehicle": str(bus.public_id), "add-driver": str(driver.public_id)},
    )
    assert response.status_code == 302
    response = client.post(
        vehicles,
        {"op": "add", "add-vehicle": str(ambulance.public_id), "add-escort_name": "Dr. Sara"},
    )
    assert response.status_code == 302
    response = client.post(reverse("transport:convoy_plan", args=[convoy.public_id]))
    assert response.status_code == 302
    loads = {load.movement_household_id: load for load in ConvoyLoad.objects.filter(convoy=convoy)}
    assert set(loads) == {rows[0].pk, rows[1].pk, escorted.pk}
    assert loads[escorted.pk].convoy_vehicle.vehicle == ambulance
    page = _board(client, convoy).content.decode()
    for row in (*rows, escorted):
        assert row.household.registration_id in page
    assert 'data-testid="escort-badge"' in page and "Dr. Sara" in page
    assert 'data-testid="no-driver"' in page  # the ambulance has none yet
    ready = reverse("transport:convoy_action", args=[convoy.public_id, "ready"])
    response = client.post(ready)
    assert response.status_code == 400 and ambulance.plate_number in response.content.decode()
    ambulance_cv = ConvoyVehicle.objects.get(convoy=convoy, vehicle=ambulance)
    response = client.post(
        vehicles,
        {
            "op": "update",
            "veh-convoy_vehicle": str(ambulance_cv.public_id),
            "veh-driver": str(make_driver().public_id),
            "veh-escort_name": "Dr. Sara",
        },
    )
    assert response.status_code == 302
    assert client.post(ready).status_code == 302
    page = _board(client, convoy).content.decode()
    assert reverse("transport:convoy_departure", args=[convoy.public_id]) in page
    assert f"?vehicle={ambulance_cv.public_id}" in page


def test_a_refused_vehicle_shows_why_on_the_board(officer, movement):
    convoy = make_convoy(movement, vehicles=())
    vehicle = make_vehicle("bus")
    make_convoy(movement, vehicles=()).vehicles.create(vehicle=vehicle, seats=45)
    response = client_for(officer).post(
        reverse("transport:convoy_vehicles", args=[convoy.public_id]),
        {"op": "add", "add-vehicle": str(vehicle.public_id)},
    )
    assert response.status_code == 400  # not offered: the form refuses it
    assert not ConvoyVehicle.objects.filter(convoy=convoy).exists()


def test_the_planners_refusal_is_shown_in_red_on_the_board(officer, movement):
    convoy = make_convoy(movement, vehicles=("ambulance", "ambulance"))
    row = add_household(movement, members=6)
    response = client_for(officer).post(reverse("transport:convoy_plan", args=[convoy.public_id]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="form-error"' in page and row.household.registration_id in page


def test_moving_a_household_by_hand_and_a_refused_move(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"), escorts=(True,))
    plain_row = add_household(movement, members=3)
    escorted = add_household(movement, members=2, fitness="escort")
    services.convoy_plan(user=officer, convoy=convoy)
    client = client_for(officer)
    move = reverse("transport:convoy_move", args=[convoy.public_id])
    plain = ConvoyVehicle.objects.get(convoy=convoy, escort_name="")
    load = ConvoyLoad.objects.get(movement_household=escorted)
    response = client.post(
        move,
        {
            "op": "move",
            "move-load": str(load.public_id),
            "move-convoy_vehicle": str(plain.public_id),
        },
    )
    assert response.status_code == 400
    assert "medical escort" in response.content.decode()
    other = ConvoyLoad.objects.get(movement_household=plain_row)
    target = ConvoyVehicle.objects.filter(convoy=convoy).exclude(pk=other.convoy_vehicle_id).get()
    response = client.post(
        move,
        {
            "op": "move",
            "move-load": str(other.public_id),
            "move-convoy_vehicle": str(target.public_id),
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.pinned and other.convoy_vehicle == target
    assert 'data-testid="pinned"' in _board(client, convoy).content.decode()
    response = client.post(move, {"op": "unpin", "move-load": str(other.public_id)})
    assert response.status_code == 302 and not ConvoyLoad.objects.get(pk=other.pk).pinned
    response = client.post(move, {"op": "remove", "move-load": str(other.public_id)})
    assert response.status_code == 302 and not ConvoyLoad.objects.filter(pk=other.pk).exists()


def test_cancelling_needs_a_reason(officer, movement):
    convoy = make_convoy(movement)
    client = client_for(officer)
    cancel = reverse("transport:convoy_action", args=[convoy.public_id, "cancel"])
    assert client.post(cancel, {"cancel-reason": ""}).status_code == 400
    assert client.post(cancel, {"cancel-reason": "Road closed"}).status_code == 302
    assert Convoy.objects.get(pk=convoy.pk).status == "cancelled"


def test_the_board_renders_in_arabic_right_to_left(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus", "luggage_truck"), escorts=(True,))
    add_household(movement, members=3, fitness="escort")
    services.convoy_plan(user=officer, convoy=convoy)
    client = client_for(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = _board(client, convoy)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'dir="rtl"' in html and convoy.reference in html
    main = html.split("<main", 1)[-1].split("</main>")[0]
    assert " ml-" not in main and " mr-" not in main and "text-left" not in main
    assert client.get(reverse("transport:convoy_list")).status_code == 200
    response = client.get(reverse("transport:convoy_create", args=[movement.public_id]))
    assert response.status_code == 200


def test_a_viewer_sees_the_board_without_the_planning_actions(movement):
    convoy = make_convoy(movement)
    viewer = make_user("im_officer")
    page = _board(client_for(viewer), convoy)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="plan-form"' not in html and 'data-testid="vehicle-add"' not in html
    response = client_for(viewer).post(reverse("transport:convoy_plan", args=[convoy.public_id]))
    assert response.status_code == 403


def test_a_convoy_out_of_scope_is_a_404(officer):
    erbil = make_movement(
        origin=make_place(governorate=ERBIL), destination=make_place(governorate=ERBIL)
    )
    convoy = make_convoy(erbil)
    client = client_for(officer)
    assert _board(client, convoy).status_code == 404
    assert client.post(reverse("transport:convoy_plan", args=[convoy.public_id])).status_code == 404
    assert convoy.reference not in client.get(reverse("transport:convoy_list")).content.decode()
    api = api_client_for(officer)
    assert api.get(f"/api/v1/transport/convoys/{convoy.public_id}/").status_code == 404


def test_the_api_lists_convoys_with_vehicle_usage_and_no_names(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus",))
    row = add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    api = api_client_for(officer)
    data = api.get("/api/v1/transport/convoys/").json()
    (item,) = data["results"]
    assert item["reference"] == convoy.reference and item["households"] == 1
    (vehicle,) = item["vehicles"]
    assert vehicle["usage"]["people"] == 4 and vehicle["usage"]["seats_used"] == 4
    assert vehicle["has_driver"] is True
    body = api.get(f"/api/v1/transport/convoys/{convoy.public_id}/").content.decode()
    driver = ConvoyVehicle.objects.get(convoy=convoy).driver
    assert driver.name not in body
    member = row.household.members.first()
    assert member.given_name_en not in body or not member.given_name_en

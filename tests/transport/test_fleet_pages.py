"""The fleet pages as people use them: registering a vehicle and seeing the refusal
beside the field, the list with its filters and seat totals, out of service and back,
drivers with their licence expiry, contractors with their contracts; the API without
drivers' personal data; out-of-scope records answer 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from sanad.core.models import PersonalDataAccess
from sanad.transport.models import Driver, TransportContract, Vehicle
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.transport.factories import (
    make_contractor,
    make_convoy,
    make_driver,
    make_movement,
    make_vehicle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_user("transport_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))


def test_registering_a_bus_from_the_form(officer):
    client = client_for(officer)
    assert client.get(reverse("transport:vehicle_create")).status_code == 200
    response = client.post(
        reverse("transport:vehicle_create"),
        {
            "kind": "bus",
            "plate_number": "Duhok 21483 a",
            "seats": "49",
            "wheelchair_places": "1",
            "stretcher_places": "0",
            "luggage_m3": "6",
            "governorates": [DUHOK],
        },
    )
    vehicle = Vehicle.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transport:vehicle_detail", args=[vehicle.public_id])
    assert (vehicle.plate_number, vehicle.seats) == ("Duhok 21483 A", 49)


def test_the_form_shows_the_services_refusal_beside_the_field(officer):
    make_vehicle(plate_number="Duhok 1 A")
    response = client_for(officer).post(
        reverse("transport:vehicle_create"),
        {
            "kind": "luggage_truck",
            "plate_number": "duhok-1-a",
            "seats": "0",
            "wheelchair_places": "0",
            "stretcher_places": "0",
            "luggage_m3": "30",
            "governorates": [DUHOK],
        },
    )
    assert response.status_code == 400
    assert "already registered" in response.content.decode()


def test_the_vehicle_list_filters_and_totals_the_seats_by_kind(
    officer, django_assert_max_num_queries
):
    make_vehicle("bus", seats=45, plate_number="BUS-ONE")
    make_vehicle("bus", seats=50, plate_number="BUS-TWO")
    make_vehicle("minibus", plate_number="MINI-ONE")
    make_vehicle("bus", governorate=ERBIL, plate_number="ERBIL-BUS")
    client = client_for(officer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("transport:vehicle_list")).content.decode()
    assert "BUS-ONE" in page and "MINI-ONE" in page and "ERBIL-BUS" not in page
    assert 'data-testid="total-bus"' in page and ">95<" in page
    page = client.get(reverse("transport:vehicle_list"), {"kind": "minibus"}).content.decode()
    assert "MINI-ONE" in page and "BUS-ONE" not in page
    page = client.get(reverse("transport:vehicle_list"), {"contractor": "nonsense"})
    assert page.status_code == 200 and "BUS-ONE" not in page.content.decode()


def test_taking_a_vehicle_out_of_service_warns_about_its_open_convoys(officer):
    convoy = make_convoy(make_movement(), departs_on=datetime.date.today())
    vehicle = convoy.vehicles.get().vehicle
    client = client_for(officer)
    url = reverse("transport:vehicle_action", args=[vehicle.public_id, "out-of-service"])
    assert client.post(url, {"out-reason": ""}).status_code == 400
    response = client.post(url, {"out-reason": "Flat tyre"}, follow=True)
    page = response.content.decode()
    assert convoy.reference in page and "Out of service" in page
    vehicle.refresh_from_db()
    assert vehicle.status == "out_of_service"
    detail = client.get(reverse("transport:vehicle_detail", args=[vehicle.public_id]))
    assert "Flat tyre" in detail.content.decode()
    assert reverse("transport:convoy_detail", args=[convoy.public_id]) in detail.content.decode()
    back = reverse("transport:vehicle_action", args=[vehicle.public_id, "back-in-service"])
    assert client.post(back, {}).status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.status == "active"


def test_the_driver_list_highlights_expired_licences_and_hides_phones_from_viewers(officer):
    make_driver(name="Sardar Expired", licence_expires_on=datetime.date(2020, 1, 1))
    make_driver(name="Shivan Valid", phone="+9647503182204", licence_expires_on=None)
    page = client_for(officer).get(reverse("transport:driver_list")).content.decode()
    assert 'data-testid="licence-expired"' in page and "+9647503182204" in page
    viewer = make_user("camp_manager", governorates=(DUHOK,))
    page = client_for(viewer).get(reverse("transport:driver_list")).content.decode()
    assert "Shivan Valid" in page and "+9647503182204" not in page


def test_registering_and_editing_a_driver_logs_the_view_of_the_record(officer):
    client = client_for(officer)
    response = client.post(
        reverse("transport:driver_create"),
        {"name": "Azad Khalil", "phone": "0750 633 4418", "governorates": [DUHOK]},
    )
    assert response.status_code == 302
    driver = Driver.objects.get()
    assert driver.phone == "+9647506334418"
    edit = reverse("transport:driver_edit", args=[driver.public_id])
    assert client.get(edit).status_code == 200
    assert PersonalDataAccess.objects.filter(object_pk=str(driver.pk)).count() == 1
    response = client.post(
        edit,
        {
            "name": "Azad Khalil Murad",
            "phone": "07506334418",
            "licence_expires_on": "2020-01-01",
            "governorates": [DUHOK],
            "is_active": "on",
        },
        follow=True,
    )
    assert "expired" in response.content.decode()
    driver.refresh_from_db()
    assert (driver.name, driver.is_active) == ("Azad Khalil Murad", True)


def test_a_contractor_page_shows_its_fleet_and_records_and_ends_contracts(officer):
    contractor = make_contractor(name="Zakho Star")
    make_vehicle(contractor=contractor, plate_number="ZS-BUS-1")
    make_driver(contractor=contractor, name="Hogir Sadiq")
    client = client_for(officer)
    url = reverse("transport:contract_create", args=[contractor.public_id])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "starts_on": "2026-02-01",
            "ends_on": "2026-01-01",
            "rate": "5",
            "rate_kind": "per_trip",
            "currency": "USD",
        },
    )
    assert bad.status_code == 400 and "cannot end before" in bad.content.decode()
    response = client.post(
        url,
        {
            "reference": "TRC-ZS-1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "rate": "185",
            "rate_kind": "per_trip",
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    contract = TransportContract.objects.get()
    page = client.get(reverse("transport:contractor_detail", args=[contractor.public_id]))
    text = page.content.decode()
    assert "ZS-BUS-1" in text and "Hogir Sadiq" in text and "TRC-ZS-1" in text
    client.post(reverse("transport:contract_action", args=[contract.public_id, "end"]))
    contract.refresh_from_db()
    assert contract.status == "ended"


def test_suspending_a_contractor_needs_a_reason(officer):
    contractor = make_contractor()
    client = client_for(officer)
    url = reverse("transport:contractor_action", args=[contractor.public_id, "suspend"])
    assert client.post(url, {"suspend-reason": ""}).status_code == 400
    assert client.post(url, {"suspend-reason": "Unsafe tyres"}).status_code == 302
    contractor.refresh_from_db()
    assert contractor.status == "suspended"
    url = reverse("transport:contractor_action", args=[contractor.public_id, "reactivate"])
    assert client.post(url, {}).status_code == 302


def test_registering_a_contractor_in_another_governorate_is_refused(officer):
    client = client_for(officer)
    response = client.post(
        reverse("transport:contractor_create"), {"name": "Erbil Co", "governorates": [ERBIL]}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("transport:contractor_create"),
        {"name": "Duhok Co", "phone": "0750 211 4470", "governorates": [DUHOK]},
    )
    assert response.status_code == 302


def test_out_of_scope_fleet_records_answer_404(officer):
    vehicle, contractor = make_vehicle(governorate=ERBIL), make_contractor(governorate=ERBIL)
    driver = make_driver(governorate=ERBIL)
    client = client_for(officer)
    for url in (
        reverse("transport:vehicle_detail", args=[vehicle.public_id]),
        reverse("transport:vehicle_edit", args=[vehicle.public_id]),
        reverse("transport:driver_edit", args=[driver.public_id]),
        reverse("transport:contractor_detail", args=[contractor.public_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_api_lists_vehicles_and_contractors_without_drivers_personal_data(officer):
    contractor = make_contractor(name="Zakho Star")
    vehicle = make_vehicle(contractor=contractor, plate_number="API-BUS-1")
    make_driver(contractor=contractor, phone="+9647503182204", licence_number="DH-SECRET")
    make_vehicle(governorate=ERBIL, plate_number="ERBIL-API")
    api = api_client_for(officer)
    body = api.get("/api/v1/transport/vehicles/").content.decode()
    assert "API-BUS-1" in body and "ERBIL-API" not in body
    one = api.get(f"/api/v1/transport/vehicles/{vehicle.public_id}/").json()
    assert one["seats"] == 45 and one["contractor_name"] == "Zakho Star"
    body = api.get("/api/v1/transport/contractors/").content.decode()
    assert "Zakho Star" in body
    assert "+9647503182204" not in body and "DH-SECRET" not in body
    free = api.get("/api/v1/transport/vehicles/", {"available_on": "2026-11-30"}).json()
    assert "API-BUS-1" in str(free)


@pytest.mark.parametrize("role", ["transport_officer", "camp_manager", "field_enumerator"])
def test_the_fleet_rows_of_the_permission_matrix_hold(role):
    """The same rows the project-wide matrix runs, for a role that manages the fleet, one
    that only sees it and one that does neither."""
    from dataclasses import dataclass
    from typing import Any

    from sanad.accounts.roles import permissions_of
    from tests.transport.matrix_fleet import fleet_checks, fleet_world

    @dataclass
    class Check:
        label: str
        method: str
        url: str
        expect: set[int]
        data: dict[str, Any] | None = None
        api: bool = False
        absent: str | None = None

    def allowed(ok, *, ok_codes=None, denied=None):
        return (ok_codes or {200}) if ok else (denied or {403})

    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    web, api = client_for(user), api_client_for(user)
    checks = fleet_checks(
        role, fleet_world(), Check, lambda r, p: p in permissions_of(r), allowed, {403, 404}
    )
    failures = []
    for check in checks:
        client = api if check.api else web
        response = getattr(client, check.method)(check.url, check.data or {})
        if response.status_code not in check.expect:
            failures.append(f"{check.label}: {response.status_code}")
        elif (
            response.status_code == 200
            and check.absent
            and check.absent in response.content.decode()
        ):
            failures.append(f"{check.label}: shows {check.absent}")
    assert not failures, failures

"""The fleet through its services and selectors: contractors and contracts, vehicles
with capacities that follow their kind, drivers with licences and phones, the status
changes, scope, and which vehicles and drivers are free on a day."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.transport.models import Convoy, Vehicle
from sanad.transport.selectors import fleet as selectors
from sanad.transport.services import fleet as services
from tests.factories import DUHOK, ERBIL, NINEWA, ProjectFactory, make_user, unit
from tests.transport.factories import (
    make_contractor,
    make_convoy,
    make_driver,
    make_movement,
    make_vehicle,
    transport_programme,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 30)


@pytest.fixture
def officer():
    return make_user("transport_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))


def bus(officer, **kwargs):
    values = {
        "kind": "bus",
        "plate_number": "Duhok 12345 A",
        "seats": 45,
        "luggage_m3": "5",
        "governorates": [unit(DUHOK)],
    }
    values.update(kwargs)
    return services.vehicle_create(user=officer, **values)


def codes(exc):
    return exc.value.code


# --- vehicles --------------------------------------------------------------------------


def test_a_bus_is_registered_with_its_capacities_and_governorate(officer):
    vehicle = bus(officer, wheelchair_places=1, description="Hyundai Universe")
    assert (vehicle.kind, vehicle.seats, vehicle.wheelchair_places) == ("bus", 45, 1)
    assert vehicle.luggage_m3 == Decimal("5.00")
    assert [g.pcode for g in vehicle.governorates.all()] == [DUHOK]
    assert vehicle.status == "active" and vehicle.created_by == officer


def test_the_plate_number_is_kept_in_one_spelling(officer):
    vehicle = bus(officer, plate_number="  duhok-١٢٣٤٥   a ")
    assert vehicle.plate_number == "duhok 12345 A"


def test_a_plate_number_already_registered_is_refused_whatever_its_spelling(officer):
    bus(officer, plate_number="Duhok 12345 A")
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, plate_number="DUHOK-12345-a")
    assert codes(exc) == "plate_taken"
    assert "already registered" in str(exc.value.fields["plate_number"][0])


def test_a_luggage_truck_has_no_seats_and_some_luggage_space(officer):
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, kind="luggage_truck", seats=2, luggage_m3="30")
    assert codes(exc) == "truck_has_seats"
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, kind="luggage_truck", seats=0, luggage_m3="0")
    assert codes(exc) == "truck_without_luggage"
    truck = bus(officer, kind="luggage_truck", seats=0, luggage_m3="30")
    assert truck.luggage_m3 == Decimal("30.00")


def test_an_ambulance_needs_a_stretcher_place_and_a_bus_a_seat(officer):
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, kind="ambulance", seats=3, stretcher_places=0)
    assert codes(exc) == "ambulance_without_stretcher"
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, kind="minibus", seats=0)
    assert codes(exc) == "vehicle_without_seats"
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, seats=-1)
    assert codes(exc) == "seats_negative"


def test_a_vehicle_needs_governorates_within_the_officers_scope(officer):
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, governorates=[])
    assert codes(exc) == "governorates_required"
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, governorates=[unit(ERBIL)])
    assert codes(exc) == "governorate_out_of_scope"
    assert "Erbil" in str(exc.value.message)


def test_a_suspended_contractors_vehicle_cannot_be_registered(officer):
    contractor = make_contractor(status="suspended")
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, contractor=contractor)
    assert codes(exc) == "contractor_suspended"


def test_a_contractor_out_of_scope_cannot_be_chosen(officer):
    with pytest.raises(ValidationFailed) as exc:
        bus(officer, contractor=make_contractor(governorate=ERBIL))
    assert codes(exc) == "contractor_not_found"


def test_editing_a_vehicle_changes_only_what_is_given(officer):
    vehicle = bus(officer, wheelchair_places=1)
    services.vehicle_update(user=officer, vehicle=vehicle, seats=49, plate_number="Duhok 777 b")
    vehicle.refresh_from_db()
    assert (vehicle.seats, vehicle.wheelchair_places, vehicle.plate_number) == (
        49,
        1,
        "Duhok 777 B",
    )
    assert [g.pcode for g in vehicle.governorates.all()] == [DUHOK]


def test_a_vehicle_keeps_its_contractor_after_the_contractor_is_suspended(officer):
    contractor = make_contractor()
    vehicle = bus(officer, contractor=contractor)
    services.contractor_transition(user=officer, contractor=contractor, to="suspended", reason="x")
    contractor.refresh_from_db()
    services.vehicle_update(user=officer, vehicle=vehicle, contractor=contractor, seats=40)
    assert Vehicle.objects.get(pk=vehicle.pk).seats == 40


def test_a_vehicle_goes_out_of_service_with_a_reason_and_comes_back(officer):
    vehicle = bus(officer)
    with pytest.raises(ValidationFailed) as exc:
        services.vehicle_transition(user=officer, vehicle=vehicle, to="out_of_service")
    assert codes(exc) == "reason_required"
    services.vehicle_transition(
        user=officer, vehicle=vehicle, to="out_of_service", reason="Broken gearbox"
    )
    assert Vehicle.objects.get(pk=vehicle.pk).status == "out_of_service"
    services.vehicle_transition(user=officer, vehicle=vehicle, to="active")
    steps = StatusTransition.objects.filter(object_pk=str(vehicle.pk)).order_by("id")
    assert [(s.to_state, s.reason, s.by) for s in steps] == [
        ("out_of_service", "Broken gearbox", officer),
        ("active", "", officer),
    ]


def test_a_vehicle_out_of_scope_is_not_found_and_a_viewer_may_not_change_the_fleet(officer):
    outside = make_vehicle(governorate=ERBIL)
    with pytest.raises(NotFound):
        services.vehicle_update(user=officer, vehicle=outside, seats=3)
    viewer = make_user("camp_manager", governorates=(DUHOK,))
    with pytest.raises(PermissionDenied):
        bus(viewer)


# --- contractors and contracts ---------------------------------------------------------


def test_a_contractor_is_registered_and_its_phone_normalised(officer):
    contractor = services.contractor_create(
        user=officer, name="Zakho Star", phone="0750 211 4470", governorates=[unit(DUHOK)]
    )
    assert contractor.phone == "+9647502114470"
    with pytest.raises(ValidationFailed) as exc:
        services.contractor_create(user=officer, name="zakho star", governorates=[unit(DUHOK)])
    assert codes(exc) == "contractor_exists"
    with pytest.raises(ValidationFailed) as exc:
        services.contractor_create(
            user=officer, name="Other", phone="12", governorates=[unit(DUHOK)]
        )
    assert codes(exc) == "invalid_phone"


def test_a_contractor_is_suspended_with_a_reason_and_reactivated(officer):
    contractor = make_contractor()
    with pytest.raises(ValidationFailed):
        services.contractor_transition(user=officer, contractor=contractor, to="suspended")
    services.contractor_transition(
        user=officer, contractor=contractor, to="suspended", reason="Unsafe tyres"
    )
    assert contractor.status == "suspended"
    services.contractor_transition(user=officer, contractor=contractor, to="active")
    contractor.refresh_from_db()
    assert contractor.status == "active"


def test_a_contract_has_a_valid_period_a_rate_and_a_unique_reference(officer):
    contractor = make_contractor()
    transport_programme()
    project = ProjectFactory(programme=transport_programme(), code="TRP-T-1")
    contract = services.contract_create(
        user=officer,
        contractor=contractor,
        reference="trc-1",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        rate="185",
        project=project,
    )
    assert (contract.reference, contract.rate, contract.currency) == (
        "TRC-1",
        Decimal("185"),
        "USD",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create(
            user=officer,
            contractor=contractor,
            reference="TRC-1",
            starts_on=DAY,
            ends_on=DAY,
            rate="1",
        )
    assert codes(exc) == "reference_taken"
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create(
            user=officer,
            contractor=contractor,
            starts_on=DAY,
            ends_on=DAY - datetime.timedelta(days=1),
            rate="1",
        )
    assert codes(exc) == "period_reversed"
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create(
            user=officer, contractor=contractor, starts_on=DAY, ends_on=DAY, rate="-1"
        )
    assert codes(exc) == "rate_negative"


def test_a_contract_without_reference_is_numbered_and_a_project_must_be_transports(officer):
    contractor = make_contractor()
    contract = services.contract_create(
        user=officer, contractor=contractor, starts_on=DAY, ends_on=DAY, rate="0"
    )
    assert contract.reference.startswith("TRC-") and contract.project is None
    nfi = ProjectFactory(code="NFI-T-1")
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create(
            user=officer, contractor=contractor, starts_on=DAY, ends_on=DAY, rate="1", project=nfi
        )
    assert codes(exc) == "project_not_transport"


def test_a_suspended_contractor_gets_no_new_contract(officer):
    contractor = make_contractor(status="suspended")
    with pytest.raises(Conflict) as exc:
        services.contract_create(
            user=officer, contractor=contractor, starts_on=DAY, ends_on=DAY, rate="1"
        )
    assert codes(exc) == "contractor_suspended"


def test_a_contract_is_ended_and_reactivated_only_within_its_period(officer):
    contractor = make_contractor()
    today = datetime.date.today()
    current = services.contract_create(
        user=officer,
        contractor=contractor,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        rate="1",
    )
    services.contract_transition(user=officer, contract=current, to="ended")
    services.contract_transition(user=officer, contract=current, to="active")
    assert current.status == "active"
    past = services.contract_create(
        user=officer,
        contractor=contractor,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
        rate="1",
    )
    services.contract_transition(user=officer, contract=past, to="ended")
    with pytest.raises(Conflict) as exc:
        services.contract_transition(user=officer, contract=past, to="active")
    assert codes(exc) == "contract_period_passed"


# --- drivers ---------------------------------------------------------------------------


def test_a_driver_is_registered_with_a_normalised_phone(officer):
    driver = services.driver_create(
        user=officer,
        name="Shivan Haji Ali",
        phone="٠٧٥٠ ٣١٨ ٢٢٠٤",
        licence_number="dh-0451823",
        licence_expires_on=DAY,
        governorates=[unit(DUHOK)],
    )
    assert (driver.phone, driver.licence_number) == ("+9647503182204", "DH-0451823")
    with pytest.raises(ValidationFailed) as exc:
        services.driver_create(
            user=officer, name="Other", licence_number="DH-0451823", governorates=[unit(DUHOK)]
        )
    assert codes(exc) == "licence_taken"


def test_an_expired_licence_is_accepted_but_flagged(officer):
    driver = services.driver_create(
        user=officer,
        name="Sardar Mustafa",
        licence_expires_on=datetime.date(2020, 1, 1),
        governorates=[unit(DUHOK)],
    )
    assert selectors.licence_expired(driver)
    assert selectors.licence_state(driver) == "expired"
    soon = datetime.date.today() + datetime.timedelta(days=10)
    services.driver_update(user=officer, driver=driver, licence_expires_on=soon)
    assert selectors.licence_state(driver) == "expiring"


def test_a_driver_can_be_made_inactive(officer):
    driver = make_driver()
    services.driver_update(user=officer, driver=driver, is_active=False)
    driver.refresh_from_db()
    assert driver.is_active is False


# --- selectors -------------------------------------------------------------------------


def test_each_sees_the_fleet_of_their_governorates():
    inside, outside = make_vehicle(), make_vehicle(governorate=ERBIL)
    viewer = make_user("camp_manager", governorates=(DUHOK,), programmes=("NFI",))
    assert list(selectors.vehicles_visible(viewer)) == [inside]
    assert outside in selectors.vehicles_visible(make_user("administrator"))
    make_driver(governorate=ERBIL)
    assert selectors.drivers_visible(viewer).count() == 0
    assert selectors.contractors_visible(make_user("field_enumerator")).count() == 0


def test_the_vehicles_available_on_a_day_leave_out_busy_broken_and_suspended_ones(officer):
    free = make_vehicle()
    broken = make_vehicle(status="out_of_service")
    suspended = make_vehicle(contractor=make_contractor(status="suspended"))
    convoy = make_convoy(make_movement(), departs_on=DAY)
    busy = convoy.vehicles.get().vehicle
    done = make_convoy(make_movement(), departs_on=DAY, status=Convoy.Status.ARRIVED)
    finished = done.vehicles.get().vehicle
    available = set(selectors.vehicles_available(user=officer, day=DAY))
    assert free in available and finished in available
    assert not available & {broken, suspended, busy}
    assert busy in selectors.vehicles_available(user=officer, day=DAY + datetime.timedelta(days=1))
    assert busy in selectors.vehicles_available(user=officer, day=DAY, except_convoy=convoy)
    assert NINEWA  # the Ninewa fleet is out of this officer's scope
    assert make_vehicle(governorate=NINEWA) not in selectors.vehicles_available(
        user=officer, day=DAY
    )


def test_the_drivers_available_on_a_day_have_a_valid_licence_and_no_other_convoy(officer):
    free = make_driver(licence_expires_on=DAY)
    expired = make_driver(licence_expires_on=DAY - datetime.timedelta(days=1))
    inactive = make_driver(is_active=False)
    suspended = make_driver(contractor=make_contractor(status="suspended"))
    convoy = make_convoy(make_movement(), departs_on=DAY)
    driving = convoy.vehicles.get().driver
    available = set(selectors.drivers_available(user=officer, day=DAY))
    assert free in available
    assert not available & {expired, inactive, suspended, driving}
    assert driving in selectors.drivers_available(user=officer, day=DAY, except_convoy=convoy)


def test_the_totals_count_seats_of_the_vehicles_in_service_by_kind(officer):
    make_vehicle("bus", seats=45)
    make_vehicle("bus", seats=50)
    make_vehicle("bus", seats=49, status="out_of_service")
    make_vehicle("luggage_truck")
    totals = {t["kind"]: t for t in selectors.seat_totals(selectors.vehicles_visible(officer))}
    assert (totals["bus"]["vehicles"], totals["bus"]["in_service"], totals["bus"]["seats"]) == (
        3,
        2,
        95,
    )
    assert totals["luggage_truck"]["seats"] == 0
    assert totals["luggage_truck"]["luggage"] == Decimal("30.00")

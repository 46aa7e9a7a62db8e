"""Convoys and their planning, through the services: creating a convoy, adding
vehicles, planning households into vehicles (families never split, every rule kept),
moving a household by hand, re-planning, and the convoy's status changes."""

from __future__ import annotations

import datetime

import pytest

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.transport.models import Convoy, ConvoyLoad, ConvoyVehicle, MovementHousehold
from sanad.transport.selectors.convoys import convoy_board
from sanad.transport.services import convoys as services
from tests.factories import DUHOK, ERBIL, make_user
from tests.transport.factories import (
    add_household,
    make_contractor,
    make_convoy,
    make_driver,
    make_movement,
    make_vehicle,
    transport_programme,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _programme():
    transport_programme()


@pytest.fixture
def officer():
    return make_user("transport_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))


@pytest.fixture
def movement():
    return make_movement()


def _with_seats(convoy, *seats):
    for n in seats:
        vehicle = make_vehicle("minibus", seats=n, luggage_m3="2.00")
        ConvoyVehicle.objects.create(
            convoy=convoy,
            vehicle=vehicle,
            driver=make_driver(),
            seats=n,
            luggage_m3=vehicle.luggage_m3,
            position=ConvoyVehicle.objects.filter(convoy=convoy).count() + 1,
        )
    return convoy


def _loads(convoy):
    return {
        load.movement_household_id: load
        for load in ConvoyLoad.objects.filter(convoy=convoy).select_related("convoy_vehicle")
    }


def _placed_everywhere_once_and_valid(convoy):
    board = convoy_board(convoy)
    assert board["unplaced"] == [] and board["problems"] == []
    seen = [e["movement_household"].pk for v in board["vehicles"] for e in v["loads"]]
    assert len(seen) == len(set(seen))
    for v in board["vehicles"]:
        assert v["seats_used"] <= v["seats"]
        assert v["wheelchairs_used"] <= v["wheelchair_places"]
        assert v["stretchers_used"] <= v["stretcher_places"]
        assert v["luggage_used"] <= v["luggage_capacity"]
        if any(e["needs_escort"] for e in v["loads"]):
            assert v["has_escort"]
    return board


# --- creating ----------------------------------------------------------------------------------


def test_a_convoy_is_created_from_an_approved_movement_with_a_reference(officer, movement):
    convoy = services.convoy_create(user=officer, request=movement, departs_on=DAY)
    assert convoy.reference.startswith(f"CNV-{datetime.date.today().year}-")
    assert convoy.status == Convoy.Status.PLANNING
    assert convoy.oversize_policy == "refuse"  # the setting's default


def test_the_oversize_policy_defaults_to_the_setting(officer, movement, settings):
    settings.SANAD_TRANSPORT_OVERSIZE_FAMILY = "own_vehicles"
    convoy = services.convoy_create(user=officer, request=movement, departs_on=DAY)
    assert convoy.oversize_policy == "own_vehicles"


@pytest.mark.parametrize("status", ["draft", "submitted", "cancelled", "completed"])
def test_a_movement_that_is_not_approved_cannot_have_a_convoy(officer, status):
    movement = make_movement(status=status)
    with pytest.raises(Conflict) as exc:
        services.convoy_create(user=officer, request=movement, departs_on=DAY)
    assert exc.value.code == "movement_not_approved"


def test_a_camp_manager_cannot_create_a_convoy(movement):
    manager = make_user("camp_manager")
    with pytest.raises(PermissionDenied):
        services.convoy_create(user=manager, request=movement, departs_on=DAY)


# --- vehicles ----------------------------------------------------------------------------------


def test_a_vehicle_joins_with_its_capacities_copied(officer, movement):
    convoy = make_convoy(movement, vehicles=())
    vehicle, driver = make_vehicle("bus"), make_driver()
    cv = services.convoy_vehicle_add(
        user=officer, convoy=convoy, vehicle=vehicle, driver=driver, escort_name="Dr. Aziz"
    )
    assert (cv.seats, cv.wheelchair_places, cv.passenger_seats, cv.position) == (45, 1, 44, 1)
    vehicle.seats = 10
    vehicle.save()
    cv.refresh_from_db()
    assert cv.seats == 45


def test_a_vehicle_out_of_service_is_refused(officer, movement):
    convoy = make_convoy(movement, vehicles=())
    vehicle = make_vehicle("bus", status="out_of_service")
    with pytest.raises(ValidationFailed) as exc:
        services.convoy_vehicle_add(user=officer, convoy=convoy, vehicle=vehicle)
    assert exc.value.code == "vehicle_out_of_service"


def test_a_vehicle_in_another_open_convoy_the_same_day_is_refused(officer, movement):
    first, second = make_convoy(movement, vehicles=()), make_convoy(movement, vehicles=())
    vehicle = make_vehicle("minibus")
    services.convoy_vehicle_add(user=officer, convoy=first, vehicle=vehicle)
    with pytest.raises(ValidationFailed) as exc:
        services.convoy_vehicle_add(user=officer, convoy=second, vehicle=vehicle)
    assert exc.value.code == "vehicle_busy" and first.reference in str(exc.value.message)
    other_day = make_convoy(movement, vehicles=(), departs_on=DAY + datetime.timedelta(days=1))
    assert services.convoy_vehicle_add(user=officer, convoy=other_day, vehicle=vehicle)


def test_a_vehicle_of_a_cancelled_convoy_is_free_again(officer, movement):
    first = make_convoy(movement, vehicles=(), status="cancelled")
    vehicle = make_vehicle("minibus")
    ConvoyVehicle.objects.create(convoy=first, vehicle=vehicle, seats=20)
    second = make_convoy(movement, vehicles=())
    assert services.convoy_vehicle_add(user=officer, convoy=second, vehicle=vehicle)


def test_a_suspended_contractors_vehicle_is_refused(officer, movement):
    convoy = make_convoy(movement, vehicles=())
    vehicle = make_vehicle("bus", contractor=make_contractor(status="suspended"))
    with pytest.raises(ValidationFailed) as exc:
        services.convoy_vehicle_add(user=officer, convoy=convoy, vehicle=vehicle)
    assert exc.value.code == "contractor_suspended"


def test_a_vehicle_outside_the_officers_governorates_is_not_found(officer, movement):
    convoy = make_convoy(movement, vehicles=())
    vehicle = make_vehicle("bus", governorate=ERBIL)
    with pytest.raises(ValidationFailed) as exc:
        services.convoy_vehicle_add(user=officer, convoy=convoy, vehicle=vehicle)
    assert exc.value.code == "vehicle_not_found"


def test_a_driver_cannot_drive_two_convoys_the_same_day(officer, movement):
    first, second = make_convoy(movement, vehicles=()), make_convoy(movement, vehicles=())
    driver = make_driver()
    services.convoy_vehicle_add(user=officer, convoy=first, vehicle=make_vehicle(), driver=driver)
    with pytest.raises(ValidationFailed) as exc:
        services.convoy_vehicle_add(
            user=officer, convoy=second, vehicle=make_vehicle(), driver=driver
        )
    assert exc.value.code == "driver_busy"


def test_setting_the_driver_and_escort_and_removing_a_vehicle_unplaces_its_households(
    officer, movement
):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"))
    add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    cv = ConvoyLoad.objects.get(convoy=convoy).convoy_vehicle
    driver = make_driver()
    services.convoy_vehicle_update(
        user=officer, convoy_vehicle=cv, driver=driver, escort_name="Nurse Layla"
    )
    cv.refresh_from_db()
    assert cv.driver == driver and cv.passenger_seats == 19
    services.convoy_vehicle_remove(user=officer, convoy_vehicle=cv)
    load = ConvoyLoad.objects.get(convoy=convoy)
    assert load.convoy_vehicle is None and not ConvoyVehicle.objects.filter(pk=cv.pk).exists()
    assert convoy_board(convoy)["unplaced"][0]["load"] == load


# --- planning ----------------------------------------------------------------------------------


def test_planning_puts_every_ready_household_in_exactly_one_vehicle(officer, movement):
    convoy = make_convoy(
        movement, vehicles=("minibus", "minibus", "ambulance", "luggage_truck"), escorts=(True,)
    )
    rows = [add_household(movement, members=n) for n in (5, 6, 3, 4, 7)]
    wheelchair = add_household(movement, members=2)
    wheelchair.passengers.filter(pk=wheelchair.passengers.order_by("id")[0].pk).update(
        fitness="wheelchair"
    )
    rows.append(wheelchair)
    rows.append(add_household(movement, members=3, fitness="escort"))
    not_ready = [
        add_household(movement, members=2, declared=False),
        add_household(movement, members=2, fitness="not_assessed"),
        add_household(movement, members=2, status="postponed"),
    ]
    summary = services.convoy_plan(user=officer, convoy=convoy)
    loads = _loads(convoy)
    assert set(loads) == {r.pk for r in rows}
    assert all(MovementHousehold.objects.get(pk=r.pk).status == "planned" for r in rows) and all(
        MovementHousehold.objects.get(pk=r.pk).status != "planned" for r in not_ready
    )
    _placed_everywhere_once_and_valid(convoy)
    assert summary["households"] == 7 and summary["passengers"] == 30
    assert summary["vehicles_used"] >= summary["lower_bound"] >= 1
    assert summary["status"] in ("optimal", "feasible")
    convoy.refresh_from_db()
    assert convoy.planned_at is not None and convoy.plan_summary["households"] == 7


def test_a_household_already_in_another_open_convoy_is_not_planned_twice(officer, movement):
    other = make_convoy(movement, vehicles=("bus",))
    row = add_household(movement, members=3)
    services.convoy_plan(user=officer, convoy=other)
    convoy = make_convoy(movement, vehicles=("bus",))
    add_household(movement, members=2)
    services.convoy_plan(user=officer, convoy=convoy)
    assert row.pk not in _loads(convoy) and len(_loads(convoy)) == 1


def test_escort_families_ride_in_the_vehicle_with_the_escort(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"), escorts=(False, True))
    escorted = add_household(movement, members=3, unaccompanied_child=True)
    add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    assert _loads(convoy)[escorted.pk].convoy_vehicle.has_escort
    _placed_everywhere_once_and_valid(convoy)


def test_a_stretcher_passenger_and_family_ride_in_the_ambulance(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus", "ambulance"), escorts=(False, True))
    row = add_household(movement, members=2)
    first = row.passengers.order_by("id").first()
    first.fitness = "stretcher"
    first.save()
    services.convoy_plan(user=officer, convoy=convoy)
    assert _loads(convoy)[row.pk].convoy_vehicle.vehicle.kind == "ambulance"


def test_luggage_that_does_not_fit_goes_in_the_luggage_truck(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "luggage_truck"))
    row = add_household(movement, members=4, luggage="6.00")
    services.convoy_plan(user=officer, convoy=convoy)
    load = _loads(convoy)[row.pk]
    assert load.convoy_vehicle.vehicle.kind == "minibus"
    assert load.luggage_vehicle.vehicle.kind == "luggage_truck"
    board = _placed_everywhere_once_and_valid(convoy)
    truck = next(v for v in board["vehicles"] if v["vehicle"].kind == "luggage_truck")
    assert [e["registration_id"] for e in truck["luggage_loads"]] == [row.household.registration_id]


def test_a_family_larger_than_any_vehicle_is_refused_with_a_clear_sentence(officer, movement):
    convoy = _with_seats(make_convoy(movement, vehicles=()), 6, 6)
    big = add_household(movement, members=8)
    add_household(movement, members=3)
    with pytest.raises(Conflict) as exc:
        services.convoy_plan(user=officer, convoy=convoy)
    assert exc.value.code == "family_too_large"
    assert big.household.registration_id in str(exc.value.message)
    assert "8" in str(exc.value.message)
    assert not ConvoyLoad.objects.filter(convoy=convoy).exists()  # nothing written
    assert MovementHousehold.objects.get(pk=big.pk).status == "waiting"


def test_a_family_larger_than_any_vehicle_gets_vehicles_of_its_own_when_the_convoy_says_so(
    officer, movement
):
    convoy = _with_seats(
        make_convoy(movement, vehicles=(), oversize_policy="own_vehicles"), 6, 6, 6
    )
    big = add_household(movement, members=8)
    small = add_household(movement, members=3)
    summary = services.convoy_plan(user=officer, convoy=convoy)
    assert summary["dedicated"] == [big.household.registration_id]
    board = convoy_board(convoy)
    assert board["problems"] == []
    own = [v for v in board["vehicles"] if v["dedicated_to"] == big.household.registration_id]
    assert len(own) == 2
    small_vehicle = _loads(convoy)[small.pk].convoy_vehicle_id
    assert small_vehicle not in {v["convoy_vehicle"].pk for v in own}
    assert sum(v["seats_used"] for v in own) == 8


def test_planning_without_vehicles_or_ready_households_says_what_to_do(officer, movement):
    empty = make_convoy(movement, vehicles=())
    with pytest.raises(Conflict) as exc:
        services.convoy_plan(user=officer, convoy=empty)
    assert exc.value.code == "no_vehicles"
    convoy = make_convoy(movement, vehicles=("bus",))
    with pytest.raises(Conflict) as exc:
        services.convoy_plan(user=officer, convoy=convoy)
    assert exc.value.code == "nothing_to_plan"


# --- manual adjustment -------------------------------------------------------------------------


def test_a_manual_move_is_checked_and_pinned(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"))
    row = add_household(movement, members=5)
    services.convoy_plan(user=officer, convoy=convoy)
    load = _loads(convoy)[row.pk]
    target = ConvoyVehicle.objects.filter(convoy=convoy).exclude(pk=load.convoy_vehicle_id).get()
    moved = services.convoy_load_move(user=officer, load=load, convoy_vehicle=target)
    assert moved.pinned and moved.convoy_vehicle == target and moved.luggage_vehicle == target
    services.convoy_load_unpin(user=officer, load=moved)
    assert not ConvoyLoad.objects.get(pk=load.pk).pinned


def test_a_move_that_breaks_a_rule_is_refused_with_the_planners_sentence(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"), escorts=(True,))
    escorted = add_household(movement, members=3, fitness="escort")
    services.convoy_plan(user=officer, convoy=convoy)
    load = _loads(convoy)[escorted.pk]
    plain = ConvoyVehicle.objects.get(convoy=convoy, escort_name="")
    with pytest.raises(Conflict) as exc:
        services.convoy_load_move(user=officer, load=load, convoy_vehicle=plain)
    assert exc.value.code == "needs_escort"
    assert escorted.household.registration_id in str(exc.value.message)
    assert ConvoyLoad.objects.get(pk=load.pk).convoy_vehicle.has_escort


def test_a_move_into_a_full_vehicle_is_refused(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"))
    a, b = add_household(movement, members=15), add_household(movement, members=10)
    services.convoy_plan(user=officer, convoy=convoy)
    loads = _loads(convoy)
    assert loads[a.pk].convoy_vehicle_id != loads[b.pk].convoy_vehicle_id
    with pytest.raises(Conflict) as exc:
        services.convoy_load_move(
            user=officer, load=loads[b.pk], convoy_vehicle=loads[a.pk].convoy_vehicle
        )
    assert exc.value.code == "too_many_passengers"


def test_re_planning_keeps_pinned_households(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus", "minibus"))
    rows = [add_household(movement, members=n) for n in (4, 3, 2)]
    services.convoy_plan(user=officer, convoy=convoy)
    loads = _loads(convoy)
    used = {load.convoy_vehicle_id for load in loads.values()}
    spare = ConvoyVehicle.objects.filter(convoy=convoy).exclude(pk__in=used).first()
    services.convoy_load_move(user=officer, load=loads[rows[0].pk], convoy_vehicle=spare)
    services.convoy_plan(user=officer, convoy=convoy)
    load = ConvoyLoad.objects.get(pk=loads[rows[0].pk].pk)
    assert load.pinned and load.convoy_vehicle == spare
    _placed_everywhere_once_and_valid(convoy)


def test_removing_a_household_sends_it_back_to_waiting(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus",))
    row = add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    services.convoy_load_remove(user=officer, load=_loads(convoy)[row.pk])
    assert not ConvoyLoad.objects.filter(convoy=convoy).exists()
    assert MovementHousehold.objects.get(pk=row.pk).status == "waiting"


# --- status ------------------------------------------------------------------------------------


def test_ready_needs_every_household_placed_and_every_vehicle_with_a_driver(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus",))
    with pytest.raises(Conflict) as exc:
        services.convoy_transition(user=officer, convoy=convoy, to="ready")
    assert exc.value.code == "convoy_not_ready"
    add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    ConvoyVehicle.objects.filter(convoy=convoy).update(driver=None)
    with pytest.raises(Conflict) as exc:
        services.convoy_transition(user=officer, convoy=convoy, to="ready")
    assert "driver" in str(exc.value.message)
    ConvoyVehicle.objects.filter(convoy=convoy).update(driver=make_driver())
    services.convoy_transition(user=officer, convoy=convoy, to="ready")
    convoy.refresh_from_db()
    assert convoy.status == "ready"
    services.convoy_transition(user=officer, convoy=convoy, to="planning")
    assert Convoy.objects.get(pk=convoy.pk).status == "planning"


def test_ready_is_refused_while_a_household_is_not_placed(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus", "bus"))
    add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    cv = ConvoyLoad.objects.get(convoy=convoy).convoy_vehicle
    services.convoy_vehicle_remove(user=officer, convoy_vehicle=cv)
    with pytest.raises(Conflict) as exc:
        services.convoy_transition(user=officer, convoy=convoy, to="ready")
    assert "not placed" in str(exc.value.message)


def test_cancelling_a_convoy_frees_its_households_and_needs_a_reason(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus",))
    row = add_household(movement, members=4)
    services.convoy_plan(user=officer, convoy=convoy)
    with pytest.raises(ValidationFailed):
        services.convoy_transition(user=officer, convoy=convoy, to="cancelled")
    services.convoy_transition(user=officer, convoy=convoy, to="cancelled", reason="Road closed")
    assert Convoy.objects.get(pk=convoy.pk).status == "cancelled"
    assert not ConvoyLoad.objects.filter(convoy=convoy).exists()
    assert MovementHousehold.objects.get(pk=row.pk).status == "waiting"
    with pytest.raises(Conflict):
        services.convoy_plan(user=officer, convoy=convoy)


def test_re_planning_a_ready_convoy_only_rebalances_its_own_loads(officer, movement):
    convoy = make_convoy(movement, vehicles=("minibus", "minibus"))
    rows = [add_household(movement, members=n) for n in (8, 6)]
    services.convoy_plan(user=officer, convoy=convoy)
    services.convoy_transition(user=officer, convoy=convoy, to="ready")
    late = add_household(movement, members=2)
    ConvoyLoad.objects.filter(convoy=convoy, movement_household=rows[1]).update(status="no_show")
    summary = services.convoy_plan(user=officer, convoy=convoy)
    loads = _loads(convoy)
    assert late.pk not in loads and summary["households"] == 1
    assert summary["moved"] == 0
    _placed_everywhere_once_and_valid(convoy)


def test_the_board_shows_usage_passengers_and_needs(officer, movement):
    convoy = make_convoy(movement, vehicles=("bus",))
    row = add_household(movement, members=3, is_older=True)
    row.passengers.filter(pk=row.passengers.order_by("id")[0].pk).update(fitness="wheelchair")
    services.convoy_plan(user=officer, convoy=convoy)
    board = convoy_board(convoy)
    (bus,) = board["vehicles"]
    assert (bus["seats_used"], bus["wheelchairs_used"], bus["wheelchair_places"]) == (2, 1, 1)
    assert bus["luggage_used"] == row.luggage_m3 and board["problems"] == []
    (entry,) = bus["loads"]
    assert entry["household"] == row.household and entry["people"] == 3
    assert {"wheelchair", "older"} <= {code for code, _label in entry["needs"]}
    assert entry["passengers"][0]["individual"].household_id == row.household_id


def test_making_a_convoy_ready_releases_the_vehicles_the_plan_does_not_use():
    from sanad.transport.models import ConvoyVehicle
    from sanad.transport.services import convoys as convoy_services
    from tests.factories import make_user

    user = make_user("transport_officer", governorates=("IQG09",), programmes=("TRANSPORT",))
    request = make_movement()
    add_household(request, members=4)
    convoy = make_convoy(request, vehicles=("bus", "bus", "minibus"))
    convoy_services.convoy_plan(user=user, convoy=convoy)
    done = convoy_services.convoy_transition(user=user, convoy=convoy, to="ready")
    assert ConvoyVehicle.objects.filter(convoy=convoy).count() == 1
    assert len(done.released_vehicles) == 2

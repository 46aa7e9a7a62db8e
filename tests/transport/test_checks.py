"""Departure and arrival checks (services.checks): boarding, no-shows, scanning,
re-balancing, departing, arriving with the handover, completing, incidents."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.transport.models import (
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    Incident,
    MovementHousehold,
    MovementRequest,
)
from sanad.transport.services import checks
from tests.factories import DUHOK, ERBIL, make_user
from tests.transport.factories import add_household, make_convoy, make_movement, make_place

pytestmark = pytest.mark.django_db

LOAD = ConvoyLoad.Status
HH = MovementHousehold.Status


def officer() -> Any:
    return make_user("transport_officer", full_name="Transport Officer")


def ready_convoy(
    *,
    households: int = 4,
    members: int = 4,
    vehicles: tuple[str, ...] = ("bus",),
    placement: list[int] | None = None,
    request: MovementRequest | None = None,
    given: list[Any] | None = None,
    **movement: Any,
) -> tuple[Convoy, list[ConvoyLoad]]:
    """A ready convoy of an approved movement: `households` planned households, each
    with a load in vehicle `placement[i]` (the first vehicle by default)."""
    request = request or make_movement(**movement)
    convoy = make_convoy(request, vehicles=vehicles, status=Convoy.Status.READY)
    cvs = list(ConvoyVehicle.objects.filter(convoy=convoy).order_by("position"))
    loads = []
    for i in range(households):
        household = given[i] if given else None
        row = add_household(request, household=household, members=members, status=HH.PLANNED)
        cv = cvs[placement[i] if placement else 0]
        loads.append(
            ConvoyLoad.objects.create(
                convoy=convoy, movement_household=row, convoy_vehicle=cv, luggage_vehicle=cv
            )
        )
    return convoy, loads


def reg(load: ConvoyLoad) -> str:
    return load.movement_household.household.registration_id


def departed_convoy(**kwargs: Any) -> tuple[Convoy, list[ConvoyLoad], Any]:
    user = officer()
    convoy, loads = ready_convoy(**kwargs)
    for load in loads:
        checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    checks.convoy_depart(user=user, convoy=convoy)
    convoy.refresh_from_db()
    return convoy, loads, user


# --- boarding --------------------------------------------------------------------------------


def test_a_household_is_boarded_marked_no_show_and_undone():
    user = officer()
    convoy, (load, *_rest) = ready_convoy(households=2)
    load = checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    load.refresh_from_db()
    assert load.status == LOAD.BOARDED and load.boarded_by == user and load.boarded_at
    checks.convoy_check(user=user, convoy=convoy, load=load, action="no_show")
    load.refresh_from_db()
    assert load.status == LOAD.NO_SHOW and load.boarded_at is None
    checks.convoy_check(user=user, convoy=convoy, load=load, action="undo")
    load.refresh_from_db()
    assert load.status == LOAD.PLANNED


def test_ticking_what_is_already_so_changes_nothing():
    user = officer()
    convoy, (load,) = ready_convoy(households=1)
    checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    first = ConvoyLoad.objects.get(pk=load.pk).boarded_at
    checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    assert ConvoyLoad.objects.get(pk=load.pk).boarded_at == first


def test_boarding_is_refused_unless_the_convoy_is_ready():
    user = officer()
    convoy, (load,) = ready_convoy(households=1)
    Convoy.objects.filter(pk=convoy.pk).update(status=Convoy.Status.PLANNING)
    with pytest.raises(Conflict) as exc:
        checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    assert exc.value.code == "convoy_wrong_status"


def test_a_user_without_the_manage_permission_cannot_tick():
    convoy, (load,) = ready_convoy(households=1)
    with pytest.raises(PermissionDenied):
        checks.convoy_check(
            user=make_user("im_officer"), convoy=convoy, load=load, action="boarded"
        )


def test_a_user_out_of_scope_does_not_find_the_convoy():
    convoy, (load,) = ready_convoy(households=1)
    stranger = make_user("transport_officer", governorates=(ERBIL,))
    with pytest.raises(NotFound):
        checks.convoy_check(user=stranger, convoy=convoy, load=load, action="boarded")


# --- scanning --------------------------------------------------------------------------------


def test_scanning_the_card_marks_the_household_boarded():
    user = officer()
    convoy, (load, _other) = ready_convoy(households=2)
    token = load.movement_household.household.card_token
    scanned = checks.convoy_scan(user=user, convoy=convoy, code=f"SND1:{token}", stage="departure")
    assert scanned.pk == load.pk and scanned.status == LOAD.BOARDED
    assert scanned.convoy_vehicle_id == load.convoy_vehicle_id


def test_typing_the_registration_id_marks_the_household_boarded_in_any_case():
    user = officer()
    convoy, (load,) = ready_convoy(households=1)
    scanned = checks.convoy_scan(
        user=user, convoy=convoy, code=f"  {reg(load).lower()} ", stage="departure"
    )
    assert scanned.status == LOAD.BOARDED


def test_a_household_not_in_the_convoy_is_refused_with_a_clear_message():
    from tests.registry.factories import make_household

    user = officer()
    convoy, _loads = ready_convoy(households=1)
    stranger = make_household(governorate=DUHOK, members=2)
    with pytest.raises(NotFound) as exc:
        checks.convoy_scan(
            user=user, convoy=convoy, code=stranger.registration_id, stage="departure"
        )
    assert exc.value.code == "not_in_convoy"
    assert "not on this movement" in str(exc.value.message)


def test_a_household_of_the_movement_in_another_convoy_is_told_which_one():
    user = officer()
    convoy, _loads = ready_convoy(households=1)
    other, (elsewhere,) = ready_convoy(households=1, request=convoy.request)
    with pytest.raises(NotFound) as exc:
        checks.convoy_scan(user=user, convoy=convoy, code=reg(elsewhere), stage="departure")
    assert other.reference in str(exc.value.message)


def test_an_empty_scan_is_refused():
    convoy, _loads = ready_convoy(households=1)
    with pytest.raises(ValidationFailed):
        checks.convoy_scan(user=officer(), convoy=convoy, code="  ", stage="departure")


# --- re-balancing ----------------------------------------------------------------------------


def test_rebalancing_after_two_no_shows_postpones_them_and_keeps_the_others_in_place():
    user = officer()
    # Two minibuses of 20 seats, three families of 6 in each; one of each is a no-show:
    # the four left (24 people) cannot share one minibus, so nobody has to move.
    convoy, loads = ready_convoy(
        households=6, members=6, vehicles=("minibus", "minibus"), placement=[0, 0, 0, 1, 1, 1]
    )
    for load in loads:
        checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    gone = [loads[0], loads[3]]
    for load in gone:
        checks.convoy_check(user=user, convoy=convoy, load=load, action="no_show")
    before = {load.pk: load.convoy_vehicle_id for load in loads}

    result = checks.convoy_rebalance(user=user, convoy=convoy)

    assert sorted(result["removed"]) == sorted(reg(load) for load in gone)
    assert result["moved"] == []
    left = ConvoyLoad.objects.filter(convoy=convoy)
    assert {load.pk for load in left} == {loads[i].pk for i in (1, 2, 4, 5)}
    for load in left:
        assert load.convoy_vehicle_id == before[load.pk]
        assert load.status == LOAD.BOARDED
    for load in gone:
        row = MovementHousehold.objects.get(pk=load.movement_household_id)
        assert row.status == HH.POSTPONED
        history = MovementHousehold.STATUS_MACHINE.history(row).first()
        assert history.reason == f"Did not show up for convoy {convoy.reference}"
    convoy.refresh_from_db()
    assert convoy.plan_summary["households"] == 4


def test_rebalancing_moves_a_household_only_when_its_vehicle_cannot_take_it():
    """Three families of 8 in two minibuses of 20 seats: an officer crowded the three
    into the first minibus (24 seats: over capacity); one is a no-show and the plan is
    re-solved: the other two stay where they are (16 seats fit)."""
    user = officer()
    convoy, loads = ready_convoy(
        households=3, members=8, vehicles=("minibus", "minibus"), placement=[0, 0, 0]
    )
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="no_show")
    result = checks.convoy_rebalance(user=user, convoy=convoy)
    assert result["removed"] == [reg(loads[0])]
    seats: dict[int, int] = {}
    for load in ConvoyLoad.objects.filter(convoy=convoy).select_related("convoy_vehicle"):
        people = load.movement_household.passengers.count()
        seats[load.convoy_vehicle_id] = seats.get(load.convoy_vehicle_id, 0) + people
    capacity = {cv.pk: cv.passenger_seats for cv in ConvoyVehicle.objects.filter(convoy=convoy)}
    assert all(used <= capacity[cv] for cv, used in seats.items())
    assert result["moved"] == []


def test_rebalancing_without_no_shows_is_refused():
    convoy, _loads = ready_convoy(households=1)
    with pytest.raises(Conflict) as exc:
        checks.convoy_rebalance(user=officer(), convoy=convoy)
    assert exc.value.code == "no_no_show"


# --- departure -------------------------------------------------------------------------------


def test_departing_is_refused_while_households_are_not_checked():
    user = officer()
    convoy, loads = ready_convoy(households=3)
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="boarded")
    with pytest.raises(Conflict) as exc:
        checks.convoy_depart(user=user, convoy=convoy)
    assert exc.value.code == "households_pending"
    assert "2 households" in str(exc.value.message)
    convoy.refresh_from_db()
    assert convoy.status == Convoy.Status.READY


def test_departing_moves_boarded_households_and_the_request_on_and_removes_no_shows():
    user = officer()
    convoy, loads = ready_convoy(households=3)
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="boarded")
    checks.convoy_check(user=user, convoy=convoy, load=loads[1], action="boarded")
    checks.convoy_check(user=user, convoy=convoy, load=loads[2], action="no_show")
    checks.convoy_depart(user=user, convoy=convoy)
    convoy.refresh_from_db()
    assert convoy.status == Convoy.Status.DEPARTED and convoy.departed_at
    assert convoy.request.status == MovementRequest.Status.IN_PROGRESS
    statuses = {
        row.pk: row.status for row in MovementHousehold.objects.filter(request=convoy.request)
    }
    assert statuses[loads[0].movement_household_id] == HH.DEPARTED
    assert statuses[loads[1].movement_household_id] == HH.DEPARTED
    assert statuses[loads[2].movement_household_id] == HH.POSTPONED
    assert not ConvoyLoad.objects.filter(pk=loads[2].pk).exists()


def test_a_convoy_nobody_boarded_cannot_depart():
    user = officer()
    convoy, (load,) = ready_convoy(households=1)
    checks.convoy_check(user=user, convoy=convoy, load=load, action="no_show")
    with pytest.raises(Conflict) as exc:
        checks.convoy_depart(user=user, convoy=convoy)
    assert exc.value.code == "nobody_boarded"


# --- arrival and handover --------------------------------------------------------------------


def _camps_relocation() -> dict[str, Any]:
    """A camp being closed (its closure plan approved, the household's row going to the
    destination camp) and a movement of the household from it to that camp."""
    from sanad.camps.models import ClosureHousehold
    from sanad.camps.services.closure import (
        closure_create,
        closure_household_update,
        closure_households_add_from_site,
        closure_transition,
    )
    from sanad.camps.services.sites import allocation_start
    from tests.camps.factories import make_site
    from tests.registry.factories import make_household

    admin = make_user("administrator")
    origin, destination = make_site(name="Closing camp"), make_site(name="Receiving camp")
    household = make_household(governorate=DUHOK, members=3)
    allocation_start(
        user=admin,
        site=origin,
        household=household,
        started_on=timezone.localdate() - datetime.timedelta(days=300),
        permission=None,
    )
    plan = closure_create(user=admin, site=origin, kind="closure", target_date=timezone.localdate())
    closure_households_add_from_site(user=admin, plan=plan)
    row = ClosureHousehold.objects.get(plan=plan, household=household)
    closure_household_update(user=admin, row=row, destination=destination.place)
    closure_transition(user=admin, plan=plan, to="approved")
    request = make_movement(origin=origin.place, destination=destination.place)
    convoy, (load,) = ready_convoy(households=1, request=request, given=[household])
    MovementHousehold.objects.filter(pk=load.movement_household_id).update(closure_row_id=row.pk)
    return {
        "origin": origin,
        "destination": destination,
        "household": household,
        "row": row,
        "convoy": convoy,
        "load": load,
    }


def test_arrival_hands_the_household_over_to_the_camp_the_registry_the_closure_plan_and_ledger():
    from sanad.camps.models import Allocation, ClosureHousehold
    from sanad.registry.models import DisplacementMove

    w = _camps_relocation()
    user = officer()
    convoy, load, household = w["convoy"], w["load"], w["household"]
    checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    checks.convoy_depart(user=user, convoy=convoy)

    checks.convoy_check(user=user, convoy=convoy, load=load, action="arrived")

    today = timezone.localdate()
    load.refresh_from_db()
    row = MovementHousehold.objects.get(pk=load.movement_household_id)
    assert load.status == LOAD.ARRIVED and load.arrived_by == user
    assert row.status == HH.ARRIVED and row.arrived_on == today
    assert "Receiving camp" in row.handover and "ledger" in row.handover
    # (1) the destination camp took the household in; its allocation in the closing
    # camp ended.
    current = Allocation.objects.get(household=household, ended_on__isnull=True)
    assert current.site == w["destination"] and current.started_on == today
    assert Allocation.objects.get(site=w["origin"], household=household).ended_on == today
    # (2) the registry recorded the move to the camp.
    household.refresh_from_db()
    move = DisplacementMove.objects.filter(household=household).latest("id")
    assert move.to_place == w["destination"].place and move.moved_on == today
    assert household.place == w["destination"].place
    assert household.displacement_status == "idp_in_camp"
    # (3) the closure plan's row is moved.
    assert ClosureHousehold.objects.get(pk=w["row"].pk).status == "moved"
    # (4) the ledger has the transport, once.
    record = AssistanceRecord.objects.get(
        source_type="transport.movement_household", source_id=str(row.pk)
    )
    assert record.kind == "transport" and record.quantity == 3 and record.unit == "person"
    assert record.item == "Transport: Relocation on camp closure or consolidation"


def test_a_second_tick_or_scan_on_arrival_does_nothing_twice():
    from sanad.camps.models import Allocation
    from sanad.registry.models import DisplacementMove

    w = _camps_relocation()
    user = officer()
    convoy, load, household = w["convoy"], w["load"], w["household"]
    checks.convoy_check(user=user, convoy=convoy, load=load, action="boarded")
    checks.convoy_depart(user=user, convoy=convoy)
    checks.convoy_check(user=user, convoy=convoy, load=load, action="arrived")
    moves = DisplacementMove.objects.filter(household=household).count()

    checks.convoy_check(user=user, convoy=convoy, load=load, action="arrived")
    checks.convoy_scan(user=user, convoy=convoy, code=household.registration_id, stage="arrival")

    assert DisplacementMove.objects.filter(household=household).count() == moves
    assert Allocation.objects.filter(household=household).count() == 2
    assert AssistanceRecord.objects.filter(source_type="transport.movement_household").count() == 1


def test_arrival_to_a_village_area_moves_the_household_in_the_registry_only():
    from sanad.camps.models import Allocation
    from tests.factories import subdistrict_in

    area = subdistrict_in(DUHOK)
    request = make_movement()
    request.destination = None
    request.destination_admin_unit = area
    request.save()
    convoy, loads, user = departed_convoy(households=1, request=request)
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="arrived")
    household = loads[0].movement_household.household
    household.refresh_from_db()
    assert household.admin_unit == area and household.place is None
    assert not Allocation.objects.filter(household=household).exists()
    assert household.displacement_status == "idp_out_of_camp"


def test_a_household_that_did_not_board_cannot_arrive():
    user = officer()
    convoy, loads = ready_convoy(households=2)
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="boarded")
    checks.convoy_check(user=user, convoy=convoy, load=loads[1], action="boarded")
    checks.convoy_depart(user=user, convoy=convoy)
    ConvoyLoad.objects.filter(pk=loads[1].pk).update(status=LOAD.PLANNED)
    with pytest.raises(Conflict) as exc:
        checks.convoy_check(user=user, convoy=convoy, load=loads[1], action="arrived")
    assert exc.value.code == "load_not_boarded"


# --- completing ------------------------------------------------------------------------------


def test_completing_is_refused_with_households_not_checked_in_then_allowed_after_a_missing_incident():
    convoy, loads, user = departed_convoy(households=2)
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="arrived")
    with pytest.raises(Conflict) as exc:
        checks.convoy_complete(user=user, convoy=convoy)
    assert exc.value.code == "households_not_arrived"
    assert reg(loads[1]) in str(exc.value.message)

    checks.incident_record(
        user=user,
        convoy=convoy,
        kind="missing",
        severity="high",
        description=f"Family {reg(loads[1])} left the bus at the checkpoint.",
        people_affected=4,
        households=[loads[1].movement_household],
    )
    checks.convoy_complete(user=user, convoy=convoy)
    convoy.refresh_from_db()
    assert convoy.status == Convoy.Status.ARRIVED and convoy.arrived_at
    # One household did not arrive: the movement is still in progress.
    assert convoy.request.status == MovementRequest.Status.IN_PROGRESS


def test_an_incident_of_another_kind_does_not_cover_a_household_not_checked_in():
    convoy, loads, user = departed_convoy(households=1)
    checks.incident_record(
        user=user, convoy=convoy, kind="breakdown", description=f"{reg(loads[0])} bus broke"
    )
    with pytest.raises(Conflict):
        checks.convoy_complete(user=user, convoy=convoy)


def test_the_request_completes_when_every_household_arrived_or_withdrew():
    request = make_movement()
    withdrawn = add_household(request, status=HH.WITHDRAWN)
    convoy, loads, user = departed_convoy(households=2, request=request)
    for load in loads:
        checks.convoy_check(user=user, convoy=convoy, load=load, action="arrived")
    checks.convoy_complete(user=user, convoy=convoy)
    request.refresh_from_db()
    assert request.status == MovementRequest.Status.COMPLETED
    assert withdrawn.status == HH.WITHDRAWN


def test_the_request_stays_in_progress_while_a_household_is_postponed():
    request = make_movement()
    add_household(request, status=HH.POSTPONED)
    convoy, loads, user = departed_convoy(households=1, request=request)
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="arrived")
    checks.convoy_complete(user=user, convoy=convoy)
    request.refresh_from_db()
    assert request.status == MovementRequest.Status.IN_PROGRESS


# --- incidents -------------------------------------------------------------------------------


def test_an_incident_is_recorded_with_its_vehicle_while_the_convoy_is_on_the_way():
    convoy, _loads, user = departed_convoy(households=1)
    cv = ConvoyVehicle.objects.filter(convoy=convoy).first()
    incident = checks.incident_record(
        user=user,
        convoy=convoy,
        kind="checkpoint",
        severity="medium",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        location="Faysh Khabur checkpoint",
        description="Held two hours for document checks.",
        people_affected=45,
        action_taken="Liaised with the checkpoint commander.",
        convoy_vehicle=cv,
    )
    assert incident.convoy_vehicle == cv and incident.created_by == user


def test_an_incident_without_a_description_or_with_a_foreign_vehicle_is_refused():
    convoy, _loads, user = departed_convoy(households=1)
    other, _x = ready_convoy(households=1)
    foreign = ConvoyVehicle.objects.filter(convoy=other).first()
    with pytest.raises(ValidationFailed) as exc:
        checks.incident_record(
            user=user, convoy=convoy, kind="other", description=" ", convoy_vehicle=foreign
        )
    assert set(exc.value.fields) == {"description", "convoy_vehicle"}


def test_no_incident_is_recorded_on_a_convoy_still_in_planning():
    convoy, _loads = ready_convoy(households=1)
    Convoy.objects.filter(pk=convoy.pk).update(status=Convoy.Status.PLANNING)
    with pytest.raises(Conflict):
        checks.incident_record(user=officer(), convoy=convoy, kind="other", description="x")
    assert not Incident.objects.exists()


def test_refugees_brought_from_the_border_to_a_camp_stay_refugees_in_the_registry():
    from sanad.registry.models import DisplacementStatus
    from tests.registry.factories import make_household

    refugees = make_household(members=3, displacement_status=DisplacementStatus.SYRIAN_REFUGEE)
    camp = make_place(kind="formal_camp")
    convoy, loads, user = departed_convoy(
        households=1, given=[refugees], kind="border_reception", destination=camp
    )
    checks.convoy_check(user=user, convoy=convoy, load=loads[0], action="arrived")
    refugees.refresh_from_db()
    assert refugees.place == camp
    assert refugees.displacement_status == DisplacementStatus.SYRIAN_REFUGEE

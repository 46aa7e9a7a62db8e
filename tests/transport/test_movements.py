"""Movement requests and their households through the services: creating and changing
requests, adding households (by id, from the origin site, at the border), declarations,
fitness and needs, readiness, and the request's statuses."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.registry.models import DisplacementStatus, Household, Individual
from sanad.transport.models import (
    Convoy,
    ConvoyLoad,
    MovementHousehold,
    MovementRequest,
    Passenger,
)
from sanad.transport.selectors import movements as selectors
from sanad.transport.services import movements as services
from sanad.transport.services._common import today
from tests.camps.factories import make_site
from tests.camps.sites_factories import allocate, household_on
from tests.factories import DUHOK, ERBIL, ProjectFactory, make_user, subdistrict_in
from tests.registry.factories import make_household, member_data
from tests.transport.factories import (
    add_household,
    make_convoy,
    make_movement,
    make_place,
    transport_programme,
)

pytestmark = pytest.mark.django_db
D = datetime.date
ROW = MovementHousehold.Status


def officer(governorates: tuple[str, ...] = (DUHOK,)) -> Any:
    return make_user("transport_officer", governorates=governorates, programmes=("TRANSPORT",))


def approver(governorates: tuple[str, ...] = (DUHOK,)) -> Any:
    return make_user("programme_officer", governorates=governorates, programmes=("TRANSPORT",))


def _draft(user: Any = None, **kwargs: Any) -> MovementRequest:
    kwargs.setdefault("kind", "relocation")
    kwargs.setdefault("origin", make_place())
    kwargs.setdefault("destination", make_place())
    kwargs.setdefault("requested_date", D(2026, 11, 30))
    return services.movement_create(user=user or officer(), **kwargs)


# --- requests --------------------------------------------------------------------------------


def test_a_request_is_created_as_a_draft_with_a_reference_and_its_governorates():
    erbil_camp = make_place(governorate=ERBIL)
    project = ProjectFactory(programme=transport_programme(), code="TRP-ECHO")
    request = _draft(destination=erbil_camp, project=project)
    assert request.status == "draft"
    assert request.reference.startswith(f"MOV-{today().year}-")
    assert sorted(g.pcode for g in request.governorates.all()) == sorted([DUHOK, ERBIL])
    second = _draft()
    assert int(second.reference[-5:]) == int(request.reference[-5:]) + 1


def test_a_request_needs_a_destination_and_a_project_of_the_transport_programme():
    with pytest.raises(ValidationFailed) as exc:
        _draft(destination=None)
    assert "destination" in exc.value.fields
    nfi_project = ProjectFactory(code="NFI-ONE")
    with pytest.raises(ValidationFailed) as exc:
        _draft(project=nfi_project)
    assert "project" in exc.value.fields
    area = subdistrict_in(DUHOK)
    request = _draft(destination=None, destination_admin_unit=area)
    assert request.destination_admin_unit == area


def test_the_destination_cannot_be_the_origin_nor_a_governorate():
    place = make_place()
    with pytest.raises(ValidationFailed) as exc:
        _draft(origin=place, destination=place)
    assert "destination" in exc.value.fields
    governorate = subdistrict_in(DUHOK).governorate
    with pytest.raises(ValidationFailed) as exc:
        _draft(destination=None, destination_admin_unit=governorate)
    assert "destination_admin_unit" in exc.value.fields


def test_an_officer_cannot_plan_a_movement_wholly_outside_their_governorates():
    with pytest.raises(ValidationFailed) as exc:
        _draft(
            user=officer(),
            origin=make_place(governorate=ERBIL),
            destination=make_place(governorate=ERBIL),
        )
    assert exc.value.code == "movement_out_of_scope"


def test_only_a_draft_is_changed_and_its_governorates_follow():
    user = officer()
    request = _draft(user)
    erbil = make_place(governorate=ERBIL)
    services.movement_update(user=user, request=request, destination=erbil, notes="Moved")
    request.refresh_from_db()
    assert request.notes == "Moved" and request.destination == erbil
    assert ERBIL in {g.pcode for g in request.governorates.all()}
    add_household(request)
    services.movement_transition(user=user, request=request, to="submitted")
    with pytest.raises(Conflict) as exc:
        services.movement_update(user=user, request=request, notes="Again")
    assert exc.value.code == "movement_not_draft"


def test_submitting_needs_households_each_declared_and_consenting():
    user = officer()
    request = _draft(user)
    with pytest.raises(Conflict) as exc:
        services.movement_transition(user=user, request=request, to="submitted")
    assert exc.value.code == "movement_empty"
    row = add_household(request, declared=False)
    with pytest.raises(Conflict) as exc:
        services.movement_transition(user=user, request=request, to="submitted")
    assert exc.value.code == "movement_undeclared"
    assert row.household.registration_id in str(exc.value.message)
    services.movement_household_declare(
        user=user, row=row, declaration_on=today(), method="signed", consent_given=True
    )
    services.movement_transition(user=user, request=request, to="submitted")
    request.refresh_from_db()
    assert request.status == "submitted" and request.submitted_by == user


def test_the_submitter_cannot_approve_their_own_request():
    both = make_user("programme_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))
    request = _draft(both)
    add_household(request)
    services.movement_transition(user=both, request=request, to="submitted")
    with pytest.raises(Conflict) as exc:
        services.movement_transition(user=both, request=request, to="approved")
    assert exc.value.code == "same_person"
    other = approver()
    services.movement_transition(user=other, request=request, to="approved")
    request.refresh_from_db()
    assert (request.status, request.approved_by) == ("approved", other)
    assert request.approved_at is not None


def test_a_transport_officer_cannot_approve():
    request = make_movement(status="submitted")
    with pytest.raises(PermissionDenied):
        services.movement_transition(user=officer(), request=request, to="approved")


def test_returning_to_draft_needs_a_reason_and_is_recorded():
    request = make_movement(status="submitted")
    user = approver()
    with pytest.raises(ValidationFailed):
        services.movement_transition(user=user, request=request, to="draft")
    services.movement_transition(user=user, request=request, to="draft", reason="Wrong date")
    history = MovementRequest.STATUS_MACHINE.history(request).get()
    assert (history.to_state, history.reason, history.by) == ("draft", "Wrong date", user)


def test_cancelling_is_refused_once_a_convoy_left_and_cancels_planned_convoys():
    user = officer()
    request = make_movement()
    row = add_household(request, status=ROW.PLANNED)
    convoy = make_convoy(request)
    ConvoyLoad.objects.create(
        convoy=convoy, movement_household=row, convoy_vehicle=convoy.vehicles.first()
    )
    services.movement_transition(user=user, request=request, to="cancelled", reason="No funds")
    convoy.refresh_from_db()
    row.refresh_from_db()
    assert convoy.status == "cancelled" and not convoy.loads.exists()
    assert row.status == ROW.WAITING
    left = make_movement()
    make_convoy(left, status=Convoy.Status.DEPARTED)
    with pytest.raises(Conflict) as exc:
        services.movement_transition(user=user, request=left, to="cancelled", reason="x")
    assert exc.value.code == "convoy_departed"


def test_an_out_of_scope_request_is_not_found():
    request = make_movement(
        origin=make_place(governorate=ERBIL), destination=make_place(governorate=ERBIL)
    )
    with pytest.raises(NotFound):
        services.movement_transition(user=officer(), request=request, to="cancelled", reason="x")


def test_completing_waits_for_households_in_convoys_and_explains_those_left_behind():
    user = officer()
    request = make_movement(status="in_progress")
    moving = add_household(request, status=ROW.DEPARTED)
    add_household(request, status=ROW.POSTPONED)
    with pytest.raises(Conflict) as exc:
        services.movement_transition(user=user, request=request, to="completed")
    assert exc.value.code == "households_moving"
    MovementHousehold.objects.filter(pk=moving.pk).update(status=ROW.ARRIVED)
    with pytest.raises(ValidationFailed):
        services.movement_transition(user=user, request=request, to="completed")
    services.movement_transition(
        user=user, request=request, to="completed", reason="One family stays"
    )
    assert request.status == "completed"


# --- households ------------------------------------------------------------------------------


def test_adding_a_household_makes_a_passenger_per_member_with_needs_from_the_registry():
    user = officer()
    request = _draft(user, requested_date=D(2026, 11, 30))
    household = make_household(
        members=[
            member_data(relationship="head", sex="male", date_of_birth=D(1966, 1, 1)),
            member_data(
                relationship="spouse",
                sex="female",
                date_of_birth=D(1990, 1, 1),
                index=1,
                is_pregnant=True,
                wg_walking=4,
            ),
            member_data(
                relationship="other_relative",
                sex="male",
                date_of_birth=D(2014, 1, 1),
                index=2,
                is_unaccompanied_or_separated=True,
            ),
        ]
    )
    row = services.movement_household_add(user=user, request=request, household=household)
    older, spouse, child = row.passengers.select_related("individual").order_by("id")
    assert older.is_older and not spouse.is_older
    assert spouse.has_disability and not spouse.late_pregnancy
    assert child.unaccompanied_child
    assert {p.fitness for p in (older, spouse, child)} == {"not_assessed"}
    assert row.luggage_m3 == Decimal("0.30")
    needs = [code for code, _ in selectors.passenger_needs([older, spouse, child])]
    assert needs == ["older", "disability", "pregnant", "unaccompanied", "escort"]


def test_the_luggage_default_follows_the_setting(settings):
    settings.SANAD_TRANSPORT_LUGGAGE_PER_PERSON_M3 = Decimal("0.25")
    user = officer()
    request = _draft(user)
    row = services.movement_household_add(
        user=user, request=request, household=make_household(members=4)
    )
    assert row.luggage_m3 == Decimal("1.00")


def test_a_household_on_another_open_request_is_refused_naming_that_request():
    user = officer()
    household = make_household(members=2)
    first = _draft(user)
    services.movement_household_add(user=user, request=first, household=household)
    second = _draft(user)
    with pytest.raises(Conflict) as exc:
        services.movement_household_add_by_id(
            user=user, request=second, registration_id=household.registration_id.lower()
        )
    assert exc.value.code == "household_on_other_movement"
    assert first.reference in str(exc.value.message)
    with pytest.raises(Conflict) as exc:
        services.movement_household_add(user=user, request=first, household=household)
    assert exc.value.code == "household_already_added"
    row = first.households.get()
    services.movement_household_transition(user=user, row=row, to="withdrawn", reason="Stays")
    services.movement_household_add(user=user, request=second, household=household)
    # Back to waiting on the first request would put it on two requests.
    with pytest.raises(Conflict) as exc:
        services.movement_household_transition(user=user, row=row, to="waiting")
    assert second.reference in str(exc.value.message)


def test_a_household_on_a_cancelled_request_can_join_another():
    user = officer()
    household = make_household(members=2)
    old = make_movement(status="cancelled")
    add_household(old, household=household)
    row = services.movement_household_add(user=user, request=_draft(user), household=household)
    assert row.passengers.count() == 2


def test_a_merged_household_is_refused_naming_the_survivor():
    user = officer()
    survivor = make_household(members=2)
    duplicate = make_household(members=2)
    Household.objects.filter(pk=duplicate.pk).update(status="merged", merged_into=survivor)
    with pytest.raises(Conflict) as exc:
        services.movement_household_add_by_id(
            user=user, request=_draft(user), registration_id=duplicate.registration_id
        )
    assert exc.value.code == "household_merged"
    assert survivor.registration_id in str(exc.value.message)


def test_a_household_out_of_the_officers_registry_reach_is_not_found():
    user = officer()
    outside = make_household(governorate=ERBIL, members=1)
    with pytest.raises(NotFound) as exc:
        services.movement_household_add_by_id(
            user=user, request=_draft(user), registration_id=outside.registration_id
        )
    assert "registration_id" in exc.value.fields
    with pytest.raises(NotFound):
        services.movement_household_add_by_id(
            user=user, request=_draft(user), registration_id="NOPE"
        )


def test_households_are_not_added_to_a_request_waiting_for_approval():
    user = officer()
    request = make_movement(status="submitted")
    with pytest.raises(Conflict) as exc:
        services.movement_household_add(
            user=user, request=request, household=make_household(members=1)
        )
    assert exc.value.code == "movement_submitted"


def test_every_household_living_on_the_origin_site_is_added_in_one_go():
    user = officer()
    site = make_site(governorate=DUHOK)
    living = [allocate(site, household_on(site, members=2)).household for _ in range(3)]
    gone = allocate(site, household_on(site))
    gone.ended_on = D(2026, 2, 1)
    gone.save()
    elsewhere = make_movement(status="approved")
    add_household(elsewhere, household=living[2])
    request = _draft(user, origin=site.place)
    assert selectors.origin_residents_not_on_request(request, site) == 3
    assert services.movement_households_from_site(user=user, request=request) == 2
    assert services.movement_households_from_site(user=user, request=request) == 0
    assert set(request.households.values_list("household_id", flat=True)) == {
        living[0].pk,
        living[1].pk,
    }
    assert Passenger.objects.filter(movement_household__request=request).count() == 4
    assert request.households.first().luggage_m3 == Decimal("0.20")


def test_adding_from_the_site_needs_an_origin_that_is_a_site():
    user = officer()
    with pytest.raises(Conflict) as exc:
        services.movement_households_from_site(user=user, request=_draft(user))
    assert exc.value.code == "origin_not_a_site"


def test_a_new_arrival_is_registered_at_the_border_as_a_minimal_record():
    user = officer()
    border = make_place(kind="border_point", name_en="Peshkhabour")
    request = _draft(user, kind="border_reception", origin=border)
    row = services.movement_border_register(
        user=user,
        request=request,
        members=[
            {"given_name": "أحمد", "family_name": "الحسن", "sex": "male", "age": 40},
            {"given_name": "Layla", "sex": "female", "age": 35, "relationship": "spouse"},
            {"given_name": "Sami", "sex": "male", "age": 9},
        ],
        phone="0750 123 4567",
    )
    household = row.household
    assert row.registered_at_border and row.passengers.count() == 3
    assert household.place == border
    assert household.displacement_status == DisplacementStatus.SYRIAN_REFUGEE
    assert "Minimal record" in household.notes and request.reference in household.notes
    head = household.members.get(relationship="head")
    assert (head.given_name_ar, head.family_name_ar, head.dob_estimated) == ("أحمد", "الحسن", True)
    spouse = household.members.get(relationship="spouse")
    assert (spouse.given_name_en, spouse.family_name_ar) == ("Layla", "الحسن")
    assert household.phones.get().number == "+9647501234567"
    assert row.luggage_m3 == Decimal("0.30")


def test_a_new_arrival_with_problems_registers_nothing():
    user = officer()
    request = _draft(user, kind="border_reception", origin=make_place(kind="border_point"))
    before = Household.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.movement_border_register(
            user=user, request=request, members=[{"given_name": "Ali", "sex": "x", "age": 30}]
        )
    assert "members.0.sex" in exc.value.fields
    assert Household.objects.count() == before and not request.households.exists()


def test_new_arrivals_are_only_registered_on_border_receptions():
    user = officer()
    with pytest.raises(Conflict) as exc:
        services.movement_border_register(
            user=user,
            request=_draft(user),
            members=[{"given_name": "Ali", "sex": "male", "age": 30}],
        )
    assert exc.value.code == "not_border_reception"


def test_a_declaration_is_not_in_the_future_and_a_verbal_one_has_a_witness():
    user = officer()
    row = add_household(make_movement(status="draft"), declared=False)
    with pytest.raises(ValidationFailed) as exc:
        services.movement_household_declare(
            user=user,
            row=row,
            declaration_on=today() + datetime.timedelta(days=1),
            method="signed",
            consent_given=True,
        )
    assert "declaration_on" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.movement_household_declare(
            user=user, row=row, declaration_on=today(), method="verbal", consent_given=True
        )
    assert "witness" in exc.value.fields
    services.movement_household_declare(
        user=user,
        row=row,
        declaration_on=today(),
        method="verbal",
        witness="Camp manager",
        consent_given=True,
    )
    row.refresh_from_db()
    assert row.declared and row.consent_given and row.declaration_witness == "Camp manager"


def test_luggage_and_note_are_updated_and_checked():
    user = officer()
    row = add_household(make_movement(status="draft"))
    services.movement_household_update(user=user, row=row, luggage_m3="1.5", note="Fridge")
    row.refresh_from_db()
    assert (row.luggage_m3, row.note) == (Decimal("1.50"), "Fridge")
    with pytest.raises(ValidationFailed):
        services.movement_household_update(user=user, row=row, luggage_m3="-1")


def test_fitness_is_saved_all_or_nothing_and_readiness_follows():
    user = officer()
    row = add_household(make_movement(status="approved"), members=2, fitness="not_assessed")
    first, second = row.passengers.order_by("id")
    assert "2 passengers not assessed for fitness to travel." in selectors.household_readiness(row)
    with pytest.raises(ValidationFailed) as exc:
        services.passengers_assess(
            user=user,
            row=row,
            passengers=[
                {"passenger": first, "fitness": "fit"},
                {"passenger": second.pk, "fitness": "flying"},
            ],
        )
    assert "passengers.1.fitness" in exc.value.fields
    first.refresh_from_db()
    assert first.fitness == "not_assessed"
    unfit = services.passengers_assess(
        user=user,
        row=row,
        passengers=[
            {"passenger": first, "fitness": "wheelchair", "is_older": True, "note": "Own chair"},
            {"passenger": second.pk, "fitness": "fit", "late_pregnancy": True},
        ],
    )
    assert unfit == []
    first.refresh_from_db()
    assert (first.fitness, first.is_older, first.note, first.assessed_by) == (
        "wheelchair",
        True,
        "Own chair",
        user,
    )
    assert selectors.household_readiness(row) == []
    assert list(selectors.movement_ready_households(row.request)) == [row]


def test_a_passenger_of_another_household_is_refused():
    user = officer()
    request = make_movement(status="approved")
    row, other = add_household(request), add_household(request)
    with pytest.raises(ValidationFailed):
        services.passengers_assess(
            user=user,
            row=row,
            passengers=[{"passenger": other.passengers.first(), "fitness": "fit"}],
        )


def test_a_passenger_not_fit_keeps_the_household_from_being_ready():
    user = officer()
    request = make_movement(status="approved")
    row = add_household(request, members=3)
    ready = add_household(request, members=2)
    undeclared = add_household(request, declared=False)
    unfit = services.passengers_assess(
        user=user,
        row=row,
        passengers=[{"passenger": row.passengers.first(), "fitness": "not_fit"}],
    )
    assert len(unfit) == 1
    problems = selectors.household_readiness(row)
    assert any("not fit to travel" in p for p in problems)
    assert set(selectors.movement_ready_households(request)) == {ready}
    assert "No voluntary movement declaration yet." in selectors.household_readiness(undeclared)


def test_postponing_a_planned_household_takes_it_out_of_its_convoy():
    user = officer()
    request = make_movement()
    row = add_household(request, status=ROW.PLANNED)
    convoy = make_convoy(request)
    ConvoyLoad.objects.create(
        convoy=convoy, movement_household=row, convoy_vehicle=convoy.vehicles.first()
    )
    with pytest.raises(ValidationFailed):
        services.movement_household_transition(user=user, row=row, to="postponed")
    services.movement_household_transition(
        user=user, row=row, to="postponed", reason="Grandmother in hospital"
    )
    row.refresh_from_db()
    assert row.status == "postponed" and not convoy.loads.exists()
    services.movement_household_transition(user=user, row=row, to="waiting")
    row.refresh_from_db()
    assert row.status == "waiting"
    with pytest.raises(InvalidTransition):
        services.movement_household_transition(user=user, row=row, to="waiting")


def test_withdrawing_the_last_household_completes_a_request_in_progress():
    user = officer()
    request = make_movement(status="in_progress")
    add_household(request, status=ROW.ARRIVED)
    row = add_household(request)
    services.movement_household_transition(user=user, row=row, to="withdrawn", reason="Stays")
    request.refresh_from_db()
    assert request.status == "completed"


def test_a_household_whose_members_left_cannot_be_added():
    user = officer()
    household = make_household(members=1)
    Individual.objects.filter(household=household).update(status="left")
    with pytest.raises(Conflict) as exc:
        services.movement_household_add(user=user, request=_draft(user), household=household)
    assert exc.value.code == "household_empty"

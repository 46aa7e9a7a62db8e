"""Closure and consolidation plans: households, destinations, statuses, transitions and
movement requests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from sanad.camps.models import Allocation, ClosureHousehold, ClosurePlan
from sanad.camps.services import closure as services
from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.geo.models import Place
from tests.camps.sites_factories import allocate, household_on, make_site, manager, plot
from tests.factories import ERBIL, make_user
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db
D = datetime.date
ROW = ClosureHousehold.Status

REQUESTED: list[Any] = []


def fake_requester(*, user: Any, plan: Any, rows: list[Any]) -> dict[int, str]:
    REQUESTED.extend(rows)
    return {row.pk: f"MR-{n}" for n, row in enumerate(rows, 1)}


def _plan(site: Any = None, user: Any = None) -> tuple[Any, Any, Any]:
    site = site or make_site()
    user = user or manager()
    plan = services.closure_create(
        user=user, site=site, kind=ClosurePlan.Kind.CONSOLIDATION, target_date=D(2026, 9, 1)
    )
    return site, user, plan


def test_a_plan_adds_every_household_living_on_the_site_in_one_click():
    site, user, plan = _plan()
    for n in range(3):
        allocate(site, household_on(site), plot=plot(site, f"A-{n}"))
    gone = allocate(site, household_on(site))
    gone.ended_on = D(2026, 2, 1)
    gone.save()
    assert services.closure_households_add_from_site(user=user, plan=plan) == 3
    assert services.closure_households_add_from_site(user=user, plan=plan) == 0
    assert plan.households.count() == 3


def test_a_site_has_one_plan_under_way_at_a_time():
    site, user, _ = _plan()
    with pytest.raises(Conflict):
        services.closure_create(user=user, site=site, kind="closure", target_date=D(2026, 10, 1))


def test_approval_needs_households_each_with_a_destination():
    site, user, plan = _plan()
    with pytest.raises(Conflict) as exc:
        services.closure_transition(user=user, plan=plan, to="approved")
    assert exc.value.code == "closure_empty"
    allocate(site, household_on(site))
    services.closure_households_add_from_site(user=user, plan=plan)
    with pytest.raises(Conflict) as exc:
        services.closure_transition(user=user, plan=plan, to="approved")
    assert exc.value.code == "closure_destination_missing"
    row = plan.households.get()
    services.closure_household_update(
        user=user, row=row, destination_admin_unit=site.place.admin_unit, move_on=D(2026, 8, 1)
    )
    services.closure_transition(user=user, plan=plan, to="approved")
    assert plan.status == "approved"


def test_a_household_moved_ends_its_allocation_on_the_day_it_moved():
    site, user, plan = _plan()
    destination = make_site().place
    allocation = allocate(site, household_on(site), plot=plot(site), on=D(2025, 1, 1))
    services.closure_households_add_from_site(user=user, plan=plan)
    row = plan.households.get()
    services.closure_household_update(
        user=user, row=row, destination=destination, move_on=D(2026, 8, 3)
    )
    services.closure_transition(user=user, plan=plan, to="approved")
    services.closure_household_update(user=user, row=row, status=ROW.MOVED)
    allocation.refresh_from_db()
    assert allocation.ended_on == D(2026, 8, 3)
    row.refresh_from_db()
    assert row.status == ROW.MOVED


def test_households_cannot_move_while_the_plan_is_a_draft():
    site, user, plan = _plan()
    allocate(site, household_on(site))
    services.closure_households_add_from_site(user=user, plan=plan)
    with pytest.raises(ValidationFailed):
        services.closure_household_update(
            user=user,
            row=plan.households.get(),
            status=ROW.MOVED,
            destination_admin_unit=site.place.admin_unit,
        )


def test_a_household_staying_needs_a_reason():
    site, user, plan = _plan()
    allocate(site, household_on(site))
    services.closure_households_add_from_site(user=user, plan=plan)
    row = plan.households.get()
    with pytest.raises(ValidationFailed) as exc:
        services.closure_household_update(user=user, row=row, status=ROW.STAYING)
    assert "note" in exc.value.fields
    services.closure_household_update(
        user=user, row=row, status=ROW.STAYING, note="Elderly member cannot travel"
    )


def test_the_destination_cannot_be_the_site_being_closed():
    site, user, plan = _plan()
    allocate(site, household_on(site))
    services.closure_households_add_from_site(user=user, plan=plan)
    with pytest.raises(ValidationFailed):
        services.closure_household_update(
            user=user, row=plan.households.get(), destination=site.place
        )


def test_the_plan_is_done_only_when_no_household_is_still_waiting():
    site, user, plan = _plan()
    allocate(site, household_on(site))
    services.closure_households_add_from_site(user=user, plan=plan)
    row = plan.households.get()
    services.closure_household_update(
        user=user, row=row, destination_admin_unit=site.place.admin_unit
    )
    services.closure_transition(user=user, plan=plan, to="approved")
    services.closure_transition(user=user, plan=plan, to="in_progress")
    with pytest.raises(Conflict) as exc:
        services.closure_transition(user=user, plan=plan, to="done")
    assert exc.value.code == "closure_households_pending"
    services.closure_household_update(user=user, row=row, status=ROW.MOVED)
    services.closure_transition(user=user, plan=plan, to="done")
    with pytest.raises(InvalidTransition):
        services.closure_transition(user=user, plan=plan, to="cancelled", reason="x")


def test_cancelling_needs_a_reason():
    _site, user, plan = _plan()
    with pytest.raises(ValidationFailed):
        services.closure_transition(user=user, plan=plan, to="cancelled")
    services.closure_transition(user=user, plan=plan, to="cancelled", reason="Funding stopped")
    assert ClosurePlan.STATUS_MACHINE.history(plan).get().reason == "Funding stopped"


def test_movement_requests_wait_for_the_transportation_module(settings):
    settings.SANAD_MOVEMENT_REQUESTER = ""
    _site, user, plan = _plan()
    with pytest.raises(Conflict) as exc:
        services.closure_movement_requests(user=user, plan=plan)
    assert exc.value.code == "transport_unavailable"


def test_movement_requests_go_to_the_configured_requester(settings):
    settings.SANAD_MOVEMENT_REQUESTER = "tests.camps.test_closure.fake_requester"
    site, user, plan = _plan()
    allocate(site, household_on(site))
    allocate(site, household_on(site))
    services.closure_households_add_from_site(user=user, plan=plan)
    first, second = plan.households.order_by("pk")
    services.closure_household_update(
        user=user, row=first, destination_admin_unit=site.place.admin_unit, move_on=D(2026, 8, 1)
    )
    services.closure_household_update(
        user=user, row=second, destination_admin_unit=site.place.admin_unit
    )
    services.closure_transition(user=user, plan=plan, to="approved")
    assert services.closure_movement_requests(user=user, plan=plan) == 1
    first.refresh_from_db()
    assert (first.status, first.movement_request_ref) == (ROW.REQUESTED, "MR-1")
    assert REQUESTED[-1].pk == first.pk


def test_a_household_outside_the_users_reach_cannot_be_added():
    _site, user, plan = _plan()
    outside = make_household(governorate=ERBIL, members=1)
    with pytest.raises(Exception) as exc:
        services.closure_household_add(
            user=user, plan=plan, registration_id=outside.registration_id
        )
    assert getattr(exc.value, "code", "") == "household_not_found"
    inside = household_on(plan.site)
    services.closure_household_add(
        user=user, plan=plan, registration_id=inside.registration_id.lower()
    )
    assert plan.households.count() == 1


def test_only_closure_managers_of_the_sites_governorate_change_a_plan():
    site, _user, plan = _plan()
    with pytest.raises(PermissionDenied):
        services.closure_households_add_from_site(user=manager((ERBIL,)), plan=plan)
    with pytest.raises(PermissionDenied):
        services.closure_create(
            user=make_user("im_officer"), site=site, kind="closure", target_date=D(2026, 1, 1)
        )
    assert Allocation.objects.count() == 0
    assert Place.objects.filter(pk=site.place_id).exists()

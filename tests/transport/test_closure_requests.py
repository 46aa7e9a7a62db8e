"""A camp closure plan asks for movement requests through the camps service, with the
default requester (`sanad.transport.services.closure.movement_requests_from_closure`):
one draft relocation request per destination and date, households on it with their
closure rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from sanad.camps.models import ClosureHousehold, ClosurePlan
from sanad.camps.services import closure as camps
from sanad.core.errors import Conflict
from sanad.transport.models import MovementHousehold, MovementRequest
from tests.camps.sites_factories import allocate, household_on, make_site, manager
from tests.transport.factories import add_household, make_movement, make_place

pytestmark = pytest.mark.django_db
D = datetime.date
ROW = ClosureHousehold.Status
REQUESTER = "sanad.transport.services.closure.movement_requests_from_closure"


def _approved_plan(settings: Any, households: int = 3) -> tuple[Any, Any, Any, list[Any]]:
    settings.SANAD_MOVEMENT_REQUESTER = REQUESTER
    site = make_site(name="Qadiya camp")
    user = manager()
    plan = camps.closure_create(
        user=user, site=site, kind=ClosurePlan.Kind.CLOSURE, target_date=D(2026, 9, 1)
    )
    for _ in range(households):
        allocate(site, household_on(site, members=2))
    camps.closure_households_add_from_site(user=user, plan=plan)
    return site, user, plan, list(plan.households.order_by("pk"))


def test_the_default_setting_points_at_the_transport_requester(settings):
    from sanad import settings as sanad_settings

    assert sanad_settings.SANAD_MOVEMENT_REQUESTER == REQUESTER


def test_a_closure_plan_gets_one_draft_request_per_destination_and_date(settings):
    site, user, plan, rows = _approved_plan(settings, households=3)
    camp_a, camp_b = make_place(name_en="Camp A"), make_place(name_en="Camp B")
    camps.closure_household_update(
        user=user, row=rows[0], destination=camp_a, move_on=D(2026, 8, 1)
    )
    camps.closure_household_update(
        user=user, row=rows[1], destination=camp_a, move_on=D(2026, 8, 1)
    )
    camps.closure_household_update(
        user=user, row=rows[2], destination=camp_b, move_on=D(2026, 8, 3)
    )
    camps.closure_transition(user=user, plan=plan, to="approved")

    assert camps.closure_movement_requests(user=user, plan=plan) == 3

    requests = list(MovementRequest.objects.order_by("requested_date"))
    assert len(requests) == 2
    first, second = requests
    assert (first.destination, first.requested_date, second.destination) == (
        camp_a,
        D(2026, 8, 1),
        camp_b,
    )
    for request in requests:
        assert request.status == "draft" and request.kind == "relocation"
        assert request.origin == site.place
        assert (request.source, request.source_ref) == ("camp_closure", str(plan.public_id))
        assert request.created_by == user
    assert first.households.count() == 2 and second.households.count() == 1
    for row in rows:
        row.refresh_from_db()
        assert row.status == ROW.REQUESTED
        movement_row = MovementHousehold.objects.get(closure_row_id=row.pk)
        assert movement_row.household_id == row.household_id
        assert row.movement_request_ref == movement_row.request.reference
        assert movement_row.passengers.count() == 2


def test_a_destination_area_without_a_place_makes_its_own_request(settings):
    site, user, plan, rows = _approved_plan(settings, households=1)
    area = site.place.admin_unit
    camps.closure_household_update(
        user=user, row=rows[0], destination_admin_unit=area, move_on=D(2026, 8, 1)
    )
    camps.closure_transition(user=user, plan=plan, to="approved")
    camps.closure_movement_requests(user=user, plan=plan)
    request = MovementRequest.objects.get()
    assert request.destination is None and request.destination_admin_unit == area


def test_a_household_already_on_another_request_refuses_the_whole_batch(settings):
    _site, user, plan, rows = _approved_plan(settings, households=2)
    destination = make_place()
    for row in rows:
        camps.closure_household_update(
            user=user, row=row, destination=destination, move_on=D(2026, 8, 1)
        )
    camps.closure_transition(user=user, plan=plan, to="approved")
    other = make_movement(status="approved")
    add_household(other, household=rows[1].household)
    with pytest.raises(Conflict) as exc:
        camps.closure_movement_requests(user=user, plan=plan)
    assert exc.value.code == "household_on_other_movement"
    assert other.reference in str(exc.value.message)
    assert MovementRequest.objects.count() == 1  # only the other one
    assert set(plan.households.values_list("status", flat=True)) == {ROW.PLANNED}

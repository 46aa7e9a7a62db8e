from __future__ import annotations

from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.stock import selectors, services
from sanad.stock.models import Movement
from tests.factories import make_user
from tests.stock.factories import DAY, balance_of, make_item, make_project, stocked

pytestmark = pytest.mark.django_db


def request(officer, warehouse, project, item, quantity, direction=-1, reason="damage"):
    return services.adjustment_request(
        user=officer,
        warehouse=warehouse,
        project=project,
        date=DAY,
        reason=reason,
        lines=[{"item": item, "quantity": quantity, "direction": direction}],
        notes="Roof leak",
    )


def test_an_adjustment_waits_for_another_persons_approval(
    officer, second_officer, warehouse, project
):
    item = make_item()
    stocked(warehouse, item, project, 20)
    movement = request(officer, warehouse, project, item, 5)
    assert movement.status == Movement.Status.REQUESTED
    assert balance_of(warehouse, item, project)[0] == Decimal(20)
    approved = services.adjustment_approve(user=second_officer, movement=movement)
    assert approved.status == Movement.Status.POSTED
    assert approved.approved_by == second_officer and approved.approved_at is not None
    assert balance_of(warehouse, item, project)[0] == Decimal(15)
    assert approved.entries.get().quantity == Decimal(-5)


def test_the_requester_cannot_approve_their_own_adjustment(officer, warehouse, project):
    item = make_item()
    stocked(warehouse, item, project, 20)
    movement = request(officer, warehouse, project, item, 5)
    with pytest.raises(PermissionDenied) as err:
        services.adjustment_approve(user=officer, movement=movement)
    assert err.value.code == "same_person"
    with pytest.raises(PermissionDenied):
        services.adjustment_reject(user=officer, movement=movement, reason="no")
    movement.refresh_from_db()
    assert movement.status == Movement.Status.REQUESTED
    assert balance_of(warehouse, item, project)[0] == Decimal(20)


def test_approving_needs_the_approval_permission(officer, warehouse, project):
    item = make_item()
    stocked(warehouse, item, project, 20)
    movement = request(officer, warehouse, project, item, 5)
    planner = make_user("programme_officer")
    with pytest.raises(PermissionDenied):
        services.adjustment_approve(user=planner, movement=movement)


def test_stock_found_is_added_and_a_rejection_needs_a_reason(
    officer, second_officer, warehouse, project
):
    item = make_item()
    found = request(officer, warehouse, project, item, 3, direction=1, reason="found")
    services.adjustment_approve(user=second_officer, movement=found)
    assert balance_of(warehouse, item, project)[0] == Decimal(3)
    other = request(officer, warehouse, project, item, 1)
    with pytest.raises(ValidationFailed):
        services.adjustment_reject(user=second_officer, movement=other, reason=" ")
    services.adjustment_reject(user=second_officer, movement=other, reason="Counted again: fine")
    other.refresh_from_db()
    assert other.status == Movement.Status.REJECTED
    assert balance_of(warehouse, item, project)[0] == Decimal(3)


def test_an_adjustment_needs_a_known_reason_and_direction(officer, warehouse, project):
    item = make_item()
    with pytest.raises(ValidationFailed):
        request(officer, warehouse, project, item, 1, reason="whim")
    with pytest.raises(ValidationFailed):
        request(officer, warehouse, project, item, 1, direction=0)


def test_a_loss_larger_than_the_stock_is_refused_at_approval(
    officer, second_officer, warehouse, project
):
    item = make_item()
    stocked(warehouse, item, project, 2)
    movement = request(officer, warehouse, project, item, 5)
    with pytest.raises(Conflict):
        services.adjustment_approve(user=second_officer, movement=movement)
    movement.refresh_from_db()
    assert movement.status == Movement.Status.REQUESTED
    assert balance_of(warehouse, item, project)[0] == Decimal(2)


def test_a_count_posts_its_differences_once_approved(officer, second_officer, warehouse, project):
    mattress, blanket, lamp = make_item("mattress"), make_item("blanket"), make_item("lamp")
    other = make_project("NFI")
    stocked(warehouse, mattress, project, 20)
    stocked(warehouse, blanket, project, 10)
    stocked(warehouse, blanket, other, 4)
    count = services.count_record(
        user=officer,
        warehouse=warehouse,
        date=DAY,
        lines=[
            {"item": mattress, "project": project, "counted": 18},
            {"item": blanket, "project": project, "counted": 10},
            {"item": blanket, "project": other, "counted": 5},
            {"item": lamp, "project": project, "counted": 2},
        ],
    )
    assert count.status == Movement.Status.REQUESTED and count.number.startswith("CNT-")
    expected = {(line.item.code, line.project_id): line.expected for line in count.lines.all()}
    assert expected[("mattress", project.pk)] == Decimal(20)
    assert expected[("lamp", project.pk)] == Decimal(0)
    assert balance_of(warehouse, mattress, project)[0] == Decimal(20)
    with pytest.raises(PermissionDenied):
        services.count_approve(user=officer, movement=count)
    services.count_approve(user=second_officer, movement=count)
    assert balance_of(warehouse, mattress, project)[0] == Decimal(18)
    assert balance_of(warehouse, blanket, project)[0] == Decimal(10)
    assert balance_of(warehouse, blanket, other)[0] == Decimal(5)
    assert balance_of(warehouse, lamp, project)[0] == Decimal(2)
    assert sorted(e.quantity for e in count.entries.all()) == [Decimal(-2), Decimal(1), Decimal(2)]
    assert selectors.ledger_differences() == []


def test_a_count_lists_each_item_and_project_once(officer, warehouse, project):
    item = make_item()
    with pytest.raises(ValidationFailed):
        services.count_record(
            user=officer,
            warehouse=warehouse,
            date=DAY,
            lines=[
                {"item": item, "project": project, "counted": 1},
                {"item": item, "project": project, "counted": 2},
            ],
        )


def test_a_rejected_count_changes_nothing(officer, second_officer, warehouse, project):
    item = make_item()
    stocked(warehouse, item, project, 5)
    count = services.count_record(
        user=officer,
        warehouse=warehouse,
        date=DAY,
        lines=[{"item": item, "project": project, "counted": 0}],
    )
    services.count_reject(user=second_officer, movement=count, reason="Recount tomorrow")
    assert balance_of(warehouse, item, project)[0] == Decimal(5)
    assert not count.entries.exists()


def test_a_count_submitted_twice_with_the_same_request_key_is_recorded_once(
    officer, warehouse, project
):
    item = make_item()
    stocked(warehouse, item, project, 10)
    lines = [{"item": item, "project": project, "counted": 9}]
    first = services.count_record(
        user=officer, warehouse=warehouse, date=DAY, lines=lines, request_key="count-1"
    )
    again = services.count_record(
        user=officer, warehouse=warehouse, date=DAY, lines=lines, request_key="count-1"
    )
    assert again.pk == first.pk
    assert Movement.objects.filter(kind=Movement.Kind.COUNT).count() == 1

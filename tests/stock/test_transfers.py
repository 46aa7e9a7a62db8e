from __future__ import annotations

from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.stock import selectors, services
from sanad.stock.models import Movement
from tests.factories import DUHOK, ERBIL, make_user
from tests.stock.factories import DAY, balance_of, make_item, stocked

pytestmark = pytest.mark.django_db


@pytest.fixture
def blanket(db):
    return make_item("blanket", name_en="High-thermal blanket")


def transfer(officer, source, destination, project, item, quantity):
    return services.transfer_create(
        user=officer,
        from_warehouse=source,
        to_warehouse=destination,
        project=project,
        date=DAY,
        lines=[{"item": item, "quantity": quantity}],
    )


def test_a_transfer_moves_nothing_until_dispatched(
    officer, erbil_warehouse, warehouse, project, blanket
):
    stocked(erbil_warehouse, blanket, project, 100)
    movement = transfer(officer, erbil_warehouse, warehouse, project, blanket, 60)
    assert movement.status == Movement.Status.DRAFT and movement.number.startswith("TRF-2026-")
    assert balance_of(erbil_warehouse, blanket, project)[0] == Decimal(100)
    services.transfer_dispatch(user=officer, movement=movement)
    assert balance_of(erbil_warehouse, blanket, project)[0] == Decimal(40)
    assert balance_of(warehouse, blanket, project)[0] == Decimal(0)
    services.transfer_mark_in_transit(user=officer, movement=movement)
    received = services.transfer_receive(user=officer, movement=movement)
    assert received.status == Movement.Status.RECEIVED
    assert balance_of(warehouse, blanket, project)[0] == Decimal(60)
    line = received.lines.get()
    assert (line.received, line.lost) == (Decimal(60), Decimal(0))
    history = [t.to_state for t in Movement.STATUS_MACHINE.history(received).order_by("at")]
    assert history == ["dispatched", "in_transit", "received"]


def test_a_loss_in_transit_needs_a_reason_and_never_reaches_the_destination(
    officer, erbil_warehouse, warehouse, project, blanket
):
    stocked(erbil_warehouse, blanket, project, 100)
    movement = transfer(officer, erbil_warehouse, warehouse, project, blanket, 50)
    services.transfer_dispatch(user=officer, movement=movement)
    line = movement.lines.get()
    with pytest.raises(ValidationFailed) as err:
        services.transfer_receive(
            user=officer, movement=movement, received={line.pk: {"received": 48}}
        )
    assert f"received.{line.pk}.loss_reason" in err.value.fields
    assert "2 piece of High-thermal blanket did not arrive" in str(
        err.value.fields[f"received.{line.pk}.loss_reason"][0]
    )
    assert balance_of(warehouse, blanket, project)[0] == Decimal(0)
    services.transfer_receive(
        user=officer,
        movement=movement,
        received={str(line.pk): {"received": "48", "loss_reason": "Torn in transit"}},
    )
    line.refresh_from_db()
    assert (line.received, line.lost, line.loss_reason) == (
        Decimal(48),
        Decimal(2),
        "Torn in transit",
    )
    assert balance_of(warehouse, blanket, project)[0] == Decimal(48)
    assert balance_of(erbil_warehouse, blanket, project)[0] == Decimal(50)
    assert selectors.ledger_differences() == []


def test_more_cannot_arrive_than_was_sent(officer, erbil_warehouse, warehouse, project, blanket):
    stocked(erbil_warehouse, blanket, project, 10)
    movement = transfer(officer, erbil_warehouse, warehouse, project, blanket, 10)
    services.transfer_dispatch(user=officer, movement=movement)
    line = movement.lines.get()
    with pytest.raises(ValidationFailed):
        services.transfer_receive(
            user=officer, movement=movement, received={line.pk: {"received": 11}}
        )


def test_a_transfer_is_dispatched_once(officer, erbil_warehouse, warehouse, project, blanket):
    stocked(erbil_warehouse, blanket, project, 100)
    movement = transfer(officer, erbil_warehouse, warehouse, project, blanket, 10)
    services.transfer_dispatch(user=officer, movement=movement)
    stale = Movement.objects.get(pk=movement.pk)
    stale.status = Movement.Status.DRAFT
    with pytest.raises(InvalidTransition):
        services.transfer_dispatch(user=officer, movement=stale)
    assert balance_of(erbil_warehouse, blanket, project)[0] == Decimal(90)


def test_a_transfer_beyond_the_source_balance_is_refused_at_dispatch(
    officer, erbil_warehouse, warehouse, project, blanket
):
    stocked(erbil_warehouse, blanket, project, 5)
    movement = transfer(officer, erbil_warehouse, warehouse, project, blanket, 6)
    with pytest.raises(Conflict):
        services.transfer_dispatch(user=officer, movement=movement)
    movement.refresh_from_db()
    assert movement.status == Movement.Status.DRAFT
    assert balance_of(erbil_warehouse, blanket, project)[0] == Decimal(5)


def test_a_transfer_needs_two_different_warehouses(officer, warehouse, project, blanket):
    with pytest.raises(ValidationFailed):
        transfer(officer, warehouse, warehouse, project, blanket, 1)


def test_the_receiving_governorate_receives_and_sees_the_incoming_transfer(
    officer, erbil_warehouse, warehouse, project, blanket
):
    duhok_only = make_user("warehouse_officer", governorates=(DUHOK,), programmes=("NFI",))
    erbil_only = make_user("warehouse_officer", governorates=(ERBIL,), programmes=("NFI",))
    stocked(erbil_warehouse, blanket, project, 10)
    movement = transfer(erbil_only, erbil_warehouse, warehouse, project, blanket, 10)
    services.transfer_dispatch(user=erbil_only, movement=movement)
    assert selectors.movement_get(user=duhok_only, public_id=movement.public_id) == movement
    with pytest.raises(PermissionDenied):
        services.transfer_receive(user=erbil_only, movement=movement)
    services.transfer_receive(user=duhok_only, movement=movement)
    assert balance_of(warehouse, blanket, project)[0] == Decimal(10)


def test_a_draft_transfer_can_be_cancelled_with_a_reason(
    officer, erbil_warehouse, warehouse, project, blanket
):
    movement = transfer(officer, erbil_warehouse, warehouse, project, blanket, 1)
    with pytest.raises(ValidationFailed):
        services.movement_cancel(user=officer, movement=movement, reason="")
    services.movement_cancel(user=officer, movement=movement, reason="Truck unavailable")
    movement.refresh_from_db()
    assert movement.status == Movement.Status.CANCELLED

"""Closing an event reconciles its kits: dispatched = distributed + returned + lost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.distribution import services
from sanad.distribution.models import Event
from sanad.stock.models import Movement
from tests.distribution.factories import balance, distribution_world, open_event, record

pytestmark = pytest.mark.django_db


def test_a_reconciled_event_closes_and_returned_kits_go_back_to_the_warehouse():
    w = distribution_world(households=3, stocked=3)
    event = open_event(w)
    record(w, event, w.households[0])
    record(w, event, w.households[1])
    event = services.event_close(user=w.storekeeper, event=event, returned=1)
    assert event.status == Event.Status.CLOSED
    assert (event.dispatched, event.distributed, event.returned, event.lost) == (
        Decimal(3),
        Decimal(2),
        Decimal(1),
        Decimal(0),
    )
    assert event.closed_by == w.storekeeper
    assert balance(w) == (Decimal(1), Decimal(0))
    back = Movement.objects.get(kind="return")
    assert back.reference_type == "distribution.event"
    assert back.reference_id == str(event.public_id)


def test_missing_kits_need_a_reason():
    w = distribution_world(households=3)
    event = open_event(w)
    record(w, event, w.households[0])
    with pytest.raises(ValidationFailed) as exc:
        services.event_close(user=w.storekeeper, event=event, returned=1)
    assert "reason" in exc.value.fields
    event.refresh_from_db()
    assert event.status == Event.Status.OPEN
    event = services.event_close(
        user=w.storekeeper, event=event, returned=1, reason="One kit damaged in the rain"
    )
    assert event.lost == Decimal(1)
    assert event.difference_reason == "One kit damaged in the rain"


def test_more_distributed_and_returned_than_dispatched_is_an_error():
    w = distribution_world(households=2)
    event = open_event(w)
    record(w, event, w.households[0])
    with pytest.raises(ValidationFailed) as exc:
        services.event_close(user=w.storekeeper, event=event, returned=2)
    assert exc.value.code == "over_reconciled"
    assert balance(w) == (Decimal(0), Decimal(0))  # nothing came back


def test_a_closed_event_takes_no_more_receipts_and_cannot_close_again():
    w = distribution_world(households=2)
    event = open_event(w)
    services.event_close(user=w.storekeeper, event=event, returned=2)
    with pytest.raises(Conflict) as exc:
        record(w, event, w.households[0])
    assert exc.value.code == "event_not_open"
    with pytest.raises(InvalidTransition):
        services.event_close(user=w.storekeeper, event=event, returned=0)


def test_a_planned_event_cannot_be_closed_and_a_field_enumerator_cannot_close():
    w = distribution_world(households=1)
    services.plan_approve(user=w.officer, plan=w.plan)
    planned = services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=w.today)
    with pytest.raises(InvalidTransition):
        services.event_close(user=w.storekeeper, event=planned, returned=0)
    services.event_dispatch(user=w.officer, event=planned)
    with pytest.raises(PermissionDenied):
        services.event_close(user=w.field, event=planned, returned=0)
    with pytest.raises(ValidationFailed):
        services.event_close(user=w.storekeeper, event=planned, returned=-1)

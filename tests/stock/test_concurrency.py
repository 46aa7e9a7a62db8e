"""Two officers moving the last units at the same moment, in two real database
connections. Only PostgreSQL runs transactions truly side by side (SQLite takes one
writer at a time, so there is nothing to race); there the conditional UPDATE in
`stock.services._base._post` must let exactly one of them through."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from sanad.core.errors import Conflict
from sanad.stock import selectors, services
from sanad.stock.models import Movement
from tests.factories import DUHOK, make_user
from tests.stock.factories import DAY, balance_of, make_item, make_project, make_warehouse, stocked

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL (SQLite serialises all writers); "
    "run with DATABASE_URL=postgres://… (make test-postgres)",
)

ROUNDS = 5


def race(*calls: Any) -> list[Any]:
    """Run each call in its own thread and database connection, released together by
    a barrier; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def world() -> dict[str, Any]:
    officers = [
        make_user("warehouse_officer", governorates=(DUHOK,), programmes=("NFI",)) for _ in range(2)
    ]
    return {
        "officers": officers,
        "warehouse": make_warehouse(DUHOK),
        "project": make_project("NFI"),
    }


def test_two_officers_dispatching_the_last_units_at_once_never_go_negative(transactional_db):
    w = world()
    warehouse, project = w["warehouse"], w["project"]
    for _ in range(ROUNDS):
        item = make_item()
        stocked(warehouse, item, project, 10)

        def dispatch(officer: Any, item: Any = item) -> Any:
            return lambda: services.dispatch_to_distribution(
                user=officer,
                warehouse=warehouse,
                item=item,
                project=project,
                quantity=10,
                reference_type="distribution.event",
                reference_id="race",
                date=DAY,
                from_reservation=False,
            )

        results = race(*(dispatch(o) for o in w["officers"]))
        succeeded = [r for r in results if isinstance(r, Movement)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(succeeded) == 1 and len(refused) == 1, results
        assert "Only 0 piece" in str(refused[0].message)
        assert balance_of(warehouse, item, project) == (Decimal(0), Decimal(0))
        assert Movement.objects.filter(kind="dispatch", entries__item=item).count() == 1
    assert selectors.ledger_differences() == []


def test_two_plans_reserving_the_last_kits_at_once_get_them_once(transactional_db):
    w = world()
    warehouse, project = w["warehouse"], w["project"]
    for _ in range(ROUNDS):
        item = make_item()
        stocked(warehouse, item, project, 10)

        def reserve(officer: Any, item: Any = item) -> Any:
            return lambda: services.stock_reserve(
                user=officer,
                warehouse=warehouse,
                item=item,
                project=project,
                quantity=7,
                reference_type="distribution.plan",
                reference_id=str(officer.pk),
            )

        results = race(*(reserve(o) for o in w["officers"]))
        assert sum(r is None for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        assert balance_of(warehouse, item, project) == (Decimal(10), Decimal(7))


def test_a_dispatch_and_an_adjustment_racing_for_the_same_stock_leave_it_whole(
    transactional_db,
):
    w = world()
    warehouse, project = w["warehouse"], w["project"]
    first, second = w["officers"]
    for _ in range(ROUNDS):
        item = make_item()
        stocked(warehouse, item, project, 10)
        loss = services.adjustment_request(
            user=first,
            warehouse=warehouse,
            project=project,
            date=DAY,
            reason="theft",
            lines=[{"item": item, "quantity": 6, "direction": -1}],
        )
        results = race(
            lambda loss=loss: services.adjustment_approve(user=second, movement=loss),
            lambda item=item: services.dispatch_to_distribution(
                user=first,
                warehouse=warehouse,
                item=item,
                project=project,
                quantity=6,
                reference_type="distribution.event",
                reference_id="race",
                date=DAY,
                from_reservation=False,
            ),
        )
        assert sum(isinstance(r, Movement) for r in results) == 1, results
        assert balance_of(warehouse, item, project)[0] == Decimal(4)
    assert selectors.ledger_differences() == []

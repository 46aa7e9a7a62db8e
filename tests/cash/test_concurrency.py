"""Redemptions at the same moment, in real database connections. Only PostgreSQL runs
transactions truly side by side (SQLite takes one writer at a time, so there is
nothing to race); there the conditional UPDATE of `cash.services.redeem` must never
let the vouchers spend more than their balance, and the unique (vendor, key) must
let one copy of a repeated request through."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services
from sanad.cash.models import Redemption, Voucher
from sanad.core.errors import Conflict
from tests.cash.factories import cash_world, key, line, make_cashier, make_vendor

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions need PostgreSQL (SQLite serialises all writers); "
        "run with DATABASE_URL=postgres://… (make test-postgres)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 3


@pytest.fixture(autouse=True)
def _units(transactional_db: Any) -> None:
    """Name the transactional database among the fixtures, so that the project's
    conftest puts back the admin units the previous test's flush removed."""


@pytest.fixture
def checks_then_wait(monkeypatch: Any) -> Any:
    """Make every racer pass its checks before any writes (a second barrier in front
    of the write), so the database — the conditional UPDATE and the unique key — not
    the checks decides who wins."""
    from sanad.cash.services import redeem

    original = redeem._write
    state: dict[str, Any] = {}

    def arm(n: int) -> None:
        state["barrier"] = threading.Barrier(n)

    def write_after_all_checked(**kwargs: Any) -> Any:
        barrier = state.get("barrier")
        if barrier is not None:
            barrier.wait(timeout=10)
        return original(**kwargs)

    monkeypatch.setattr(redeem, "_write", write_after_all_checked)
    return arm


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
        thread.join(timeout=60)
    return results


def sale(cashier: Any, code: str, items: list[dict[str, Any]], k: str | None = None) -> Any:
    return lambda: services.voucher_redeem(
        user=cashier, code=code, items=items, idempotency_key=k or key()
    )


def spent(voucher: Voucher) -> Decimal:
    return sum((r.amount for r in Redemption.objects.filter(voucher=voucher)), Decimal(0))


def test_two_vendors_spending_most_of_one_voucher_at_once_get_it_once(checks_then_wait):
    w = cash_world(households=ROUNDS)  # 50,000 IQD each
    other = make_vendor(w.officer, prices={w.heater: 30000})
    cashiers = [w.cashier, make_cashier(w.officer, other)]
    for index in range(ROUNDS):
        code = w.code(index)
        checks_then_wait(2)
        results = race(*(sale(c, code, [line(w.heater, 1)]) for c in cashiers))  # 30,000 each
        won = [r for r in results if isinstance(r, tuple)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].code == "insufficient_balance"
        voucher = w.voucher(index)
        assert voucher.balance == Decimal("20000.00")
        assert spent(voucher) == Decimal("30000.00")


def test_many_cashiers_at_once_never_spend_more_than_the_balance():
    w = cash_world(households=1)  # 50,000 IQD
    vendors = [w.vendor] + [make_vendor(w.officer, prices={w.blanket: 12000}) for _i in range(2)]
    cashiers = [make_cashier(w.officer, vendors[i % 3]) for i in range(8)]
    code = w.code(0)
    results = race(*(sale(c, code, [line(w.blanket, 1, "10000")]) for c in cashiers))
    won = [r for r in results if isinstance(r, tuple)]
    assert len(won) == 5, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, tuple)), results
    voucher = w.voucher(0)
    assert voucher.balance == 0 and voucher.status == "spent"
    assert spent(voucher) == voucher.amount
    assert AssistanceRecord.objects.filter(source_type="cash.redemption").count() == 5
    # Every answer told the balance the sale really left.
    balances = sorted(Decimal(r[0].response["balance"]) for r in won)
    assert balances == [Decimal(n) for n in ("0", "10000", "20000", "30000", "40000")]


def test_the_same_request_sent_twice_at_once_is_spent_once(checks_then_wait):
    w = cash_world(households=ROUNDS)
    for index in range(ROUNDS):
        checks_then_wait(2)
        k = key()
        items = [line(w.blanket, 2)]
        results = race(*(sale(w.cashier, w.code(index), items, k) for _i in range(2)))
        assert all(isinstance(r, tuple) for r in results), results
        (first, first_replayed), (second, second_replayed) = results
        assert first.pk == second.pk
        assert sorted([first_replayed, second_replayed]) == [False, True]
        assert first.response == second.response
        voucher = w.voucher(index)
        assert voucher.balance == Decimal("26000.00")
        assert Redemption.objects.filter(voucher=voucher).count() == 1
        assert (
            AssistanceRecord.objects.filter(
                source_type="cash.redemption", source_id=str(first.public_id)
            ).count()
            == 1
        )


def test_the_same_key_raced_with_two_bodies_spends_once_and_refuses_the_other(
    checks_then_wait,
):
    w = cash_world(households=1)
    checks_then_wait(2)
    k = key()
    results = race(
        sale(w.cashier, w.code(0), [line(w.blanket, 1)], k),
        sale(w.cashier, w.code(0), [line(w.blanket, 2)], k),
    )
    won = [r for r in results if isinstance(r, tuple)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "idempotency_key_reused"
    assert w.voucher(0).balance == Decimal("50000.00") - won[0][0].amount

"""Two devices recording the same household at the same moment: exactly one receipt
and one ledger record, the other device told when and by whom. Real concurrent
transactions need PostgreSQL (SQLite serialises every write, so there is no race to
lose there)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import Conflict
from sanad.distribution.models import Receipt
from tests.distribution.factories import distribution_world, open_event, record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions need PostgreSQL; SQLite serialises writes",
    ),
]


def _race(
    w: Any, event: Any, household: Any, keys: list[str | None], monkeypatch: Any
) -> list[tuple[str, Any]]:
    """Run one `receipt_record` per key in threads. Both devices pass the checks before
    either writes (a second barrier after the eligibility rules), so the database's
    unique constraint — not the checks — decides who wins."""
    from sanad.distribution.services import receipts

    barrier = threading.Barrier(len(keys))
    checked = threading.Barrier(len(keys))
    original = receipts.eligibility

    def eligibility_then_wait(**kwargs: Any) -> Any:
        verdict = original(**kwargs)
        checked.wait(timeout=10)
        return verdict

    monkeypatch.setattr(receipts, "eligibility", eligibility_then_wait)
    results: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def device(key: str | None) -> None:
        try:
            barrier.wait(timeout=10)
            receipt = record(w, event, household, client_key=key, device=f"phone-{key}")
            outcome: tuple[str, Any] = ("ok", receipt.pk)
        except Conflict as exc:
            outcome = ("conflict", exc)
        except Exception as exc:
            outcome = ("error", exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=device, args=(key,)) for key in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_devices_recording_the_same_household_make_exactly_one_receipt(
    transactional_db, monkeypatch
):
    w = distribution_world(households=1)
    event = open_event(w)
    household = w.households[0]
    results = _race(w, event, household, ["phone-a-1", "phone-b-1"], monkeypatch)
    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["conflict", "ok"], results
    conflict = next(value for kind, value in results if kind == "conflict")
    assert conflict.code == "already_received"
    assert str(w.field) in str(conflict.message)
    assert Receipt.objects.filter(event=event, household=household).count() == 1
    assert AssistanceRecord.objects.filter(source_type="distribution.receipt").count() == 1
    event.refresh_from_db()
    assert event.distributed == Decimal(1)


def test_a_retry_racing_its_first_attempt_returns_the_same_receipt(transactional_db, monkeypatch):
    w = distribution_world(households=1)
    event = open_event(w)
    results = _race(w, event, w.households[0], ["same-attempt", "same-attempt"], monkeypatch)
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1]
    assert Receipt.objects.count() == 1
    assert AssistanceRecord.objects.filter(source_type="distribution.receipt").count() == 1
    event.refresh_from_db()
    assert event.distributed == Decimal(1)

"""The lean redemption path: a new key is written without a look-up first, yet a
repeated key is answered as the first time whatever happened to the voucher or the
vendor since; the fraud checks of a new sale use what it holds in memory; and a sale
stays a small, fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services
from sanad.cash.models import Redemption, Signal
from sanad.core.errors import Conflict
from tests.cash.factories import cash_world, key, line, redeem

pytestmark = pytest.mark.django_db

# The cashier's vendor, the items with their prices, the voucher, the plan's vendors;
# the write (UPDATE … RETURNING on PostgreSQL, UPDATE and a read elsewhere; the
# redemption, its lines, the household's status, the ledger line; here inside the
# test's transaction, so between a SAVEPOINT and its RELEASE); the fraud checks. Was 25.
MAX_QUERIES = 13


def test_a_replay_answers_after_the_voucher_was_cancelled():
    w = cash_world(households=1)
    k = key()
    first, _ = redeem(w, 0, idempotency_key=k)
    services.voucher_cancel(user=w.officer, voucher=w.vouchers[0], reason="stolen")
    again, replayed = redeem(w, 0, idempotency_key=k)
    assert replayed and again.pk == first.pk and again.response == first.response


def test_a_replay_answers_after_the_vendor_was_suspended():
    w = cash_world(households=1)
    k = key()
    first, _ = redeem(w, 0, idempotency_key=k)
    services.vendor_transition(user=w.officer, vendor=w.vendor, to="suspended", reason="Checks")
    again, replayed = redeem(w, 0, idempotency_key=k)
    assert replayed and again.pk == first.pk


def test_a_replay_with_the_key_of_another_sale_is_still_refused_as_reused():
    w = cash_world(households=1, amount="12000")
    k = key()
    redeem(w, 0, [line(w.blanket, 1)], idempotency_key=k)  # spends it all
    with pytest.raises(Conflict) as exc:
        redeem(w, 0, [line(w.blanket, 2)], idempotency_key=k)
    assert exc.value.code == "idempotency_key_reused"


def test_a_replay_of_a_pin_voucher_is_answered_before_a_wrong_pin_is_counted():
    w = cash_world(households=1, require_pin=True)
    k = key()
    first, _ = redeem(w, 0, idempotency_key=k)
    wrong = "0000" if w.pin(0) != "0000" else "1111"
    again, replayed = redeem(w, 0, idempotency_key=k, pin=wrong)
    assert replayed and again.pk == first.pk
    assert not cache.get(f"cash:pin-tries:{w.vouchers[0].pk}")


def test_a_repeated_key_spends_once_and_writes_one_ledger_line():
    w = cash_world(households=1)
    k = key()
    redeem(w, 0, idempotency_key=k)
    redeem(w, 0, idempotency_key=k)
    assert Redemption.objects.count() == 1
    assert AssistanceRecord.objects.filter(source_type="cash.redemption").count() == 1
    assert w.voucher(0).balance == w.voucher(0).amount - Redemption.objects.get().amount


def test_the_checks_of_a_new_sale_flag_from_what_it_holds(
    django_capture_on_commit_callbacks: Any,
):
    w = cash_world(households=1)
    with django_capture_on_commit_callbacks(execute=True):
        redemption, _ = redeem(w, 0, [line(w.blanket, 1, "15000"), line(w.soap, 2)])
    (signal,) = Signal.objects.filter(redemption=redemption)
    assert signal.kind == "price_above_contract"
    assert signal.details["lines"] == [
        {"item": w.blanket.code, "unit_price": "15000.00", "contracted_price": "12000.00"}
    ]


def test_a_sale_is_a_small_fixed_number_of_queries(django_capture_on_commit_callbacks: Any):
    w = cash_world(households=2)
    redeem(w, 1)  # roles and caches warm, as in a server
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        redemption, replayed = redeem(w, 0, [line(w.blanket, 2), line(w.soap, 1)])
    assert not replayed and redemption.lines.count() == 2
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) <= MAX_QUERIES, "\n".join(sql)
    # No look-up of the key or of the ledger's source before the write.
    assert not any("idempotency_key" in s and s.startswith("SELECT") for s in sql)
    assert not any(s.startswith("SELECT") and "assistance_assistancerecord" in s for s in sql)

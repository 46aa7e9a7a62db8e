"""Reconciliation: a vendor's redemptions over a period → a payment request with its
count, total and discrepancies → submitted → approved by another finance officer →
paid; a rejection frees the redemptions; a redemption is never in two live requests."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from sanad.cash import services
from sanad.cash.models import PaymentRequest, Redemption, Signal
from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from tests.cash.factories import cash_world, line, make_vendor, redeem
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def _request(w: Any, **kwargs: Any) -> PaymentRequest:
    values: dict[str, Any] = {
        "user": w.finance,
        "vendor": w.vendor,
        "period_start": w.today - datetime.timedelta(days=7),
        "period_end": w.today,
        "currency": "IQD",
    }
    values.update(kwargs)
    return services.payment_request_create(**values)


def _second_finance() -> Any:
    return make_user("finance_officer", governorates=(DUHOK,))


def _move(redemption: Any, days: int) -> None:
    Redemption.objects.filter(pk=redemption.pk).update(
        redeemed_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_a_request_adds_up_the_vendors_redemptions_of_the_period():
    w = cash_world(households=3)
    r1, _ = redeem(w, 0, [line(w.blanket, 2)])  # 24,000
    r2, _ = redeem(w, 1, [line(w.heater, 1), line(w.soap, 3)])  # 34,500
    old, _ = redeem(w, 2, [line(w.soap, 1)])  # 1,500, before the period
    _move(old, 30)

    request = _request(w, vendor_claimed="58500")

    assert request.number == f"PAY-{w.today.year}-{request.pk:06d}"
    assert request.status == "draft"
    assert request.redemptions_count == 2
    assert request.total == Decimal("58500.00")
    assert request.discrepancies == []
    assert set(request.redemptions.values_list("pk", flat=True)) == {r1.pk, r2.pk}
    assert Redemption.objects.get(pk=old.pk).payment_request is None


def test_a_claim_that_differs_from_the_redemptions_is_a_discrepancy_and_a_signal():
    w = cash_world(households=2)
    redeem(w, 0, [line(w.blanket, 2)])  # 24,000

    request = _request(w, vendor_claimed="25000")

    [found] = request.discrepancies
    assert found["code"] == "claim_differs"
    assert (found["claimed"], found["total"], found["difference"]) == (
        "25000.00",
        "24000.00",
        "1000.00",
    )
    message = services.discrepancy_message(found)
    assert "25,000 IQD" in message and "24,000 IQD" in message and "1,000 IQD more" in message
    signal = Signal.objects.get(kind="discrepancy", vendor=w.vendor)
    assert signal.details["payment_request"] == request.number


def test_prices_above_the_contract_and_open_signals_are_listed():
    w = cash_world(households=2)
    above, _ = redeem(w, 0, [line(w.blanket, 2, unit_price="13000")])  # contract 12,000
    services.check_redemption(redemption=above)  # what runs after the commit
    assert Signal.objects.filter(redemption=above, reviewed_at__isnull=True).exists()

    request = _request(w)

    codes = [d["code"] for d in request.discrepancies]
    assert "price_above_contract" in codes and "open_signal" in codes
    price = next(d for d in request.discrepancies if d["code"] == "price_above_contract")
    assert (price["unit_price"], price["contracted_price"], price["excess"]) == (
        "13000.00",
        "12000.00",
        "2000.00",
    )
    assert "above the contracted 12,000 IQD" in services.discrepancy_message(price)
    assert request.total == Decimal("26000.00")


def test_a_reviewed_signal_is_no_longer_a_discrepancy():
    w = cash_world(households=1)
    above, _ = redeem(w, 0, [line(w.blanket, 1, unit_price="12500")])
    for signal in services.check_redemption(redemption=above):
        services.signal_review(user=w.finance, signal=signal, note="Checked the receipt")

    request = _request(w)

    assert [d["code"] for d in request.discrepancies] == ["price_above_contract"]


def test_only_the_requests_currency_and_vendor_are_taken():
    w = cash_world(households=2)
    other = make_vendor(w.officer)
    redeem(w, 0, [line(w.blanket, 1)])
    request = _request(w, currency="IQD")
    assert request.redemptions_count == 1
    with pytest.raises(Conflict) as exc:
        _request(w, vendor=other)
    assert exc.value.code == "nothing_to_reconcile"
    with pytest.raises(Conflict):
        _request(w, currency="USD")


def test_one_redemption_is_never_in_two_live_requests():
    w = cash_world(households=2)
    redeem(w, 0)
    first = _request(w)
    with pytest.raises(Conflict) as exc:
        _request(w)
    assert exc.value.code == "nothing_to_reconcile"

    redeem(w, 1)  # a later sale goes into a second request, alone
    second = _request(w)
    assert (first.redemptions_count, second.redemptions_count) == (1, 1)
    assert not set(first.redemptions.all()) & set(second.redemptions.all())


def test_submit_then_approve_by_another_person_then_paid():
    w = cash_world(households=1)
    redeem(w, 0, [line(w.blanket, 1)])
    request = _request(w)
    request = services.payment_request_submit(user=w.finance, request=request)
    assert request.status == "submitted" and request.submitted_by == w.finance

    with pytest.raises(PermissionDenied) as exc:
        services.payment_request_approve(user=w.finance, request=request)
    assert exc.value.code == "same_person"
    assert PaymentRequest.objects.get(pk=request.pk).status == "submitted"

    approver = _second_finance()
    request = services.payment_request_approve(user=approver, request=request)
    assert request.status == "approved" and request.approved_by == approver

    request = services.payment_request_paid(
        user=approver, request=request, paid_on=w.today, reference="BANK-77"
    )
    request.refresh_from_db()
    assert (request.status, request.paid_on, request.payment_reference) == (
        "paid",
        w.today,
        "BANK-77",
    )


def test_the_one_who_made_the_request_cannot_approve_it_even_if_another_submitted_it():
    w = cash_world(households=1)
    redeem(w, 0)
    request = _request(w)
    colleague = _second_finance()
    services.payment_request_submit(user=colleague, request=request)
    with pytest.raises(PermissionDenied) as exc:
        services.payment_request_approve(user=w.finance, request=request)
    assert exc.value.code == "same_person"


def test_approval_needs_the_approve_permission_and_a_submitted_request():
    w = cash_world(households=1)
    redeem(w, 0)
    request = _request(w)
    with pytest.raises(PermissionDenied):
        services.payment_request_approve(user=w.officer, request=request)  # no permission
    with pytest.raises(InvalidTransition):
        services.payment_request_approve(user=_second_finance(), request=request)  # a draft
    with pytest.raises(InvalidTransition):
        services.payment_request_paid(
            user=_second_finance(), request=request, paid_on=w.today, reference="X"
        )


def test_rejecting_frees_the_redemptions_for_a_new_request():
    w = cash_world(households=2)
    redeem(w, 0)
    redeem(w, 1)
    request = _request(w)
    services.payment_request_submit(user=w.finance, request=request)
    with pytest.raises(ValidationFailed):
        services.payment_request_reject(user=_second_finance(), request=request, reason=" ")

    services.payment_request_reject(
        user=_second_finance(), request=request, reason="Invoice missing"
    )

    request.refresh_from_db()
    assert request.status == "rejected"
    assert not Redemption.objects.filter(payment_request=request).exists()
    again = _request(w)
    assert again.redemptions_count == 2 and again.total == request.total


def test_a_paid_request_cannot_be_rejected():
    w = cash_world(households=1)
    redeem(w, 0)
    request = _request(w)
    services.payment_request_submit(user=w.finance, request=request)
    approver = _second_finance()
    services.payment_request_approve(user=approver, request=request)
    services.payment_request_paid(user=approver, request=request, paid_on=w.today, reference="B1")
    with pytest.raises(InvalidTransition):
        services.payment_request_reject(user=approver, request=request, reason="late")
    assert Redemption.objects.filter(payment_request=request).count() == 1


def test_the_period_and_the_payment_day_are_checked():
    w = cash_world(households=1)
    redeem(w, 0)
    with pytest.raises(ValidationFailed) as exc:
        _request(w, period_start=w.today, period_end=w.today - datetime.timedelta(days=1))
    assert "period_end" in exc.value.fields
    with pytest.raises(ValidationFailed):
        _request(w, period_end=w.today + datetime.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        _request(w, vendor_claimed="a lot")
    request = _request(w)
    services.payment_request_submit(user=w.finance, request=request)
    approver = _second_finance()
    services.payment_request_approve(user=approver, request=request)
    with pytest.raises(ValidationFailed) as exc:
        services.payment_request_paid(
            user=approver,
            request=request,
            paid_on=w.today + datetime.timedelta(days=1),
            reference="B",
        )
    assert "paid_on" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.payment_request_paid(user=approver, request=request, paid_on=w.today, reference="")


def test_a_finance_officer_of_another_governorate_cannot_reconcile_the_vendor():
    w = cash_world(households=1)
    redeem(w, 0)
    outsider = make_user("finance_officer", governorates=(ERBIL,))
    with pytest.raises(PermissionDenied):
        _request(w, user=outsider)
    with pytest.raises(PermissionDenied):
        _request(w, user=w.cashier)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL; SQLite serialises writes",
)
def test_two_requests_made_at_the_same_moment_never_share_a_redemption(transactional_db):
    # (`transactional_db` by name: tests/conftest.py then puts the admin units back.)
    w = cash_world(households=2)
    redeem(w, 0)
    redeem(w, 1)
    colleague = _second_finance()
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def clerk(user: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcome: Any = _request(w, user=user)
        except Exception as exc:
            outcome = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=clerk, args=(u,)) for u in (w.finance, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    made = [o for o in outcomes if isinstance(o, PaymentRequest)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert made[0].redemptions_count == 2
    assert Redemption.objects.filter(payment_request=made[0]).count() == 2

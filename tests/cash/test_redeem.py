"""Redeeming e-vouchers: partial sales, the ledger, idempotency, every refusal code,
and cancel + re-issue keeping the balance."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services
from sanad.cash.models import Redemption, Voucher
from sanad.cash.services import redeem as redeem_module
from sanad.cash.services._common import code_display
from sanad.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tests.cash.factories import (
    cash_world,
    key,
    line,
    make_cashier,
    make_vendor,
    redeem,
)

pytestmark = pytest.mark.django_db


def refused(exc_type: type[ApplicationError], code: str, call: Any) -> ApplicationError:
    with pytest.raises(exc_type) as exc:
        call()
    assert exc.value.code == code, (exc.value.code, str(exc.value.message))
    return exc.value


def nothing_spent(w: Any, index: int = 0) -> None:
    voucher = w.voucher(index)
    assert voucher.balance == voucher.amount
    assert not Redemption.objects.filter(voucher=voucher).exists()
    assert not AssistanceRecord.objects.filter(source_type="cash.redemption").exists()


class TestSale:
    def test_a_partial_sale_takes_its_amount_and_leaves_the_rest(self):
        w = cash_world(households=1)
        redemption, replayed = redeem(w, 0, [line(w.blanket, 2), line(w.soap, "3")])
        assert replayed is False
        assert redemption.amount == Decimal("28500.00")  # 2 × 12,000 + 3 × 1,500
        assert redemption.balance_after == Decimal("21500.00")
        assert redemption.vendor == w.vendor and redemption.currency == "IQD"
        assert redemption.exchange_rate == Decimal("1310")
        voucher = w.voucher(0)
        assert voucher.balance == Decimal("21500.00") and voucher.status == "active"
        assert redemption.response == {
            "redemption": str(redemption.public_id),
            "amount": "28500.00",
            "currency": "IQD",
            "balance": "21500.00",
            "voucher_status": "active",
        }
        lines = list(redemption.lines.order_by("id"))
        assert [
            (ln.item, ln.quantity, ln.unit_price, ln.amount, ln.contracted_price) for ln in lines
        ] == [
            (w.blanket, Decimal(2), Decimal(12000), Decimal(24000), Decimal(12000)),
            (w.soap, Decimal(3), Decimal(1500), Decimal(4500), Decimal(1500)),
        ]

    def test_spending_the_whole_balance_marks_the_voucher_spent(self):
        w = cash_world(households=1)
        redeem(w, 0, [line(w.heater, 1)])  # 30,000
        redemption, _ = redeem(w, 0, [line(w.blanket, 1, "20000")])
        assert redemption.balance_after == 0
        assert redemption.response["voucher_status"] == "spent"
        assert w.voucher(0).status == "spent"

    def test_amounts_are_rounded_to_the_cent(self):
        w = cash_world(households=1, currency="USD", amount="40", exchange_rate="1310")
        redemption, _ = redeem(w, 0, [line(w.soap, "1.5", "0.99")])  # 1.485
        assert redemption.amount == Decimal("1.49")
        assert w.voucher(0).balance == Decimal("38.51")

    def test_each_sale_writes_the_ledger_with_value_currency_rate_and_what_it_bought(self):
        w = cash_world(households=1, amount="100000")
        redemption, _ = redeem(w, 0, [line(w.blanket, 2), line(w.heater, 1)])
        record = AssistanceRecord.objects.get(
            source_type="cash.redemption", source_id=str(redemption.public_id)
        )
        assert record.household == w.households[0]
        assert record.kind == "voucher" and record.item == "nfi_evoucher"
        assert (record.value, record.currency, record.exchange_rate) == (
            Decimal("54000.00"),
            "IQD",
            Decimal("1310"),
        )
        assert record.project == w.project and record.programme == w.programme
        assert record.delivered_on == w.today
        assert record.description == (
            f"E-voucher …{w.code(0)[-4:]} at {w.vendor.name}: "
            "2 × High-thermal blanket, 1 × Kerosene heater"
        )

    def test_a_long_description_is_cut_to_the_ledgers_200_characters(self):
        w = cash_world(households=1, amount="5000000")
        items = [line(w.blanket, 1) for _i in range(30)]
        redemption, _ = redeem(w, 0, items)
        record = AssistanceRecord.objects.get(source_id=str(redemption.public_id))
        assert len(record.description) == 200 and record.description.endswith("…")

    def test_a_usd_voucher_compares_prices_with_the_iqd_contract_at_the_plans_rate(self):
        w = cash_world(households=1, currency="USD", amount="100", exchange_rate="1200")
        redemption, _ = redeem(w, 0, [line(w.blanket, 1, "10")])
        (ln,) = redemption.lines.all()
        assert ln.contracted_price == Decimal("10.00")  # 12,000 IQD / 1,200
        record = AssistanceRecord.objects.get(source_id=str(redemption.public_id))
        assert (record.value, record.currency, record.exchange_rate) == (
            Decimal("10.00"),
            "USD",
            Decimal("1200"),
        )

    def test_a_code_typed_with_dashes_in_lower_case_is_the_same_voucher(self):
        w = cash_world(households=1)
        redemption, _ = redeem(w, code_display(w.code(0)).lower())
        assert redemption.voucher == w.vouchers[0]

    def test_the_fraud_checks_run_once_the_sale_is_committed(
        self, django_capture_on_commit_callbacks: Any, settings: Any
    ):
        settings.SANAD_CASH_BURST_COUNT = 1
        w = cash_world(households=1)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            redemption, _ = redeem(w, 0)
        assert len(callbacks) == 1
        assert list(redemption.signals.values_list("kind", flat=True)) == ["burst"]


class TestIdempotency:
    def test_the_same_key_and_body_returns_the_first_answer_and_spends_nothing(self):
        w = cash_world(households=1)
        k = key()
        first, replayed = redeem(w, 0, [line(w.blanket, 2)], idempotency_key=k)
        assert replayed is False
        again, replayed = redeem(
            w,
            code_display(w.code(0)).lower(),
            [{"item": w.blanket.code, "quantity": "2.00", "unit_price": 12000}],
            idempotency_key=k,
        )
        assert replayed is True and again.pk == first.pk
        assert again.response == first.response
        assert w.voucher(0).balance == Decimal("26000.00")
        assert Redemption.objects.count() == 1
        assert AssistanceRecord.objects.filter(source_type="cash.redemption").count() == 1

    def test_a_replay_answers_even_after_the_voucher_was_spent(self):
        w = cash_world(households=1, amount="12000")
        k = key()
        first, _ = redeem(w, 0, idempotency_key=k)
        assert w.voucher(0).status == "spent"
        again, replayed = redeem(w, 0, idempotency_key=k)
        assert replayed and again.pk == first.pk

    def test_the_same_key_with_another_body_is_refused(self):
        w = cash_world(households=1)
        k = key()
        redeem(w, 0, [line(w.blanket, 2)], idempotency_key=k)
        error = refused(
            Conflict,
            "idempotency_key_reused",
            lambda: redeem(w, 0, [line(w.blanket, 3)], idempotency_key=k),
        )
        assert "already used" in str(error.message)
        assert w.voucher(0).balance == Decimal("26000.00")

    def test_a_key_is_unique_per_vendor_only(self):
        w = cash_world(households=1)
        other = make_vendor(w.officer, prices={w.blanket: 12000})
        other_cashier = make_cashier(w.officer, other)
        k = key()
        redeem(w, 0, idempotency_key=k)
        _second, replayed = redeem(w, 0, idempotency_key=k, user=other_cashier)
        assert replayed is False
        assert w.voucher(0).balance == Decimal("26000.00")

    def test_the_request_hash_is_canonical(self):
        w = cash_world(households=1, issue=False)
        lines_a = redeem_module._lines(
            [{"item": w.blanket.code, "quantity": 2, "unit_price": "12000"}]
        )
        lines_b = redeem_module._lines(
            [{"item": w.blanket.code, "quantity": "2.0", "unit_price": 12000.00}]
        )
        assert services.request_hash("A" * 16, lines_a) == services.request_hash("A" * 16, lines_b)
        assert services.request_hash("A" * 16, lines_a) != services.request_hash("B" * 16, lines_a)

    def test_a_key_is_required(self):
        w = cash_world(households=1)
        refused(
            ValidationFailed,
            "idempotency_key_missing",
            lambda: services.voucher_redeem(
                user=w.cashier, code=w.code(0), items=[line(w.blanket)], idempotency_key="  "
            ),
        )
        refused(
            ValidationFailed,
            "idempotency_key_missing",
            lambda: redeem(w, 0, idempotency_key="k" * 81),
        )
        nothing_spent(w)


class TestRefusals:
    """Every refusal code; each one spends nothing and writes nothing."""

    def test_voucher_not_found(self):
        w = cash_world(households=1)
        refused(NotFound, "voucher_not_found", lambda: redeem(w, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"))
        refused(NotFound, "voucher_not_found", lambda: redeem(w, "hello"))
        nothing_spent(w)

    def test_voucher_cancelled(self):
        w = cash_world(households=1)
        services.voucher_cancel(user=w.officer, voucher=w.vouchers[0], reason="stolen")
        refused(Conflict, "voucher_cancelled", lambda: redeem(w, 0))
        nothing_spent(w)

    def test_voucher_expired_and_the_voucher_is_marked_expired(self):
        w = cash_world(households=1)
        Voucher.objects.filter(pk=w.vouchers[0].pk).update(
            expires_on=w.today - datetime.timedelta(days=1)
        )
        error = refused(Conflict, "voucher_expired", lambda: redeem(w, 0))
        assert (w.today - datetime.timedelta(days=1)).isoformat() in str(error.message)
        assert w.voucher(0).status == "expired"
        refused(Conflict, "voucher_expired", lambda: redeem(w, 0))
        nothing_spent(w)

    def test_voucher_spent(self):
        w = cash_world(households=1, amount="12000")
        redeem(w, 0)
        refused(Conflict, "voucher_spent", lambda: redeem(w, 0))
        assert Redemption.objects.count() == 1

    def test_wrong_vendor(self):
        w = cash_world(households=1)
        other = make_vendor(w.officer)
        w.plan.allowed_vendors.set([other])
        refused(PermissionDenied, "wrong_vendor", lambda: redeem(w, 0))
        nothing_spent(w)

    def test_item_not_allowed_names_the_line(self):
        w = cash_world(households=1, allowed_categories=["bedding", "heating"])
        error = refused(
            ValidationFailed,
            "item_not_allowed",
            lambda: redeem(w, 0, [line(w.blanket, 1), line(w.stove, 1)]),
        )
        assert set(error.fields) == {"items.1.item"}
        assert "Gas stove" in str(error.fields["items.1.item"][0])
        nothing_spent(w)
        redeem(w, 0, [line(w.blanket, 1), line(w.heater, 1)])

    def test_pin_required_and_pin_wrong(self):
        w = cash_world(households=1, require_pin=True)
        error = refused(ValidationFailed, "pin_required", lambda: redeem(w, 0, pin=""))
        assert "pin" in error.fields
        wrong = "0000" if w.pin(0) != "0000" else "1111"
        refused(ValidationFailed, "pin_wrong", lambda: redeem(w, 0, pin=wrong))
        nothing_spent(w)
        redeem(w, 0, pin=w.pin(0))

    def test_pin_locked_after_five_wrong_pins(self):
        w = cash_world(households=1, require_pin=True)
        wrong = "0000" if w.pin(0) != "0000" else "1111"
        for _i in range(5):
            refused(ValidationFailed, "pin_wrong", lambda: redeem(w, 0, pin=wrong))
        refused(PermissionDenied, "pin_locked", lambda: redeem(w, 0, pin=w.pin(0)))
        nothing_spent(w)

    def test_insufficient_balance_says_the_balance(self):
        w = cash_world(households=1)
        redeem(w, 0, [line(w.heater, 1)])  # 20,000 left
        error = refused(Conflict, "insufficient_balance", lambda: redeem(w, 0, [line(w.stove, 1)]))
        assert "20,000 IQD" in str(error.message) and "25,000 IQD" in str(error.message)
        assert error.params["balance"] == "20000.00"
        assert w.voucher(0).balance == Decimal("20000.00")

    def test_vendor_not_active(self):
        w = cash_world(households=1)
        services.vendor_transition(
            user=w.officer, vendor=w.vendor, to="suspended", reason="Overpricing complaints"
        )
        refused(PermissionDenied, "vendor_not_active", lambda: redeem(w, 0))
        nothing_spent(w)

    def test_not_vendor_staff(self):
        w = cash_world(households=1)
        from sanad.accounts.services import role_assign

        role_assign(user=w.officer, role="vendor_staff", all_governorates=True, all_programmes=True)
        refused(PermissionDenied, "not_vendor_staff", lambda: redeem(w, 0, user=w.officer))
        nothing_spent(w)

    def test_a_user_without_the_redeem_permission_is_refused(self):
        w = cash_world(households=1)
        refused(PermissionDenied, "permission_denied", lambda: redeem(w, 0, user=w.finance))
        nothing_spent(w)

    def test_a_removed_cashier_can_no_longer_redeem(self):
        w = cash_world(households=1)
        staff = w.cashier.vendor_staff
        services.vendor_staff_remove(user=w.officer, staff=staff)
        w.cashier.refresh_from_db()
        with pytest.raises(PermissionDenied):
            redeem(w, 0)
        nothing_spent(w)

    @pytest.mark.parametrize(
        ("items", "field"),
        [
            ([], "items"),
            ([{"item": "no-such-item", "quantity": 1, "unit_price": 10}], "items.0.item"),
            ([{"item": "BLANKET", "quantity": 0, "unit_price": 10}], "items.0.quantity"),
            ([{"item": "BLANKET", "quantity": "two", "unit_price": 10}], "items.0.quantity"),
            ([{"item": "BLANKET", "quantity": 1, "unit_price": "-3"}], "items.0.unit_price"),
            ([{"item": "BLANKET", "quantity": 1, "unit_price": "1.005"}], "items.0.unit_price"),
            (["blanket"], "items.0"),
        ],
    )
    def test_invalid_items(self, items, field):
        w = cash_world(households=1)
        items = [
            {**row, "item": w.blanket.code}
            if isinstance(row, dict) and row["item"] == "BLANKET"
            else row
            for row in items
        ]
        error = refused(ValidationFailed, "invalid_items", lambda: redeem(w, 0, items))
        assert field in error.fields
        nothing_spent(w)

    def test_every_refusal_code_is_listed(self):
        assert set(services.REFUSAL_CODES) >= {
            "voucher_not_found",
            "voucher_cancelled",
            "voucher_expired",
            "voucher_spent",
            "wrong_vendor",
            "item_not_allowed",
            "pin_required",
            "pin_wrong",
            "insufficient_balance",
            "vendor_not_active",
            "idempotency_key_reused",
        }


class TestCancelAndReissue:
    def test_a_reissued_voucher_keeps_the_balance_and_the_old_code_stops_working(self):
        w = cash_world(households=1)
        redeem(w, 0, [line(w.heater, 1)])  # 30,000 spent, 20,000 left
        services.voucher_cancel(user=w.officer, voucher=w.vouchers[0], reason="Card lost")
        refused(Conflict, "voucher_cancelled", lambda: redeem(w, 0))
        new, _pin = services.voucher_reissue(
            user=w.officer, voucher=w.voucher(0), reason="Card lost"
        )
        assert new.balance == Decimal("20000.00") and new.replaces_id == w.vouchers[0].pk
        redemption, _ = redeem(w, new, [line(w.blanket, 1)])
        assert redemption.balance_after == Decimal("8000.00")
        assert w.voucher(0).balance == Decimal("20000.00")  # the old one never moves again
        total = sum(
            r.amount for r in Redemption.objects.filter(voucher__entitlement=new.entitlement)
        )
        assert total == Decimal("42000.00") <= new.entitlement.amount

"""Fraud signals: bursts, out-of-hours sales, one household at many vendors, prices
above the contract; each flagged once, and reviewed by a person."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from sanad.cash import selectors, services
from sanad.cash.models import Redemption, Signal, Vendor
from sanad.cash.services.signals import _is_open
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.cash.factories import cash_world, line, make_cashier, make_vendor, redeem
from tests.factories import ERBIL, make_user

pytestmark = pytest.mark.django_db

BAGHDAD = zoneinfo.ZoneInfo("Asia/Baghdad")


def kinds(redemption: Redemption) -> list[str]:
    return sorted(Signal.objects.filter(redemption=redemption).values_list("kind", flat=True))


def at(redemption: Redemption, moment: datetime.datetime) -> Redemption:
    Redemption.objects.filter(pk=redemption.pk).update(redeemed_at=moment)
    redemption.refresh_from_db()
    return redemption


class TestBurst:
    def test_a_burst_is_flagged_once_when_the_count_is_reached(self, settings: Any):
        settings.SANAD_CASH_BURST_COUNT = 3
        settings.SANAD_CASH_BURST_MINUTES = 5
        w = cash_world(households=2)
        sales = [redeem(w, i % 2)[0] for i in range(4)]
        found = [services.check_redemption(redemption=r) for r in sales]
        assert [len(f) for f in found] == [0, 0, 1, 0]
        (signal,) = Signal.objects.filter(kind="burst")
        assert signal.vendor == w.vendor and signal.redemption == sales[2]
        assert signal.details == {"count": 3, "minutes": 5, "threshold": 3}

    def test_sales_spread_over_time_are_no_burst(self, settings: Any):
        settings.SANAD_CASH_BURST_COUNT = 2
        w = cash_world(households=1)
        first, _ = redeem(w, 0)
        at(first, timezone.now() - datetime.timedelta(minutes=30))
        second, _ = redeem(w, 0)
        assert services.check_redemption(redemption=second) == []


class TestOpeningHours:
    def test_a_sale_outside_the_opening_hours_is_flagged(self):
        w = cash_world(households=1)
        services.vendor_update(
            user=w.officer,
            vendor=w.vendor,
            opens_at=datetime.time(8),
            closes_at=datetime.time(17),
            open_days=[0, 1, 2, 3, 4, 5],
        )
        redemption, _ = redeem(w, 0)
        monday_night = datetime.datetime(2026, 11, 23, 22, 15, tzinfo=BAGHDAD)
        at(redemption, monday_night)
        services.check_redemption(redemption=redemption)
        (signal,) = Signal.objects.filter(redemption=redemption)
        assert signal.kind == "out_of_hours"
        assert signal.details["at"].startswith("2026-11-23T22:15")
        assert signal.details["opens_at"] == "08:00"

    def test_a_sale_in_the_opening_hours_is_not(self):
        w = cash_world(households=1)
        services.vendor_update(
            user=w.officer, vendor=w.vendor, opens_at=datetime.time(8), closes_at=datetime.time(17)
        )
        redemption, _ = redeem(w, 0)
        at(redemption, datetime.datetime(2026, 11, 23, 9, 30, tzinfo=BAGHDAD))
        assert services.check_redemption(redemption=redemption) == []

    def test_a_vendor_without_hours_is_never_out_of_hours(self):
        w = cash_world(households=1)
        redemption, _ = redeem(w, 0)
        at(redemption, datetime.datetime(2026, 11, 23, 3, 0, tzinfo=BAGHDAD))
        assert "out_of_hours" not in kinds(redemption)

    @pytest.mark.parametrize(
        ("when", "is_open"),
        [
            (datetime.datetime(2026, 11, 23, 19, 0), True),  # Monday evening
            (datetime.datetime(2026, 11, 24, 1, 30), True),  # after midnight: Monday's night
            (datetime.datetime(2026, 11, 24, 3, 0), False),
            (datetime.datetime(2026, 11, 23, 12, 0), False),
            (datetime.datetime(2026, 11, 22, 23, 0), False),  # Sunday: closed
            (datetime.datetime(2026, 11, 23, 1, 0), False),  # Sunday's night
        ],
    )
    def test_a_shop_open_past_midnight_counts_the_night_to_the_day_before(self, when, is_open):
        vendor = Vendor(
            opens_at=datetime.time(18), closes_at=datetime.time(2), open_days=[0, 1, 2, 3, 4, 5]
        )
        assert _is_open(vendor, when.replace(tzinfo=BAGHDAD)) is is_open

    def test_opening_days_alone_are_checked_too(self):
        vendor = Vendor(open_days=[0])
        assert _is_open(vendor, datetime.datetime(2026, 11, 23, 3, 0, tzinfo=BAGHDAD))
        assert not _is_open(vendor, datetime.datetime(2026, 11, 24, 12, 0, tzinfo=BAGHDAD))


class TestManyVendors:
    def test_one_household_at_three_vendors_within_a_week_is_flagged_once(self):
        w = cash_world(households=1, amount="200000")
        shops = [w.cashier] + [
            make_cashier(w.officer, make_vendor(w.officer, prices={w.blanket: 12000}))
            for _i in range(3)
        ]
        sales = [redeem(w, 0, user=cashier)[0] for cashier in shops]
        found = [services.check_redemption(redemption=r) for r in sales]
        assert [[s.kind for s in f] for f in found] == [[], [], ["many_vendors"], []]
        (signal,) = Signal.objects.filter(kind="many_vendors")
        assert signal.household == w.households[0]
        assert len(signal.details["vendors"]) == 3

    def test_sales_more_than_a_week_apart_are_not(self):
        w = cash_world(households=1, amount="200000")
        old = timezone.now() - datetime.timedelta(days=8)
        for _i in range(2):
            cashier = make_cashier(w.officer, make_vendor(w.officer))
            at(redeem(w, 0, user=cashier)[0], old)
        third, _ = redeem(w, 0)
        assert services.check_redemption(redemption=third) == []


class TestPrices:
    def test_a_price_above_the_contract_is_flagged_with_its_lines(self):
        w = cash_world(households=1)
        redemption, _ = redeem(w, 0, [line(w.blanket, 1, "15000"), line(w.soap, 2)])
        (signal,) = services.check_redemption(redemption=redemption)
        assert signal.kind == "price_above_contract"
        assert signal.details == {
            "lines": [
                {"item": w.blanket.code, "unit_price": "15000.00", "contracted_price": "12000.00"}
            ],
            "currency": "IQD",
        }

    def test_a_price_at_or_below_the_contract_or_without_one_is_not(self):
        w = cash_world(households=1)
        uncontracted = make_vendor(w.officer)
        cashier = make_cashier(w.officer, uncontracted)
        below, _ = redeem(w, 0, [line(w.blanket, 1, "11000")])
        free, _ = redeem(w, 0, [line(w.blanket, 1, "99")], user=cashier)
        assert services.check_redemption(redemption=below) == []
        assert services.check_redemption(redemption=free) == []


def test_checking_a_redemption_twice_records_nothing_more():
    w = cash_world(households=1)
    redemption, _ = redeem(w, 0, [line(w.blanket, 1, "15000")])
    assert len(services.check_redemption(redemption=redemption)) == 1
    assert services.check_redemption(redemption=redemption.pk) == []
    assert Signal.objects.count() == 1


class TestReview:
    def flagged(self) -> tuple[Any, Signal]:
        w = cash_world(households=1)
        redemption, _ = redeem(w, 0, [line(w.blanket, 1, "15000")])
        (signal,) = services.check_redemption(redemption=redemption)
        return w, signal

    def test_a_finance_officer_reviews_a_signal_with_a_note(self):
        w, signal = self.flagged()
        with pytest.raises(ValidationFailed):
            services.signal_review(user=w.finance, signal=signal, note="  ")
        reviewed = services.signal_review(
            user=w.finance, signal=signal, note="Seasonal price; contract to be updated"
        )
        assert reviewed.reviewed_by == w.finance and reviewed.reviewed_at is not None
        with pytest.raises(Conflict) as exc:
            services.signal_review(user=w.officer, signal=signal, note="again")
        assert exc.value.code == "already_reviewed"

    def test_a_cashier_or_someone_out_of_scope_cannot_review(self):
        w, signal = self.flagged()
        erbil = make_user("finance_officer", governorates=(ERBIL,))
        for user in (w.cashier, erbil):
            with pytest.raises(PermissionDenied):
                services.signal_review(user=user, signal=signal, note="fine")

    def test_signals_are_seen_in_scope_only(self):
        w, signal = self.flagged()
        assert list(selectors.signals_visible_to(w.finance)) == [signal]
        assert not selectors.signals_visible_to(w.cashier).exists()
        assert not selectors.signals_visible_to(
            make_user("finance_officer", governorates=(ERBIL,))
        ).exists()

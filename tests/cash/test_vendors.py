"""Vendors: registration, contract before activation, price list, cashier accounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.cash import selectors, services
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.cash.factories import cash_world, make_cashier, make_vendor
from tests.factories import DUHOK, ERBIL, make_user, subdistrict_in

pytestmark = pytest.mark.django_db


def test_a_vendor_is_pending_until_its_contract_is_recorded():
    w = cash_world(households=1, issue=False)
    vendor = make_vendor(w.officer, active=False, contract_number="")
    assert vendor.status == "pending"
    with pytest.raises(Conflict) as exc:
        services.vendor_transition(user=w.officer, vendor=vendor, to="active")
    assert exc.value.code == "contract_missing"
    services.vendor_update(user=w.officer, vendor=vendor, contract_number="CT-9")
    assert services.vendor_transition(user=w.officer, vendor=vendor, to="active").status == "active"
    with pytest.raises(ValidationFailed):
        services.vendor_transition(user=w.officer, vendor=vendor, to="suspended", reason="")


def test_every_wrong_vendor_value_is_named_at_once():
    w = cash_world(households=1, issue=False)
    with pytest.raises(ValidationFailed) as exc:
        services.vendor_create(
            user=w.officer,
            code=w.vendor.code,
            name="",
            admin_unit="XX999",
            contract_start=datetime.date(2026, 5, 1),
            contract_end=datetime.date(2026, 1, 1),
            opens_at=datetime.time(8),
            open_days=[7],
        )
    assert set(exc.value.fields) >= {
        "code",
        "name",
        "admin_unit",
        "contract_end",
        "closes_at",
        "open_days",
    }


def test_a_vendor_is_registered_only_in_the_officers_governorates():
    w = cash_world(households=1, issue=False)
    with pytest.raises(PermissionDenied):
        services.vendor_create(
            user=w.officer, code="erbil-shop", name="Erbil shop", admin_unit=subdistrict_in(ERBIL)
        )
    with pytest.raises(PermissionDenied):
        services.vendor_create(
            user=w.finance, code="duhok-shop", name="Shop", admin_unit=subdistrict_in(DUHOK)
        )


def test_a_price_set_again_the_same_day_replaces_it():
    w = cash_world(households=1, issue=False)
    day = w.today
    services.vendor_price_set(
        user=w.officer,
        vendor=w.vendor,
        item=w.blanket,
        unit_price="13000",
        currency="iqd",
        valid_from=day,
    )
    services.vendor_price_set(
        user=w.officer,
        vendor=w.vendor,
        item=w.blanket,
        unit_price="14000",
        currency="IQD",
        valid_from=day,
    )
    price = selectors.price_on(vendor=w.vendor, item=w.blanket, day=day)
    assert (price.unit_price, price.currency) == (Decimal("14000.00"), "IQD")
    with pytest.raises(ValidationFailed) as exc:
        services.vendor_price_set(
            user=w.officer,
            vendor=w.vendor,
            item=w.blanket,
            unit_price="0",
            currency="EUR",
            valid_from=day,
        )
    assert set(exc.value.fields) == {"unit_price", "currency"}


def test_a_cashier_account_holds_only_the_redeem_permission_at_its_vendor():
    w = cash_world(households=1, issue=False)
    cashier = w.cashier
    assert selectors.vendor_of(cashier) == w.vendor
    grants = list(cashier.role_assignments.values_list("role", flat=True))
    assert grants == ["vendor_staff"]
    assert cashier.check_password("Correct-horse-42")
    services.vendor_staff_remove(user=w.officer, staff=cashier.vendor_staff)
    cashier.refresh_from_db()
    assert cashier.is_active is False and selectors.vendor_of(cashier) is None


def test_a_cashier_cannot_manage_vendors():
    w = cash_world(households=1, issue=False)
    with pytest.raises(PermissionDenied):
        make_cashier(w.cashier, w.vendor)
    with pytest.raises(PermissionDenied):
        services.vendor_update(user=make_user("finance_officer"), vendor=w.vendor, name="X")

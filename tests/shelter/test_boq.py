"""The bill of quantities: arithmetic, and prices taken from the catalogue by date and
governorate (the governorate's latest valid price, else the latest national one)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import ValidationFailed
from sanad.shelter.services import catalogue
from sanad.shelter.services.assessments import boq_compute, boq_price
from tests.factories import DUHOK, NINEWA, unit
from tests.shelter.assessments_factories import (
    add_price,
    assess,
    engineer_for,
    make_item,
    shelter_project,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]
from tests.shelter.assessments_factories import photo_dir  # noqa: E402,F401

D = Decimal
JAN, MAR, JUN = datetime.date(2026, 1, 1), datetime.date(2026, 3, 1), datetime.date(2026, 6, 1)


def test_a_line_total_is_quantity_times_unit_price_rounded_half_up_to_the_cent():
    totals = boq_compute(lines=[(D("2.5"), D("10.01")), (D("3"), D("0.335"))])
    assert totals.line_totals == (D("25.03"), D("1.01"))  # 25.025 → 25.03; 1.005 → 1.01


def test_the_total_is_the_sum_of_the_rounded_line_totals():
    totals = boq_compute(lines=[(D("1"), D("0.005")), (D("1"), D("0.005")), (D("1"), D("0.005"))])
    assert totals.line_totals == (D("0.01"), D("0.01"), D("0.01"))
    assert totals.total == D("0.03")  # not 0.015 rounded to 0.02


def test_an_empty_bill_totals_zero():
    assert boq_compute(lines=[]).total == D("0.00")


def test_fractional_quantities_are_priced_exactly():
    totals = boq_compute(lines=[(D("12.345"), D("7.20")), (D("0.5"), D("125000"))])
    assert totals.line_totals == (D("88.88"), D("62500.00"))
    assert totals.total == D("62588.88")


@pytest.mark.parametrize("quantity,price", [(0, 10), (-1, 10), (1, 0), ("abc", 1), (None, 1)])
def test_a_line_without_a_positive_quantity_and_price_is_refused(quantity, price):
    with pytest.raises(ValidationFailed) as exc:
        boq_compute(lines=[(quantity, price)])
    assert exc.value.code == "boq_line_invalid"


def test_the_price_is_the_latest_one_valid_on_the_date_in_the_governorate():
    item = make_item(price="10.00", valid_from=JAN)  # national
    add_price(item, "12.00", governorate=NINEWA, valid_from=JAN)
    add_price(item, "13.00", governorate=NINEWA, valid_from=MAR)
    add_price(item, "99.00", governorate=NINEWA, valid_from=JUN)  # not yet valid in April
    april = datetime.date(2026, 4, 15)
    assert catalogue.price_for(item, unit(NINEWA), april).price == D("13.00")
    assert catalogue.price_for(item, unit(NINEWA), datetime.date(2026, 2, 1)).price == D("12.00")


def test_without_a_price_in_the_governorate_the_latest_national_price_applies():
    item = make_item(price="10.00", valid_from=JAN)
    add_price(item, "11.00", valid_from=MAR)
    add_price(item, "50.00", governorate=NINEWA, valid_from=JAN)
    assert catalogue.price_for(item, unit(DUHOK), datetime.date(2026, 4, 1)).price == D("11.00")
    assert catalogue.price_for(item, unit(DUHOK), datetime.date(2025, 12, 31)) is None


def test_a_price_in_another_currency_is_not_taken_when_a_currency_is_asked():
    item = make_item(price="15000", currency="IQD", valid_from=JAN)
    assert catalogue.price_for(item, unit(NINEWA), MAR, "USD") is None
    assert catalogue.price_for(item, unit(NINEWA), MAR, "IQD").price == D("15000")


def test_the_bill_is_priced_on_the_assessment_date_in_the_property_governorate():
    plaster = make_item("PL-01", price="4.00", valid_from=JAN)
    add_price(plaster, "5.00", governorate=NINEWA, valid_from=MAR)
    make_item("DR-01", price="85.50", valid_from=JAN, unit="item")
    lines, total, currency = boq_price(
        boq=[{"item": plaster, "quantity": "42.5"}, {"item": "dr-01", "quantity": 2}],
        governorate=unit(NINEWA),
        on_date=datetime.date(2026, 4, 1),
        currency="USD",
    )
    assert [(x.unit_price, x.total) for x in lines] == [
        (D("5.00"), D("212.50")),
        (D("85.50"), D("171.00")),
    ]
    assert (total, currency) == (D("383.50"), "USD")


def test_the_project_currency_is_used_when_every_item_has_a_price_in_it():
    item = make_item(price="10.00", currency="USD")
    add_price(item, "13000", currency="IQD")
    _lines, total, currency = boq_price(
        boq=[{"item": item, "quantity": 2}], governorate=unit(NINEWA), on_date=MAR, currency="IQD"
    )
    assert (total, currency) == (D("26000.00"), "IQD")


def test_an_item_without_a_price_is_named_in_the_error():
    priced = make_item(price="10.00")
    unpriced = make_item("EL-09", name="Rewiring of one room", price=None)
    with pytest.raises(ValidationFailed) as exc:
        boq_price(
            boq=[{"item": priced, "quantity": 1}, {"item": unpriced, "quantity": 1}],
            governorate=unit(NINEWA),
            on_date=MAR,
            currency="USD",
        )
    assert exc.value.code == "boq_no_price"
    assert "EL-09 Rewiring of one room" in str(exc.value.message)
    assert exc.value.params["items"] == ["EL-09"]


def test_a_quantity_with_more_than_three_decimals_is_refused():
    item = make_item()
    with pytest.raises(ValidationFailed) as exc:
        boq_price(
            boq=[{"item": item, "quantity": "1.2345"}],
            governorate=unit(NINEWA),
            on_date=MAR,
        )
    assert exc.value.code == "boq_quantity_invalid"


def test_an_assessment_keeps_its_lines_and_total_in_the_currency_of_the_prices():
    engineer = engineer_for()
    project = shelter_project(currency="USD")
    a = assess(
        engineer,
        project,
        items=[(make_item(price="7.25"), "3"), (make_item(price="100"), "1.5")],
    )
    assert [(line.unit_price, line.total) for line in a.boq.order_by("id")] == [
        (D("7.25"), D("21.75")),
        (D("100.00"), D("150.00")),
    ]
    assert (a.boq_total, a.currency) == (D("171.75"), "USD")


def test_a_later_price_change_does_not_rewrite_an_estimate():
    engineer = engineer_for()
    item = make_item(price="10.00")
    a = assess(engineer, shelter_project(), items=[(item, "2")])
    add_price(item, "20.00", valid_from=datetime.date.today())
    a.refresh_from_db()
    assert a.boq.get().unit_price == D("10.00")
    assert a.boq_total == D("20.00")

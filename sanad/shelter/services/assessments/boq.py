"""The bill of quantities: pricing lines from the catalogue and the arithmetic (each line
quantity × unit price rounded half up to the cent; the total is the sum of the rounded
lines)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed, field_error
from sanad.geo.models import AdminUnit
from sanad.shelter.models import (
    PriceItem,
)
from sanad.shelter.models.common import Currency
from sanad.shelter.services import catalogue
from sanad.shelter.services._common import (
    money,
)
from sanad.shelter.services.assessments._base import (
    MAX_BOQ_LINES,
    QUANTITY_MAX,
)

# --- the bill of quantities: arithmetic ---------------------------------------------------


@dataclass(frozen=True)
class BoqTotals:
    line_totals: tuple[Decimal, ...]
    total: Decimal


def boq_compute(*, lines: Iterable[tuple[Any, Any]]) -> BoqTotals:
    """Line totals (quantity × unit price, each rounded half-up to 0.01) and the total
    (the sum of the rounded line totals, so the printed lines add up to the printed
    total). Pure arithmetic on Decimals; a quantity or price that is not a positive
    number is refused."""
    totals: list[Decimal] = []
    for n, (quantity, unit_price) in enumerate(lines, start=1):
        q, p = _decimal(quantity), _decimal(unit_price)
        if q is None or q <= 0 or p is None or p <= 0:
            raise field_error(
                "boq",
                _("Line %(n)d: the quantity and the unit price must be more than zero.") % {"n": n},
                "boq_line_invalid",
            )
        totals.append(money(q * p))
    return BoqTotals(line_totals=tuple(totals), total=money(sum(totals, Decimal("0"))))


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


@dataclass(frozen=True)
class PricedLine:
    item: PriceItem
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    note: str


def _item_of(value: Any) -> PriceItem | None:
    if isinstance(value, PriceItem):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    return PriceItem.objects.filter(code__iexact=text).first() or _by_public_id(text)


def _by_public_id(text: str) -> PriceItem | None:
    import uuid

    try:
        key = uuid.UUID(text)
    except ValueError:
        return None
    return PriceItem.objects.filter(public_id=key).first()


def _quantity(value: Any, n: int) -> Decimal:
    q = _decimal(value)
    if q is None or q <= 0:
        raise field_error(
            "boq",
            _("Line %(n)d: enter a quantity more than zero.") % {"n": n},
            "boq_quantity_invalid",
        )
    if q.as_tuple().exponent < -3 or q > QUANTITY_MAX:  # type: ignore[operator]
        raise field_error(
            "boq",
            _("Line %(n)d: give the quantity with at most three decimals.") % {"n": n},
            "boq_quantity_invalid",
        )
    return q


def boq_price(
    *,
    boq: Sequence[Mapping[str, Any]],
    governorate: AdminUnit,
    on_date: datetime.date,
    currency: str | None = None,
) -> tuple[list[PricedLine], Decimal, str]:
    """Price the lines `[{"item": PriceItem or code, "quantity", "note"}]` from the
    catalogue on `on_date` in `governorate`: the lines, the total and the currency.
    The prices are taken in `currency` (the project's) when the catalogue has every
    item in it, else in the other currency; an item with no price is named."""
    rows: list[tuple[PriceItem, Decimal, str]] = []
    if len(boq) > MAX_BOQ_LINES:
        raise field_error(
            "boq",
            _("A bill of quantities has at most %(n)d lines.") % {"n": MAX_BOQ_LINES},
            "boq_too_long",
        )
    for n, line in enumerate(boq, start=1):
        item = _item_of(line.get("item"))
        if item is None:
            raise field_error(
                "boq",
                _("Line %(n)d: choose an item of the price catalogue.") % {"n": n},
                "boq_item_unknown",
            )
        rows.append((item, _quantity(line.get("quantity"), n), str(line.get("note") or "")[:200]))
    if not rows:
        return [], Decimal("0.00"), currency or Currency.USD
    preferred = [currency] if currency else []
    preferred += [c for c in (Currency.USD, Currency.IQD) if c not in preferred]
    best: tuple[str, list[Any]] | None = None
    for cur in preferred:
        prices = [catalogue.price_for(item, governorate, on_date, cur) for item, _q, _n in rows]
        if all(p is not None for p in prices):
            best = (cur, prices)
            break
    if best is None:
        cur = preferred[0]
        missing = [
            item
            for item, _q, _n in rows
            if catalogue.price_for(item, governorate, on_date, cur) is None
        ]
        names = ", ".join(f"“{i.code} {i.name_en}”" for i in missing)
        raise ValidationFailed(
            _(
                "The price catalogue has no %(currency)s price for %(items)s in "
                "%(governorate)s on %(date)s. Ask for the price to be added to the "
                "catalogue, or remove the line."
            )
            % {
                "currency": cur,
                "items": names,
                "governorate": governorate.name_en,
                "date": on_date.isoformat(),
            },
            code="boq_no_price",
            fields={"boq": [_("No price for %(items)s.") % {"items": names}]},
            params={"items": [i.code for i in missing]},
        )
    cur, found = best
    unit_prices: list[Decimal] = [p.price for p in found]
    totals = boq_compute(lines=[(q, p) for (_i, q, _n), p in zip(rows, unit_prices, strict=True)])
    lines = [
        PricedLine(item=item, quantity=q, unit_price=p, total=t, note=note)
        for (item, q, note), p, t in zip(rows, unit_prices, totals.line_totals, strict=True)
    ]
    return lines, totals.total, cur

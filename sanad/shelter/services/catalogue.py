"""The price catalogue: work items (code, names, component, unit) and their unit prices
by governorate and date. The price of an item on a day in a governorate is the latest
price valid that day in the governorate, else the latest national one (no governorate);
a bill of quantities keeps the price it was given (`BoqLine.unit_price`).

Prices are imported from a CSV or XLSX sheet (all rows or none; every row's error
listed) and exported in the same layout, so a sheet exported, edited and imported back
is the way to publish a new price list."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed, field_error
from sanad.geo.models import AdminUnit
from sanad.shelter.models import MANAGE_CATALOGUE, PriceItem, UnitPrice
from sanad.shelter.models.common import Component, Currency, Unit
from sanad.shelter.services._common import actor, money, require

# The columns of the import and export sheets, in order.
PRICE_COLUMNS = ("item_code", "governorate", "valid_from", "price", "currency", "source")
MAX_IMPORT_ROWS = 20_000


# --- reading prices -----------------------------------------------------------------------


def price_for(
    item: PriceItem,
    governorate: AdminUnit | None,
    on_date: datetime.date,
    currency: str | None = None,
) -> UnitPrice | None:
    """The unit price of `item` on `on_date`: the latest one valid that day in the
    governorate, else the latest national one; only in `currency` when one is given.
    None when the catalogue has no such price."""
    qs = UnitPrice.objects.filter(item=item, valid_from__lte=on_date)
    if currency:
        qs = qs.filter(currency=currency)
    order = ("-valid_from", "-id")
    if governorate is not None:
        local = qs.filter(governorate=governorate).order_by(*order).first()
        if local is not None:
            return local
    return qs.filter(governorate__isnull=True).order_by(*order).first()


# --- items ------------------------------------------------------------------------------


def _item_values(data: dict[str, Any], *, item: PriceItem | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    code = str(data.get("code") if "code" in data else (item.code if item else "")).strip()
    if not code:
        raise field_error("code", _("Give the item a code, such as R-01."), "code_required")
    if len(code) > 40:
        raise field_error("code", _("Shorten the code to 40 characters."), "code_too_long")
    clash = PriceItem.objects.filter(code__iexact=code)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise field_error(
            "code",
            _("The catalogue already has an item with code “%(code)s”. Choose another code.")
            % {"code": code},
            "code_taken",
        )
    values["code"] = code
    for name in ("name_en", "name_ar", "name_ku"):
        if name in data or item is None:
            values[name] = str(data.get(name) or "").strip()[:200]
    if "name_en" in values and not values["name_en"]:
        raise field_error("name_en", _("Give the item's name in English."), "name_required")
    for name, choices in (("component", Component), ("unit", Unit)):
        if name in data or item is None:
            value = str(data.get(name) or "")
            if value not in choices.values:
                raise field_error(name, _("Choose a value from the list."), f"invalid_{name}")
            values[name] = value
    if "active" in data:
        values["active"] = bool(data["active"])
    return values


def price_item_create(*, user: Any, data: dict[str, Any]) -> PriceItem:
    """Add a work item to the catalogue (code, names in English/Arabic/Kurdish,
    component, unit)."""
    require(user, MANAGE_CATALOGUE)
    values = _item_values(data)
    try:
        with transaction.atomic():
            return PriceItem.objects.create(
                **values, created_by=actor(user), updated_by=actor(user)
            )
    except IntegrityError:
        raise field_error(
            "code", _("The catalogue already has an item with this code."), "code_taken"
        ) from None


def price_item_update(*, user: Any, item: PriceItem, data: dict[str, Any]) -> PriceItem:
    """Change an item's code, names, component, unit or whether it is still offered
    (a retired item stays on the bills that used it)."""
    require(user, MANAGE_CATALOGUE)
    values = _item_values(data, item=item)
    for name, value in values.items():
        setattr(item, name, value)
    item.updated_by = actor(user)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise field_error(
            "code", _("The catalogue already has an item with this code."), "code_taken"
        ) from None
    return item


# --- prices -----------------------------------------------------------------------------


def _price_value(value: Any, field: str = "price") -> Decimal:
    try:
        price = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise field_error(
            field, _("Enter the price as a number, such as 12500 or 7.25."), "bad_price"
        ) from None
    if not price.is_finite() or price <= 0:
        raise field_error(field, _("The price must be more than zero."), "bad_price")
    if price.as_tuple().exponent < -2:  # type: ignore[operator]
        raise field_error(field, _("Give the price with at most two decimals."), "bad_price")
    if price >= Decimal("1e14"):
        raise field_error(field, _("This price is too large."), "bad_price")
    return money(price)


def unit_price_set(
    *,
    user: Any,
    item: PriceItem,
    governorate: AdminUnit | None,
    valid_from: datetime.date,
    price: Any,
    currency: str,
    source: str = "",
) -> UnitPrice:
    """Set the price of `item` from `valid_from` in `governorate` (None: national) and
    `currency`; the same day, place and currency replaces the price set before."""
    require(user, MANAGE_CATALOGUE)
    if governorate is not None and governorate.level != AdminUnit.Level.GOVERNORATE:
        raise field_error("governorate", _("Choose a governorate."), "not_a_governorate")
    if currency not in Currency.values:
        raise field_error("currency", _("Choose IQD or USD."), "invalid_currency")
    if not isinstance(valid_from, datetime.date):
        raise field_error(
            "valid_from", _("Enter the date the price applies from."), "date_required"
        )
    amount = _price_value(price)
    with transaction.atomic():
        row, _created = UnitPrice.objects.update_or_create(
            item=item,
            governorate=governorate,
            valid_from=valid_from,
            currency=currency,
            defaults={"price": amount, "source": str(source or "").strip()[:200]},
        )
        PriceItem.objects.filter(pk=item.pk).update(updated_by=actor(user))
    return row


def unit_price_delete(*, user: Any, price: UnitPrice) -> None:
    """Remove a price entered by mistake (bills already priced keep their price)."""
    require(user, MANAGE_CATALOGUE)
    price.delete()


# --- import and export --------------------------------------------------------------------


def _rows_of(upload: Any) -> list[list[Any]]:
    name = str(getattr(upload, "name", "") or "").lower()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise field_error(
                "file", _("The file could not be read as an XLSX workbook."), "bad_file"
            ) from None
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise field_error(
            "file", _("Save the CSV file as UTF-8 and try again."), "bad_encoding"
        ) from None
    return list(csv.reader(io.StringIO(text)))


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def prices_import(*, user: Any, upload: Any) -> int:
    """Import unit prices from a CSV or XLSX sheet with the columns `item_code`,
    `governorate` (a governorate's P-code, empty for a national price), `valid_from`
    (YYYY-MM-DD), `price`, `currency` (IQD or USD) and `source` (optional). Every row is
    checked first; any error and nothing is imported, with each row's error listed.
    Returns how many prices were set."""
    require(user, MANAGE_CATALOGUE)
    rows = [r for r in _rows_of(upload) if any(str(c or "").strip() for c in r)]
    if not rows:
        raise field_error("file", _("The file is empty."), "empty_file")
    header = [str(c or "").strip().lower() for c in rows[0]]
    missing = [c for c in PRICE_COLUMNS[:5] if c not in header]
    if missing:
        raise field_error(
            "file",
            _("The first row must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(PRICE_COLUMNS), "missing": ", ".join(missing)},
            "bad_header",
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise field_error(
            "file",
            _("Import at most %(n)d prices at a time.") % {"n": MAX_IMPORT_ROWS},
            "too_many_rows",
        )
    col = {name: header.index(name) for name in PRICE_COLUMNS if name in header}
    items = {i.code.upper(): i for i in PriceItem.objects.all()}
    govs = {u.pcode.upper(): u for u in AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE)}
    errors: list[str] = []
    parsed: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for n, row in enumerate(rows[1:], start=2):

        def cell(name: str, row: list[Any] = row) -> Any:
            i = col.get(name)
            return row[i] if i is not None and i < len(row) else None

        code = str(cell("item_code") or "").strip().upper()
        item = items.get(code)
        if item is None:
            errors.append(
                _("Row %(row)d: no catalogue item has the code “%(code)s”.")
                % {"row": n, "code": code}
            )
            continue
        gov_code = str(cell("governorate") or "").strip().upper()
        governorate = govs.get(gov_code) if gov_code else None
        if gov_code and governorate is None:
            errors.append(
                _("Row %(row)d: “%(code)s” is not a governorate's P-code (such as IQG15).")
                % {"row": n, "code": gov_code}
            )
            continue
        try:
            valid_from = _date(cell("valid_from"))
        except (TypeError, ValueError):
            errors.append(
                _("Row %(row)d: write the date as YYYY-MM-DD, such as 2026-03-01.") % {"row": n}
            )
            continue
        try:
            price = _price_value(cell("price"))
        except ValidationFailed as exc:
            errors.append(_("Row %(row)d: %(error)s") % {"row": n, "error": exc.message})
            continue
        currency = str(cell("currency") or "").strip().upper()
        if currency not in Currency.values:
            errors.append(_("Row %(row)d: the currency must be IQD or USD.") % {"row": n})
            continue
        key = (item.pk, gov_code, valid_from, currency)
        if key in seen:
            errors.append(
                _(
                    "Row %(row)d: the same item, governorate, date and currency is on an earlier row."
                )
                % {"row": n}
            )
            continue
        seen.add(key)
        parsed.append(
            {
                "item": item,
                "governorate": governorate,
                "valid_from": valid_from,
                "price": price,
                "currency": currency,
                "source": str(cell("source") or "").strip()[:200],
            }
        )
    if errors:
        shown = errors[:50]
        if len(errors) > 50:
            shown.append(_("… and %(n)d more rows with errors.") % {"n": len(errors) - 50})
        raise ValidationFailed(
            _("Nothing was imported: correct these rows and import the file again."),
            code="import_rows_invalid",
            fields={"file": shown},
            params={"errors": len(errors)},
        )
    with transaction.atomic():
        for values in parsed:
            UnitPrice.objects.update_or_create(
                item=values["item"],
                governorate=values["governorate"],
                valid_from=values["valid_from"],
                currency=values["currency"],
                defaults={"price": values["price"], "source": values["source"]},
            )
    return len(parsed)


def price_rows(*, active_only: bool = False) -> list[list[Any]]:
    """Every unit price as rows of the import layout (header first)."""
    qs = UnitPrice.objects.select_related("item", "governorate").order_by(
        "item__code", "governorate__pcode", "valid_from", "currency"
    )
    if active_only:
        qs = qs.filter(Q(item__active=True))
    rows: list[list[Any]] = [list(PRICE_COLUMNS)]
    for p in qs:
        rows.append(
            [
                p.item.code,
                p.governorate.pcode if p.governorate is not None else "",
                p.valid_from.isoformat(),
                str(p.price),
                p.currency,
                p.source,
            ]
        )
    return rows

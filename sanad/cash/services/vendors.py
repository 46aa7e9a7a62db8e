"""Vendors: registration and contract, opening hours, price list, cashier accounts.

A vendor is pending until it has a contract, then active; suspending or closing it
(with a reason) stops its cashiers at once, since every redemption checks the status.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.accounts import services as accounts
from sanad.accounts.models import Organisation, User
from sanad.cash.models import MANAGE_VENDOR, Vendor, VendorPrice, VendorStaff
from sanad.cash.services._common import actor, money, require, require_permission, text
from sanad.cash.services._common import currency as _currency
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach
from sanad.geo.models import AdminUnit
from sanad.stock.models import Item

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
UPDATABLE = (
    "code",
    "name",
    "admin_unit",
    "organisation",
    "address",
    "phone",
    "contract_number",
    "contract_start",
    "contract_end",
    "opens_at",
    "closes_at",
    "open_days",
    "payee_name",
    "payee_account",
    "lat",
    "lon",
)


def _days(value: Iterable[Any] | None) -> list[int]:
    try:
        days = sorted({int(d) for d in (value or ())})
    except (TypeError, ValueError):
        days = [-1]
    if any(d < 0 or d > 6 for d in days):
        message = _("Choose the opening days among Monday to Sunday.")
        raise ValidationFailed(message, fields={"open_days": [message]})
    return days


def _clean(values: dict[str, Any], vendor: Vendor | None = None) -> dict[str, Any]:
    """Check and normalise vendor fields; every error at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def check(field: str, fn: Any) -> None:
        try:
            out[field] = fn()
        except ValidationFailed as exc:
            for k, v in exc.fields.items():
                errors.setdefault(k, []).extend(v)

    if "code" in values:
        code = str(values["code"] or "").strip().lower()
        if not code or len(code) > 40 or not _SLUG.match(code):
            errors["code"] = [
                _("Give a short code of letters, digits and dashes, such as duhok-market-1.")
            ]
        elif Vendor.objects.filter(code=code).exclude(pk=vendor.pk if vendor else 0).exists():
            errors["code"] = [_("Another vendor has this code; choose another.")]
        out["code"] = code
    if "name" in values:
        check("name", lambda: text(values["name"], "name", limit=200, required=True))
    if "admin_unit" in values:
        unit = values["admin_unit"]
        if not isinstance(unit, AdminUnit):
            unit = AdminUnit.objects.filter(pcode=str(unit or "")).first()
        if unit is None:
            errors["admin_unit"] = [_("Choose where the shop is (its admin unit).")]
        out["admin_unit"] = unit
    if "organisation" in values:
        org = values["organisation"]
        if org is not None and not isinstance(org, Organisation):
            errors["organisation"] = [_("Choose an organisation from the list.")]
        out["organisation"] = org
    for field, limit in (
        ("address", 300),
        ("phone", 20),
        ("contract_number", 60),
        ("payee_name", 200),
        ("payee_account", 80),
    ):
        if field in values:
            check(field, lambda f=field, n=limit: text(values[f], f, limit=n))
    for field in ("contract_start", "contract_end"):
        if field in values:
            day = values[field]
            if day is not None and not isinstance(day, datetime.date):
                errors[field] = [_("Give a date.")]
            out[field] = day
    for field in ("opens_at", "closes_at"):
        if field in values:
            moment = values[field]
            if moment is not None and not isinstance(moment, datetime.time):
                errors[field] = [_("Give a time of day, such as 08:00.")]
            out[field] = moment
    if "open_days" in values:
        check("open_days", lambda: _days(values["open_days"]))
    for field in ("lat", "lon"):
        if field in values:
            out[field] = values[field]

    merged = {f: getattr(vendor, f) for f in UPDATABLE if vendor is not None} | out
    start, end = merged.get("contract_start"), merged.get("contract_end")
    if (
        isinstance(start, datetime.date)
        and isinstance(end, datetime.date)
        and end < start
        and "contract_end" not in errors
    ):
        errors["contract_end"] = [_("The contract cannot end before it starts.")]
    if (merged.get("opens_at") is None) != (merged.get("closes_at") is None):
        field = "closes_at" if merged.get("closes_at") is None else "opens_at"
        errors.setdefault(field, []).append(
            _("Give both the opening and the closing time, or neither.")
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def vendor_create(
    *,
    user: Any,
    code: str,
    name: str,
    admin_unit: AdminUnit | str,
    organisation: Organisation | None = None,
    address: str = "",
    phone: str = "",
    contract_number: str = "",
    contract_start: datetime.date | None = None,
    contract_end: datetime.date | None = None,
    opens_at: datetime.time | None = None,
    closes_at: datetime.time | None = None,
    open_days: Iterable[int] = (),
    payee_name: str = "",
    payee_account: str = "",
) -> Vendor:
    """Register a shop (pending until its contract starts: `vendor_transition` to
    active). Scope is the shop's governorate."""
    require_permission(user, MANAGE_VENDOR)
    values = _clean(
        {
            "code": code,
            "name": name,
            "admin_unit": admin_unit,
            "organisation": organisation,
            "address": address,
            "phone": phone,
            "contract_number": contract_number,
            "contract_start": contract_start,
            "contract_end": contract_end,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "open_days": open_days,
            "payee_name": payee_name,
            "payee_account": payee_account,
        }
    )
    with transaction.atomic():
        vendor = Vendor.objects.create(**values, created_by=actor(user), updated_by=actor(user))
        if not can_reach(user, vendor, MANAGE_VENDOR):
            raise PermissionDenied(_("Your role does not reach the governorate of this vendor."))
    return vendor


def vendor_update(*, user: Any, vendor: Vendor, **fields: Any) -> Vendor:
    """Change a vendor's details (not its status: `vendor_transition`)."""
    require(user, vendor, MANAGE_VENDOR)
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    values = _clean(fields, vendor)
    with transaction.atomic():
        vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
        for field, value in values.items():
            setattr(vendor, field, value)
        vendor.updated_by = actor(user)
        vendor.save()
        if "admin_unit" in values and not can_reach(user, vendor, MANAGE_VENDOR):
            raise PermissionDenied(_("Your role does not reach the governorate of this vendor."))
    return vendor


def vendor_transition(*, user: Any, vendor: Vendor, to: str, reason: str = "") -> Vendor:
    """pending → active (needs a contract number) → suspended ⇄ active, or closed.
    Suspending or closing needs a reason."""
    require(user, vendor, MANAGE_VENDOR)
    vendor.refresh_from_db()
    if to == Vendor.Status.ACTIVE and not vendor.contract_number:
        message = _("Record the vendor's contract number before activating it.")
        raise Conflict(message, code="contract_missing", fields={"contract_number": [message]})
    Vendor.STATUS_MACHINE.transition(vendor, to=to, by=user, reason=str(reason or "")[:300])
    return vendor


def vendor_price_set(
    *,
    user: Any,
    vendor: Vendor,
    item: Item,
    unit_price: Decimal | int | str,
    currency: str,
    valid_from: datetime.date,
) -> VendorPrice:
    """The contracted price of an item at the vendor from a day (the same day again
    replaces that day's price)."""
    require(user, vendor, MANAGE_VENDOR)
    errors: dict[str, list[str]] = {}
    price: Decimal | None = None
    code = ""
    try:
        price = money(unit_price, "unit_price")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        code = _currency(currency)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if not isinstance(valid_from, datetime.date):
        errors["valid_from"] = [_("Give the date the price starts.")]
    if not isinstance(item, Item):
        errors["item"] = [_("Choose an item of the catalogue.")]
    elif not item.active:
        errors["item"] = [_("This item is no longer in the catalogue.")]
    if errors or price is None:
        raise ValidationFailed(fields=errors)
    row, _created = VendorPrice.objects.update_or_create(
        vendor=vendor,
        item=item,
        valid_from=valid_from,
        defaults={"unit_price": price, "currency": code},
    )
    return row


def vendor_staff_create(
    *,
    user: Any,
    vendor: Vendor,
    username: str,
    full_name: str,
    password: str | None = None,
) -> User:
    """A cashier account: a user holding only the vendor-staff role (redeem vouchers)
    in the vendor's governorate, linked to the vendor. Without a password the account
    cannot sign in until one is set."""
    require(user, vendor, MANAGE_VENDOR)
    full_name = text(full_name, "full_name", limit=150, required=True)
    with transaction.atomic():
        staff_user = accounts.user_create(
            username=username,
            password=password,
            full_name=full_name,
            organisation=vendor.organisation,
            position=_("Cashier, %(vendor)s") % {"vendor": vendor.name},
        )
        governorate = AdminUnit.objects.get(pk=vendor.admin_unit_id).governorate
        accounts.role_assign(
            user=staff_user,
            role="vendor_staff",
            governorates=(governorate.pcode if governorate else vendor.admin_unit.pcode,),
            all_programmes=True,
        )
        VendorStaff.objects.create(vendor=vendor, user=staff_user)
    return staff_user


def vendor_staff_remove(*, user: Any, staff: VendorStaff) -> VendorStaff:
    """Stop a cashier: the link is kept (for the history) but inactive, and the account
    can no longer sign in."""
    require(user, staff.vendor, MANAGE_VENDOR)
    with transaction.atomic():
        VendorStaff.objects.filter(pk=staff.pk).update(active=False)
        User.objects.filter(pk=staff.user_id).update(is_active=False)
    staff.refresh_from_db()
    return staff

"""Writes of the catalogue (items, costs, kits and their versions, seasons) and of
warehouses and their low-stock levels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import has_permission, scoped
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.stock.models import (
    MANAGE_CATALOGUE,
    MANAGE_WAREHOUSE,
    Item,
    ItemCost,
    Kit,
    KitComponent,
    KitVersion,
    Season,
    Threshold,
    Warehouse,
)
from sanad.stock.services._base import (
    _date,
    _money,
    _qty,
    _require,
    _require_project,
    _text,
)

ITEM_FIELDS = {"name_en", "name_ar", "name_ckb", "category", "unit", "specification", "active"}
WAREHOUSE_FIELDS = {"name", "place", "manager", "active"}


def _catalogue(user: Any) -> None:
    if not has_permission(user, MANAGE_CATALOGUE):
        raise PermissionDenied()


def _code(value: Any, field: str = "code", limit: int = 60) -> str:
    code = str(value or "").strip()
    if not code or len(code) > limit or slugify(code) != code.lower():
        message = _(
            "Give a code of letters, digits, hyphens and underscores (%(limit)s at most)."
        ) % {"limit": limit}
        raise ValidationFailed(message, fields={field: [message]})
    return code.lower()


def _name_en(value: Any, field: str = "name_en") -> str:
    text = str(value or "").strip()
    if not text or len(text) > 160:
        message = _("Give a name of 160 characters at most.")
        raise ValidationFailed(message, fields={field: [message]})
    return text


def _choice(value: Any, choices: Iterable[str], field: str) -> str:
    if value not in set(choices):
        message = _("Choose one of the listed values.")
        raise ValidationFailed(message, fields={field: [message]})
    return str(value)


# --- items -----------------------------------------------------------------------------------
def item_create(
    *,
    user: Any,
    code: str,
    name_en: str,
    name_ar: str = "",
    name_ckb: str = "",
    category: str,
    unit: str,
    specification: str = "",
) -> Item:
    _catalogue(user)
    clean = _code(code)
    if category == Item.Category.KIT:
        message = _("A kit's stock item is made with the kit: add a kit instead.")
        raise ValidationFailed(message, fields={"category": [message]})
    unit_text = _text(unit, 20)
    if not unit_text:
        message = _("Give the unit (piece, set, litre…).")
        raise ValidationFailed(message, fields={"unit": [message]})
    if Item.objects.filter(code=clean).exists():
        message = _("An item with the code %(code)s exists already.") % {"code": clean}
        raise ValidationFailed(message, fields={"code": [message]})
    return Item.objects.create(
        code=clean,
        name_en=_name_en(name_en),
        name_ar=_text(name_ar, 160),
        name_ckb=_text(name_ckb, 160),
        category=_choice(category, Item.Category.values, "category"),
        unit=unit_text,
        specification=_text(specification, 5000),
        created_by=user,
    )


def item_update(*, user: Any, item: Item, **fields: Any) -> Item:
    """Change names, unit, specification or `active` (an inactive item is kept for
    history but can no longer be received or moved). The code never changes: the
    assistance ledger and documents refer to it."""
    _catalogue(user)
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        message = _("These fields cannot be changed: %(fields)s.") % {
            "fields": ", ".join(sorted(unknown))
        }
        raise ValidationFailed(message, fields={name: [message] for name in unknown})
    if "name_en" in fields:
        item.name_en = _name_en(fields["name_en"])
    for name in ("name_ar", "name_ckb"):
        if name in fields:
            setattr(item, name, _text(fields[name], 160))
    if "category" in fields:
        wanted = _choice(fields["category"], Item.Category.values, "category")
        if (wanted == Item.Category.KIT) != item.is_kit:
            message = _("Only a kit's own stock item has the category “kit”.")
            raise ValidationFailed(message, fields={"category": [message]})
        item.category = wanted
    if "unit" in fields:
        unit = _text(fields["unit"], 20)
        if not unit:
            message = _("Give the unit (piece, set, litre…).")
            raise ValidationFailed(message, fields={"unit": [message]})
        item.unit = unit
    if "specification" in fields:
        item.specification = _text(fields["specification"], 5000)
    if "active" in fields:
        item.active = bool(fields["active"])
    item.updated_by = user
    item.save()
    return item


def item_cost_set(
    *,
    user: Any,
    item: Item,
    project: Project,
    unit_cost: Any,
    currency: str = "USD",
    exchange_rate: Any = None,
    valid_from: Any,
) -> ItemCost:
    """The unit cost of an item for a project from a date; setting it again for the
    same day replaces that day's cost (a correction), other days keep their history."""
    _catalogue(user)
    _require_project(user, project, MANAGE_CATALOGUE)
    cost = _money(unit_cost, "unit_cost")
    if cost is None:
        message = _("Give the unit cost.")
        raise ValidationFailed(message, fields={"unit_cost": [message]})
    currency = _choice(str(currency or "").upper(), ("USD", "IQD"), "currency")
    rate = None
    if exchange_rate not in (None, ""):
        try:
            rate = Decimal(str(exchange_rate))
            if not rate.is_finite() or rate <= 0 or rate >= Decimal("1e8"):
                raise ValueError
        except (ValueError, ArithmeticError) as exc:
            message = _("Give the exchange rate as IQD per USD, a number above zero.")
            raise ValidationFailed(message, fields={"exchange_rate": [message]}) from exc
    if currency == "IQD" and rate is None:
        message = _("A cost in IQD needs the exchange rate of the day (IQD per USD).")
        raise ValidationFailed(message, fields={"exchange_rate": [message]})
    row, _created = ItemCost.objects.update_or_create(
        item=item,
        project=project,
        valid_from=_date(valid_from, "valid_from"),
        defaults={
            "unit_cost": cost,
            "currency": currency,
            "exchange_rate": rate,
            "updated_by": user,
        },
        create_defaults={
            "unit_cost": cost,
            "currency": currency,
            "exchange_rate": rate,
            "created_by": user,
        },
    )
    return row


# --- kits --------------------------------------------------------------------------------------
def _components(components: Any) -> list[tuple[Item, Decimal]]:
    rows: list[tuple[Item, Decimal]] = []
    seen: set[int] = set()
    for index, row in enumerate(components or ()):
        field = f"components.{index}"
        item = row.get("item") if isinstance(row, dict) else None
        if not isinstance(item, Item) or item.pk is None:
            message = _("Choose an item of the catalogue for each component.")
            raise ValidationFailed(message, fields={field: [message]})
        if item.is_kit:
            message = _("A kit cannot contain another kit (%(code)s).") % {"code": item.code}
            raise ValidationFailed(message, fields={field: [message]})
        if item.pk in seen:
            message = _("%(code)s is listed twice: give it once with the total quantity.") % {
                "code": item.code
            }
            raise ValidationFailed(message, fields={field: [message]})
        seen.add(item.pk)
        rows.append((item, _qty(row.get("quantity"), f"{field}.quantity")))
    if not rows:
        message = _("A kit needs at least one component.")
        raise ValidationFailed(message, fields={"components": [message]})
    return rows


def _add_version(
    *, user: Any, kit: Kit, components: Any, valid_from: Any, notes: str = ""
) -> KitVersion:
    rows = _components(components)
    day = _date(valid_from, "valid_from")
    # Lock the kit so two new versions made at the same moment get numbers in turn.
    Kit.objects.select_for_update().filter(pk=kit.pk).first()
    last = KitVersion.objects.filter(kit=kit).aggregate(n=Max("number"), d=Max("valid_from"))
    if last["d"] is not None and day <= last["d"]:
        message = _(
            "A new version must start after the current one (from %(day)s): earlier "
            "kitting keeps the contents it used."
        ) % {"day": last["d"].isoformat()}
        raise ValidationFailed(message, fields={"valid_from": [message]})
    version = KitVersion.objects.create(
        kit=kit,
        number=(last["n"] or 0) + 1,
        valid_from=day,
        notes=_text(notes),
        created_by=user,
    )
    KitComponent.objects.bulk_create(
        KitComponent(version=version, item=item, quantity=quantity) for item, quantity in rows
    )
    return version


def kit_create(
    *,
    user: Any,
    code: str,
    name_en: str,
    name_ar: str = "",
    name_ckb: str = "",
    kind: str,
    description: str = "",
    replaces: Sequence[Kit] = (),
    components: Any,
    valid_from: Any,
) -> Kit:
    """A kit, its stock item (category "kit", same code, unit "kit") and version 1."""
    _catalogue(user)
    clean = _code(code)
    kind = _choice(kind, Kit.Kind.values, "kind")
    if Kit.objects.filter(code=clean).exists() or Item.objects.filter(code=clean).exists():
        message = _("An item or kit with the code %(code)s exists already.") % {"code": clean}
        raise ValidationFailed(message, fields={"code": [message]})
    replaced = list(replaces or ())
    if kind == Kit.Kind.REPLACEMENT and not replaced:
        message = _("Say which kits this replacement kit replaces items of.")
        raise ValidationFailed(message, fields={"replaces": [message]})
    if kind != Kit.Kind.REPLACEMENT and replaced:
        message = _("Only a replacement kit replaces other kits.")
        raise ValidationFailed(message, fields={"replaces": [message]})
    names = {
        "name_en": _name_en(name_en),
        "name_ar": _text(name_ar, 160),
        "name_ckb": _text(name_ckb, 160),
    }
    try:
        with transaction.atomic():
            item = Item.objects.create(
                code=clean,
                category=Item.Category.KIT,
                unit="kit",
                specification=_text(description, 5000),
                created_by=user,
                **names,
            )
            kit = Kit.objects.create(
                code=clean,
                kind=kind,
                item=item,
                description=_text(description, 5000),
                created_by=user,
                **names,
            )
            if replaced:
                kit.replaces.set(replaced)
            _add_version(user=user, kit=kit, components=components, valid_from=valid_from)
    except IntegrityError as exc:
        raise Conflict(
            _("An item or kit with the code %(code)s exists already.") % {"code": clean}
        ) from exc
    return kit


def kit_update(*, user: Any, kit: Kit, **fields: Any) -> Kit:
    """Names, description, `active` and (for a replacement kit) what it replaces.
    Contents change through a new version, never here."""
    _catalogue(user)
    allowed = {"name_en", "name_ar", "name_ckb", "description", "active", "replaces"}
    unknown = set(fields) - allowed
    if unknown:
        message = _("These fields cannot be changed: %(fields)s.") % {
            "fields": ", ".join(sorted(unknown))
        }
        raise ValidationFailed(message, fields={name: [message] for name in unknown})
    with transaction.atomic():
        if "name_en" in fields:
            kit.name_en = _name_en(fields["name_en"])
        for name in ("name_ar", "name_ckb"):
            if name in fields:
                setattr(kit, name, _text(fields[name], 160))
        if "description" in fields:
            kit.description = _text(fields["description"], 5000)
        if "active" in fields:
            kit.active = bool(fields["active"])
        kit.updated_by = user
        kit.save()
        item_update(
            user=user,
            item=kit.item,
            name_en=kit.name_en,
            name_ar=kit.name_ar,
            name_ckb=kit.name_ckb,
            active=kit.active,
        )
        if "replaces" in fields:
            if kit.kind != Kit.Kind.REPLACEMENT:
                message = _("Only a replacement kit replaces other kits.")
                raise ValidationFailed(message, fields={"replaces": [message]})
            kit.replaces.set([k for k in fields["replaces"] if k.pk != kit.pk])
    return kit


def kit_version_create(
    *, user: Any, kit: Kit, components: Any, valid_from: Any, notes: str = ""
) -> KitVersion:
    """Next season's contents: a new version from a date, numbered after the last.
    Earlier versions stay as they were, so past kitting still says what it used."""
    _catalogue(user)
    with transaction.atomic():
        return _add_version(
            user=user, kit=kit, components=components, valid_from=valid_from, notes=notes
        )


def season_create(*, user: Any, kind: str, name: str, starts_on: Any, ends_on: Any) -> Season:
    _catalogue(user)
    kind = _choice(kind, (Kit.Kind.WINTER, Kit.Kind.SUMMER), "kind")
    start, end = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
    if end < start:
        message = _("The season must end on or after the day it starts.")
        raise ValidationFailed(message, fields={"ends_on": [message]})
    overlapping = Season.objects.filter(kind=kind, starts_on__lte=end, ends_on__gte=start).first()
    if overlapping is not None:
        message = _(
            "This window overlaps the season %(name)s: a household gets one kit per season, "
            "so seasons of a kind must not overlap."
        ) % {"name": overlapping.name}
        raise ValidationFailed(message, fields={"starts_on": [message]})
    label = _text(name, 120)
    if not label:
        message = _("Give the season a name.")
        raise ValidationFailed(message, fields={"name": [message]})
    return Season.objects.create(
        kind=kind, name=label, starts_on=start, ends_on=end, created_by=user
    )


# --- warehouses ------------------------------------------------------------------------------
def _place_reach(user: Any, place: Place) -> None:
    if not isinstance(place, Place) or place.pk is None:
        message = _("Choose the place of the warehouse.")
        raise ValidationFailed(message, fields={"place": [message]})
    if not has_permission(user, MANAGE_WAREHOUSE):
        raise PermissionDenied()
    if not scoped(Place.objects.filter(pk=place.pk), user, MANAGE_WAREHOUSE).exists():
        raise PermissionDenied(_("Your role does not reach the governorate of this place."))


def warehouse_create(
    *, user: Any, code: str, name: str, place: Place, manager: Any = None
) -> Warehouse:
    _place_reach(user, place)
    clean = _code(code, limit=40)
    if Warehouse.objects.filter(code=clean).exists():
        message = _("A warehouse with the code %(code)s exists already.") % {"code": clean}
        raise ValidationFailed(message, fields={"code": [message]})
    label = _text(name, 160)
    if not label:
        message = _("Give the warehouse a name.")
        raise ValidationFailed(message, fields={"name": [message]})
    return Warehouse.objects.create(
        code=clean, name=label, place=place, manager=manager, created_by=user
    )


def warehouse_update(*, user: Any, warehouse: Warehouse, **fields: Any) -> Warehouse:
    """Name, place (within the user's reach), manager, `active` (a closed warehouse
    refuses new movements; its ledger stays)."""
    _require(user, warehouse, MANAGE_WAREHOUSE)
    unknown = set(fields) - WAREHOUSE_FIELDS
    if unknown:
        message = _("These fields cannot be changed: %(fields)s.") % {
            "fields": ", ".join(sorted(unknown))
        }
        raise ValidationFailed(message, fields={name: [message] for name in unknown})
    if "place" in fields:
        _place_reach(user, fields["place"])
        warehouse.place = fields["place"]
    if "name" in fields:
        label = _text(fields["name"], 160)
        if not label:
            message = _("Give the warehouse a name.")
            raise ValidationFailed(message, fields={"name": [message]})
        warehouse.name = label
    if "manager" in fields:
        warehouse.manager = fields["manager"]
    if "active" in fields:
        warehouse.active = bool(fields["active"])
    warehouse.updated_by = user
    warehouse.save()
    return warehouse


def threshold_set(*, user: Any, warehouse: Warehouse, item: Item, minimum: Any) -> Threshold:
    """The low-stock alert level of an item in a warehouse; zero removes the alert."""
    _require(user, warehouse, MANAGE_WAREHOUSE)
    level = _qty(minimum, "minimum", allow_zero=True)
    row, _created = Threshold.objects.update_or_create(
        warehouse=warehouse, item=item, defaults={"minimum": level}
    )
    return row

"""Writes for places: create, change, close and reopen, each checked against the
user's reach (role and governorates) and the rules below."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import governorates_within

MANAGE = Place.MANAGE_PERMISSION


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def iraq_bounds() -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon): Iraq's bounding box, as the model's field
    validators state it (the one place the numbers are written)."""

    def limits(name: str) -> tuple[float, float]:
        field: Any = Place._meta.get_field(name)
        low = next(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))
        high = next(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))
        return float(low), float(high)  # type: ignore[arg-type]

    (lat_min, lat_max), (lon_min, lon_max) = limits("lat"), limits("lon")
    return lat_min, lat_max, lon_min, lon_max


def coordinates_check(*, lat: float | None, lon: float | None) -> None:
    """Both or neither coordinate, and inside Iraq."""
    if lat is None and lon is None:
        return
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        message = _("Give both latitude and longitude, or neither.")
        raise ValidationFailed(message, code="coordinates_incomplete", fields={missing: [message]})
    lat_min, lat_max, lon_min, lon_max = iraq_bounds()
    inside_lat, inside_lon = lat_min <= lat <= lat_max, lon_min <= lon <= lon_max
    if inside_lat and inside_lon:
        return
    if lat_min <= lon <= lat_max and lon_min <= lat <= lon_max:
        message = _(
            "These coordinates fall outside Iraq, but they would fit if swapped: latitude is the "
            "north-south number (%(lat_min)s to %(lat_max)s), longitude the east-west one "
            "(%(lon_min)s to %(lon_max)s)."
        )
    else:
        message = _(
            "These coordinates fall outside Iraq. Latitude must be between %(lat_min)s and %(lat_max)s "
            "and longitude between %(lon_min)s and %(lon_max)s (decimal degrees, WGS 84)."
        )
    message = message % {
        "lat_min": lat_min,
        "lat_max": lat_max,
        "lon_min": lon_min,
        "lon_max": lon_max,
    }
    fields = {}
    if not inside_lat:
        fields["lat"] = [message]
    if not inside_lon:
        fields["lon"] = [message]
    raise ValidationFailed(message, code="outside_iraq", fields=fields)


def _check_admin_unit(*, user: Any, admin_unit: AdminUnit) -> None:
    if admin_unit.level == AdminUnit.Level.GOVERNORATE:
        message = _(
            "Choose a district or sub-district: a governorate is too large to locate a place."
        )
        raise ValidationFailed(
            message, code="admin_unit_too_large", fields={"admin_unit": [message]}
        )
    reach = governorates_within(user, MANAGE)
    governorate = admin_unit.governorate
    if reach is not None and (governorate is None or governorate.pcode not in reach):
        message = _(
            "You cannot add or move places into %(unit)s: your role covers other governorates."
        ) % {"unit": str(admin_unit)}
        raise PermissionDenied(message, code="outside_scope", fields={"admin_unit": [message]})


def _check_can_manage(*, user: Any, place: Place | None = None) -> None:
    if not has_permission(user, MANAGE):
        raise PermissionDenied()
    if place is not None and not can_reach(user, place, MANAGE):
        if can_reach(user, place, Place.VIEW_PERMISSION):
            raise PermissionDenied(
                _("Your role does not allow changing places in this governorate."),
                code="outside_scope",
            )
        raise NotFound()


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def _check_fields(*, kind: str, name_en: str, code: str, place: Place | None) -> None:
    fields: dict[str, list[str]] = {}
    if kind not in Place.Kind.values:
        fields["kind"] = [
            _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(str(k) for k in Place.Kind.labels)}
        ]
    if not name_en:
        fields["name_en"] = [_("Give the place's name in English (Latin script).")]
    if code:
        clash = Place.objects.filter(kind=kind, code__iexact=code)
        if place is not None:
            clash = clash.exclude(pk=place.pk)
        if clash.exists():
            fields["code"] = [
                _("Another place of this kind already has the code “%(code)s”.") % {"code": code}
            ]
    if fields:
        raise ValidationFailed(fields=fields)


def place_create(
    *,
    user: Any,
    kind: str,
    name_en: str,
    name_ar: str = "",
    admin_unit: AdminUnit,
    lat: float | None = None,
    lon: float | None = None,
    code: str = "",
    notes: str = "",
) -> Place:
    """Add a place inside an admin unit of the user's governorates."""
    _check_can_manage(user=user)
    name_en, name_ar, code, notes = (
        _clean_text(name_en),
        _clean_text(name_ar),
        _clean_text(code),
        notes or "",
    )
    _check_fields(kind=kind, name_en=name_en, code=code, place=None)
    _check_admin_unit(user=user, admin_unit=admin_unit)
    coordinates_check(lat=lat, lon=lon)
    place = Place(
        kind=kind,
        name_en=name_en,
        name_ar=name_ar,
        admin_unit=admin_unit,
        lat=lat,
        lon=lon,
        code=code,
        notes=notes,
    )
    if getattr(user, "pk", None):
        place.created_by = user
        place.updated_by = user
    _save(place)
    return place


def place_update(
    *,
    place: Place,
    user: Any,
    kind: str = UNSET,
    name_en: str = UNSET,
    name_ar: str = UNSET,
    admin_unit: AdminUnit = UNSET,
    lat: float | None = UNSET,
    lon: float | None = UNSET,
    code: str = UNSET,
    notes: str = UNSET,
) -> Place:
    """Change a place's details; arguments left out keep their value. Status changes go
    through `place_close` / `place_reopen`."""
    _check_can_manage(user=user, place=place)
    changes: dict[str, Any] = {}
    for name, value in (("kind", kind), ("name_en", name_en), ("name_ar", name_ar), ("code", code)):
        if value is not UNSET:
            changes[name] = _clean_text(value)
    if notes is not UNSET:
        changes["notes"] = notes or ""
    for name, number in (("lat", lat), ("lon", lon)):
        if number is not UNSET:
            changes[name] = number
    if admin_unit is not UNSET:
        changes["admin_unit"] = admin_unit
    merged = {
        name: changes.get(name, getattr(place, name))
        for name in ("kind", "name_en", "code", "lat", "lon")
    }
    _check_fields(kind=merged["kind"], name_en=merged["name_en"], code=merged["code"], place=place)
    if "admin_unit" in changes and changes["admin_unit"].pk != place.admin_unit_id:
        _check_admin_unit(user=user, admin_unit=changes["admin_unit"])
    if {"lat", "lon"} & changes.keys():
        coordinates_check(lat=merged["lat"], lon=merged["lon"])
    for name, value in changes.items():
        setattr(place, name, value)
    if getattr(user, "pk", None):
        place.updated_by = user
    _save(place)
    return place


def _save(place: Place) -> None:
    try:
        with transaction.atomic():
            place.save()
    except IntegrityError as exc:
        # Two people adding the same code at once: the constraint has the last word.
        message = _("Another place of this kind already has the code “%(code)s”.") % {
            "code": place.code
        }
        raise ValidationFailed(fields={"code": [message]}) from exc


def place_close(*, place: Place, user: Any, reason: str) -> Place:
    """Close a place (a camp closed, a site emptied); the reason is kept in its history."""
    _check_can_manage(user=user, place=place)
    reason = _clean_text(reason)
    if place.status == Place.Status.CLOSED:
        raise ValidationFailed(_("This place is already closed."), code="already_closed")
    if not reason:
        message = _(
            "Say why the place is closing, for example “camp consolidated into another camp”."
        )
        raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
    _transition(place, to=Place.Status.CLOSED, user=user, reason=reason)
    return place


def place_reopen(*, place: Place, user: Any, reason: str = "") -> Place:
    _check_can_manage(user=user, place=place)
    if place.status == Place.Status.OPEN:
        raise ValidationFailed(_("This place is already open."), code="already_open")
    _transition(place, to=Place.Status.OPEN, user=user, reason=_clean_text(reason))
    return place


def _transition(place: Place, *, to: str, user: Any, reason: str) -> None:
    extra: tuple[str, ...] = ()
    if getattr(user, "pk", None):
        place.updated_by = user
        extra = ("updated_by",)
    Place.STATUS_MACHINE.transition(place, to=to, by=user, reason=reason, extra_updates=extra)

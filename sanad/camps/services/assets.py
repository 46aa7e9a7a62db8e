"""A site's infrastructure (electrical sections, water points, taps and pipes,
latrines, showers, roads, lighting, drainage) and its condition. Asset is registered
with the audit trail: every change of condition is kept there (`asset_condition_history`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.camps.models import MANAGE_SITE, MANAGE_TICKET, Asset, Condition, Site
from sanad.core.errors import NotFound, PermissionDenied, field_error
from sanad.core.scoping import can_reach, has_permission

# Site managers register infrastructure; maintenance managers record it too.
ASSET_PERMISSIONS = (MANAGE_TICKET, MANAGE_SITE)


def may_manage_assets(user: Any, site: Site | None = None) -> bool:
    for permission in ASSET_PERMISSIONS:
        if has_permission(user, permission) and (site is None or can_reach(user, site, permission)):
            return True
    return False


def _require(user: Any, site: Site) -> None:
    if not any(has_permission(user, p) for p in ASSET_PERMISSIONS):
        raise PermissionDenied(code="permission_denied")
    if not may_manage_assets(user, site):
        raise NotFound()


def _values(data: dict[str, Any], *, partial_of: Asset | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    kind = data.get("kind", partial_of.kind if partial_of else "")
    if kind not in Asset.Kind.values:
        raise field_error("kind", _("Choose the kind of asset."), "invalid_kind")
    values["kind"] = kind
    code = str(data.get("code", partial_of.code if partial_of else "") or "").strip()
    if not code:
        raise field_error("code", _("Give the asset a code (e.g. “TAP-B-04”)."), "code_required")
    if len(code) > 40:
        raise field_error(
            "code", _("Shorten this to %(n)d characters.") % {"n": 40}, "code_too_long"
        )
    values["code"] = code
    condition = data.get("condition") or (partial_of.condition if partial_of else Condition.GOOD)
    if condition not in Condition.values:
        raise field_error("condition", _("Choose the condition."), "invalid_condition")
    values["condition"] = condition
    for name, limit in (("description", 300), ("sector", 40)):
        text = str(data.get(name, getattr(partial_of, name, "")) or "").strip()
        if len(text) > limit:
            raise field_error(
                name, _("Shorten this to %(n)d characters.") % {"n": limit}, "too_long"
            )
        values[name] = text
    installed = data.get("installed_on", getattr(partial_of, "installed_on", None))
    if installed and not isinstance(installed, datetime.date):
        raise field_error("installed_on", _("Enter a date."), "invalid_date")
    values["installed_on"] = installed or None
    for name, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        value = data.get(name, getattr(partial_of, name, None))
        if value in ("", None):
            values[name] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not (low <= number <= high):
            raise field_error(
                name, _("Enter a coordinate in decimal degrees."), "invalid_coordinate"
            )
        values[name] = number
    return values


def _unique(site: Site, code: str, exclude: int | None = None) -> None:
    clash = Asset.objects.filter(site=site, code__iexact=code)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise field_error(
            "code", _("Another asset of this site has this code. Choose another."), "code_taken"
        )


def asset_create(*, user: Any, site: Site, data: dict[str, Any]) -> Asset:
    _require(user, site)
    values = _values(data)
    _unique(site, values["code"])
    try:
        with transaction.atomic():
            return Asset.objects.create(site=site, **values)
    except IntegrityError:
        raise field_error(
            "code", _("Another asset of this site has this code. Choose another."), "code_taken"
        ) from None


def asset_update(*, user: Any, asset: Asset, data: dict[str, Any]) -> Asset:
    _require(user, asset.site)
    with transaction.atomic():
        # What is not given keeps its value as stored now, not as the caller last saw it.
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        values = _values(data, partial_of=asset)
        _unique(asset.site, values["code"], exclude=asset.pk)
        changed = [k for k, v in values.items() if getattr(asset, k) != v]
        for name in changed:
            setattr(asset, name, values[name])
        if changed:
            asset.save(update_fields=[*changed, "updated_at"])
    return asset


def asset_condition_history(asset: Asset) -> list[dict[str, Any]]:
    """Each change of the asset's condition (from the audit trail), newest first:
    {"at", "by", "from", "to"} with the conditions' labels."""
    from django.contrib.contenttypes.models import ContentType

    from sanad.core.models import AuditEvent

    labels = dict(Condition.choices)
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Asset), object_pk=str(asset.pk)
    ).select_related("actor")
    rows = []
    for event in events:
        change = (event.changes or {}).get("condition")
        if isinstance(change, list) and len(change) == 2:
            old, new = change
            rows.append(
                {
                    "at": event.at,
                    "by": event.actor,
                    "from": labels.get(old, old or ""),
                    "to": labels.get(new, new),
                }
            )
    return rows

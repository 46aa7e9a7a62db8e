"""Defining indicators: what each counts, in data, so that M&E staff add and correct
them without a release.

    indicator_create(user=u, data={"code": "people_reached_cash", "name_en": …,
                                   "definition": …, "measure": "people",
                                   "programme": "NFI", "kinds": ["cash", "voucher"]})
    indicator_update(user=u, indicator=i, data={"definition": …})
    indicator_deactivate(user=u, indicator=i) / indicator_activate(…)

Rules (each refusal says what to fix):
- the code is a slug (lowercase letters, digits, "_" and "-") and unique: targets of
  donor projects name their indicator by it;
- the measure is one of `Measure`; "module" needs a known figure of `metrics.METRICS`
  (and then no kinds, items or unit: the module counts its own records);
- a quantity adds up numbers of one kind: it needs a unit or items;
- kinds are `AssistanceKind` values; items a list of item codes (as the ledger records
  them);
- the permission is `reporting.manage_indicators`; an indicator of a programme must be
  within the programmes the user's assignments reach; a mission-wide indicator (no
  programme) needs an assignment that covers every programme.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.assistance.models import AssistanceKind
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, grants_for, has_permission, scoped
from sanad.programmes.models import Programme
from sanad.reporting.metrics import METRICS
from sanad.reporting.models import MANAGE_INDICATORS, Indicator, Measure

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FIELDS = (
    "code",
    "name_en",
    "name_ar",
    "name_ckb",
    "definition",
    "measure",
    "programme",
    "kinds",
    "items",
    "unit",
    "metric",
    "sort_order",
)
_SPLIT = re.compile(r"[\s,;]+")


def _require(user: Any) -> None:
    if not has_permission(user, MANAGE_INDICATORS):
        raise PermissionDenied(
            _("Your role does not allow defining indicators. Ask an administrator if you need it.")
        )


def _covers_every_programme(user: Any) -> bool:
    return any(g.all_programmes for g in grants_for(user, MANAGE_INDICATORS))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _list(value: Any) -> list[str]:
    """A list from a list, or from text separated by commas, spaces or new lines."""
    if value is None:
        return []
    parts = _SPLIT.split(value) if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _clean(*, user: Any, data: dict[str, Any], current: Indicator | None) -> dict[str, Any]:
    """Validated values of every field (the current ones for fields `data` leaves out)."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def given(field: str, default: Any) -> Any:
        if field in data:
            return data[field]
        return default

    values: dict[str, Any] = {}
    code = _text(given("code", current.code if current else "")).lower()
    if not code:
        err("code", _("Give the indicator a code, such as people_reached_cash."))
    elif len(code) > 80 or not SLUG.match(code):
        err(
            "code",
            _(
                "Write the code with lowercase letters, digits, “_” and “-” only (at most 80), "
                "such as people_reached_cash."
            ),
        )
    else:
        taken = Indicator.objects.filter(code=code)
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            err(
                "code",
                _("An indicator with the code %(code)s exists already: choose another code.")
                % {"code": code},
            )
    values["code"] = code

    for field, limit in (("name_en", 200), ("name_ar", 200), ("name_ckb", 200)):
        text = _text(given(field, getattr(current, field) if current else ""))
        if len(text) > limit:
            err(field, _("Keep the name to %(n)s characters or fewer.") % {"n": limit})
        values[field] = text
    if not values["name_en"]:
        err("name_en", _("Give the indicator a name in English (Arabic and Kurdish are optional)."))

    definition = _text(given("definition", current.definition if current else ""))
    if not definition:
        err(
            "definition",
            _("Write how the indicator is counted: the definition is shown next to every figure."),
        )
    values["definition"] = definition

    measure = _text(given("measure", current.measure if current else ""))
    if measure not in Measure.values:
        err(
            "measure",
            _("Choose what the indicator counts: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in Measure.labels)},
        )
    values["measure"] = measure

    programme: Programme | None = None
    raw = given("programme", current.programme if current else None)
    if isinstance(raw, Programme):
        programme = raw
    elif _text(raw):
        programme = Programme.objects.filter(code=_text(raw).upper()).first()
        if programme is None:
            err("programme", _("No programme has the code %(code)s.") % {"code": _text(raw)})
    if programme is not None:
        if not scoped(Programme.objects.filter(pk=programme.pk), user, MANAGE_INDICATORS).exists():
            err(
                "programme",
                _(
                    "You may define indicators only for the programmes your role covers: "
                    "%(programme)s is not one of them."
                )
                % {"programme": programme.code},
            )
    elif not errors.get("programme") and not _covers_every_programme(user):
        err(
            "programme",
            _(
                "Only someone whose role covers every programme can define a mission-wide "
                "indicator: choose your programme."
            ),
        )
    values["programme"] = programme

    kinds = _list(given("kinds", current.kinds if current else []))
    unknown = [k for k in kinds if k not in AssistanceKind.values]
    if unknown:
        err(
            "kinds",
            _("Unknown kind of assistance: %(kinds)s. Choose among %(choices)s.")
            % {"kinds": ", ".join(unknown), "choices": ", ".join(AssistanceKind.values)},
        )
    values["kinds"] = kinds

    items = _list(given("items", current.items if current else []))
    long = [i for i in items if len(i) > 80]
    if long:
        err("items", _("An item code has at most 80 characters: %(item)s.") % {"item": long[0]})
    values["items"] = items

    unit = _text(given("unit", current.unit if current else ""))
    if len(unit) > 20:
        err("unit", _("Keep the unit to 20 characters or fewer, such as kit or house."))
    values["unit"] = unit

    metric = _text(given("metric", current.metric if current else ""))
    if measure == Measure.MODULE:
        if not metric:
            err("metric", _("Choose the module figure this indicator shows."))
        elif metric not in METRICS:
            err(
                "metric",
                _("No module figure has the code %(code)s. Choose among %(choices)s.")
                % {"code": metric, "choices": ", ".join(METRICS)},
            )
        else:
            owner = METRICS[metric].programme
            if owner and programme is not None and programme.code != owner:
                err(
                    "programme",
                    _(
                        "The figure “%(figure)s” counts records of the %(owner)s programme: "
                        "choose that programme or none."
                    )
                    % {"figure": METRICS[metric].label, "owner": owner},
                )
        if kinds or items or unit:
            err(
                "measure",
                _(
                    "A module figure is counted by its module from its own records: leave the "
                    "kinds of assistance, items and unit empty."
                ),
            )
    else:
        metric = ""
        if measure == Measure.QUANTITY and not unit and not items:
            err(
                "unit",
                _(
                    "A quantity adds up numbers of one kind: name the unit (kit, house, metre) or "
                    "the items it counts."
                ),
            )
    values["metric"] = metric

    order = given("sort_order", current.sort_order if current else 100)
    try:
        order = int(order if order not in (None, "") else 100)
        if not 0 <= order <= 32767:
            raise ValueError
    except (TypeError, ValueError):
        err("sort_order", _("Write the order as a whole number from 0 to 32767."))
        order = 100
    values["sort_order"] = order

    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first if len(errors) == 1 else None, fields=errors)
    return values


def indicator_create(*, user: Any, data: dict[str, Any]) -> Indicator:
    _require(user)
    values = _clean(user=user, data=data, current=None)
    try:
        with transaction.atomic():
            return Indicator.objects.create(
                **values,
                active=bool(data.get("active", True)),
                created_by=user,
                updated_by=user,
            )
    except IntegrityError as exc:  # two people saving the same code at once
        raise Conflict(
            _("An indicator with the code %(code)s exists already: choose another code.")
            % {"code": values["code"]}
        ) from exc


def _reach(user: Any, indicator: Indicator) -> None:
    _require(user)
    if not can_reach(user, indicator, MANAGE_INDICATORS):
        raise NotFound()


def indicator_update(*, user: Any, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    _reach(user, indicator)
    values = _clean(user=user, data=data, current=indicator)
    for field, value in values.items():
        setattr(indicator, field, value)
    if "active" in data:
        indicator.active = bool(data["active"])
    indicator.updated_by = user
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as exc:
        raise Conflict(
            _("An indicator with the code %(code)s exists already: choose another code.")
            % {"code": values["code"]}
        ) from exc
    return indicator


def _set_active(user: Any, indicator: Indicator, active: bool) -> Indicator:
    _reach(user, indicator)
    if indicator.active != active:
        indicator.active = active
        indicator.updated_by = user
        indicator.save(update_fields=["active", "updated_by", "updated_at"])
    return indicator


def indicator_deactivate(*, user: Any, indicator: Indicator) -> Indicator:
    """Hide the indicator from lists and reports; targets naming it still find it."""
    return _set_active(user, indicator, False)


def indicator_activate(*, user: Any, indicator: Indicator) -> Indicator:
    return _set_active(user, indicator, True)

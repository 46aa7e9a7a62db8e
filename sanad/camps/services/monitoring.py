"""Monthly site monitoring against the camp standards.

A `MonitoringRound` is the count of services on a site in a month. While it is a draft
an enumerator edits it; submitting it computes each indicator against the active
`Standard`s and keeps the thresholds used (`results`), so a later change of a standard
applies to rounds submitted afterwards only. A manager may reopen a submitted round
(with a reason): its results are cleared until it is submitted again.

`indicators_compute` is the arithmetic, a pure function: exact decimal arithmetic, a
value meets an "at most" standard when value ≤ threshold and an "at least" standard when
value ≥ threshold (20 people per latrine meets "at most 20"; 15 litres meets "at least
15"). A zero denominator (no latrine, nobody living on the site) is a gap with a note,
never a division error."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.camps.models import (
    MANAGE_SITE,
    MANAGE_STANDARDS,
    MONITOR,
    MonitoringRound,
    Site,
    Standard,
)
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.core.scoping import can_reach, has_permission


@dataclass(frozen=True)
class Indicator:
    """How an indicator is computed from a round: numerator / denominator, or a value read
    directly (denominator None)."""

    code: str
    numerator: str
    denominator: str | None
    missing_note: Any  # why the value cannot be computed (zero denominator or not recorded)


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "people_per_latrine",
            "individuals",
            "latrines",
            gettext_lazy("No working latrine: every resident lacks one."),
        ),
        Indicator(
            "people_per_shower",
            "individuals",
            "showers",
            gettext_lazy("No working shower: every resident lacks one."),
        ),
        Indicator(
            "people_per_tap",
            "individuals",
            "water_taps",
            gettext_lazy("No working water tap: every resident lacks one."),
        ),
        Indicator(
            "water_lpd",
            "water_litres_per_day",
            "individuals",
            gettext_lazy("Nobody is recorded as living on the site: enter the population."),
        ),
        Indicator(
            "covered_area_pp",
            "covered_area_m2",
            "individuals",
            gettext_lazy("Nobody is recorded as living on the site: enter the population."),
        ),
        Indicator(
            "people_per_shelter",
            "individuals",
            "shelters",
            gettext_lazy("No occupied shelter is recorded: enter the shelters."),
        ),
        Indicator(
            "health_post_km",
            "health_post_distance_km",
            None,
            gettext_lazy(
                "The distance to the health post is not recorded (enter 0 when there is one "
                "on the site)."
            ),
        ),
    )
}

CENT = Decimal("0.01")

# The numbers a round records (form, API and service agree on these).
COUNT_FIELDS = (
    "individuals",
    "households",
    "latrines",
    "showers",
    "water_taps",
    "water_litres_per_day",
    "shelters",
    "lighting_points",
    "schools",
)
DECIMAL_FIELDS = ("covered_area_m2", "health_post_distance_km")
TEXT_FIELDS = ("notes",)
ROUND_FIELDS = COUNT_FIELDS + DECIMAL_FIELDS + TEXT_FIELDS
MAX_COUNT = 2_000_000_000
MAX_DECIMAL = {
    "covered_area_m2": Decimal("99999999999.9"),
    "health_post_distance_km": Decimal("99999.9"),
}


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _shown(value: Decimal, direction: str) -> Decimal:
    """The value rounded to 2 decimals towards the failing side, so that what is shown
    always agrees with met/gap (20.001 per latrine shows 20.01, a gap; 14.999 litres shows
    14.99, a gap)."""
    rounding = ROUND_CEILING if direction == Standard.Direction.AT_MOST else ROUND_FLOOR
    return value.quantize(CENT, rounding=rounding)


def indicator_value(round_: Any, indicator: Indicator) -> Decimal | None:
    """The exact value of one indicator for a round, or None when it cannot be computed."""
    numerator = _dec(getattr(round_, indicator.numerator, None))
    if indicator.denominator is None:
        return numerator
    denominator = _dec(getattr(round_, indicator.denominator, None))
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def indicator_meets(value: Decimal, direction: str, threshold: Decimal) -> bool:
    if direction == Standard.Direction.AT_MOST:
        return value <= threshold
    if direction == Standard.Direction.AT_LEAST:
        return value >= threshold
    raise ValueError(f"unknown direction {direction!r}")


def indicators_compute(round_: Any, standards: Iterable[Standard]) -> list[dict[str, Any]]:
    """Each standard's indicator for `round_` (anything with a round's number fields):
    [{"code", "name", "value" (2 decimals, or None), "threshold", "direction", "unit",
    "met", "note"}], in the standards' order. Standards whose code has no computation are
    left out. Pure: reads nothing from the database."""
    results: list[dict[str, Any]] = []
    for standard in standards:
        indicator = INDICATORS.get(standard.code)
        if indicator is None:
            continue
        threshold = Decimal(str(standard.threshold))
        exact = indicator_value(round_, indicator)
        if exact is None:
            value, met, note = None, False, str(indicator.missing_note)
        else:
            value = float(_shown(exact, standard.direction))
            met = indicator_meets(exact, standard.direction, threshold)
            note = ""
        results.append(
            {
                "code": standard.code,
                "name": standard.name,
                "value": value,
                "threshold": float(threshold),
                "direction": standard.direction,
                "unit": standard.unit,
                "met": met,
                "note": note,
            }
        )
    return results


def gaps_count(results: Iterable[Mapping[str, Any]]) -> int:
    return sum(1 for r in results if not r.get("met"))


def active_standards() -> list[Standard]:
    return list(Standard.objects.filter(active=True).order_by("order", "code"))


# --- rounds --------------------------------------------------------------------------------
def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def _require(user: Any, permission: str, obj: Any = None) -> None:
    if not has_permission(user, permission):
        raise PermissionDenied()
    if obj is not None and not can_reach(user, obj, permission):
        raise NotFound()


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """The round's numbers from `data`, checked: whole numbers ≥ 0 for counts, decimals ≥ 0
    for the area and the distance."""
    unknown = sorted(set(data) - set(ROUND_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="round_unknown_field",
            fields={k: [_("This is not a field of a monitoring round.")] for k in unknown},
        )
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in COUNT_FIELDS:
        if name not in data:
            continue
        raw = data[name]
        if raw is None or raw == "":
            values[name] = 0
            continue
        number = _dec(raw)
        if number is None or number != number.to_integral_value():
            errors[name] = [_("Enter a whole number.")]
        elif number < 0:
            errors[name] = [_("Enter a number of 0 or more.")]
        elif number > MAX_COUNT:
            errors[name] = [_("This number is too large.")]
        else:
            values[name] = int(number)
    for name in DECIMAL_FIELDS:
        if name not in data:
            continue
        raw = data[name]
        if raw is None or raw == "":
            values[name] = None if name == "health_post_distance_km" else Decimal(0)
            continue
        number = _dec(raw)
        if number is None:
            errors[name] = [_("Enter a number.")]
        elif number < 0:
            errors[name] = [_("Enter a number of 0 or more.")]
        elif number > MAX_DECIMAL[name]:
            errors[name] = [_("This number is too large.")]
        else:
            values[name] = number.quantize(Decimal("0.1"))
    if "notes" in data:
        values["notes"] = str(data["notes"] or "").strip()
    if errors:
        raise ValidationFailed(code="round_invalid", fields=errors)
    return values


def round_population_default(*, site: Site, month: datetime.date) -> dict[str, int]:
    """The population a new round of `month` starts from: the site's population count of
    that month, else its latest earlier count, else the households allocated on the site at
    the end of the month (registry household sizes)."""
    from sanad.camps.selectors.monitoring import population_at

    return population_at(site=site, month=month)


def round_create(
    *, user: Any, site: Site, month: datetime.date, data: Mapping[str, Any] | None = None
) -> MonitoringRound:
    """Start the round of `site` for `month` (one per site and month), the population
    pre-filled and editable."""
    _require(user, MONITOR, site)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        message = _("A round cannot be recorded for a month that has not started yet.")
        raise ValidationFailed(message, code="round_future_month", fields={"month": [message]})
    if site.closed_on and month > month_start(site.closed_on):
        message = _("The site was closed on %(date)s: choose a month before it closed.") % {
            "date": site.closed_on.isoformat()
        }
        raise ValidationFailed(message, code="round_site_closed", fields={"month": [message]})
    values = _clean(data or {})
    population = round_population_default(site=site, month=month)
    for key in ("individuals", "households"):
        values.setdefault(key, population[key])
    existing = MonitoringRound.objects.filter(site=site, month=month).first()
    if existing is not None:
        raise _exists(existing)
    try:
        with transaction.atomic():
            return MonitoringRound.objects.create(site=site, month=month, **values)
    except IntegrityError:
        existing = MonitoringRound.objects.filter(site=site, month=month).first()
        if existing is None:
            raise
        raise _exists(existing) from None


def _exists(existing: MonitoringRound) -> Conflict:
    return Conflict(
        _("%(site)s already has a round for %(month)s: open it instead of starting another.")
        % {"site": existing.site, "month": existing.month.strftime("%Y-%m")},
        code="round_exists",
        params={"public_id": str(existing.public_id)},
    )


def round_update(*, user: Any, round_: MonitoringRound, data: Mapping[str, Any]) -> MonitoringRound:
    """Change the numbers of a draft round."""
    _require(user, MONITOR, round_)
    if round_.status != MonitoringRound.Status.DRAFT:
        raise InvalidTransition(
            _("This round is submitted: a manager must reopen it before it can be changed."),
            code="round_submitted",
        )
    values = _clean(data)
    with transaction.atomic():
        current = (
            MonitoringRound.objects.select_for_update()
            .filter(pk=round_.pk)
            .values_list("status", flat=True)
            .first()
        )
        if current != MonitoringRound.Status.DRAFT:
            raise InvalidTransition(
                _("The round was submitted meanwhile. Reload the page."), code="stale_status"
            )
        for key, value in values.items():
            setattr(round_, key, value)
        if values:
            round_.save(update_fields=[*values])
    return round_


def round_submit(*, user: Any, round_: MonitoringRound) -> MonitoringRound:
    """Compute the indicators with the standards active now, flag the gaps, and submit."""
    _require(user, MONITOR, round_)
    if round_.status != MonitoringRound.Status.DRAFT:
        raise InvalidTransition(_("This round is already submitted."), code="round_submitted")
    if not round_.individuals:
        message = _("Enter the number of people living on the site before submitting.")
        raise ValidationFailed(
            message, code="round_no_population", fields={"individuals": [message]}
        )
    results = indicators_compute(round_, active_standards())
    round_.results = results
    round_.gaps = gaps_count(results)
    round_.submitted_at = timezone.now()
    MonitoringRound.STATUS_MACHINE.transition(
        round_,
        to=MonitoringRound.Status.SUBMITTED,
        by=user,
        extra_updates=["results", "gaps", "submitted_at"],
    )
    return round_


def round_reopen(*, user: Any, round_: MonitoringRound, reason: str) -> MonitoringRound:
    """A manager sends a submitted round back to draft (to correct a count); the results
    are cleared and computed again when it is submitted."""
    _require(user, MANAGE_SITE, round_)
    if round_.status != MonitoringRound.Status.SUBMITTED:
        raise InvalidTransition(
            _("Only a submitted round can be reopened."), code="round_not_submitted"
        )
    round_.results = []
    round_.gaps = 0
    round_.submitted_at = None
    MonitoringRound.STATUS_MACHINE.transition(
        round_,
        to=MonitoringRound.Status.DRAFT,
        by=user,
        reason=(reason or "").strip(),
        extra_updates=["results", "gaps", "submitted_at"],
    )
    return round_


# --- standards ----------------------------------------------------------------------------------
def standard_update(*, user: Any, standard: Standard, data: Mapping[str, Any]) -> Standard:
    """Change a standard's threshold, direction or whether it is used. Rounds already
    submitted keep the thresholds they were computed with."""
    if not has_permission(user, MANAGE_STANDARDS):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "threshold" in data:
        threshold = _dec(data["threshold"])
        if threshold is None:
            errors["threshold"] = [_("Enter a number.")]
        elif threshold < 0:
            errors["threshold"] = [_("Enter a number of 0 or more.")]
        elif threshold >= Decimal("100000000"):
            errors["threshold"] = [_("This number is too large.")]
        elif threshold != threshold.quantize(CENT):
            errors["threshold"] = [_("Use at most two decimals.")]
        else:
            changes["threshold"] = threshold.quantize(CENT)
    if "direction" in data:
        if data["direction"] not in Standard.Direction.values:
            errors["direction"] = [_("Choose “at most” or “at least”.")]
        else:
            changes["direction"] = data["direction"]
    if "active" in data:
        changes["active"] = bool(data["active"])
    for name, limit in (("name", 200), ("unit", 40), ("source", 120)):
        if name in data:
            text = str(data[name] or "").strip()
            if name != "source" and not text:
                errors[name] = [_("This field is required.")]
            elif len(text) > limit:
                errors[name] = [_("Use at most %(n)d characters.") % {"n": limit}]
            else:
                changes[name] = text
    if errors:
        raise ValidationFailed(code="standard_invalid", fields=errors)
    with transaction.atomic():
        for key, value in changes.items():
            setattr(standard, key, value)
        if changes:
            standard.save(update_fields=list(changes))
    return standard

"""Indicators defined as data, their values for a report's filters, and achieved against
the targets of donor projects.

    indicators_visible(user)                                  # scoped QuerySet[Indicator]
    indicator_value(indicator=i, filters=Filters(...), user=u)    # int | Decimal | None
    target_progress(user=u, project=p)                        # [TargetProgress, …]

An indicator counts either deliveries of the ledger — through the summary
(`selectors.figures.reach`), narrowed by the indicator's programme, kinds of assistance,
items and unit — or a programme module's figure (`sanad.reporting.metrics`). Targets are
`programmes.Target` rows whose `indicator` is an indicator's code: achieved is that
indicator evaluated on the target's project over the whole months of the target's period.

Scope: an indicator with a programme is visible within the programme reach of the
user's assignments for aggregate figures; one without is visible to anyone with
aggregate figures. Figures are counted within the user's reach (`reach(user=…)`).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission, scoped
from sanad.programmes.models import Programme, Project, Target
from sanad.reporting.common import month_end, month_start, months_between
from sanad.reporting.metrics import METRICS
from sanad.reporting.models import AGGREGATES, MANAGE_INDICATORS, Indicator, Measure
from sanad.reporting.selectors.figures import Figures, Filters, Summary, reach
from sanad.reporting.suppression import outside_mission, suppress

Number = int | Decimal
VIEW_PROGRAMME = "programmes.view_programme"
# Positions in a summary row (see selectors.figures._COLUMNS).
_PROGRAMME, _KIND, _ITEM, _UNIT = 1, 4, 5, 6
HUNDRED = Decimal("100")


# --- which indicators -------------------------------------------------------------------------
def indicators_visible(user: Any) -> QuerySet[Indicator]:
    """The indicators `user` may see: without a programme, to anyone with aggregate
    figures; with one, within the programmes their assignments reach."""
    if not has_permission(user, AGGREGATES):
        return Indicator.objects.none()
    in_scope = scoped(Indicator.objects.all(), user, AGGREGATES).values("pk")
    return Indicator.objects.filter(Q(programme__isnull=True) | Q(pk__in=in_scope)).select_related(
        "programme"
    )


def indicators_managed(user: Any) -> QuerySet[Indicator]:
    """The indicators `user` may change: those of the programmes their assignments to
    manage indicators reach; mission-wide ones (no programme) only for a role that covers
    every programme."""
    return scoped(Indicator.objects.select_related("programme"), user, MANAGE_INDICATORS)


def indicator_get(*, user: Any, public_id: Any, manage: bool = False) -> Indicator:
    qs = indicators_managed(user) if manage else indicators_visible(user)
    try:
        found = qs.filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise NotFound()
    return found


def indicator_name(indicator: Indicator, language: str | None = None) -> str:
    lang = (language or get_language() or "en").split("-")[0]
    if lang == "ar" and indicator.name_ar:
        return indicator.name_ar
    if lang == "ckb" and indicator.name_ckb:
        return indicator.name_ckb
    return indicator.name_en


def counts_people(indicator: Indicator) -> bool:
    """Whether the indicator's figure is a count of people or households (suppressed when
    small for anyone outside the mission)."""
    if indicator.measure in (Measure.PEOPLE, Measure.HOUSEHOLDS):
        return True
    metric = METRICS.get(indicator.metric) if indicator.measure == Measure.MODULE else None
    return bool(metric and metric.counts_people)


def unit_of(indicator: Indicator) -> str:
    """What the figure is counted in, for a person reading it."""
    measure = indicator.measure
    if measure == Measure.MODULE:
        metric = METRICS.get(indicator.metric)
        return str(metric.unit) if metric else ""
    if measure == Measure.QUANTITY:
        return indicator.unit or _("units")
    labels: dict[str, str] = {
        Measure.PEOPLE: _("people"),
        Measure.HOUSEHOLDS: _("households"),
        Measure.RECORDS: _("deliveries"),
        Measure.VALUE_USD: "USD",
        Measure.VALUE_IQD: "IQD",
    }
    return labels.get(measure, "")


def metric_label(indicator: Indicator) -> str:
    metric = METRICS.get(indicator.metric)
    return str(metric.label) if metric else indicator.metric


def metric_definition(indicator: Indicator) -> str:
    metric = METRICS.get(indicator.metric)
    return str(metric.definition) if metric else ""


# --- values -----------------------------------------------------------------------------------
def narrow_filters(filters: Filters, indicator: Indicator) -> Filters | None:
    """The report's filters narrowed to what the indicator counts, or None when the two
    select nothing in common (a report of NFI and an indicator of shelter)."""
    programme = filters.programme
    if indicator.programme is not None:
        code = indicator.programme.code
        if programme and programme != code:
            return None
        programme = code
    if indicator.measure == Measure.MODULE:
        return dataclasses.replace(filters, programme=programme)
    kinds = tuple(indicator.kinds or ())
    if filters.kinds:
        kinds = tuple(k for k in kinds if k in filters.kinds) if kinds else filters.kinds
        if not kinds:
            return None
    items = tuple(indicator.items or ())
    if filters.items:
        items = tuple(i for i in items if i in filters.items) if items else filters.items
        if not items:
            return None
    unit = filters.unit
    if indicator.unit:
        if unit is not None and unit != indicator.unit:
            return None
        unit = indicator.unit
    return dataclasses.replace(filters, programme=programme, kinds=kinds, items=items, unit=unit)


def _matches(row: tuple, indicator: Indicator) -> bool:
    if indicator.programme_id and row[_PROGRAMME] != indicator.programme_id:
        return False
    if indicator.kinds and row[_KIND] not in indicator.kinds:
        return False
    if indicator.items and row[_ITEM] not in indicator.items:
        return False
    return not (indicator.unit and row[_UNIT] != indicator.unit)


def narrow_summary(summary: Summary, indicator: Indicator) -> Summary:
    """The part of an already loaded summary that the indicator counts (no query)."""
    rows = [row for row in summary._rows if _matches(row, indicator)]
    return Summary(rows, summary.filters, summary.attributes)


def _zero(measure: str) -> Number:
    return (
        Decimal("0") if measure in (Measure.QUANTITY, Measure.VALUE_USD, Measure.VALUE_IQD) else 0
    )


def measure_of(figures: Figures, measure: str) -> Number:
    if measure in (Measure.QUANTITY, Measure.VALUE_USD, Measure.VALUE_IQD):
        return Decimal(getattr(figures, measure) or 0)
    return int(getattr(figures, measure) or 0)


def indicator_value(
    *,
    indicator: Indicator,
    filters: Filters,
    user: Any = None,
    summary: Summary | None = None,
) -> Number | None:
    """The indicator's figure for `filters` within `user`'s reach (None: everything).

    `summary`, when given, is `reach(user=user, filters=filters)` loaded once for several
    indicators: ledger measures are then narrowed from it without a query. None when the
    indicator shows a module figure that does not exist (any more)."""
    if indicator.measure == Measure.MODULE:
        metric = METRICS.get(indicator.metric)
        if metric is None:
            return None
        narrowed = narrow_filters(filters, indicator)
        if narrowed is None:
            return 0
        return metric.compute(narrowed, user)
    narrowed = narrow_filters(filters, indicator)
    if narrowed is None:
        return _zero(indicator.measure)
    if summary is not None:
        part = narrow_summary(summary, indicator)
    else:
        part = reach(user=user, filters=narrowed)
    return measure_of(part.total(), indicator.measure)


def value_for(indicator: Indicator, value: Number | None, user: Any) -> Number | None:
    """The figure as `user` may see it: small counts of people suppressed outside the
    mission (None then)."""
    if value is None or user is None or not outside_mission(user):
        return value
    if counts_people(indicator):
        return suppress(value)
    return value


@dataclass
class IndicatorRow:
    indicator: Indicator
    name: str
    value: Number | None  # as the user may see it
    suppressed: bool
    unit: str
    definition: str


def indicator_rows(
    *, user: Any, filters: Filters, indicators: list[Indicator] | None = None
) -> list[IndicatorRow]:
    """Each indicator's figure for `filters` (the active visible ones by default), the
    summary of the ledger loaded once for all of them."""
    if indicators is None:
        indicators = list(indicators_visible(user).filter(active=True))
    summary = None
    if any(i.measure != Measure.MODULE for i in indicators):
        summary = reach(user=user, filters=filters)
    rows = []
    for indicator in indicators:
        raw = indicator_value(indicator=indicator, filters=filters, user=user, summary=summary)
        shown = value_for(indicator, raw, user)
        rows.append(
            IndicatorRow(
                indicator=indicator,
                name=indicator_name(indicator),
                value=shown,
                suppressed=raw is not None and shown is None,
                unit=unit_of(indicator),
                definition=indicator.definition,
            )
        )
    return rows


def indicator_breakdown(
    *, indicator: Indicator, filters: Filters, user: Any
) -> dict[str, list[dict[str, Any]]]:
    """The indicator's figure by month and by governorate (as `user` may see them)."""
    from sanad.geo.models import AdminUnit
    from sanad.geo.selectors import governorates_within

    months: list[dict[str, Any]] = []
    governorates: list[dict[str, Any]] = []
    start = filters.start or month_start(datetime.date.today())
    end = filters.end or month_end(datetime.date.today())
    units = AdminUnit.objects.filter(level=1).order_by("name_en")
    if filters.governorate:
        units = units.filter(pcode=filters.governorate)
    reach_of = governorates_within(user, AGGREGATES) if user is not None else None
    if reach_of is not None:
        units = units.filter(pcode__in=sorted(reach_of))
    unit_list = list(units)
    if indicator.measure == Measure.MODULE:
        for month in months_between(start, end):
            f = dataclasses.replace(filters, start=month, end=month_end(month))
            months.append(
                {
                    "month": month,
                    "value": indicator_value(indicator=indicator, filters=f, user=user),
                }
            )
        for unit in unit_list:
            f = dataclasses.replace(filters, governorate=unit.pcode)
            value = indicator_value(indicator=indicator, filters=f, user=user)
            if value:
                governorates.append({"governorate": unit, "value": value})
    else:
        narrowed = narrow_filters(filters, indicator)
        by_month: dict[Any, Figures] = {}
        by_gov: dict[Any, Figures] = {}
        if narrowed is not None:
            summary = reach(user=user, filters=narrowed)
            by_month = summary.by("month")
            by_gov = summary.by("governorate")
        for month in months_between(start, end):
            figures = by_month.get(month)
            value = measure_of(figures, indicator.measure) if figures else _zero(indicator.measure)
            months.append({"month": month, "value": value})
        for unit in unit_list:
            figures = by_gov.get(unit.pk)
            if figures is not None:
                governorates.append(
                    {"governorate": unit, "value": measure_of(figures, indicator.measure)}
                )
    for row in months + governorates:
        shown = value_for(indicator, row["value"], user)
        row["suppressed"] = row["value"] is not None and shown is None
        row["value"] = shown
    return {"months": months, "governorates": governorates}


# --- achieved against targets -----------------------------------------------------------------
@dataclass
class TargetProgress:
    target: Target
    indicator: Indicator | None
    project: Project
    activity: Any
    period_start: datetime.date  # first day of the first month counted
    period_end: datetime.date  # last day of the last month counted
    target_value: Decimal
    achieved: Number | None
    percentage: Decimal | None
    unit: str
    label: str
    definition: str
    note: str = ""
    suppressed: bool = False


def targets_visible(user: Any) -> QuerySet[Target]:
    qs = Target.objects.select_related("activity__project__programme", "activity__project__donor")
    if user is None:
        return qs
    return scoped(scoped(qs, user, VIEW_PROGRAMME), user, AGGREGATES)


def percentage(achieved: Number | None, target: Decimal) -> Decimal | None:
    if achieved is None or not target:
        return None
    return (Decimal(achieved) * HUNDRED / Decimal(target)).quantize(Decimal("0.1"))


def target_progress(
    *,
    user: Any = None,
    project: Project | int | None = None,
    programme: Programme | str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    indicator: str | None = None,
) -> list[TargetProgress]:
    """Achieved against every target `user` may see (of `project`, of `programme`), each
    target's period clipped to `start`–`end` when given (targets outside it are left
    out). Achieved is the indicator with the target's code evaluated on the target's
    project over the whole months of the (clipped) period; None, with a note, when no
    indicator has that code. Small counts of people are suppressed for a user outside
    the mission."""
    targets = targets_visible(user)
    if project is not None:
        targets = targets.filter(activity__project=project)
    if programme is not None:
        code = programme.code if isinstance(programme, Programme) else str(programme)
        targets = targets.filter(activity__project__programme__code=code)
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    targets = targets.order_by(
        "activity__project__code", "activity__code", "indicator", "period_start", "pk"
    )
    found = list(targets)
    indicators = {
        i.code: i
        for i in Indicator.objects.select_related("programme").filter(
            code__in={t.indicator for t in found}
        )
    }
    summaries: dict[tuple[int, datetime.date, datetime.date], Summary] = {}
    out: list[TargetProgress] = []
    for target in found:
        first = max(target.period_start, start) if start else target.period_start
        last = min(target.period_end, end) if end else target.period_end
        first, last = month_start(first), month_end(last)
        if first > last:
            continue
        project_ = target.activity.project
        defined = indicators.get(target.indicator)
        achieved: Number | None = None
        note = ""
        suppressed = False
        if defined is None:
            note = _("No indicator defined with code %(code)s") % {"code": target.indicator}
            definition = note
        else:
            definition = defined.definition
            filters = Filters(start=first, end=last, project=project_.pk)
            summary = None
            if defined.measure != Measure.MODULE:
                key = (project_.pk, first, last)
                summary = summaries.get(key)
                if summary is None:
                    summary = summaries[key] = reach(user=user, filters=filters)
            raw = indicator_value(indicator=defined, filters=filters, user=user, summary=summary)
            achieved = value_for(defined, raw, user)
            suppressed = raw is not None and achieved is None
        out.append(
            TargetProgress(
                target=target,
                indicator=defined,
                project=project_,
                activity=target.activity,
                period_start=first,
                period_end=last,
                target_value=target.value,
                achieved=achieved,
                percentage=percentage(achieved, target.value),
                unit=target.unit,
                label=target.label,
                definition=definition,
                note=note,
                suppressed=suppressed,
            )
        )
    return out


def group_by_project(rows: list[TargetProgress]) -> list[tuple[Project, list[TargetProgress]]]:
    groups: dict[int, tuple[Project, list[TargetProgress]]] = {}
    for row in rows:
        groups.setdefault(row.project.pk, (row.project, []))[1].append(row)
    return list(groups.values())


def projects_for_reports(user: Any) -> QuerySet[Project]:
    """The donor projects `user` may choose in a report's filters."""
    qs = Project.objects.select_related("programme").order_by("programme__code", "code")
    return scoped(scoped(qs, user, VIEW_PROGRAMME), user, AGGREGATES)

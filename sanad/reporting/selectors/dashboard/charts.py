"""The dashboards' charts: figures grouped by programme, activity, item, month, sex and
age group, governorate or district, as Chart.js series with the same numbers as a table
(and a CSV file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from sanad.reporting.common import age_groups, months_between
from sanad.reporting.selectors.dashboard.labels import (
    count_text,
    group_labels,
    month_label,
    plain,
    usd_text,
)
from sanad.reporting.selectors.figures import Figures, Filters, Summary
from sanad.reporting.suppression import suppress_figures, threshold


@dataclass
class Column:
    key: str
    title: str
    kind: str = "count"  # count | usd | number


@dataclass
class Chart:
    key: str
    title: str
    type: str  # bar (vertical), hbar (horizontal), line
    columns: list[Column]
    series: list[str]  # the columns the chart draws
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    label_title: str = ""

    def table(self) -> list[dict[str, Any]]:
        """Rows for the page: label and the cells' texts."""
        out = []
        for row in self.rows:
            cells = [row["text"][c.key] for c in self.columns]
            out.append({"key": row["key"], "label": row["label"], "cells": cells})
        return out

    def chart_data(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "labels": [r["label"] for r in self.rows],
            "series": [
                {
                    "key": key,
                    "label": next(c.title for c in self.columns if c.key == key),
                    "data": [plain(r["value"][key]) for r in self.rows],
                    "format": next(c.kind for c in self.columns if c.key == key),
                }
                for key in self.series
            ],
        }


def _row(key: str, label: str, shown: dict[str, Any], raw: dict[str, Any], columns: list[Column]):
    value, text = {}, {}
    for c in columns:
        v = shown.get(c.key)
        value[c.key] = v
        if c.kind == "usd":
            text[c.key] = usd_text(v)
        elif c.kind == "number":
            text[c.key] = intcomma(v) if v is not None else "—"
        else:
            text[c.key] = count_text(v, raw.get(c.key))
    return {"key": key, "label": label, "value": value, "text": text}


PEOPLE = "people"


def _columns() -> dict[str, Column]:
    return {
        "people": Column("people", _("Unique people")),
        "households": Column("households", _("Households")),
        "records": Column("records", _("Deliveries"), "number"),
        "value_usd": Column("value_usd", _("Value (USD)"), "usd"),
        "female": Column("female", _("Women and girls")),
        "male": Column("male", _("Men and boys")),
    }


def _group_chart(
    summary_groups: dict[Any, Figures],
    dimension: str,
    *,
    key: str,
    title: str,
    label_title: str,
    outside: bool,
    note: str = "",
    chart_type: str = "hbar",
    columns: tuple[str, ...] = ("people", "households", "records", "value_usd"),
    labels: dict[Any, tuple[str, str]] | None = None,
) -> Chart:
    cols = [_columns()[c] for c in columns]
    labels = labels if labels is not None else group_labels(dimension, summary_groups)
    rows = []
    for k, fig in summary_groups.items():
        public, label = labels[k]
        raw = fig.as_dict()
        shown = suppress_figures(raw) if outside else raw
        rows.append((fig.people, label, _row(public, label, shown, raw, cols)))
    if outside:
        rows.sort(key=lambda r: r[1])
    else:
        rows.sort(key=lambda r: (-r[0], r[1]))
    return Chart(
        key=key,
        title=title,
        type=chart_type,
        columns=cols,
        series=["people"],
        rows=[r[2] for r in rows],
        note=note,
        label_title=label_title,
    )


def _month_charts(summary: Summary, filters: Filters, outside: bool) -> list[Chart]:
    by_month = summary.by("month")
    months = months_between(filters.start, filters.end) if filters.start and filters.end else []
    months = sorted(set(months) | set(by_month))
    cols = _columns()
    people_cols = [cols["people"], cols["households"], cols["records"]]
    value_cols = [cols["value_usd"], cols["records"]]
    people_rows, value_rows = [], []
    for m in months:
        fig = by_month.get(m) or Figures(ages_on=summary.ages_on)
        raw = fig.as_dict()
        shown = suppress_figures(raw) if outside else raw
        people_rows.append(_row(f"{m:%Y-%m}", month_label(m), shown, raw, people_cols))
        value_rows.append(_row(f"{m:%Y-%m}", month_label(m), shown, raw, value_cols))
    return [
        Chart(
            key="month",
            title=_("Unique people reached each month"),
            type="line",
            columns=people_cols,
            series=["people"],
            rows=people_rows,
            note=_(
                "Each month's own unique count: a person reached in two months counts in "
                "both, so the months add up to more than the total."
            ),
            label_title=_("Month"),
        ),
        Chart(
            key="value_month",
            title=_("Value delivered each month (USD)"),
            type="bar",
            columns=value_cols,
            series=["value_usd"],
            rows=value_rows,
            note=_(
                "Cash, vouchers, grants and in-kind assistance with a recorded value, "
                "converted at the rate recorded with each delivery."
            ),
            label_title=_("Month"),
        ),
    ]


def _sex_age_chart(total: Figures, outside: bool) -> Chart:
    raw = total.as_dict()
    shown = suppress_figures(raw) if outside else raw
    cols = [
        Column("female", _("Women and girls")),
        Column("male", _("Men and boys")),
        Column("female_disability", _("Women and girls with a disability")),
        Column("male_disability", _("Men and boys with a disability")),
    ]
    rows = []
    for label, _low, _high in age_groups():
        raw_row = {
            "female": raw["by_sex_and_age"].get("female", {}).get(label, 0),
            "male": raw["by_sex_and_age"].get("male", {}).get(label, 0),
            "female_disability": raw["disability_by_sex_and_age"].get("female", {}).get(label, 0),
            "male_disability": raw["disability_by_sex_and_age"].get("male", {}).get(label, 0),
        }
        shown_row = {
            "female": shown["by_sex_and_age"].get("female", {}).get(label, 0),
            "male": shown["by_sex_and_age"].get("male", {}).get(label, 0),
            "female_disability": shown["disability_by_sex_and_age"].get("female", {}).get(label, 0),
            "male_disability": shown["disability_by_sex_and_age"].get("male", {}).get(label, 0),
        }
        rows.append(_row(label, label, shown_row, raw_row, cols))
    return Chart(
        key="sex_age",
        title=_("People reached by sex and age group"),
        type="bar",
        columns=cols,
        series=["female", "male"],
        rows=rows,
        note=_("Ages on the last day of the period."),
        label_title=_("Age group"),
    )


def dashboard_charts(
    summary: Summary, filters: Filters, total: Figures, *, outside: bool, programme: str | None
) -> list[Chart]:
    charts: list[Chart] = []
    if programme is None:
        charts.append(
            _group_chart(
                summary.by("programme"),
                "programme",
                key="programme",
                title=_("Unique people by programme"),
                label_title=_("Programme"),
                outside=outside,
                note=_(
                    "A person reached by two programmes counts once in the total and once "
                    "in each programme, so the programmes add up to more than the total."
                ),
            )
        )
    else:
        activities = summary.by("activity")
        charts.append(
            _group_chart(
                activities,
                "activity",
                key="activity",
                title=_("Unique people by activity"),
                label_title=_("Activity"),
                outside=outside,
                note=_("A person reached by two activities counts once in each."),
            )
        )
        items = summary.by("item")
        charts.append(
            _group_chart(
                items,
                "item",
                key="item",
                title=_("Unique people by item or service"),
                label_title=_("Item or service"),
                outside=outside,
                note=_("A person who received two items counts once in each."),
            )
        )
    charts.extend(_month_charts(summary, filters, outside))
    charts.append(_sex_age_chart(total, outside))
    if filters.governorate or filters.district:
        charts.append(
            _group_chart(
                summary.by("district"),
                "district",
                key="district",
                title=_("Unique people by district"),
                label_title=_("District"),
                outside=outside,
            )
        )
    else:
        charts.append(
            _group_chart(
                summary.by("governorate"),
                "governorate",
                key="governorate",
                title=_("Unique people by governorate"),
                label_title=_("Governorate"),
                outside=outside,
            )
        )
    order = ["programme", "activity", "item", "month", "sex_age", "governorate", "district"]
    order.append("value_month")
    charts.sort(key=lambda c: order.index(c.key))
    return charts


def chart_config() -> dict[str, Any]:
    return {
        "colours": {
            "people": "#0b5394",
            "households": "#6fa8dc",
            "female": "#b03a73",
            "male": "#1f78b4",
            "value_usd": "#2e7d32",
        },
        "suppressed": _("Counts below %(n)s are not shown") % {"n": threshold()},
    }

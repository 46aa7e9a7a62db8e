"""The dashboards' tables: the headline cards, the sex × age group × disability table,
and the rows of a chart's CSV file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from sanad.reporting.common import age_groups
from sanad.reporting.selectors.dashboard.charts import Chart, Column
from sanad.reporting.selectors.dashboard.labels import COUNTS, count_text, usd_text
from sanad.reporting.selectors.figures import Figures
from sanad.reporting.suppression import is_small, suppress_figures


def disaggregation(total: Figures, outside: bool) -> dict[str, Any]:
    """The sex × age group × disability table of the headline figures."""
    raw = total.as_dict()
    shown = suppress_figures(raw) if outside else raw
    labels = [label for label, _l, _h in age_groups()]

    def cells(source: dict[str, Any], key: str, sex: str | None) -> list[Any]:
        if sex:
            return [source[key].get(sex, {}).get(label) for label in labels]
        return [source["by_age"].get(label) for label in labels]

    def line(title: str, key: str, sex: str | None, total_key: str, strong: bool = False):
        s_cells, r_cells = cells(shown, key, sex), cells(raw, key, sex)
        texts = [count_text(s, r) for s, r in zip(s_cells, r_cells, strict=True)]
        if total_key.startswith("disability:"):
            sx = total_key.split(":", 1)[1]
            s_total = shown["with_disability_by_sex"].get(sx)
            r_total = raw["with_disability_by_sex"].get(sx)
        else:
            s_total, r_total = shown.get(total_key), raw.get(total_key)
        return {
            "title": title,
            "cells": texts,
            "total": count_text(s_total, r_total),
            "strong": strong,
            "sub": key == "disability_by_sex_and_age",
        }

    disability_by_age_raw = [
        sum(raw["disability_by_sex_and_age"].get(sx, {}).get(label, 0) for sx in ("female", "male"))
        for label in labels
    ]
    rows = [
        line(_("Women and girls"), "by_sex_and_age", "female", "female"),
        line(_("with a disability"), "disability_by_sex_and_age", "female", "disability:female"),
        line(_("Men and boys"), "by_sex_and_age", "male", "male"),
        line(_("with a disability"), "disability_by_sex_and_age", "male", "disability:male"),
    ]
    total_row = line(_("Total"), "by_age", None, "people", strong=True)
    disability_row = {
        "title": _("Total with a disability"),
        "cells": [
            count_text(n if not outside or not is_small(n) else None, n)
            for n in disability_by_age_raw
        ],
        "total": count_text(shown.get("with_disability"), raw.get("with_disability")),
        "strong": True,
        "sub": False,
    }
    unknown = max(0, raw["people"] - raw["female"] - raw["male"])
    return {
        "labels": labels,
        "rows": rows,
        "footer": [total_row, disability_row],
        "unknown_sex": unknown,
        "unknown_sex_text": count_text(
            unknown if not outside or not is_small(unknown) else None, unknown
        ),
        "ages_on": total.ages_on,
    }


def headline_cards(total: Figures, outside: bool) -> list[dict[str, Any]]:
    raw = total.as_dict()
    shown = suppress_figures(raw) if outside else raw
    t = {k: count_text(shown.get(k), raw.get(k)) for k in COUNTS}
    return [
        {
            "key": "people",
            "title": _("Unique people reached"),
            "value": t["people"],
            "icon": "people-fill",
            "main": True,
            "hint": _(
                "Each person counted once however many programmes, places and months "
                "reached them; merged duplicates once."
            ),
        },
        {
            "key": "households",
            "title": _("Households reached"),
            "value": t["households"],
            "icon": "house-door",
            "hint": _("Each household counted once, as the record kept after merges."),
        },
        {
            "key": "sex",
            "title": _("People by sex"),
            "value": f"{t['female']} · {t['male']}",
            "parts": [(_("Women and girls"), t["female"]), (_("Men and boys"), t["male"])],
            "icon": "gender-ambiguous",
            "hint": _("As recorded in the registry."),
        },
        {
            "key": "with_disability",
            "title": _("People with a disability"),
            "value": t["with_disability"],
            "icon": "universal-access",
            "hint": _("By the Washington Group questions recorded in the registry."),
        },
        {
            "key": "children",
            "title": _("Children (under 18)"),
            "value": t["children"],
            "icon": "balloon",
            "hint": _("Ages on the last day of the period."),
        },
        {
            "key": "deliveries",
            "title": _("Deliveries"),
            "value": intcomma(total.records),
            "icon": "box-seam",
            "hint": _("Kits, items, cash, services and trainings recorded in the ledger."),
        },
        {
            "key": "value_usd",
            "title": _("Value delivered (USD)"),
            "value": usd_text(total.value_usd),
            "icon": "cash-coin",
            "hint": _("Converted at the rate recorded with each delivery."),
        },
    ]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell that a spreadsheet will not run as a formula: text starting with = + - @
    (or a tab or carriage return) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_value(column: Column, row: dict[str, Any]) -> Any:
    value = row["value"][column.key]
    if value is None:
        return row["text"][column.key]  # "<5" or "–": suppressed
    if column.kind == "usd":
        return f"{Decimal(value):.2f}"
    return value


def csv_rows(chart: Chart) -> list[list[Any]]:
    """A chart's CSV file: a header, then one row per row of the chart, every cell safe
    from spreadsheets' formulas."""
    rows: list[list[Any]] = [
        [
            csv_cell(str(h))
            for h in (_("Code"), chart.label_title, *(c.title for c in chart.columns))
        ]
    ]
    for row in chart.rows:
        rows.append(
            [
                csv_cell(row["key"]),
                csv_cell(row["label"]),
                *(csv_cell(_csv_value(c, row)) for c in chart.columns),
            ]
        )
    return rows

"""The donor report of a project: what it reached over a period, counted once, as a
dict (`donor_report_data`, which the preview page shows) and as an XLSX or PDF file
(`donor_report_build`, which the job "reporting.donor_report" and scheduled exports
call). The page, the workbook and the PDF render the same dict: they cannot disagree.

People are counted by `selectors.figures.reach` (one person once, whichever months,
places and deliveries reached them). A report shared outside the mission, or made by
or for a donor viewer, has small counts of people suppressed (`suppression.py`), with
complementary suppression so that a hidden count cannot be worked out by subtracting
the shown ones from a shown total.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.core.scoping import grants_for, scoped
from sanad.programmes.models import Project
from sanad.reporting.common import age_groups, month_end, month_start, months_between
from sanad.reporting.models import AGGREGATES
from sanad.reporting.selectors.figures import Figures, Filters, freshness, reach
from sanad.reporting.suppression import is_small, outside_mission, threshold

FORMATS = ("xlsx", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Progress = Callable[..., None]


# --- which projects ---------------------------------------------------------------------
def projects_for(user: Any) -> QuerySet[Project]:
    """The projects `user` may report on: those of the programmes their aggregate-figures
    roles reach; a donor viewer (outside the mission) only those their organisation
    funds."""
    qs = scoped(Project.objects.select_related("programme", "donor"), user, AGGREGATES)
    if outside_mission(user):
        organisation = getattr(user, "organisation_id", None)
        qs = qs.filter(donor_id=organisation) if organisation else qs.none()
    return qs.order_by("-start_date", "code")


def default_period_for(project: Project) -> tuple[datetime.date, datetime.date]:
    """From the project's first month to its last, or to the current month if it runs on."""
    start = month_start(project.start_date)
    end = month_end(min(project.end_date, timezone.localdate()))
    return start, max(end, month_end(start))


def must_suppress(user: Any, shared: bool) -> bool:
    return bool(shared) or (user is not None and outside_mission(user))


# --- suppression -------------------------------------------------------------------------
def protect(values: dict[Any, int], lines: Iterable[tuple[list[Any], Any]]) -> set[Any]:
    """The positions of `values` to hide: small counts, then, in each line (parts that add
    up to a total), one more count wherever exactly one of the line's counts above zero is
    hidden, since it could be worked out from the others: the smallest shown part, or the
    total if no part is left. Repeated until nothing changes (a count hidden for one line
    may open another)."""
    lines = list(lines)
    hidden = {p for p, v in values.items() if is_small(v)}
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            members = [*parts, total]
            alone = [p for p in members if p in hidden and values.get(p, 0) > 0]
            if len(alone) != 1:
                continue
            others = [p for p in parts if p not in hidden and values.get(p, 0) > 0]
            if others:
                hidden.add(min(others, key=lambda p: values[p]))
            elif total not in hidden:
                hidden.add(total)
            else:
                continue  # the total alone is hidden and every part is zero: nothing to give
            changed = True
    return hidden


def _apply(values: dict[Any, int], hidden: set[Any], on: bool) -> dict[Any, int | None]:
    return {p: (None if on and p in hidden else v) for p, v in values.items()}


def _sex_age_table(fig: Figures, *, disability: bool, suppress: bool) -> dict[str, Any]:
    """Rows female, male (and sex not recorded), columns the age groups (and age not
    recorded), with the totals of rows and columns; small counts hidden if `suppress`."""
    labels = [g[0] for g in age_groups()]
    by = fig.disability_by_sex_and_age if disability else fig.by_sex_and_age
    by_sex = fig.with_disability_by_sex if disability else {"female": fig.female, "male": fig.male}
    grand = fig.with_disability if disability else fig.people
    rows = ["female", "male"]
    if not disability and grand - fig.female - fig.male > 0:
        rows.append("unknown")
    values: dict[Any, int] = {}
    for sex in rows:
        total = grand - fig.female - fig.male if sex == "unknown" else int(by_sex.get(sex, 0))
        cells = {} if sex == "unknown" else by.get(sex, {})
        for label in labels:
            values[(sex, label)] = int(cells.get(label, 0))
        values[(sex, "unknown")] = total - sum(values[(sex, label)] for label in labels)
        values[(sex, "total")] = total
    columns = [*labels, "unknown"]
    for column in columns:
        values[("total", column)] = sum(values[(sex, column)] for sex in rows)
    values[("total", "total")] = grand
    lines = [([(sex, c) for c in columns], (sex, "total")) for sex in [*rows, "total"]]
    lines += [([(sex, c) for sex in rows], ("total", c)) for c in [*columns, "total"]]
    shown = _apply(values, protect(values, lines), suppress)
    if not values[("total", "unknown")]:
        columns = labels
    names = {"female": _("Female"), "male": _("Male"), "unknown": _("Sex not recorded")}
    out_rows = [
        {
            "key": sex,
            "label": names[sex] if sex != "total" else _("Total"),
            "cells": [shown[(sex, c)] for c in columns],
            "total": shown[(sex, "total")],
        }
        for sex in [*rows, "total"]
    ]
    headers = [g if g != "unknown" else _("Age not recorded") for g in columns]
    return {"columns": headers, "rows": out_rows, "values": values}


def _protected_counts(
    figures: dict[Any, Figures], lines: list[tuple[list[Any], Any]], *, suppress: bool
) -> dict[Any, dict[str, int | None]]:
    """People and households of each group in `figures`, hidden where small and where
    the `lines` (groups that read as parts of another group) would give a hidden one
    away. Groups may overlap (a person reached in two districts), so treating them as
    adding up errs on the safe side."""
    out: dict[Any, dict[str, int | None]] = {k: {} for k in figures}
    for measure in ("people", "households"):
        values = {k: int(getattr(f, measure)) for k, f in figures.items()}
        shown = _apply(values, protect(values, lines), suppress)
        for k in figures:
            out[k][measure] = shown[k]
    return out


# --- the data --------------------------------------------------------------------------
def _name(obj: Any) -> str:
    if obj is None:
        return ""
    lang = (translation.get_language() or "en").split("-")[0]
    for attr in (f"name_{lang}", "name"):
        value = getattr(obj, attr, "")
        if value:
            return str(value)
    return str(obj)


def _item_names(codes: Iterable[str]) -> dict[str, str]:
    """Names of the kits and stock items the ledger's item codes refer to, where known."""
    from sanad.stock.models import Item, Kit

    codes = sorted(set(codes))
    names = {i.code: i.name for i in Item.objects.filter(code__in=codes)}
    names.update({k.code: k.name for k in Kit.objects.filter(code__in=codes)})
    return names


def _indicators(user: Any, project: Project, start: Any, end: Any, suppress: bool) -> Any:
    try:
        from sanad.reporting.selectors.indicators import target_progress
    except ImportError:
        return {"available": False, "rows": []}
    rows = []
    for r in target_progress(user=user, project=project, start=start, end=end):
        measure = getattr(getattr(r, "indicator", None), "measure", "")
        achieved, percentage = r.achieved, r.percentage
        if suppress and measure in ("people", "households") and is_small(achieved):
            achieved = percentage = None
        rows.append(
            {
                "label": str(r.label or "") or _name(getattr(r, "indicator", None)),
                "activity": str(r.activity) if getattr(r, "activity", None) else "",
                "period_start": r.period_start,
                "period_end": r.period_end,
                "target": r.target_value,
                "achieved": achieved,
                "percentage": percentage,
                "unit": str(r.unit or ""),
                "definition": str(r.definition or ""),
                "note": str(getattr(r, "note", "") or ""),
            }
        )
    return {"available": True, "rows": rows}


def _methodology(suppress: bool, ages_on: datetime.date) -> list[str]:
    notes = [
        _(
            "People reached: different people who received at least one delivery of the "
            "project in the period, from the assistance ledger. A person reached several times, "
            "by several activities or in several places counts once; records confirmed to be "
            "the same person (merged duplicates) count once."
        ),
        _(
            "Households reached: different households that received a delivery, or one of "
            "whose members did."
        ),
        _(
            "Sex, age and disability are those recorded in the registry; ages are taken on "
            "%(day)s (the last day of the period). Disability follows the Washington Group "
            "questions as recorded."
        )
        % {"day": ages_on.isoformat()},
        _(
            "By month: the people reached in each month. A person reached in two months "
            "counts in both months but once in the period's total, so the months do not add "
            "up to the total. The same holds for governorates and districts."
        ),
        _(
            "Deliveries: the number of ledger records, their quantity in the unit recorded, "
            "and their value in US dollars and Iraqi dinars, each record converted at the "
            "exchange rate it recorded."
        ),
        _(
            "Indicators: achieved against each target of the project, counted as the "
            "indicator's definition says."
        ),
    ]
    if suppress:
        notes.append(
            _(
                "Small counts suppressed: this report is shared outside the mission, so "
                "counts of people or households from 1 to %(limit)s are not shown (an empty "
                "cell or “–”), and so is one more count wherever a hidden one could be worked "
                "out from a total. Zero is shown. Deliveries, quantities and values are not "
                "counts of people and are always shown."
            )
            % {"limit": threshold() - 1}
        )
    return notes


def donor_report_data(
    *,
    project: Project,
    start: datetime.date,
    end: datetime.date,
    user: Any = None,
    shared: bool = True,
) -> dict[str, Any]:
    """The report of `project` over the whole months from `start` to `end`, within
    `user`'s scope (everything without a user); suppressed if `shared` or if the user is
    outside the mission."""
    from sanad.assistance.models import AssistanceKind
    from sanad.geo.models import AdminUnit
    from sanad.programmes.models import Activity

    start, end = month_start(start), month_end(end)
    if end < start:
        raise ValidationFailed(
            _("The period ends before it starts: put the earlier month first."),
            fields={"to": [_("The period ends before it starts: put the earlier month first.")]},
        )
    suppress = must_suppress(user, shared)
    project = Project.objects.select_related("programme", "donor").get(pk=project.pk)
    summary = reach(user=user, filters=Filters(start=start, end=end, project=project.pk))
    total = summary.total()
    people = _sex_age_table(total, disability=False, suppress=suppress)
    disability = _sex_age_table(total, disability=True, suppress=suppress)
    hidden_people = {
        "people": people["rows"][-1]["total"],
        "female": next(r["total"] for r in people["rows"] if r["key"] == "female"),
        "male": next(r["total"] for r in people["rows"] if r["key"] == "male"),
        "with_disability": disability["rows"][-1]["total"],
    }
    households = total.households
    headline = {
        **hidden_people,
        "households": None if suppress and is_small(households) else households,
        "records": total.records,
        "quantity": total.quantity,
        "value_usd": total.value_usd,
        "value_iqd": total.value_iqd,
    }

    # places and months, protected together with the total they read as parts of
    by_gov = summary.by("governorate")
    by_gov_district = summary.by("governorate", "district")
    units = {
        u.pk: u
        for u in AdminUnit.objects.filter(
            pk__in={k for pair in by_gov_district for k in pair if k is not None}
        )
    }

    def pcode(pk: Any) -> str:
        return units[pk].pcode if pk in units else ""

    gov_keys = sorted(by_gov, key=pcode)
    districts_of = {
        g: sorted([d for (gg, d) in by_gov_district if gg == g], key=pcode) for g in gov_keys
    }
    month_keys = months_between(start, end)
    by_month = summary.by("month")
    groups: dict[Any, Figures] = {"total": total}
    groups.update({("gov", g): by_gov[g] for g in gov_keys})
    groups.update({("district", g, d): by_gov_district[(g, d)] for (g, d) in by_gov_district})
    groups.update({("month", m): by_month.get(m, Figures()) for m in month_keys})
    lines: list[tuple[list[Any], Any]] = [([("gov", g) for g in gov_keys], "total")]
    lines += [([("district", g, d) for d in districts_of[g]], ("gov", g)) for g in gov_keys]
    lines.append(([("month", m) for m in month_keys], "total"))
    shown = _protected_counts(groups, lines, suppress=suppress)
    governorates = [
        {
            "pcode": pcode(g),
            "name": _name(units.get(g)),
            **shown[("gov", g)],
            "records": by_gov[g].records,
        }
        for g in gov_keys
    ]
    districts = [
        {
            "governorate": _name(units.get(g)),
            "pcode": pcode(d),
            "name": _name(units[d]) if d in units else _("District not recorded"),
            **shown[("district", g, d)],
            "records": by_gov_district[(g, d)].records,
        }
        for g in gov_keys
        for d in districts_of[g]
    ]
    months = [
        {
            "month": m,
            "label": f"{m:%Y-%m}",
            **shown[("month", m)],
            "records": groups[("month", m)].records,
        }
        for m in month_keys
    ]

    # deliveries by activity and item
    grouped = summary.by("activity", "kind", "item", "unit")
    activities = {a.pk: a for a in Activity.objects.filter(pk__in={k[0] for k in grouped if k[0]})}
    item_names = _item_names(k[2] for k in grouped)
    kinds = dict(AssistanceKind.choices)
    deliveries = []
    for key in sorted(
        grouped,
        key=lambda k: (
            activities[k[0]].code if k[0] in activities else "~",
            k[1],
            k[2],
            k[3],
        ),
    ):
        activity_pk, kind, item, unit = key
        fig = grouped[key]
        activity = activities.get(activity_pk)
        deliveries.append(
            {
                "activity_code": activity.code if activity else "",
                "activity": activity.name if activity else _("No activity recorded"),
                "kind": str(kinds.get(kind, kind)),
                "item": item,
                "item_name": str(item_names.get(item, "")),
                "unit": unit,
                "records": fig.records,
                "quantity": fig.quantity if unit else None,
                "value_usd": fig.value_usd,
                "value_iqd": fig.value_iqd,
            }
        )

    fresh = freshness()
    whole_scope = user is None or any(g.all_governorates for g in grants_for(user, AGGREGATES))
    return {
        "title": _("Donor report"),
        "project": {
            "public_id": str(project.public_id),
            "code": project.code,
            "title": project.title,
            "donor": _name(project.donor),
            "programme": _name(project.programme),
            "programme_code": project.programme.code,
            "organisation": str(getattr(settings, "SANAD_REPORTING_ORGANISATION", "")),
            "start_date": project.start_date,
            "end_date": project.end_date,
            "status": project.get_status_display(),
            "budget": project.budget,
            "currency": project.currency,
            "governorates": [
                _name(u) for u in project.governorates.order_by("pcode")
            ],  # the project's own, not where it reached
        },
        "period": {"start": start, "end": end, "label": f"{start:%Y-%m} – {end:%Y-%m}"},
        "freshness": fresh,
        "shared": bool(shared),
        "suppressed": suppress,
        "min_cell": threshold(),
        "whole_scope": whole_scope,
        "ages_on": total.ages_on or end,
        "headline": headline,
        "people": {k: people[k] for k in ("columns", "rows")},
        "disability": {k: disability[k] for k in ("columns", "rows")},
        "governorates": governorates,
        "districts": districts,
        "months": months,
        "months_total": {
            "people": headline["people"],
            "households": headline["households"],
            "records": total.records,
        },
        "deliveries": deliveries,
        "indicators": _indicators(user, project, start, end, suppress),
        "notes": _methodology(suppress, total.ages_on or end),
        "generated_at": timezone.now(),
        "generated_by": str(user) if user is not None else _("Sanad (scheduled export)"),
    }


# --- files -----------------------------------------------------------------------------
def filename(data: dict[str, Any], fmt: str) -> str:
    code = slugify(data["project"]["code"]) or "project"
    start, end = data["period"]["start"], data["period"]["end"]
    return f"donor-report-{code}-{start:%Y-%m}-{end:%Y-%m}.{fmt}"


def donor_report_build(
    *,
    project: Project,
    start: datetime.date,
    end: datetime.date,
    format: str,  # the job's parameter name
    user: Any = None,
    shared: bool = True,
    progress: Progress | None = None,
) -> tuple[str, bytes]:
    """The report as a file: (file name, content)."""
    if format not in FORMATS:
        raise ValidationFailed(
            _("Choose XLSX or PDF."), fields={"format": [_("Choose XLSX or PDF.")]}
        )

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 4, message)

    step(0, _("Counting people and deliveries"))
    data = donor_report_data(project=project, start=start, end=end, user=user, shared=shared)
    step(2, _("Writing the report"))
    content = write_xlsx(data) if format == "xlsx" else write_pdf(data)
    step(4, _("Finished"))
    return filename(data, format), content


# --- XLSX --------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell: numbers as numbers, text that a spreadsheet could
    take for a formula prefixed with an apostrophe."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if value is not None and not isinstance(value, int | float | datetime.date):
        value = str(value)
        return "'" + value if value.startswith(_FORMULA_START) else value
    return value


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(text))[:31]


def write_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    rtl = bool(translation.get_language_bidi())
    book = Workbook()
    book.remove(book.active)
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    border = Border(bottom=Side(style="thin", color="8EA9C8"))
    COUNT, MONEY, QTY = "#,##0", "#,##0.00", "#,##0.##"

    def sheet(title: str) -> Any:
        ws = book.create_sheet(_sheet_title(title))
        ws.sheet_view.rightToLeft = rtl
        return ws

    def header(ws: Any, labels: list[str], *, freeze: bool = True) -> None:
        ws.append([safe_cell(x) for x in labels])
        row = ws.max_row
        for cell in ws[row]:
            cell.font, cell.fill, cell.border = head_font, head_fill, border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if freeze:
            ws.freeze_panes = ws.cell(row=row + 1, column=2)

    def rows(ws: Any, values: list[list[Any]], formats: list[str | None]) -> None:
        for values_row in values:
            ws.append([safe_cell(v) for v in values_row])
            for cell, fmt in zip(ws[ws.max_row], formats, strict=False):
                if fmt:
                    cell.number_format = fmt

    def widths(ws: Any, sizes: list[int]) -> None:
        for i, size in enumerate(sizes, 1):
            ws.column_dimensions[get_column_letter(i)].width = size

    p, h = data["project"], data["headline"]
    ws = sheet(_("Summary"))
    ws.append([safe_cell(f"{data['title']}: {p['code']} — {p['title']}")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    facts: list[tuple[str, Any, str | None]] = [
        (_("Project code"), p["code"], None),
        (_("Title"), p["title"], None),
        (_("Donor"), p["donor"], None),
        (_("Programme"), p["programme"], None),
        (_("Implementing organisation"), p["organisation"], None),
        (_("Project dates"), f"{p['start_date']:%Y-%m-%d} – {p['end_date']:%Y-%m-%d}", None),
        (_("Period reported"), data["period"]["label"], None),
        (_("Budget (%(currency)s)") % {"currency": p["currency"]}, p["budget"], MONEY),
        (_("Governorates"), ", ".join(p["governorates"]), None),
        (_("Data as of"), _as_of(data), None),
        (_("Deliveries recorded but not yet counted"), data["freshness"]["pending"], COUNT),
        (_("Small counts suppressed"), _("Yes") if data["suppressed"] else _("No"), None),
        (_("Generated at"), f"{timezone.localtime(data['generated_at']):%Y-%m-%d %H:%M}", None),
        (_("Generated by"), data["generated_by"], None),
    ]
    for label, value, fmt in facts:
        rows(ws, [[label, value]], [None, fmt])
        ws.cell(row=ws.max_row, column=1).font = head_font
    ws.append([])
    header(ws, [_("Figure"), _("Value")], freeze=False)
    rows(
        ws,
        [
            [_("People reached (unique)"), h["people"]],
            [_("Households reached"), h["households"]],
            [_("Female"), h["female"]],
            [_("Male"), h["male"]],
            [_("People with a disability"), h["with_disability"]],
            [_("Deliveries (ledger records)"), h["records"]],
            [_("Value (USD)"), h["value_usd"]],
            [_("Value (IQD)"), h["value_iqd"]],
        ],
        [None, COUNT],
    )
    for r in range(ws.max_row - 1, ws.max_row + 1):
        ws.cell(row=r, column=2).number_format = MONEY
    if not data["whole_scope"]:
        ws.append([])
        ws.append([safe_cell(_scope_note())])
    widths(ws, [42, 60])

    def sex_age_sheet(ws: Any, table: dict[str, Any], title: str) -> None:
        ws.append([safe_cell(title)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        header(ws, [_("Sex"), *table["columns"], _("Total")], freeze=False)
        rows(
            ws,
            [[r["label"], *r["cells"], r["total"]] for r in table["rows"]],
            [None, *[COUNT] * (len(table["columns"]) + 1)],
        )
        for cell in ws[ws.max_row]:
            cell.font = head_font

    ws = sheet(_("People"))
    sex_age_sheet(
        ws,
        data["people"],
        _("People reached by sex and age group (ages on %(day)s)")
        % {"day": data["ages_on"].isoformat()},
    )
    ws.freeze_panes = "B3"
    ws.append([])
    sex_age_sheet(ws, data["disability"], _("Of whom people with a disability"))
    widths(ws, [22, *[12] * (len(data["people"]["columns"]) + 1)])

    ws = sheet(_("Places"))
    header(ws, [_("Governorate"), _("P-code"), _("People"), _("Households"), _("Deliveries")])
    rows(
        ws,
        [
            [g["name"], g["pcode"], g["people"], g["households"], g["records"]]
            for g in data["governorates"]
        ],
        [None, None, COUNT, COUNT, COUNT],
    )
    ws.append([])
    header(
        ws,
        [
            _("District"),
            _("P-code"),
            _("People"),
            _("Households"),
            _("Deliveries"),
            _("Governorate"),
        ],
        freeze=False,
    )
    rows(
        ws,
        [
            [d["name"], d["pcode"], d["people"], d["households"], d["records"], d["governorate"]]
            for d in data["districts"]
        ],
        [None, None, COUNT, COUNT, COUNT, None],
    )
    widths(ws, [28, 14, 12, 12, 12, 22])

    ws = sheet(_("Months"))
    header(ws, [_("Month"), _("People"), _("Households"), _("Deliveries")])
    rows(
        ws,
        [[m["label"], m["people"], m["households"], m["records"]] for m in data["months"]],
        [None, COUNT, COUNT, COUNT],
    )
    t = data["months_total"]
    rows(
        ws,
        [[_("Period (unique)"), t["people"], t["households"], t["records"]]],
        [None, COUNT, COUNT, COUNT],
    )
    for cell in ws[ws.max_row]:
        cell.font = head_font
    ws.append([])
    ws.append([safe_cell(_months_note())])
    widths(ws, [20, 12, 12, 12])

    ws = sheet(_("Deliveries"))
    header(
        ws,
        [
            _("Activity code"),
            _("Activity"),
            _("Kind"),
            _("Item"),
            _("Item name"),
            _("Deliveries"),
            _("Quantity"),
            _("Unit"),
            _("Value (USD)"),
            _("Value (IQD)"),
        ],
    )
    rows(
        ws,
        [
            [
                d["activity_code"],
                d["activity"],
                d["kind"],
                d["item"],
                d["item_name"],
                d["records"],
                d["quantity"],
                d["unit"],
                d["value_usd"],
                d["value_iqd"],
            ]
            for d in data["deliveries"]
        ],
        [None, None, None, None, None, COUNT, QTY, None, MONEY, MONEY],
    )
    widths(ws, [12, 30, 18, 20, 24, 12, 12, 10, 14, 16])

    ws = sheet(_("Indicators"))
    header(
        ws,
        [
            _("Indicator"),
            _("Activity"),
            _("From"),
            _("To"),
            _("Target"),
            _("Achieved"),
            _("Achieved (%)"),
            _("Unit"),
            _("Definition"),
        ],
    )
    if not data["indicators"]["available"]:
        ws.append([safe_cell(_indicators_missing_note())])
    rows(
        ws,
        [
            [
                r["label"],
                r["activity"],
                r["period_start"],
                r["period_end"],
                r["target"],
                r["achieved"],
                r["percentage"],
                r["unit"],
                " ".join(x for x in (r["definition"], r.get("note", "")) if x),
            ]
            for r in data["indicators"]["rows"]
        ],
        [None, None, "yyyy-mm-dd", "yyyy-mm-dd", QTY, QTY, "0.0", None, None],
    )
    widths(ws, [36, 24, 12, 12, 12, 12, 12, 10, 60])

    ws = sheet(_("Notes"))
    header(ws, [_("How the figures are counted")], freeze=False)
    for note in data["notes"]:
        ws.append([safe_cell(note)])
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    widths(ws, [120])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_of(data: dict[str, Any]) -> str:
    at = data["freshness"]["refreshed_at"]
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else _("not yet summarised")


def _months_note() -> str:
    return _(
        "The months do not add up to the period's total: a person reached in two months "
        "counts in each of them but once in the total."
    )


def _scope_note() -> str:
    return _("These figures cover only the governorates your role reaches.")


def _indicators_missing_note() -> str:
    return _("Indicators against targets are not available in this installation yet.")


# --- PDF ---------------------------------------------------------------------------------
def _css_string(text: str) -> str:
    """Text as a CSS string (inside double quotes) in a <style> element."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the PDF and the preview page's templates need besides the data."""
    people_caption = _("People reached by sex and age group (ages on %(day)s)") % {
        "day": data["ages_on"].isoformat()
    }
    return {
        "report": data,
        "tables": [
            (data["people"], people_caption),
            (data["disability"], _("Of whom people with a disability")),
        ],
        "months_note": _months_note(),
        "scope_note": _scope_note(),
        "indicators_missing_note": _indicators_missing_note(),
        "as_of": _as_of(data),
        "rtl": bool(translation.get_language_bidi()),
        "lang": translation.get_language() or "en",
    }


def write_pdf(data: dict[str, Any]) -> bytes:
    from django.utils.safestring import mark_safe
    from weasyprint import HTML

    from sanad.targeting.exports import FONT_DIR, _fetcher, font_faces

    p = data["project"]
    context = render_context(data)
    context.update(
        {
            "fonts": font_faces(),
            "css_header": mark_safe(_css_string(f"{p['code']} · {data['title']}")),  # noqa: S308
            "css_page": mark_safe(_css_string(_("Page") + " ")),  # noqa: S308
            "css_of": mark_safe(_css_string(" / ")),  # noqa: S308
            "css_footer": mark_safe(  # noqa: S308
                _css_string(
                    _("Generated %(at)s")
                    % {"at": f"{timezone.localtime(data['generated_at']):%Y-%m-%d %H:%M}"}
                )
            ),
        }
    )
    html = render_to_string("reporting/donor/report_pdf.html", context)
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf())

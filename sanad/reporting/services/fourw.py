"""The 3W/4W/5W activity report: who (organisation, donor), what (sector, project,
activity), where (governorate, district, sub-district, location), when (month) and for
whom (people and households reached, by sex, age group and disability), one row per
who/what/where/when, with the HXL hashtag row under the headers so that HXL tools
(libhxl, the HXL Proxy, HDX) read it.

    header, hashtags, rows = fourw_rows(user=None, filters=Filters(...), shared=True)
    with open("4w.csv", "wb") as out:
        fourw_export(filters=..., format="hxl-csv", shared=True, out=out)

Everything is counted from ONE read of the summary of the ledger (`reach`), grouped
by programme × project × activity × governorate × district × admin unit × place ×
month: a person reached twice in one row counts once in it, and a person in two rows
counts once in each (rows do not add up to the mission's unique total, which is why
the totals of the dashboards come from `reach(...).total()`, never from this file).

Headers and values are in English whatever the reader's language (a 4W is merged with
other organisations' by the cluster); the XLSX sheet reads right to left in Arabic
and Kurdish.

Shared outside the mission (`shared=True`, or a user outside the mission): counts of
people and households from 1 to SANAD_REPORTING_MIN_CELL - 1 are left empty (see
`sanad.reporting.suppression`), female and male together, and a note column says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.reporting.common import age_groups, children_below, month_end
from sanad.reporting.selectors.figures import Figures, Filters, reach
from sanad.reporting.suppression import outside_mission, suppress, suppress_pair, threshold

FORMATS = ("hxl-csv", "xlsx")
CONTENT_TYPES = {
    "hxl-csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"hxl-csv": "csv", "xlsx": "xlsx"}
GROUPING = ("programme", "project", "activity", "governorate", "district", "admin_unit", "place")
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Progress = Callable[..., None]


@dataclass(frozen=True)
class Column:
    header: str
    hashtag: str
    key: str
    width: int = 12


def age_attribute(label: str) -> str:
    """ "0-5" → "age0_5", "60+" → "age60plus" (HXL attributes: letters, digits, _)."""
    label = label.strip()
    if label.endswith("+"):
        return f"age{label[:-1]}plus"
    low, _sep, high = label.partition("-")
    return f"age{low}_{high}"


def _adults_from() -> int | None:
    """The first age group of adults, when a group starts at 18 (the default groups
    do): adults are then exactly the sum of the groups from there on."""
    for _label, low, _high in age_groups():
        if low == children_below():
            return low
    return None


def columns(*, suppressed: bool) -> list[Column]:
    """The columns of the 4W, in order (the age-group columns follow
    SANAD_REPORTING_AGE_GROUPS)."""
    cols = [
        Column("Organisation", "#org+impl", "org", 14),
        Column("Donor", "#org+funder", "donor", 18),
        Column("Sector", "#sector", "sector", 22),
        Column("Sector code", "#sector+code", "sector_code", 10),
        Column("Project", "#activity+project+name", "project", 28),
        Column("Project code", "#activity+project+code", "project_code", 14),
        Column("Project status", "#status+project", "project_status", 10),
        Column("Activity", "#activity+name", "activity", 28),
        Column("Activity code", "#activity+code", "activity_code", 10),
        Column("Governorate", "#adm1+name", "adm1", 14),
        Column("Governorate P-code", "#adm1+code", "adm1_code", 10),
        Column("District", "#adm2+name", "adm2", 14),
        Column("District P-code", "#adm2+code", "adm2_code", 10),
        Column("Sub-district", "#adm3+name", "adm3", 14),
        Column("Sub-district P-code", "#adm3+code", "adm3_code", 12),
        Column("Location", "#loc+name", "loc", 20),
        Column("Location code", "#loc+code", "loc_code", 12),
        Column("Location type", "#loc+type", "loc_type", 14),
        Column("Month", "#date", "month", 9),
        Column("Start date", "#date+start", "start", 11),
        Column("End date", "#date+end", "end", 11),
        Column("Households reached", "#reached+hh", "households"),
        Column("People reached", "#reached+ind", "people"),
        Column("Female", "#reached+f", "female", 9),
        Column("Male", "#reached+m", "male", 9),
        Column(f"Children (under {children_below()})", "#reached+children", "children"),
    ]
    if _adults_from() is not None:
        cols.append(Column(f"Adults ({children_below()} and over)", "#reached+adults", "adults"))
    for sex, attribute, title in (("female", "f", "Female"), ("male", "m", "Male")):
        for label, _low, _high in age_groups():
            cols.append(
                Column(
                    f"{title} {label}",
                    f"#reached+{attribute}+{age_attribute(label)}",
                    f"{sex}:{label}",
                    9,
                )
            )
    cols += [
        Column("With a disability", "#reached+disabled", "disabled"),
        Column("Female with a disability", "#reached+f+disabled", "female_disabled"),
        Column("Male with a disability", "#reached+m+disabled", "male_disabled"),
        Column("Deliveries", "#output+deliveries+num", "records", 10),
        Column("Value (USD)", "#value+usd", "value_usd", 12),
    ]
    if suppressed:
        cols.append(Column("Note", "#meta+note", "note", 36))
    return cols


def hashtags() -> list[str]:
    """The hashtags of an internal export (a shared one adds #meta+note)."""
    return [c.hashtag for c in columns(suppressed=False)]


def suppression_note() -> str:
    n = threshold()
    return f"Counts from 1 to {n - 1} are not shown (left empty) to protect the people counted."


# --- the rows ---------------------------------------------------------------------------------
def _names(summary_keys: list[tuple]) -> dict[str, dict[int, Any]]:
    """The programmes, projects (with their donors), activities, admin units and
    places the rows name, each read once."""
    from sanad.geo.models import AdminUnit, Place
    from sanad.programmes.models import Activity, Programme, Project

    ids: dict[str, set[int]] = {
        k: set() for k in ("programme", "project", "activity", "unit", "place")
    }
    for programme, project, activity, gov, district, unit, place, _month in summary_keys:
        ids["programme"].add(programme)
        if project:
            ids["project"].add(project)
        if activity:
            ids["activity"].add(activity)
        ids["unit"].update(u for u in (gov, district, unit) if u)
        if place:
            ids["place"].add(place)
    return {
        "programme": Programme.objects.in_bulk(ids["programme"]),
        "project": {
            p.pk: p for p in Project.objects.filter(pk__in=ids["project"]).select_related("donor")
        },
        "activity": Activity.objects.in_bulk(ids["activity"]),
        "unit": AdminUnit.objects.in_bulk(ids["unit"]),
        "place": Place.objects.in_bulk(ids["place"]),
    }


def _complement(values: list[Any], min_cell: int) -> list[Any]:
    """Cells that add up to a shown total (one sex's age groups): when exactly one was
    suppressed, the smallest other non-zero one goes too, or subtraction would give it
    away."""
    gone = [i for i, v in enumerate(values) if v is None]
    if len(gone) != 1:
        return values
    others = [(v, i) for i, v in enumerate(values) if isinstance(v, int) and v > 0]
    if others:
        values = list(values)
        values[min(others)[1]] = None
    return values


def _counts(fig: Figures, *, suppressed: bool) -> dict[str, Any]:
    groups = [label for label, _low, _high in age_groups()]
    adults_from = _adults_from()
    adults = None
    if adults_from is not None:
        adults = sum(
            fig.by_age.get(label, 0) for label, low, _high in age_groups() if low >= adults_from
        )
    out: dict[str, Any] = {
        "households": fig.households,
        "people": fig.people,
        "female": fig.female,
        "male": fig.male,
        "children": fig.children,
        "adults": adults,
        "disabled": fig.with_disability,
        "female_disabled": fig.with_disability_by_sex.get("female", 0),
        "male_disabled": fig.with_disability_by_sex.get("male", 0),
    }
    for sex in ("female", "male"):
        for label in groups:
            out[f"{sex}:{label}"] = fig.by_sex_and_age.get(sex, {}).get(label, 0)
    if not suppressed:
        return out
    n = threshold()
    for key in ("households", "people", "disabled"):
        out[key] = suppress(out[key], min_cell=n)
    out["female"], out["male"] = suppress_pair(out["female"], out["male"], min_cell=n)
    out["female_disabled"], out["male_disabled"] = suppress_pair(
        out["female_disabled"], out["male_disabled"], min_cell=n
    )
    if adults is not None:
        out["children"], out["adults"] = suppress_pair(out["children"], out["adults"], min_cell=n)
    else:
        out["children"] = suppress(out["children"], min_cell=n)
    for sex in ("female", "male"):
        keys = [f"{sex}:{label}" for label in groups]
        values = [suppress(out[k], min_cell=n) for k in keys]
        if sum(fig.by_sex_and_age.get(sex, {}).values()) == getattr(fig, sex):
            values = _complement(values, n)  # everyone's age is known: the groups add up
        out.update(zip(keys, values, strict=True))
    return out


def _number(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def fourw_rows(
    *, user: Any = None, filters: Filters, shared: bool
) -> tuple[list[str], list[str], list[list[Any]]]:
    """The header row, the hashtag row and the data rows (None: an empty cell). Shared
    (or for a user outside the mission): small counts suppressed, with a note column."""
    suppressed = bool(shared or (user is not None and outside_mission(user)))
    suppressed = suppressed and threshold() > 1
    cols = columns(suppressed=suppressed)
    summary = reach(user=user, filters=filters)
    groups = summary.by(*GROUPING, "month")
    names = _names(list(groups))
    programmes, projects, activities = names["programme"], names["project"], names["activity"]
    units, places = names["unit"], names["place"]
    organisation = str(getattr(settings, "SANAD_REPORTING_ORGANISATION", "") or "")
    note = suppression_note() if suppressed else ""

    def unit(pk: int | None) -> Any:
        return units.get(pk) if pk else None

    def order(key: tuple) -> tuple:
        programme, project, activity, gov, district, admin_unit, place, month = key
        p = places.get(place) if place else None
        return (
            month,
            getattr(unit(gov), "pcode", ""),
            getattr(unit(district), "pcode", ""),
            getattr(unit(admin_unit), "pcode", ""),
            p.name_en if p else "",
            getattr(programmes.get(programme), "code", ""),
            getattr(projects.get(project), "code", "") if project else "",
            getattr(activities.get(activity), "code", "") if activity else "",
        )

    rows: list[list[Any]] = []
    with translation.override("en"):
        for key in sorted(groups, key=order):
            programme_pk, project_pk, activity_pk, gov, district, admin_unit, place_pk, month = key
            fig = groups[key]
            programme = programmes.get(programme_pk)
            project = projects.get(project_pk) if project_pk else None
            activity = activities.get(activity_pk) if activity_pk else None
            place = places.get(place_pk) if place_pk else None
            sub = unit(admin_unit)
            sub = sub if sub is not None and sub.level == 3 else None
            values: dict[str, Any] = {
                "org": organisation,
                "donor": project.donor.name if project is not None else None,
                "sector": programme.name_en if programme else None,
                "sector_code": programme.code if programme else None,
                "project": project.title if project else None,
                "project_code": project.code if project else None,
                "project_status": str(project.get_status_display()) if project else None,
                "activity": activity.name if activity else None,
                "activity_code": activity.code if activity else None,
                "adm1": getattr(unit(gov), "name_en", None),
                "adm1_code": getattr(unit(gov), "pcode", None),
                "adm2": getattr(unit(district), "name_en", None),
                "adm2_code": getattr(unit(district), "pcode", None),
                "adm3": sub.name_en if sub else None,
                "adm3_code": sub.pcode if sub else None,
                "loc": place.name_en if place else None,
                "loc_code": (place.code or None) if place else None,
                "loc_type": str(place.get_kind_display()) if place else None,
                "month": f"{month:%Y-%m}",
                "start": month.isoformat(),
                "end": month_end(month).isoformat(),
                "records": fig.records,
                "value_usd": _number(fig.value_usd),
                "note": note,
                **_counts(fig, suppressed=suppressed),
            }
            rows.append([values.get(c.key) for c in cols])
    return [c.header for c in cols], [c.hashtag for c in cols], rows


# --- the files --------------------------------------------------------------------------------
def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def check_format(format: str) -> str:
    if format not in FORMATS:
        message = _("Choose the format: hxl-csv or xlsx.")
        raise ValidationFailed(message, fields={"format": [message]}, code="bad_format")
    return format


def filename(filters: Filters, format: str, *, shared: bool) -> str:
    start = f"{filters.start:%Y-%m}" if filters.start else "start"
    end = f"{filters.end:%Y-%m}" if filters.end else "now"
    suffix = "shared" if shared else "internal"
    return f"4w-{start}-{end}-{suffix}.{EXTENSIONS[format]}"


def fourw_export(
    *,
    user: Any = None,
    filters: Filters,
    format: str,
    shared: bool,
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write the 4W as CSV (UTF-8, row 1 headers, row 2 hashtags) or XLSX (the same two
    rows, frozen, with an "About" sheet) to the binary `out`. Returns the rows written."""
    check_format(format)
    if progress:
        progress(0, 1, _("Counting the people reached"), force=True)
    header, tags, rows = fourw_rows(user=user, filters=filters, shared=shared)
    total = len(rows)
    message = _("Writing the rows")
    if format == "hxl-csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        try:
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerow(tags)
            for i, row in enumerate(rows, 1):
                writer.writerow([_csv_cell(v) for v in row])
                if progress and i % 500 == 0:
                    progress(i, total, message)
            text.flush()
        finally:
            text.detach()  # leave `out` open for the caller
    else:
        _xlsx(out, header, tags, rows, filters=filters, user=user, shared=shared, progress=progress)
    if progress:
        progress(total, total, _("Finished"), force=True)
    return total


def _xlsx(
    out: IO[bytes],
    header: list[str],
    tags: list[str],
    rows: list[list[Any]],
    *,
    filters: Filters,
    user: Any,
    shared: bool,
    progress: Progress | None,
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols = {c.header: c for c in columns(suppressed=True)}
    workbook = Workbook()
    ws = workbook.active
    ws.title = "4W"
    rtl = bool(translation.get_language_bidi())
    ws.sheet_view.rightToLeft = rtl
    ws.append(header)
    ws.append(tags)
    bold, grey = Font(bold=True), Font(italic=True, color="555555")
    for cell in ws[1]:
        cell.font = bold
    for cell in ws[2]:
        cell.font = grey
    total = len(rows)
    for i, row in enumerate(rows, 1):
        ws.append([neutralise(v) for v in row])
        if progress and i % 500 == 0:
            progress(i, total, _("Writing the rows"))
    ws.freeze_panes = "A3"
    for index, title in enumerate(header, 1):
        col = cols.get(title)
        ws.column_dimensions[get_column_letter(index)].width = max(
            col.width if col else 12, min(len(title) + 2, 30)
        )
    ws.auto_filter.ref = f"A2:{get_column_letter(len(header))}{max(2, total + 2)}"
    about = workbook.create_sheet("About")
    about.sheet_view.rightToLeft = rtl
    suppressed = any(t == "#meta+note" for t in tags)
    facts: list[tuple[str, Any]] = [
        ("Report", "3W/4W/5W activity report (who, what, where, when, for whom)"),
        ("Organisation", str(getattr(settings, "SANAD_REPORTING_ORGANISATION", ""))),
        ("Period", f"{_month(filters.start)} – {_month(filters.end)}"),
        ("Governorate", filters.governorate or "all"),
        ("District", filters.district or "all"),
        ("Programme", filters.programme or "all"),
        ("Rows", total),
        ("Produced", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (
            "Counting",
            "Unique people and households reached in each row (a person reached twice in "
            "a row counts once; a person in two rows counts in each). Ages on the last day "
            "of the period. Rows do not add up to the unique total.",
        ),
        ("Shared outside the mission", "yes" if shared or suppressed else "no"),
    ]
    if suppressed:
        facts.append(("Suppression", suppression_note()))
    for label, value in facts:
        about.append([label, neutralise(value)])
    for cell in about["A"]:
        cell.font = bold
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 90
    workbook.save(out)


def _month(day: Any) -> str:
    return f"{day:%Y-%m}" if day else "…"


__all__ = [
    "FORMATS",
    "Column",
    "age_attribute",
    "check_format",
    "columns",
    "filename",
    "fourw_export",
    "fourw_rows",
    "hashtags",
    "neutralise",
    "suppression_note",
]

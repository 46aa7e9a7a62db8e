"""The reporting dashboards: the mission overview (/reporting/) and one per programme
(/reporting/programmes/<code>/), with their filters, headline figures, disaggregation,
charts, map, CSV downloads of each chart's numbers, and the "Refresh now" button.

Every figure of a page comes from one `reach(user=…, filters=…)` (one read of the
summary's cells); groups are `Summary.by(…)` of that one read. A user outside the mission
(a donor viewer) sees every count of people or households suppressed below
SANAD_REPORTING_MIN_CELL, on the page, in the charts, on the map and in the CSV files.

The labels of groups (`group_labels`) and the presentation of figures for someone outside
the mission (`shown_figures`) are shared with the figures API (`api_figures`)."""

from __future__ import annotations

import csv
import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.areas import ProgrammeArea
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.scoping import grants_for, has_permission
from sanad.reporting.common import add_months, age_groups, month_end, month_start, months_between
from sanad.reporting.models import AGGREGATES, MANAGE_INDICATORS
from sanad.reporting.periods import default_period, filters_from
from sanad.reporting.selectors.figures import (
    LEDGER_VIEW,
    Figures,
    Filters,
    Summary,
    cells_for,
    freshness,
    reach,
)
from sanad.reporting.suppression import is_small, outside_mission, suppress_figures, threshold

REFRESH_JOB = "reporting.refresh"
PROGRAMME_CODES = tuple(ProgrammeArea.values)
COUNTS = ("people", "households", "female", "male", "with_disability", "children")


# --- who may see ------------------------------------------------------------------------------
def may_see_figures(user: Any) -> bool:
    """Aggregate figures are for anyone with the reporting permission or the ledger's."""
    return has_permission(user, AGGREGATES) or has_permission(user, LEDGER_VIEW)


def _require_figures(request: HttpRequest) -> None:
    if not may_see_figures(request.user):
        raise DjangoPermissionDenied


def _grants(user: Any) -> list[Any]:
    return [*grants_for(user, AGGREGATES), *grants_for(user, LEDGER_VIEW)]


def programme_in_reach(user: Any, code: str) -> bool:
    return any(g.all_programmes or code in g.programmes for g in _grants(user))


def governorates_in_reach(user: Any) -> list[Any]:
    from sanad.geo.models import AdminUnit

    grants = _grants(user)
    units = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE)
    if not any(g.all_governorates for g in grants):
        pcodes = sorted({p for g in grants for p in g.governorates})
        units = units.filter(pcode__in=pcodes)
    return list(units.order_by("name_en"))


# --- presenting numbers ------------------------------------------------------------------------
def shown_figures(figures: Figures, *, outside: bool) -> dict[str, Any]:
    """`figures.as_dict()`, with small counts suppressed for someone outside the mission."""
    raw = figures.as_dict()
    return suppress_figures(raw) if outside else raw


def count_text(shown: Any, raw: Any) -> str:
    """A count as the page shows it: "1,234"; "<5" for a suppressed small count; "–" for
    one suppressed because its pair was small (secondary suppression)."""
    if shown is None:
        return f"<{threshold()}" if is_small(raw) else "–"
    return intcomma(shown)


def usd_text(value: Any) -> str:
    return "$" + intcomma(int(Decimal(value or 0).quantize(Decimal("1"))))


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "M Y")


_ACRONYMS = {"nfi", "crp", "cccm", "cwc", "mpca", "wash", "usd", "iqd", "sms"}


def _humanise(code: str) -> str:
    """ "winter_kit" → "Winter kit", "nfi_voucher" → "NFI voucher"."""
    words = (code or "").replace("_", " ").replace("-", " ").split()
    if not words:
        return "—"
    words = [w.upper() if w.lower() in _ACRONYMS else w for w in words]
    if words[0] == words[0].lower():
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def group_labels(dimension: str, keys: Iterable[Any]) -> dict[Any, tuple[str, str]]:
    """{group key of `Summary.by(dimension)`: (public key, label)} — programme codes,
    P-codes, public ids of places, projects and activities, "YYYY-MM" months."""
    keys = list(keys)
    ids = [k for k in keys if k is not None]
    out: dict[Any, tuple[str, str]] = {}
    if dimension == "programme":
        from sanad.programmes.models import Programme

        for p in Programme.objects.filter(pk__in=ids):
            out[p.pk] = (p.code, p.name)
    elif dimension in ("governorate", "district", "admin_unit"):
        from sanad.geo.models import AdminUnit

        for u in AdminUnit.objects.filter(pk__in=ids):
            out[u.pk] = (u.pcode, u.name)
    elif dimension == "place":
        from sanad.geo.models import Place

        for pl in Place.objects.filter(pk__in=ids):
            out[pl.pk] = (str(pl.public_id), pl.name)
    elif dimension == "project":
        from sanad.programmes.models import Project

        for pr in Project.objects.filter(pk__in=ids):
            out[pr.pk] = (str(pr.public_id), f"{pr.code} — {pr.title}")
    elif dimension == "activity":
        from sanad.programmes.models import Activity

        for a in Activity.objects.filter(pk__in=ids):
            out[a.pk] = (str(a.public_id), f"{a.code} {a.name}")
    elif dimension == "month":
        for m in ids:
            out[m] = (f"{m:%Y-%m}", month_label(m))
    elif dimension == "item":
        names = item_names(ids)
        for item in ids:
            out[item] = (item, names.get(item) or _humanise(item))
    elif dimension == "kind":
        from sanad.assistance.models import AssistanceKind

        labels = dict(AssistanceKind.choices)
        for k in ids:
            out[k] = (k, str(labels.get(k, _humanise(k))))
    else:
        for k in ids:
            out[k] = (str(k), str(k))
    missing = {
        "activity": _("No activity recorded"),
        "project": _("No project recorded"),
        "district": _("No district recorded (governorate-wide)"),
        "place": _("No site recorded"),
    }
    for k in keys:
        if k not in out:
            out[k] = ("", str(missing.get(dimension, _("Not recorded"))))
    return out


def item_names(codes: list[str]) -> dict[str, str]:
    """Names of kits and stock items by the code the ledger records."""
    from sanad.stock.models import Item, Kit

    if not codes:
        return {}
    names = {k.code: k.name for k in Kit.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in names]
    if missing:
        for item in Item.objects.filter(code__in=missing):
            name = getattr(item, "name", "") or ""
            if name:
                names[item.code] = name
    return names


# --- the page's model ---------------------------------------------------------------------------
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
                    "data": [_plain(r["value"][key]) for r in self.rows],
                    "format": next(c.kind for c in self.columns if c.key == key),
                }
                for key in self.series
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


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


# --- the map ---------------------------------------------------------------------------------------
MAP_FIGURES = ("people", "households", "value_usd")


def map_data(summary: Summary, filters: Filters, outside: bool) -> dict[str, Any]:
    """Bubbles at admin units' centroids (governorates, or the districts of the
    governorate filtered) and at sites, with the same numbers as a table. Units and sites
    without coordinates are in the table, marked, and not on the map."""
    from sanad.geo.models import AdminUnit, Place

    level = "district" if filters.governorate or filters.district else "governorate"
    by_unit = summary.by(level)
    by_place = {k: v for k, v in summary.by("place").items() if k is not None}
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=[k for k in by_unit if k])}
    places = {p.pk: p for p in Place.objects.filter(pk__in=list(by_place))}
    kinds = dict(Place.Kind.choices)
    level_label = _("District") if level == "district" else _("Governorate")

    def entry(fig: Figures, *, key: str, name: str, code: str, kind: str, obj: Any) -> dict:
        raw = fig.as_dict()
        shown = suppress_figures(raw) if outside else raw
        lat = getattr(obj, "lat", None)
        lon = getattr(obj, "lon", None)
        return {
            "key": key,
            "name": name,
            "code": code,
            "kind": kind,
            "lat": lat,
            "lon": lon,
            "located": lat is not None and lon is not None,
            "values": {f: _plain(shown.get(f)) for f in MAP_FIGURES},
            "texts": {
                "people": count_text(shown.get("people"), raw.get("people")),
                "households": count_text(shown.get("households"), raw.get("households")),
                "value_usd": usd_text(shown.get("value_usd")),
            },
            "_order": (-fig.people, name),
        }

    unit_rows = []
    for k, fig in by_unit.items():
        unit = units.get(k)
        if unit is None:
            name = str(_("No district recorded (governorate-wide)"))
            unit_rows.append(entry(fig, key="", name=name, code="", kind=level_label, obj=None))
        else:
            unit_rows.append(
                entry(
                    fig,
                    key=unit.pcode,
                    name=unit.name,
                    code=unit.pcode,
                    kind=level_label,
                    obj=unit,
                )
            )
    place_rows = []
    for k, fig in by_place.items():
        place = places.get(k)
        if place is None:  # a place removed since: keep its numbers in the table
            place_rows.append(
                entry(fig, key="", name=str(_("Unknown site")), code="", kind="", obj=None)
            )
            continue
        place_rows.append(
            entry(
                fig,
                key=str(place.public_id),
                name=place.name,
                code=place.code,
                kind=str(kinds.get(place.kind, place.kind)),
                obj=place,
            )
        )
    order = (lambda r: r["name"]) if outside else (lambda r: r["_order"])
    unit_rows.sort(key=order)
    place_rows.sort(key=order)
    for r in (*unit_rows, *place_rows):
        r.pop("_order", None)
    return {
        "level": level,
        "level_label": level_label,
        "units": unit_rows,
        "places": place_rows,
        "unlocated": sum(1 for r in (*unit_rows, *place_rows) if not r["located"]),
    }


def map_config() -> dict[str, Any]:
    return {
        "tiles": getattr(settings, "SANAD_MAP_TILES_URL", "") or "",
        "labels": {
            "people": _("Unique people"),
            "households": _("Households"),
            "value_usd": _("Value (USD)"),
            "area": _("Governorate or district"),
            "site": _("Site"),
            "size": _("Circle area: the figure chosen"),
            "largest": _("largest"),
            "suppressed": _("Counts below %(n)s are not shown") % {"n": threshold()},
        },
    }


# --- filters -------------------------------------------------------------------------------------
def _filter_choices(request: HttpRequest, filters: Filters, programme: str | None) -> dict:
    from sanad.geo.models import AdminUnit, Place
    from sanad.programmes.models import Programme, Project

    user = request.user
    governorates = governorates_in_reach(user)
    districts = list(
        AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT, parent__in=governorates)
        .select_related("parent")
        .order_by("name_en")
    )
    districts_by_gov: dict[str, list[list[str]]] = {}
    for d in districts:
        if d.parent is not None:
            districts_by_gov.setdefault(d.parent.pcode, []).append([d.pcode, d.name])
    # Sites and projects that appear in the user's figures (any month), within the
    # governorate, district and programme chosen.
    within = Filters(
        governorate=filters.governorate, district=filters.district, programme=programme
    )
    site_ids = cells_for(user=user, filters=within).values("place_id")
    sites = list(
        Place.objects.filter(pk__in=site_ids).select_related("admin_unit").order_by("name_en")
    )
    project_ids = cells_for(user=user, filters=Filters(programme=programme)).values("project_id")
    projects = list(Project.objects.filter(pk__in=project_ids).order_by("code"))
    programmes = sorted(
        (p for p in Programme.objects.all() if programme_in_reach(user, p.code)),
        key=lambda p: PROGRAMME_CODES.index(p.code) if p.code in PROGRAMME_CODES else 99,
    )
    return {
        "governorates": [(g.pcode, g.name) for g in governorates],
        "districts": districts_by_gov.get(filters.governorate or "", []),
        "districts_by_governorate": districts_by_gov,
        "sites": [(str(s.public_id), s.name) for s in sites],
        "projects": [(str(p.public_id), f"{p.code} — {p.title}") for p in projects],
        "programmes": [(p.code, p.name) for p in programmes],
        "tabs": [(p.code, p.name, _short_name(p.code, p.name)) for p in programmes],
    }


def _short_name(code: str, name: str) -> str:
    short = {
        "NFI": _("NFI"),
        "SHELTER": _("Shelter"),
        "CCCM": _("CCCM"),
        "TRANSPORT": _("Transport"),
        "CWC": _("CwC"),
        "CRP": _("Revitalization"),
    }
    return str(short.get(code, name))


def _quick_periods(request: HttpRequest) -> list[dict[str, Any]]:
    """Links to common periods (last 3 and 12 months, this year, the last four quarters),
    keeping the other filters."""
    today = timezone.localdate()
    this_month = month_start(today)
    periods = [
        (_("Last 3 months"), add_months(this_month, -2), this_month),
        (_("Last 12 months"), add_months(this_month, -11), this_month),
        (_("This year"), datetime.date(today.year, 1, 1), this_month),
    ]
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    for i in range(4):
        start = add_months(quarter_start, -3 * i)
        q = (start.month - 1) // 3 + 1
        label = _("Q%(q)s %(year)s") % {"q": q, "year": start.year}
        periods.append((label, start, add_months(start, 2)))
    params = request.GET.copy()
    for name in ("from", "to", "download"):
        params.pop(name, None)
    current = (request.GET.get("from") or "", request.GET.get("to") or "")
    default = default_period()
    out = []
    for label, start, end in periods:
        params["from"], params["to"] = f"{start:%Y-%m}", f"{end:%Y-%m}"
        active = current == (params["from"], params["to"]) or (
            current == ("", "") and (start, month_end(end)) == default
        )
        out.append({"label": label, "query": params.urlencode(), "active": active})
    return out


# --- CSV ----------------------------------------------------------------------------------------------
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


def chart_csv(chart: Chart, *, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 (Arabic, Kurdish) correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            csv_cell(str(h))
            for h in (_("Code"), chart.label_title, *(c.title for c in chart.columns))
        ]
    )
    for row in chart.rows:
        writer.writerow(
            [
                csv_cell(row["key"]),
                csv_cell(row["label"]),
                *(csv_cell(_csv_value(c, row)) for c in chart.columns),
            ]
        )
    return response


def _map_chart(data: dict[str, Any]) -> Chart:
    cols = [
        Column("kind", _("Type"), "text"),
        Column("people", _("Unique people")),
        Column("households", _("Households")),
        Column("value_usd", _("Value (USD)"), "usd"),
        Column("lat", _("Latitude"), "text"),
        Column("lon", _("Longitude"), "text"),
    ]
    rows = []
    for r in (*data["units"], *data["places"]):
        value = {
            "kind": r["kind"],
            "people": r["values"]["people"],
            "households": r["values"]["households"],
            "value_usd": r["values"]["value_usd"],
            "lat": "" if r["lat"] is None else r["lat"],
            "lon": "" if r["lon"] is None else r["lon"],
        }
        text = {**r["texts"], "kind": r["kind"], "lat": value["lat"], "lon": value["lon"]}
        rows.append(
            {"key": r["code"] or r["key"], "label": r["name"], "value": value, "text": text}
        )
    return Chart(
        key="map",
        title=_("Map"),
        type="table",
        columns=cols,
        series=[],
        rows=rows,
        label_title=_("Area or site"),
    )


# --- pages -------------------------------------------------------------------------------------------
def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("download", None)
    return params.urlencode()


def _render_dashboard(request: HttpRequest, *, programme: Any = None) -> HttpResponse:
    user = request.user
    code = programme.code if programme is not None else None
    outside = outside_mission(user)
    error: ValidationFailed | None = None
    try:
        filters = filters_from(request.GET)
    except ValidationFailed as exc:
        error = exc
        start, end = default_period()
        filters = Filters(start=start, end=end)
    if code:
        filters = replace(filters, programme=code)
    context: dict[str, Any] = {
        "programme": programme,
        "outside": outside,
        "min_cell": threshold(),
        "values": {
            "from": request.GET.get("from") or f"{filters.start:%Y-%m}",
            "to": request.GET.get("to") or f"{filters.end:%Y-%m}",
            "governorate": filters.governorate or "",
            "district": filters.district or "",
            "place": request.GET.get("place") or "",
            "project": request.GET.get("project") or "",
            "programme": (request.GET.get("programme") or "").strip().upper(),
        },
        "choices": _filter_choices(request, filters, code),
        "quick_periods": _quick_periods(request),
        "querystring": _querystring(request),
        "freshness": freshness(),
        "can_refresh": has_permission(user, MANAGE_INDICATORS),
        "refresh_key": str(uuid.uuid4()),
        "error": error,
        "period": (filters.start, filters.end),
    }
    if error is not None:
        context["error_messages"] = _error_messages(error)
        return render(request, "reporting/dashboard.html", context, status=400)

    summary = reach(user=user, filters=filters)
    total = summary.total()
    charts = _charts(summary, filters, total, outside=outside, programme=code)
    download = request.GET.get("download")
    the_map = map_data(summary, filters, outside)
    if download:
        found: Chart | None = (
            _map_chart(the_map)
            if download == "map"
            else next((c for c in charts if c.key == download), None)
        )
        if found is None:
            raise Http404(_("There is no such chart on this page."))
        name = (
            f"sanad-{(code or 'mission').lower()}-{found.key}"
            f"-{filters.start:%Y-%m}-{filters.end:%Y-%m}.csv"
        )
        return chart_csv(found, name=name)
    context.update(
        total=total,
        cards=headline_cards(total, outside),
        table=disaggregation(total, outside),
        charts=charts,
        chart_data={c.key: c.chart_data() for c in charts},
        chart_config=_chart_config(),
        map=the_map,
        map_points={
            "units": [_point(r) for r in the_map["units"] if r["located"]],
            "places": [_point(r) for r in the_map["places"] if r["located"]],
        },
        map_config=map_config(),
        map_figures=[
            ("people", _("Unique people")),
            ("households", _("Households")),
            ("value_usd", _("Value (USD)")),
        ],
        empty=not len(summary),
    )
    return render(request, "reporting/dashboard.html", context)


def _point(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "code": row["code"],
        "kind": row["kind"],
        "lat": row["lat"],
        "lon": row["lon"],
        "values": row["values"],
        "texts": row["texts"],
    }


def _chart_config() -> dict[str, Any]:
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


def _charts(
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


def _error_messages(exc: ValidationFailed) -> list[str]:
    fields = getattr(exc, "fields", None) or {}
    out: list[str] = []
    for messages_ in fields.values():
        for m in messages_ if isinstance(messages_, (list, tuple)) else [messages_]:
            if str(m) not in out:
                out.append(str(m))
    return out or [str(exc.message)]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The mission overview: every programme in the user's scope."""
    _require_figures(request)
    return _render_dashboard(request)


@login_required
def programme_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """One programme's dashboard; a programme outside the user's scope is a 404."""
    from sanad.programmes.models import Programme

    _require_figures(request)
    code = (code or "").upper()
    if code not in PROGRAMME_CODES or not programme_in_reach(request.user, code):
        raise Http404
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise Http404
    return _render_dashboard(request, programme=programme)


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Start bringing the summary up to date (a job with progress) and show the job."""
    from sanad.core.jobs import job_start

    if not has_permission(request.user, MANAGE_INDICATORS):
        raise DjangoPermissionDenied
    key = _refresh_key(request.POST.get("idempotency_key"))
    try:
        job = job_start(
            kind=REFRESH_JOB,
            user=request.user,
            params={},
            idempotency_key=key,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("reporting:dashboard")
    messages.info(request, _("The figures are being refreshed: this page shows the progress."))
    return redirect("core:job_detail", public_id=job.public_id)


def _refresh_key(text: str | None) -> str | None:
    try:
        return f"{REFRESH_JOB}:{uuid.UUID(str(text or '').strip())}"
    except ValueError:
        return None

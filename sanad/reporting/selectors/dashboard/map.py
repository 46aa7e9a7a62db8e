"""The dashboards' map: bubbles at admin units' centroids and at sites, with the same
numbers as a table (and a CSV file)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sanad.reporting.selectors.dashboard.charts import Chart, Column
from sanad.reporting.selectors.dashboard.labels import count_text, plain, usd_text
from sanad.reporting.selectors.figures import Figures, Filters, Summary
from sanad.reporting.suppression import suppress_figures, threshold

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
            "values": {f: plain(shown.get(f)) for f in MAP_FIGURES},
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


def map_chart(data: dict[str, Any]) -> Chart:
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


def map_points(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The units and sites of `map_data` that have coordinates, for the map's script."""
    return {
        "units": [_point(r) for r in data["units"] if r["located"]],
        "places": [_point(r) for r in data["places"] if r["located"]],
    }


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

"""Background jobs of the geo app: the export of places with HXL hashtags."""

from __future__ import annotations

import csv
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.errors import PermissionDenied
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.core.scoping import has_permission
from sanad.geo.filters import PlaceFilter
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import places_visible_to

EXPORT = "geo.export_place"

# (header, HXL hashtag, value) — the HXL row lets humanitarian tools read the file
# without a mapping (https://hxlstandard.org).
COLUMNS: list[tuple[Any, str, Any]] = [
    (gettext_lazy("Name (English)"), "#loc+name", lambda p: p.name_en),
    (gettext_lazy("Name (Arabic)"), "#loc+name+i_ar", lambda p: p.name_ar),
    (gettext_lazy("Kind"), "#loc+type", lambda p: p.kind),
    (gettext_lazy("Governorate P-code"), "#adm1+code", lambda p: _unit_at(p, 1, "pcode")),
    (gettext_lazy("Governorate"), "#adm1+name", lambda p: _unit_at(p, 1, "name_en")),
    (gettext_lazy("District P-code"), "#adm2+code", lambda p: _unit_at(p, 2, "pcode")),
    (gettext_lazy("Sub-district P-code"), "#adm3+code", lambda p: _unit_at(p, 3, "pcode")),
    (gettext_lazy("Latitude"), "#geo+lat", lambda p: "" if p.lat is None else p.lat),
    (gettext_lazy("Longitude"), "#geo+lon", lambda p: "" if p.lon is None else p.lon),
    (gettext_lazy("Status"), "#status", lambda p: p.status),
    (gettext_lazy("Site code"), "#loc+code", lambda p: p.code),
    (gettext_lazy("District"), "#adm2+name", lambda p: _unit_at(p, 2, "name_en")),
    (gettext_lazy("Sub-district"), "#adm3+name", lambda p: _unit_at(p, 3, "name_en")),
]


def _unit_at(place: Place, level: int, attr: str) -> str:
    unit: AdminUnit | None = place.admin_unit
    while unit is not None and unit.level > level:
        unit = unit.parent
    return getattr(unit, attr) if unit is not None and unit.level == level else ""


def places_for_export(*, user: Any, params: dict[str, Any]) -> QuerySet[Place]:
    """Places the user may export, narrowed by the list page's filters."""
    qs = places_visible_to(user, EXPORT)
    filters = PlaceFilter(
        {k: v for k, v in params.items() if k in {"kind", "status", "governorate", "admin_unit"}},
        queryset=qs,
    )
    if filters.is_valid():
        qs = filters.qs
    terms = str(params.get("q", "")).split()[:5]
    for term in terms:
        qs = qs.filter(
            reduce(or_, (Q(**{f"{f}__icontains": term}) for f in ("name_en", "name_ar", "code")))
        )
    return qs.order_by("admin_unit__pcode", "name_en", "pk")


@job_kind("geo.places_export", title=gettext_lazy("Export places"), permission=EXPORT)
def places_export(job: Job, progress: Progress) -> dict[str, Any]:
    user = job.created_by
    if not has_permission(user, EXPORT):
        raise PermissionDenied()
    places = places_for_export(user=user, params=job.params or {})
    total = places.count()
    progress(0, total, _("Writing places"), force=True)
    path = progress.file_path("places.csv")
    # UTF-8 with a byte-order mark: Excel then shows Arabic names instead of mojibake.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([str(header) for header, _tag, _value in COLUMNS])
        writer.writerow([tag for _header, tag, _value in COLUMNS])
        for done, place in enumerate(places.iterator(chunk_size=1000), 1):
            writer.writerow([value(place) for _header, _tag, value in COLUMNS])
            progress(done, total, _("Writing places"))
    progress(total, total, _("Finished"), force=True)
    return {"file": "places.csv", "rows": total}

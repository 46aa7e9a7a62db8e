"""Who may see the dashboards' figures, and the choices of their filters: the
governorates, districts, sites, projects and programmes within the user's reach."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sanad.core.areas import ProgrammeArea
from sanad.core.scoping import grants_for, has_permission
from sanad.reporting.models import AGGREGATES
from sanad.reporting.selectors.figures import LEDGER_VIEW, Filters, cells_for

PROGRAMME_CODES = tuple(ProgrammeArea.values)


def may_see_figures(user: Any) -> bool:
    """Aggregate figures are for anyone with the reporting permission or the ledger's."""
    return has_permission(user, AGGREGATES) or has_permission(user, LEDGER_VIEW)


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


def filter_choices(user: Any, filters: Filters, programme: str | None) -> dict:
    """The choices of the dashboard's filters, within the user's reach."""
    from sanad.geo.models import AdminUnit, Place
    from sanad.programmes.models import Programme, Project

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

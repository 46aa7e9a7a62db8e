"""Sites: the list with figures, the map, registering and editing a site, the site
dashboard, plots and allocations, the population table."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.forms.sites import (
    AllocateForm,
    EndAllocationForm,
    PlotsForm,
    PopulationForm,
    SiteForm,
    apply_errors,
)
from sanad.camps.models import (
    MANAGE_CLOSURE,
    MANAGE_SITE,
    MANAGE_TICKET,
    MONITOR,
    MRT,
    RAISE_TICKET,
    VIEW,
    Allocation,
    Site,
)
from sanad.camps.selectors import sites as selectors
from sanad.camps.services import sites as services
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit, Place
from sanad.registry.models import Household

SITE_KINDS = [(k.value, k.label) for k in services.SITE_KINDS]


def allowed(request: HttpRequest, obj: Any, permission: str) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def site_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Site:
    require_permission(request, permission)
    try:
        return selectors.site_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _url(name: str, query: str = "", *args: Any) -> str | None:
    """A link to another part's page, or None while that page does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


class SiteListView(ScopedListView):
    model = Site
    template_name = "camps/sites/list.html"
    search_fields = ("place__name_en", "place__name_ar", "place__code")
    sort_fields = {
        "name": "place__name_en",
        "population": "people",
        "tickets": "open_tickets",
        "hazards": "open_hazards",
        "gaps": "last_gaps",
    }
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Site]:
        return selectors.sites_with_figures()

    def get_queryset(self) -> QuerySet[Site]:
        qs = super().get_queryset()
        get = self.request.GET
        if get.get("kind") in dict(SITE_KINDS):
            qs = qs.filter(place__kind=get["kind"])
        if get.get("governorate"):
            qs = qs.filter(governorate__pcode=get["governorate"])
        status = get.get("status", "")
        if status == "open":
            qs = qs.filter(closed_on__isnull=True, place__status=Place.Status.OPEN)
        elif status == "closed":
            qs = qs.filter(Q(closed_on__isnull=False) | Q(place__status=Place.Status.CLOSED))
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        for site in ctx["object_list"]:
            site.capacity_pct = selectors.capacity_use(site)
        user = self.request.user
        ctx.update(
            tab="sites",
            kinds=SITE_KINDS,
            kind=self.request.GET.get("kind", ""),
            governorates=AdminUnit.objects.filter(
                level=AdminUnit.Level.GOVERNORATE,
                pk__in=selectors.sites_visible_to(user).values("governorate"),
            ).order_by("name_en"),
            governorate=self.request.GET.get("governorate", ""),
            statuses=[("open", _("Open")), ("closed", _("Closed"))],
            status=self.request.GET.get("status", ""),
            can_manage=has_permission(user, MANAGE_SITE),
            search_placeholder=_("Name or site code"),
            this_month=datetime.date.today().strftime("%Y-%m"),
        )
        return ctx


@login_required
def site_map(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    qs = selectors.sites_with_figures(selectors.sites_visible_to(request.user))
    kind = request.GET.get("kind", "")
    if kind in dict(SITE_KINDS):
        qs = qs.filter(place__kind=kind)
    points = selectors.map_points(qs)
    return render(
        request,
        "camps/sites/map.html",
        {
            "tab": "map",
            "points": points,
            "missing": qs.filter(Q(place__lat__isnull=True) | Q(place__lon__isnull=True)).count(),
            "map_config": {
                "tiles": settings.SANAD_MAP_TILES_URL or "",
                "labels": {
                    "population": _("People"),
                    "hazards": _("Open hazards"),
                    "gaps": _("Gaps (last round)"),
                    "tickets": _("Open tickets"),
                    "open": _("Open the site"),
                },
            },
            "kinds": SITE_KINDS,
            "kind": kind,
        },
    )


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_SITE)
    form = SiteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(
                user=request.user,
                place=form.cleaned_data["place"],
                data=form.data_for_service(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The site is registered. Add its plots next."))
            return redirect("camps:site_detail", public_id=site.public_id)
    return render(
        request,
        "camps/sites/form.html",
        {"form": form, "tab": "sites"},
        status=400 if form.errors else 200,
    )


@login_required
def site_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    site = site_for(request, public_id, MANAGE_SITE)
    form = SiteForm(request.POST or None, user=request.user, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(user=request.user, site=site, data=form.data_for_service())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The site is saved."))
            return redirect("camps:site_detail", public_id=site.public_id)
    return render(
        request,
        "camps/sites/form.html",
        {"form": form, "site": site, "tab": "sites"},
        status=400 if form.errors else 200,
    )


@login_required
def site_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    site = site_for(request, public_id)
    dashboard = selectors.site_dashboard(site)
    query = f"site={site.public_id}"
    user = request.user
    links = {
        "rounds": _url("camps:round_list", query),
        "round_new": _url("camps:round_create", query) if allowed(request, site, MONITOR) else None,
        "tickets": _url("camps:ticket_list", query),
        "ticket_new": _url("camps:ticket_create", query)
        if allowed(request, site, RAISE_TICKET)
        else None,
        "assets": _url("camps:asset_list", query),
        "hazards": _url("camps:hazard_list", query),
        "visits": _url("camps:mrt_visit_list", query),
        "visit_new": _url("camps:mrt_visit_create", query) if allowed(request, site, MRT) else None,
        "closure_new": _url("camps:closure_create", query)
        if allowed(request, site, MANAGE_CLOSURE) and dashboard["closure"] is None
        else None,
    }
    return render(
        request,
        "camps/sites/detail.html",
        {
            "tab": "sites",
            "site": site,
            "d": dashboard,
            "links": links,
            "can_manage": allowed(request, site, MANAGE_SITE),
            "can_tickets": has_permission(user, MANAGE_TICKET),
        },
    )


@login_required
def site_plots(request: HttpRequest, public_id: Any) -> HttpResponse:
    site = site_for(request, public_id)
    manage = allowed(request, site, MANAGE_SITE)
    plots_form = allocate_form = end_form = None
    if request.method == "POST":
        if not manage:
            raise DjangoPermissionDenied
        action = request.POST.get("action", "")
        if action == "add_plots":
            plots_form = PlotsForm(request.POST)
            if plots_form.is_valid():
                try:
                    created = services.plots_bulk_add(
                        user=request.user, site=site, **plots_form.cleaned_data
                    )
                except ValidationFailed as exc:
                    apply_errors(plots_form, exc)
                except ApplicationError as exc:
                    plots_form.add_error(None, str(exc.message))
                else:
                    messages.success(request, _("%(n)d plots added.") % {"n": len(created)})
                    return redirect("camps:site_plots", public_id=site.public_id)
        elif action == "allocate":
            allocate_form = AllocateForm(request.POST, site=site)
            if allocate_form.is_valid():
                household = Household.objects.filter(
                    registration_id=allocate_form.cleaned_data["registration_id"].strip().upper()
                ).first()
                try:
                    if household is None:
                        raise NotFound(
                            _("No household with this registration id is within your reach."),
                            fields={
                                "registration_id": [
                                    _(
                                        "No household with this registration id is within your reach."
                                    )
                                ]
                            },
                        )
                    services.allocation_start(
                        user=request.user,
                        site=site,
                        household=household,
                        plot=allocate_form.cleaned_data.get("plot"),
                        started_on=allocate_form.cleaned_data["started_on"],
                    )
                except ApplicationError as exc:
                    if exc.fields:
                        apply_errors(
                            allocate_form, ValidationFailed(exc.message, fields=exc.fields)
                        )
                    else:
                        allocate_form.add_error("registration_id", str(exc.message))
                else:
                    messages.success(
                        request,
                        _("Household %(id)s now lives on the site.")
                        % {"id": household.registration_id},
                    )
                    return redirect("camps:site_plots", public_id=site.public_id)
        elif action == "end":
            end_form = EndAllocationForm(request.POST)
            allocation = Allocation.objects.filter(
                site=site, pk=request.POST.get("allocation") or 0
            ).first()
            if allocation is None:
                raise Http404
            if end_form.is_valid():
                try:
                    services.allocation_end(
                        user=request.user,
                        allocation=allocation,
                        ended_on=end_form.cleaned_data["ended_on"],
                        reason=end_form.cleaned_data.get("reason") or "",
                    )
                except ApplicationError as exc:
                    messages.error(request, str(exc.message))
                else:
                    messages.success(request, _("The household has left the plot."))
                return redirect("camps:site_plots", public_id=site.public_id)
            messages.error(request, _("Give the date the household left."))
            return redirect("camps:site_plots", public_id=site.public_id)
        else:
            messages.error(request, _("Choose what to do."))
            return redirect("camps:site_plots", public_id=site.public_id)
    today = datetime.date.today()
    plots = selectors.plots_with_occupants(site)
    unplotted = list(
        Allocation.objects.filter(site=site, ended_on__isnull=True, plot__isnull=True)
        .select_related("household")
        .order_by("started_on")
    )
    invalid = any(f is not None and f.errors for f in (plots_form, allocate_form, end_form))
    return render(
        request,
        "camps/sites/plots.html",
        {
            "tab": "sites",
            "site": site,
            "plots": plots,
            "unplotted": unplotted,
            "occupied": sum(1 for p in plots if p.current),
            "can_manage": manage,
            "plots_form": plots_form or (PlotsForm() if manage else None),
            "allocate_form": allocate_form
            or (AllocateForm(site=site, initial={"started_on": today}) if manage else None),
            "today": today,
        },
        status=400 if invalid else 200,
    )


@login_required
def site_population(request: HttpRequest, public_id: Any) -> HttpResponse:
    site = site_for(request, public_id)
    manage = allowed(request, site, MANAGE_SITE)
    form = None
    if request.method == "POST":
        if not manage:
            raise DjangoPermissionDenied
        if request.POST.get("action") == "compute":
            try:
                month = services.parse_month(request.POST.get("month") or datetime.date.today())
                row = services.population_compute(site=site, month=month, overwrite_manual=False)
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                if row.source == row.Source.MANUAL:
                    messages.info(
                        request,
                        _("%(month)s was counted on site: the count is kept.")
                        % {"month": row.month.strftime("%Y-%m")},
                    )
                else:
                    messages.success(
                        request,
                        _("Population of %(month)s computed from the registry.")
                        % {"month": row.month.strftime("%Y-%m")},
                    )
            return redirect("camps:site_population", public_id=site.public_id)
        form = PopulationForm(request.POST)
        if form.is_valid():
            try:
                services.population_record_manual(
                    user=request.user,
                    site=site,
                    month=services.parse_month(form.cleaned_data["month"]),
                    households=form.cleaned_data["households"],
                    individuals=form.cleaned_data["individuals"],
                    by_sex_age=form.breakdown(),
                    arrivals=form.cleaned_data["arrivals"] or 0,
                    departures=form.cleaned_data["departures"] or 0,
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The count is recorded."))
                return redirect("camps:site_population", public_id=site.public_id)
    rows = selectors.population_series(site)
    rows.reverse()
    for row in rows:
        by = row.by_sex_age or {}
        row.cells = [  # type: ignore[attr-defined]
            (by.get(sex) or {}).get(group) if by else None
            for sex in services.SEXES
            for group in services.AGE_GROUPS
        ]
    this_month = datetime.date.today().strftime("%Y-%m")
    return render(
        request,
        "camps/sites/population.html",
        {
            "tab": "sites",
            "site": site,
            "rows": rows,
            "chart": selectors.population_chart(list(reversed(rows))[-24:]),
            "groups": services.AGE_GROUPS,
            "can_manage": manage,
            "form": form or (PopulationForm(initial={"month": this_month}) if manage else None),
            "this_month": this_month,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def population_job(request: HttpRequest) -> HttpResponse:
    """Start computing every site's population for a month (a job with progress)."""
    from sanad.camps import jobs_sites
    from sanad.core.jobs import job_start

    require_permission(request, MANAGE_SITE)
    try:
        month = services.parse_month(request.POST.get("month") or datetime.date.today())
        job = job_start(
            kind=jobs_sites.POPULATION,
            user=request.user,
            params={"month": month.strftime("%Y-%m")},
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("camps:site_list")
    return redirect("core:job_detail", public_id=job.public_id)

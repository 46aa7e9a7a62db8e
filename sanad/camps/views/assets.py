"""A site's infrastructure (assets and their condition) and the preventive maintenance
schedules that raise tickets on it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sanad.camps.forms.tickets import AssetCreateForm, AssetForm, ScheduleForm, apply_errors
from sanad.camps.models import (
    MANAGE_TICKET,
    RAISE_TICKET,
    VIEW,
    Asset,
    Condition,
    MaintenanceSchedule,
    Site,
)
from sanad.camps.selectors import tickets as selectors
from sanad.camps.services import assets as asset_services
from sanad.camps.services import schedules as schedule_services
from sanad.camps.views.tickets import _site_param, tabs
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission, scoped
from sanad.core.views import require_permission


def _asset_sites(user: Any) -> QuerySet[Site]:
    """Sites on which the user may record assets (either managing permission)."""
    qs = Site.objects.none()
    for permission in asset_services.ASSET_PERMISSIONS:
        qs = qs | scoped(Site.objects.all(), user, permission)
    return (
        Site.objects.filter(pk__in=qs.values("pk"))
        .select_related("place")
        .order_by("place__name_en")
    )


def _require_assets(request: HttpRequest) -> None:
    if not asset_services.may_manage_assets(request.user):
        raise DjangoPermissionDenied


class AssetListView(ScopedListView):
    model = Asset
    template_name = "camps/assets/list.html"
    search_fields = ("code", "description", "sector", "site__place__name_en")
    sort_fields = {
        "code": "code",
        "kind": "kind",
        "condition": "condition",
        "site": "site__place__name_en",
    }
    default_sort = "site"

    def get_base_queryset(self) -> QuerySet[Asset]:
        qs = selectors.assets_for(self.request.user)
        self.site = _site_param(self.request, VIEW)
        self.filters = {k: self.request.GET.get(k, "") for k in ("site", "kind", "condition")}
        if self.filters["site"]:
            qs = qs.filter(site=self.site) if self.site else qs.none()
        if self.filters["kind"] in Asset.Kind.values:
            qs = qs.filter(kind=self.filters["kind"])
        if self.filters["condition"] in Condition.values:
            qs = qs.filter(condition=self.filters["condition"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            tabs(self.request, "assets"),
            site=self.site,
            filters=self.filters,
            kinds=Asset.Kind.choices,
            conditions=Condition.choices,
            sites=scoped(Site.objects.select_related("place"), user).order_by("place__name_en"),
            can_manage=asset_services.may_manage_assets(user),
            can_raise=has_permission(user, RAISE_TICKET),
            search_placeholder=_("Code, description, sector or site"),
        )
        return ctx


@login_required
def asset_create(request: HttpRequest) -> HttpResponse:
    _require_assets(request)
    sites = _asset_sites(request.user)
    site = _site_param(request, VIEW)
    initial = {"site": site.public_id} if site is not None else {}
    form = AssetCreateForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("site")
        try:
            asset = asset_services.asset_create(user=request.user, site=chosen, data=data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Asset %(code)s is recorded.") % {"code": asset.code})
            if "another" in request.POST:
                return redirect(f"{request.path}?site={chosen.public_id}")
            return redirect(f"{_list_url()}?site={chosen.public_id}")
    return render(
        request,
        "camps/assets/form.html",
        {**tabs(request, "assets"), "form": form, "site": site},
        status=400 if form.errors else 200,
    )


def _list_url() -> str:
    from django.urls import reverse

    return reverse("camps:asset_list")


@login_required
def asset_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require_assets(request)
    try:
        asset = selectors.asset_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if not asset_services.may_manage_assets(request.user, asset.site):
        raise Http404
    form = AssetForm(request.POST or None, initial=AssetForm.initial_of(asset))
    if request.method == "POST" and form.is_valid():
        try:
            asset_services.asset_update(user=request.user, asset=asset, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Asset %(code)s is saved.") % {"code": asset.code})
            return redirect(f"{_list_url()}?site={asset.site.public_id}")
    return render(
        request,
        "camps/assets/form.html",
        {
            **tabs(request, "assets"),
            "form": form,
            "asset": asset,
            "site": asset.site,
            "history": asset_services.asset_condition_history(asset),
            "tickets": list(asset.tickets.order_by("-created_at")[:10]),
            "schedules": list(asset.schedules.all()),
        },
        status=400 if form.errors else 200,
    )


# --- preventive schedules ------------------------------------------------------------------


class ScheduleListView(ScopedListView):
    model = MaintenanceSchedule
    template_name = "camps/assets/schedule_list.html"
    search_fields = ("task", "team", "site__place__name_en", "asset__code")
    sort_fields = {"due": "next_due_on", "task": "task", "site": "site__place__name_en"}
    default_sort = "due"

    def get_base_queryset(self) -> QuerySet[MaintenanceSchedule]:
        qs = selectors.schedules_for(self.request.user)
        self.site = _site_param(self.request, VIEW)
        self.filters = {k: self.request.GET.get(k, "") for k in ("site", "active")}
        if self.filters["site"]:
            qs = qs.filter(site=self.site) if self.site else qs.none()
        if self.filters["active"] != "0":
            qs = qs.filter(active=True)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            tabs(self.request, "schedules"),
            site=self.site,
            filters=self.filters,
            sites=scoped(Site.objects.select_related("place"), user).order_by("place__name_en"),
            can_manage=has_permission(user, MANAGE_TICKET),
            search_placeholder=_("Task, team, site or asset"),
        )
        return ctx


def _schedule_sites(user: Any) -> QuerySet[Site]:
    return scoped(Site.objects.select_related("place"), user, MANAGE_TICKET).order_by(
        "place__name_en"
    )


@login_required
def schedule_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_TICKET)
    site = _site_param(request, MANAGE_TICKET)
    initial: dict[str, Any] = {"active": True}
    if site is not None:
        initial["site"] = site.public_id
    form = ScheduleForm(request.POST or None, sites=_schedule_sites(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["site"]
        try:
            schedule_services.schedule_create(
                user=request.user, site=chosen, data=form.service_data()
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The preventive maintenance schedule is saved."))
            return redirect("camps:schedule_list")
    return render(
        request,
        "camps/assets/schedule_form.html",
        {**tabs(request, "schedules"), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def schedule_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_TICKET)
    try:
        schedule = selectors.schedule_get(
            user=request.user, public_id=public_id, permission=MANAGE_TICKET
        )
    except NotFound as exc:
        raise Http404 from exc
    form = ScheduleForm(
        request.POST or None,
        sites=_schedule_sites(request.user),
        schedule=schedule,
        initial=ScheduleForm.initial_of(schedule),
    )
    if request.method == "POST" and form.is_valid():
        try:
            schedule_services.schedule_update(
                user=request.user, schedule=schedule, data=form.service_data()
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The preventive maintenance schedule is saved."))
            return redirect("camps:schedule_list")
    return render(
        request,
        "camps/assets/schedule_form.html",
        {
            **tabs(request, "schedules"),
            "form": form,
            "schedule": schedule,
            "tickets": list(schedule.tickets.order_by("-scheduled_for")[:10]),
        },
        status=400 if form.errors else 200,
    )

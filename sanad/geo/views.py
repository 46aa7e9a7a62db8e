"""Web pages for places and admin units. They adapt requests to selectors and
services; the rules are in those."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.jobs import job_start
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.geo import selectors, services
from sanad.geo.filters import AdminUnitPageFilter, PlaceFilter
from sanad.geo.forms import PlaceForm, StatusChangeForm
from sanad.geo.models import AdminUnit, Place

MANAGE = Place.MANAGE_PERMISSION
EXPORT = "geo.export_place"


def _apply_errors(form: Any, exc: ApplicationError) -> None:
    for field, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _place(request: HttpRequest, public_id: Any) -> Place:
    try:
        return selectors.place_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


def _history(place: Place) -> list[Any]:
    labels = dict(Place.Status.choices)
    history = list(selectors.place_history(place))
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return history


# --- places ----------------------------------------------------------------------------


class PlaceListView(ScopedListView):
    model = Place
    template_name = "geo/place_list.html"
    template_partial = "geo/_place_table.html"
    filterset_class = PlaceFilter
    search_fields = ("name_en", "name_ar", "code")
    sort_fields = {
        "name": "name_en",
        "name_ar": "name_ar",
        "kind": "kind",
        "status": "status",
        "code": "code",
        "admin_unit": "admin_unit__pcode",
        "governorate": "admin_unit__governorate__name_en",
        "updated": "updated_at",
    }
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Place]:
        return selectors.places_all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_manage"] = has_permission(user, MANAGE)
        ctx["can_export"] = has_permission(user, EXPORT)
        ctx["search_placeholder"] = _("Name (English or Arabic) or site code")
        return ctx


@login_required
def place_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    place = _place(request, public_id)
    can_manage = can_reach(request.user, place, MANAGE)
    return render(
        request,
        "geo/place_detail.html",
        {
            "place": place,
            "chain": selectors.admin_unit_chain(place.admin_unit),
            "history": _history(place),
            "can_manage": can_manage,
            "status_form": StatusChangeForm() if can_manage else None,
        },
    )


@login_required
def place_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    form = PlaceForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                place = services.place_create(user=request.user, **form.service_kwargs())
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The place was added."))
                return redirect("geo:place_detail", public_id=place.public_id)
        status = 400
    return render(request, "geo/place_form.html", {"form": form, "place": None}, status=status)


@login_required
def place_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE)
    place = _place(request, public_id)
    if not can_reach(request.user, place, MANAGE):
        raise DjangoPermissionDenied
    form = PlaceForm(request.POST or None, user=request.user, instance=place)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.place_update(place=place, user=request.user, **form.service_kwargs())
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("geo:place_detail", public_id=place.public_id)
        status = 400
    return render(request, "geo/place_form.html", {"form": form, "place": place}, status=status)


def _status_change(request: HttpRequest, public_id: Any, *, close: bool) -> HttpResponse:
    require_permission(request, MANAGE)
    place = _place(request, public_id)
    form = StatusChangeForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if close:
            services.place_close(place=place, user=request.user, reason=reason)
        else:
            services.place_reopen(place=place, user=request.user, reason=reason)
    except ValidationFailed as exc:
        _apply_errors(form, exc)
        return render(
            request,
            "geo/place_detail.html",
            {
                "place": place,
                "chain": selectors.admin_unit_chain(place.admin_unit),
                "history": _history(place),
                "can_manage": True,
                "status_form": form,
            },
            status=400,
        )
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The place was closed.") if close else _("The place was reopened.")
        )
    return redirect("geo:place_detail", public_id=place.public_id)


@login_required
@require_POST
def place_close(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _status_change(request, public_id, close=True)


@login_required
@require_POST
def place_reopen(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _status_change(request, public_id, close=False)


@login_required
@require_POST
def place_export(request: HttpRequest) -> HttpResponse:
    """Start the export of the places in one's scope, narrowed by the list's filters."""
    require_permission(request, EXPORT)
    params = {
        key: request.POST[key]
        for key in ("kind", "status", "governorate", "admin_unit", "q")
        if request.POST.get(key)
    }
    try:
        job = job_start(kind="geo.places_export", user=request.user, params=params)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("geo:place_list")
    return redirect("core:job_detail", public_id=job.public_id)


# --- admin units -----------------------------------------------------------------------


def _lookup(query: str) -> dict[str, Any]:
    """Context for the P-code look-up box: matches, or the clear error."""
    query = (query or "").strip()
    if not query:
        return {"lookup_query": ""}
    try:
        units = selectors.admin_unit_lookup(query=query)
    except ValidationFailed as exc:
        return {"lookup_query": query, "lookup_error": str(exc.message)}
    return {"lookup_query": query, "lookup_results": units, "lookup_done": True}


class AdminUnitListView(ScopedListView):
    model = AdminUnit
    template_name = "geo/adminunit_list.html"
    template_partial = "geo/_adminunit_table.html"
    filterset_class = AdminUnitPageFilter
    search_fields = ("pcode", "name_en", "name_ar")
    sort_fields = {
        "pcode": "pcode",
        "name": "name_en",
        "name_ar": "name_ar",
        "level": "level",
        "parent": "parent__pcode",
    }
    default_sort = "pcode"

    def get_base_queryset(self) -> QuerySet[AdminUnit]:
        return selectors.admin_units_all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(_lookup(self.request.GET.get("lookup", "")))
        ctx["search_placeholder"] = _("Name (English or Arabic) or P-code")
        return ctx


@login_required
def adminunit_lookup(request: HttpRequest) -> HttpResponse:
    """The look-up box's answer: a fragment for HTMX, the list page otherwise."""
    require_permission(request, AdminUnit.VIEW_PERMISSION)
    query = request.GET.get("lookup", request.GET.get("q", ""))
    if not request.headers.get("HX-Request"):
        return redirect(f"{reverse('geo:adminunit_list')}?{urlencode({'lookup': query})}")
    return render(request, "geo/_pcode_lookup.html", _lookup(query))


@login_required
def adminunit_detail(request: HttpRequest, pcode: str) -> HttpResponse:
    require_permission(request, AdminUnit.VIEW_PERMISSION)
    try:
        unit = selectors.admin_unit_get(pcode=pcode)
    except ValidationFailed as exc:
        return render(
            request,
            "geo/adminunit_not_found.html",
            {"lookup_query": pcode, "lookup_error": str(exc.message)},
            status=404,
        )
    if unit.pcode != pcode:
        return redirect("geo:adminunit_detail", pcode=unit.pcode)
    ctx: dict[str, Any] = {
        "unit": unit,
        "chain": list(reversed(selectors.admin_unit_chain(unit))),
        "children": unit.children.annotate(n_children=Count("children")).order_by("pcode"),
        "can_see_places": has_permission(request.user, Place.VIEW_PERMISSION),
    }
    if ctx["can_see_places"]:
        places = selectors.places_in(unit, selectors.places_visible_to(request.user)).order_by(
            "name_en"
        )
        ctx["places"] = places[:50]
        ctx["places_count"] = places.count()
    return render(request, "geo/adminunit_detail.html", ctx)

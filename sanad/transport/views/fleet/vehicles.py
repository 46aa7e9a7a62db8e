"""Vehicles: list with capacity totals, detail with the convoys served, register, edit, out of service and back."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.views import require_permission
from sanad.transport.forms.fleet import (
    NoteForm,
    ReasonForm,
    VehicleForm,
    apply_errors,
)
from sanad.transport.models import (
    FLEET,
    VIEW,
    Vehicle,
    VehicleKind,
)
from sanad.transport.selectors import fleet as selectors
from sanad.transport.services import fleet as services
from sanad.transport.views.fleet._base import (
    _by_contractor,
    _can_manage,
    _done,
    _form_page,
    _governorates,
    _lookup,
    _save,
)

# --- vehicles --------------------------------------------------------------------------


class VehicleListView(ScopedListView):
    model = Vehicle
    permission = VIEW
    template_name = "transport/fleet/vehicle_list.html"
    filters: dict[str, str]
    search_fields = ("plate_number", "description", "contractor__name")
    sort_fields = {
        "plate": "plate_number",
        "kind": "kind",
        "seats": "seats",
        "luggage": "luggage_m3",
        "status": "status",
    }
    default_sort = ""

    def get_base_queryset(self) -> QuerySet[Vehicle]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("kind", "status", "contractor", "governorate")
        }
        qs = Vehicle.objects.select_related("contractor").prefetch_related("governorates")
        if f["kind"] in VehicleKind.values:
            qs = qs.filter(kind=f["kind"])
        if f["status"] in Vehicle.Status.values:
            qs = qs.filter(status=f["status"])
        if f["contractor"] == "owned":
            qs = qs.filter(contractor__isnull=True)
        elif f["contractor"]:
            qs = _by_contractor(qs, f["contractor"])
        if f["governorate"]:
            qs = qs.filter(governorates__pcode=f["governorate"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            filters=self.filters,
            kinds=VehicleKind.choices,
            statuses=Vehicle.Status.choices,
            contractors=selectors.contractors_visible(user).order_by("name"),
            governorates=_governorates(),
            totals=selectors.seat_totals(self.object_list),  # type: ignore[arg-type]
            can_manage=_can_manage(self.request),
            search_placeholder=_("Plate, model or contractor"),
            fleet_tab="vehicles",
        )
        return ctx


@login_required
def vehicle_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, FLEET)
    form = VehicleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        vehicle = _save(form, lambda d: services.vehicle_create(user=request.user, **d))
        if vehicle is not None:
            return _done(
                request, _("%(what)s is registered.") % {"what": vehicle}, "vehicle", vehicle
            )
    return _form_page(request, "vehicle_form.html", form, vehicle=None)


@login_required
def vehicle_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    vehicle = _lookup(request, selectors.vehicle_get, public_id, FLEET)
    form = VehicleForm(
        request.POST or None,
        user=request.user,
        current=vehicle,
        initial=VehicleForm.initial_of(vehicle),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form, lambda d: services.vehicle_update(user=request.user, vehicle=vehicle, **d)
        )
        if saved is not None:
            return _done(request, _("The vehicle is saved."), "vehicle", saved)
    return _form_page(request, "vehicle_form.html", form, vehicle=vehicle)


def _vehicle_page(
    request: HttpRequest, vehicle: Vehicle, form: Any = None, status: int = 200
) -> HttpResponse:
    manage = _can_manage(request, vehicle)
    return render(
        request,
        "transport/fleet/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "history": selectors.status_history(vehicle),
            "convoys": selectors.vehicle_convoys(vehicle, request.user),
            "open_convoys": selectors.vehicle_open_convoys(vehicle),
            "can_manage": manage,
            "action_form": form or (ReasonForm(prefix="out") if manage else None),
            "back_form": NoteForm(prefix="back") if manage else None,
            "fleet_tab": "vehicles",
        },
        status=status,
    )


@login_required
def vehicle_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _vehicle_page(request, _lookup(request, selectors.vehicle_get, public_id, VIEW))


VEHICLE_ACTIONS = {
    "out-of-service": (Vehicle.Status.OUT_OF_SERVICE, ReasonForm, "out"),
    "back-in-service": (Vehicle.Status.ACTIVE, NoteForm, "back"),
}


@login_required
@require_POST
def vehicle_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in VEHICLE_ACTIONS:
        raise Http404
    vehicle = _lookup(request, selectors.vehicle_get, public_id, FLEET)
    to, form_class, prefix = VEHICLE_ACTIONS[action]
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.vehicle_transition(
                user=request.user, vehicle=vehicle, to=to, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            if to == Vehicle.Status.OUT_OF_SERVICE:
                message = _("%(what)s is out of service.") % {"what": vehicle}
                busy = selectors.vehicle_open_convoys(vehicle)
                if busy:
                    messages.warning(
                        request,
                        _("It is still in convoy %(refs)s: replace it there.")
                        % {"refs": ", ".join(c.reference for c in busy)},
                    )
            else:
                message = _("%(what)s is back in service.") % {"what": vehicle}
            return _done(request, message, "vehicle", vehicle)
    vehicle = _lookup(request, selectors.vehicle_get, public_id, VIEW)
    return _vehicle_page(request, vehicle, form if prefix == "out" else None, status=400)

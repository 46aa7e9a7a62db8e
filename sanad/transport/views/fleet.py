"""The fleet pages: vehicles (list with capacity totals, detail with the convoys served,
register, edit, out of service and back), drivers (list with licence expiry, register,
edit) and contractors (list, detail with vehicles, drivers and contracts, register,
edit, suspend and reactivate; contracts added and ended). Pages only adapt: the rules
are in `transport.services.fleet`."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.transport.forms.fleet import (
    ContractForm,
    ContractorForm,
    DriverForm,
    NoteForm,
    ReasonForm,
    VehicleForm,
    apply_errors,
)
from sanad.transport.models import (
    FLEET,
    VIEW,
    Driver,
    TransportContract,
    TransportContractor,
    Vehicle,
    VehicleKind,
)
from sanad.transport.selectors import fleet as selectors
from sanad.transport.services import fleet as services
from sanad.transport.services._common import today


def _governorates() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=1).order_by("name_en")


def _by_contractor(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    try:
        public_id = uuid.UUID(value)
    except ValueError:
        return qs.none()
    return qs.filter(contractor__public_id=public_id)


def _lookup(request: HttpRequest, getter: Any, public_id: Any, permission: str) -> Any:
    require_permission(request, permission)
    try:
        return getter(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _can_manage(request: HttpRequest, obj: Any = None) -> bool:
    user = request.user
    if not has_permission(user, FLEET):
        return False
    return obj is None or can_reach(user, obj, FLEET)


def _done(request: HttpRequest, message: str, name: str, obj: Any) -> HttpResponse:
    messages.success(request, message)
    if can_reach(request.user, obj, VIEW):
        return redirect(f"transport:{name}_detail", public_id=obj.public_id)
    return redirect(f"transport:{name}_list")


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    return render(
        request,
        f"transport/fleet/{template}",
        {"form": form, **context},
        status=400 if form.errors else 200,
    )


def _save(form: Any, call: Any) -> Any:
    """Run a service with the form's data; its refusal goes back on the form (None)."""
    try:
        return call(form.service_data())
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
    return None


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


# --- drivers ---------------------------------------------------------------------------


class DriverListView(ScopedListView):
    model = Driver
    permission = VIEW
    template_name = "transport/fleet/driver_list.html"
    filters: dict[str, str]
    search_fields = ("name", "contractor__name")
    sort_fields = {"name": "name", "licence": "licence_expires_on"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Driver]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("contractor", "governorate", "licence", "active")
        }
        qs = Driver.objects.select_related("contractor").prefetch_related("governorates")
        day = today()
        if f["contractor"] == "owned":
            qs = qs.filter(contractor__isnull=True)
        elif f["contractor"]:
            qs = _by_contractor(qs, f["contractor"])
        if f["governorate"]:
            qs = qs.filter(governorates__pcode=f["governorate"])
        if f["licence"] == "expired":
            qs = qs.filter(licence_expires_on__lt=day)
        elif f["licence"] == "expiring":
            qs = qs.filter(
                licence_expires_on__gte=day,
                licence_expires_on__lte=day
                + datetime.timedelta(days=selectors.LICENCE_WARNING_DAYS),
            )
        if f["active"] in ("1", "0"):
            qs = qs.filter(is_active=f["active"] == "1")
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        day = today()
        for driver in ctx["object_list"]:
            driver.licence = selectors.licence_state(driver, day)
        ctx.update(
            filters=self.filters,
            contractors=selectors.contractors_visible(self.request.user).order_by("name"),
            governorates=_governorates(),
            can_manage=_can_manage(self.request),
            search_placeholder=_("Name or contractor"),
            fleet_tab="drivers",
        )
        return ctx


def _licence_warning(request: HttpRequest, driver: Driver) -> None:
    if selectors.licence_expired(driver):
        messages.warning(
            request,
            _("%(name)s's driving licence expired on %(d)s: they are not offered for convoys.")
            % {"name": driver.name, "d": driver.licence_expires_on},
        )


@login_required
def driver_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, FLEET)
    form = DriverForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        driver = _save(form, lambda d: services.driver_create(user=request.user, **d))
        if driver is not None:
            messages.success(request, _("%(name)s is registered.") % {"name": driver.name})
            _licence_warning(request, driver)
            return redirect("transport:driver_list")
    return _form_page(request, "driver_form.html", form, driver=None, fleet_tab="drivers")


@login_required
def driver_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    driver = _lookup(request, selectors.driver_get, public_id, FLEET)
    form = DriverForm(
        request.POST or None,
        user=request.user,
        current=driver,
        editing=True,
        initial=DriverForm.initial_of(driver),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda d: services.driver_update(user=request.user, driver=driver, **d))
        if saved is not None:
            messages.success(request, _("The driver is saved."))
            _licence_warning(request, saved)
            return redirect("transport:driver_list")
    elif request.method == "GET":
        personal_record_viewed(
            user=request.user, obj=driver, purpose="fleet driver", route=request.path
        )
    return _form_page(
        request,
        "driver_form.html",
        form,
        driver=driver,
        licence=selectors.licence_state(driver),
        fleet_tab="drivers",
    )


# --- contractors -----------------------------------------------------------------------


class ContractorListView(ScopedListView):
    model = TransportContractor
    permission = VIEW
    template_name = "transport/fleet/contractor_list.html"
    search_fields = ("name", "registration_number", "contact_name")
    sort_fields = {"name": "name", "status": "status"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[TransportContractor]:
        self.status = self.request.GET.get("status", "")
        qs = selectors.contractors_visible(self.request.user)
        if self.status in TransportContractor.Status.values:
            qs = qs.filter(status=self.status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            status=self.status,
            statuses=TransportContractor.Status.choices,
            can_manage=_can_manage(self.request),
            search_placeholder=_("Name, registration or contact"),
            fleet_tab="contractors",
        )
        return ctx


@login_required
def contractor_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, FLEET)
    form = ContractorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        contractor = _save(form, lambda d: services.contractor_create(user=request.user, **d))
        if contractor is not None:
            return _done(
                request,
                _("%(name)s is registered.") % {"name": contractor.name},
                "contractor",
                contractor,
            )
    return _form_page(
        request, "contractor_form.html", form, contractor=None, fleet_tab="contractors"
    )


@login_required
def contractor_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _lookup(request, selectors.contractor_get, public_id, FLEET)
    form = ContractorForm(
        request.POST or None, user=request.user, initial=ContractorForm.initial_of(contractor)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda d: services.contractor_update(user=request.user, contractor=contractor, **d),
        )
        if saved is not None:
            return _done(request, _("The contractor is saved."), "contractor", saved)
    return _form_page(
        request, "contractor_form.html", form, contractor=contractor, fleet_tab="contractors"
    )


def _contractor_page(
    request: HttpRequest,
    contractor: TransportContractor,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = _can_manage(request, contractor)
    forms = forms or {}
    if manage:
        forms.setdefault("suspend", ReasonForm(prefix="suspend"))
        forms.setdefault("reactivate", NoteForm(prefix="reactivate"))
    drivers = list(selectors.drivers_visible(user).filter(contractor=contractor))
    for driver in drivers:
        driver.licence = selectors.licence_state(driver)  # type: ignore[attr-defined]
    return render(
        request,
        "transport/fleet/contractor_detail.html",
        {
            "contractor": contractor,
            "vehicles": list(selectors.vehicles_visible(user).filter(contractor=contractor)),
            "drivers": drivers,
            "contracts": list(
                TransportContract.objects.filter(contractor=contractor)
                .select_related("project")
                .order_by("-starts_on", "reference")
            ),
            "history": selectors.status_history(contractor),
            "can_manage": manage,
            "forms": forms,
            "today": today(),
            "fleet_tab": "contractors",
        },
        status=status,
    )


@login_required
def contractor_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _contractor_page(request, _lookup(request, selectors.contractor_get, public_id, VIEW))


CONTRACTOR_ACTIONS = {
    "suspend": (TransportContractor.Status.SUSPENDED, ReasonForm),
    "reactivate": (TransportContractor.Status.ACTIVE, NoteForm),
}


@login_required
@require_POST
def contractor_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CONTRACTOR_ACTIONS:
        raise Http404
    contractor = _lookup(request, selectors.contractor_get, public_id, FLEET)
    to, form_class = CONTRACTOR_ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            services.contractor_transition(
                user=request.user, contractor=contractor, to=to, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            message = (
                _("%(name)s is suspended: its vehicles and drivers join no convoy.")
                if to == TransportContractor.Status.SUSPENDED
                else _("%(name)s is active again.")
            ) % {"name": contractor.name}
            return _done(request, message, "contractor", contractor)
    contractor = _lookup(request, selectors.contractor_get, public_id, VIEW)
    return _contractor_page(request, contractor, {action: form}, status=400)


@login_required
def contract_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _lookup(request, selectors.contractor_get, public_id, FLEET)
    form = ContractForm(request.POST or None, initial={"starts_on": today()})
    if request.method == "POST" and form.is_valid():
        contract = _save(
            form,
            lambda d: services.contract_create(user=request.user, contractor=contractor, **d),
        )
        if contract is not None:
            return _done(
                request,
                _("The contract %(ref)s is recorded.") % {"ref": contract.reference},
                "contractor",
                contractor,
            )
    return _form_page(
        request, "contract_form.html", form, contractor=contractor, fleet_tab="contractors"
    )


CONTRACT_ACTIONS = {
    "end": TransportContract.Status.ENDED,
    "reactivate": TransportContract.Status.ACTIVE,
}


@login_required
@require_POST
def contract_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CONTRACT_ACTIONS:
        raise Http404
    contract = _lookup(request, selectors.contract_get, public_id, FLEET)
    form = NoteForm(request.POST, prefix="contract")
    contractor = contract.contractor
    if form.is_valid():
        try:
            services.contract_transition(
                user=request.user,
                contract=contract,
                to=CONTRACT_ACTIONS[action],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                (
                    _("The contract %(ref)s is ended.")
                    if action == "end"
                    else _("The contract %(ref)s is active again.")
                )
                % {"ref": contract.reference},
            )
    return redirect("transport:contractor_detail", public_id=contractor.public_id)

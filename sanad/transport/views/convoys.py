"""Convoy pages: the list, creating a convoy from a movement, and the plan board
(vehicles with their households, planning, moving households by hand, ready / back to
planning / cancel). Pages only adapt: the rules are in `transport.services.convoys`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.transport.forms.convoys import (
    ConvoyForm,
    MoveForm,
    ReasonForm,
    VehicleAddForm,
    VehicleChangeForm,
    apply_errors,
)
from sanad.transport.models import MANAGE, VIEW, Convoy, MovementRequest
from sanad.transport.selectors import convoys as selectors
from sanad.transport.services import convoys as services


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class ConvoyListView(ScopedListView):
    model = Convoy
    template_name = "transport/convoys/convoy_list.html"
    filters: dict[str, str]
    search_fields = ("reference", "request__reference")
    sort_fields = {
        "reference": "reference",
        "date": "departs_on",
        "status": "status",
        "households": "household_count",
    }
    default_sort = "-date"

    def get_base_queryset(self) -> QuerySet[Convoy]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("status", "from", "to")}
        qs = selectors.convoys_visible(self.request.user)
        if f["status"] in Convoy.Status.values:
            qs = qs.filter(status=f["status"])
        start, end = _date(f["from"]), _date(f["to"])
        if start:
            qs = qs.filter(departs_on__gte=start)
        if end:
            qs = qs.filter(departs_on__lte=end)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=Convoy.Status.choices,
            search_placeholder=_("Convoy or movement reference"),
        )
        return ctx


def _convoy(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Convoy:
    require_permission(request, permission)
    try:
        return selectors.convoy_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def convoy_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE)
    movement = (
        scoped(
            MovementRequest.objects.select_related("origin", "destination"), request.user, MANAGE
        )
        .filter(public_id=public_id)
        .first()
    )
    if movement is None:
        raise Http404
    form = ConvoyForm(request.POST or None, initial={"departs_on": movement.requested_date})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            convoy = services.convoy_create(
                user=request.user,
                request=movement,
                departs_on=d["departs_on"],
                departure_time=d.get("departure_time"),
                oversize_policy=d["oversize_policy"],
                notes=d.get("notes") or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Convoy %(ref)s created: add its vehicles, then plan it.")
                % {"ref": convoy.reference},
            )
            return redirect("transport:convoy_detail", public_id=convoy.public_id)
    return render(
        request,
        "transport/convoys/convoy_form.html",
        {"form": form, "movement": movement},
        status=400 if form.errors else 200,
    )


def _board_page(
    request: HttpRequest,
    convoy: Convoy,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE) and can_reach(user, convoy, MANAGE)
    board = selectors.convoy_board(convoy)
    forms = forms or {}
    changeable = convoy.status in services.CHANGEABLE
    drivers: list[Any] = []
    if manage and changeable:
        if convoy.status == Convoy.Status.PLANNING:
            forms.setdefault("add", VehicleAddForm(user=user, convoy=convoy, prefix="add"))
        forms.setdefault("cancel", ReasonForm(prefix="cancel"))
        drivers = list(selectors.drivers_for_convoy(user, convoy))
    summary = board["summary"]
    return render(
        request,
        "transport/convoys/convoy_detail.html",
        {
            "convoy": convoy,
            "movement": convoy.request,
            "board": board,
            "summary": summary,
            "can_manage": manage,
            "changeable": manage and changeable,
            "planning": convoy.status == Convoy.Status.PLANNING,
            "forms": forms,
            "drivers": drivers,
            "error": error,
        },
        status=status,
    )


@login_required
def convoy_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _board_page(request, _convoy(request, public_id))


def _done(request: HttpRequest, convoy: Convoy, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("transport:convoy_detail", public_id=convoy.public_id)


def _refused(request: HttpRequest, public_id: Any, form: Any, exc: Any = None) -> HttpResponse:
    """The board again (400) with the refusal on top."""
    if exc is not None:
        if isinstance(exc, ValidationFailed) and exc.fields:
            text = " ".join(str(m) for msgs in exc.fields.values() for m in msgs)
        else:
            text = str(exc.message)
    else:
        text = " ".join(str(m) for msgs in form.errors.values() for m in msgs)
    convoy = _convoy(request, public_id)
    return _board_page(request, convoy, forms={form.prefix or "form": form}, error=text, status=400)


@login_required
@require_POST
def convoy_vehicles(request: HttpRequest, public_id: Any) -> HttpResponse:
    """op=add (vehicle, driver, escort), op=update (driver, escort), op=remove."""
    convoy = _convoy(request, public_id, MANAGE)
    user = request.user
    op = request.POST.get("op", "add")
    form: Any
    if op == "add":
        form = VehicleAddForm(request.POST, user=user, convoy=convoy, prefix="add")
    elif op in ("update", "remove"):
        form = VehicleChangeForm(request.POST, user=user, convoy=convoy, prefix="veh")
    else:
        raise Http404
    if not form.is_valid():
        return _refused(request, public_id, form)
    d = form.cleaned_data
    try:
        if op == "add":
            cv = services.convoy_vehicle_add(
                user=user,
                convoy=convoy,
                vehicle=d["vehicle"],
                driver=d.get("driver"),
                escort_name=d.get("escort_name") or "",
            )
            message = _("Vehicle %(plate)s added to the convoy.") % {
                "plate": cv.vehicle.plate_number
            }
        elif op == "update":
            services.convoy_vehicle_update(
                user=user,
                convoy_vehicle=d["convoy_vehicle"],
                driver=d.get("driver"),
                escort_name=d.get("escort_name") or "",
            )
            message = _("Vehicle %(plate)s saved.") % {
                "plate": d["convoy_vehicle"].vehicle.plate_number
            }
        else:
            services.convoy_vehicle_remove(user=user, convoy_vehicle=d["convoy_vehicle"])
            message = _("Vehicle %(plate)s taken out of the convoy.") % {
                "plate": d["convoy_vehicle"].vehicle.plate_number
            }
    except ApplicationError as exc:
        return _refused(request, public_id, form, exc)
    return _done(request, convoy, message)


@login_required
@require_POST
def convoy_plan(request: HttpRequest, public_id: Any) -> HttpResponse:
    convoy = _convoy(request, public_id, MANAGE)
    try:
        summary = services.convoy_plan(
            user=request.user, convoy=convoy, keep_current=request.POST.get("keep_current") == "1"
        )
    except ApplicationError as exc:
        return _board_page(request, _convoy(request, public_id), error=str(exc.message), status=400)
    return _done(
        request,
        convoy,
        _("Planned: %(households)d households in %(vehicles)d vehicles.")
        % {"households": summary["households"], "vehicles": summary["vehicles_used"]},
    )


@login_required
@require_POST
def convoy_move(request: HttpRequest, public_id: Any) -> HttpResponse:
    """op=move (household, vehicle, luggage vehicle), op=unpin, op=remove."""
    convoy = _convoy(request, public_id, MANAGE)
    user = request.user
    op = request.POST.get("op", "move")
    if op not in ("move", "unpin", "remove"):
        raise Http404
    form = MoveForm(request.POST, convoy=convoy, prefix="move")
    if not form.is_valid():
        return _refused(request, public_id, form)
    d = form.cleaned_data
    load = d["load"]
    ident = load.movement_household.household.registration_id
    try:
        if op == "move":
            if d.get("convoy_vehicle") is None:
                form.add_error("convoy_vehicle", _("Choose the vehicle to move the household to."))
                return _refused(request, public_id, form)
            services.convoy_load_move(
                user=user,
                load=load,
                convoy_vehicle=d["convoy_vehicle"],
                luggage_vehicle=d.get("luggage_vehicle"),
            )
            message = _("Household %(id)s moved and pinned to its vehicle.") % {"id": ident}
        elif op == "unpin":
            services.convoy_load_unpin(user=user, load=load)
            message = _("Household %(id)s unpinned: planning may move it.") % {"id": ident}
        else:
            services.convoy_load_remove(user=user, load=load)
            message = _("Household %(id)s taken out of the convoy.") % {"id": ident}
    except ApplicationError as exc:
        return _refused(request, public_id, form, exc)
    return _done(request, convoy, message)


ACTIONS = {
    "ready": Convoy.Status.READY,
    "planning": Convoy.Status.PLANNING,
    "cancel": Convoy.Status.CANCELLED,
}


@login_required
@require_POST
def convoy_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    convoy = _convoy(request, public_id, MANAGE)
    to = ACTIONS[action]
    reason = ""
    form: Any = None
    if action == "cancel":
        form = ReasonForm(request.POST, prefix="cancel")
        if not form.is_valid():
            return _refused(request, public_id, form)
        reason = form.cleaned_data["reason"]
    try:
        changed = services.convoy_transition(user=request.user, convoy=convoy, to=to, reason=reason)
    except ApplicationError as exc:
        if form is not None and isinstance(exc, ValidationFailed):
            apply_errors(form, exc)
        return _board_page(
            request,
            _convoy(request, public_id),
            forms={"cancel": form} if form is not None else None,
            error=str(exc.message),
            status=400,
        )
    messages_text = {
        "ready": _("The convoy is ready: print the manifests and check boarding."),
        "planning": _("The convoy is back in planning."),
        "cancel": _("The convoy is cancelled; its households wait for another convoy."),
    }
    text = messages_text[action]
    released = getattr(changed, "released_vehicles", [])
    if released:
        text = f"{text} " + _("Vehicles not needed, released: %(plates)s.") % {
            "plates": ", ".join(released)
        }
    return _done(request, convoy, text)

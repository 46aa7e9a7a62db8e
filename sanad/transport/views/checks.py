"""Departure and arrival checks of a convoy on a phone: tick or scan each household
(boarded, no-show, undo; arrived), re-balance after no-shows, depart, complete; and
incidents on the way. Pages only adapt: the rules are in `transport.services.checks`.

Every action is a plain form POST that redirects back to the page (it works without
JavaScript); `check.js` sends the same POSTs with fetch, asking for JSON, and updates the
page in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.scoping import has_permission, scoped
from sanad.core.views import require_permission
from sanad.transport.forms.checks import CheckForm, CompleteForm, IncidentForm, apply_errors
from sanad.transport.models import MANAGE, VIEW, Convoy, ConvoyLoad, Incident, MovementHousehold
from sanad.transport.services import checks as services

STAGE_STATUS = {"departure": Convoy.Status.READY, "arrival": Convoy.Status.DEPARTED}


def _convoy(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Convoy:
    require_permission(request, permission)
    convoy = (
        scoped(Convoy.objects.all(), request.user, permission)
        .select_related(
            "request__origin", "request__destination", "request__destination_admin_unit"
        )
        .filter(public_id=public_id)
        .first()
    )
    if convoy is None:
        raise Http404
    return convoy


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _page(convoy: Convoy, stage: str) -> str:
    return reverse(f"transport:convoy_{stage}", args=[convoy.public_id])


def _stage_of(convoy: Convoy, asked: str = "") -> str:
    if asked in STAGE_STATUS:
        return asked
    return (
        "arrival"
        if convoy.status in (Convoy.Status.DEPARTED, Convoy.Status.ARRIVED)
        else ("departure")
    )


def _check_page(request: HttpRequest, public_id: Any, stage: str) -> HttpResponse:
    convoy = _convoy(request, public_id)
    can_manage = has_permission(request.user, MANAGE)
    board = services.convoy_check_board(convoy)
    active = convoy.status == STAGE_STATUS[stage]
    ctx: dict[str, Any] = {
        "convoy": convoy,
        "movement": convoy.request,
        "board": board,
        "stage": stage,
        "active": active,
        "can_manage": can_manage,
        "can_act": can_manage and active,
        "can_incident": can_manage and convoy.status in services.INCIDENT_STATUSES,
    }
    if stage == "arrival":
        all_missing, uncovered = services.missing_households(convoy)
        ctx.update(
            incidents=list(
                Incident.objects.filter(convoy=convoy).select_related("convoy_vehicle__vehicle")
            ),
            missing=all_missing,
            uncovered=uncovered,
            complete_form=CompleteForm(prefix="complete"),
            arrived_loads=[
                load for g in board["groups"] for load in g["loads"] if load.status == "arrived"
            ],
        )
    return render(request, f"transport/checks/{stage}.html", ctx)


@login_required
def convoy_departure(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _check_page(request, public_id, "departure")


@login_required
def convoy_arrival(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _check_page(request, public_id, "arrival")


def _load_message(load: ConvoyLoad, action: str) -> str:
    row = load.movement_household
    reg = row.household.registration_id
    vehicle = load.convoy_vehicle.vehicle.plate_number if load.convoy_vehicle else "—"
    if action == "boarded":
        return _("%(id)s boarded: vehicle %(vehicle)s.") % {"id": reg, "vehicle": vehicle}
    if action == "no_show":
        return _("%(id)s is marked no-show.") % {"id": reg}
    if action == "undo":
        return _("%(id)s is not checked any more.") % {"id": reg}
    return _("%(id)s arrived and was handed over: %(what)s.") % {
        "id": reg,
        "what": row.handover or "—",
    }


@login_required
@require_POST
def convoy_check(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A tick on a household (action boarded / no_show / undo / arrived with `load`) or
    a scan (action scan with `code`; `stage` departure or arrival)."""
    convoy = _convoy(request, public_id, MANAGE)
    stage = _stage_of(convoy, request.POST.get("stage", ""))
    form = CheckForm(request.POST)
    json = _wants_json(request)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if json:
            return JsonResponse({"ok": False, "message": message}, status=400)
        messages.error(request, message)
        return redirect(_page(convoy, stage))
    action = form.cleaned_data["action"]
    try:
        if action == "scan":
            load = services.convoy_scan(
                user=request.user, convoy=convoy, code=form.cleaned_data["code"], stage=stage
            )
            action = "boarded" if stage == "departure" else "arrived"
        else:
            found = ConvoyLoad.objects.filter(
                convoy=convoy, public_id=form.cleaned_data["load"]
            ).first()
            if found is None:
                raise Http404
            load = services.convoy_check(
                user=request.user, convoy=convoy, load=found, action=action
            )
    except ApplicationError as exc:
        if json:
            return JsonResponse(
                {"ok": False, "code": exc.code, "message": str(exc.message)},
                status=exc.status_code,
            )
        messages.error(request, str(exc.message))
        return redirect(_page(convoy, stage))
    message = _load_message(load, action)
    if json:
        board = services.convoy_check_board(convoy)
        return JsonResponse(
            {
                "ok": True,
                "message": message,
                "load": str(load.public_id),
                "status": load.status,
                "status_label": load.get_status_display(),
                "vehicle": load.convoy_vehicle.vehicle.plate_number if load.convoy_vehicle else "",
                "counts": board["counts"],
                "people": board["people"],
            }
        )
    messages.success(request, message)
    return redirect(f"{_page(convoy, stage)}#load-{load.public_id}")


@login_required
@require_POST
def convoy_rebalance(request: HttpRequest, public_id: Any) -> HttpResponse:
    convoy = _convoy(request, public_id, MANAGE)
    try:
        result = services.convoy_rebalance(user=request.user, convoy=convoy)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(_page(convoy, "departure"))
    messages.success(
        request,
        _("Re-balanced: %(ids)s removed from the convoy and postponed.")
        % {"ids": ", ".join(result["removed"])},
    )
    if result["moved"]:
        moved = "; ".join(
            f"{m['registration_id']}: {m['from']} → {m['to']}" for m in result["moved"]
        )
        messages.warning(request, _("Changed vehicle: %(moves)s.") % {"moves": moved})
    else:
        messages.info(request, _("No household had to change vehicle."))
    return redirect(_page(convoy, "departure"))


@login_required
@require_POST
def convoy_depart(request: HttpRequest, public_id: Any) -> HttpResponse:
    convoy = _convoy(request, public_id, MANAGE)
    try:
        services.convoy_depart(user=request.user, convoy=convoy)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(_page(convoy, "departure"))
    messages.success(request, _("Convoy %(ref)s departed.") % {"ref": convoy.reference})
    return redirect(_page(convoy, "arrival"))


@login_required
@require_POST
def convoy_complete(request: HttpRequest, public_id: Any) -> HttpResponse:
    convoy = _convoy(request, public_id, MANAGE)
    form = CompleteForm(request.POST, prefix="complete")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.convoy_complete(user=request.user, convoy=convoy, reason=reason)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(_page(convoy, "arrival"))
    messages.success(request, _("Convoy %(ref)s arrived.") % {"ref": convoy.reference})
    return redirect(_page(convoy, "arrival"))


def _back(convoy: Convoy, where: str) -> str:
    if where in STAGE_STATUS:
        return _page(convoy, where)
    return reverse("transport:convoy_detail", args=[convoy.public_id])


@login_required
def incident_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The incident form, reached from the departure and arrival pages and the convoy's
    page (`?next=departure|arrival|detail`); `?kind=missing` names the households not
    checked in yet."""
    convoy = _convoy(request, public_id, MANAGE)
    where = request.GET.get("next") or request.POST.get("next") or _stage_of(convoy)
    initial: dict[str, Any] | None = None
    if request.method != "POST" and request.GET.get("kind") == Incident.Kind.MISSING:
        _all, uncovered = services.missing_households(convoy)
        initial = {
            "kind": Incident.Kind.MISSING,
            "severity": Incident.Severity.HIGH,
            "households": list(
                MovementHousehold.objects.filter(
                    loads__convoy=convoy, household__registration_id__in=uncovered
                )
            ),
            "description": _("Not checked in on arrival: %(ids)s") % {"ids": ", ".join(uncovered)},
        }
    kwargs: dict[str, Any] = {"convoy": convoy}
    form = IncidentForm(request.POST or None, **kwargs)
    if initial:
        form.initial.update(initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_record(user=request.user, convoy=convoy, **form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect(_back(convoy, where))
    return render(
        request,
        "transport/checks/incident_form.html",
        {
            "convoy": convoy,
            "form": form,
            "next": where,
            "back": _back(convoy, where),
            "open": convoy.status in services.INCIDENT_STATUSES,
        },
        status=400 if form.errors else 200,
    )

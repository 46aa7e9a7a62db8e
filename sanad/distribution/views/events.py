"""A distribution event: the households expected there (received or not yet), the
refusals with their reasons, dispatching kits to it, closing it with the
reconciliation (dispatched = distributed + returned + lost), and cancelling it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.distribution import services
from sanad.distribution.forms import CloseForm, DispatchForm, ReasonForm, apply_errors
from sanad.distribution.models import CLOSE, MANAGE, RECORD, Event, Expected, Receipt, Refusal
from sanad.distribution.views.common import allowed, event_for
from sanad.distribution.views.plans import _history, _qty

STATUS = Event.Status
VIEW_HOUSEHOLD = "registry.view_household"
DISPATCH_STOCK = "stock.record_movement"


def _expected_page(request: HttpRequest, event: Event) -> Any:
    received = Receipt.objects.filter(
        event=event, household=OuterRef("household"), status=Receipt.Status.RECEIVED
    )
    rows = (
        Expected.objects.filter(event=event)
        .select_related("household")
        .annotate(received=Exists(received))
        .order_by("household__registration_id")
    )
    show = request.GET.get("show", "all")
    if show == "received":
        rows = rows.filter(received=True)
    elif show == "waiting":
        rows = rows.filter(received=False)
    search = request.GET.get("q", "").strip().upper()
    if search:
        rows = rows.filter(household__registration_id__startswith=search)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    if has_permission(request.user, VIEW_HOUSEHOLD):
        from sanad.targeting.selectors import heads_for

        heads = heads_for([e.household_id for e in entries])
        for e in entries:
            e.head = heads.get(e.household_id)  # type: ignore[attr-defined]
    receipts = {
        r.household_id: r
        for r in Receipt.objects.filter(
            event=event, household_id__in=[e.household_id for e in entries]
        ).select_related("collected_by", "created_by")
    }
    for e in entries:
        e.receipt = receipts.get(e.household_id)  # type: ignore[attr-defined]
    return page, entries, show, search


@login_required
def event_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id)
    page, entries, show, search = _expected_page(request, event)
    received = Receipt.objects.filter(event=event, status=Receipt.Status.RECEIVED).count()
    refusals = list(
        Refusal.objects.filter(event=event).select_related("household", "by").order_by("-at")[:200]
    )
    manage = allowed(request, event, MANAGE)
    close = allowed(request, event, CLOSE)
    status = event.status
    outstanding = event.dispatched - event.distributed
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "distribution/event_detail.html",
        {
            "event": event,
            "plan": event.plan,
            "page": page,
            "entries": entries,
            "show": show,
            "search": search,
            "querystring": params.urlencode(),
            "received": received,
            "refusals": refusals,
            "history": _history(event),
            "outstanding": outstanding,
            "can_record": allowed(request, event, RECORD) and status == STATUS.OPEN,
            "can_dispatch": _may_dispatch(request, event)
            and status in (STATUS.PLANNED, STATUS.OPEN),
            "can_cancel": manage and status == STATUS.PLANNED,
            "can_close": close and status == STATUS.OPEN,
            "dispatch_form": DispatchForm(),
            "close_form": CloseForm(initial={"returned": _qty(max(outstanding, Decimal(0)))}),
            "cancel_form": ReasonForm(),
            "see_names": has_permission(request.user, VIEW_HOUSEHOLD),
        },
    )


def _may_dispatch(request: HttpRequest, event: Event) -> bool:
    """The plan's managers, and warehouse officers (who send the kits out)."""
    return allowed(request, event, MANAGE) or allowed(request, event, DISPATCH_STOCK)


def _back(event: Event) -> HttpResponse:
    return redirect("distribution:event_detail", public_id=event.public_id)


@login_required
@require_POST
def event_dispatch(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id)
    if not _may_dispatch(request, event):
        raise DjangoPermissionDenied
    form = DispatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of kits to dispatch, or leave it empty."))
        return _back(event)
    before = event.dispatched
    try:
        services.event_dispatch(
            user=request.user, event=event, quantity=form.cleaned_data.get("quantity")
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        event.refresh_from_db()
        messages.success(
            request,
            _("%(n)s kits dispatched to the event; it is open for distribution.")
            % {"n": _qty(event.dispatched - before)},
        )
    return _back(event)


@login_required
@require_POST
def event_close(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id, CLOSE)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.event_close(
                user=request.user,
                event=event,
                returned=form.cleaned_data["returned"],
                reason=form.cleaned_data.get("reason") or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            event.refresh_from_db()
            messages.success(
                request,
                _(
                    "Closed and reconciled: %(d)s dispatched = %(s)s distributed + "
                    "%(r)s returned + %(l)s lost."
                )
                % {
                    "d": _qty(event.dispatched),
                    "s": _qty(event.distributed),
                    "r": _qty(event.returned),
                    "l": _qty(event.lost),
                },
            )
            return _back(event)
    for error in form.non_field_errors():
        messages.error(request, str(error))
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(request, f"{form.fields[name].label}: {errors[0]}")
    return _back(event)


@login_required
@require_POST
def event_cancel(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id)
    if not allowed(request, event, MANAGE):
        raise DjangoPermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the event is cancelled."))
        return _back(event)
    try:
        services.event_cancel(user=request.user, event=event, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The event is cancelled."))
    return _back(event)

"""Movement requests: list, create, edit, detail with its households, status actions,
households added by id or from the origin site, export. Pages only adapt: the rules are
in `transport.services.movements`."""

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

from sanad.core.audit import personal_data_exported
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.transport.forms.movements import (
    AddHouseholdForm,
    MovementForm,
    OptionalReasonForm,
    ReasonForm,
    apply_errors,
)
from sanad.transport.models import (
    APPROVE,
    MANAGE,
    VIEW,
    MovementHousehold,
    MovementKind,
    MovementRequest,
    Passenger,
)
from sanad.transport.selectors import movements as selectors
from sanad.transport.services import movements as services
from sanad.transport.services._common import today

STATUS = MovementRequest.Status
ROW = MovementHousehold.Status


def _date_param(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class MovementListView(ScopedListView):
    model = MovementRequest
    template_name = "transport/movements/movement_list.html"
    filters: dict[str, str]
    search_fields = ("reference", "origin__name_en", "destination__name_en", "notes")
    sort_fields = {
        "reference": "reference",
        "date": "requested_date",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "-date"

    def get_base_queryset(self) -> QuerySet[MovementRequest]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("status", "kind", "governorate", "from", "to")
        }
        qs = selectors.movements_visible(self.request.user)
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["kind"] in MovementKind.values:
            qs = qs.filter(kind=f["kind"])
        if f["governorate"]:
            qs = qs.filter(governorates__pcode=f["governorate"])
        start, end = _date_param(f["from"]), _date_param(f["to"])
        if start:
            qs = qs.filter(requested_date__gte=start)
        if end:
            qs = qs.filter(requested_date__lte=end)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            kinds=MovementKind.choices,
            governorates=AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by(
                "name_en"
            ),
            can_manage=has_permission(self.request.user, MANAGE),
            search_placeholder=_("Reference, place or note"),
        )
        return ctx


def _movement(request: HttpRequest, public_id: Any, permission: str = VIEW) -> MovementRequest:
    require_permission(request, permission)
    try:
        return selectors.movement_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _row(request: HttpRequest, public_id: Any, permission: str = VIEW) -> MovementHousehold:
    require_permission(request, permission)
    try:
        return selectors.movement_household_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


def _to_detail(request: HttpRequest, movement: MovementRequest, message: str = "") -> HttpResponse:
    if message:
        messages.success(request, message)
    if can_reach(request.user, movement, VIEW):
        return redirect("transport:movement_detail", public_id=movement.public_id)
    return redirect("transport:movement_list")


def _service_error(form: Any, exc: ApplicationError) -> None:
    if isinstance(exc, ValidationFailed) or exc.fields:
        apply_errors(form, exc)
    else:
        form.add_error(None, str(exc.message))


@login_required
def movement_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    form = MovementForm(
        request.POST or None, user=request.user, initial={"requested_date": today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.movement_create(user=request.user, **form.service_data())
        except ApplicationError as exc:
            _service_error(form, exc)
        else:
            return _to_detail(
                request,
                movement,
                _("Movement request %(ref)s is created as a draft.") % {"ref": movement.reference},
            )
    return render(
        request,
        "transport/movements/movement_form.html",
        {"form": form, "movement": None},
        status=400 if form.errors else 200,
    )


@login_required
def movement_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    movement = _movement(request, public_id, MANAGE)
    initial = {
        "kind": movement.kind,
        "origin": movement.origin.public_id,
        "destination": movement.destination.public_id if movement.destination else None,
        "destination_admin_unit": (
            movement.destination_admin_unit.pcode if movement.destination_admin_unit else None
        ),
        "requested_date": movement.requested_date,
        "project": movement.project.public_id if movement.project else None,
        "notes": movement.notes,
    }
    form = MovementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.movement_update(
                user=request.user, request=movement, **form.service_data()
            )
        except ApplicationError as exc:
            _service_error(form, exc)
        else:
            return _to_detail(request, movement, _("The request is saved."))
    return render(
        request,
        "transport/movements/movement_form.html",
        {"form": form, "movement": movement},
        status=400 if form.errors else 200,
    )


def _movement_page(
    request: HttpRequest,
    movement: MovementRequest,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE) and can_reach(user, movement, MANAGE)
    approve = has_permission(user, APPROVE) and can_reach(user, movement, APPROVE)
    forms = forms or {}
    for name, form_class in (
        ("add", AddHouseholdForm),
        ("return", ReasonForm),
        ("cancel", ReasonForm),
        ("complete", OptionalReasonForm),
    ):
        forms.setdefault(name, form_class(prefix=name))
    site = selectors.origin_site_of(movement)
    open_for_households = movement.status in (STATUS.DRAFT, STATUS.APPROVED, STATUS.IN_PROGRESS)
    rows = selectors.movement_households(movement)
    return render(
        request,
        "transport/movements/movement_detail.html",
        {
            "movement": movement,
            "rows": rows,
            "ready_count": sum(1 for r in rows if getattr(r, "ready", False)),
            "history": list(selectors.movement_history(movement)),
            "convoys": list(selectors.movement_convoys(movement)),
            "can_manage": manage,
            "can_approve": approve
            and movement.status == STATUS.SUBMITTED
            and movement.submitted_by_id != user.pk,
            "submitted_by_me": movement.submitted_by_id == user.pk,
            "can_return": (manage or approve) and movement.status == STATUS.SUBMITTED,
            "can_cancel": (manage or approve)
            and movement.status in (STATUS.DRAFT, STATUS.SUBMITTED, STATUS.APPROVED),
            "can_convoy": manage and movement.status in (STATUS.APPROVED, STATUS.IN_PROGRESS),
            "open_for_households": manage and open_for_households,
            "site": site,
            "residents_left": selectors.origin_residents_not_on_request(movement, site)
            if manage and open_for_households
            else 0,
            "can_register": manage
            and open_for_households
            and movement.kind == MovementKind.BORDER_RECEPTION
            and has_permission(user, "registry.manage_household"),
            "forms": forms,
        },
        status=status,
    )


@login_required
def movement_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _movement_page(request, _movement(request, public_id))


MOVEMENT_ACTIONS: dict[str, tuple[str, Any]] = {
    "submit": (STATUS.SUBMITTED, None),
    "approve": (STATUS.APPROVED, None),
    "return": (STATUS.DRAFT, ReasonForm),
    "cancel": (STATUS.CANCELLED, ReasonForm),
    "complete": (STATUS.COMPLETED, OptionalReasonForm),
}


@login_required
@require_POST
def movement_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in MOVEMENT_ACTIONS:
        raise Http404
    to, form_class = MOVEMENT_ACTIONS[action]
    approver_only = action in ("return", "cancel") and not has_permission(request.user, MANAGE)
    permission = APPROVE if action == "approve" or approver_only else MANAGE
    movement = _movement(request, public_id, permission)
    form: Any = form_class(request.POST, prefix=action) if form_class else OptionalReasonForm()
    if form_class is None or form.is_valid():
        reason = form.cleaned_data.get("reason", "") if form_class else ""
        try:
            services.movement_transition(user=request.user, request=movement, to=to, reason=reason)
        except ApplicationError as exc:
            if exc.status_code == 403:
                raise
            if exc.status_code == 404:
                raise Http404 from exc
            if form_class is None:
                messages.error(request, str(exc.message))
                return redirect("transport:movement_detail", public_id=movement.public_id)
            _service_error(form, exc)
        else:
            messages_text = {
                "submit": _("The request is submitted for approval."),
                "approve": _("The request is approved: convoys can be planned."),
                "return": _("The request is returned to draft."),
                "cancel": _("The request is cancelled."),
                "complete": _("The request is completed."),
            }
            return _to_detail(request, movement, messages_text[action])
    return _movement_page(request, _movement(request, public_id), {action: form}, status=400)


@login_required
@require_POST
def movement_household_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    movement = _movement(request, public_id, MANAGE)
    form = AddHouseholdForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            row = services.movement_household_add_by_id(
                user=request.user,
                request=movement,
                registration_id=form.cleaned_data["registration_id"],
            )
        except ApplicationError as exc:
            if exc.status_code == 403:
                raise
            _service_error(form, exc)
        else:
            return _to_detail(
                request,
                movement,
                _("Household %(id)s is added.") % {"id": row.household.registration_id},
            )
    return _movement_page(request, movement, {"add": form}, status=400)


@login_required
@require_POST
def movement_households_from_site(request: HttpRequest, public_id: Any) -> HttpResponse:
    movement = _movement(request, public_id, MANAGE)
    site = selectors.origin_site_of(movement)
    before = selectors.origin_residents_not_on_request(movement, site)
    try:
        added = services.movement_households_from_site(user=request.user, request=movement)
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, str(exc.message))
        return redirect("transport:movement_detail", public_id=movement.public_id)
    skipped = before - added
    text = _("%(n)d households living on the site are added.") % {"n": added}
    if skipped > 0:
        text += " " + _(
            "%(n)d were left out: not active in the registry, or already on another "
            "movement request."
        ) % {"n": skipped}
    return _to_detail(request, movement, text)


@login_required
def movement_export(request: HttpRequest, public_id: Any) -> HttpResponse:
    movement = _movement(request, public_id)
    data, count = selectors.movement_households_xlsx(movement)
    personal_data_exported(
        user=request.user,
        model=Passenger,
        purpose=f"movement households xlsx ({movement.reference})",
        route=request.path,
        record_count=count,
    )
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{movement.reference}-households.xlsx"'
    return response

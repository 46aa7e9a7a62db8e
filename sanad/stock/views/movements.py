"""Stock movements: the list, one document (its lines, ledger entries, history and the
next steps its status allows), and the forms that create them: receive stock, transfer
it (then dispatch, mark in transit, receive with losses), assemble kits, request an
adjustment, record a physical count. Each form posts a `request_key` made when the form
was shown, so pressing the button twice posts once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView, ScopedMixin
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.stock import selectors, services
from sanad.stock.forms import (
    AdjustmentForm,
    AdjustmentLineFormSet,
    CountForm,
    CountStartForm,
    KittingForm,
    MovementFilter,
    ReceiptForm,
    ReceiptLineFormSet,
    TransferForm,
    TransferLineFormSet,
)
from sanad.stock.models import APPROVE, RECORD, VIEW, Movement
from sanad.stock.views import _queries
from sanad.stock.views.common import allowed, found, lines_of, show_error, status

KIND, STATUS = Movement.Kind, Movement.Status


class _SelectorScoped(ScopedMixin):
    """The base queryset is already what the user may see (`movements_visible_to`
    adds the transfers coming into their warehouses, which plain scoping by the
    sending warehouse would hide)."""

    def get_queryset(self) -> QuerySet[Any]:
        return self.get_base_queryset()


class MovementListView(ScopedListView, _SelectorScoped):
    model = Movement
    permission = VIEW
    template_name = "stock/movement_list.html"
    template_partial = "stock/_movement_table.html"
    filterset_class = MovementFilter
    search_fields = ("number", "supplier", "delivery_note", "batch", "notes")
    sort_fields = {
        "number": "number",
        "date": "date",
        "kind": "kind",
        "status": "status",
        "warehouse": "warehouse__name",
    }
    default_sort = "-date"

    def get_base_queryset(self) -> QuerySet[Movement]:
        return selectors.movements_visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_record"] = has_permission(self.request.user, RECORD)
        ctx["search_placeholder"] = _("Number, supplier, delivery note or batch")
        return ctx


def _movement(request: HttpRequest, public_id: Any) -> Movement:
    return found(selectors.movement_get, user=request.user, public_id=public_id)


def _actions(request: HttpRequest, m: Movement) -> dict[str, Any]:
    user = request.user
    at_source = allowed(request, m.warehouse, RECORD)
    at_destination = m.to_warehouse is not None and allowed(request, m.to_warehouse, RECORD)
    approver = allowed(request, m.warehouse, APPROVE)
    mine = m.created_by_id is not None and m.created_by_id == user.pk
    review = m.kind in (KIND.ADJUSTMENT, KIND.COUNT) and m.status == STATUS.REQUESTED
    transfer = m.kind == KIND.TRANSFER
    return {
        "can_dispatch": transfer and m.status == STATUS.DRAFT and at_source,
        "can_in_transit": transfer and m.status == STATUS.DISPATCHED and at_source,
        "can_receive": transfer
        and m.status in (STATUS.DISPATCHED, STATUS.IN_TRANSIT)
        and at_destination,
        "can_approve": review and approver and not mine,
        "waiting_for_other": review and approver and mine,
        "can_cancel": m.status in (STATUS.DRAFT, STATUS.REQUESTED) and at_source,
    }


@login_required
def movement_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    m = _movement(request, public_id)
    lines = list(m.lines.all())
    for line in lines:
        if line.counted is not None and line.expected is not None:
            line.difference = line.counted - line.expected  # type: ignore[attr-defined]
    entries = m.entries.select_related("item", "project", "warehouse").order_by("id")
    history = list(selectors.movement_history(m))
    labels = dict(STATUS.choices)
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return render(
        request,
        "stock/movement_detail.html",
        {
            "m": m,
            "lines": lines,
            "entries": entries,
            "history": history,
            **_actions(request, m),
        },
    )


@login_required
@require_POST
def movement_action(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The next step of a document: dispatch or mark a transfer in transit; approve or
    reject an adjustment or a count."""
    require_permission(request, VIEW)
    m = _movement(request, public_id)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()
    allowed_now = _actions(request, m)
    calls: dict[str, Any] = {
        "dispatch": (allowed_now["can_dispatch"], services.transfer_dispatch, {}),
        "in_transit": (allowed_now["can_in_transit"], services.transfer_mark_in_transit, {}),
    }
    if m.kind == KIND.ADJUSTMENT:
        calls["approve"] = (allowed_now["can_approve"], services.adjustment_approve, {})
        calls["reject"] = (
            allowed_now["can_approve"],
            services.adjustment_reject,
            {"reason": reason},
        )
    elif m.kind == KIND.COUNT:
        calls["approve"] = (allowed_now["can_approve"], services.count_approve, {})
        calls["reject"] = (allowed_now["can_approve"], services.count_reject, {"reason": reason})
    calls["cancel"] = (allowed_now["can_cancel"], services.movement_cancel, {"reason": reason})
    if action not in calls:
        messages.error(request, _("This step is not possible for this document."))
        return redirect("stock:movement_detail", public_id=m.public_id)
    ok, service, extra = calls[action]
    if not ok:
        raise DjangoPermissionDenied
    try:
        service(user=request.user, movement=m, **extra)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        done = {
            "dispatch": _("The transfer was dispatched: the stock left the warehouse."),
            "in_transit": _("The transfer is marked in transit."),
            "approve": _("Approved: the differences were posted to the stock ledger."),
            "reject": _("Rejected: nothing was posted."),
            "cancel": _("The document was cancelled: nothing was posted."),
        }
        messages.success(request, done[action])
    return redirect("stock:movement_detail", public_id=m.public_id)


# --- forms -------------------------------------------------------------------------------


HEADINGS = {
    "stock/receipt_form.html": (gettext_lazy("Receive stock"), gettext_lazy("Post the receipt")),
    "stock/transfer_form.html": (
        gettext_lazy("Transfer stock"),
        gettext_lazy("Prepare the transfer"),
    ),
    "stock/adjustment_form.html": (
        gettext_lazy("Request an adjustment"),
        gettext_lazy("Request the adjustment"),
    ),
    "stock/kitting_form.html": (gettext_lazy("Assemble kits"), ""),
}


def _render_form(
    request: HttpRequest, template: str, form: Any, formset: Any = None, **extra: Any
) -> HttpResponse:
    heading, submit = HEADINGS[template]
    extra.setdefault("heading", heading)
    extra.setdefault("submit", submit)
    return render(
        request,
        template,
        {"form": form, "formset": formset, **extra},
        status=status(form, *([formset] if formset is not None else [])),
    )


def _done(request: HttpRequest, m: Movement, message: str) -> HttpResponse:
    messages.success(request, message % {"number": m.number})
    return redirect("stock:movement_detail", public_id=m.public_id)


@login_required
def receipt_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, RECORD)
    form = ReceiptForm(request.POST or None, user=request.user)
    formset = ReceiptLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        lines = []
        for row in lines_of(formset):
            line = {"item": row["item"], "quantity": row["quantity"]}
            if row.get("unit_cost") is not None:
                line["unit_cost"] = row["unit_cost"]
            lines.append(line)
        try:
            m = services.receipt_record(
                user=request.user,
                warehouse=data["warehouse"],
                project=data["project"],
                date=data["date"],
                lines=lines,
                supplier=data["supplier"],
                donor=data["donor"],
                delivery_note=data["delivery_note"],
                batch=data["batch"],
                notes=data["notes"],
                request_key=data["request_key"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            return _done(request, m, _("Receipt %(number)s was posted to the stock."))
    return _render_form(request, "stock/receipt_form.html", form, formset)


@login_required
def transfer_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, RECORD)
    form = TransferForm(request.POST or None, user=request.user)
    formset = TransferLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            m = services.transfer_create(
                user=request.user,
                from_warehouse=data["warehouse"],
                to_warehouse=data["to_warehouse"],
                project=data["project"],
                date=data["date"],
                lines=[{"item": r["item"], "quantity": r["quantity"]} for r in lines_of(formset)],
                notes=data["notes"],
                request_key=data["request_key"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            return _done(
                request, m, _("Transfer %(number)s was prepared. Dispatch it when it leaves.")
            )
    return _render_form(request, "stock/transfer_form.html", form, formset)


@login_required
def transfer_receive(request: HttpRequest, public_id: Any) -> HttpResponse:
    """What arrived of each line of a transfer; the rest is recorded as lost, with a
    reason."""
    require_permission(request, RECORD)
    m = _movement(request, public_id)
    if not _actions(request, m)["can_receive"]:
        if m.kind != KIND.TRANSFER or m.status not in (STATUS.DISPATCHED, STATUS.IN_TRANSIT):
            messages.error(request, _("Only a dispatched transfer can be received."))
            return redirect("stock:movement_detail", public_id=m.public_id)
        raise DjangoPermissionDenied
    lines = list(m.lines.select_related("item", "project").order_by("id"))
    errors: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        received: dict[int, dict[str, Any]] = {}
        for line in lines:
            raw = request.POST.get(f"received_{line.pk}", "").strip()
            try:
                value = Decimal(raw) if raw != "" else line.quantity
            except ArithmeticError:
                errors[f"received_{line.pk}"] = _("Enter a number.")
                continue
            received[line.pk] = {
                "received": value,
                "loss_reason": request.POST.get(f"loss_reason_{line.pk}", "").strip(),
            }
        if not errors:
            try:
                services.transfer_receive(user=request.user, movement=m, received=received)
            except ApplicationError as exc:
                general.append(str(exc.message))
                # "received.<line>.received" / "received.<line>.loss_reason": beside the line.
                for key, msgs in (getattr(exc, "fields", None) or {}).items():
                    parts = key.split(".")
                    first = msgs[0] if isinstance(msgs, list | tuple) else msgs
                    if len(parts) == 3 and parts[0] == "received":
                        errors[f"received_{parts[1]}"] = str(first)
            else:
                messages.success(request, _("The transfer was received."))
                return redirect("stock:movement_detail", public_id=m.public_id)
    for line in lines:
        line.value = request.POST.get(f"received_{line.pk}", line.quantity)  # type: ignore[attr-defined]
        line.reason_value = request.POST.get(f"loss_reason_{line.pk}", "")  # type: ignore[attr-defined]
        line.error = errors.get(f"received_{line.pk}", "")  # type: ignore[attr-defined]
    return render(
        request,
        "stock/transfer_receive.html",
        {"m": m, "lines": lines, "general": general},
        status=400 if errors or general else 200,
    )


def _kitting_preview(form: KittingForm) -> dict[str, Any]:
    """The components the kits need against what the warehouse has available for the
    project, when the form holds enough to tell."""
    data = getattr(form, "cleaned_data", {}) or {}
    warehouse, kit, project = data.get("warehouse"), data.get("kit"), data.get("project")
    quantity, day = data.get("quantity"), data.get("date")
    if not (warehouse and kit and project and quantity and day):
        return {}
    try:
        version = selectors.kit_version_on(kit=kit, day=day)
    except ApplicationError as exc:
        return {"preview_error": str(exc.message)}
    rows = []
    for component in version.components.select_related("item").order_by("item__code"):
        needed = component.quantity * quantity
        have = selectors.available(warehouse=warehouse, item=component.item, project=project)
        rows.append(
            {
                "item": component.item,
                "per_kit": component.quantity,
                "needed": needed,
                "available": have,
                "short": max(needed - have, Decimal(0)),
            }
        )
    return {
        "preview": rows,
        "version": version,
        "enough": all(r["short"] == 0 for r in rows),
    }


@login_required
def kitting_create(request: HttpRequest) -> HttpResponse:
    """Assemble kits: the page first shows the components needed against what is
    available (also live, through HTMX, as the form is filled), then records."""
    require_permission(request, RECORD)
    form = KittingForm(request.POST or None, user=request.user)
    valid = request.method == "POST" and form.is_valid()
    if valid and request.POST.get("confirm") == "1" and not request.headers.get("HX-Request"):
        data = form.cleaned_data
        try:
            m = services.kitting_record(
                user=request.user,
                warehouse=data["warehouse"],
                kit=data["kit"],
                quantity=data["quantity"],
                project=data["project"],
                date=data["date"],
                request_key=data["request_key"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            return _done(request, m, _("Kitting %(number)s was posted: the kits are in stock."))
    preview = _kitting_preview(form) if valid else {}
    if request.headers.get("HX-Request"):
        return render(request, "stock/_kitting_preview.html", {"form": form, **preview})
    return _render_form(request, "stock/kitting_form.html", form, **preview)


@login_required
def adjustment_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, RECORD)
    form = AdjustmentForm(request.POST or None, user=request.user)
    formset = AdjustmentLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            m = services.adjustment_request(
                user=request.user,
                warehouse=data["warehouse"],
                project=data["project"],
                date=data["date"],
                reason=data["reason"],
                lines=[
                    {"item": r["item"], "quantity": r["quantity"], "direction": r["direction"]}
                    for r in lines_of(formset)
                ],
                notes=data["notes"],
                **_key(services.adjustment_request, data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            return _done(
                request, m, _("Adjustment %(number)s was requested. Another person approves it.")
            )
    return _render_form(request, "stock/adjustment_form.html", form, formset)


def _key(service: Any, data: dict[str, Any]) -> dict[str, Any]:
    """`request_key` for the services that take one (adjustments and counts may not)."""
    import inspect

    params = inspect.signature(service).parameters
    return {"request_key": data["request_key"]} if "request_key" in params else {}


@login_required
def count_create(request: HttpRequest) -> HttpResponse:
    """A physical count: pick the warehouse, then fill the sheet of what its book holds
    (balances hidden unless asked for); the differences are posted when another person
    approves."""
    require_permission(request, RECORD)
    start = CountStartForm(request.GET or None, user=request.user)
    if not start.is_bound or not start.is_valid():
        return render(
            request,
            "stock/count_start.html",
            {"start": start},
            status=400 if start.errors else 200,
        )
    warehouse = start.cleaned_data["warehouse"]
    rows = _queries.count_sheet(warehouse)
    form = CountForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.count_record(
                user=request.user,
                warehouse=warehouse,
                date=form.cleaned_data["date"],
                lines=form.lines(),
                notes=form.cleaned_data["notes"],
                **_key(services.count_record, form.cleaned_data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            return _done(
                request,
                m,
                _("Count %(number)s was recorded. Another person reviews the differences."),
            )
    return render(
        request,
        "stock/count_form.html",
        {
            "form": form,
            "warehouse": warehouse,
            "show_book": start.cleaned_data["show_book"],
            "rows": form.bound_rows(),
        },
        status=400 if form.errors else 200,
    )

"""Warehouses: the list, one warehouse (its balances, low-stock levels and latest
movements), adding and editing one, and the stock card of an item in a warehouse."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.programmes.models import Project
from sanad.stock import selectors, services
from sanad.stock.forms import ThresholdForm, WarehouseForm
from sanad.stock.models import (
    MANAGE_WAREHOUSE,
    RECORD,
    VIEW,
    Item,
    StockBalance,
    Threshold,
    Warehouse,
)
from sanad.stock.views import _queries
from sanad.stock.views.common import allowed, get_scoped, show_error, status

RECENT = 20


class WarehouseListView(ScopedListView):
    model = Warehouse
    permission = VIEW
    template_name = "stock/warehouse_list.html"
    search_fields = ("code", "name", "place__name_en", "place__name_ar")
    sort_fields = {"code": "code", "name": "name", "place": "place__name_en"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Warehouse]:
        return Warehouse.objects.select_related(
            "place__admin_unit__governorate", "manager"
        ).annotate(
            item_count=Count("balances__item", filter=Q(balances__quantity__gt=0), distinct=True)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, MANAGE_WAREHOUSE)
        ctx["search_placeholder"] = _("Code, name or place")
        return ctx


def _warehouse_args(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("name", "place", "manager") if k in data}


@login_required
def warehouse_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_WAREHOUSE)
    form = WarehouseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = services.warehouse_create(
                user=request.user,
                code=form.cleaned_data["code"],
                **_warehouse_args(form.cleaned_data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The warehouse was added."))
            return redirect("stock:warehouse_detail", public_id=warehouse.public_id)
    return render(
        request,
        "stock/warehouse_form.html",
        {"form": form, "warehouse": None},
        status=status(form),
    )


@login_required
def warehouse_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_WAREHOUSE)
    warehouse = get_scoped(
        Warehouse.objects.select_related("place", "manager"),
        request,
        MANAGE_WAREHOUSE,
        public_id=public_id,
    )
    initial = {
        "code": warehouse.code,
        "name": warehouse.name,
        "place": warehouse.place.public_id,
        "manager": warehouse.manager.public_id if warehouse.manager else None,
        "active": warehouse.active,
    }
    form = WarehouseForm(
        request.POST or None, user=request.user, warehouse=warehouse, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.warehouse_update(
                user=request.user,
                warehouse=warehouse,
                active=form.cleaned_data["active"],
                **_warehouse_args(form.cleaned_data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The warehouse was saved."))
            return redirect("stock:warehouse_detail", public_id=warehouse.public_id)
    return render(
        request,
        "stock/warehouse_form.html",
        {"form": form, "warehouse": warehouse},
        status=status(form),
    )


def _warehouse_page(
    request: HttpRequest, warehouse: Warehouse, threshold_form: Any, code: int = 200
) -> HttpResponse:
    rows = _queries.decorate(
        _queries.balances_by_warehouse_item(StockBalance.objects.filter(warehouse=warehouse))
    )
    by_project = (
        StockBalance.objects.filter(warehouse=warehouse, quantity__gt=0)
        .select_related("item", "project")
        .order_by("item__category", "item__code", "project__code")
    )
    thresholds = (
        Threshold.objects.filter(warehouse=warehouse)
        .select_related("item")
        .order_by("item__category", "item__code")
    )
    recent = (
        selectors.movements_visible_to(request.user)
        .filter(Q(warehouse=warehouse) | Q(to_warehouse=warehouse))
        .order_by("-date", "-id")[:RECENT]
    )
    manage = allowed(request, warehouse, MANAGE_WAREHOUSE)
    return render(
        request,
        "stock/warehouse_detail.html",
        {
            "warehouse": warehouse,
            "rows": rows,
            "by_project": by_project,
            "thresholds": thresholds,
            "recent": recent,
            "can_manage": manage,
            "can_record": allowed(request, warehouse, RECORD),
            "threshold_form": threshold_form if manage else None,
        },
        status=code,
    )


@login_required
def warehouse_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    warehouse = get_scoped(
        Warehouse.objects.select_related("place__admin_unit", "manager"),
        request,
        VIEW,
        public_id=public_id,
    )
    return _warehouse_page(request, warehouse, ThresholdForm())


@login_required
@require_POST
def threshold_set(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_WAREHOUSE)
    warehouse = get_scoped(
        Warehouse.objects.select_related("place__admin_unit", "manager"),
        request,
        MANAGE_WAREHOUSE,
        public_id=public_id,
    )
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.threshold_set(user=request.user, warehouse=warehouse, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The low-stock level was saved."))
            return redirect("stock:warehouse_detail", public_id=warehouse.public_id)
    return _warehouse_page(request, warehouse, form, code=400)


@login_required
def stock_card(request: HttpRequest, public_id: Any, item: Any) -> HttpResponse:
    require_permission(request, VIEW)
    warehouse = get_scoped(
        Warehouse.objects.select_related("place"), request, VIEW, public_id=public_id
    )
    item_obj = get_scoped(Item.objects.all(), request, VIEW, public_id=item)
    projects = Project.objects.filter(
        pk__in=StockBalance.objects.filter(warehouse=warehouse, item=item_obj).values("project")
    ).order_by("code")
    project = None
    wanted = request.GET.get("project", "")
    if wanted:
        project = next((p for p in projects if str(p.public_id) == wanted), None)
    entries = selectors.stock_card(warehouse=warehouse, item=item_obj, project=project)
    return render(
        request,
        "stock/stock_card.html",
        {
            "warehouse": warehouse,
            "item": item_obj,
            "projects": projects,
            "project": project,
            "entries": entries,
        },
    )

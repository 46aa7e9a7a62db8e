"""The stock overview: what each warehouse holds of each item (all funding projects
together), what is reserved for distributions and what is still available, the items
below their low-stock level, and the value of the stock by project."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.stock import selectors
from sanad.stock.forms import OverviewFilterForm
from sanad.stock.models import MANAGE_WAREHOUSE, RECORD, VIEW
from sanad.stock.views import _queries

PAGE = 50


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    user = request.user
    filters = OverviewFilterForm(request.GET or None, user=user)
    balances = selectors.balances_visible_to(user)
    project = None
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("warehouse"):
            balances = balances.filter(warehouse=data["warehouse"])
        if data.get("category"):
            balances = balances.filter(item__category=data["category"])
        if data.get("project"):
            project = data["project"]
            balances = balances.filter(project=project)
    rows: Any = _queries.balances_by_warehouse_item(balances)
    only_low = filters.is_valid() and filters.cleaned_data.get("low")
    if only_low:
        rows = [r for r in _queries.decorate(rows) if r["low"]]
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    object_list = list(page.object_list) if only_low else _queries.decorate(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    ctx: dict[str, Any] = {
        "filters": filters,
        "rows": object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "total_count": page.paginator.count,
        "querystring": params.urlencode(),
        "low_stock": list(selectors.low_stock(user)),
        "values": selectors.value_by_project(user),
        "can_record": has_permission(user, RECORD),
        "can_manage": has_permission(user, MANAGE_WAREHOUSE),
        "project": project,
    }
    template = (
        "stock/_overview_table.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "stock/overview.html"
    )
    return render(request, template, ctx)

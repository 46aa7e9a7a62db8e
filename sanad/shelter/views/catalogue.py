"""The price catalogue: items with the price that applies today (national, or in a
chosen governorate), an item's page with its prices and a form to set one, adding and
editing items, and importing / exporting prices as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.geo.selectors import governorates
from sanad.shelter.forms.assessments import (
    PriceImportForm,
    PriceItemForm,
    UnitPriceForm,
    apply_errors,
)
from sanad.shelter.models import MANAGE_CATALOGUE, VIEW, PriceItem, UnitPrice
from sanad.shelter.models.common import Component
from sanad.shelter.selectors import assessments as selectors
from sanad.shelter.services import catalogue as services
from sanad.shelter.services._common import today


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    q = request.GET.get("q", "").strip()
    component = request.GET.get("component", "")
    gov_code = request.GET.get("governorate", "")
    show = request.GET.get("show", "")
    items = selectors.price_items(active_only=show != "all")
    if component in Component.values:
        items = items.filter(component=component)
    if q:
        items = items.filter(
            Q(code__icontains=q)
            | Q(name_en__icontains=q)
            | Q(name_ar__icontains=q)
            | Q(name_ku__icontains=q)
        )
    governorate = (
        AdminUnit.objects.filter(pcode=gov_code, level=AdminUnit.Level.GOVERNORATE).first()
        if gov_code
        else None
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    on = today()
    prices = selectors.current_prices(list(page.object_list), on, governorate)
    rows = [{"item": item, "prices": prices.get(item.pk, {})} for item in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "shelter/catalogue/list.html",
        {
            "rows": rows,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1,
            "querystring": params.urlencode(),
            "total_count": page.paginator.count,
            "q": q,
            "component": component,
            "components": Component.choices,
            "governorate": governorate,
            "governorates": governorates(),
            "show": show,
            "on": on,
            "manage": has_permission(request.user, MANAGE_CATALOGUE),
        },
    )


def _item(public_id: Any) -> PriceItem:
    try:
        return selectors.price_item_get(public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def price_item_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    form = PriceItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.price_item_create(user=request.user, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Item %(code)s is in the catalogue. Now give it a price.") % {"code": item.code},
            )
            return redirect("shelter:price_item_edit", public_id=item.public_id)
    return render(
        request,
        "shelter/catalogue/item_form.html",
        {"form": form, "item": None},
        status=400 if form.errors else 200,
    )


@login_required
def price_item_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The item's page: its prices, and (for who manages the catalogue) its details and
    a form to set a price."""
    require_permission(request, VIEW)
    item = _item(public_id)
    manage = has_permission(request.user, MANAGE_CATALOGUE)
    if request.method == "POST" and not manage:
        raise DjangoPermissionDenied
    form = (
        PriceItemForm((request.POST if request.method == "POST" else None), initial=_initial(item))
        if manage
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.price_item_update(user=request.user, item=item, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The item is saved."))
            return redirect("shelter:price_item_edit", public_id=item.public_id)
    price_form = UnitPriceForm(initial={"valid_from": today(), "currency": "USD"})
    return _item_page(request, item, form, price_form, 400 if form and form.errors else 200)


def _initial(item: PriceItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name_en": item.name_en,
        "name_ar": item.name_ar,
        "name_ku": item.name_ku,
        "component": item.component,
        "unit": item.unit,
        "active": item.active,
    }


def _item_page(
    request: HttpRequest, item: PriceItem, form: Any, price_form: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "shelter/catalogue/item_form.html",
        {
            "item": item,
            "form": form,
            "price_form": price_form if has_permission(request.user, MANAGE_CATALOGUE) else None,
            "prices": list(selectors.prices_of(item)),
        },
        status=status,
    )


@login_required
@require_POST
def price_set(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    item = _item(public_id)
    form = UnitPriceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.unit_price_set(
                user=request.user,
                item=item,
                governorate=d.get("governorate"),
                valid_from=d["valid_from"],
                price=d["price"],
                currency=d["currency"],
                source=d.get("source") or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The price is set."))
            return redirect("shelter:price_item_edit", public_id=item.public_id)
    return _item_page(request, item, PriceItemForm(initial=_initial(item)), form, 400)


@login_required
@require_POST
def price_delete(request: HttpRequest, public_id: Any, price_id: int) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    item = _item(public_id)
    price = UnitPrice.objects.filter(item=item, pk=price_id).first()
    if price is None:
        raise Http404
    services.unit_price_delete(user=request.user, price=price)
    messages.success(request, _("The price is removed."))
    return redirect("shelter:price_item_edit", public_id=item.public_id)


@login_required
def price_import(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    form = PriceImportForm(
        (request.POST if request.method == "POST" else None),
        (request.FILES if request.method == "POST" else None),
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            n = services.prices_import(user=request.user, upload=form.cleaned_data["file"])
        except ValidationFailed as exc:
            errors = [str(m) for m in exc.fields.get("file", [])]
            form.add_error(None, str(exc.message))
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("%(n)d prices are imported.") % {"n": n})
            return redirect("shelter:catalogue")
    return render(
        request,
        "shelter/catalogue/import.html",
        {"form": form, "row_errors": errors, "columns": services.PRICE_COLUMNS},
        status=400 if form.errors else 200,
    )


@login_required
def price_export(request: HttpRequest) -> HttpResponse:
    """Every price in the import layout, as CSV (default) or XLSX (`?format=xlsx`)."""
    require_permission(request, VIEW)
    rows = services.price_rows()
    stamp = today().isoformat()
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("prices")
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="shelter-prices-{stamp}.xlsx"'
        return response
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shelter-prices-{stamp}.csv"'
    return response

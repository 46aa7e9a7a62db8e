"""The NFI catalogue: items (with their cost by project), kits as versioned bills of
items, and season windows for seasonal kits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission, scoped
from sanad.core.views import require_permission
from sanad.stock import services
from sanad.stock.forms import (
    ComponentFormSet,
    ItemCostForm,
    ItemForm,
    KitForm,
    KitVersionForm,
    SeasonForm,
)
from sanad.stock.models import (
    MANAGE_CATALOGUE,
    VIEW,
    Item,
    ItemCost,
    Kit,
    KitComponent,
    KitVersion,
    Season,
)
from sanad.stock.views.common import get_scoped, lines_of, show_error, status


class ItemListView(ScopedListView):
    model = Item
    permission = VIEW
    template_name = "stock/item_list.html"
    template_partial = "stock/_item_table.html"
    search_fields = ("code", "name_en", "name_ar", "name_ckb", "specification")
    sort_fields = {"code": "code", "name": "name_en", "category": "category", "unit": "unit"}
    default_sort = "category"

    def get_queryset(self) -> QuerySet[Item]:
        qs = super().get_queryset()
        self.category = self.request.GET.get("category", "")
        if self.category in Item.Category.values:
            qs = qs.filter(category=self.category)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_manage=has_permission(self.request.user, MANAGE_CATALOGUE),
            categories=Item.Category.choices,
            category=self.category,
            search_placeholder=_("Code, name or specification"),
        )
        return ctx


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The item was added to the catalogue."))
            return redirect("stock:item_detail", public_id=item.public_id)
    return render(
        request, "stock/item_form.html", {"form": form, "item": None}, status=status(form)
    )


@login_required
def item_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    item = get_scoped(Item.objects.all(), request, MANAGE_CATALOGUE, public_id=public_id)
    initial = {
        f: getattr(item, f)
        for f in ("code", "name_en", "name_ar", "name_ckb", "category", "unit", "specification")
    }
    initial["active"] = item.active
    form = ItemForm(request.POST or None, initial=initial, item=item)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "category")}
        if not item.is_kit:
            fields["category"] = form.cleaned_data["category"]
        try:
            services.item_update(user=request.user, item=item, **fields)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("stock:item_detail", public_id=item.public_id)
    return render(
        request, "stock/item_form.html", {"form": form, "item": item}, status=status(form)
    )


@login_required
def item_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    item = get_scoped(Item.objects.all(), request, VIEW, public_id=public_id)
    return _item_page(request, item, ItemCostForm(user=request.user))


def _item_page(request: HttpRequest, item: Item, cost_form: Any, code: int = 200) -> HttpResponse:
    costs = scoped(
        ItemCost.objects.filter(item=item).select_related("project"), request.user, VIEW
    ).order_by("project__code", "-valid_from")
    kit = Kit.objects.filter(item=item).first()
    used_in = (
        KitComponent.objects.filter(item=item)
        .select_related("version__kit")
        .order_by("version__kit__code", "-version__number")
    )
    can_manage = has_permission(request.user, MANAGE_CATALOGUE)
    return render(
        request,
        "stock/item_detail.html",
        {
            "item": item,
            "kit": kit,
            "costs": costs,
            "used_in": used_in,
            "can_manage": can_manage,
            "cost_form": cost_form if can_manage else None,
        },
        status=code,
    )


@login_required
@require_POST
def item_cost_set(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    item = get_scoped(Item.objects.all(), request, MANAGE_CATALOGUE, public_id=public_id)
    form = ItemCostForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.item_cost_set(user=request.user, item=item, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The unit cost was recorded."))
            return redirect("stock:item_detail", public_id=item.public_id)
    return _item_page(request, item, form, code=400)


# --- kits --------------------------------------------------------------------------------


class KitListView(ScopedListView):
    model = Kit
    permission = VIEW
    template_name = "stock/kit_list.html"
    search_fields = ("code", "name_en", "name_ar", "name_ckb", "description")
    sort_fields = {"code": "code", "name": "name_en", "kind": "kind"}
    default_sort = "kind"

    def get_base_queryset(self) -> QuerySet[Kit]:
        return Kit.objects.select_related("item").prefetch_related(
            Prefetch("versions", queryset=KitVersion.objects.order_by("-number"))
        )

    def get_queryset(self) -> QuerySet[Kit]:
        qs = super().get_queryset()
        self.kind = self.request.GET.get("kind", "")
        if self.kind in Kit.Kind.values:
            qs = qs.filter(kind=self.kind)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_manage=has_permission(self.request.user, MANAGE_CATALOGUE),
            kinds=Kit.Kind.choices,
            kind=self.kind,
            search_placeholder=_("Code or name"),
        )
        return ctx


def _components(formset: Any) -> list[dict[str, Any]]:
    return [{"item": r["item"], "quantity": r["quantity"]} for r in lines_of(formset)]


@login_required
def kit_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    form = KitForm(request.POST or None)
    formset = ComponentFormSet(request.POST or None, prefix="components")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            kit = services.kit_create(
                user=request.user,
                code=data["code"],
                name_en=data["name_en"],
                name_ar=data["name_ar"],
                name_ckb=data["name_ckb"],
                kind=data["kind"],
                description=data["description"],
                replaces=list(data["replaces"]),
                components=_components(formset),
                valid_from=data["valid_from"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The kit was added with its first version."))
            return redirect("stock:kit_detail", public_id=kit.public_id)
    return render(
        request,
        "stock/kit_form.html",
        {"form": form, "formset": formset, "kit": None},
        status=status(form, formset),
    )


@login_required
def kit_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    kit = get_scoped(
        Kit.objects.select_related("item").prefetch_related("replaces", "replaced_by"),
        request,
        VIEW,
        public_id=public_id,
    )
    versions = kit.versions.order_by("-number").prefetch_related(
        Prefetch("components", queryset=KitComponent.objects.select_related("item"))
    )
    return render(
        request,
        "stock/kit_detail.html",
        {
            "kit": kit,
            "versions": versions,
            "can_manage": has_permission(request.user, MANAGE_CATALOGUE),
        },
    )


@login_required
def kit_version_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    kit = get_scoped(Kit.objects.all(), request, MANAGE_CATALOGUE, public_id=public_id)
    latest = kit.versions.order_by("-number").first()
    initial = (
        [{"item": c.item.public_id, "quantity": c.quantity} for c in latest.components.all()]
        if latest is not None
        else []
    )
    form = KitVersionForm(request.POST or None)
    formset = ComponentFormSet(request.POST or None, prefix="components", initial=initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            version = services.kit_version_create(
                user=request.user,
                kit=kit,
                components=_components(formset),
                valid_from=form.cleaned_data["valid_from"],
                notes=form.cleaned_data["notes"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("Version %(n)s of the kit was saved.") % {"n": version.number}
            )
            return redirect("stock:kit_detail", public_id=kit.public_id)
    return render(
        request,
        "stock/kit_form.html",
        {"form": form, "formset": formset, "kit": kit, "latest": latest},
        status=status(form, formset),
    )


# --- seasons -----------------------------------------------------------------------------


class SeasonListView(ScopedListView):
    model = Season
    permission = VIEW
    template_name = "stock/season_list.html"
    search_fields = ("name",)
    sort_fields = {"name": "name", "kind": "kind", "starts": "starts_on", "ends": "ends_on"}
    default_sort = "-starts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, MANAGE_CATALOGUE)
        return ctx


@login_required
def season_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CATALOGUE)
    form = SeasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.season_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The season was added."))
            return redirect("stock:season_list")
    return render(request, "stock/season_form.html", {"form": form}, status=status(form))

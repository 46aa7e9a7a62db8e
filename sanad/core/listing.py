"""Consistent list pages: search, filters, sortable columns and pagination, always on a
scoped queryset. Views in every app use `ScopedListView`; templates include
`core/_list_toolbar.html`, `core/_sort_header.html` and `core/_pagination.html`."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.views.generic import DetailView, ListView

from sanad.core.scoping import has_permission, scoped


class ScopedMixin(LoginRequiredMixin):
    permission: str | None = None

    def get_permission(self) -> str:
        return self.permission or self.model.VIEW_PERMISSION  # type: ignore[attr-defined]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not has_permission(
            request.user, self.get_permission()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.all()  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet[Any]:
        return scoped(self.get_base_queryset(), self.request.user, self.get_permission())  # type: ignore[attr-defined]


class ScopedListView(ScopedMixin, ListView):
    """search_fields: ORM lookups searched with icontains.
    sort_fields: {"param": "orm_field"}; `?sort=name` or `?sort=-name`.
    filterset_class: a django-filter FilterSet shown beside the search box."""

    search_fields: tuple[str, ...] = ()
    sort_fields: dict[str, str] = {}
    default_sort: str = ""
    filterset_class: Any = None
    template_partial: str | None = None

    def get_paginate_by(self, queryset: Any) -> int:
        try:
            size = int(self.request.GET.get("page_size", settings.SANAD_PAGE_SIZE))
        except ValueError:
            size = settings.SANAD_PAGE_SIZE
        return max(5, min(size, 200))

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=qs, request=self.request
            )
            if self.filterset.is_bound:
                # An invalid filter value (an unknown governorate, say) shows its error
                # beside the field and no rows, rather than silently showing everything.
                qs = self.filterset.qs if self.filterset.is_valid() else qs.none()
        self.search = self.request.GET.get("q", "").strip()
        if self.search and self.search_fields:
            terms = self.search.split()
            for term in terms[:5]:
                qs = qs.filter(
                    reduce(or_, (Q(**{f"{f}__icontains": term}) for f in self.search_fields))
                )
        sort = self.request.GET.get("sort", self.default_sort)
        key = sort.lstrip("-")
        if key in self.sort_fields:
            field = self.sort_fields[key]
            qs = qs.order_by(f"-{field}" if sort.startswith("-") else field, "pk")
            self.sort = sort
        else:
            self.sort = ""
            if not qs.ordered:
                qs = qs.order_by("pk")
        return qs

    def get_template_names(self) -> list[str]:
        if (
            self.request.headers.get("HX-Request")
            and self.template_partial
            and not self.request.headers.get("HX-Boosted")
        ):
            return [self.template_partial]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            filterset=self.filterset,
            search=self.search,
            sort=self.sort,
            querystring=params.urlencode(),
            has_search=bool(self.search_fields),
            total_count=ctx["paginator"].count if ctx.get("paginator") else len(ctx["object_list"]),
        )
        return ctx


class ScopedDetailView(ScopedMixin, DetailView):
    slug_field = "public_id"
    slug_url_kwarg = "public_id"

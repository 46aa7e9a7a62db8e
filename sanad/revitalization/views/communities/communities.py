"""Community pages: list (search, governorate, active), create, edit, detail with its
assessments and projects. The rules are in `revitalization.services.communities`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.revitalization.forms.communities import CommunityForm
from sanad.revitalization.models import MANAGE, VIEW, Community
from sanad.revitalization.selectors import communities as selectors
from sanad.revitalization.services import communities as services
from sanad.revitalization.views.communities._base import get_community, service_error

# The programme works in these governorates; the filter lists them first.
GOVERNORATES = ("IQG09", "IQG15")


def governorate_choices() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")


class CommunityListView(ScopedListView):
    model = Community
    template_name = "revitalization/communities/community_list.html"
    search_fields = ("name", "code", "admin_unit__name_en", "admin_unit__name_ar")
    sort_fields = {"name": "name", "code": "code", "population": "population"}
    default_sort = "name"
    filters: dict[str, str]

    def get_base_queryset(self) -> QuerySet[Community]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("governorate", "active")}
        qs = selectors.communities_visible(self.request.user)
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["active"] in ("yes", "no"):
            qs = qs.filter(active=f["active"] == "yes")
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            governorates=governorate_choices(),
            can_manage=has_permission(self.request.user, MANAGE),
            search_placeholder=_("Name, code or area"),
        )
        return ctx


def _to_detail(request: HttpRequest, community: Community, message: str) -> HttpResponse:
    messages.success(request, message)
    if can_reach(request.user, community, VIEW):
        return redirect("revitalization:community_detail", public_id=community.public_id)
    return redirect("revitalization:community_list")


@login_required
def community_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    form = CommunityForm(request.POST or None, user=request.user, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(user=request.user, **form.service_data())
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(
                request,
                community,
                _("Community %(name)s (%(code)s) is recorded.")
                % {"name": community.name, "code": community.code},
            )
    return render(
        request,
        "revitalization/communities/community_form.html",
        {"form": form, "community": None},
        status=400 if form.errors else 200,
    )


@login_required
def community_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    community = get_community(request, public_id, MANAGE)
    initial = {
        "name": community.name,
        "code": community.code,
        "admin_unit": community.admin_unit.pcode,
        "place": community.place.public_id if community.place else None,
        "population": community.population,
        "population_source": community.population_source,
        "notes": community.notes,
        "active": community.active,
    }
    form = CommunityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_update(
                user=request.user, community=community, **form.service_data()
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(request, community, _("The community is saved."))
    return render(
        request,
        "revitalization/communities/community_form.html",
        {"form": form, "community": community},
        status=400 if form.errors else 200,
    )


@login_required
def community_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    community = get_community(request, public_id)
    user = request.user
    manage = has_permission(user, MANAGE) and can_reach(user, community, MANAGE)
    return render(
        request,
        "revitalization/communities/community_detail.html",
        {
            "community": community,
            "assessments": list(selectors.community_assessments(community)),
            "projects": list(selectors.community_projects(community)),
            "other_records": selectors.community_other_records(user=user, community=community),
            "can_manage": manage,
        },
    )

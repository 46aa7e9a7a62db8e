"""Contractor pages: list, create, edit, detail with its projects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.revitalization.forms.infrastructure import ContractorForm
from sanad.revitalization.models import MANAGE, VIEW, Contractor
from sanad.revitalization.selectors import infrastructure as selectors
from sanad.revitalization.services import infrastructure as services
from sanad.revitalization.views.communities._base import service_error


class ContractorListView(ScopedListView):
    model = Contractor
    template_name = "revitalization/infrastructure/contractor_list.html"
    search_fields = ("name", "registration_number", "contact_name")
    sort_fields = {"name": "name"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Contractor]:
        qs = selectors.contractors_visible(self.request.user)
        active = self.request.GET.get("active", "")
        if active in ("yes", "no"):
            qs = qs.filter(active=active == "yes")
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            active=self.request.GET.get("active", ""),
            can_manage=has_permission(self.request.user, MANAGE),
            search_placeholder=_("Name, registration number or contact"),
        )
        return ctx


def _contractor(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Contractor:
    require_permission(request, permission)
    try:
        return selectors.contractor_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


@login_required
def contractor_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    form = ContractorForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            contractor = services.contractor_create(user=request.user, **form.service_data())
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            messages.success(
                request, _("Contractor %(name)s is registered.") % {"name": contractor.name}
            )
            return redirect("revitalization:contractor_detail", public_id=contractor.public_id)
    return render(
        request,
        "revitalization/infrastructure/contractor_form.html",
        {"form": form, "contractor": None},
        status=400 if form.errors else 200,
    )


@login_required
def contractor_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _contractor(request, public_id, MANAGE)
    initial = {
        name: getattr(contractor, name)
        for name in ("name", "registration_number", "contact_name", "phone", "active", "notes")
    }
    form = ContractorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contractor = services.contractor_update(
                user=request.user, contractor=contractor, **form.service_data()
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            messages.success(request, _("The contractor is saved."))
            return redirect("revitalization:contractor_detail", public_id=contractor.public_id)
    return render(
        request,
        "revitalization/infrastructure/contractor_form.html",
        {"form": form, "contractor": contractor},
        status=400 if form.errors else 200,
    )


@login_required
def contractor_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _contractor(request, public_id)
    return render(
        request,
        "revitalization/infrastructure/contractor_detail.html",
        {
            "contractor": contractor,
            "projects": list(
                selectors.contractor_projects(user=request.user, contractor=contractor)
            ),
            "can_manage": has_permission(request.user, MANAGE),
        },
    )

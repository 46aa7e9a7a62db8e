"""Contractors: the list, registering and editing, suspending, excluding, reinstating."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.shelter.forms.contracts import (
    ContractorForm,
    OptionalReasonForm,
    ReasonForm,
    apply_errors,
)
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    VIEW,
    Contractor,
)
from sanad.shelter.selectors import contracts as selectors
from sanad.shelter.services import contracts as services
from sanad.shelter.views.contracts._base import _fail_message, _get, _history, tabs

# --- contractors ------------------------------------------------------------------------


class ContractorListView(ScopedListView):
    model = Contractor
    permission = VIEW
    template_name = "shelter/contracts/contractor_list.html"
    search_fields = ("name", "registration_number", "contact_name")
    sort_fields = {"name": "name", "status": "status", "contracts": "contract_count"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Contractor]:
        qs = selectors.contractors_for(self.request.user)
        self.filters = f = {k: self.request.GET.get(k, "") for k in ("status", "governorate")}
        if f["status"] in Contractor.Status.values:
            qs = qs.filter(status=f["status"])
        if f["governorate"]:
            qs = qs.filter(governorates__pcode=f["governorate"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            tabs(self.request, "contractors"),
            filters=self.filters,
            statuses=Contractor.Status.choices,
            governorates=AdminUnit.objects.filter(level=1).order_by("name_en"),
            can_manage=has_permission(self.request.user, MANAGE_CONTRACT),
        )
        return ctx


@login_required
def contractor_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CONTRACT)
    form = ContractorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contractor = services.contractor_create(user=request.user, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": contractor.name})
            return redirect("shelter:contractor_detail", public_id=contractor.public_id)
    return render(
        request,
        "shelter/contracts/contractor_form.html",
        {**tabs(request, "contractors"), "form": form, "contractor": None},
        status=400 if form.errors else 200,
    )


@login_required
def contractor_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _get(selectors.contractor_get, request, public_id, MANAGE_CONTRACT)
    form = ContractorForm(request.POST or None, initial=ContractorForm.initial_of(contractor))
    if request.method == "POST" and form.is_valid():
        try:
            services.contractor_update(
                user=request.user, contractor=contractor, data=form.cleaned_data
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The contractor's details are saved."))
            return redirect("shelter:contractor_detail", public_id=contractor.public_id)
    return render(
        request,
        "shelter/contracts/contractor_form.html",
        {**tabs(request, "contractors"), "form": form, "contractor": contractor},
        status=400 if form.errors else 200,
    )


@login_required
def contractor_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _get(selectors.contractor_get, request, public_id, VIEW)
    user = request.user
    manage = has_permission(user, MANAGE_CONTRACT)
    return render(
        request,
        "shelter/contracts/contractor_detail.html",
        {
            **tabs(request, "contractors"),
            "contractor": contractor,
            "governorates": list(contractor.governorates.order_by("name_en")),
            "contracts": list(selectors.contracts_of_contractor(user=user, contractor=contractor)),
            "bids": list(selectors.bids_of_contractor(user=user, contractor=contractor)[:50]),
            "history": _history(Contractor, contractor),
            "manage": manage,
            "reason_form": ReasonForm(),
            "note_form": OptionalReasonForm(),
        },
    )


CONTRACTOR_ACTIONS = {
    "suspend": (services.contractor_suspend, gettext_lazy("The contractor is suspended.")),
    "exclude": (services.contractor_exclude, gettext_lazy("The contractor is excluded.")),
    "reinstate": (services.contractor_reinstate, gettext_lazy("The contractor is active again.")),
}


@login_required
@require_POST
def contractor_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CONTRACTOR_ACTIONS:
        raise Http404
    contractor = _get(selectors.contractor_get, request, public_id, MANAGE_CONTRACT)
    service, done = CONTRACTOR_ACTIONS[action]
    form: Any = (OptionalReasonForm if action == "reinstate" else ReasonForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for this change of status."))
    else:
        try:
            service(user=request.user, contractor=contractor, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _fail_message(request, exc)
        else:
            messages.success(request, str(done))
    return redirect("shelter:contractor_detail", public_id=contractor.public_id)

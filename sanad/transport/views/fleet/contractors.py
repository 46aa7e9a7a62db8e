"""Transport contractors: list, detail with vehicles, drivers and contracts, register, edit, suspend and reactivate; contracts added and ended."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.views import require_permission
from sanad.transport.forms.fleet import (
    ContractForm,
    ContractorForm,
    NoteForm,
    ReasonForm,
    apply_errors,
)
from sanad.transport.models import (
    FLEET,
    VIEW,
    TransportContract,
    TransportContractor,
)
from sanad.transport.selectors import fleet as selectors
from sanad.transport.services import fleet as services
from sanad.transport.services._common import today
from sanad.transport.views.fleet._base import (
    _can_manage,
    _done,
    _form_page,
    _lookup,
    _save,
)

# --- contractors -----------------------------------------------------------------------


class ContractorListView(ScopedListView):
    model = TransportContractor
    permission = VIEW
    template_name = "transport/fleet/contractor_list.html"
    search_fields = ("name", "registration_number", "contact_name")
    sort_fields = {"name": "name", "status": "status"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[TransportContractor]:
        self.status = self.request.GET.get("status", "")
        qs = selectors.contractors_visible(self.request.user)
        if self.status in TransportContractor.Status.values:
            qs = qs.filter(status=self.status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            status=self.status,
            statuses=TransportContractor.Status.choices,
            can_manage=_can_manage(self.request),
            search_placeholder=_("Name, registration or contact"),
            fleet_tab="contractors",
        )
        return ctx


@login_required
def contractor_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, FLEET)
    form = ContractorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        contractor = _save(form, lambda d: services.contractor_create(user=request.user, **d))
        if contractor is not None:
            return _done(
                request,
                _("%(name)s is registered.") % {"name": contractor.name},
                "contractor",
                contractor,
            )
    return _form_page(
        request, "contractor_form.html", form, contractor=None, fleet_tab="contractors"
    )


@login_required
def contractor_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _lookup(request, selectors.contractor_get, public_id, FLEET)
    form = ContractorForm(
        request.POST or None, user=request.user, initial=ContractorForm.initial_of(contractor)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda d: services.contractor_update(user=request.user, contractor=contractor, **d),
        )
        if saved is not None:
            return _done(request, _("The contractor is saved."), "contractor", saved)
    return _form_page(
        request, "contractor_form.html", form, contractor=contractor, fleet_tab="contractors"
    )


def _contractor_page(
    request: HttpRequest,
    contractor: TransportContractor,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = _can_manage(request, contractor)
    forms = forms or {}
    if manage:
        forms.setdefault("suspend", ReasonForm(prefix="suspend"))
        forms.setdefault("reactivate", NoteForm(prefix="reactivate"))
    drivers = list(selectors.drivers_visible(user).filter(contractor=contractor))
    for driver in drivers:
        driver.licence = selectors.licence_state(driver)  # type: ignore[attr-defined]
    return render(
        request,
        "transport/fleet/contractor_detail.html",
        {
            "contractor": contractor,
            "vehicles": list(selectors.vehicles_visible(user).filter(contractor=contractor)),
            "drivers": drivers,
            "contracts": list(
                TransportContract.objects.filter(contractor=contractor)
                .select_related("project")
                .order_by("-starts_on", "reference")
            ),
            "history": selectors.status_history(contractor),
            "can_manage": manage,
            "forms": forms,
            "today": today(),
            "fleet_tab": "contractors",
        },
        status=status,
    )


@login_required
def contractor_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _contractor_page(request, _lookup(request, selectors.contractor_get, public_id, VIEW))


CONTRACTOR_ACTIONS = {
    "suspend": (TransportContractor.Status.SUSPENDED, ReasonForm),
    "reactivate": (TransportContractor.Status.ACTIVE, NoteForm),
}


@login_required
@require_POST
def contractor_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CONTRACTOR_ACTIONS:
        raise Http404
    contractor = _lookup(request, selectors.contractor_get, public_id, FLEET)
    to, form_class = CONTRACTOR_ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            services.contractor_transition(
                user=request.user, contractor=contractor, to=to, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            message = (
                _("%(name)s is suspended: its vehicles and drivers join no convoy.")
                if to == TransportContractor.Status.SUSPENDED
                else _("%(name)s is active again.")
            ) % {"name": contractor.name}
            return _done(request, message, "contractor", contractor)
    contractor = _lookup(request, selectors.contractor_get, public_id, VIEW)
    return _contractor_page(request, contractor, {action: form}, status=400)


@login_required
def contract_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    contractor = _lookup(request, selectors.contractor_get, public_id, FLEET)
    form = ContractForm(request.POST or None, initial={"starts_on": today()})
    if request.method == "POST" and form.is_valid():
        contract = _save(
            form,
            lambda d: services.contract_create(user=request.user, contractor=contractor, **d),
        )
        if contract is not None:
            return _done(
                request,
                _("The contract %(ref)s is recorded.") % {"ref": contract.reference},
                "contractor",
                contractor,
            )
    return _form_page(
        request, "contract_form.html", form, contractor=contractor, fleet_tab="contractors"
    )


CONTRACT_ACTIONS = {
    "end": TransportContract.Status.ENDED,
    "reactivate": TransportContract.Status.ACTIVE,
}


@login_required
@require_POST
def contract_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CONTRACT_ACTIONS:
        raise Http404
    contract = _lookup(request, selectors.contract_get, public_id, FLEET)
    form = NoteForm(request.POST, prefix="contract")
    contractor = contract.contractor
    if form.is_valid():
        try:
            services.contract_transition(
                user=request.user,
                contract=contract,
                to=CONTRACT_ACTIONS[action],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                (
                    _("The contract %(ref)s is ended.")
                    if action == "end"
                    else _("The contract %(ref)s is active again.")
                )
                % {"ref": contract.reference},
            )
    return redirect("transport:contractor_detail", public_id=contractor.public_id)

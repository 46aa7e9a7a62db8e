"""Works contracts: the list, direct award, terms and houses, payment milestones,
signing, certification and payment, completion, retention, termination."""

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
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.shelter.forms.contracts import (
    CaseChoiceField,
    CertifyForm,
    ContractCreateForm,
    ContractEditForm,
    MilestoneFormSet,
    PaymentForm,
    ReasonForm,
    RetentionForm,
    SignForm,
    apply_errors,
    governorates_for,
    projects_for,
)
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    VIEW,
    Contract,
    ContractMilestone,
    Contractor,
    RehabCase,
)
from sanad.shelter.selectors import contracts as selectors
from sanad.shelter.services import contracts as services
from sanad.shelter.services._common import today
from sanad.shelter.views.contracts._base import (
    _fail_message,
    _get,
    _history,
    _is_uuid,
    _may_manage,
    tabs,
)
from sanad.shelter.views.contracts.tenders import (
    _lot_choice,
    _project_param,
)

# --- contracts --------------------------------------------------------------------------


class ContractListView(ScopedListView):
    model = Contract
    permission = VIEW
    template_name = "shelter/contracts/contract_list.html"
    search_fields = ("reference", "contractor__name", "project__code")
    sort_fields = {
        "reference": "reference",
        "value": "value",
        "status": "status",
        "end": "end_on",
    }
    default_sort = "-reference"

    def get_base_queryset(self) -> QuerySet[Contract]:
        user = self.request.user
        qs = selectors.contracts_for(user)
        self.filters = f = {
            k: self.request.GET.get(k, "")
            for k in ("status", "project", "governorate", "contractor", "delayed")
        }
        if f["status"] in Contract.Status.values:
            qs = qs.filter(status=f["status"])
        self.project = _project_param(self.request, user)
        if f["project"]:
            qs = qs.filter(project=self.project) if self.project else qs.none()
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["contractor"]:
            qs = (
                qs.filter(contractor__public_id=f["contractor"])
                if _is_uuid(f["contractor"])
                else qs.none()
            )
        if f["delayed"] == "1":
            qs = qs.filter(selectors.delayed_q())
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            tabs(self.request, "contracts"),
            filters=self.filters,
            statuses=Contract.Status.choices,
            projects=projects_for(user, VIEW),
            governorates=governorates_for(user, VIEW),
            contractors=Contractor.objects.order_by("name"),
            can_manage=has_permission(user, MANAGE_CONTRACT),
        )
        return ctx


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CONTRACT)
    choice, project, governorate, cases = _lot_choice(request)
    initial: dict[str, Any] = {}
    if project is not None:
        initial = {
            "project": project.public_id,
            "governorate": governorate.pcode,
            "currency": project.currency,
        }
    form = ContractCreateForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        cases=cases,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(
                user=request.user,
                data=form.service_data(),
                cases=form.cleaned_data["cases"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Contract %(ref)s is drafted. Set its payment milestones, then sign it.")
                % {"ref": contract.reference},
            )
            return redirect("shelter:contract_detail", public_id=contract.public_id)
    return render(
        request,
        "shelter/contracts/contract_form.html",
        {
            **tabs(request, "contracts"),
            "choice": choice,
            "form": form,
            "project": project,
            "governorate": governorate,
            "cases": cases,
        },
        status=400 if form.errors else 200,
    )


@login_required
def contract_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    contract = _get(selectors.contract_get, request, public_id, VIEW)
    return _render_contract(request, contract)


def _render_contract(
    request: HttpRequest,
    contract: Contract,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    milestones = selectors.contract_milestones(contract)
    totals = selectors.contract_totals(contract, milestones)
    manage = _may_manage(request, contract)
    forms: dict[str, Any] = {}
    next_pending = next(
        (m for m in milestones if m.status == ContractMilestone.Status.PENDING), None
    )
    if manage:
        S = Contract.Status
        if contract.status == S.DRAFT:
            forms["sign"] = bound.get("sign") or SignForm(
                prefix="sign", initial={"signed_on": today()}
            )
        if contract.status == S.ACTIVE and next_pending is not None:
            forms["certify"] = bound.get("certify") or CertifyForm(
                prefix="certify", initial={"completed_on": today()}
            )
        for m in milestones:
            if m.status == ContractMilestone.Status.CERTIFIED:
                m.pay_form = bound.get(f"pay:{m.sequence}") or PaymentForm(  # type: ignore[attr-defined]
                    prefix=f"pay{m.sequence}", initial={"paid_on": today()}
                )
        if contract.status == S.ACTIVE:
            forms["complete"] = True
        if contract.status == S.COMPLETED:
            forms["retention"] = bound.get("retention") or RetentionForm(
                prefix="retention", initial={"released_on": today()}
            )
        if contract.status in (S.DRAFT, S.ACTIVE):
            forms["terminate"] = bound.get("terminate") or ReasonForm(prefix="terminate")
    blockers = (
        services.completion_blockers(contract) if contract.status == Contract.Status.ACTIVE else []
    )
    return render(
        request,
        "shelter/contracts/contract_detail.html",
        {
            **tabs(request, "contracts"),
            "contract": contract,
            "houses": selectors.contract_houses(contract),
            "milestones": milestones,
            "next_pending": next_pending,
            "totals": totals,
            "is_delayed": Contract.objects.filter(pk=contract.pk)
            .filter(selectors.delayed_q())
            .exists(),
            "manage": manage,
            "forms": forms,
            "blockers": blockers,
            "history": _history(Contract, contract),
        },
        status=status,
    )


@login_required
def contract_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    contract = _get(selectors.contract_get, request, public_id, MANAGE_CONTRACT)
    if contract.status != Contract.Status.DRAFT:
        messages.error(request, _("Only a draft contract can be changed."))
        return redirect("shelter:contract_detail", public_id=contract.public_id)
    tendered = contract.tender_id is not None
    form = ContractEditForm(
        request.POST or None, tendered=tendered, initial=ContractEditForm.initial_of(contract)
    )
    houses: Any = None
    if not tendered:
        eligible = selectors.eligible_cases(
            user=request.user,
            project=contract.project,
            governorate=contract.governorate,
            permission=MANAGE_CONTRACT,
            currency=contract.currency,
        )
        pool = {*eligible.values_list("pk", flat=True)} | {
            *RehabCase.objects.filter(contract=contract).values_list("pk", flat=True)
        }
        form.fields["cases"] = CaseChoiceField(
            label=_("Houses covered"),
            queryset=RehabCase.objects.filter(pk__in=pool)
            .select_related("property")
            .order_by("reference"),
            required=False,
            initial=list(RehabCase.objects.filter(contract=contract)),
        )
        houses = True
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        lot = d.pop("cases", None)
        try:
            services.contract_update(user=request.user, contract=contract, data=d)
            if houses:
                services.contract_cases_set(
                    user=request.user, contract=contract, cases=list(lot or [])
                )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The contract is saved."))
            return redirect("shelter:contract_detail", public_id=contract.public_id)
    return render(
        request,
        "shelter/contracts/contract_edit.html",
        {**tabs(request, "contracts"), "contract": contract, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def contract_milestones(request: HttpRequest, public_id: Any) -> HttpResponse:
    contract = _get(selectors.contract_get, request, public_id, MANAGE_CONTRACT)
    if contract.status != Contract.Status.DRAFT:
        messages.error(request, _("The milestones of a signed contract cannot be changed."))
        return redirect("shelter:contract_detail", public_id=contract.public_id)
    initial = [
        {"name": m.name, "percent": m.percent, "due_on": m.due_on}
        for m in contract.milestones.order_by("sequence")
    ]
    formset = MilestoneFormSet(request.POST or None, prefix="m", initial=initial)
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.milestones_set(
                user=request.user,
                contract=contract,
                milestones=[{k: r[k] for k in ("name", "percent", "due_on")} for r in rows],
            )
        except ValidationFailed as exc:
            errors = [str(m) for m in exc.fields.get("milestones", [])] or [str(exc.message)]
        except ApplicationError as exc:
            errors = [str(exc.message)]
        else:
            total = services.milestones_total(contract)
            if total == 100:
                messages.success(request, _("The milestones are saved; they add up to 100 %."))
            else:
                messages.warning(
                    request,
                    _("The milestones are saved; they add up to %(total)s %%, not 100 %%.")
                    % {"total": f"{total.normalize():f}"},
                )
            return redirect("shelter:contract_detail", public_id=contract.public_id)
    return render(
        request,
        "shelter/contracts/milestones.html",
        {
            **tabs(request, "contracts"),
            "contract": contract,
            "formset": formset,
            "errors": errors,
        },
        status=400 if (errors or (formset.is_bound and not formset.is_valid())) else 200,
    )


CONTRACT_ACTIONS = ("sign", "complete", "retention", "terminate")


@login_required
@require_POST
def contract_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CONTRACT_ACTIONS:
        raise Http404
    contract = _get(selectors.contract_get, request, public_id, MANAGE_CONTRACT)
    user = request.user
    form: Any = None
    try:
        if action == "sign":
            form = SignForm(request.POST, prefix="sign")
            if form.is_valid():
                services.contract_sign(
                    user=user, contract=contract, signed_on=form.cleaned_data["signed_on"]
                )
                messages.success(request, _("The contract is signed and active."))
        elif action == "complete":
            services.contract_complete(user=user, contract=contract)
            messages.success(
                request, _("Practical completion is recorded; the defects-liability period runs.")
            )
        elif action == "retention":
            form = RetentionForm(request.POST, prefix="retention")
            if form.is_valid():
                services.contract_release_retention(
                    user=user, contract=contract, released_on=form.cleaned_data["released_on"]
                )
                messages.success(request, _("The retention is released and the contract closed."))
        elif action == "terminate":
            form = ReasonForm(request.POST, prefix="terminate")
            if form.is_valid():
                _terminated, released = services.contract_terminate(
                    user=user, contract=contract, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _(
                        "The contract is terminated; %(n)d unfinished house(s) may be put to tender again."
                    )
                    % {"n": released},
                )
    except ValidationFailed as exc:
        if form is None:
            _fail_message(request, exc)
        else:
            apply_errors(form, exc)
    except ApplicationError as exc:
        _fail_message(request, exc)
        return redirect("shelter:contract_detail", public_id=contract.public_id)
    if form is not None and form.errors:
        contract = _get(selectors.contract_get, request, public_id, VIEW)
        return _render_contract(request, contract, bound={action: form}, status=400)
    return redirect("shelter:contract_detail", public_id=contract.public_id)


@login_required
@require_POST
def milestone_action(
    request: HttpRequest, public_id: Any, sequence: int, action: str
) -> HttpResponse:
    if action not in ("certify", "pay"):
        raise Http404
    contract = _get(selectors.contract_get, request, public_id, MANAGE_CONTRACT)
    milestone = contract.milestones.filter(sequence=sequence).first()
    if milestone is None:
        raise Http404
    milestone.contract = contract
    user = request.user
    key = "certify" if action == "certify" else f"pay:{sequence}"
    form: Any
    try:
        if action == "certify":
            form = CertifyForm(request.POST, prefix="certify")
            if form.is_valid():
                m = services.milestone_certify(
                    user=user, milestone=milestone, completed_on=form.cleaned_data["completed_on"]
                )
                messages.success(
                    request,
                    _(
                        "“%(name)s” is certified: %(net)s %(cur)s payable "
                        "(%(days)d day(s) late, penalty %(penalty)s)."
                    )
                    % {
                        "name": m.name,
                        "net": m.net,
                        "cur": contract.currency,
                        "days": m.days_late,
                        "penalty": m.penalty,
                    },
                )
        else:
            form = PaymentForm(request.POST, prefix=f"pay{sequence}")
            if form.is_valid():
                services.milestone_record_payment(
                    user=user,
                    milestone=milestone,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                )
                messages.success(request, _("The payment is recorded."))
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        _fail_message(request, exc)
        return redirect("shelter:contract_detail", public_id=contract.public_id)
    if form.errors:
        contract = _get(selectors.contract_get, request, public_id, VIEW)
        return _render_contract(request, contract, bound={key: form}, status=400)
    return redirect("shelter:contract_detail", public_id=contract.public_id)

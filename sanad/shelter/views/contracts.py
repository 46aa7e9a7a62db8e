"""Contractors, tenders and works contracts: the lists (with filters), registering a
contractor, putting a lot of houses to tender, recording and scoring bids, the award,
direct awards, payment milestones, signing, certifying, payments, practical completion,
retention release and termination. Every write goes through
`shelter.services.contracts`; a record out of the user's reach is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import AdminUnit
from sanad.shelter.forms.contracts import (
    AwardForm,
    BidEditForm,
    BidForm,
    CaseChoiceField,
    CertifyForm,
    ContractCreateForm,
    ContractEditForm,
    ContractorForm,
    LotChoiceForm,
    MilestoneFormSet,
    OptionalReasonForm,
    PaymentForm,
    ReasonForm,
    RetentionForm,
    SignForm,
    TenderEditForm,
    TenderForm,
    apply_errors,
    governorates_for,
    projects_for,
)
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    VIEW,
    Bid,
    Contract,
    ContractMilestone,
    Contractor,
    RehabCase,
    Tender,
)
from sanad.shelter.selectors import contracts as selectors
from sanad.shelter.services import contracts as services
from sanad.shelter.services._common import today


def _require(request: HttpRequest, permission: str) -> None:
    if not has_permission(request.user, permission):
        raise DjangoPermissionDenied


def _may_manage(request: HttpRequest, obj: Any) -> bool:
    user = request.user
    return has_permission(user, MANAGE_CONTRACT) and can_reach(user, obj, MANAGE_CONTRACT)


def tabs(request: HttpRequest, current: str) -> dict[str, Any]:
    items = [
        ("contractors", _("Contractors"), reverse("shelter:contractor_list")),
        ("tenders", _("Tenders"), reverse("shelter:tender_list")),
        ("contracts", _("Contracts"), reverse("shelter:contract_list")),
    ]
    return {"contract_tabs": items, "contract_tab": current}


def _history(model: Any, obj: Any) -> list[Any]:
    labels = dict(model.Status.choices)
    rows = list(model.STATUS_MACHINE.history(obj))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


def _get(getter: Any, request: HttpRequest, public_id: Any, permission: str) -> Any:
    _require(request, permission)
    try:
        return getter(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _fail_message(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, str(exc.message))


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
    _require(request, MANAGE_CONTRACT)
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


# --- tenders ----------------------------------------------------------------------------


def _project_param(request: HttpRequest, user: Any, permission: str = VIEW) -> Any:
    value = request.GET.get("project") or ""
    if not _is_uuid(value):
        return None
    return projects_for(user, permission).filter(public_id=value).first()


class TenderListView(ScopedListView):
    model = Tender
    permission = VIEW
    template_name = "shelter/contracts/tender_list.html"
    search_fields = ("reference", "title", "project__code")
    sort_fields = {
        "reference": "reference",
        "status": "status",
        "estimate": "estimate",
        "closes": "closes_on",
    }
    default_sort = "-reference"

    def get_base_queryset(self) -> QuerySet[Tender]:
        user = self.request.user
        qs = selectors.tenders_for(user)
        self.filters = f = {
            k: self.request.GET.get(k, "") for k in ("status", "project", "governorate")
        }
        if f["status"] in Tender.Status.values:
            qs = qs.filter(status=f["status"])
        self.project = _project_param(self.request, user)
        if f["project"]:
            qs = qs.filter(project=self.project) if self.project else qs.none()
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            tabs(self.request, "tenders"),
            filters=self.filters,
            statuses=Tender.Status.choices,
            projects=projects_for(user, VIEW),
            governorates=governorates_for(user, VIEW),
            can_manage=has_permission(user, MANAGE_CONTRACT),
        )
        return ctx


def _lot_choice(request: HttpRequest) -> tuple[LotChoiceForm, Any, Any, Any]:
    """The project and governorate chosen (from the query or the posted form), and
    the houses that may go into their lot."""
    source = request.POST if request.method == "POST" else request.GET
    choice = LotChoiceForm(source or None, user=request.user)
    project = governorate = None
    if choice.is_bound and choice.is_valid():
        project, governorate = choice.cleaned_data["project"], choice.cleaned_data["governorate"]
    cases: Any = RehabCase.objects.none()
    if project is not None and governorate is not None:
        cases = selectors.eligible_cases(
            user=request.user,
            project=project,
            governorate=governorate,
            permission=MANAGE_CONTRACT,
        )
    return choice, project, governorate, cases


@login_required
def tender_create(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE_CONTRACT)
    choice, project, governorate, cases = _lot_choice(request)
    initial: dict[str, Any] = {}
    if project is not None:
        initial = {
            "project": project.public_id,
            "governorate": governorate.pcode,
            "currency": project.currency,
            "cases": list(cases),
        }
    form = TenderForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        cases=cases,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_create(
                user=request.user, data=form.service_data(), cases=form.cleaned_data["cases"]
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Tender %(ref)s is drafted with %(n)d houses; open it to record bids.")
                % {"ref": tender.reference, "n": tender.cases.count()},
            )
            return redirect("shelter:tender_detail", public_id=tender.public_id)
    return render(
        request,
        "shelter/contracts/tender_form.html",
        {
            **tabs(request, "tenders"),
            "choice": choice,
            "form": form,
            "project": project,
            "governorate": governorate,
            "cases": cases,
        },
        status=400 if form.errors else 200,
    )


@login_required
def tender_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    tender = _get(selectors.tender_get, request, public_id, MANAGE_CONTRACT)
    if tender.status != Tender.Status.DRAFT:
        messages.error(request, _("Only a draft tender can be changed."))
        return redirect("shelter:tender_detail", public_id=tender.public_id)
    eligible = selectors.eligible_cases(
        user=request.user,
        project=tender.project,
        governorate=tender.governorate,
        permission=MANAGE_CONTRACT,
        currency=tender.currency,
    )
    pool = {*eligible.values_list("pk", flat=True)} | {*tender.cases.values_list("pk", flat=True)}
    cases = RehabCase.objects.filter(pk__in=pool).select_related("property").order_by("reference")
    form = TenderEditForm(
        request.POST or None,
        cases=cases,
        initial={
            "title": tender.title,
            "description": tender.description,
            "closes_on": tender.closes_on,
            "cases": list(tender.cases.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        lot = d.pop("cases")
        try:
            services.tender_update(user=request.user, tender=tender, data=d, cases=lot)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The tender is saved."))
            return redirect("shelter:tender_detail", public_id=tender.public_id)
    return render(
        request,
        "shelter/contracts/tender_edit.html",
        {**tabs(request, "tenders"), "tender": tender, "form": form},
        status=400 if form.errors else 200,
    )


def _tender_forms(
    request: HttpRequest, tender: Tender, bids: list[Bid], bound: dict[str, Any]
) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    if tender.status == Tender.Status.OPEN:
        forms["bid"] = bound.get("bid") or BidForm(
            prefix="bid", exclude=[b.contractor_id for b in bids]
        )
    if tender.status in (Tender.Status.OPEN, Tender.Status.EVALUATED):
        for b in bids:
            b.edit_form = bound.get(f"bid_edit:{b.public_id}") or BidEditForm(  # type: ignore[attr-defined]
                prefix=f"b{b.pk}", initial=BidEditForm.initial_of(b)
            )
    if tender.status == Tender.Status.EVALUATED and bids:
        recommended = next((b for b in bids if getattr(b, "recommended", False)), None)
        forms["award"] = bound.get("award") or AwardForm(
            prefix="award",
            bids=tender.bids.select_related("contractor").order_by("amount"),
            initial={"bid": recommended.public_id if recommended else None},
        )
    if tender.status in Tender.STATUS_MACHINE.transitions and "cancelled" in (
        Tender.STATUS_MACHINE.allowed(tender.status)
    ):
        forms["cancel"] = bound.get("cancel") or ReasonForm(prefix="cancel")
    return forms


@login_required
def tender_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    tender = _get(selectors.tender_get, request, public_id, VIEW)
    return _render_tender(request, tender)


def _render_tender(
    request: HttpRequest, tender: Tender, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    bids = selectors.tender_bids(tender)
    manage = _may_manage(request, tender)
    contract = Contract.objects.filter(tender=tender).first()
    return render(
        request,
        "shelter/contracts/tender_detail.html",
        {
            **tabs(request, "tenders"),
            "tender": tender,
            "cases": list(selectors.tender_cases(tender)),
            "bids": bids,
            "recommended": next((b for b in bids if b.recommended), None),  # type: ignore[attr-defined]
            "technical_pass": services.TECHNICAL_PASS,
            "manage": manage,
            "forms": _tender_forms(request, tender, bids, bound or {}) if manage else {},
            "contract": contract,
            "history": _history(Tender, tender),
        },
        status=status,
    )


TENDER_ACTIONS = ("open", "bid", "bid_edit", "evaluate", "award", "cancel")


@login_required
@require_POST
def tender_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in TENDER_ACTIONS:
        raise Http404
    tender = _get(selectors.tender_get, request, public_id, MANAGE_CONTRACT)
    user = request.user
    form: Any = None
    key = action
    try:
        if action == "open":
            services.tender_open(user=user, tender=tender)
            messages.success(request, _("The tender is open: record the bids as they come."))
        elif action == "bid":
            form = BidForm(request.POST, prefix="bid")
            if form.is_valid():
                services.bid_record(user=user, tender=tender, data=form.cleaned_data)
                messages.success(request, _("The bid is recorded."))
        elif action == "bid_edit":
            bid = (
                tender.bids.filter(public_id=request.POST.get("bid") or None).first()
                if (_is_uuid(request.POST.get("bid")))
                else None
            )
            if bid is None:
                raise Http404
            key = f"bid_edit:{bid.public_id}"
            form = BidEditForm(request.POST, prefix=f"b{bid.pk}")
            if form.is_valid():
                services.bid_update(user=user, bid=bid, data=form.cleaned_data)
                messages.success(request, _("The bid is saved."))
        elif action == "evaluate":
            services.tender_evaluate(user=user, tender=tender)
            messages.success(request, _("The bids are evaluated: award the tender to one of them."))
        elif action == "award":
            form = AwardForm(
                request.POST, prefix="award", bids=tender.bids.select_related("contractor")
            )
            if form.is_valid():
                contract = services.tender_award(
                    user=user,
                    tender=tender,
                    bid=form.cleaned_data["bid"],
                    reason=form.cleaned_data.get("reason") or "",
                    data=form.terms(),
                )
                messages.success(
                    request,
                    _(
                        "Contract %(ref)s is drafted for %(name)s. Set its payment "
                        "milestones, then sign it."
                    )
                    % {"ref": contract.reference, "name": contract.contractor.name},
                )
                return redirect("shelter:contract_detail", public_id=contract.public_id)
        elif action == "cancel":
            form = ReasonForm(request.POST, prefix="cancel")
            if form.is_valid():
                services.tender_cancel(user=user, tender=tender, reason=form.cleaned_data["reason"])
                messages.success(request, _("The tender is cancelled; its houses are free."))
    except ValidationFailed as exc:
        if form is None:
            _fail_message(request, exc)
        else:
            apply_errors(form, exc)
    except ApplicationError as exc:
        _fail_message(request, exc)
        return redirect("shelter:tender_detail", public_id=tender.public_id)
    if form is not None and form.errors:
        tender = _get(selectors.tender_get, request, public_id, VIEW)
        return _render_tender(request, tender, bound={key: form}, status=400)
    return redirect("shelter:tender_detail", public_id=tender.public_id)


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
    _require(request, MANAGE_CONTRACT)
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

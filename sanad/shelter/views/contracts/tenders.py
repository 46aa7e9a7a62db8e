"""Tenders: the list, a lot of houses, bids, evaluation and the award."""

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
    AwardForm,
    BidEditForm,
    BidForm,
    LotChoiceForm,
    ReasonForm,
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
    RehabCase,
    Tender,
)
from sanad.shelter.selectors import contracts as selectors
from sanad.shelter.services import contracts as services
from sanad.shelter.views.contracts._base import (
    _fail_message,
    _get,
    _history,
    _is_uuid,
    _may_manage,
    tabs,
)

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
    require_permission(request, MANAGE_CONTRACT)
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

"""Business plans, grant agreements, disbursement through cash, tranches and visits.
Pages only adapt: the rules are in `services.grants.agreements` and
`services.grants.visits`, the reads in `selectors.agreements`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.revitalization.forms.agreements import (
    AgreementForm,
    BusinessPlanForm,
    ReleaseForm,
    VisitForm,
    apply_errors,
    budget_formset,
    formset_lines,
)
from sanad.revitalization.models import (
    GRANTS,
    VIEW,
    GrantAgreement,
    GrantApplication,
    GrantCall,
    GrantVisit,
)
from sanad.revitalization.selectors import agreements as selectors
from sanad.revitalization.services._common import today
from sanad.revitalization.services.grants import agreements as services
from sanad.revitalization.services.grants.visits import visit_record as record_visit

APP = GrantApplication.Status
VISIT = GrantVisit.Kind
STATUSES = [(s, APP(s).label) for s in (APP.AGREEMENT, APP.COMPLETED, APP.WITHDRAWN)]
DUE_SOON_DAYS = 30


def _not_found(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def _agreement(request: HttpRequest, public_id: Any, permission: str = VIEW) -> GrantAgreement:
    require_permission(request, permission)
    return _not_found(
        selectors.agreement_get, user=request.user, public_id=public_id, permission=permission
    )


def _application(request: HttpRequest, public_id: Any, permission: str = VIEW) -> GrantApplication:
    require_permission(request, permission)
    return _not_found(
        selectors.application_get, user=request.user, public_id=public_id, permission=permission
    )


def _manage(request: HttpRequest, obj: Any) -> bool:
    return has_permission(request.user, GRANTS) and can_reach(request.user, obj, GRANTS)


def _link_visible(user: Any) -> None:
    """Link the agreements of the calls in reach whose cash plan was approved since."""
    calls = (
        scoped(GrantCall.objects.all(), user, VIEW)
        .filter(applications__agreement__isnull=False, applications__agreement__entitlement=None)
        .distinct()
    )
    for call in calls:
        services.agreements_link_entitlements(call)


# --- the list -------------------------------------------------------------------------------
class AgreementListView(ScopedListView):
    model = GrantAgreement
    permission = VIEW
    template_name = "revitalization/agreements/agreement_list.html"
    search_fields = (
        "number",
        "application__reference",
        "application__business_name",
        "application__household__registration_id",
    )
    sort_fields = {
        "number": "number",
        "signed": "signed_on",
        "amount": "amount",
        "due": "next_visit_due",
    }
    default_sort = "-signed"
    filters: dict[str, str]
    call: GrantCall | None = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _link_visible(request.user)
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[GrantAgreement]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("call", "status")}
        qs = selectors.agreements_visible(self.request.user)
        self.call = None
        if f["call"]:
            try:
                self.call = selectors.call_get(user=self.request.user, public_id=f["call"])
            except (NotFound, ValueError, ValidationError):  # a malformed id shows nothing
                self.call = None
            qs = qs.filter(application__call=self.call) if self.call else qs.none()
        if f["status"] in APP.values:
            qs = qs.filter(application__status=f["status"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        disbursement = selectors.call_disbursement(self.call) if self.call else None
        waiting = selectors.applications_selected(user)
        if self.call:
            waiting = waiting.filter(call=self.call)
        ctx.update(
            filters=self.filters,
            statuses=STATUSES,
            calls=selectors.calls_with_agreements(user),
            call=self.call,
            disbursement=disbursement,
            can_disburse=bool(
                disbursement and disbursement.can_disburse and _manage(self.request, self.call)
            ),
            to_prepare=list(waiting[:50]),
            can_manage=has_permission(user, GRANTS),
            can_view_cash=has_permission(user, "cash.view_cash"),
            today=today(),
            search_placeholder=_("Number, application, business or household"),
        )
        return ctx


@login_required
@require_POST
def agreement_disburse(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, GRANTS)
    call = _not_found(selectors.call_get, user=request.user, public_id=public_id, permission=GRANTS)
    back = f"{reverse('revitalization:agreement_list')}?call={call.public_id}"
    try:
        plan = services.agreements_disburse(user=request.user, call=call)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _(
                "Cash plan “%(plan)s” is made as a draft. A cash officer (another person) "
                "approves it on its page; tranche 1 can be released after that."
            )
            % {"plan": plan.name},
        )
    return redirect(back)


# --- an agreement ---------------------------------------------------------------------------
def _agreement_page(
    request: HttpRequest,
    agreement: GrantAgreement,
    *,
    visit_form: VisitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    application = agreement.application
    manage = _manage(request, agreement)
    gate = selectors.tranche_gate(agreement)
    planned = selectors.planned_in(agreement)
    cash_plan = (
        agreement.entitlement.plan if agreement.entitlement else (planned.plan if planned else None)
    )
    visits = selectors.visits_of(agreement)
    running = application.status == APP.AGREEMENT
    return render(
        request,
        "revitalization/agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "application": application,
            "call": application.call,
            "plan": selectors.business_plan_of(application),
            "tranches": selectors.tranche_rows(agreement),
            "gate": gate,
            "cash_plan": cash_plan,
            "can_view_cash": has_permission(request.user, "cash.view_cash"),
            "visits": visits,
            "follow_ups": [v for v in visits if v.kind != VISIT.VERIFICATION],
            "verifications": [v for v in visits if v.kind == VISIT.VERIFICATION],
            "can_manage": manage,
            "can_release": manage and gate.open,
            "can_visit": manage and application.status in (APP.AGREEMENT, APP.COMPLETED),
            "running": running,
            "today": today(),
            "visit_form": visit_form,
            "ledger_source": selectors.LEDGER_SOURCE,
        },
        status=status,
    )


@login_required
def agreement_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    agreement = _agreement(request, public_id)
    if agreement.entitlement_id is None and services.agreements_link_entitlements(
        agreement.application.call
    ):
        agreement = _agreement(request, public_id)
    return _agreement_page(request, agreement)


@login_required
def agreement_pdf(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The agreement to print and sign (it names the grantee: the export is logged)."""
    from sanad.core.audit import personal_data_exported
    from sanad.revitalization import exports_agreements as exports

    agreement = _agreement(request, public_id)
    data = exports.agreement_pdf(agreement=agreement)
    personal_data_exported(
        user=request.user,
        model=GrantApplication,
        purpose=f"grant agreement {agreement.number} (pdf)",
        route=request.get_full_path(),
        record_count=1,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(agreement)}"'
    return response


@login_required
@require_POST
def agreement_release(request: HttpRequest, public_id: Any) -> HttpResponse:
    agreement = _agreement(request, public_id, GRANTS)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the tranche to release."))
    else:
        tranche = form.cleaned_data["tranche"]
        try:
            done = services.agreement_release_tranche(
                user=request.user, agreement=agreement, tranche=tranche
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "Tranche %(n)d of %(number)s is released: the finance team puts it on "
                    "the next payment list."
                )
                % {"n": done.tranche, "number": agreement.number},
            )
    return redirect("revitalization:agreement_detail", public_id=agreement.public_id)


@login_required
def visit_record(request: HttpRequest, public_id: Any) -> HttpResponse:
    agreement = _agreement(request, public_id, GRANTS)
    kind = request.GET.get("kind", "") or request.POST.get("kind", "")
    initial: dict[str, Any] = {"kind": kind if kind in VISIT.values else VISIT.VERIFICATION}
    existing = None
    if kind in VISIT.values and kind != VISIT.VERIFICATION:
        existing = GrantVisit.objects.filter(agreement=agreement, kind=kind).first()
    if existing is not None and existing.visited_on:
        initial.update(
            visited_on=existing.visited_on,
            operating="yes" if existing.operating else "no",
            funds_used_as_planned=(
                ""
                if existing.funds_used_as_planned is None
                else ("yes" if existing.funds_used_as_planned else "no")
            ),
            jobs_created=existing.jobs_created,
            revenue_band=existing.revenue_band,
            notes=existing.notes,
        )
    else:
        initial.setdefault("visited_on", today())
        gate = selectors.tranche_gate(agreement)
        if gate.tranche and gate.tranche > 1:
            initial["verifies_tranche"] = gate.tranche - 1
    form = VisitForm(request.POST or None, tranches=agreement.tranches, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = record_visit(user=request.user, agreement=agreement, **form.service_data())
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            if visit.kind == VISIT.MONTH_12:
                done = _("The follow-up at 12 months is recorded: the grant is completed.")
            else:
                done = _("The visit is recorded.")
            messages.success(request, done)
            return redirect("revitalization:agreement_detail", public_id=agreement.public_id)
    return render(
        request,
        "revitalization/agreements/visit_form.html",
        {"agreement": agreement, "form": form, "existing": existing},
        status=400 if form.errors else 200,
    )


@login_required
def visit_due_list(request: HttpRequest) -> HttpResponse:
    """The visits the officers must make: follow-ups due within a month (overdue
    first) and tranches waiting for their verification visit."""
    require_permission(request, VIEW)
    day = today()
    try:
        days = max(0, min(int(request.GET.get("days", DUE_SOON_DAYS)), 366))
    except ValueError:
        days = DUE_SOON_DAYS
    _link_visible(request.user)
    visits = list(selectors.visits_due(request.user, until=day + datetime.timedelta(days=days)))
    return render(
        request,
        "revitalization/agreements/visit_due_list.html",
        {
            "visits": visits,
            "overdue": sum(1 for v in visits if v.due_on and v.due_on < day),
            "verifications": selectors.verifications_due(request.user),
            "today": day,
            "days": days,
            "can_manage": has_permission(request.user, GRANTS),
        },
    )


# --- business plan and signature --------------------------------------------------------------
@login_required
def agreement_plan(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The business plan of a selected application: read it, write or change it (the
    lines' table), approve it (another person)."""
    application = _application(request, public_id)
    if request.method == "POST":
        require_permission(request, GRANTS)
        if not can_reach(request.user, application, GRANTS):
            raise Http404
    manage = _manage(request, application)
    plan = selectors.business_plan_of(application)
    editable = manage and application.status == APP.SELECTED
    initial: dict[str, Any] = {}
    if plan is not None:
        initial = {
            "summary": plan.summary,
            "own_contribution": plan.own_contribution,
            "jobs_expected": plan.jobs_expected,
            "revenue_band_expected": plan.revenue_band_expected,
        }
    form = BusinessPlanForm(request.POST or None, initial=initial)
    lines = budget_formset(request.POST or None, plan.budget_lines if plan else None)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            services.business_plan_save(
                user=request.user,
                application=application,
                budget_lines=formset_lines(lines),
                **form.service_data(),
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
            if "budget_lines" in exc.fields:
                form.add_error(None, " ".join(str(m) for m in exc.fields["budget_lines"]))
        else:
            messages.success(
                request, _("The business plan is saved. Another person must approve it.")
            )
            return redirect("revitalization:agreement_plan", public_id=application.public_id)
    writers = {plan.created_by_id, plan.updated_by_id} if plan else set()
    return render(
        request,
        "revitalization/agreements/plan_form.html",
        {
            "application": application,
            "call": application.call,
            "plan": plan,
            "form": form,
            "lines": lines,
            "can_edit": editable,
            "can_approve": editable
            and plan is not None
            and plan.approved_at is None
            and request.user.pk not in writers,
            "wrote_it": plan is not None and request.user.pk in writers,
            "agreement": selectors.agreement_of(application),
        },
        status=400 if form.errors or (request.method == "POST" and lines.errors) else 200,
    )


@login_required
@require_POST
def agreement_plan_approve(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = _application(request, public_id, GRANTS)
    plan = selectors.business_plan_of(application)
    if plan is None:
        messages.error(request, _("Write the business plan first."))
    else:
        try:
            services.business_plan_approve(user=request.user, plan=plan)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The business plan is approved: sign the agreement."))
    return redirect("revitalization:agreement_plan", public_id=application.public_id)


@login_required
def agreement_sign(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = _application(request, public_id, GRANTS)
    existing = selectors.agreement_of(application)
    if existing is not None:
        return redirect("revitalization:agreement_detail", public_id=existing.public_id)
    plan = selectors.business_plan_of(application)
    form = AgreementForm(
        request.POST or None,
        initial={
            "signed_on": today(),
            "amount": plan.total if plan else None,
            "signature": "signed",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_sign(
                user=request.user, application=application, **form.service_data()
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Agreement %(number)s is signed. The follow-up visits at 3, 6 and 12 "
                    "months are scheduled."
                )
                % {"number": agreement.number},
            )
            return redirect("revitalization:agreement_detail", public_id=agreement.public_id)
    return render(
        request,
        "revitalization/agreements/agreement_form.html",
        {"application": application, "call": application.call, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


__all__ = [
    "AgreementListView",
    "agreement_detail",
    "agreement_disburse",
    "agreement_pdf",
    "agreement_plan",
    "agreement_plan_approve",
    "agreement_release",
    "agreement_sign",
    "visit_due_list",
    "visit_record",
]

"""Cash and voucher plans: the list, a new plan from an approved beneficiary list, the
plan's page (its figures, approval by another person, cancel, close), its
entitlements (condition met) and its vouchers (issue, print the sheet, cancel,
re-issue)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.cash import selectors, services
from sanad.cash.forms import EvidenceForm, PlanForm, PlanTransitionForm, ReasonForm, apply_errors
from sanad.cash.models import (
    APPROVE_PLAN,
    MANAGE,
    CashPlan,
    Entitlement,
    Voucher,
)
from sanad.cash.views.common import allowed, entitlement_for, history, plan_for, voucher_for
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission

STATUS = CashPlan.Status
ENTITLEMENTS_PER_PAGE = 50
# Conditions met on another module's record (a shelter inspection, a grant agreement's
# verification visit), which releases the tranches: never by hand on this page.
RELEASED_ELSEWHERE = (CashPlan.Condition.SHELTER_MILESTONE, CashPlan.Condition.GRANT_MILESTONE)


class PlanListView(ScopedListView):
    model = CashPlan
    template_name = "cash/plan_list.html"
    search_fields = ("name", "project__code", "beneficiary_list__name", "source")
    sort_fields = {
        "name": "name",
        "status": "status",
        "created": "created_at",
        "expires": "expires_on",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[CashPlan]:
        return CashPlan.objects.select_related("programme", "project", "beneficiary_list")

    def get_queryset(self) -> QuerySet[CashPlan]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in STATUS.values:
            qs = qs.filter(status=status)
        modality = self.request.GET.get("modality", "")
        if modality in CashPlan.Modality.values:
            qs = qs.filter(modality=modality)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            tab="plans",
            can_manage=has_permission(self.request.user, MANAGE),
            statuses=STATUS.choices,
            status=self.request.GET.get("status", ""),
            modalities=CashPlan.Modality.choices,
            modality=self.request.GET.get("modality", ""),
            search_placeholder=_("Plan, project or list"),
        )
        return ctx


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    initial = {"beneficiary_list": request.GET.get("list", "")}
    form = PlanForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.service_kwargs())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The plan was saved as a draft. Another person must approve it."),
            )
            return redirect("cash:plan_detail", public_id=plan.public_id)
    return render(
        request,
        "cash/plan_form.html",
        {"form": form, "tab": "plans"},
        status=400 if form.errors else 200,
    )


def _entitlements(request: HttpRequest, plan: CashPlan) -> Any:
    from sanad.registry.selectors import heads_prefetch

    qs = (
        selectors.entitlements_visible_to(request.user)
        .filter(plan=plan)
        .select_related("household")
        .prefetch_related(
            Prefetch("household__members", to_attr="heads", queryset=heads_prefetch().queryset),
            Prefetch("vouchers", queryset=Voucher.objects.order_by("-created_at")),
        )
        .order_by("household__registration_id")
    )
    status = request.GET.get("status", "")
    if status in Entitlement.Status.values:
        qs = qs.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(household__registration_id__icontains=query)
    page = Paginator(qs, ENTITLEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    row: Any
    for row in page.object_list:
        heads = getattr(row.household, "heads", [])
        row.head = heads[0] if heads else None
        vouchers = list(row.vouchers.all())
        row.voucher = vouchers[0] if vouchers else None
    return page


@login_required
def plan_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id)
    manage = allowed(request, plan, MANAGE)
    approve = allowed(request, plan, APPROVE_PLAN)
    status = plan.status
    evoucher = plan.modality == CashPlan.Modality.EVOUCHER
    totals = selectors.plan_totals(plan)
    released = totals["by_status"].get("released", {}).get("count", 0)
    return render(
        request,
        "cash/plan_detail.html",
        {
            "tab": "plans",
            "plan": plan,
            "totals": totals,
            "page": _entitlements(request, plan),
            "entitlement_statuses": Entitlement.Status.choices,
            "status_filter": request.GET.get("status", ""),
            "query": request.GET.get("q", ""),
            "history": history(plan, STATUS.choices),
            "vendors": list(plan.allowed_vendors.order_by("name")),
            "categories": _category_labels(plan.allowed_categories),
            "can_manage": manage,
            "can_approve": approve and status == STATUS.DRAFT,
            "same_person": plan.created_by_id == request.user.pk,
            "can_cancel": manage and status in (STATUS.DRAFT, STATUS.APPROVED),
            "can_close": manage and status == STATUS.APPROVED,
            "can_release": manage
            and status == STATUS.APPROVED
            and bool(plan.condition)
            and plan.condition not in RELEASED_ELSEWHERE,
            "planned": selectors.plan_planned(plan),
            "can_issue": manage
            and evoucher
            and status == STATUS.APPROVED
            and released > totals["vouchers_issued"],
            "can_print": manage and evoucher and totals["vouchers_issued"] > 0,
            "can_vouchers": manage and evoucher and status == STATUS.APPROVED,
            "evidence_form": EvidenceForm(),
            "reason_form": ReasonForm(),
        },
    )


def _category_labels(codes: Any) -> list[str]:
    from sanad.stock.models import Item

    labels = dict(Item.Category.choices)
    return [str(labels.get(c, c)) for c in codes or []]


@login_required
@require_POST
def plan_transition(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id)
    form = PlanTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the plan."))
        return redirect("cash:plan_detail", public_id=plan.public_id)
    to, reason = form.cleaned_data["to"], form.cleaned_data.get("reason") or ""
    if not allowed(request, plan, APPROVE_PLAN if to == STATUS.APPROVED else MANAGE):
        raise DjangoPermissionDenied
    try:
        if to == STATUS.APPROVED:
            plan = services.plan_approve(user=request.user, plan=plan)
            n = Entitlement.objects.filter(plan=plan).count()
            done = _("Approved: %(n)s households are entitled.") % {"n": n}
        elif to == STATUS.CANCELLED:
            services.plan_cancel(user=request.user, plan=plan, reason=reason)
            done = _("The plan is cancelled, with its active vouchers and unpaid entitlements.")
        else:
            services.plan_close(user=request.user, plan=plan)
            done = _("The plan is closed.")
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("cash:plan_detail", public_id=plan.public_id)


@login_required
@require_POST
def entitlement_release(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The household met the plan's condition: its entitlement is released."""
    entitlement = entitlement_for(request, public_id, MANAGE)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what shows the condition is met."))
    else:
        try:
            services.entitlement_condition_met(
                user=request.user, entitlement=entitlement, evidence=form.cleaned_data["evidence"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("%(id)s: the entitlement is released.")
                % {"id": entitlement.household.registration_id},
            )
    return redirect("cash:plan_detail", public_id=entitlement.plan.public_id)


def _print_job(
    request: HttpRequest,
    plan: CashPlan,
    vouchers: list[Voucher] | None,
    pins: dict[str, str],
) -> Any:
    """Start the voucher sheet job. PINs exist only now: they go to the job, which
    prints them and then removes them from its parameters."""
    from sanad.cash import jobs
    from sanad.core.jobs import job_start

    params: dict[str, Any] = {
        "plan": str(plan.public_id),
        "language": translation.get_language() or "en",
    }
    if vouchers is not None:
        params["vouchers"] = [str(v.public_id) for v in vouchers]
    if pins:
        params["pins"] = pins
    return job_start(kind=jobs.VOUCHER_SHEET, user=request.user, params=params)


@login_required
@require_POST
def vouchers_issue(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id, MANAGE)
    try:
        issued = services.vouchers_issue(user=request.user, plan=plan)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("cash:plan_detail", public_id=plan.public_id)
    if not issued:
        messages.info(request, _("Every released entitlement already has a voucher."))
        return redirect("cash:plan_detail", public_id=plan.public_id)
    pins = {str(v.public_id): pin for v, pin in issued if pin}
    job = _print_job(request, plan, [v for v, _pin in issued], pins)
    messages.success(
        request,
        _("%(n)s vouchers issued. Their sheet is being prepared: print it when it is ready.")
        % {"n": len(issued)}
        + (" " + _("The PINs are printed only on this sheet.") if pins else ""),
    )
    return redirect("core:job_detail", public_id=job.public_id)


@login_required
@require_POST
def vouchers_print(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The sheet of the plan's active vouchers again (without PINs: they are kept only
    as hashes)."""
    plan = plan_for(request, public_id, MANAGE)
    job = _print_job(request, plan, None, {})
    return redirect("core:job_detail", public_id=job.public_id)


@login_required
@require_POST
def voucher_cancel(request: HttpRequest, public_id: Any) -> HttpResponse:
    voucher = voucher_for(request, public_id, MANAGE)
    form = ReasonForm(request.POST)
    plan = voucher.entitlement.plan
    if not form.is_valid():
        messages.error(request, _("Say why the voucher is cancelled."))
        return redirect("cash:plan_detail", public_id=plan.public_id)
    try:
        services.voucher_cancel(
            user=request.user, voucher=voucher, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Voucher …%(tail)s is cancelled: it can no longer be used.")
            % {"tail": voucher.code[-4:]},
        )
    return redirect("cash:plan_detail", public_id=plan.public_id)


@login_required
@require_POST
def voucher_reissue(request: HttpRequest, public_id: Any) -> HttpResponse:
    voucher = voucher_for(request, public_id, MANAGE)
    form = ReasonForm(request.POST)
    plan = voucher.entitlement.plan
    if not form.is_valid():
        messages.error(request, _("Say why the voucher is re-issued."))
        return redirect("cash:plan_detail", public_id=plan.public_id)
    try:
        new, pin = services.voucher_reissue(
            user=request.user, voucher=voucher, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("cash:plan_detail", public_id=plan.public_id)
    job = _print_job(request, plan, [new], {str(new.public_id): pin} if pin else {})
    messages.success(
        request,
        _("Voucher …%(old)s is replaced by …%(new)s with its balance. Print the new one.")
        % {"old": voucher.code[-4:], "new": new.code[-4:]},
    )
    return redirect("core:job_detail", public_id=job.public_id)


__all__ = [
    "PlanListView",
    "entitlement_release",
    "plan_create",
    "plan_detail",
    "plan_transition",
    "voucher_cancel",
    "voucher_reissue",
    "vouchers_issue",
    "vouchers_print",
]

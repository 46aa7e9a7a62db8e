"""Grant-call pages: list, create, edit, the call's page (figures, criteria, committee
and each member's progress, history, status buttons), criteria, committee, ranking and
selection. Pages only adapt: the rules are in `revitalization.services.grants`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.geo.models import AdminUnit
from sanad.registry.models import DisplacementStatus
from sanad.revitalization.forms.grants import (
    CallForm,
    MemberForm,
    OptionalReasonForm,
    ReasonForm,
    SelectionForm,
    criteria_formset,
    criteria_rows,
)
from sanad.revitalization.models import GRANTS, VIEW, BusinessSector, CommitteeMember, GrantCall
from sanad.revitalization.selectors import grants as selectors
from sanad.revitalization.services.grants import calls as services
from sanad.revitalization.services.grants import scoring
from sanad.revitalization.views.grants._common import (
    form_error,
    get_call,
    may,
    refuse,
    to_call,
)

STATUS = GrantCall.Status


class CallListView(ScopedListView):
    model = GrantCall
    permission = VIEW
    template_name = "revitalization/grants/call_list.html"
    search_fields = ("reference", "title", "project__code")
    sort_fields = {
        "reference": "reference",
        "opens": "opens_on",
        "closes": "closes_on",
        "status": "status",
        "budget": "budget",
    }
    default_sort = "-opens"
    filters: dict[str, str]

    def get_base_queryset(self) -> QuerySet[GrantCall]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("status", "governorate")}
        qs = selectors.calls_visible(self.request.user)
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            governorates=AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by(
                "name_en"
            ),
            can_manage=has_permission(self.request.user, GRANTS),
            can_score=bool(has_permission(self.request.user, "revitalization.score_application")),
        )
        return ctx


def _form_page(request: HttpRequest, form: CallForm, call: GrantCall | None) -> HttpResponse:
    return render(
        request,
        "revitalization/grants/call_form.html",
        {"form": form, "call": call},
        status=400 if form.errors else 200,
    )


@login_required
def call_create(request: HttpRequest) -> HttpResponse:
    from django.core.exceptions import PermissionDenied

    if not has_permission(request.user, GRANTS):
        raise PermissionDenied
    form = CallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(user=request.user, **form.service_data())
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            return to_call(
                request,
                call,
                _("Call %(ref)s is created as a draft: add the criteria and the committee.")
                % {"ref": call.reference},
            )
    return _form_page(request, form, None)


@login_required
def call_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    call = get_call(request, public_id, GRANTS)
    form = CallForm(request.POST or None, user=request.user, initial=CallForm.initial_for(call))
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_update(user=request.user, call=call, **form.service_data())
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            return to_call(request, call, _("The call is saved."))
    return _form_page(request, form, call)


def _call_page(
    request: HttpRequest, call: GrantCall, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    manage = may(request, GRANTS, call)
    forms = forms or {}
    forms.setdefault("cancel", ReasonForm(prefix="cancel"))
    forms.setdefault("reopen", OptionalReasonForm(prefix="reopen"))
    ranking = selectors.call_ranking(call)
    criteria = ranking.criteria
    member = selectors.membership(request.user, call)
    return render(
        request,
        "revitalization/grants/call_detail.html",
        {
            "call": call,
            "figures": selectors.call_figures(call, ranking),
            "criteria": criteria,
            "weights_total": selectors.weights_total(criteria),
            "progress": selectors.committee_progress(call),
            "history": list(selectors.call_history(call)),
            "communities": list(call.communities.order_by("name")),
            "status_labels": [
                str(dict(DisplacementStatus.choices).get(s, s)) for s in call.displacement_statuses
            ],
            "sector_labels": [str(dict(BusinessSector.choices).get(s, s)) for s in call.sectors],
            "open_problems": services.open_problems(call)
            if call.status in (STATUS.DRAFT, STATUS.SCORING)
            else [],
            "can_manage": manage,
            "editable": manage and call.status in services.EDITABLE,
            "is_member": member is not None
            and has_permission(request.user, "revitalization.score_application"),
            "forms": forms,
        },
        status=status,
    )


@login_required
def call_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _call_page(request, get_call(request, public_id))


CALL_ACTIONS: dict[str, tuple[str, Any, str]] = {
    "open": (STATUS.OPEN, None, ""),
    "close": (STATUS.SCORING, None, ""),
    "reopen": (STATUS.OPEN, OptionalReasonForm, "reopen"),
    "unselect": (STATUS.SCORING, ReasonForm, "cancel"),
    "complete": (STATUS.COMPLETED, None, ""),
    "cancel": (STATUS.CANCELLED, ReasonForm, "cancel"),
}


@login_required
@require_POST
def call_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CALL_ACTIONS:
        raise Http404
    to, form_class, prefix = CALL_ACTIONS[action]
    call = get_call(request, public_id, GRANTS)
    form: Any = form_class(request.POST, prefix=prefix) if form_class else None
    if form is None or form.is_valid():
        reason = form.cleaned_data.get("reason", "") if form is not None else ""
        try:
            services.call_transition(user=request.user, call=call, to=to, reason=reason)
        except ApplicationError as exc:
            if form is None:
                refuse(request, exc)
                return redirect("revitalization:call_detail", public_id=call.public_id)
            form_error(form, exc)
        else:
            text = {
                "open": _("The call is open: applications can be entered."),
                "close": _(
                    "The call is closed to applications and the eligibility checks ran: the "
                    "committee can score."
                ),
                "reopen": _("The call is open again."),
                "unselect": _("The selection is undone: the call is back to scoring."),
                "complete": _("The call is completed."),
                "cancel": _("The call is cancelled."),
            }[action]
            return to_call(request, call, text)
    return _call_page(request, get_call(request, public_id), {prefix: form}, status=400)


# --- criteria --------------------------------------------------------------------------
@login_required
def call_criteria(request: HttpRequest, public_id: Any) -> HttpResponse:
    call = get_call(request, public_id, GRANTS)
    formset = criteria_formset(
        request.POST if request.method == "POST" else None, selectors.criteria_of(call)
    )
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.call_criteria_set(
                user=request.user, call=call, criteria=criteria_rows(formset)
            )
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = [str(m) for msgs in exc.fields.values() for m in msgs] or [str(exc.message)]
        else:
            return to_call(request, call, _("The scoring criteria are saved."))
    return render(
        request,
        "revitalization/grants/call_criteria.html",
        {"call": call, "formset": formset, "errors": errors},
        status=400 if errors or (request.method == "POST" and not formset.is_valid()) else 200,
    )


# --- committee -------------------------------------------------------------------------
@login_required
def call_committee(request: HttpRequest, public_id: Any) -> HttpResponse:
    call = get_call(request, public_id, GRANTS)
    form = MemberForm(request.POST or None, candidates=selectors.committee_candidates(call))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.call_member_add(
                user=request.user,
                call=call,
                member=form.member(),
                role=form.cleaned_data["role"],
                organisation_note=form.cleaned_data.get("organisation_note", ""),
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(user)s is on the committee.") % {"user": member.user},
            )
            return redirect("revitalization:call_committee", public_id=call.public_id)
    return render(
        request,
        "revitalization/grants/call_committee.html",
        {
            "call": call,
            "form": form,
            "progress": selectors.committee_progress(call),
            "can_change": call.status in (STATUS.DRAFT, STATUS.OPEN, STATUS.SCORING),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def call_member_remove(request: HttpRequest, public_id: Any, member_id: int) -> HttpResponse:
    call = get_call(request, public_id, GRANTS)
    member = CommitteeMember.objects.filter(call=call, pk=member_id).select_related("user").first()
    if member is None:
        raise Http404
    try:
        services.call_member_remove(user=request.user, call=call, member=member)
    except ApplicationError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("%(user)s is off the committee.") % {"user": member.user})
    return redirect("revitalization:call_committee", public_id=call.public_id)


# --- ranking and selection ---------------------------------------------------------------
@login_required
def call_ranking(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The committee's scores per application and member, the mean, the rank and the
    tie notes. POST keeps the ranking on the applications (scoring only)."""
    call = get_call(request, public_id, GRANTS)
    if request.method == "POST":
        try:
            scoring.call_rank(user=request.user, call=call)
        except ApplicationError as exc:
            refuse(request, exc)
        else:
            messages.success(request, _("The ranking is saved on the applications."))
        return redirect("revitalization:call_ranking", public_id=call.public_id)
    ranking = selectors.call_ranking(call)
    return render(
        request,
        "revitalization/grants/call_ranking.html",
        {
            "call": call,
            "ranking": ranking,
            "rows": [(row, row.cells(ranking.members)) for row in ranking.rows],
            "can_rank": call.status == STATUS.SCORING,
        },
    )


def _reserve(value: Any, default: int = 3) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(0, min(number, scoring.MAX_RESERVE))


@login_required
def call_selection(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The proposal (by rank within the budget, then the reserve list) with a list
    to choose per application; POST confirms it (moves need a reason)."""
    call = get_call(request, public_id, GRANTS)
    source = request.POST if request.method == "POST" else request.GET
    reserve = _reserve(source.get("reserve"))
    ranking = selectors.call_ranking(call)
    proposal = selectors.selection_proposal(ranking, reserve=reserve)
    form = SelectionForm(
        request.POST if request.method == "POST" else None,
        proposal=proposal,
        initial={"reserve": reserve},
    )
    if request.method == "POST" and form.is_valid():
        try:
            scoring.call_select(user=request.user, call=call, reserve=reserve, moves=form.moves())
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            return to_call(
                request,
                call,
                _("The grantees are selected: prepare their business plans and agreements."),
            )
    selected_total = sum(
        (p.row.application.requested_amount for p in proposal if p.proposed == "selected"),
        start=call.budget * 0,
    )
    return render(
        request,
        "revitalization/grants/call_selection.html",
        {
            "call": call,
            "form": form,
            "reserve": reserve,
            "waiting": ranking.waiting,
            "selected_total": selected_total,
            "can_select": call.status == STATUS.SCORING,
        },
        status=400 if form.errors else 200,
    )

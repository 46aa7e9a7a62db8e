"""Closure and consolidation plans: the list, a new plan for a site, the plan's page
(households to move, their destination, date and status) and its transitions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.forms.sites import (
    AddHouseholdForm,
    ClosureForm,
    ClosureHouseholdForm,
    TransitionForm,
    apply_errors,
)
from sanad.camps.models import MANAGE_CLOSURE, VIEW, Allocation, ClosureHousehold, ClosurePlan
from sanad.camps.selectors import sites as selectors
from sanad.camps.services import closure as services
from sanad.camps.views.sites import allowed, site_for
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission

PLAN = ClosurePlan.Status
ACTIONS = {
    "approve": PLAN.APPROVED,
    "start": PLAN.IN_PROGRESS,
    "done": PLAN.DONE,
    "cancel": PLAN.CANCELLED,
}


def plan_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> ClosurePlan:
    require_permission(request, permission)
    try:
        return selectors.closure_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


class ClosureListView(ScopedListView):
    model = ClosurePlan
    template_name = "camps/closure/list.html"
    search_fields = ("site__place__name_en", "site__place__code")
    sort_fields = {"date": "target_date", "site": "site__place__name_en", "status": "status"}
    default_sort = "-date"

    def get_base_queryset(self) -> QuerySet[ClosurePlan]:
        return selectors.closures_visible_to(self.request.user)

    def get_queryset(self) -> QuerySet[ClosurePlan]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in PLAN.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            tab="closures",
            statuses=PLAN.choices,
            status=self.request.GET.get("status", ""),
            can_manage=has_permission(self.request.user, MANAGE_CLOSURE),
            search_placeholder=_("Site name or code"),
        )
        return ctx


@login_required
def closure_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CLOSURE)
    site_id = request.GET.get("site") or request.POST.get("site") or ""
    site = None
    if site_id:
        try:
            uuid.UUID(str(site_id))
        except ValueError as exc:  # a malformed id is as unknown as a missing one
            raise Http404 from exc
        site = site_for(request, site_id, MANAGE_CLOSURE)
    sites = selectors.sites_visible_to(request.user, MANAGE_CLOSURE).select_related("place")
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if site is None:
            form.add_error(None, _("Choose the site to close or consolidate."))
        else:
            try:
                plan = services.closure_create(user=request.user, site=site, **form.cleaned_data)
            except ValidationFailed as exc:
                apply_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request, _("The plan is drafted. Add the households to move next.")
                )
                return redirect("camps:closure_detail", public_id=plan.public_id)
    return render(
        request,
        "camps/closure/form.html",
        {"form": form, "site": site, "sites": sites, "tab": "closures"},
        status=400 if form.errors else 200,
    )


def _transitions(plan: ClosurePlan) -> list[tuple[str, str, bool]]:
    labels = {
        "approve": _("Approve"),
        "start": _("Start moving households"),
        "done": _("Mark done"),
        "cancel": _("Cancel the plan"),
    }
    allowed_next = ClosurePlan.STATUS_MACHINE.allowed(plan.status)
    return [
        (action, str(labels[action]), to == PLAN.CANCELLED)
        for action, to in ACTIONS.items()
        if to in allowed_next
    ]


@login_required
def closure_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id)
    manage = allowed(request, plan, MANAGE_CLOSURE) and plan.status in services.EDITABLE
    rows = list(
        plan.households.select_related(
            "household", "destination", "destination_admin_unit"
        ).order_by("status", "move_on", "id")
    )
    plots = dict(
        Allocation.objects.filter(
            site_id=plan.site_id,
            ended_on__isnull=True,
            household_id__in=[r.household_id for r in rows],
        ).values_list("household_id", "plot__code")
    )
    for row in rows:
        row.plot_code = plots.get(row.household_id) or ""  # type: ignore[attr-defined]
        if manage and row.status != ClosureHousehold.Status.MOVED:
            row.form = ClosureHouseholdForm(  # type: ignore[attr-defined]
                user=request.user,
                exclude_place=plan.site.place_id,
                prefix=f"row{row.pk}",
                initial={
                    "destination": row.destination_id,
                    "destination_admin_unit": row.destination_admin_unit.pcode
                    if row.destination_admin_unit
                    else None,
                    "move_on": row.move_on,
                    "status": row.status,
                    "note": row.note,
                },
            )
    counts = dict.fromkeys(ClosureHousehold.Status.values, 0)
    for row in rows:
        counts[row.status] += 1
    still_on_site = (
        Allocation.objects.filter(site_id=plan.site_id, ended_on__isnull=True)
        .exclude(household_id__in=[r.household_id for r in rows])
        .count()
    )
    return render(
        request,
        "camps/closure/detail.html",
        {
            "tab": "closures",
            "plan": plan,
            "rows": rows,
            "counts": [(label, counts[value]) for value, label in ClosureHousehold.Status.choices],
            "still_on_site": still_on_site,
            "can_manage": manage,
            "can_transition": allowed(request, plan, MANAGE_CLOSURE),
            "transitions": _transitions(plan) if allowed(request, plan, MANAGE_CLOSURE) else [],
            "add_form": AddHouseholdForm() if manage else None,
            "movement_available": services.movement_requests_available(),
            "history": _history(plan),
        },
    )


def _history(plan: ClosurePlan) -> list[Any]:
    labels = dict(PLAN.choices)
    rows = list(ClosurePlan.STATUS_MACHINE.history(plan))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


@login_required
@require_POST
def closure_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    """POST: approve, start, done, cancel (with reason), add_from_site, add_household,
    update_household (with `row`), request_movements."""
    plan = plan_for(request, public_id, MANAGE_CLOSURE)
    back = redirect("camps:closure_detail", public_id=plan.public_id)
    try:
        if action in ACTIONS:
            form = TransitionForm({"to": ACTIONS[action], "reason": request.POST.get("reason", "")})
            form.is_valid()
            services.closure_transition(
                user=request.user,
                plan=plan,
                to=ACTIONS[action],
                reason=form.cleaned_data.get("reason") or "",
            )
            plan.refresh_from_db()
            messages.success(
                request, _("The plan is now “%(status)s”.") % {"status": plan.get_status_display()}
            )
        elif action == "add_from_site":
            n = services.closure_households_add_from_site(user=request.user, plan=plan)
            messages.success(
                request, _("%(n)d households living on the site were added.") % {"n": n}
            )
        elif action == "add_household":
            add = AddHouseholdForm(request.POST)
            if not add.is_valid():
                messages.error(request, _("Give the household's registration id."))
                return back
            row = services.closure_household_add(
                user=request.user, plan=plan, registration_id=add.cleaned_data["registration_id"]
            )
            messages.success(
                request, _("Household %(id)s added.") % {"id": row.household.registration_id}
            )
        elif action == "update_household":
            found = plan.households.filter(pk=request.POST.get("row") or 0).first()
            if found is None:
                raise Http404
            row = found
            edit = ClosureHouseholdForm(
                request.POST,
                user=request.user,
                exclude_place=plan.site.place_id,
                prefix=f"row{row.pk}",
            )
            if not edit.is_valid():
                errors = [str(e) for errs in edit.errors.values() for e in errs]
                messages.error(request, " ".join(errors))
                return back
            services.closure_household_update(user=request.user, row=row, **edit.cleaned_data)
            messages.success(
                request, _("Household %(id)s saved.") % {"id": row.household.registration_id}
            )
        elif action == "request_movements":
            n = services.closure_movement_requests(user=request.user, plan=plan)
            messages.success(request, _("Movement requests made for %(n)d households.") % {"n": n})
        else:
            raise Http404
    except ValidationFailed as exc:
        errors = [str(m) for msgs in exc.fields.values() for m in msgs] or [str(exc.message)]
        messages.error(request, " ".join(errors))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return back

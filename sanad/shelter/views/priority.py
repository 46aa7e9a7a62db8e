"""Prioritisation rounds: the list, a new round (project, list, weights), and the
round's page with the formula, the ranked houses, ticks of the houses to repair, new
weights, ranking again and the final mark."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.shelter.forms.assessments import PriorityRoundForm, apply_errors
from sanad.shelter.models import MANAGE_CASE, VIEW, PriorityRound
from sanad.shelter.selectors import assessments as selectors
from sanad.shelter.services import priority as services
from sanad.shelter.services._common import min_space


class PriorityListView(ScopedListView):
    model = PriorityRound
    permission = VIEW
    template_name = "shelter/priority/list.html"
    search_fields = ("name", "project__code", "project__title")
    sort_fields = {"name": "name", "created": "created_at", "status": "status"}
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[PriorityRound]:
        return selectors.rounds_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, MANAGE_CASE)
        ctx["search_placeholder"] = _("Name or project")
        return ctx


@login_required
def priority_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CASE)
    form = PriorityRoundForm(
        (request.POST if request.method == "POST" else None),
        user=request.user,
        initial={"weight_damage": 60, "weight_vulnerability": 40},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.priority_round_create(user=request.user, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("%(n)d houses are ranked. Tick the houses to repair.")
                % {"n": rnd.entries.count()},
            )
            return redirect("shelter:priority_detail", public_id=rnd.public_id)
    return render(
        request,
        "shelter/priority/form.html",
        {"form": form, "formula": services.formula_text()},
        status=400 if form.errors else 200,
    )


def _round_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> PriorityRound:
    require_permission(request, permission)
    try:
        return selectors.round_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _explanation_url(lst: Any, household: Any) -> str:
    try:
        return reverse(
            "targeting:explanation",
            kwargs={"public_id": lst.public_id, "household": household.public_id},
        )
    except NoReverseMatch:
        return ""


@login_required
def priority_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    rnd = _round_for(request, public_id)
    return _render_detail(request, rnd)


def _render_detail(
    request: HttpRequest, rnd: PriorityRound, form: Any = None, status: int = 200
) -> HttpResponse:
    user = request.user
    manage = (
        has_permission(user, MANAGE_CASE)
        and can_reach(user, rnd, MANAGE_CASE)
        and rnd.status == PriorityRound.Status.DRAFT
    )
    entries = selectors.round_entries(rnd, user)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    lst = rnd.beneficiary_list
    explain = lst is not None and has_permission(user, "targeting.view_list")
    see_households = has_permission(user, "registry.view_household")
    for e in page.object_list:
        row: Any = e
        a = e.assessment
        row.explanation_url = _explanation_url(lst, a.household) if explain and a.household else ""
        row.registration_id = a.household.registration_id if a.household and see_households else ""
    if manage and form is None:
        form = PriorityRoundForm(
            user=user,
            edit=True,
            prefix="weights",
            initial={
                "name": rnd.name,
                "beneficiary_list": rnd.beneficiary_list_id,
                "weight_damage": rnd.weight_damage,
                "weight_vulnerability": rnd.weight_vulnerability,
            },
        )
    cases_url = ""
    if rnd.status == PriorityRound.Status.FINAL and has_permission(user, MANAGE_CASE):
        try:
            cases_url = reverse("shelter:case_create") + f"?round={rnd.public_id}"
        except NoReverseMatch:
            cases_url = ""
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "shelter/priority/detail.html",
        {
            "round": rnd,
            "entries": page.object_list,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1,
            "querystring": params.urlencode(),
            "manage": manage,
            "form": form,
            "formula": services.formula_text(),
            "direction_low": services._lower_is_more_vulnerable(lst),
            "selected_count": entries.filter(selected=True).count(),
            "total": page.paginator.count,
            "cases_url": cases_url,
            "min_space": min_space(),
        },
        status=status,
    )


ACTIONS = ("select", "weights", "recompute", "finalise")


@login_required
@require_POST
def priority_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    rnd = _round_for(request, public_id, MANAGE_CASE)
    user = request.user
    try:
        if action == "select":
            services.priority_select(
                user=user,
                round=rnd,
                selected=request.POST.getlist("selected"),
                among=request.POST.getlist("shown") or None,
            )
            messages.success(request, _("The ticks are saved."))
        elif action == "weights":
            form = PriorityRoundForm(request.POST, user=user, edit=True, prefix="weights")
            if not form.is_valid():
                return _render_detail(request, rnd, form=form, status=400)
            try:
                services.priority_round_update(user=user, round=rnd, data=form.cleaned_data)
            except ValidationFailed as exc:
                apply_errors(form, exc)
                return _render_detail(request, rnd, form=form, status=400)
            messages.success(request, _("The houses are ranked again with the new weights."))
        elif action == "recompute":
            n = services.priority_round_recompute(user=user, round=rnd)
            messages.success(request, _("%(n)d houses are ranked again.") % {"n": n})
        else:
            services.priority_round_finalise(user=user, round=rnd)
            messages.success(
                request,
                _("The prioritisation is final. Cases can now be opened for the ticked houses."),
            )
    except ValidationFailed as exc:
        for msgs in exc.fields.values():
            for m in msgs if isinstance(msgs, list | tuple) else [msgs]:
                messages.error(request, str(m))
        if not exc.fields:
            messages.error(request, str(exc.message))
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("shelter:priority_detail", public_id=rnd.public_id)

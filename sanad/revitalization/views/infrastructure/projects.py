"""Infrastructure project pages: list (status, kind, governorate, community; search),
create (also prefilled from a need the community chose), edit, and the project's page:
status actions, people benefiting, milestones and progress, workers and payments. The
rules are in `revitalization.services.infrastructure`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.revitalization.forms.communities import EndorseForm, ReasonForm
from sanad.revitalization.forms.infrastructure import (
    CompleteForm,
    HandoverForm,
    PaymentForm,
    PopulationForm,
    ProgressForm,
    ProjectForm,
    StartForm,
    WorkerAddForm,
    WorkerSearchForm,
)
from sanad.revitalization.models import (
    MANAGE,
    EstimationMethod,
    InfrastructureProject,
    Need,
    ProjectKind,
)
from sanad.revitalization.selectors import infrastructure as selectors
from sanad.revitalization.services import infrastructure as services
from sanad.revitalization.services._common import today
from sanad.revitalization.views.communities._base import service_error
from sanad.revitalization.views.communities.communities import governorate_choices
from sanad.revitalization.views.infrastructure._base import get_project, to_project

STATUS = InfrastructureProject.Status
OPEN = (STATUS.PROPOSED, STATUS.ENDORSED, STATUS.IN_PROGRESS)


class ProjectListView(ScopedListView):
    model = InfrastructureProject
    template_name = "revitalization/infrastructure/project_list.html"
    search_fields = ("reference", "title")
    sort_fields = {
        "reference": "reference",
        "title": "title",
        "status": "status",
        "budget": "budget",
        "created": "created_at",
    }
    default_sort = "-created"
    filters: dict[str, str]

    def get_base_queryset(self) -> QuerySet[InfrastructureProject]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("status", "kind", "governorate", "community")
        }
        qs = selectors.projects_visible(self.request.user)
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["kind"] in ProjectKind.values:
            qs = qs.filter(kind=f["kind"])
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["community"]:
            qs = qs.filter(community__code=f["community"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        for project in ctx["object_list"]:
            project.progress = selectors.progress_percent(project)
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            kinds=ProjectKind.choices,
            governorates=governorate_choices(),
            can_manage=has_permission(self.request.user, MANAGE),
            search_placeholder=_("Reference or title"),
        )
        return ctx


def _need_from_query(request: HttpRequest) -> Need | None:
    value = request.GET.get("need", "")
    if not value.isdigit():
        return None
    return (
        scoped(Need.objects.select_related("assessment__community"), request.user, MANAGE)
        .filter(pk=int(value))
        .first()
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    initial: dict[str, Any] = {"currency": "USD"}
    need = _need_from_query(request)
    if need is not None:
        defaults = services.project_defaults_from_need(need)
        initial.update(
            title=defaults["title"],
            kind=defaults["kind"],
            community=defaults["community"].public_id,
            need=need.pk,
            budget=defaults["budget"],
            currency=defaults["currency"] or "USD",
        )
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(user=request.user, **form.service_data())
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            text = _("Project %(ref)s is recorded as proposed.") % {"ref": project.reference}
            if project.status == STATUS.ENDORSED:
                text = _("Project %(ref)s is recorded, endorsed with the community assessment.") % {
                    "ref": project.reference
                }
            return to_project(request, project, text)
    return render(
        request,
        "revitalization/infrastructure/project_form.html",
        {"form": form, "project": None, "from_need": need},
        status=400 if form.errors else 200,
    )


@login_required
def project_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = get_project(request, public_id, MANAGE)
    initial = {
        "title": project.title,
        "kind": project.kind,
        "community": project.community.public_id,
        "need": project.need_id,
        "project": project.project.public_id if project.project else None,
        "place": project.place.public_id if project.place else None,
        "budget": project.budget,
        "currency": project.currency,
        "exchange_rate": project.exchange_rate,
        "contractor": project.contractor.public_id if project.contractor else None,
        "contract_number": project.contract_number,
        "starts_on": project.starts_on,
        "planned_end_on": project.planned_end_on,
        "description": project.description,
    }
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    form.keep_current(project)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(
                user=request.user, project=project, **form.service_data()
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return to_project(request, project, _("The project is saved."))
    return render(
        request,
        "revitalization/infrastructure/project_form.html",
        {"form": form, "project": project, "from_need": None},
        status=400 if form.errors else 200,
    )


def _page(
    request: HttpRequest,
    project: InfrastructureProject,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE) and can_reach(user, project, MANAGE)
    milestones = selectors.project_milestones(project)
    workers = selectors.project_workers(project)
    forms = forms or {}
    forms.setdefault("endorse", EndorseForm(prefix="endorse", initial={"endorsed_on": today()}))
    forms.setdefault("start", StartForm(prefix="start"))
    forms.setdefault("complete", CompleteForm(prefix="complete", initial={"completed_on": today()}))
    forms.setdefault("handover", HandoverForm(prefix="handover", initial={"handover_on": today()}))
    forms.setdefault("cancel", ReasonForm(prefix="cancel"))
    forms.setdefault(
        "population",
        PopulationForm(
            prefix="population",
            initial={
                "population_served": project.population_served,
                "estimation_method": project.estimation_method,
                "estimation_note": project.estimation_note,
            },
        ),
    )
    last_rate = workers[-1].daily_rate if workers else None
    forms.setdefault("worker", WorkerAddForm(prefix="worker", initial={"daily_rate": last_rate}))
    forms.setdefault(
        "payment", PaymentForm(prefix="payment", project=project, initial={"paid_on": today()})
    )
    progress_forms = forms.get("progress", {})
    in_progress = project.status == STATUS.IN_PROGRESS
    for milestone in milestones:
        milestone.form = progress_forms.get(milestone.pk) or ProgressForm(  # type: ignore[attr-defined]
            prefix=f"m{milestone.pk}",
            initial={"progress": milestone.progress, "note": milestone.note},
        )
    search = WorkerSearchForm(request.GET or None)
    query = search.data.get("who", "") if search.is_bound else ""
    hiring = manage and project.status in (STATUS.ENDORSED, STATUS.IN_PROGRESS)
    return render(
        request,
        "revitalization/infrastructure/project_detail.html",
        {
            "project": project,
            "progress": selectors.progress_percent(project),
            "milestones": milestones,
            "weights_total": sum((m.weight for m in milestones), Decimal(0)),
            "workers": workers,
            "payments": selectors.project_payments(project),
            "payment_totals": selectors.project_payment_totals(project),
            "direct": selectors.direct_beneficiaries(project),
            "estimation_methods": dict(EstimationMethod.choices),
            "history": list(selectors.project_history(project)),
            "search": search,
            "query": query,
            "candidates": selectors.worker_candidates(user=user, project=project, query=query)
            if hiring
            else [],
            "can_manage": manage,
            "can_edit": manage and project.status in OPEN,
            "can_endorse": manage and project.status == STATUS.PROPOSED,
            "can_start": manage and project.status == STATUS.ENDORSED,
            "can_complete": manage and in_progress,
            "can_hand_over": manage and project.status == STATUS.COMPLETED,
            "can_cancel": manage and project.status in OPEN,
            "can_population": manage and project.status != STATUS.CANCELLED,
            "can_milestones": manage and project.status in OPEN,
            "can_progress": manage and in_progress,
            "can_hire": hiring,
            "can_pay": manage
            and project.status in (STATUS.IN_PROGRESS, STATUS.COMPLETED)
            and bool(workers),
            "population_ready": bool(
                project.population_served and project.estimation_method and project.estimation_note
            ),
            "forms": forms,
        },
        status=status,
    )


@login_required
def project_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _page(request, get_project(request, public_id))


ACTIONS: dict[str, Any] = {
    "endorse": EndorseForm,
    "start": StartForm,
    "complete": CompleteForm,
    "handover": HandoverForm,
    "cancel": ReasonForm,
}
DONE = {
    "endorse": _("The endorsement is recorded: the works can start."),
    "start": _("The works are in progress."),
    "complete": _("The project is completed."),
    "handover": _("The project is handed over."),
    "cancel": _("The project is cancelled."),
}


@login_required
@require_POST
def project_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    project = get_project(request, public_id, MANAGE)
    form = ACTIONS[action](request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            if action == "endorse":
                services.project_endorse(user=user, project=project, **data)
            elif action == "start":
                services.project_start(user=user, project=project, starts_on=data.get("starts_on"))
            elif action == "complete":
                services.project_complete(user=user, project=project, **data)
            elif action == "handover":
                services.project_hand_over(user=user, project=project, **data)
            else:
                services.project_cancel(user=user, project=project, reason=data["reason"])
        except ApplicationError as exc:
            if not exc.fields and exc.status_code not in (403, 404):
                # A refusal of the action itself (not of a value typed): said on the page.
                messages.error(request, str(exc.message))
                return to_project(request, project)
            service_error(form, exc)
        else:
            return to_project(request, project, str(DONE[action]))
    return _page(request, get_project(request, public_id), {action: form}, status=400)


@login_required
@require_POST
def project_population(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = get_project(request, public_id, MANAGE)
    form = PopulationForm(request.POST, prefix="population")
    if form.is_valid():
        try:
            services.project_population_set(user=request.user, project=project, **form.cleaned_data)
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return to_project(request, project, _("The people benefiting are saved."))
    return _page(request, project, {"population": form}, status=400)


@login_required
@require_POST
def project_milestone_progress(request: HttpRequest, public_id: Any, pk: int) -> HttpResponse:
    project = get_project(request, public_id, MANAGE)
    try:
        milestone = selectors.milestone_get(project=project, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = ProgressForm(request.POST, prefix=f"m{milestone.pk}")
    if form.is_valid():
        try:
            services.milestone_progress(user=request.user, milestone=milestone, **form.cleaned_data)
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return to_project(
                request,
                project,
                _("Progress of “%(name)s” is recorded.") % {"name": milestone.name},
            )
    return _page(request, project, {"progress": {milestone.pk: form}}, status=400)


def _milestone_rows(data: Any, count: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        row: dict[str, Any] = {
            name: str(data.get(f"m-{i}-{name}", "")).strip()
            for name in ("id", "order", "name", "weight", "due_on")
        }
        row["position"] = i
        rows.append(row)
    return rows


@login_required
def project_milestones(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The milestones' edit table: existing rows and a few empty ones."""
    project = get_project(request, public_id, MANAGE)
    errors: list[str] = []
    if request.method == "POST":
        try:
            count = min(int(request.POST.get("rows", "0")), 60)
        except ValueError:
            count = 0
        rows = _milestone_rows(request.POST, count)
        given = [r for r in rows if r["name"] or r["weight"] or r["id"]]
        try:
            services.milestones_set(
                user=request.user,
                project=project,
                rows=[
                    {
                        "id": int(r["id"]) if r["id"].isdigit() else None,
                        "order": r["order"] or r["position"] + 1,
                        "name": r["name"],
                        "weight": r["weight"],
                        "due_on": r["due_on"],
                    }
                    for r in given
                ],
            )
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            for key, msgs in exc.fields.items():
                parts = key.split(".")
                for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    if len(parts) == 3 and parts[0] == "rows" and parts[1].isdigit():
                        row = given[int(parts[1]) - 1]
                        row.setdefault("errors", []).append(str(message))
                    else:
                        errors.append(str(message))
            if not exc.fields:
                errors.append(str(exc.message))
        else:
            return to_project(request, project, _("The milestones are saved."))
        status = 400
    else:
        rows = [
            {
                "id": str(m.pk),
                "order": str(m.order),
                "name": m.name,
                "weight": format(m.weight.normalize(), "f"),
                "due_on": m.due_on.isoformat() if m.due_on else "",
                "progress": m.progress,
            }
            for m in selectors.project_milestones(project)
        ]
        next_order = len(rows) + 1
        rows += [
            {"id": "", "order": str(next_order + i), "name": "", "weight": "", "due_on": ""}
            for i in range(3)
        ]
        status = 200
    for index, row in enumerate(rows):
        row["position"] = index
    return render(
        request,
        "revitalization/infrastructure/milestone_form.html",
        {"project": project, "rows": rows, "errors": errors},
        status=status,
    )

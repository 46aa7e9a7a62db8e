"""Pages for programmes, donor projects, activities and targets. They adapt requests to
services and selectors and nothing more."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core import errors
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.programmes import selectors, services
from sanad.programmes.filters import AreaProjectFilter, ProjectFilter
from sanad.programmes.forms import (
    ActivityForm,
    ProjectForm,
    TargetForm,
    TransitionForm,
    apply_errors,
)
from sanad.programmes.models import Activity, Project, Target


class ProjectListView(ScopedListView):
    model = Project
    template_name = "programmes/project_list.html"
    template_partial = "programmes/_project_table.html"
    filterset_class = ProjectFilter
    search_fields = ("code", "title", "donor__name", "donor__acronym")
    sort_fields = {
        "code": "code",
        "title": "title",
        "programme": "programme__code",
        "donor": "donor__name",
        "start": "start_date",
        "end": "end_date",
        "budget": "budget",
        "status": "status",
    }
    default_sort = "-start"
    show_programme = True

    def get_base_queryset(self) -> QuerySet[Project]:
        return Project.objects.select_related("programme", "donor")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = selectors.can_manage(self.request.user)
        ctx["search_placeholder"] = _("Code, title or donor")
        ctx["show_programme"] = self.show_programme
        return ctx


class AreaView(ProjectListView):
    """A programme area: its name in the reader's language, what it does, its figures and
    its projects. An unknown code and a programme outside one's scope are both 404."""

    template_name = "programmes/area.html"
    filterset_class = AreaProjectFilter
    show_programme = False
    summary: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and has_permission(request.user, selectors.VIEW):
            summary = selectors.programme_summary(user=request.user, code=kwargs["code"])
            if summary is None:
                raise Http404
            self.summary = summary
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[Project]:
        return super().get_base_queryset().filter(programme=self.summary["programme"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["summary"] = self.summary
        ctx["programme"] = self.summary["programme"]
        ctx["can_manage_here"] = selectors.can_manage(self.request.user, self.summary["programme"])
        return ctx


def _project(request: HttpRequest, public_id: Any) -> Project:
    project = selectors.project_get(user=request.user, public_id=public_id)
    if project is None:
        raise Http404
    return project


def _require_manage(request: HttpRequest, obj: Any = None) -> None:
    if not selectors.can_manage(request.user, obj):
        raise PermissionDenied


@login_required
def project_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    if not has_permission(request.user, selectors.VIEW):
        raise PermissionDenied
    project = _project(request, public_id)
    can_manage = selectors.can_manage(request.user, project)
    next_states = sorted(Project.STATUS_MACHINE.allowed(project.status)) if can_manage else []
    labels = dict(Project.Status.choices)
    return render(
        request,
        "programmes/project_detail.html",
        {
            "project": project,
            "governorates": project.governorates.order_by("name_en"),
            "activities": selectors.project_activities(project),
            "history": [
                {
                    "t": t,
                    "from": labels.get(t.from_state, t.from_state),
                    "to": labels.get(t.to_state, t.to_state),
                }
                for t in selectors.project_history(project)
            ],
            "can_manage": can_manage,
            "is_open": project.status != Project.Status.CLOSED,
            "can_activate": Project.Status.ACTIVE in next_states,
            "can_close": Project.Status.CLOSED in next_states,
        },
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    initial = {}
    if request.GET.get("programme"):
        initial["programme"] = request.GET["programme"]
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                user=request.user,
                programme=data["programme"],
                code=data["code"],
                title=data["title"],
                donor=data["donor"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                currency=data["currency"],
                budget=data["budget"],
                governorates=data["governorates"],
            )
        except errors.ValidationFailed as exc:
            apply_errors(form, exc)
        except errors.PermissionDenied as exc:
            form.add_error("programme", str(exc.message))
        else:
            messages.success(request, _("The project was added. It is planned until you start it."))
            return redirect("programmes:project_detail", public_id=project.public_id)
    return render(
        request,
        "programmes/project_form.html",
        {"form": form, "project": None},
        status=400 if form.errors else 200,
    )


@login_required
def project_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = _project(request, public_id)
    _require_manage(request, project)
    form = ProjectForm(request.POST or None, user=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_update(
                project=project,
                user=request.user,
                programme=data["programme"],
                code=data["code"],
                title=data["title"],
                donor=data["donor"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                currency=data["currency"],
                budget=data["budget"],
                governorates=data["governorates"],
            )
        except errors.ValidationFailed as exc:
            apply_errors(form, exc)
        except errors.PermissionDenied as exc:
            form.add_error("programme", str(exc.message))
        else:
            messages.success(request, _("The project was saved."))
            return redirect("programmes:project_detail", public_id=project.public_id)
    return render(
        request,
        "programmes/project_form.html",
        {"form": form, "project": project},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def project_transition(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = _project(request, public_id)
    _require_manage(request, project)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to start or close the project."))
    else:
        to, reason = form.cleaned_data["to"], form.cleaned_data["reason"]
        try:
            services.project_transition(project=project, user=request.user, to=to, reason=reason)
        except errors.ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("The project is now %(status)s.") % {"status": project.get_status_display()},
            )
    return redirect("programmes:project_detail", public_id=project.public_id)


# --- activities -----------------------------------------------------------------------
def _activity(request: HttpRequest, public_id: Any) -> Activity:
    activity = selectors.activities_visible_to(request.user).filter(public_id=public_id).first()
    if activity is None:
        raise Http404
    return activity


@login_required
def activity_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = _project(request, public_id)
    _require_manage(request, project)
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_create(user=request.user, project=project, **form.cleaned_data)
        except errors.ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity was added. Now set its targets."))
            return redirect("programmes:project_detail", public_id=project.public_id)
    return render(
        request,
        "programmes/activity_form.html",
        {"form": form, "project": project, "activity": None},
        status=400 if form.errors else 200,
    )


@login_required
def activity_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _activity(request, public_id)
    _require_manage(request, activity)
    form = ActivityForm(
        request.POST or None,
        initial={"code": activity.code, "name": activity.name, "description": activity.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, user=request.user, **form.cleaned_data)
        except errors.ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("programmes:project_detail", public_id=activity.project.public_id)
    return render(
        request,
        "programmes/activity_form.html",
        {"form": form, "project": activity.project, "activity": activity},
        status=400 if form.errors else 200,
    )


# --- targets ----------------------------------------------------------------------------
@login_required
def target_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _activity(request, public_id)
    _require_manage(request, activity)
    project = activity.project
    form = TargetForm(
        request.POST or None,
        initial={
            "period_start": project.start_date,
            "period_end": project.end_date,
            "unit": "people",
        },
    )
    return _target_form(request, form, activity, None)


@login_required
def target_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    target = selectors.targets_visible_to(request.user).filter(public_id=public_id).first()
    if target is None:
        raise Http404
    _require_manage(request, target)
    form = TargetForm(
        request.POST or None,
        initial={
            "indicator": target.indicator,
            "label": target.label,
            "unit": target.unit,
            "period_start": target.period_start,
            "period_end": target.period_end,
            "value": target.value,
        },
    )
    return _target_form(request, form, target.activity, target)


def _target_form(
    request: HttpRequest, form: TargetForm, activity: Activity, target: Target | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(
                user=request.user, activity=activity, target=target, **form.cleaned_data
            )
        except errors.ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The target was saved."))
            return redirect("programmes:project_detail", public_id=activity.project.public_id)
    return render(
        request,
        "programmes/target_form.html",
        {"form": form, "project": activity.project, "activity": activity, "target": target},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def target_delete(request: HttpRequest, public_id: Any) -> HttpResponse:
    target = selectors.targets_visible_to(request.user).filter(public_id=public_id).first()
    if target is None:
        raise Http404
    _require_manage(request, target)
    project = target.activity.project
    try:
        services.target_delete(target=target, user=request.user)
    except errors.ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The target was removed."))
    return redirect("programmes:project_detail", public_id=project.public_id)

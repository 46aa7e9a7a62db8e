"""Courses: list with filters, create, edit, the course's page (trainees with their
attendance, sessions, placement summary, history), start and cancel, the final
assessment results, and finishing (a preview of each trainee's outcome first)."""

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

from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.revitalization.forms.training import (
    AssessmentForm,
    CourseForm,
    OptionalReasonForm,
    ReasonForm,
)
from sanad.revitalization.models import TRAINING, VIEW, Course, Enrolment, Trade, TrainingProvider
from sanad.revitalization.selectors import training as selectors
from sanad.revitalization.services import training as services
from sanad.revitalization.views.training._base import (
    TEMPLATES,
    can_manage,
    course_of,
    page,
    run,
    to_course,
)

STATUS = Course.Status
ENROLMENT = Enrolment.Status


class CourseListView(ScopedListView):
    model = Course
    permission = VIEW
    template_name = "revitalization/training/course_list.html"
    filters: dict[str, str]
    search_fields = ("reference", "title", "venue", "provider__name")
    sort_fields = {"reference": "reference", "start": "starts_on", "status": "status"}
    default_sort = "-start"

    def get_base_queryset(self) -> QuerySet[Course]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("status", "trade", "governorate", "provider")
        }
        qs = selectors.courses_visible(self.request.user)
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["trade"] in Trade.values:
            qs = qs.filter(trade=f["trade"])
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["provider"]:
            try:
                qs = qs.filter(provider__public_id=uuid.UUID(f["provider"]))
            except ValueError:
                qs = qs.none()
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            trades=Trade.choices,
            providers=TrainingProvider.objects.order_by("name").only("public_id", "name"),
            governorates=AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by(
                "name_en"
            ),
            can_manage=can_manage(self.request),
            search_placeholder=_("Reference, title, venue or provider"),
        )
        return ctx


@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, TRAINING)
    form = CourseForm(request.POST or None, user=request.user, initial={"min_attendance": 80})
    if request.method == "POST" and form.is_valid():
        course = run(form, lambda: services.course_create(user=request.user, **form.service_data()))
        if course is not None:
            return to_course(
                request,
                course,
                _("Course %(ref)s is planned: enrol the trainees.") % {"ref": course.reference},
            )
    return page(request, "course_form.html", {"form": form, "course": None}, form=form)


@login_required
def course_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    course = course_of(request, public_id, TRAINING)
    form = CourseForm(
        request.POST or None,
        user=request.user,
        course=course,
        initial=CourseForm.initial_of(course),
    )
    if request.method == "POST" and form.is_valid():
        saved = run(
            form,
            lambda: services.course_update(user=request.user, course=course, **form.service_data()),
        )
        if saved is not None:
            return to_course(request, saved, _("The course is saved."))
    return page(request, "course_form.html", {"form": form, "course": course}, form=form)


def _course_page(
    request: HttpRequest, course: Course, forms: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    manage = can_manage(request, course)
    forms = forms or {}
    forms.setdefault("cancel", ReasonForm(prefix="cancel"))
    forms.setdefault("start", OptionalReasonForm(prefix="start"))
    trainees = selectors.course_trainees(course, user=user)
    open_ = course.status in (STATUS.PLANNED, STATUS.RUNNING)
    enrolled = sum(1 for t in trainees if t.status == ENROLMENT.ENROLLED)
    finished = course.status == STATUS.FINISHED
    context = {
        "course": course,
        "trainees": trainees,
        "sessions": selectors.course_sessions(course),
        "history": list(selectors.course_history(course)),
        "taken": sum(1 for t in trainees if t.status in selectors.HOLDING),
        "enrolled": enrolled,
        "can_manage": manage,
        "can_edit": manage and open_,
        "can_enrol": manage and open_,
        "can_session": manage and open_ and enrolled > 0,
        "can_edit_sessions": manage and course.status == STATUS.RUNNING,
        "can_start": manage and course.status == STATUS.PLANNED and enrolled > 0,
        "can_finish": manage and course.status == STATUS.RUNNING,
        "can_cancel": manage and open_,
        "can_assess": manage
        and course.final_assessment
        and (
            (course.status == STATUS.RUNNING and enrolled > 0)
            or (finished and any(t.status == ENROLMENT.NOT_COMPLETED for t in trainees))
        ),
        "can_export": manage,
        "summary": selectors.placement_summary(course) if finished else None,
        "min_text": selectors.percent_text(course.min_attendance),
        "forms": forms,
    }
    failed = any(f.is_bound and f.errors for f in forms.values())
    return render(request, TEMPLATES + "course_detail.html", context, status=400 if failed else 200)


@login_required
def course_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _course_page(request, course_of(request, public_id))


ACTIONS: dict[str, Any] = {"start": OptionalReasonForm, "cancel": ReasonForm}


@login_required
@require_POST
def course_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    """Start (planned → running) or cancel (with a reason) a course."""
    if action not in ACTIONS:
        raise Http404
    course = course_of(request, public_id, TRAINING)
    form = ACTIONS[action](request.POST, prefix=action)
    if form.is_valid():
        reason = form.cleaned_data.get("reason") or ""
        call = (
            (lambda: services.course_start(user=request.user, course=course, reason=reason))
            if action == "start"
            else (lambda: services.course_cancel(user=request.user, course=course, reason=reason))
        )
        if run(form, call) is not None:
            text = (
                _("The course is running.") if action == "start" else _("The course is cancelled.")
            )
            return to_course(request, course, text)
    return _course_page(request, course_of(request, public_id), {action: form})


@login_required
def course_finish(request: HttpRequest, public_id: Any) -> HttpResponse:
    """GET: what finishing would decide for each trainee; POST: finish."""
    course = course_of(request, public_id, TRAINING)
    if course.status != STATUS.RUNNING:
        messages.error(request, _("Only a running course can be finished."))
        return redirect("revitalization:course_detail", public_id=course.public_id)
    error = ""
    if request.method == "POST":
        try:
            counts = services.course_finish(user=request.user, course=course)
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            error = str(exc.message)
        else:
            return to_course(
                request,
                course,
                _(
                    "The course is finished: %(completed)d completed (certificates issued), "
                    "%(not_completed)d did not complete, %(dropped_out)d dropped out."
                )
                % counts,
            )
    preview = selectors.finish_preview(course)
    return render_finish(request, course, preview, error)


def render_finish(
    request: HttpRequest, course: Course, preview: dict[str, Any], error: str
) -> HttpResponse:
    return render(
        request,
        "revitalization/training/course_finish.html",
        {
            "course": course,
            "preview": preview,
            "error": error,
            "min_text": selectors.percent_text(course.min_attendance),
        },
        status=409 if error else 200,
    )


@login_required
def course_assessment(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The final assessment results: pass, fail or not recorded, per trainee still
    enrolled (running course) or who did not complete (finished course)."""
    course = course_of(request, public_id, TRAINING)
    wanted = ENROLMENT.NOT_COMPLETED if course.status == STATUS.FINISHED else ENROLMENT.ENROLLED
    trainees = [
        t for t in selectors.course_trainees(course, user=request.user) if t.status == wanted
    ]
    form = AssessmentForm(request.POST or None, trainees=trainees)
    if request.method == "POST" and form.is_valid():
        counts = run(
            form,
            lambda: services.assessment_record(
                user=request.user, course=course, results=form.results()
            ),
        )
        if counts is not None:
            text = _("%(n)d results recorded.") % {"n": counts["changed"]}
            if counts["completed"]:
                text += " " + _("%(n)d trainees now complete the course.") % {
                    "n": counts["completed"]
                }
            return to_course(request, course, text)
    return page(
        request,
        "assessment_form.html",
        {
            "course": course,
            "form": form,
            "finished": course.status == STATUS.FINISHED,
            "can_view_registry": has_permission(request.user, selectors.REGISTRY_VIEW),
        },
        form=form,
    )

"""The exports page (the 3W/4W/5W as a background job, and the person's recent exports)
and scheduled exports (list, create, edit, pause or resume). Views only adapt: the file
is written by `jobs_exports`, schedules are kept by `services.schedules`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.jobs import job_start
from sanad.core.listing import ScopedListView
from sanad.core.models import Job
from sanad.core.views import require_permission
from sanad.reporting.forms_exports import ExportForm, ScheduleForm, apply_errors
from sanad.reporting.jobs_exports import EXPORT_4W, EXPORT_KINDS
from sanad.reporting.models import EXPORT, ScheduledExport, ScheduledRun
from sanad.reporting.selectors.figures import freshness
from sanad.reporting.services import schedules as services
from sanad.reporting.suppression import outside_mission, threshold

RECENT = 15


def recent_exports(user: Any) -> QuerySet[Job]:
    return Job.objects.filter(created_by=user, kind__in=EXPORT_KINDS).order_by("-created_at")[
        :RECENT
    ]


def _title(params: dict[str, Any]) -> str:
    start, end = params["from"], params["to"]
    period = start if start == end else f"{start} – {end}"
    return _("3W/4W/5W export %(period)s") % {"period": period}


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    require_permission(request, EXPORT)
    user = request.user
    form = ExportForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        params = form.params()
        params["language"] = translation.get_language() or "en"
        try:
            job = job_start(
                kind=EXPORT_4W,
                user=user,
                params=params,
                idempotency_key=f"reporting.4w:{form.cleaned_data['key']}",
                title=_title(params),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The export is being prepared: download it here when it is ready.")
            )
            return redirect("core:job_detail", public_id=job.public_id)
    return render(
        request,
        "reporting/exports/export.html",
        {
            "form": form,
            "jobs": recent_exports(user),
            "freshness": freshness(),
            "suppress_upto": max(0, threshold() - 1),
            "outside": outside_mission(user),
        },
        status=400 if form.errors else 200,
    )


# --- schedules --------------------------------------------------------------------------------
class ScheduleListView(ScopedListView):
    model = ScheduledExport
    permission = EXPORT
    template_name = "reporting/exports/schedule_list.html"
    search_fields = ("name", "project__code", "project__title")
    sort_fields = {"name": "name", "next": "next_run_on"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[ScheduledExport]:
        return services.schedules_visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["search_placeholder"] = _("Name or project")
        return ctx


def _schedule(request: HttpRequest, public_id: Any) -> ScheduledExport:
    try:
        return services.schedule_for(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _initial(schedule: ScheduledExport) -> dict[str, Any]:
    return {
        "name": schedule.name,
        "kind": schedule.kind,
        "format": schedule.format,
        "frequency": schedule.frequency,
        "day_of_month": schedule.day_of_month,
        "project": schedule.project,
        "programme": schedule.programme,
        "governorate": schedule.governorate,
        "shared": schedule.shared,
    }


def _form_page(
    request: HttpRequest, form: ScheduleForm, schedule: ScheduledExport | None
) -> HttpResponse:
    runs: list[ScheduledRun] = []
    if schedule is not None:
        runs = list(
            ScheduledRun.objects.filter(schedule=schedule)
            .select_related("job")
            .order_by("-period_start")[:24]
        )
    return render(
        request,
        "reporting/exports/schedule_form.html",
        {"form": form, "schedule": schedule, "runs": runs},
        status=400 if form.errors else 200,
    )


@login_required
def schedule_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, EXPORT)
    initial = {"kind": "4w", "format": "hxl-csv", "frequency": "monthly", "day_of_month": 2}
    initial["shared"] = True
    form = ScheduleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.schedule_create(user=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The schedule is saved: its first export runs on %(day)s.")
                % {"day": schedule.next_run_on.isoformat()},
            )
            return redirect("reporting:schedules")
    return _form_page(request, form, None)


@login_required
def schedule_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, EXPORT)
    schedule = _schedule(request, public_id)
    form = ScheduleForm(request.POST or None, user=request.user, initial=_initial(schedule))
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(user=request.user, schedule=schedule, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The schedule is saved."))
            return redirect("reporting:schedules")
    return _form_page(request, form, schedule)


@login_required
@require_POST
def schedule_toggle(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, EXPORT)
    schedule = _schedule(request, public_id)
    schedule = services.schedule_toggle(user=request.user, schedule=schedule)
    if schedule.active:
        messages.success(
            request,
            _("The schedule is running again: next export on %(day)s.")
            % {"day": schedule.next_run_on.isoformat()},
        )
    else:
        messages.info(request, _("The schedule is paused: no export runs until you resume it."))
    return redirect("reporting:schedules")


__all__ = [
    "ScheduleListView",
    "exports",
    "schedule_create",
    "schedule_edit",
    "schedule_toggle",
]

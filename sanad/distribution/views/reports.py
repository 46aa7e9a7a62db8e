"""Reports of an event and of a project: households and individuals served (sex × age
× disability), kits and the items in them, stock used, refusals. The page, the XLSX
and the PDF render the same dict (`selectors.distribution_report`); the files are made
by a background job."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.jobs import job_start
from sanad.core.scoping import scoped
from sanad.core.views import require_permission
from sanad.distribution import selectors
from sanad.distribution.models import VIEW
from sanad.distribution.views.common import event_for
from sanad.programmes.models import Project

FORMATS = ("xlsx", "pdf")
EXPORTS = [("xlsx", "XLSX"), ("pdf", "PDF")]


def _project(request: HttpRequest, public_id: Any) -> Project:
    require_permission(request, VIEW)
    project = (
        scoped(
            Project.objects.select_related("programme"), request.user, "programmes.view_programme"
        )
        .filter(public_id=public_id)
        .first()
    )
    if project is None:
        raise Http404
    return project


@login_required
def event_report(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id)
    report = selectors.event_report(user=request.user, event=event)
    return render(
        request,
        "distribution/report.html",
        {"report": report, "event": event, "plan": event.plan, "export_formats": EXPORTS},
    )


@login_required
def project_report(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = _project(request, public_id)
    report = selectors.project_report(user=request.user, project=project)
    return render(
        request,
        "distribution/report.html",
        {"report": report, "project": project, "export_formats": EXPORTS},
    )


@login_required
@require_POST
def report_export(request: HttpRequest) -> HttpResponse:
    """Start the XLSX or PDF of an event's or a project's report as a background job
    and go to the job's page (which offers the file when it is ready)."""
    from sanad.distribution import jobs

    require_permission(request, VIEW)
    fmt = request.POST.get("format", "")
    target = request.POST.get("target", "")
    key = request.POST.get("id", "")
    if fmt not in FORMATS or target not in ("event", "project"):
        raise Http404
    if target == "event":
        obj: Any = event_for(request, key)
        back = redirect("distribution:event_report", public_id=obj.public_id)
        name = str(obj)
    else:
        obj = _project(request, key)
        back = redirect("distribution:project_report", public_id=obj.public_id)
        name = obj.code
    try:
        job = job_start(
            kind=jobs.REPORT_EXPORT,
            user=request.user,
            params={target: str(obj.public_id), "format": fmt, "language": get_language() or "en"},
            title=_("Distribution report %(name)s (%(format)s)")
            % {"name": name, "format": fmt.upper()},
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return back
    return redirect("core:job_detail", public_id=job.public_id)

"""Donor reports: the projects a person may report on, each with a form that starts the
report (XLSX or PDF) as a background job, and a preview of the report as a page."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError
from sanad.core.jobs import job_start
from sanad.core.views import require_permission
from sanad.programmes.models import Project
from sanad.reporting.forms_donor import DonorReportForm
from sanad.reporting.jobs_donor import DONOR_REPORT
from sanad.reporting.models import EXPORT
from sanad.reporting.periods import parse_period
from sanad.reporting.services.donor import (
    default_period_for,
    donor_report_data,
    must_suppress,
    projects_for,
    render_context,
)
from sanad.reporting.suppression import outside_mission


def _project(request: HttpRequest, public_id: Any) -> Project:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    project = projects_for(request.user).filter(public_id=public_id).first()
    if project is None:
        raise Http404
    return project


@login_required
def donor_reports(request: HttpRequest) -> HttpResponse:
    require_permission(request, EXPORT)
    projects = list(projects_for(request.user))
    bound: DonorReportForm | None = None
    if request.method == "POST":
        project = _project(request, request.POST.get("project", ""))
        bound = DonorReportForm(request.POST, project=project, user=request.user)
        if bound.is_valid():
            data = bound.cleaned_data
            params = {
                "project": str(project.public_id),
                "from": f"{data['start']:%Y-%m}",
                "to": f"{data['end']:%Y-%m}",
                "format": data["format"],
                "shared": bool(data["shared"]),
                "language": get_language() or "en",
            }
            # The form sent twice starts one job; sent again with other choices (after
            # the back button), another.
            key = uuid.uuid5(uuid.UUID(data["idempotency_key"]), json.dumps(params, sort_keys=True))
            try:
                job = job_start(
                    kind=DONOR_REPORT,
                    user=request.user,
                    params=params,
                    idempotency_key=str(key),
                    title=_("Donor report %(code)s, %(start)s – %(end)s (%(format)s)")
                    % {
                        "code": project.code,
                        "start": f"{data['start']:%Y-%m}",
                        "end": f"{data['end']:%Y-%m}",
                        "format": data["format"].upper(),
                    },
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                return redirect("reporting:donor_reports")
            return redirect("core:job_detail", public_id=job.public_id)
    rows = []
    for project in projects:
        form = (
            bound
            if bound is not None and bound.for_project.pk == project.pk
            else DonorReportForm(project=project, user=request.user)
        )
        start, end = default_period_for(project)
        rows.append({"project": project, "form": form, "start": start, "end": end})
    return render(
        request,
        "reporting/donor/list.html",
        {"rows": rows, "outside": outside_mission(request.user)},
        status=400 if bound is not None else 200,
    )


@login_required
def donor_report_preview(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The report as a page, for the period in the address (?from=YYYY-MM&to=YYYY-MM;
    the project's by default) and, with ?shared=0, as used inside the mission."""
    require_permission(request, EXPORT)
    project = _project(request, public_id)
    start, end = default_period_for(project)
    error = ""
    try:
        if request.GET.get("from") or request.GET.get("to"):
            start, end = parse_period(
                request.GET.get("from") or f"{start:%Y-%m}",
                request.GET.get("to") or f"{end:%Y-%m}",
            )
    except ApplicationError as exc:
        error = str(exc.message)
    shared = request.GET.get("shared", "1") not in ("0", "false", "off", "")
    data = donor_report_data(
        project=project, start=start, end=end, user=request.user, shared=shared
    )
    context = render_context(data)
    context.update(
        {
            "project": project,
            "error": error,
            "outside": outside_mission(request.user),
            "shared": must_suppress(request.user, shared),
            "from_value": f"{start:%Y-%m}",
            "to_value": f"{end:%Y-%m}",
        }
    )
    return render(request, "reporting/donor/preview.html", context)

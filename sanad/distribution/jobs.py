"""Background jobs of distribution: exporting the report of an event or of a project
to XLSX or PDF, with progress. Registered by `DistributionConfig.ready()`.

Why a job: a project report aggregates every receipt and member of the households
served across its events, and a PDF takes seconds to lay out; the page hands the work
to the worker and polls the job for progress, like targeting's exports."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.errors import ValidationFailed
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.distribution import exports, selectors
from sanad.distribution.models import VIEW

REPORT_EXPORT = "distribution.report_export"


@job_kind(REPORT_EXPORT, title=gettext_lazy("Export a distribution report"), permission=VIEW)
def report_export(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"event": public id} or {"project": public id}; "format": "xlsx"|"pdf";
    "language": code."""
    params = job.params or {}
    user = job.created_by
    fmt = str(params.get("format") or "xlsx")
    if fmt not in exports.FORMATS:
        raise ValidationFailed(_("Choose XLSX or PDF."))
    with translation.override(str(params.get("language") or "en")):
        progress(0, 5, _("Counting households and people"), force=True)
        if params.get("event"):
            event = selectors.event_get(user=user, public_id=params["event"])
            report = selectors.event_report(user=user, event=event)
            subject = str(event.public_id)
        elif params.get("project"):
            project = selectors.report_project_get(user=user, public_id=params["project"])
            report = selectors.project_report(user=user, project=project)
            subject = str(project.public_id)
        else:
            raise ValidationFailed(_("Say which event or project to report on."))
        name = exports.filename(report, subject=subject, fmt=fmt)
        path = progress.file_path(name)
        message = _("Writing the report")
        if fmt == "xlsx":
            exports.write_xlsx(
                report=report, target=path, progress=lambda n: progress(n, 5, message)
            )
        else:
            progress(2, 5, message, force=True)
            path.write_bytes(exports.write_pdf(report=report))
        progress(5, 5, _("Finished"), force=True)
    return {"file": name, "households": report["households"]}

"""The job kind "reporting.donor_report": a project's donor report as XLSX or PDF.

params: {"project": project public id, "from": "YYYY-MM", "to": "YYYY-MM",
"format": "xlsx"|"pdf", "shared": bool} and optionally "language" (otherwise the
creator's preferred language, or the site's). The donor reports page and scheduled
exports start it; the report counts what the job's creator may see, and is suppressed
when shared or when the creator is outside the mission."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.core.scoping import has_permission
from sanad.reporting.models import EXPORT

DONOR_REPORT = "reporting.donor_report"


def _language(params: dict[str, Any], user: Any) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (params.get("language"), getattr(user, "preferred_language", "")):
        if candidate and str(candidate) in codes:
            return str(candidate)
    return settings.LANGUAGE_CODE


@job_kind(DONOR_REPORT, title=gettext_lazy("Donor report"), permission=EXPORT)
def donor_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    from sanad.reporting.periods import parse_period
    from sanad.reporting.services.donor import FORMATS, donor_report_build, projects_for

    params = job.params or {}
    user = job.created_by
    if user is None:
        raise PermissionDenied(_("A donor report is made for a person: this job has none."))
    if not has_permission(user, EXPORT):
        # A scheduled export runs as its creator, who may have lost the role since.
        raise PermissionDenied()
    with translation.override(_language(params, user)):
        fmt = str(params.get("format") or "")
        if fmt not in FORMATS:
            raise ValidationFailed(
                _("Choose XLSX or PDF."), fields={"format": [_("Choose XLSX or PDF.")]}
            )
        try:
            public_id = uuid.UUID(str(params.get("project") or ""))
        except ValueError:
            public_id = None
        project = projects_for(user).filter(public_id=public_id).first() if public_id else None
        if project is None:
            raise NotFound(_("This project does not exist or is outside what you may report on."))
        start, end = parse_period(str(params.get("from") or ""), str(params.get("to") or ""))
        name, content = donor_report_build(
            project=project,
            start=start,
            end=end,
            format=fmt,
            user=user,
            shared=bool(params.get("shared", True)),
            progress=progress,
        )
        progress.file_path(name).write_bytes(content)
        progress(4, 4, _("Finished"), force=True)
    return {"file": name, "project": project.code, "format": fmt, "bytes": len(content)}

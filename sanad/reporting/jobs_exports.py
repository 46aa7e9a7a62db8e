"""The 3W/4W/5W export as a background job (registered through `reporting.jobs`), started
from the exports page or by a scheduled export.

params: {"from": "YYYY-MM", "to": "YYYY-MM", "format": "hxl-csv" | "xlsx",
         "governorate": P-code, "district": P-code, "programme": code,
         "project": a project's public id, "shared": bool, "language": code (optional)}

The rows are what the person who started the job reaches; a person outside the mission
always gets the shared (suppressed) file, whatever "shared" says."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.errors import ApplicationError
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.reporting.models import EXPORT
from sanad.reporting.periods import filters_from, parse_period
from sanad.reporting.services.fourw import check_format, filename, fourw_export
from sanad.reporting.suppression import outside_mission

EXPORT_4W = "reporting.export_4w"
DONOR_REPORT = "reporting.donor_report"  # written beside the donor reports
EXPORT_KINDS = (EXPORT_4W, DONOR_REPORT)


def language_of(user: Any, params: dict[str, Any]) -> str:
    return str(params.get("language") or getattr(user, "preferred_language", "") or "en")


@job_kind(EXPORT_4W, title=gettext_lazy("Export the 3W/4W/5W activity report"), permission=EXPORT)
def export_4w_job(job: Job, progress: Progress) -> dict[str, Any]:
    from sanad.reporting.services.summary import summary_refresh

    params = dict(job.params or {})
    user = job.created_by
    if user is None:
        # Never an unscoped export: without the person, there is no scope to apply.
        raise ApplicationError(
            _("The person who started this export no longer has an account."),
            code="export_without_user",
        )
    with translation.override(language_of(user, params)):
        fmt = check_format(str(params.get("format") or "hxl-csv"))
        parse_period(str(params.get("from") or ""), str(params.get("to") or ""))
        filters = filters_from({k: str(v) for k, v in params.items() if v not in (None, "")})
        shared = bool(params.get("shared", True)) or outside_mission(user)
        progress(0, 1, _("Bringing the summary of the ledger up to date"), force=True)
        summary_refresh()
        name = filename(filters, fmt, shared=shared)
        path = progress.file_path(name)
        partial = path.with_name(f".{name}.part")
        try:
            with partial.open("wb") as out:
                rows = fourw_export(
                    user=user,
                    filters=filters,
                    format=fmt,
                    shared=shared,
                    out=out,
                    progress=progress,
                )
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return {
        "file": name,
        "rows": rows,
        "period": f"{filters.start:%Y-%m} – {filters.end:%Y-%m}",
        "shared": shared,
    }

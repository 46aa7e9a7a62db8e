"""The export of feedback cases as a background job (registered through
`feedback.jobs`). The rows are those `cases_for` gives the person who started the job,
with the list's filters: a restricted case they may not see is not in the file."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.audit import personal_data_exported
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.feedback import exports
from sanad.feedback.models import VIEW_CASE, Case
from sanad.feedback.selectors.cases import FILTERS, case_list

CASES_EXPORT = "feedback.cases_export"


@job_kind(CASES_EXPORT, title=gettext_lazy("Export feedback cases"), permission=VIEW_CASE)
def cases_export(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"filters": {list filters}, "language": code}."""
    params = dict(job.params or {})
    user = job.created_by
    filters = {k: v for k, v in (params.get("filters") or {}).items() if k in FILTERS}
    with translation.override(str(params.get("language") or "en")):
        progress(0, 1, _("Finding the cases"), force=True)
        qs = case_list(user=user, filters=filters)
        name = exports.filename()
        message = _("Writing the cases")
        rows = exports.cases_xlsx(
            qs, progress.file_path(name), progress=lambda n, total: progress(n, total, message)
        )
        personal_data_exported(
            user=user,
            model=Case,
            purpose="feedback cases export",
            route="feedback:case_export",
            record_count=rows,
        )
        progress(rows, rows, _("Finished"), force=True)
    return {"file": name, "rows": rows}

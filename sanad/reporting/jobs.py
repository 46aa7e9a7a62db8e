"""Background job kinds of reporting (registered on import; see apps.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.reporting.models import MANAGE_INDICATORS


@job_kind(
    "reporting.refresh", title=_("Refresh the reporting summary"), permission=MANAGE_INDICATORS
)
def refresh_job(job: Job, progress: Progress) -> dict[str, Any]:
    from sanad.reporting.services.summary import summary_refresh

    result = summary_refresh(rebuild=bool(job.params.get("rebuild")), progress=progress)
    return result.as_dict()


# The exports' and donor reports' job kinds live beside their services.
from sanad.reporting import jobs_donor, jobs_exports  # noqa: E402, F401

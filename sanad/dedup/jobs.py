"""The background job of deduplication: one kind, `dedup.run`, for every run (the
registry, an import batch, linking lists), with progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.dedup import services
from sanad.dedup.models import RUN


def _language(job: Job) -> str:
    return getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE


@job_kind(services.JOB_KIND, title=gettext_lazy("Find duplicates"), permission=RUN)
def dedup_run(job: Job, progress: Progress) -> dict[str, Any]:
    run = services.run_get_for_job(job.params)
    with translation.override(_language(job)):
        services.run_execute(run=run, progress=progress)
    return {
        "run": str(run.public_id),
        "records": run.records,
        "pairs_found": run.pairs_found,
        "pairs_new": run.pairs_new,
        "pairs_skipped": run.pairs_skipped,
    }

"""Background jobs of imports: validation and commit, with progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from sanad.core.errors import NotFound
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.registry.imports import services
from sanad.registry.models import ImportBatch


def _batch(job: Job) -> ImportBatch:
    batch = (
        ImportBatch.objects.filter(public_id=str((job.params or {}).get("batch") or ""))
        .select_related("mapping")
        .first()
    )
    if batch is None:
        raise NotFound()
    return batch


def _language(job: Job) -> str:
    return getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE


def batch_summary(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": str(batch.public_id),
        "status": batch.status,
        "households": batch.households_total,
        "individuals": batch.individuals_total,
        "households_new": batch.households_new,
        "households_already_imported": batch.households_already_imported,
        "errors": batch.error_count,
    }


@job_kind(
    "registry.import_validate",
    title=gettext_lazy("Validate an import of households"),
    permission=services.IMPORT,
)
def import_validate(job: Job, progress: Progress) -> dict[str, Any]:
    batch = _batch(job)
    with translation.override(_language(job)):
        services.import_batch_validate(batch=batch, user=job.created_by, progress=progress)
    return batch_summary(batch)


@job_kind(
    "registry.import_commit",
    title=gettext_lazy("Commit an import of households"),
    permission=services.IMPORT,
)
def import_commit(job: Job, progress: Progress) -> dict[str, Any]:
    batch = _batch(job)
    with translation.override(_language(job)):
        services.import_batch_commit(batch=batch, user=job.created_by, progress=progress)
    return batch_summary(batch)

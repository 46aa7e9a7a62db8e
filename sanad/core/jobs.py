"""Background jobs with progress.

A job kind is a function registered under a name; it receives the Job and a
`Progress` callable and returns a JSON-able result:

    @job_kind("geo.places_export", title=_("Export places"), permission="geo.export_place")
    def export_places(job, progress):
        for i, place in enumerate(places, 1):
            ...
            progress(i, total, _("Writing places"))
        return {"rows": total}

`job_start()` records the Job and, once the transaction commits, hands it to the task
worker (Django's Tasks API, `django-tasks` database backend). The job page polls the
Job row for progress; `sanad jobs watch` draws a progress bar from the same row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core import context
from sanad.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from sanad.core.models import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    title: Any
    handler: Callable[[Job, Progress], dict[str, Any] | None]
    permission: str | None


_kinds: dict[str, JobKind] = {}


def job_kind(name: str, *, title: Any, permission: str | None = None) -> Callable[..., Any]:
    def register(func: Callable[[Job, Progress], dict[str, Any] | None]) -> Callable[..., Any]:
        _kinds[name] = JobKind(name=name, title=title, handler=func, permission=permission)
        return func

    return register


def job_kinds() -> dict[str, JobKind]:
    return dict(_kinds)


class JobCancelled(Exception):
    pass


class Progress:
    """Reports progress to the Job row, at most a few times a second."""

    def __init__(self, job: Job, *, min_interval: float = 0.3) -> None:
        self.job = job
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(
        self, done: int, total: int | None = None, message: str = "", *, force: bool = False
    ) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not force and not final and now - self._last < self.min_interval:
            return
        self._last = now
        values: dict[str, Any] = {"progress_done": done, "updated_at": timezone.now()}
        if total is not None:
            values["progress_total"] = total
        if message:
            values["message"] = str(message)[:300]
        Job.objects.filter(pk=self.job.pk).update(**values)
        if Job.objects.filter(pk=self.job.pk, status=Job.Status.CANCELLED).exists():
            raise JobCancelled()

    def file_path(self, filename: str) -> Path:
        folder = Path(settings.JOB_FILES_DIR) / str(self.job.public_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / filename


def job_start(
    *,
    kind: str,
    user: Any,
    params: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    title: str | None = None,
) -> Job:
    """Record a job and enqueue it after the transaction commits.

    With an `idempotency_key`, a retried request returns the job already started
    instead of starting the work twice.
    """
    from sanad.core.scoping import has_permission

    spec = _kinds.get(kind)
    if spec is None:
        raise ValidationFailed(
            _("There is no job of kind “%(kind)s”.") % {"kind": kind}, code="unknown_job_kind"
        )
    if spec.permission and not has_permission(user, spec.permission):
        raise PermissionDenied()
    if idempotency_key:
        existing = Job.objects.filter(idempotency_key=idempotency_key, created_by=user).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job(
                kind=kind,
                title=title or str(spec.title),
                params=params or {},
                idempotency_key=idempotency_key or None,
                created_by=user if getattr(user, "pk", None) else None,
            )
            job.save()
    except IntegrityError:
        existing = Job.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None or existing.created_by_id != getattr(user, "pk", None):
            raise
        return existing
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_pk: int) -> None:
    from sanad.core.tasks import run_job

    result = run_job.enqueue(job_pk)
    Job.objects.filter(pk=job_pk, task_id="").update(task_id=str(result.id))


def job_run(job_pk: int) -> Job:
    """Run a job now in this process (the worker's task calls this)."""
    claimed = Job.objects.filter(pk=job_pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.select_related("created_by").get(pk=job_pk)
    if not claimed:
        return job  # already run, running elsewhere, or cancelled
    spec = _kinds.get(job.kind)
    progress = Progress(job)
    try:
        if spec is None:
            raise ApplicationError(
                _("This kind of job is no longer known."), code="unknown_job_kind"
            )
        with context.acting_as(job.created_by, source="job"):
            result = dict(spec.handler(job, progress) or {})
    except JobCancelled:
        Job.objects.filter(pk=job.pk).update(finished_at=timezone.now(), message=_("Cancelled"))
    except ApplicationError as exc:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=str(exc.message), finished_at=timezone.now()
        )
    except Exception:
        logger.exception("job %s (%s) failed", job.public_id, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=_(
                "The job stopped because of an internal error. The administrators can see the details in the server log."
            ),
        )
    else:
        result_file = str(result.pop("file", ""))
        Job.objects.filter(pk=job.pk).exclude(status=Job.Status.CANCELLED).update(
            status=Job.Status.SUCCEEDED,
            result=result,
            finished_at=timezone.now(),
            result_file=result_file,
        )
        Job.objects.filter(pk=job.pk, progress_total=0).update(progress_total=1, progress_done=1)
    job.refresh_from_db()
    return job


def job_cancel(*, job: Job, user: Any) -> Job:
    Job.objects.filter(pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.CANCELLED, message=_("Cancelled by %(user)s") % {"user": user}
    )
    job.refresh_from_db()
    return job


def job_result_file(job: Job) -> Path | None:
    if not job.result_file:
        return None
    path = Path(settings.JOB_FILES_DIR) / str(job.public_id) / Path(job.result_file).name
    return path if path.is_file() else None

"""Background jobs of targeting: building (or locking) a large list, and exporting a
large list to XLSX or PDF. Registered by `TargetingConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.audit import personal_data_exported
from sanad.core.errors import ValidationFailed
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.registry.models import Household
from sanad.targeting import exports, selectors, services
from sanad.targeting.models import EXPORT, MANAGE

BUILD = "targeting.list_build"
EXPORT_KIND = "targeting.list_export"


@job_kind(BUILD, title=gettext_lazy("Build a beneficiary list"), permission=MANAGE)
def list_build(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"list": public id, "lock": bool, "reason": str}."""
    params = job.params or {}
    user = job.created_by
    lst = selectors.list_get(user=user, public_id=params.get("list"), permission=MANAGE)

    def report(done: int, total: int, message: str) -> None:
        progress(done, total, message, force=True)

    if params.get("lock"):
        services.list_lock(
            lst=lst, user=user, reason=str(params.get("reason") or ""), progress=report
        )
    else:
        services.list_build(lst=lst, user=user, progress=report)
    lst.refresh_from_db()
    return {
        "list": str(lst.public_id),
        "included": lst.summary.get("included", 0),
        "considered": lst.summary.get("considered", 0),
        "seconds": lst.build_seconds,
    }


@job_kind(EXPORT_KIND, title=gettext_lazy("Export a beneficiary list"), permission=EXPORT)
def list_export(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"list": public id, "format": "xlsx"|"pdf", "which": "included"|…,
    "language": code}."""
    params = job.params or {}
    user = job.created_by
    fmt = str(params.get("format") or "xlsx")
    which = str(params.get("which") or "included")
    if fmt not in exports.FORMATS or which not in exports.WHICH:
        raise ValidationFailed(_("Choose XLSX or PDF, and which households to export."))
    lst = selectors.list_get(user=user, public_id=params.get("list"))
    with translation.override(str(params.get("language") or "en")):
        entries = exports.entries_for_export(user=user, lst=lst, which=which)
        total = entries.count()
        message = _("Writing the list")
        progress(0, total, message, force=True)
        name = exports.filename(lst, fmt, which)
        path = progress.file_path(name)
        if fmt == "xlsx":
            count = exports.write_xlsx(
                lst=lst,
                entries=entries,
                target=path,
                progress=lambda n: progress(n, total, message),
            )
        else:
            data, count = exports.write_pdf(
                lst=lst, entries=entries, progress=lambda n: progress(n, total, message)
            )
            path.write_bytes(data)
    personal_data_exported(
        user=user,
        model=Household,
        purpose=f"beneficiary list {fmt} ({which})",
        route=f"job:{job.public_id}",
        record_count=count,
    )
    progress(total, total, _("Finished"), force=True)
    return {"file": name, "rows": count}

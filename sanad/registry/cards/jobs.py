"""Background job: household cards for more than a few dozen households.

Registered at start-up by `RegistryConfig.ready()` (`from sanad.registry.cards import
jobs`), so the task worker knows the kind."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.audit import personal_data_exported
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.core.scoping import has_permission
from sanad.registry.cards.pdf import cards_pdf
from sanad.registry.cards.selection import PRINT, check_layout, select
from sanad.registry.models import Household

KIND = "registry.cards_bulk"
FILENAME = "household-cards.pdf"


@job_kind(KIND, title=gettext_lazy("Print household cards"), permission=PRINT)
def cards_bulk(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"ids": [registration or public ids], "q": search, "layout": "a6"|"a7",
    "language": "ar"|"ckb"}."""
    user = job.created_by
    if not has_permission(user, PRINT):
        raise PermissionDenied()
    params = job.params or {}
    layout = check_layout(str(params.get("layout") or "a6"))
    # Selected again with the scope the person has now, not the one they had when asking.
    selection = select(user=user, ids=params.get("ids") or [], query=str(params.get("q") or ""))
    households = selection.households
    total = len(households)
    if not total:
        raise ValidationFailed(_("None of the chosen households can be printed."))
    message = _("Laying out the cards")
    progress(0, total, message, force=True)
    data = cards_pdf(
        households,
        layout=layout,
        local_language=str(params.get("language") or "ar"),
        progress=lambda done, all_: progress(done, all_, message),
    )
    progress.file_path(FILENAME).write_bytes(data)
    personal_data_exported(
        user=user,
        model=Household,
        purpose="household cards",
        route=f"job:{job.public_id}",
        record_count=total,
    )
    progress(total, total, _("Finished"), force=True)
    return {
        "file": FILENAME,
        "cards": total,
        "skipped": selection.skipped,
        "not_found": len(selection.missing),
    }

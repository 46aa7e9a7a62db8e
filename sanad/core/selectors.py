from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sanad.core.models import Job
from sanad.core.scoping import has_permission


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """A user sees their own jobs; holders of core.view_all_jobs see every job."""
    qs = Job.objects.select_related("created_by")
    if has_permission(user, "core.view_all_jobs"):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(Q(created_by=user))

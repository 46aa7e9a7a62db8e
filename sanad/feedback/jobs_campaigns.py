"""The background job that queues a campaign's messages (see services.campaigns)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy

from sanad.core.errors import NotFound
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job
from sanad.feedback.models import MANAGE_CAMPAIGN, Campaign

CAMPAIGN_QUEUE = "feedback.campaign_queue"


@job_kind(
    CAMPAIGN_QUEUE, title=gettext_lazy("Queue a campaign's messages"), permission=MANAGE_CAMPAIGN
)
def campaign_queue_job(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"campaign": public id, "language": code (of the progress messages)}."""
    from sanad.feedback.services.campaigns import campaign_queue

    params = job.params or {}
    campaign = Campaign.objects.filter(public_id=str(params.get("campaign") or "")).first()
    if campaign is None:
        raise NotFound()
    with translation.override(str(params.get("language") or translation.get_language() or "en")):
        return campaign_queue(campaign=campaign, progress=progress, user=job.created_by)

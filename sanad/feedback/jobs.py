"""Registers the feedback app's background jobs (imported by `FeedbackConfig.ready()`):
the campaign queue job and the case export job."""

from __future__ import annotations

from sanad.feedback import jobs_campaigns, jobs_cases  # noqa: F401

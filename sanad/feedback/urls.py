"""The feedback app's pages, under /feedback/ (namespace `feedback`)."""

from __future__ import annotations

from sanad.feedback import urls_cases, urls_channels, urls_comms

app_name = "feedback"
urlpatterns = [*urls_cases.urlpatterns, *urls_comms.urlpatterns, *urls_channels.urlpatterns]

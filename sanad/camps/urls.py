"""The camps app's pages, under /camps/ (namespace `camps`)."""

from __future__ import annotations

from sanad.camps import urls_monitoring, urls_mrt, urls_sites, urls_tickets

app_name = "camps"
urlpatterns = [
    *urls_sites.urlpatterns,
    *urls_monitoring.urlpatterns,
    *urls_tickets.urlpatterns,
    *urls_mrt.urlpatterns,
]

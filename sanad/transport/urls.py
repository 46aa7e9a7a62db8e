"""The transport app's pages, under /transport/ (namespace `transport`)."""

from __future__ import annotations

from sanad.transport import urls_convoys, urls_fleet, urls_movements

app_name = "transport"
urlpatterns = [
    *urls_movements.urlpatterns,
    *urls_convoys.urlpatterns,
    *urls_fleet.urlpatterns,
]

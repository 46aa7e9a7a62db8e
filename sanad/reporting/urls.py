"""/reporting/…: dashboards, indicators and targets, exports and schedules, donor reports."""

from sanad.reporting import urls_dashboards, urls_donor, urls_exports, urls_indicators

app_name = "reporting"

urlpatterns = [
    *urls_dashboards.urlpatterns,
    *urls_indicators.urlpatterns,
    *urls_exports.urlpatterns,
    *urls_donor.urlpatterns,
]

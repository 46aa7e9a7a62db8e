"""/reporting/donor-reports/: a project's donor report (XLSX, PDF) and its preview."""

from django.urls import path

from sanad.reporting.views import donor

urlpatterns = [
    path("donor-reports/", donor.donor_reports, name="donor_reports"),
    path(
        "donor-reports/<uuid:public_id>/preview/",
        donor.donor_report_preview,
        name="donor_report_preview",
    ),
]

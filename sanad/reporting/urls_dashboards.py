"""/reporting/: the mission overview, one dashboard per programme, and "Refresh now"."""

from django.urls import path

from sanad.reporting.views import dashboards

urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
    path("programmes/<str:code>/", dashboards.programme_dashboard, name="programme_dashboard"),
    path("refresh/", dashboards.refresh, name="refresh"),
]

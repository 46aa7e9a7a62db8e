from django.urls import path

from sanad.core import views

app_name = "core"
urlpatterns = [
    path("jobs/", views.JobListView.as_view(), name="job_list"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="job_download"),
    path("jobs/<uuid:public_id>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("audit/access/", views.AccessListView.as_view(), name="access_list"),
]

from django.urls import path

from sanad.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("area/<str:code>/", views.AreaView.as_view(), name="area"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<uuid:public_id>/", views.project_detail, name="project_detail"),
    path("projects/<uuid:public_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<uuid:public_id>/status/", views.project_transition, name="project_transition"),
    path(
        "projects/<uuid:public_id>/activities/new/", views.activity_create, name="activity_create"
    ),
    path("activities/<uuid:public_id>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<uuid:public_id>/targets/new/", views.target_create, name="target_create"),
    path("targets/<uuid:public_id>/edit/", views.target_edit, name="target_edit"),
    path("targets/<uuid:public_id>/delete/", views.target_delete, name="target_delete"),
]

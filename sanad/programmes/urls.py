from django.urls import path

from sanad.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("area/<str:code>/", views.ProjectListView.as_view(), name="area"),
    path("projects/<uuid:public_id>/", views.ProjectListView.as_view(), name="project_detail"),
]

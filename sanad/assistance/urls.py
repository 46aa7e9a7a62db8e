from django.urls import path

from sanad.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.RecordListView.as_view(), name="record_list"),
    path("export.csv", views.record_export, name="record_export"),
    path("new/", views.record_create, name="record_create"),
    path(
        "households/<uuid:public_id>/history/",
        views.household_history,
        name="household_history",
    ),
]

"""/reporting/exports/ (the 3W/4W/5W export) and /reporting/schedules/ (scheduled exports)."""

from django.urls import path

from sanad.reporting.views import exports

urlpatterns = [
    path("exports/", exports.exports, name="exports"),
    path("schedules/", exports.ScheduleListView.as_view(), name="schedules"),
    path("schedules/new/", exports.schedule_create, name="schedule_create"),
    path("schedules/<uuid:public_id>/edit/", exports.schedule_edit, name="schedule_edit"),
    path("schedules/<uuid:public_id>/toggle/", exports.schedule_toggle, name="schedule_toggle"),
]

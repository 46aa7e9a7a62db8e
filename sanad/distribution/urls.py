from django.urls import path

from sanad.distribution import views

app_name = "distribution"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<uuid:public_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<uuid:public_id>/status/", views.plan_transition, name="plan_transition"),
    path("plans/<uuid:public_id>/events/new/", views.event_create, name="event_create"),
    path("plans/<uuid:public_id>/samples/new/", views.sample_draw, name="sample_draw"),
    path("events/<uuid:public_id>/", views.event_detail, name="event_detail"),
    path("events/<uuid:public_id>/dispatch/", views.event_dispatch, name="event_dispatch"),
    path("events/<uuid:public_id>/close/", views.event_close, name="event_close"),
    path("events/<uuid:public_id>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<uuid:public_id>/report/", views.event_report, name="event_report"),
    path("events/<uuid:public_id>/day/", views.day, name="day"),
    path("events/<uuid:public_id>/day/counter/", views.day_counter, name="day_counter"),
    path("events/<uuid:public_id>/day/search/", views.day_search, name="day_search"),
    path("events/<uuid:public_id>/day/household/", views.day_household, name="day_household"),
    path("events/<uuid:public_id>/day/receipts/", views.day_receipt, name="day_receipt"),
    path("projects/<uuid:public_id>/report/", views.project_report, name="project_report"),
    path("reports/export/", views.report_export, name="report_export"),
    path("samples/<uuid:public_id>/", views.sample_detail, name="sample_detail"),
    path("samples/<uuid:public_id>/rows/<int:row>/", views.sample_row, name="sample_row"),
]

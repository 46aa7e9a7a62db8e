"""/reporting/indicators/… and /reporting/targets/: indicators defined as data and
achieved against the targets of donor projects."""

from django.urls import path

from sanad.reporting.views import indicators as views

urlpatterns: list = [
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<uuid:public_id>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<uuid:public_id>/edit/", views.indicator_edit, name="indicator_edit"),
    path(
        "indicators/<uuid:public_id>/<str:action>/",
        views.indicator_action,
        name="indicator_action",
    ),
    path("targets/", views.targets, name="targets"),
]

"""URLs of the camps app (monitoring part): rounds, gaps, standards."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.camps.views import monitoring as views

urlpatterns: list[Any] = [
    path("monitoring/", views.round_list, name="round_list"),
    path("monitoring/new/", views.round_create, name="round_create"),
    path("monitoring/gaps/", views.gap_report, name="gap_report"),
    path("monitoring/gaps/export/", views.gap_export, name="gap_export"),
    path("monitoring/<uuid:public_id>/", views.round_detail, name="round_detail"),
    path("monitoring/<uuid:public_id>/edit/", views.round_edit, name="round_edit"),
    path("monitoring/<uuid:public_id>/<slug:action>/", views.round_action, name="round_action"),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/<int:pk>/edit/", views.standard_edit, name="standard_edit"),
]

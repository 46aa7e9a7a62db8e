"""Revitalization pages: the programme's dashboard (the app's root), community centres and
social-cohesion activities (included by urls.py in the namespace "revitalization")."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.revitalization.views import dashboard, governance

urlpatterns: list[Any] = [
    path("", dashboard.dashboard, name="dashboard"),
    path("figures.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("centres/", governance.CentreListView.as_view(), name="centre_list"),
    path("centres/new/", governance.centre_create, name="centre_create"),
    path("centres/<uuid:public_id>/", governance.centre_detail, name="centre_detail"),
    path("centres/<uuid:public_id>/edit/", governance.centre_edit, name="centre_edit"),
    path("centres/<uuid:public_id>/visits/", governance.centre_visit, name="centre_visit"),
    path(
        "centres/<uuid:public_id>/cases/new/",
        governance.centre_case_create,
        name="centre_case_create",
    ),
    path("activities/", governance.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", governance.activity_create, name="activity_create"),
    path("activities/<uuid:public_id>/", governance.activity_detail, name="activity_detail"),
    path("activities/<uuid:public_id>/edit/", governance.activity_edit, name="activity_edit"),
    path("activities/<uuid:public_id>/hold/", governance.activity_hold, name="activity_hold"),
    path(
        "activities/<uuid:public_id>/participants/",
        governance.activity_participant_add,
        name="activity_participant_add",
    ),
    path(
        "activities/<uuid:public_id>/participants/<uuid:individual>/remove/",
        governance.activity_participant_remove,
        name="activity_participant_remove",
    ),
    path(
        "activities/<uuid:public_id>/<slug:action>/",
        governance.activity_action,
        name="activity_action",
    ),
]

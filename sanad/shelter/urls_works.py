"""URLs of the shelter app (works part): the overview by project, site upgrades and
camp roads."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.shelter.views import overview, works

urlpatterns: list[Any] = [
    path("", overview.home, name="home"),
    path("projects/<uuid:public_id>/", overview.project_detail, name="project_detail"),
    path("projects/<uuid:public_id>/export/", overview.project_export, name="project_export"),
    path("upgrades/", works.UpgradeListView.as_view(), name="upgrade_list"),
    path("upgrades/new/", works.upgrade_create, name="upgrade_create"),
    path("upgrades/<uuid:public_id>/", works.upgrade_detail, name="upgrade_detail"),
    path("upgrades/<uuid:public_id>/edit/", works.upgrade_edit, name="upgrade_edit"),
    path("upgrades/<uuid:public_id>/<slug:action>/", works.upgrade_action, name="upgrade_action"),
    path("roads/", works.RoadListView.as_view(), name="road_list"),
    path("roads/new/", works.road_create, name="road_create"),
    path("roads/<uuid:public_id>/", works.road_detail, name="road_detail"),
    path("roads/<uuid:public_id>/edit/", works.road_edit, name="road_edit"),
    path("roads/<uuid:public_id>/<slug:action>/", works.road_action, name="road_action"),
]

"""URLs of the camps app (sites part): sites, the map, plots, population, closures."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.camps.views import closure, sites

urlpatterns: list[Any] = [
    path("sites/", sites.SiteListView.as_view(), name="site_list"),
    path("sites/map/", sites.site_map, name="site_map"),
    path("sites/new/", sites.site_create, name="site_create"),
    path("sites/population/compute/", sites.population_job, name="site_population_job"),
    path("sites/<uuid:public_id>/", sites.site_detail, name="site_detail"),
    path("sites/<uuid:public_id>/edit/", sites.site_edit, name="site_edit"),
    path("sites/<uuid:public_id>/plots/", sites.site_plots, name="site_plots"),
    path("sites/<uuid:public_id>/population/", sites.site_population, name="site_population"),
    path("closures/", closure.ClosureListView.as_view(), name="closure_list"),
    path("closures/new/", closure.closure_create, name="closure_create"),
    path("closures/<uuid:public_id>/", closure.closure_detail, name="closure_detail"),
    path(
        "closures/<uuid:public_id>/<slug:action>/",
        closure.closure_action,
        name="closure_action",
    ),
]

"""URLs of the camps app (informal sites: MRT visits, hazards, priorities; trainings)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.camps.views import mrt, trainings

urlpatterns: list[Any] = [
    path("mrt/visits/", mrt.VisitListView.as_view(), name="mrt_visit_list"),
    path("mrt/visits/new/", mrt.visit_create, name="mrt_visit_create"),
    path("mrt/visits/<uuid:public_id>/", mrt.visit_detail, name="mrt_visit_detail"),
    path("hazards/", mrt.HazardListView.as_view(), name="hazard_list"),
    path("hazards/new/", mrt.hazard_create, name="hazard_create"),
    path("hazards/<uuid:public_id>/", mrt.hazard_detail, name="hazard_detail"),
    path("hazards/<uuid:public_id>/<slug:action>/", mrt.hazard_action, name="hazard_action"),
    path("priorities/", mrt.site_priorities, name="site_priorities"),
    path("trainings/", trainings.TrainingListView.as_view(), name="training_list"),
    path("trainings/new/", trainings.training_create, name="training_create"),
    path("trainings/<uuid:public_id>/", trainings.training_detail, name="training_detail"),
    path("trainings/<uuid:public_id>/edit/", trainings.training_edit, name="training_edit"),
    path(
        "trainings/<uuid:public_id>/participants/",
        trainings.training_participants,
        name="training_participants",
    ),
]

"""URLs of the shelter app (assessments part): damage assessments, the price catalogue,
prioritisation."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.shelter.views import assessments, catalogue, priority

urlpatterns: list[Any] = [
    path("assessments/", assessments.AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/new/", assessments.assessment_create, name="assessment_create"),
    path("assessments/<uuid:public_id>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<uuid:public_id>/edit/", assessments.assessment_edit, name="assessment_edit"),
    path(
        "assessments/<uuid:public_id>/photos/<int:photo_id>/",
        assessments.assessment_photo,
        name="assessment_photo",
    ),
    path(
        "assessments/<uuid:public_id>/<slug:action>/",
        assessments.assessment_action,
        name="assessment_action",
    ),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/new/", catalogue.price_item_create, name="price_item_create"),
    path("catalogue/import/", catalogue.price_import, name="price_import"),
    path("catalogue/export/", catalogue.price_export, name="price_export"),
    path("catalogue/<uuid:public_id>/", catalogue.price_item_edit, name="price_item_edit"),
    path("catalogue/<uuid:public_id>/prices/", catalogue.price_set, name="price_set"),
    path(
        "catalogue/<uuid:public_id>/prices/<int:price_id>/delete/",
        catalogue.price_delete,
        name="price_delete",
    ),
    path("priorities/", priority.PriorityListView.as_view(), name="priority_list"),
    path("priorities/new/", priority.priority_create, name="priority_create"),
    path("priorities/<uuid:public_id>/", priority.priority_detail, name="priority_detail"),
    path(
        "priorities/<uuid:public_id>/<slug:action>/",
        priority.priority_action,
        name="priority_action",
    ),
]

"""URLs of the shelter app (cases part): rehabilitation cases, their handover,
certificate and defects, and inspections."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.shelter.views import cases, inspections

urlpatterns: list[Any] = [
    path("cases/", cases.CaseListView.as_view(), name="case_list"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<uuid:public_id>/", cases.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<uuid:public_id>/handover/", cases.case_handover, name="case_handover"),
    path("cases/<uuid:public_id>/certificate/", cases.case_certificate, name="case_certificate"),
    path("cases/<uuid:public_id>/signature/", cases.case_signature, name="case_signature"),
    path("cases/<uuid:public_id>/defects/new/", cases.defect_create, name="defect_create"),
    path(
        "cases/<uuid:public_id>/inspect/", inspections.inspection_create, name="inspection_create"
    ),
    path("cases/<uuid:public_id>/<slug:action>/", cases.case_action, name="case_action"),
    path("defects/<uuid:public_id>/<slug:action>/", cases.defect_action, name="defect_action"),
    path("inspections/", inspections.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/photos/<int:pk>/", inspections.inspection_photo, name="inspection_photo"),
    path("inspections/<uuid:public_id>/", inspections.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<uuid:public_id>/<slug:action>/",
        inspections.inspection_action,
        name="inspection_action",
    ),
]

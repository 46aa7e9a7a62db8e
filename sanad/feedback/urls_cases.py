"""URLs of the feedback app: cases, trends and response standards (namespace
`feedback`, under /feedback/)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.feedback.views import cases

urlpatterns: list[Any] = [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/export/", cases.case_export, name="case_export"),
    path("cases/<uuid:public_id>/", cases.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/<slug:action>/", cases.case_action, name="case_action"),
    path("trends/", cases.case_trends, name="case_trends"),
    path("standards/", cases.response_standards, name="response_standards"),
]

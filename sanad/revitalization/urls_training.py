"""Revitalization pages: training (included by urls.py in the namespace "revitalization")."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.revitalization.views import training as views

urlpatterns: list[Any] = [
    path("training/", views.CourseListView.as_view(), name="course_list"),
    path("training/new/", views.course_create, name="course_create"),
    path("training/providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("training/providers/new/", views.provider_create, name="provider_create"),
    path("training/providers/<uuid:public_id>/edit/", views.provider_edit, name="provider_edit"),
    path(
        "training/enrolments/<uuid:public_id>/",
        views.enrolment_detail,
        name="enrolment_detail",
    ),
    path(
        "training/enrolments/<uuid:public_id>/certificate.pdf",
        views.enrolment_certificate,
        name="enrolment_certificate",
    ),
    path(
        "training/enrolments/<uuid:public_id>/placements/new/",
        views.enrolment_placement_add,
        name="enrolment_placement_add",
    ),
    path(
        "training/enrolments/<uuid:public_id>/<slug:action>/",
        views.enrolment_action,
        name="enrolment_action",
    ),
    path(
        "training/placements/<uuid:public_id>/edit/",
        views.enrolment_placement_edit,
        name="enrolment_placement_edit",
    ),
    path("training/<uuid:public_id>/", views.course_detail, name="course_detail"),
    path("training/<uuid:public_id>/edit/", views.course_edit, name="course_edit"),
    path("training/<uuid:public_id>/enrol/", views.enrolment_create, name="enrolment_create"),
    path("training/<uuid:public_id>/enrol/list/", views.enrolment_bulk, name="enrolment_bulk"),
    path("training/<uuid:public_id>/sessions/new/", views.session_create, name="session_create"),
    path(
        "training/<uuid:public_id>/sessions/<int:number>/",
        views.session_edit,
        name="session_edit",
    ),
    path(
        "training/<uuid:public_id>/assessment/",
        views.course_assessment,
        name="course_assessment",
    ),
    path("training/<uuid:public_id>/finish/", views.course_finish, name="course_finish"),
    path(
        "training/<uuid:public_id>/certificates.pdf",
        views.course_certificates,
        name="course_certificates",
    ),
    path(
        "training/<uuid:public_id>/attendance.xlsx",
        views.course_attendance_sheet,
        name="course_attendance_sheet",
    ),
    path("training/<uuid:public_id>/<slug:action>/", views.course_action, name="course_action"),
]

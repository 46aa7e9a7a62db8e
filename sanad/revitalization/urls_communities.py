"""Revitalization pages: communities and their assessments, infrastructure projects and
contractors (included by urls.py in the namespace "revitalization")."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.revitalization.views import communities as c
from sanad.revitalization.views import infrastructure as i

A = "assessments/<uuid:public_id>"
P = "projects/<uuid:public_id>"

urlpatterns: list[Any] = [
    # communities
    path("communities/", c.CommunityListView.as_view(), name="community_list"),
    path("communities/new/", c.community_create, name="community_create"),
    path("communities/<uuid:public_id>/", c.community_detail, name="community_detail"),
    path("communities/<uuid:public_id>/edit/", c.community_edit, name="community_edit"),
    # assessments
    path("assessments/", c.AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/new/", c.assessment_create, name="assessment_create"),
    path(f"{A}/", c.assessment_detail, name="assessment_detail"),
    path(f"{A}/edit/", c.assessment_edit, name="assessment_edit"),
    path(f"{A}/participation/", c.assessment_participation, name="assessment_participation"),
    path(f"{A}/needs/add/", c.assessment_need_add, name="assessment_need_add"),
    path(f"{A}/needs/<int:pk>/edit/", c.assessment_need_edit, name="assessment_need_edit"),
    path(f"{A}/needs/<int:pk>/remove/", c.assessment_need_remove, name="assessment_need_remove"),
    path(f"{A}/needs/select/", c.assessment_select_needs, name="assessment_select_needs"),
    path(f"{A}/resources/add/", c.assessment_resource_add, name="assessment_resource_add"),
    path(
        f"{A}/resources/<int:pk>/remove/",
        c.assessment_resource_remove,
        name="assessment_resource_remove",
    ),
    path(f"{A}/<slug:action>/", c.assessment_action, name="assessment_action"),
    # infrastructure projects
    path("projects/", i.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", i.project_create, name="project_create"),
    path(f"{P}/", i.project_detail, name="project_detail"),
    path(f"{P}/edit/", i.project_edit, name="project_edit"),
    path(f"{P}/population/", i.project_population, name="project_population"),
    path(f"{P}/milestones/", i.project_milestones, name="project_milestones"),
    path(
        f"{P}/milestones/<int:pk>/progress/",
        i.project_milestone_progress,
        name="project_milestone_progress",
    ),
    path(f"{P}/workers/add/", i.project_worker_add, name="project_worker_add"),
    path(
        f"{P}/workers/<uuid:worker>/toggle/",
        i.project_worker_toggle,
        name="project_worker_toggle",
    ),
    path(f"{P}/payments/add/", i.project_payment_add, name="project_payment_add"),
    path(f"{P}/<slug:action>/", i.project_action, name="project_action"),
    # contractors
    path("contractors/", i.ContractorListView.as_view(), name="contractor_list"),
    path("contractors/new/", i.contractor_create, name="contractor_create"),
    path("contractors/<uuid:public_id>/", i.contractor_detail, name="contractor_detail"),
    path("contractors/<uuid:public_id>/edit/", i.contractor_edit, name="contractor_edit"),
]

"""URLs of the shelter app (contracts part): contractors, tenders, works contracts."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.shelter.views import contracts as views

urlpatterns: list[Any] = [
    path("contractors/", views.ContractorListView.as_view(), name="contractor_list"),
    path("contractors/new/", views.contractor_create, name="contractor_create"),
    path("contractors/<uuid:public_id>/", views.contractor_detail, name="contractor_detail"),
    path("contractors/<uuid:public_id>/edit/", views.contractor_edit, name="contractor_edit"),
    path(
        "contractors/<uuid:public_id>/<slug:action>/",
        views.contractor_action,
        name="contractor_action",
    ),
    path("tenders/", views.TenderListView.as_view(), name="tender_list"),
    path("tenders/new/", views.tender_create, name="tender_create"),
    path("tenders/<uuid:public_id>/", views.tender_detail, name="tender_detail"),
    path("tenders/<uuid:public_id>/edit/", views.tender_edit, name="tender_edit"),
    path("tenders/<uuid:public_id>/<slug:action>/", views.tender_action, name="tender_action"),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<uuid:public_id>/", views.contract_detail, name="contract_detail"),
    path("contracts/<uuid:public_id>/edit/", views.contract_edit, name="contract_edit"),
    path(
        "contracts/<uuid:public_id>/milestones/",
        views.contract_milestones,
        name="contract_milestones",
    ),
    path(
        "contracts/<uuid:public_id>/milestones/<int:sequence>/<slug:action>/",
        views.milestone_action,
        name="milestone_action",
    ),
    path(
        "contracts/<uuid:public_id>/<slug:action>/", views.contract_action, name="contract_action"
    ),
]

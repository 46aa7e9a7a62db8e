"""Revitalization pages: business grants (included by urls.py in the namespace
"revitalization"): calls (criteria, committee, ranking, selection), applications
(entered, imported, checked) and the committee's scoring pages."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.revitalization.views import grants as views

C = "grants/calls/<uuid:public_id>"
A = "grants/applications/<uuid:public_id>"

urlpatterns: list[Any] = [
    path("grants/calls/", views.CallListView.as_view(), name="call_list"),
    path("grants/calls/new/", views.call_create, name="call_create"),
    path(f"{C}/", views.call_detail, name="call_detail"),
    path(f"{C}/edit/", views.call_edit, name="call_edit"),
    path(f"{C}/criteria/", views.call_criteria, name="call_criteria"),
    path(f"{C}/committee/", views.call_committee, name="call_committee"),
    path(
        f"{C}/committee/<int:member_id>/remove/",
        views.call_member_remove,
        name="call_member_remove",
    ),
    path(f"{C}/ranking/", views.call_ranking, name="call_ranking"),
    path(f"{C}/selection/", views.call_selection, name="call_selection"),
    path(f"{C}/applications/new/", views.application_create, name="application_create"),
    path(f"{C}/applications/import/", views.application_import, name="application_import"),
    path(
        f"{C}/applications/import/template.xlsx",
        views.application_import_template,
        name="application_import_template",
    ),
    # open, close, reopen, unselect, complete, cancel (last: the slug would catch the above)
    path(f"{C}/<slug:action>/", views.call_action, name="call_action"),
    path("grants/applications/", views.ApplicationListView.as_view(), name="application_list"),
    path(f"{A}/", views.application_detail, name="application_detail"),
    path(f"{A}/<slug:action>/", views.application_action, name="application_action"),
    path("grants/scoring/", views.scoring_list, name="scoring_list"),
    path("grants/scoring/calls/<uuid:public_id>/", views.scoring_call, name="scoring_call"),
    path(
        "grants/scoring/applications/<uuid:public_id>/",
        views.scoring_application,
        name="scoring_application",
    ),
]

"""URLs of the transport app (convoys): planning households into vehicles and
adjusting the plan (views.convoys); manifests (views.manifests); departure and arrival
checks, re-balancing after no-shows and incidents (views.checks)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.transport.views import checks, convoys, manifests

urlpatterns: list[Any] = [
    path("convoys/", convoys.ConvoyListView.as_view(), name="convoy_list"),
    path("movements/<uuid:public_id>/convoys/new/", convoys.convoy_create, name="convoy_create"),
    path("convoys/<uuid:public_id>/", convoys.convoy_detail, name="convoy_detail"),
    path("convoys/<uuid:public_id>/vehicles/", convoys.convoy_vehicles, name="convoy_vehicles"),
    path("convoys/<uuid:public_id>/plan/", convoys.convoy_plan, name="convoy_plan"),
    path("convoys/<uuid:public_id>/move/", convoys.convoy_move, name="convoy_move"),
    # manifests
    path("convoys/<uuid:public_id>/manifest.pdf", manifests.manifest_pdf, name="manifest_pdf"),
    path("convoys/<uuid:public_id>/manifest.xlsx", manifests.manifest_xlsx, name="manifest_xlsx"),
    # departure, arrival, incidents
    path("convoys/<uuid:public_id>/departure/", checks.convoy_departure, name="convoy_departure"),
    path("convoys/<uuid:public_id>/arrival/", checks.convoy_arrival, name="convoy_arrival"),
    path("convoys/<uuid:public_id>/check/", checks.convoy_check, name="convoy_check"),
    path("convoys/<uuid:public_id>/rebalance/", checks.convoy_rebalance, name="convoy_rebalance"),
    path("convoys/<uuid:public_id>/depart/", checks.convoy_depart, name="convoy_depart"),
    path("convoys/<uuid:public_id>/complete/", checks.convoy_complete, name="convoy_complete"),
    path("convoys/<uuid:public_id>/incidents/new/", checks.incident_create, name="incident_create"),
    # planning ↔ ready, cancel (last: the slug would catch the paths above)
    path("convoys/<uuid:public_id>/<slug:action>/", convoys.convoy_action, name="convoy_action"),
]

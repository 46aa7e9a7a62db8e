"""URLs of the transport app (movements part): movement requests, their households,
declarations, fitness to travel, new arrivals registered at the border."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.transport.views import movements

urlpatterns: list[Any] = [
    path("", movements.MovementListView.as_view(), name="movement_list"),
    path("movements/new/", movements.movement_create, name="movement_create"),
    path("movements/<uuid:public_id>/", movements.movement_detail, name="movement_detail"),
    path("movements/<uuid:public_id>/edit/", movements.movement_edit, name="movement_edit"),
    path("movements/<uuid:public_id>/export/", movements.movement_export, name="movement_export"),
    path(
        "movements/<uuid:public_id>/households/add/",
        movements.movement_household_add,
        name="movement_household_add",
    ),
    path(
        "movements/<uuid:public_id>/households/from-site/",
        movements.movement_households_from_site,
        name="movement_households_from_site",
    ),
    path(
        "movements/<uuid:public_id>/arrivals/new/",
        movements.movement_border_register,
        name="movement_border_register",
    ),
    path(
        "movements/<uuid:public_id>/<slug:action>/",
        movements.movement_action,
        name="movement_action",
    ),
    path(
        "movement-households/<uuid:public_id>/",
        movements.movement_household_detail,
        name="movement_household_detail",
    ),
    path(
        "movement-households/<uuid:public_id>/<slug:action>/",
        movements.movement_household_action,
        name="movement_household_action",
    ),
]

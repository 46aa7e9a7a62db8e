"""URLs of the transport app (fleet): vehicles, drivers, contractors and contracts."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.transport.views import fleet

urlpatterns: list[Any] = [
    path("fleet/", fleet.VehicleListView.as_view(), name="vehicle_list"),
    path("fleet/vehicles/new/", fleet.vehicle_create, name="vehicle_create"),
    path("fleet/vehicles/<uuid:public_id>/", fleet.vehicle_detail, name="vehicle_detail"),
    path("fleet/vehicles/<uuid:public_id>/edit/", fleet.vehicle_edit, name="vehicle_edit"),
    path(
        "fleet/vehicles/<uuid:public_id>/<slug:action>/",
        fleet.vehicle_action,
        name="vehicle_action",
    ),
    path("fleet/drivers/", fleet.DriverListView.as_view(), name="driver_list"),
    path("fleet/drivers/new/", fleet.driver_create, name="driver_create"),
    path("fleet/drivers/<uuid:public_id>/edit/", fleet.driver_edit, name="driver_edit"),
    path("fleet/contractors/", fleet.ContractorListView.as_view(), name="contractor_list"),
    path("fleet/contractors/new/", fleet.contractor_create, name="contractor_create"),
    path("fleet/contractors/<uuid:public_id>/", fleet.contractor_detail, name="contractor_detail"),
    path("fleet/contractors/<uuid:public_id>/edit/", fleet.contractor_edit, name="contractor_edit"),
    path(
        "fleet/contractors/<uuid:public_id>/contracts/new/",
        fleet.contract_create,
        name="contract_create",
    ),
    path(
        "fleet/contractors/<uuid:public_id>/<slug:action>/",
        fleet.contractor_action,
        name="contractor_action",
    ),
    path(
        "fleet/contracts/<uuid:public_id>/<slug:action>/",
        fleet.contract_action,
        name="contract_action",
    ),
]

"""API of the transport fleet (read-only).

- `transport/vehicles`: vehicles with their capacities, contractor and governorates
  (filters `kind`, `status`, `contractor` (public id, or `owned`), `governorate`
  (P-code), `available_on` (YYYY-MM-DD: in service, contractor active, in no other open
  convoy that day)).
- `transport/contractors`: transport contractors with their contracts (filter
  `status`).

Drivers are not listed: their names, phones and licence numbers are personal data.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import Count
from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.transport.models import VIEW, TransportContract, TransportContractor, Vehicle
from sanad.transport.selectors import fleet as selectors


class TransportVehicleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    contractor = serializers.UUIDField(source="contractor.public_id", default=None, read_only=True)
    contractor_name = serializers.CharField(source="contractor.name", default=None, read_only=True)
    governorates: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="pcode"
    )

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "kind",
            "plate_number",
            "description",
            "contractor",
            "contractor_name",
            "seats",
            "wheelchair_places",
            "stretcher_places",
            "luggage_m3",
            "governorates",
            "status",
            "updated_at",
        ]
        read_only_fields = fields


class TransportContractSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = serializers.CharField(source="project.code", default=None, read_only=True)

    class Meta:
        model = TransportContract
        fields = [
            "id",
            "reference",
            "project",
            "starts_on",
            "ends_on",
            "rate_kind",
            "rate",
            "currency",
            "status",
        ]
        read_only_fields = fields


class TransportContractorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    governorates: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="pcode"
    )
    vehicles = serializers.IntegerField(source="vehicle_count", read_only=True)
    drivers = serializers.IntegerField(source="driver_count", read_only=True)
    contracts = TransportContractSerializer(many=True, read_only=True)

    class Meta:
        model = TransportContractor
        fields = [
            "id",
            "name",
            "registration_number",
            "governorates",
            "status",
            "vehicles",
            "drivers",
            "contracts",
            "updated_at",
        ]
        read_only_fields = fields


class VehicleViewSet(ScopedReadOnlyViewSet):
    """The vehicles of the fleet in the caller's scope."""

    serializer_class = TransportVehicleSerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return Vehicle.objects.select_related("contractor").prefetch_related("governorates")

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        contractor = params.get("contractor", "")
        if contractor == "owned":
            qs = qs.filter(contractor__isnull=True)
        elif contractor:
            try:
                qs = qs.filter(contractor__public_id=uuid.UUID(contractor))
            except ValueError:
                qs = qs.none()
        if params.get("governorate"):
            qs = qs.filter(governorates__pcode=params["governorate"])
        if params.get("available_on"):
            try:
                day = datetime.date.fromisoformat(params["available_on"])
            except ValueError:
                return qs.none()
            free = selectors.vehicles_available(user=self.request.user, day=day)
            qs = qs.filter(pk__in=free.values("pk"))
        return qs.order_by("kind", "plate_number")


class ContractorViewSet(ScopedReadOnlyViewSet):
    """Transport contractors in the caller's scope, with their contracts."""

    serializer_class = TransportContractorSerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return (
            TransportContractor.objects.prefetch_related("governorates", "contracts__project")
            .annotate(
                vehicle_count=Count("vehicles", distinct=True),
                driver_count=Count("drivers", distinct=True),
            )
            .order_by("name")
        )

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs


def register(router: Any) -> None:
    router.register("transport/vehicles", VehicleViewSet, basename="transport-vehicle")
    router.register("transport/contractors", ContractorViewSet, basename="transport-contractor")

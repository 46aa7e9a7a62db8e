"""API of the transport app (convoys part).

- `transport/convoys`: convoys (list, retrieve; filters `status`, `movement` (public
  ids), `from`, `to` (departure dates)), with their vehicles in order and each
  vehicle's usage (households, people, seats, wheelchair and stretcher places, luggage)
  and the plan summary. No names: households are counted, drivers and escorts are
  flags (the manifests carry the names).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.transport.models import VIEW, Convoy, ConvoyLoad, ConvoyVehicle, Fitness
from sanad.transport.selectors import convoys as selectors

SUMMARY_KEYS = (
    "vehicles_used",
    "lower_bound",
    "households",
    "passengers",
    "seats_needed",
    "status",
    "seconds",
    "moved",
    "dedicated",
)


def _uuids(value: str) -> list[str]:
    out = []
    for part in value.split(","):
        try:
            out.append(str(uuid.UUID(part.strip())))
        except ValueError:
            continue
    return out


def _usage(cv: ConvoyVehicle, loads: list[ConvoyLoad]) -> dict[str, Any]:
    riding = [load for load in loads if load.convoy_vehicle_id == cv.pk]
    people = [p for load in riding for p in load.movement_household.passengers.all()]
    wheelchairs = sum(1 for p in people if p.fitness == Fitness.WHEELCHAIR)
    stretchers = sum(1 for p in people if p.fitness == Fitness.STRETCHER)
    luggage = sum(
        (
            load.movement_household.luggage_m3
            for load in loads
            if (load.luggage_vehicle_id or load.convoy_vehicle_id) == cv.pk
        ),
        Decimal(0),
    )
    return {
        "households": len(riding),
        "people": len(people),
        "seats_used": len(people) - wheelchairs - stretchers,
        "wheelchairs_used": wheelchairs,
        "stretchers_used": stretchers,
        "luggage_used_m3": luggage,
    }


class ConvoyVehicleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    vehicle = serializers.UUIDField(source="vehicle.public_id", read_only=True)
    kind = serializers.CharField(source="vehicle.kind", read_only=True)
    plate_number = serializers.CharField(source="vehicle.plate_number", read_only=True)
    passenger_seats = serializers.IntegerField(read_only=True)
    has_escort = serializers.BooleanField(read_only=True)
    has_driver = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()

    class Meta:
        model = ConvoyVehicle
        fields = [
            "id",
            "vehicle",
            "kind",
            "plate_number",
            "position",
            "seats",
            "passenger_seats",
            "wheelchair_places",
            "stretcher_places",
            "luggage_m3",
            "has_escort",
            "has_driver",
            "usage",
        ]
        read_only_fields = fields

    def get_has_driver(self, obj: ConvoyVehicle) -> bool:
        return obj.driver_id is not None

    def get_usage(self, obj: ConvoyVehicle) -> dict[str, Any]:
        loads = self.context.get("loads", {}).get(obj.convoy_id, [])
        usage = _usage(obj, loads)
        usage["luggage_used_m3"] = str(usage["luggage_used_m3"])
        return usage


class ConvoySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    movement = serializers.UUIDField(source="request.public_id", read_only=True)
    movement_reference = serializers.CharField(source="request.reference", read_only=True)
    households = serializers.IntegerField(source="household_count", read_only=True)
    people = serializers.IntegerField(source="people_count", read_only=True)
    vehicles = serializers.SerializerMethodField()
    plan_summary = serializers.SerializerMethodField()

    class Meta:
        model = Convoy
        fields = [
            "id",
            "reference",
            "movement",
            "movement_reference",
            "departs_on",
            "departure_time",
            "status",
            "oversize_policy",
            "households",
            "people",
            "vehicles",
            "plan_summary",
            "planned_at",
            "departed_at",
            "arrived_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_vehicles(self, obj: Convoy) -> list[dict[str, Any]]:
        loads = [load for load in obj.loads.all() if load.status != ConvoyLoad.Status.NO_SHOW]
        context = {**self.context, "loads": {obj.pk: loads}}
        return list(ConvoyVehicleSerializer(obj.vehicles.all(), many=True, context=context).data)

    def get_plan_summary(self, obj: Convoy) -> dict[str, Any]:
        summary = obj.plan_summary or {}
        return {k: summary[k] for k in SUMMARY_KEYS if k in summary}


class ConvoyViewSet(ScopedReadOnlyViewSet):
    """Convoys with their vehicles and how full each is (no names)."""

    serializer_class = ConvoySerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return (
            selectors.convoys_visible(self.request.user)
            .prefetch_related(
                Prefetch(
                    "vehicles",
                    queryset=ConvoyVehicle.objects.select_related("vehicle").order_by(
                        "position", "id"
                    ),
                ),
                Prefetch(
                    "loads",
                    queryset=ConvoyLoad.objects.select_related(
                        "movement_household"
                    ).prefetch_related("movement_household__passengers"),
                ),
            )
            .order_by("-departs_on", "-id")
        )

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        if params.get("status"):
            qs = qs.filter(status__in=params["status"].split(","))
        if params.get("movement"):
            qs = qs.filter(request__public_id__in=_uuids(params["movement"]))
        for param, lookup in (("from", "departs_on__gte"), ("to", "departs_on__lte")):
            try:
                day = datetime.date.fromisoformat(params.get(param, ""))
            except ValueError:
                continue
            qs = qs.filter(**{lookup: day})
        return qs


def register(router: Any) -> None:
    router.register("transport/convoys", ConvoyViewSet, basename="transport-convoy")

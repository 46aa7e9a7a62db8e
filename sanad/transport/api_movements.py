"""API of the transport app (movements part).

- `transport/movements`: movement requests (list, retrieve; filters `status`, `kind`,
  `governorate` (P-code), `from`, `to` (requested date)), with the number of households
  and people. The detail lists the households (status, people, declaration, consent,
  luggage, readiness) by registration id when the caller may see that household in the
  registry; no names of people.
"""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.scoping import has_permission, scoped
from sanad.registry.models import Household
from sanad.transport.models import VIEW, MovementRequest
from sanad.transport.selectors import movements as selectors

REGISTRY_VIEW = "registry.view_household"


class MovementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    origin = serializers.UUIDField(source="origin.public_id", read_only=True)
    origin_name = serializers.CharField(source="origin.name_en", read_only=True)
    destination = serializers.UUIDField(
        source="destination.public_id", default=None, read_only=True
    )
    destination_name = serializers.CharField(
        source="destination.name_en", default=None, read_only=True
    )
    destination_area = serializers.CharField(
        source="destination_admin_unit.pcode", default=None, read_only=True
    )
    project = serializers.CharField(source="project.code", default=None, read_only=True)
    households = serializers.IntegerField(source="households_count", read_only=True)
    people = serializers.IntegerField(source="people_count", read_only=True)
    governorates = serializers.SerializerMethodField()

    class Meta:
        model = MovementRequest
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "origin",
            "origin_name",
            "destination",
            "destination_name",
            "destination_area",
            "requested_date",
            "project",
            "source",
            "governorates",
            "households",
            "people",
            "approved_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_governorates(self, obj: MovementRequest) -> list[str]:
        return sorted(g.pcode for g in obj.governorates.all())


class MovementDetailSerializer(MovementSerializer):
    household_rows = serializers.SerializerMethodField()

    class Meta(MovementSerializer.Meta):
        fields = [*MovementSerializer.Meta.fields, "notes", "household_rows"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_household_rows(self, obj: MovementRequest) -> list[dict[str, Any]]:
        user = self.context["request"].user
        rows = selectors.movement_households(obj)
        visible: set[int] = set()
        if has_permission(user, REGISTRY_VIEW):
            visible = set(
                scoped(
                    Household.objects.filter(pk__in=[r.household_id for r in rows]),
                    user,
                    REGISTRY_VIEW,
                ).values_list("pk", flat=True)
            )
        return [
            {
                "id": str(r.public_id),
                "registration_id": r.household.registration_id
                if r.household_id in visible
                else None,
                "status": r.status,
                "people": r.people,  # type: ignore[attr-defined]
                "declared": r.declared,
                "consent_given": r.consent_given,
                "luggage_m3": str(r.luggage_m3),
                "needs": [code for code, _label in r.needs],  # type: ignore[attr-defined]
                "ready": r.ready,  # type: ignore[attr-defined]
                "registered_at_border": r.registered_at_border,
            }
            for r in rows
        ]


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class MovementViewSet(ScopedReadOnlyViewSet):
    """Movement requests with their households and people counts."""

    view_permission = VIEW

    def get_serializer_class(self) -> Any:
        return MovementDetailSerializer if self.action == "retrieve" else MovementSerializer

    def get_base_queryset(self) -> Any:
        return (
            selectors.movements_visible(self.request.user)
            .prefetch_related("governorates")
            .order_by("-requested_date", "-id")
        )

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("governorate"):
            qs = qs.filter(governorates__pcode=params["governorate"])
        start, end = _date(params.get("from", "")), _date(params.get("to", ""))
        if start:
            qs = qs.filter(requested_date__gte=start)
        if end:
            qs = qs.filter(requested_date__lte=end)
        return qs


def register(router: Any) -> None:
    router.register("transport/movements", MovementViewSet, basename="transport-movement")

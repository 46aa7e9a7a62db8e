"""API of the camps app (sites part), read-only for `camps.view_site` within its scope:

- `GET /api/v1/camps/sites/`: sites with their place, kind, governorate, capacity,
  latest population (individuals, households, month), open tickets, open hazards and
  the last round's gaps; `?kind=`, `?governorate=` (P-code).
- `GET /api/v1/camps/sites/{id}/`: one site with its monthly population series.
- `GET /api/v1/camps/closures/`, `/{id}/`: closure and consolidation plans with the
  households to move (registration ids, destination, date, status)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sanad.camps.models import VIEW, ClosureHousehold, ClosurePlan, PopulationCount, Site
from sanad.camps.selectors import sites as selectors
from sanad.core.api import ScopedReadOnlyViewSet


class PopulationSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()

    class Meta:
        model = PopulationCount
        fields = [
            "month",
            "source",
            "households",
            "individuals",
            "by_sex_age",
            "arrivals",
            "departures",
        ]

    def get_month(self, obj: PopulationCount) -> str:
        return obj.month.strftime("%Y-%m")


class SiteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    place = serializers.UUIDField(source="place.public_id", read_only=True)
    name = serializers.CharField(source="place.name_en", read_only=True)
    name_ar = serializers.CharField(source="place.name_ar", read_only=True)
    code = serializers.CharField(source="place.code", read_only=True)
    kind = serializers.CharField(source="place.kind", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    lat = serializers.FloatField(source="place.lat", read_only=True)
    lon = serializers.FloatField(source="place.lon", read_only=True)
    managing_agency = serializers.CharField(
        source="managing_agency.acronym", read_only=True, default=None
    )
    population = serializers.IntegerField(source="people", read_only=True)
    population_households = serializers.IntegerField(read_only=True)
    population_month = serializers.DateField(read_only=True, format="%Y-%m")
    households_now = serializers.IntegerField(read_only=True)
    open_tickets = serializers.IntegerField(read_only=True)
    open_hazards = serializers.IntegerField(read_only=True)
    last_gaps = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "place",
            "name",
            "name_ar",
            "code",
            "kind",
            "governorate",
            "lat",
            "lon",
            "managing_agency",
            "capacity_plots",
            "capacity_shelters",
            "opened_on",
            "closed_on",
            "tenure",
            "eviction_risk",
            "shelter_types",
            "population",
            "population_households",
            "population_month",
            "households_now",
            "open_tickets",
            "open_hazards",
            "last_gaps",
        ]


class SiteDetailSerializer(SiteSerializer):
    population_series = serializers.SerializerMethodField()

    class Meta(SiteSerializer.Meta):
        fields = [*SiteSerializer.Meta.fields, "population_series"]

    def get_population_series(self, obj: Site) -> list[dict[str, Any]]:
        return PopulationSerializer(selectors.population_series(obj), many=True).data  # type: ignore[return-value]


class SiteViewSet(ScopedReadOnlyViewSet):
    """Sites (formal camps, informal sites, collective centres) with their figures."""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    view_permission = VIEW
    search_fields = ["place__name_en", "place__code"]
    ordering_fields = ["place__name_en", "people"]
    ordering = ["place__name_en"]

    def get_base_queryset(self) -> Any:
        return selectors.sites_with_figures()

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(place__kind=params["kind"])
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        return qs

    def get_serializer_class(self) -> Any:
        return SiteDetailSerializer if self.action == "retrieve" else SiteSerializer


class ClosureHouseholdSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="household.registration_id", read_only=True)
    destination = serializers.UUIDField(
        source="destination.public_id", read_only=True, default=None
    )
    destination_admin_unit = serializers.CharField(
        source="destination_admin_unit.pcode", read_only=True, default=None
    )

    class Meta:
        model = ClosureHousehold
        fields = [
            "household",
            "destination",
            "destination_admin_unit",
            "move_on",
            "status",
            "note",
            "movement_request_ref",
        ]


class ClosurePlanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)
    households = ClosureHouseholdSerializer(many=True, read_only=True)

    class Meta:
        model = ClosurePlan
        fields = [
            "id",
            "site",
            "site_code",
            "kind",
            "status",
            "target_date",
            "reason",
            "households",
        ]


class ClosurePlanViewSet(ScopedReadOnlyViewSet):
    """Closure and consolidation plans, with the households to move."""

    queryset = ClosurePlan.objects.select_related("site__place").prefetch_related(
        "households__household", "households__destination", "households__destination_admin_unit"
    )
    serializer_class = ClosurePlanSerializer
    view_permission = VIEW
    ordering = ["-target_date"]


def register(router: Any) -> None:
    router.register("camps/sites", SiteViewSet, basename="camps-site")
    router.register("camps/closures", ClosurePlanViewSet, basename="camps-closure")

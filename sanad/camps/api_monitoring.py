"""API of the camps app (monitoring part).

- `camps/monitoring-rounds`: list (filters `site`, `month` YYYY-MM, `gaps`, `status`,
  `governorate`), retrieve (with the indicators computed on submit), create
  (`round_create`: a draft, the population pre-filled when not given).
- `camps/standards`: the standards (read), looked up by code.

Views only adapt: the rules are in `camps.services.monitoring`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.camps.models import MONITOR, VIEW, MonitoringRound, Standard
from sanad.camps.selectors import monitoring as selectors
from sanad.camps.services import monitoring as services
from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.errors import NotFound, ValidationFailed


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["code", "name", "direction", "threshold", "unit", "source", "active", "order"]


class ResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField()
    direction = serializers.CharField()
    unit = serializers.CharField()
    met = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)


class RoundSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)
    site_name = serializers.CharField(source="site.place.name_en", read_only=True)
    governorate = serializers.CharField(source="site.governorate.pcode", read_only=True)
    month = serializers.SerializerMethodField()
    results = ResultSerializer(many=True, read_only=True)

    class Meta:
        model = MonitoringRound
        fields = [
            "id",
            "site",
            "site_code",
            "site_name",
            "governorate",
            "month",
            "status",
            *services.ROUND_FIELDS,
            "results",
            "gaps",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_month(self, obj: MonitoringRound) -> str:
        return obj.month.strftime("%Y-%m")


class RoundCreateSerializer(serializers.Serializer):
    site = serializers.UUIDField()
    month = serializers.CharField(help_text="YYYY-MM")
    individuals = serializers.IntegerField(min_value=0, required=False)
    households = serializers.IntegerField(min_value=0, required=False)
    latrines = serializers.IntegerField(min_value=0, required=False)
    showers = serializers.IntegerField(min_value=0, required=False)
    water_taps = serializers.IntegerField(min_value=0, required=False)
    water_litres_per_day = serializers.IntegerField(min_value=0, required=False)
    covered_area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=1, min_value=0, required=False
    )
    shelters = serializers.IntegerField(min_value=0, required=False)
    lighting_points = serializers.IntegerField(min_value=0, required=False)
    health_post_distance_km = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, required=False, allow_null=True
    )
    schools = serializers.IntegerField(min_value=0, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)

    def validate_month(self, value: str) -> Any:
        month = selectors.parse_month(value)
        if month is None:
            raise serializers.ValidationError(_("Enter a month as YYYY-MM."))
        return month


class MonitoringRoundViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):  # type: ignore[misc]
    queryset = MonitoringRound.objects.all()
    serializer_class = RoundSerializer
    view_permission = VIEW
    manage_permission = MONITOR

    def get_base_queryset(self) -> Any:
        return MonitoringRound.objects.select_related("site__place", "site__governorate")

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        params = self.request.query_params
        filters = {k: params.get(k) for k in selectors.FILTERS if params.get(k)}
        if filters.get("gaps") in ("0", "false", "no"):
            filters.pop("gaps")
        listed = selectors.round_list(user=self.request.user, filters=filters)
        return qs.filter(pk__in=listed.values("pk")).order_by(
            "-month", "site__place__name_en", "pk"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        context.set_actor(request.user)
        incoming = RoundCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        site_id, month = data.pop("site"), data.pop("month")
        try:
            site = selectors.site_get(user=request.user, public_id=site_id, permission=MONITOR)
        except NotFound as exc:
            message = _("There is no such site, or you may not record monitoring there.")
            raise ValidationFailed(
                message, code="site_not_found", fields={"site": [message]}
            ) from exc
        round_ = services.round_create(user=request.user, site=site, month=month, data=data)
        round_ = self.get_base_queryset().get(pk=round_.pk)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


class StandardViewSet(ScopedReadOnlyViewSet):
    queryset = Standard.objects.all()
    serializer_class = StandardSerializer
    view_permission = VIEW
    lookup_field = "code"
    pagination_class = None

    def get_base_queryset(self) -> Any:
        return Standard.objects.order_by("order", "code")


def register(router: Any) -> None:
    router.register("camps/monitoring-rounds", MonitoringRoundViewSet, basename="camps-round")
    router.register("camps/standards", StandardViewSet, basename="camps-standard")

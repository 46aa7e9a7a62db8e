"""API of the camps app (informal sites): hazards (read), Mobile Response Team visits
(read, record) and trainings (read; participants as counts only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.camps.models import MRT, VIEW, Hazard, MrtVisit, Site, Training
from sanad.camps.selectors import mrt as selectors
from sanad.camps.services import mrt as services
from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from sanad.core.scoping import scoped


class MitigationSerializer(serializers.Serializer):
    action = serializers.CharField()
    responsible = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class HazardSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)
    visit = serializers.UUIDField(source="visit.public_id", read_only=True, default=None)
    band = serializers.SerializerMethodField()
    mitigations = MitigationSerializer(many=True, read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "site",
            "site_code",
            "visit",
            "kind",
            "description",
            "likelihood",
            "impact",
            "risk",
            "band",
            "assessed_on",
            "status",
            "mitigated_on",
            "mitigations",
        ]
        read_only_fields = fields

    def get_band(self, obj: Hazard) -> str:
        return services.risk_band(obj.risk)


@extend_schema_view(
    list=extend_schema(summary="Hazards assessed on sites in your area, highest risk first"),
    retrieve=extend_schema(summary="One hazard with its mitigation actions"),
)
class HazardViewSet(ScopedReadOnlyViewSet):
    """Hazards (risk = likelihood × impact; bands low 1–4, medium 5–9, high 10–16,
    critical 20–25) and their mitigation actions."""

    queryset = Hazard.objects.select_related("site__place", "visit").prefetch_related("mitigations")
    serializer_class = HazardSerializer
    view_permission = VIEW
    filterset_fields = ["kind", "status"]
    ordering_fields = ["risk", "assessed_on"]
    ordering = ["-risk", "-assessed_on", "-id"]


class VisitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)

    class Meta:
        model = MrtVisit
        fields = [
            "id",
            "site",
            "site_code",
            "team",
            "visited_on",
            "deployment",
            "activities",
            "families_present",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class VisitWriteSerializer(serializers.Serializer):
    site = serializers.UUIDField(help_text="The site's public id.")
    team = serializers.CharField(max_length=120)
    visited_on = serializers.DateField()
    deployment = serializers.CharField(max_length=120, required=False, allow_blank=True)
    activities = serializers.CharField(required=False, allow_blank=True)
    families_present = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    tenure = serializers.ChoiceField(choices=Site.Tenure.choices, required=False)
    eviction_risk = serializers.ChoiceField(choices=Site.Risk.choices, required=False)
    shelter_types = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text='{"tent": n, "caravan": n, "unfinished_building": n, "makeshift": n, "other": n}',
    )
    services_notes = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="Mobile Response Team visits in your area"),
    retrieve=extend_schema(summary="One visit"),
    create=extend_schema(
        summary="Record a visit (and update the site's informal profile)",
        request=VisitWriteSerializer,
        responses={201: VisitSerializer},
    ),
)
class MrtVisitViewSet(  # type: ignore[misc]
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    queryset = MrtVisit.objects.select_related("site__place")
    serializer_class = VisitSerializer
    view_permission = VIEW
    manage_permission = MRT
    filterset_fields = ["visited_on"]
    ordering_fields = ["visited_on", "created_at"]
    ordering = ["-visited_on", "-id"]

    def get_serializer_class(self) -> Any:
        return VisitWriteSerializer if self.action == "create" else VisitSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        context.set_actor(request.user)
        body = VisitWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        site = scoped(Site.objects.all(), request.user, MRT).filter(public_id=data.pop("site"))
        found = site.first()
        if found is None:
            raise serializers.ValidationError(
                {"site": [_("Nothing with this id exists, or it is outside your area.")]}
            )
        visit = services.visit_record(user=request.user, site=found, data=data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class TrainingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True, default=None)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Training
        fields = [
            "id",
            "title",
            "topic",
            "site",
            "governorate",
            "starts_on",
            "ends_on",
            "facilitators",
            "sessions",
            "max_score",
            "participants",
        ]
        read_only_fields = fields

    def get_participants(self, obj: Training) -> dict[str, Any]:
        """Counts and average scores; never names or phones."""
        summary = selectors.training_summary(list(obj.participants.all()))
        return {
            "total": summary["total"],
            "female": summary["by_sex"].get("female", 0),
            "male": summary["by_sex"].get("male", 0),
            "average_pre": summary["average_pre"],
            "average_post": summary["average_post"],
            "average_gain": summary["average_gain"],
        }


@extend_schema_view(
    list=extend_schema(summary="Trainings for camp-management actors in your area"),
    retrieve=extend_schema(summary="One training with its participants' figures"),
)
class TrainingViewSet(ScopedReadOnlyViewSet):
    queryset = Training.objects.select_related("site", "governorate").prefetch_related(
        "participants__organisation"
    )
    serializer_class = TrainingSerializer
    view_permission = VIEW
    ordering_fields = ["starts_on"]
    ordering = ["-starts_on", "-id"]


def register(router: Any) -> None:
    router.register("camps/hazards", HazardViewSet, basename="camps-hazard")
    router.register("camps/mrt-visits", MrtVisitViewSet, basename="camps-mrt-visit")
    router.register("camps/trainings", TrainingViewSet, basename="camps-training")

"""Revitalization API: governance and the headline figures.

- `revitalization/centres`: community centres (list, retrieve; filters `governorate`
  (P-code), `community` (code), `open` (true/false)), with the visitors of the last 30
  days. No cases: they are read through the feedback API, which filters sensitive ones.
- `revitalization/activities`: social-cohesion activities (list, retrieve; filters
  `kind`, `status`, `governorate`, `community`, `from`, `to`), with the participation
  grid and the number of registered participants (no names).
- `revitalization/headline-figures`: the programme's three headline figures with their
  methods (filters `from`, `to`, `governorate`, `project` (code)).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import has_permission
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.revitalization.models import (
    VIEW,
    ActivityParticipation,
    CohesionActivity,
    CommunityCentre,
)
from sanad.revitalization.selectors import dashboard as dashboard_selectors
from sanad.revitalization.selectors import governance as selectors
from sanad.revitalization.services._common import PROGRAMME


class RevitalizationCentreSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    place = serializers.UUIDField(source="place.public_id", default=None, read_only=True)
    channel = serializers.CharField(source="channel.code", default=None, read_only=True)
    open = serializers.BooleanField(source="active", read_only=True)
    visitors_last_30_days = serializers.IntegerField(source="visits_30", read_only=True)

    class Meta:
        model = CommunityCentre
        fields = [
            "id",
            "name",
            "community",
            "community_name",
            "governorate",
            "place",
            "opening_hours",
            "services",
            "phone",
            "opened_on",
            "open",
            "channel",
            "visitors_last_30_days",
            "updated_at",
        ]
        read_only_fields = fields


class RevitalizationParticipationSerializer(serializers.ModelSerializer):
    group = serializers.CharField(
        read_only=True, help_text="A ParticipantGroup code (idp, returnee, host…)."
    )
    sex = serializers.CharField(read_only=True, help_text="female or male.")
    age_band = serializers.CharField(read_only=True, help_text="0-17, 18-59 or 60+.")

    class Meta:
        model = ActivityParticipation
        fields = ["group", "sex", "age_band", "count"]
        read_only_fields = fields


class RevitalizationActivitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="civic, reconciliation, dialogue, social or governance."
    )
    status = serializers.CharField(read_only=True, help_text="planned, held or cancelled.")
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    centre = serializers.UUIDField(source="centre.public_id", default=None, read_only=True)
    project = serializers.CharField(source="project.code", default=None, read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    people_counted = serializers.IntegerField(read_only=True)
    registered_participants = serializers.IntegerField(source="registered", read_only=True)
    participation = RevitalizationParticipationSerializer(many=True, read_only=True)

    class Meta:
        model = CohesionActivity
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "title",
            "community",
            "community_name",
            "centre",
            "project",
            "governorate",
            "held_on",
            "facilitators",
            "description",
            "outcomes",
            "people_counted",
            "registered_participants",
            "participation",
            "updated_at",
        ]
        read_only_fields = fields


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _flag(value: str) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get(value.lower())


class RevitalizationCentreViewSet(ScopedReadOnlyViewSet):
    """Community centres in your scope, with their visitors in the last 30 days."""

    view_permission = VIEW
    serializer_class = RevitalizationCentreSerializer

    def get_base_queryset(self) -> Any:
        return selectors.centres_visible(self.request.user).order_by(
            "governorate__pcode", "name", "pk"
        )

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"].strip().upper())
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        flag = _flag(params.get("open", ""))
        if flag is not None:
            qs = qs.filter(active=flag)
        return qs


class RevitalizationActivityViewSet(ScopedReadOnlyViewSet):
    """Social-cohesion activities in your scope, with who took part (counts, no names)."""

    view_permission = VIEW
    serializer_class = RevitalizationActivitySerializer

    def get_base_queryset(self) -> Any:
        return (
            selectors.activities_visible(self.request.user)
            .prefetch_related("participation")
            .order_by("-held_on", "-id")
        )

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        for name in ("kind", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"].strip().upper())
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        start, end = _date(params.get("from", "")), _date(params.get("to", ""))
        if start:
            qs = qs.filter(held_on__gte=start)
        if end:
            qs = qs.filter(held_on__lte=end)
        return qs


# --- headline figures ----------------------------------------------------------------------


class RevitalizationPeopleFigureSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    households = serializers.IntegerField()
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    with_disability = serializers.IntegerField()
    by_sex_and_age = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField())
    )
    sources = serializers.ListField(child=serializers.DictField())
    method = serializers.CharField()


class RevitalizationFigureSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    method = serializers.CharField()
    breakdown = serializers.ListField(child=serializers.DictField())


class RevitalizationHeadlineFiguresSerializer(serializers.Serializer):
    period_from = serializers.DateField(allow_null=True)
    period_to = serializers.DateField(allow_null=True)
    governorate = serializers.CharField(allow_null=True)
    project = serializers.CharField(allow_null=True)
    people_directly_assisted = RevitalizationPeopleFigureSerializer()
    people_benefiting = RevitalizationFigureSerializer()
    communities_reached = RevitalizationFigureSerializer()


class _ViewPermission(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and has_permission(request.user, VIEW)
        )


class RevitalizationHeadlineFiguresViewSet(viewsets.ViewSet):
    """The programme's three headline figures, computed from the data in your scope,
    each with its method in words."""

    permission_classes = [_ViewPermission]

    @extend_schema(
        summary="Headline figures of the community revitalization programme",
        parameters=[
            OpenApiParameter("from", str, description="Start of the period (YYYY-MM-DD)."),
            OpenApiParameter("to", str, description="End of the period (YYYY-MM-DD)."),
            OpenApiParameter("governorate", str, description="Governorate P-code, such as IQG09."),
            OpenApiParameter("project", str, description="Donor project code."),
        ],
        responses=RevitalizationHeadlineFiguresSerializer,
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        start = end = None
        for name in ("from", "to"):
            if params.get(name):
                value = _date(params[name])
                if value is None:
                    errors[name] = [_("Enter a date as YYYY-MM-DD.")]
                elif name == "from":
                    start = value
                else:
                    end = value
        governorate = None
        if params.get("governorate"):
            governorate = AdminUnit.objects.filter(
                level=AdminUnit.Level.GOVERNORATE, pcode=params["governorate"].strip().upper()
            ).first()
            if governorate is None:
                errors["governorate"] = [_("No governorate has this P-code.")]
        project = None
        if params.get("project"):
            project = Project.objects.filter(
                programme__code=PROGRAMME, code=params["project"]
            ).first()
            if project is None:
                errors["project"] = [_("No donor project of the programme has this code.")]
        if errors:
            raise ValidationFailed(fields=errors)
        figures = dashboard_selectors.headline_figures(
            user=request.user, start=start, end=end, governorate=governorate, project=project
        )
        people, benefiting, reached = (
            figures["people"],
            figures["benefiting"],
            figures["communities"],
        )
        data = {
            "period_from": start,
            "period_to": end,
            "governorate": governorate.pcode if governorate else None,
            "project": project.code if project else None,
            "people_directly_assisted": {
                "total": people["total"],
                "households": people["households"],
                "female": people["female"],
                "male": people["male"],
                "with_disability": people["with_disability"],
                "by_sex_and_age": people["by_sex_and_age"],
                "sources": [
                    {
                        "source": s["code"],
                        "item": s["item"],
                        "people_named": s["people"],
                        "households_paid": s["households"],
                    }
                    for s in people["sources"]
                ],
                "method": str(people["method"]),
            },
            "people_benefiting": {
                "total": benefiting["total"],
                "method": str(benefiting["method"]),
                "breakdown": [
                    {
                        "community": c["community"].code,
                        "people": c["figure"],
                        "projects": c["projects"],
                        "counted_project": c["counted_project"].reference
                        if c["counted_project"]
                        else None,
                    }
                    for c in benefiting["communities"]
                ],
            },
            "communities_reached": {
                "total": reached["total"],
                "method": str(reached["method"]),
                "breakdown": [
                    {"community": r["community"].code, "reached_by": r["sources"]}
                    for r in reached["communities"]
                ],
            },
        }
        return Response(RevitalizationHeadlineFiguresSerializer(data).data)


def register(router: Any) -> None:
    router.register(
        "revitalization/centres", RevitalizationCentreViewSet, basename="revitalization-centre"
    )
    router.register(
        "revitalization/activities",
        RevitalizationActivityViewSet,
        basename="revitalization-activity",
    )
    router.register(
        "revitalization/headline-figures",
        RevitalizationHeadlineFiguresViewSet,
        basename="revitalization-headline-figures",
    )

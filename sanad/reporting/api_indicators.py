"""Reporting API: indicators with their figures, and achieved against targets.

- `reporting/indicators/`: the active indicators you can see, each with its figure for
  the filters given as query parameters `from`, `to` (YYYY-MM; the last 12 months by
  default), `governorate` (P-code), `programme` (code), `project` (a project's id).
- `reporting/targets/`: achieved against the targets of donor projects you can see
  (filters `programme` (code), `project` (id), `from`, `to` (YYYY-MM)).

Read-only and scoped (`reporting.view_aggregates`); for a user outside the mission (a
donor viewer) small counts of people are suppressed (null, with `suppressed: true`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core.scoping import has_permission
from sanad.programmes.models import Project
from sanad.reporting import periods
from sanad.reporting.models import AGGREGATES
from sanad.reporting.selectors import indicators as selectors


@extend_schema_field(OpenApiTypes.NUMBER)
class ReportingNumberField(serializers.Field):
    """A whole number for counts, a decimal number for quantities and money."""

    def to_representation(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, int):
            return value
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)


class ReportingIndicatorSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="indicator.public_id")
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(help_text="In the language of the request.")
    name_en = serializers.CharField(source="indicator.name_en")
    name_ar = serializers.CharField(source="indicator.name_ar")
    name_ckb = serializers.CharField(source="indicator.name_ckb")
    definition = serializers.CharField(help_text="How it is counted, in words.")
    measure = serializers.CharField(
        source="indicator.measure",
        help_text="people, households, records, quantity, value_usd, value_iqd or module.",
    )
    programme = serializers.CharField(
        source="indicator.programme.code", default=None, allow_null=True
    )
    kinds = serializers.ListField(source="indicator.kinds", child=serializers.CharField())
    items = serializers.ListField(source="indicator.items", child=serializers.CharField())
    unit = serializers.CharField(help_text="What the value is counted in.")
    metric = serializers.CharField(
        source="indicator.metric", help_text="The module figure, for measure module."
    )
    value = ReportingNumberField(allow_null=True)
    suppressed = serializers.BooleanField(
        help_text="True when a small count of people is not shown (value is null)."
    )


class ReportingIndicatorListSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    governorate = serializers.CharField(allow_null=True)
    programme = serializers.CharField(allow_null=True)
    project = serializers.UUIDField(allow_null=True)
    suppressed_below = serializers.IntegerField(
        allow_null=True, help_text="Counts of people below this are not shown (null: none)."
    )
    indicators = ReportingIndicatorSerializer(many=True)


class ReportingTargetSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="target.public_id")
    indicator = serializers.CharField(source="target.indicator")
    indicator_defined = serializers.BooleanField()
    project = serializers.CharField(source="project.code")
    project_id = serializers.UUIDField(source="project.public_id")
    programme = serializers.CharField(source="project.programme.code")
    activity = serializers.CharField(source="activity.code")
    activity_name = serializers.CharField(source="activity.name")
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    target = ReportingNumberField(source="target_value")
    achieved = ReportingNumberField(allow_null=True)
    percentage = ReportingNumberField(allow_null=True)
    suppressed = serializers.BooleanField()
    definition = serializers.CharField()
    note = serializers.CharField()


class _Aggregates(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and has_permission(request.user, AGGREGATES)
        )


FILTERS = [
    OpenApiParameter("from", str, description="First month (YYYY-MM)."),
    OpenApiParameter("to", str, description="Last month (YYYY-MM)."),
    OpenApiParameter("programme", str, description="Programme code, such as NFI."),
    OpenApiParameter("project", str, description="Donor project id (UUID)."),
]


class _OneObject(AutoSchema):
    """The list action answers one object (the filters and the indicators), not an
    array of them."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class ReportingIndicatorViewSet(viewsets.ViewSet):
    """The indicators you can see with their figures for the filters, and how each is
    counted."""

    permission_classes = [_Aggregates]
    schema = _OneObject()

    @extend_schema(
        operation_id="reporting_indicators_list",
        summary="Indicators with their figures",
        parameters=[
            *FILTERS,
            OpenApiParameter("governorate", str, description="Governorate P-code, such as IQG09."),
        ],
        responses=ReportingIndicatorListSerializer,
    )
    def list(self, request: Request) -> Response:
        from sanad.reporting.suppression import outside_mission, threshold

        filters = periods.filters_from(request.query_params)
        rows = selectors.indicator_rows(user=request.user, filters=filters)
        project = None
        if filters.project and filters.project > 0:
            project = (
                Project.objects.filter(pk=filters.project)
                .values_list("public_id", flat=True)
                .first()
            )
        data = {
            "period_from": filters.start,
            "period_to": filters.end,
            "governorate": filters.governorate,
            "programme": filters.programme,
            "project": project,
            "suppressed_below": threshold() if outside_mission(request.user) else None,
            "indicators": rows,
        }
        return Response(ReportingIndicatorListSerializer(data).data)


class ReportingTargetViewSet(viewsets.ViewSet):
    """Achieved against the targets of the donor projects you can see: each target's
    indicator counted on its project over the whole months of its period."""

    permission_classes = [_Aggregates]

    @extend_schema(
        summary="Achieved against targets",
        parameters=FILTERS,
        responses=ReportingTargetSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        start = end = None
        if params.get("from") and params.get("to"):
            start, end = periods.parse_period(params["from"], params["to"])
        elif params.get("from"):
            start = periods.parse_month(params["from"], field="from")
        elif params.get("to"):
            end = periods.parse_month(params["to"], field="to", end=True)
        project: Any = None
        if params.get("project"):
            project = (
                selectors.projects_for_reports(request.user)
                .filter(public_id=periods._uuid(params["project"]))
                .first()
            ) or Project(pk=-1)
        programme = (params.get("programme") or "").strip().upper() or None
        rows = selectors.target_progress(
            user=request.user, project=project, programme=programme, start=start, end=end
        )
        data = [
            {
                **{f: getattr(r, f) for f in ("target", "project", "activity", "label", "unit")},
                "indicator_defined": r.indicator is not None,
                "period_start": r.period_start,
                "period_end": r.period_end,
                "target_value": r.target_value,
                "achieved": r.achieved,
                "percentage": r.percentage,
                "suppressed": r.suppressed,
                "definition": r.definition,
                "note": r.note,
            }
            for r in rows
        ]
        return Response(ReportingTargetSerializer(data, many=True).data)


def register(router: Any) -> None:
    router.register(
        "reporting/indicators", ReportingIndicatorViewSet, basename="reporting-indicator"
    )
    router.register("reporting/targets", ReportingTargetViewSet, basename="reporting-target")

"""API of the shelter app (works part).

- `shelter/upgrades`: site upgrades (list, retrieve; filters `project`, `site`, `status`,
  `kind`, `delayed`), with the households reached and progress.
- `shelter/roads`: road projects (list, retrieve; filters `project`, `status`,
  `delayed`), with their progress reports.
- `shelter/overview`: the figures per project the user reaches (list; `?project=<id>`
  for one).
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.scoping import has_permission
from sanad.shelter.models import VIEW
from sanad.shelter.models.works import RoadProgress, RoadProject, SiteUpgrade
from sanad.shelter.selectors import overview as overview_selectors
from sanad.shelter.selectors import works as selectors


def _uuids(value: str) -> list[str]:
    out = []
    for part in value.split(","):
        try:
            out.append(str(uuid.UUID(part.strip())))
        except ValueError:
            continue
    return out


class UpgradeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    contract = serializers.CharField(source="contract.reference", default=None, read_only=True)
    households_reached = serializers.IntegerField(source="reached", read_only=True)
    progress = serializers.SerializerMethodField()
    delayed = serializers.BooleanField(source="is_delayed", read_only=True)

    class Meta:
        model = SiteUpgrade
        fields = [
            "id",
            "site",
            "site_code",
            "project",
            "governorate",
            "kind",
            "description",
            "planned_households",
            "households_reached",
            "progress",
            "budget",
            "spent",
            "currency",
            "contract",
            "planned_start",
            "planned_end",
            "started_on",
            "completed_on",
            "status",
            "delayed",
            "updated_at",
        ]
        read_only_fields = fields

    def get_progress(self, obj: SiteUpgrade) -> int:
        return selectors.upgrade_progress(obj)


class RoadReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoadProgress
        fields = ["reported_on", "length_done_m", "progress", "spent_to_date", "note"]
        read_only_fields = fields


class RoadSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", default=None, read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    contract = serializers.CharField(source="contract.reference", default=None, read_only=True)
    delayed = serializers.BooleanField(source="is_delayed", read_only=True)
    reports = RoadReportSerializer(many=True, read_only=True)

    class Meta:
        model = RoadProject
        fields = [
            "id",
            "name",
            "site",
            "project",
            "governorate",
            "length_m",
            "width_m",
            "surface",
            "length_done_m",
            "progress",
            "budget",
            "spent",
            "currency",
            "contract",
            "planned_start",
            "planned_end",
            "started_on",
            "completed_on",
            "status",
            "delayed",
            "reports",
            "updated_at",
        ]
        read_only_fields = fields


def _common(qs: Any, params: Any) -> Any:
    if params.get("project"):
        qs = qs.filter(project__public_id__in=_uuids(params["project"]))
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("delayed") in ("1", "true"):
        qs = qs.filter(selectors.works_delayed_q())
    return qs


class UpgradeViewSet(ScopedReadOnlyViewSet):
    """Critical-shelter upgrades in sites, with the households reached."""

    serializer_class = UpgradeSerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return selectors.upgrades_for(self.request.user).order_by("-created_at")

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = _common(super().get_queryset(), params)
        if params.get("site"):
            qs = qs.filter(site__public_id__in=_uuids(params["site"]))
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        return qs


class RoadViewSet(ScopedReadOnlyViewSet):
    """Camp-road rehabilitation projects, with their progress reports."""

    serializer_class = RoadSerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return (
            selectors.roads_for(self.request.user)
            .prefetch_related("reports")
            .order_by("-created_at")
        )

    def get_queryset(self) -> Any:
        return _common(super().get_queryset(), self.request.query_params)


class CostSerializer(serializers.Serializer):
    currency = serializers.CharField()
    houses = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    covered_area_m2 = serializers.DecimalField(max_digits=20, decimal_places=2, source="area")
    per_house = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    per_m2 = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class FiguresSerializer(serializers.Serializer):
    assessed = serializers.IntegerField()
    cases_open = serializers.IntegerField()
    cases_in_progress = serializers.IntegerField()
    cases_completed = serializers.IntegerField()
    cases_handed_over = serializers.IntegerField()
    cases_delayed = serializers.IntegerField()
    below_standard = serializers.IntegerField()
    milestones_late = serializers.IntegerField()
    delays = serializers.IntegerField()
    costs = CostSerializer(many=True)
    upgrades = serializers.IntegerField()
    upgrades_delayed = serializers.IntegerField()
    upgrade_households_planned = serializers.IntegerField()
    upgrade_households_reached = serializers.IntegerField()
    upgrade_progress = serializers.IntegerField()
    roads = serializers.IntegerField()
    roads_delayed = serializers.IntegerField()
    road_length_m = serializers.DecimalField(max_digits=12, decimal_places=1)
    road_length_done_m = serializers.DecimalField(max_digits=12, decimal_places=1)
    road_progress = serializers.IntegerField()


class ProjectFiguresSerializer(serializers.Serializer):
    project = serializers.UUIDField()
    code = serializers.CharField()
    title = serializers.CharField()
    programme = serializers.CharField()
    figures = FiguresSerializer()


class _ViewShelter(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and has_permission(user, VIEW))


class OverviewViewSet(viewsets.ViewSet):
    """Shelter figures per project, counted within the caller's scope."""

    permission_classes = [_ViewShelter]

    @extend_schema(responses={200: ProjectFiguresSerializer(many=True)})
    def list(self, request: Request) -> Response:
        context.set_actor(request.user)
        rows = overview_selectors.overview(user=request.user)
        wanted = _uuids(request.query_params.get("project", ""))
        data = [
            {
                "project": p.public_id,
                "code": p.code,
                "title": p.title,
                "programme": p.programme.code,
                "figures": f,
            }
            for p, f in rows
            if not wanted or str(p.public_id) in wanted
        ]
        return Response(ProjectFiguresSerializer(data, many=True).data)


def register(router: Any) -> None:
    router.register("shelter/upgrades", UpgradeViewSet, basename="shelter-upgrade")
    router.register("shelter/roads", RoadViewSet, basename="shelter-road")
    router.register("shelter/overview", OverviewViewSet, basename="shelter-overview")

"""API for programmes, donor projects, activities and targets. Reads are scoped; writes
go through the services, so the API refuses exactly what the web pages refuse."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiTypes,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.accounts.models import Organisation
from sanad.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit
from sanad.programmes import services
from sanad.programmes.filters import ActivityFilter, ProjectFilter, TargetFilter
from sanad.programmes.models import Activity, Programme, Project, Target
from sanad.programmes.selectors import MANAGE, VIEW, programme_description

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class ScopedSlugRelatedField(serializers.SlugRelatedField):
    """A reference to a record the requesting user can see; any other id reads as unknown."""

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        assert qs is not None
        request = self.context.get("request")
        return scoped(qs, getattr(request, "user", None), VIEW)


@extend_schema_field(OpenApiTypes.STR)
class ProgrammeCodeField(serializers.SlugRelatedField):
    """A programme by its area code (one enum in the schema: the programme's own `code`)."""


# --- serializers -------------------------------------------------------------------
class ProgrammeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(
        read_only=True, help_text="The name in the language of the request."
    )
    description = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = ["id", "code", "name", "name_en", "name_ar", "name_ckb", "description"]

    def get_description(self, obj: Programme) -> str:
        return str(programme_description(obj))


class TargetSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    activity = ScopedSlugRelatedField(slug_field="public_id", queryset=Activity.objects.all())

    class Meta:
        model = Target
        fields = [
            "id",
            "activity",
            "indicator",
            "label",
            "unit",
            "period_start",
            "period_end",
            "value",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class NestedTargetSerializer(TargetSerializer):
    class Meta(TargetSerializer.Meta):
        fields = ["id", "indicator", "label", "unit", "period_start", "period_end", "value"]


class ActivitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = ScopedSlugRelatedField(slug_field="public_id", queryset=Project.objects.all())
    targets = NestedTargetSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "project",
            "code",
            "name",
            "description",
            "targets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ActivityUpdateSerializer(ActivitySerializer):
    """An activity stays in its project."""

    project: Any = serializers.SlugRelatedField(slug_field="public_id", read_only=True)


class ProjectSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = ProgrammeCodeField(
        slug_field="code",
        queryset=Programme.objects.all(),
        help_text="Programme area code: NFI, SHELTER, CCCM, TRANSPORT, CWC or CRP.",
    )
    donor = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Organisation.objects.all(),
        help_text="The id of an organisation of kind donor or un_agency.",
    )
    donor_name = serializers.CharField(source="donor.name", read_only=True)
    governorates = serializers.SlugRelatedField(
        slug_field="pcode",
        many=True,
        required=False,
        queryset=AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE),
        help_text="Governorate P-codes, such as IQG11.",
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "programme",
            "code",
            "title",
            "donor",
            "donor_name",
            "start_date",
            "end_date",
            "currency",
            "budget",
            "status",
            "governorates",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        # Uniqueness and ranges are the service's to check, with its own messages.
        extra_kwargs = {"code": {"validators": []}, "budget": {"validators": [], "min_value": None}}


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why; required to close a project.",
    )


class StatusChangeSerializer(serializers.Serializer):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField()


# --- viewsets ------------------------------------------------------------------------
@extend_schema_view(
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Programme area code, such as NFI.",
            )
        ]
    ),
)
class ProgrammeViewSet(ScopedReadOnlyViewSet):
    """The six programmes of the mission that you can see."""

    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z_]+"
    search_fields = ["code", "name_en", "name_ar", "name_ckb"]
    ordering_fields = ["code"]
    pagination_class = None


class ProjectViewSet(ScopedModelViewSet):
    """Donor projects. Creating and changing them needs the programme-management role in
    the project's programme; projects are closed (with a reason), never deleted."""

    queryset = Project.objects.select_related("programme", "donor").prefetch_related("governorates")
    serializer_class = ProjectSerializer
    manage_permission = MANAGE
    http_method_names = NO_DELETE
    filterset_class = ProjectFilter
    search_fields = ["code", "title", "donor__name", "donor__acronym"]
    ordering_fields = ["code", "title", "start_date", "end_date", "budget", "status", "created_at"]
    ordering = ["-start_date", "code"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.project_create(
            user=self.request.user,
            programme=data["programme"],
            code=data["code"],
            title=data["title"],
            donor=data["donor"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            currency=data.get("currency", "USD"),
            budget=data["budget"],
            governorates=data.get("governorates", []),
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        project = cast(Project, serializer.instance)
        services.project_update(
            project=project, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=TransitionSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, public_id: Any = None) -> Response:
        """Start a planned project or reopen a closed one."""
        return self._transition(request, Project.Status.ACTIVE)

    @extend_schema(request=TransitionSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, public_id: Any = None) -> Response:
        """Close a project; give the reason."""
        return self._transition(request, Project.Status.CLOSED)

    def _transition(self, request: Request, to: str) -> Response:
        project = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.project_transition(
            project=project, user=request.user, to=to, reason=body.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(project).data)

    @extend_schema(request=None, responses=StatusChangeSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request: Request, public_id: Any = None) -> Response:
        """Every change of status: from, to, who, when and why."""
        project = self.get_object()
        rows = [
            {
                "from_state": t.from_state,
                "to_state": t.to_state,
                "by": str(t.by) if t.by else None,
                "at": t.at,
                "reason": t.reason,
            }
            for t in Project.STATUS_MACHINE.history(project)
        ]
        return Response(StatusChangeSerializer(rows, many=True).data)


class ActivityViewSet(ScopedModelViewSet):
    """Activities of donor projects, each with its targets."""

    queryset = Activity.objects.select_related("project").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("indicator", "period_start"))
    )
    serializer_class = ActivitySerializer
    manage_permission = MANAGE
    http_method_names = NO_DELETE
    filterset_class = ActivityFilter
    search_fields = ["code", "name", "project__code"]
    ordering_fields = ["code", "name", "created_at"]
    ordering = ["project__code", "code"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in {"update", "partial_update"}:
            return ActivityUpdateSerializer
        return ActivitySerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.activity_create(
            user=self.request.user,
            project=data["project"],
            code=data["code"],
            name=data["name"],
            description=data.get("description", ""),
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        activity = cast(Activity, serializer.instance)
        services.activity_update(
            activity=activity,
            user=self.request.user,
            code=data.get("code"),
            name=data.get("name"),
            description=data.get("description"),
        )


class TargetViewSet(ScopedModelViewSet):
    """Targets: what an activity aims to reach on an indicator in a period. Posting a
    target for an indicator and period that already has one changes its value."""

    queryset = Target.objects.select_related("activity")
    serializer_class = TargetSerializer
    manage_permission = MANAGE
    filterset_class = TargetFilter
    search_fields = ["indicator", "label"]
    ordering_fields = ["indicator", "period_start", "value"]
    ordering = ["activity__project__code", "activity__code", "indicator", "period_start"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.target_set(
            user=self.request.user, **_target_args(serializer.validated_data)
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        target = cast(Target, serializer.instance)
        current = {
            "activity": target.activity,
            "indicator": target.indicator,
            "label": target.label,
            "unit": target.unit,
            "period_start": target.period_start,
            "period_end": target.period_end,
            "value": target.value,
        }
        args = _target_args({**current, **serializer.validated_data})
        if args["activity"].pk != target.activity_id:
            raise ValidationFailed(
                fields={"activity": _("A target cannot move to another activity; add a new one.")}
            )
        services.target_set(user=self.request.user, target=target, **args)

    def perform_destroy(self, instance: Target) -> None:
        services.target_delete(target=instance, user=self.request.user)


def _target_args(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("activity", "indicator", "label", "unit", "period_start", "period_end", "value")
    return {k: data[k] for k in keys if k in data}


def register(router: Any) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("targets", TargetViewSet, basename="target")

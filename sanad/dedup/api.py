"""API for deduplication at /api/v1/dedup/…:

    GET  /api/v1/dedup/pairs/                  the review queue (?status=pending&band=&run=&governorate=)
    GET  /api/v1/dedup/pairs/<id>/             one pair, with each field's contribution
    POST /api/v1/dedup/pairs/<id>/confirm/     {"survivor": <household id>?, "reason": "…"?} → the merge
    POST /api/v1/dedup/pairs/<id>/reject/      {"reason": "…"}
    GET  /api/v1/dedup/runs/                   runs; POST {"import_batch": <id>?, "programme": "NFI"?} starts one (202)
    GET  /api/v1/dedup/merges/                 merges; POST /api/v1/dedup/merges/<id>/undo/ {"reason": "…"}

Pairs and merges are visible when both households are within the caller's scope.
Runs execute as background jobs: the answer names the job (/api/v1/jobs/<id>/).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedPermission
from sanad.core.errors import ValidationFailed
from sanad.dedup import selectors, services
from sanad.dedup.forms import PairApiFilter
from sanad.dedup.models import REVIEW, RUN, VIEW, DedupRun, HouseholdMerge, MatchPair
from sanad.programmes.models import Programme
from sanad.registry.api import enum
from sanad.registry.imports.selectors import import_batches_visible_to


class DedupSideSerializer(serializers.Serializer):
    individual = serializers.UUIDField()
    household = serializers.UUIDField()
    registration_id = serializers.CharField()


def _side(individual: Any, household: Any) -> dict[str, Any]:
    return {
        "individual": individual.public_id,
        "household": household.public_id,
        "registration_id": household.registration_id,
    }


class DedupContributionSerializer(serializers.Serializer):
    field = serializers.CharField()
    level = serializers.CharField()
    weight = serializers.FloatField()
    left = serializers.CharField()
    right = serializers.CharField()


class DedupPairSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    run = serializers.UUIDField(source="run.public_id", read_only=True)
    left = serializers.SerializerMethodField()
    right = serializers.SerializerMethodField()
    status = enum("DedupPairStatusEnum", MatchPair.Status.choices, read_only=True)
    band = enum("DedupBandEnum", MatchPair.Band.choices, read_only=True)
    reviewed_by: Any = serializers.StringRelatedField()

    class Meta:
        model = MatchPair
        fields = [
            "id",
            "run",
            "status",
            "band",
            "probability",
            "weight",
            "left",
            "right",
            "reviewed_by",
            "reviewed_at",
            "reason",
            "created_at",
        ]

    @extend_schema_field(DedupSideSerializer)
    def get_left(self, pair: MatchPair) -> dict[str, Any]:
        return _side(pair.left_individual, pair.left_household)

    @extend_schema_field(DedupSideSerializer)
    def get_right(self, pair: MatchPair) -> dict[str, Any]:
        return _side(pair.right_individual, pair.right_household)


class DedupPairDetailSerializer(DedupPairSerializer):
    contributions = DedupContributionSerializer(many=True, read_only=True)

    class Meta(DedupPairSerializer.Meta):
        fields = [*DedupPairSerializer.Meta.fields, "contributions"]


class DedupMergeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    survivor = serializers.UUIDField(source="survivor.public_id", read_only=True)
    survivor_registration_id = serializers.CharField(
        source="survivor.registration_id", read_only=True
    )
    duplicate = serializers.UUIDField(source="duplicate.public_id", read_only=True)
    duplicate_registration_id = serializers.CharField(
        source="duplicate.registration_id", read_only=True
    )
    merged_by: Any = serializers.StringRelatedField()
    undone_by: Any = serializers.StringRelatedField()
    pairs = serializers.SerializerMethodField()

    class Meta:
        model = HouseholdMerge
        fields = [
            "id",
            "survivor",
            "survivor_registration_id",
            "duplicate",
            "duplicate_registration_id",
            "merged_by",
            "merged_at",
            "reason",
            "pairs",
            "undone_at",
            "undone_by",
            "undo_reason",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_pairs(self, merge: HouseholdMerge) -> list[str]:
        return [str(p.public_id) for p in merge.pairs.all()]


class DedupRunSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    job = serializers.SerializerMethodField()
    import_batch = serializers.SerializerMethodField()
    programme = serializers.SerializerMethodField()
    kind = enum("DedupRunKindEnum", DedupRun.Kind.choices, read_only=True)
    status = enum("DedupRunStatusEnum", DedupRun.Status.choices, read_only=True)
    created_by: Any = serializers.StringRelatedField()

    class Meta:
        model = DedupRun
        fields = [
            "id",
            "kind",
            "status",
            "import_batch",
            "programme",
            "governorates",
            "flag_threshold",
            "review_threshold",
            "records",
            "pairs_found",
            "pairs_new",
            "pairs_skipped",
            "stats",
            "error",
            "job",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_job(self, run: DedupRun) -> str | None:
        return str(run.job.public_id) if run.job else None

    def get_import_batch(self, run: DedupRun) -> str | None:
        return str(run.import_batch.public_id) if run.import_batch else None

    def get_programme(self, run: DedupRun) -> str | None:
        return run.programme.code if run.programme else None


class DedupConfirmSerializer(serializers.Serializer):
    survivor = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The household to keep (default: the first one registered).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DedupReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class DedupRunStartSerializer(serializers.Serializer):
    import_batch = serializers.UUIDField(
        required=False, allow_null=True, help_text="A committed import; without it, the registry."
    )
    programme = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of the programme whose thresholds apply."
    )


REJECTED = inline_serializer(
    "DedupRejected", fields={"rejected": serializers.ListField(child=serializers.UUIDField())}
)
RUN_STARTED = inline_serializer(
    "DedupRunStarted", fields={"run": DedupRunSerializer(), "job": serializers.UUIDField()}
)


@extend_schema_view(
    list=extend_schema(summary="Possible duplicates (the review queue)"),
    retrieve=extend_schema(summary="A possible duplicate, with each field's contribution"),
)
class PairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ScopedPermission]
    lookup_field = "public_id"
    view_permission = VIEW
    manage_permission = REVIEW
    filterset_class = PairApiFilter
    ordering_fields = ["probability", "created_at"]
    ordering = ["-probability", "id"]

    def get_view_permission(self) -> str:
        return VIEW

    def get_serializer_class(self) -> Any:
        return DedupPairSerializer if self.action == "list" else DedupPairDetailSerializer

    def get_queryset(self) -> QuerySet[MatchPair]:
        if getattr(self, "swagger_fake_view", False):
            return MatchPair.objects.none()
        context.set_actor(self.request.user)
        permission = VIEW if self.request.method in ("GET", "HEAD", "OPTIONS") else REVIEW
        return selectors.pairs_visible_to(self.request.user, permission)

    @extend_schema(
        summary="Confirm: the households are one family (merge)",
        request=DedupConfirmSerializer,
        responses={200: DedupMergeSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, public_id: Any = None) -> Response:
        pair = self.get_object()
        body = DedupConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merge = services.pair_confirm(
            pair=pair,
            user=request.user,
            survivor=body.validated_data.get("survivor"),
            reason=body.validated_data.get("reason", ""),
        )
        return Response(DedupMergeSerializer(merge).data)

    @extend_schema(
        summary="Reject: different people (remembered)",
        request=DedupReasonSerializer,
        responses={200: REJECTED},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, public_id: Any = None) -> Response:
        pair = self.get_object()
        body = DedupReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rejected = services.pair_reject(
            pair=pair, user=request.user, reason=body.validated_data["reason"]
        )
        return Response({"rejected": [str(p.public_id) for p in rejected]})


@extend_schema_view(
    list=extend_schema(summary="Deduplication runs"),
    retrieve=extend_schema(summary="A deduplication run: status, thresholds, counts"),
)
class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DedupRunSerializer
    permission_classes = [ScopedPermission]
    lookup_field = "public_id"
    view_permission = VIEW
    manage_permission = RUN
    filterset_fields = ["kind", "status"]
    ordering = ["-created_at"]

    def get_view_permission(self) -> str:
        return VIEW

    def get_queryset(self) -> QuerySet[DedupRun]:
        if getattr(self, "swagger_fake_view", False):
            return DedupRun.objects.none()
        context.set_actor(self.request.user)
        return selectors.runs_visible_to(self.request.user).order_by("-created_at")

    @extend_schema(
        summary="Find duplicates in the registry or in a committed import",
        request=DedupRunStartSerializer,
        responses={202: RUN_STARTED},
    )
    def create(self, request: Request) -> Response:
        body = DedupRunStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = None
        if body.validated_data.get("import_batch"):
            batch = (
                import_batches_visible_to(request.user)
                .filter(public_id=body.validated_data["import_batch"])
                .first()
            )
            if batch is None:
                message = _("No import with this id is visible to you.")
                raise ValidationFailed(message, fields={"import_batch": [message]})
        programme = None
        code = (body.validated_data.get("programme") or "").strip().upper()
        if code:
            programme = Programme.objects.filter(code=code).first()
            if programme is None:
                message = _("There is no programme with this code.")
                raise ValidationFailed(message, fields={"programme": [message]})
        run = services.run_start(user=request.user, import_batch=batch, programme=programme)
        run.refresh_from_db()
        return Response(
            {
                "run": DedupRunSerializer(run).data,
                "job": str(run.job.public_id) if run.job else None,
            },
            status=status.HTTP_202_ACCEPTED,
        )


@extend_schema_view(
    list=extend_schema(summary="Household merges"),
    retrieve=extend_schema(summary="A household merge"),
)
class MergeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DedupMergeSerializer
    permission_classes = [ScopedPermission]
    lookup_field = "public_id"
    view_permission = VIEW
    manage_permission = REVIEW
    ordering = ["-merged_at"]

    def get_view_permission(self) -> str:
        return VIEW

    def get_queryset(self) -> QuerySet[HouseholdMerge]:
        if getattr(self, "swagger_fake_view", False):
            return HouseholdMerge.objects.none()
        context.set_actor(self.request.user)
        permission = VIEW if self.request.method in ("GET", "HEAD", "OPTIONS") else REVIEW
        return selectors.merges_visible_to(self.request.user, permission).prefetch_related("pairs")

    @extend_schema(
        summary="Undo the merge",
        request=DedupReasonSerializer,
        responses={200: DedupMergeSerializer},
    )
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, public_id: Any = None) -> Response:
        merge = self.get_object()
        body = DedupReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merge = services.merge_undo(
            merge=merge, user=request.user, reason=body.validated_data["reason"]
        )
        return Response(DedupMergeSerializer(merge).data)


def register(router: Any) -> None:
    router.register("dedup/pairs", PairViewSet, basename="dedup-pair")
    router.register("dedup/runs", RunViewSet, basename="dedup-run")
    router.register("dedup/merges", MergeViewSet, basename="dedup-merge")

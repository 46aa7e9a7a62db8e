"""API for imports at /api/v1/imports/: upload a file (multipart), follow the
validation, read the summary and the first errors, commit or reject.

    POST /api/v1/imports/             file=@export.xlsx file_format=kobo [mapping=<name>]
    GET  /api/v1/imports/<id>/        status, counts, first errors (with messages)
    POST /api/v1/imports/<id>/commit/ starts the commit job (202)
    POST /api/v1/imports/<id>/reject/ reason=...

Validation and commit run as background jobs: the answer names the job, whose progress
is at /api/v1/jobs/<job id>/.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedPermission
from sanad.core.errors import ValidationFailed
from sanad.registry.imports import selectors, services
from sanad.registry.models import ImportBatch


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    mapping = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()
    # DRF moves declared fields off the class, so this does not hide `Serializer.errors`.
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    report = serializers.SerializerMethodField()
    created_by: Any = serializers.StringRelatedField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "original_name",
            "file_format",
            "mapping",
            "status",
            "households_total",
            "individuals_total",
            "households_new",
            "households_already_imported",
            "error_count",
            "errors",
            "report",
            "job",
            "created_by",
            "created_at",
            "committed_at",
        ]

    def get_mapping(self, batch: ImportBatch) -> str | None:
        return batch.mapping.name if batch.mapping else None

    def get_job(self, batch: ImportBatch) -> str | None:
        return str(batch.job.public_id) if batch.job else None

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, batch: ImportBatch) -> list[dict[str, Any]]:
        if self.context.get("brief"):
            return []
        return [
            {k: e.get(k) for k in ("sheet", "row", "column", "value", "message")}
            for e in services.batch_errors(batch)
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_report(self, batch: ImportBatch) -> str | None:
        if not batch.report_file:
            return None
        return reverse("registry:import_report", args=[batch.public_id])


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    file_format = serializers.ChoiceField(choices=ImportBatch.Format.choices)
    mapping = serializers.CharField(
        required=False, allow_blank=True, help_text="Name or id of a saved column mapping."
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


JOB_STARTED = inline_serializer(
    "ImportJobStarted",
    fields={"batch": ImportBatchSerializer(), "job": serializers.UUIDField()},
)


@extend_schema_view(
    list=extend_schema(summary="Imports you can see (owner-scoped)"),
    retrieve=extend_schema(summary="An import: status, counts and its first errors"),
)
class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household imports: uploaded → validating → ready (review) → committed or rejected."""

    serializer_class = ImportBatchSerializer
    permission_classes = [ScopedPermission]
    lookup_field = "public_id"
    view_permission = services.IMPORT
    manage_permission = services.IMPORT
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
    filterset_fields = ["status", "file_format"]
    ordering_fields = ["created_at", "households_total", "error_count"]
    ordering = ["-created_at"]

    def get_view_permission(self) -> str:
        return services.IMPORT

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            from sanad.registry.models import ImportBatch

            return ImportBatch.objects.none()
        context.set_actor(self.request.user)
        return selectors.import_batches_visible_to(self.request.user).order_by("-created_at")

    def get_serializer_context(self) -> dict[str, Any]:
        ctx = dict(super().get_serializer_context())
        ctx["brief"] = self.action == "list"
        return ctx

    @extend_schema(
        summary="Upload a file and start its validation",
        request={"multipart/form-data": UploadSerializer},
        responses={201: JOB_STARTED},
    )
    def create(self, request: Request) -> Response:
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mapping = None
        name = (body.validated_data.get("mapping") or "").strip()
        if name:
            condition = Q(name=name) | Q(public_id=name) if _is_uuid(name) else Q(name=name)
            mapping = selectors.column_mappings(request.user).filter(condition).first()
            if mapping is None:
                message = _("No column mapping has this name.")
                raise ValidationFailed(message, fields={"mapping": [message]})
        upload = body.validated_data["file"]
        batch = services.import_batch_upload(
            user=request.user,
            file=upload,
            original_name=upload.name,
            file_format=body.validated_data["file_format"],
            mapping=mapping,
        )
        job = services.import_batch_validate_start(batch=batch, user=request.user)
        batch.refresh_from_db()
        return Response(
            {
                "batch": ImportBatchSerializer(batch, context=self.get_serializer_context()).data,
                "job": str(job.public_id),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Commit the import (all or nothing)", request=None, responses={202: JOB_STARTED}
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, public_id: Any = None) -> Response:
        batch = self.get_object()
        job = services.import_batch_commit_start(batch=batch, user=request.user)
        batch.refresh_from_db()
        return Response(
            {
                "batch": ImportBatchSerializer(batch, context=self.get_serializer_context()).data,
                "job": str(job.public_id),
            },
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="Reject the import",
        request=RejectSerializer,
        responses={200: ImportBatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, public_id: Any = None) -> Response:
        batch = self.get_object()
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.import_batch_reject(
            batch=batch, user=request.user, reason=body.validated_data["reason"]
        )
        return Response(ImportBatchSerializer(batch, context=self.get_serializer_context()).data)


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def register(router: Any) -> None:
    router.register("imports", ImportBatchViewSet, basename="import")

"""API for background jobs: list one's jobs, follow progress."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, permissions, serializers, viewsets

from sanad.core.models import Job
from sanad.core.selectors import jobs_visible_to


class JobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    created_by: Any = serializers.StringRelatedField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "message",
            "error",
            "result",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background jobs you started (all jobs for those allowed to see them)."""

    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "public_id"
    filterset_fields = ["status", "kind"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> Any:
        return jobs_visible_to(self.request.user).order_by("-created_at")


def register(router: Any) -> None:
    router.register("jobs", JobViewSet, basename="job")

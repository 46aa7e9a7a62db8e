"""Revitalization API: training.

- `revitalization/courses`: vocational courses in the caller's scope (list, retrieve;
  filters `status`, `trade`, `governorate` (P-code), `provider` (public id)), with the
  number of trainees enrolled (not dropped out), completed and sessions held. No names
  of people.
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.revitalization.models import VIEW, Course
from sanad.revitalization.selectors import training as selectors


class RevitalizationCourseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    trade = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    provider = serializers.UUIDField(source="provider.public_id", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    community = serializers.UUIDField(source="community.public_id", default=None, read_only=True)
    community_name = serializers.CharField(source="community.name", default=None, read_only=True)
    project = serializers.CharField(source="project.code", default=None, read_only=True)
    enrolled = serializers.IntegerField(source="enrolled_count", read_only=True)
    completed = serializers.IntegerField(source="completed_count", read_only=True)
    sessions_held = serializers.IntegerField(source="sessions_count", read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "reference",
            "title",
            "trade",
            "status",
            "provider",
            "provider_name",
            "governorate",
            "community",
            "community_name",
            "project",
            "venue",
            "starts_on",
            "ends_on",
            "planned_sessions",
            "sessions_held",
            "capacity",
            "min_attendance",
            "final_assessment",
            "enrolled",
            "completed",
            "updated_at",
        ]
        read_only_fields = fields


class RevitalizationCourseViewSet(ScopedReadOnlyViewSet):
    """Vocational training courses with their trainee counts."""

    view_permission = VIEW
    serializer_class = RevitalizationCourseSerializer

    def get_base_queryset(self) -> Any:
        return selectors.courses_visible(self.request.user).order_by("-starts_on", "-id")

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        for name in ("status", "trade"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"].strip().upper())
        if params.get("provider"):
            try:
                qs = qs.filter(provider__public_id=uuid.UUID(params["provider"]))
            except ValueError:
                qs = qs.none()
        return qs


def register(router: Any) -> None:
    router.register(
        "revitalization/courses", RevitalizationCourseViewSet, basename="revitalization-course"
    )

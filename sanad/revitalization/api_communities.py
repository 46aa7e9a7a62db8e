"""Revitalization API: communities and infrastructure projects (read-only).

- `revitalization/communities`: communities (filters `governorate` (P-code), `active`
  (true/false), `q` (name or code)), with the number of assessments and projects; the
  detail adds the assessments with their ranked needs.
- `revitalization/projects`: infrastructure projects (filters `status`, `kind`,
  `governorate`, `community` (code)), with progress, the people directly assisted (workers
  paid, by sex) and the people benefiting (population served with its estimation method).
  No names of people.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.revitalization.models import VIEW, Community, InfrastructureProject
from sanad.revitalization.selectors import communities as community_selectors
from sanad.revitalization.selectors import infrastructure as selectors


class RevitalizationCommunitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    admin_unit = serializers.CharField(source="admin_unit.pcode", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    place = serializers.UUIDField(source="place.public_id", default=None, read_only=True)
    assessments = serializers.IntegerField(source="assessments_count", read_only=True)
    projects = serializers.IntegerField(source="projects_count", read_only=True)

    class Meta:
        model = Community
        fields = [
            "id",
            "code",
            "name",
            "admin_unit",
            "governorate",
            "place",
            "population",
            "population_source",
            "active",
            "assessments",
            "projects",
            "updated_at",
        ]
        read_only_fields = fields


class RevitalizationCommunityDetailSerializer(RevitalizationCommunitySerializer):
    assessment_rows = serializers.SerializerMethodField()

    class Meta(RevitalizationCommunitySerializer.Meta):
        fields = [*RevitalizationCommunitySerializer.Meta.fields, "notes", "assessment_rows"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_assessment_rows(self, obj: Community) -> list[dict[str, Any]]:
        rows = []
        for assessment in community_selectors.community_assessments(obj):
            needs = community_selectors.assessment_needs(assessment)
            rows.append(
                {
                    "id": str(assessment.public_id),
                    "reference": assessment.reference,
                    "held_on": assessment.held_on.isoformat(),
                    "method": assessment.method,
                    "status": assessment.status,
                    "participants": assessment.participants,  # type: ignore[attr-defined]
                    "endorsed_by": assessment.endorsed_by,
                    "endorsed_on": assessment.endorsed_on.isoformat()
                    if assessment.endorsed_on
                    else None,
                    "needs": [
                        {
                            "rank": n.rank,
                            "sector": n.sector,
                            "description": n.description,
                            "votes": n.votes,
                            "scores": list(n.scores or []),
                            "rank_note": n.rank_note,
                            "selected": n.selected,
                            "estimated_cost_usd": str(n.estimated_cost)
                            if n.estimated_cost is not None
                            else None,
                        }
                        for n in needs
                    ],
                }
            )
        return rows


class CommunityViewSet(ScopedReadOnlyViewSet):
    """Communities of the revitalization programme."""

    view_permission = VIEW

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return RevitalizationCommunityDetailSerializer
        return RevitalizationCommunitySerializer

    def get_base_queryset(self) -> Any:
        return community_selectors.communities_visible(self.request.user).order_by(
            "governorate__pcode", "name", "id"
        )

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        if params.get("active") in ("true", "false"):
            qs = qs.filter(active=params["active"] == "true")
        if params.get("q"):
            from django.db.models import Q

            term = params["q"].strip()
            qs = qs.filter(Q(name__icontains=term) | Q(code__icontains=term))
        return qs


class RevitalizationProjectSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    donor_project = serializers.CharField(source="project.code", default=None, read_only=True)
    contractor = serializers.CharField(source="contractor.name", default=None, read_only=True)
    progress = serializers.SerializerMethodField()
    workers = serializers.IntegerField(source="workers_count", read_only=True)

    class Meta:
        model = InfrastructureProject
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "status",
            "community",
            "community_name",
            "governorate",
            "donor_project",
            "budget",
            "currency",
            "exchange_rate",
            "contractor",
            "contract_number",
            "starts_on",
            "planned_end_on",
            "completed_on",
            "progress",
            "workers",
            "population_served",
            "estimation_method",
            "handover_on",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=1))
    def get_progress(self, obj: InfrastructureProject) -> str:
        return str(selectors.progress_percent(obj))


class RevitalizationProjectDetailSerializer(RevitalizationProjectSerializer):
    milestones = serializers.SerializerMethodField()
    direct_beneficiaries = serializers.SerializerMethodField()

    class Meta(RevitalizationProjectSerializer.Meta):
        fields = [
            *RevitalizationProjectSerializer.Meta.fields,
            "description",
            "estimation_note",
            "endorsed_by",
            "endorsed_on",
            "endorsement_reference",
            "handover_authority",
            "handover_reference",
            "milestones",
            "direct_beneficiaries",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_milestones(self, obj: InfrastructureProject) -> list[dict[str, Any]]:
        return [
            {
                "order": m.order,
                "name": m.name,
                "weight": str(m.weight),
                "due_on": m.due_on.isoformat() if m.due_on else None,
                "progress": str(m.progress),
                "done_on": m.done_on.isoformat() if m.done_on else None,
            }
            for m in selectors.project_milestones(obj)
        ]

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_direct_beneficiaries(self, obj: InfrastructureProject) -> dict[str, int]:
        return selectors.direct_beneficiaries(obj)


class InfrastructureProjectViewSet(ScopedReadOnlyViewSet):
    """Community infrastructure projects."""

    view_permission = VIEW

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return RevitalizationProjectDetailSerializer
        return RevitalizationProjectSerializer

    def get_base_queryset(self) -> Any:
        return selectors.projects_visible(self.request.user).order_by("-created_at", "-id")

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        for name in ("status", "kind"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        return qs


def register(router: Any) -> None:
    router.register(
        "revitalization/communities", CommunityViewSet, basename="revitalization-community"
    )
    router.register(
        "revitalization/projects",
        InfrastructureProjectViewSet,
        basename="revitalization-project",
    )

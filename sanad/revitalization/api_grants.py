"""Revitalization API: business grants (read-only, scoped).

- `revitalization/grant-calls`: calls (filters `status`, `governorate` (P-code)) with
  their rules, criteria and application counts.
- `revitalization/grant-applications`: applications (filters `call` (reference),
  `status`, `sector`) with their eligibility checks, score, rank and tie note. The
  household's registration id only when the caller may see it in the registry; no
  names or phone numbers.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.scoping import has_permission, scoped
from sanad.registry.models import Household
from sanad.revitalization.models import VIEW, GrantApplication, GrantCall
from sanad.revitalization.selectors import grants as selectors

REGISTRY_VIEW = "registry.view_household"


class RevitalizationCriterionSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    guidance = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_score = serializers.IntegerField()


class RevitalizationGrantCallSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    communities = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    applications = serializers.IntegerField(source="applications_count", read_only=True)
    eligible = serializers.IntegerField(source="eligible_count", read_only=True)
    displacement_statuses = serializers.ListField(child=serializers.CharField(), read_only=True)
    sectors = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = GrantCall
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "governorate",
            "project",
            "communities",
            "description",
            "opens_on",
            "closes_on",
            "currency",
            "exchange_rate",
            "amount_min",
            "amount_max",
            "budget",
            "tranches",
            "min_age",
            "max_age",
            "displacement_statuses",
            "sectors",
            "one_per_household",
            "exclude_earlier_grantees",
            "quorum",
            "criteria",
            "applications",
            "eligible",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_communities(self, obj: GrantCall) -> list[str]:
        return sorted(c.code for c in obj.communities.all())

    @extend_schema_field(RevitalizationCriterionSerializer(many=True))
    def get_criteria(self, obj: GrantCall) -> list[dict[str, Any]]:
        return list(RevitalizationCriterionSerializer(obj.criteria.all(), many=True).data)


class RevitalizationEligibilityCheckSerializer(serializers.Serializer):
    # `check` names a method of Field: the fields are declared here instead.
    def get_fields(self) -> dict[str, Any]:
        return {
            "check": serializers.CharField(),
            "passed": serializers.BooleanField(),
            "detail": serializers.CharField(),
        }


class RevitalizationGrantApplicationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    call = serializers.CharField(source="call.reference", read_only=True)
    call_id = serializers.UUIDField(source="call.public_id", read_only=True)
    status = serializers.CharField(read_only=True)
    sector = serializers.CharField(read_only=True)
    business_kind = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]
    community = serializers.CharField(source="community.code", default=None, read_only=True)
    registration_id = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()

    class Meta:
        model = GrantApplication
        fields = [
            "id",
            "reference",
            "call",
            "call_id",
            "status",
            "registration_id",
            "community",
            "business_name",
            "sector",
            "business_kind",
            "requested_amount",
            "jobs_planned",
            "submitted_on",
            "source",
            "eligibility",
            "total_score",
            "scorers",
            "rank",
            "rank_note",
            "decision_note",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_registration_id(self, obj: GrantApplication) -> str | None:
        return obj.household.registration_id if obj.household_id in self._visible() else None

    def _visible(self) -> set[int]:
        """The households of the page the caller may see in the registry (one query)."""
        cached = self.context.get("_visible_households")
        if cached is not None:
            return cached
        user = self.context["request"].user
        visible: set[int] = set()
        if has_permission(user, REGISTRY_VIEW):
            parent = getattr(self, "parent", None)
            objects = list(parent.instance) if parent is not None else [self.instance]
            ids = [o.household_id for o in objects if o is not None]
            visible = set(
                scoped(Household.objects.filter(pk__in=ids), user, REGISTRY_VIEW).values_list(
                    "pk", flat=True
                )
            )
        cast(dict[str, Any], self.context)["_visible_households"] = visible
        return visible

    @extend_schema_field(RevitalizationEligibilityCheckSerializer(many=True))
    def get_eligibility(self, obj: GrantApplication) -> list[dict[str, Any]]:
        return [
            {
                "check": str(c.get("check", "")),
                "passed": bool(c.get("passed")),
                "detail": str(c.get("detail", "")),
            }
            for c in obj.eligibility or []
        ]


class RevitalizationGrantCallViewSet(ScopedReadOnlyViewSet):
    """Business-grant calls with their rules, criteria and counts."""

    serializer_class = RevitalizationGrantCallSerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return (
            selectors.calls_visible(self.request.user)
            .prefetch_related("communities", "criteria")
            .order_by("-opens_on", "-id")
        )

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        return qs


class RevitalizationGrantApplicationViewSet(ScopedReadOnlyViewSet):
    """Business-grant applications: checks, score, rank, decision."""

    serializer_class = RevitalizationGrantApplicationSerializer
    view_permission = VIEW

    def get_base_queryset(self) -> Any:
        return selectors.applications_visible(self.request.user).order_by("call", "reference")

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = super().get_queryset()
        if params.get("call"):
            qs = qs.filter(call__reference=params["call"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("sector"):
            qs = qs.filter(sector=params["sector"])
        return qs


def register(router: Any) -> None:
    router.register(
        "revitalization/grant-calls",
        RevitalizationGrantCallViewSet,
        basename="revitalization-grant-call",
    )
    router.register(
        "revitalization/grant-applications",
        RevitalizationGrantApplicationViewSet,
        basename="revitalization-grant-application",
    )

"""API of the shelter app (contracts part), read-only:

- `shelter/contractors`: list (filters `status`, `governorate` P-code), retrieve.
- `shelter/tenders`: list (filters `status`, `project` code, `governorate`), retrieve
  with the lot's case references and the bids.
- `shelter/contracts`: list (filters `status`, `project` code, `governorate`,
  `contractor` public id, `delayed=1`), retrieve with the payment milestones (gross,
  retention, penalty, net, paid) and the houses' case references.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.shelter.models import VIEW, Bid, Contract, ContractMilestone, Contractor, Tender
from sanad.shelter.selectors.contracts import delayed_q


class ContractorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    governorates: Any = serializers.SlugRelatedField(many=True, slug_field="pcode", read_only=True)

    class Meta:
        model = Contractor
        fields = [
            "id",
            "name",
            "registration_number",
            "contact_name",
            "phone",
            "email",
            "governorates",
            "status",
            "updated_at",
        ]
        read_only_fields = fields


class BidSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    contractor = serializers.UUIDField(source="contractor.public_id", read_only=True)
    contractor_name = serializers.CharField(source="contractor.name", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "contractor",
            "contractor_name",
            "amount",
            "duration_days",
            "technical_score",
            "awarded",
        ]
        read_only_fields = fields


class TenderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    cases: Any = serializers.SlugRelatedField(many=True, slug_field="reference", read_only=True)
    bids = BidSerializer(many=True, read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "reference",
            "title",
            "programme",
            "project",
            "governorate",
            "estimate",
            "currency",
            "issued_on",
            "closes_on",
            "status",
            "cases",
            "bids",
            "updated_at",
        ]
        read_only_fields = fields


class ContractMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractMilestone
        fields = [
            "sequence",
            "name",
            "percent",
            "due_on",
            "status",
            "completed_on",
            "days_late",
            "gross",
            "retention",
            "penalty",
            "net",
            "paid_on",
            "payment_reference",
        ]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    contractor = serializers.UUIDField(source="contractor.public_id", read_only=True)
    contractor_name = serializers.CharField(source="contractor.name", read_only=True)
    tender = serializers.CharField(source="tender.reference", default=None, read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    cases: Any = serializers.SlugRelatedField(many=True, slug_field="reference", read_only=True)
    milestones = ContractMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "contractor",
            "contractor_name",
            "tender",
            "programme",
            "project",
            "governorate",
            "value",
            "currency",
            "signed_on",
            "start_on",
            "end_on",
            "retention_percent",
            "penalty_per_day_percent",
            "penalty_cap_percent",
            "defects_liability_days",
            "status",
            "completed_on",
            "retention_released",
            "retention_released_on",
            "cases",
            "milestones",
            "updated_at",
        ]
        read_only_fields = fields


class ContractorViewSet(ScopedReadOnlyViewSet):
    """Contractors that may bid and be contracted (active, suspended, excluded)."""

    queryset = Contractor.objects.prefetch_related("governorates").order_by("name")
    serializer_class = ContractorSerializer
    view_permission = VIEW

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("governorate"):
            qs = qs.filter(governorates__pcode=params["governorate"]).distinct()
        return qs


class TenderViewSet(ScopedReadOnlyViewSet):
    """Calls for bids on lots of houses, with their bids."""

    queryset = (
        Tender.objects.select_related("project", "programme", "governorate")
        .prefetch_related("cases", "bids__contractor")
        .order_by("-created_at")
    )
    serializer_class = TenderSerializer
    view_permission = VIEW

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("project"):
            qs = qs.filter(project__code=params["project"])
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        return qs


class ContractViewSet(ScopedReadOnlyViewSet):
    """Works contracts with their payment milestones and houses."""

    queryset = (
        Contract.objects.select_related(
            "contractor", "tender", "project", "programme", "governorate"
        )
        .prefetch_related("cases", "milestones")
        .order_by("-created_at")
    )
    serializer_class = ContractSerializer
    view_permission = VIEW

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("project"):
            qs = qs.filter(project__code=params["project"])
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        if params.get("contractor"):
            import uuid

            try:
                qs = qs.filter(contractor__public_id=uuid.UUID(params["contractor"]))
            except ValueError:
                qs = qs.none()
        if params.get("delayed") in ("1", "true"):
            qs = qs.filter(delayed_q())
        return qs


def register(router: Any) -> None:
    router.register("shelter/contractors", ContractorViewSet, basename="shelter-contractor")
    router.register("shelter/tenders", TenderViewSet, basename="shelter-tender")
    router.register("shelter/contracts", ContractViewSet, basename="shelter-contract")

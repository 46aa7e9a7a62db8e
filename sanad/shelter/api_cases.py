"""API of the shelter app (cases part).

- `shelter/cases`: list (filters `status`, `modality`, `project` (public id or code),
  `governorate` (P-code), `delayed=1`, `below_standard=1`), retrieve with milestones.
- `shelter/inspections`: list (filters `case`, `status`, `kind`), retrieve, create
  (`inspection_create`: `case`, `kind`, `milestone` (its sequence), `inspected_on`,
  `checklist`, `progress`, `result`, `findings`, `sign_off`). Photos are added on the
  web page (multipart from a phone).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.shelter.models import INSPECT, VIEW, CaseMilestone, Inspection, RehabCase
from sanad.shelter.selectors.cases import delayed_q
from sanad.shelter.services import inspections as services


class CaseMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseMilestone
        fields = [
            "sequence",
            "name",
            "progress",
            "releases_tranche",
            "due_on",
            "status",
            "verified_at",
        ]
        read_only_fields = fields


class RehabCaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    assessment = serializers.CharField(source="assessment.reference", read_only=True)
    household = serializers.CharField(
        source="household.registration_id", default=None, read_only=True
    )
    project = serializers.CharField(source="project.code", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    admin_unit = serializers.CharField(source="property.admin_unit.pcode", read_only=True)
    contract = serializers.CharField(source="contract.reference", default=None, read_only=True)
    milestones = CaseMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = RehabCase
        fields = [
            "id",
            "reference",
            "assessment",
            "household",
            "project",
            "governorate",
            "admin_unit",
            "modality",
            "status",
            "contract",
            "budget",
            "actual_cost",
            "currency",
            "occupants_after",
            "covered_area_after_m2",
            "space_per_person",
            "below_standard",
            "planned_start",
            "planned_end",
            "started_on",
            "completed_on",
            "progress",
            "handed_over_on",
            "certificate_number",
            "defects_liability_until",
            "closed_on",
            "milestones",
            "updated_at",
        ]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    milestone = serializers.IntegerField(source="milestone.sequence", default=None, read_only=True)
    inspector = serializers.CharField(source="inspector.username", read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "reference",
            "case",
            "case_reference",
            "kind",
            "milestone",
            "inspector",
            "inspected_on",
            "checklist",
            "progress",
            "result",
            "findings",
            "status",
            "signed_off_at",
            "photos",
            "created_at",
        ]
        read_only_fields = fields

    def get_photos(self, obj: Inspection) -> list[str]:
        from django.urls import reverse

        return [reverse("shelter:inspection_photo", kwargs={"pk": p.pk}) for p in obj.photos.all()]


class InspectionWriteSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices)
    milestone = serializers.IntegerField(required=False, allow_null=True)
    inspected_on = serializers.DateField(required=False)
    checklist = serializers.DictField(child=serializers.CharField(), required=False)
    progress = serializers.DecimalField(max_digits=5, decimal_places=2)
    result = serializers.ChoiceField(choices=Inspection.Result.choices)
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    sign_off = serializers.BooleanField(required=False, default=False)


class CaseViewSet(ScopedReadOnlyViewSet):
    """Rehabilitation cases with their milestones."""

    queryset = RehabCase.objects.select_related(
        "assessment", "household", "project", "governorate", "property__admin_unit", "contract"
    ).prefetch_related("milestones")
    serializer_class = RehabCaseSerializer
    view_permission = VIEW
    ordering = ["-created_at"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        for name in ("status", "modality"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("project"):
            value = params["project"]
            qs = qs.filter(Q(project__code=value) | Q(project__public_id__in=_uuids(value)))
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"])
        if params.get("delayed") in ("1", "true"):
            qs = qs.filter(delayed_q())
        if params.get("below_standard") in ("1", "true"):
            qs = qs.filter(below_standard=True)
        return qs


def _uuids(value: str) -> list[str]:
    import uuid

    out = []
    for part in value.split(","):
        try:
            out.append(str(uuid.UUID(part.strip())))
        except ValueError:
            continue
    return out


class InspectionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):  # type: ignore[misc]
    """Inspections of the works (draft or signed off)."""

    queryset = Inspection.objects.select_related("case", "milestone", "inspector").prefetch_related(
        "photos"
    )
    serializer_class = InspectionSerializer
    view_permission = VIEW
    manage_permission = INSPECT
    ordering = ["-inspected_on", "-id"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("case"):
            qs = qs.filter(case__public_id__in=_uuids(params["case"]))
        for name in ("status", "kind"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return qs

    @extend_schema(request=InspectionWriteSerializer, responses={201: InspectionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        context.set_actor(request.user)
        body = InspectionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        case = (
            scoped(RehabCase.objects.all(), request.user, INSPECT)
            .filter(public_id=data.pop("case"))
            .first()
        )
        if case is None:
            message = _("Choose a case you may inspect.")
            raise ValidationFailed(message, code="case_not_found", fields={"case": [message]})
        sequence = data.pop("milestone", None)
        data["milestone"] = (
            case.milestones.filter(sequence=sequence).first() if sequence is not None else None
        )
        inspection = services.inspection_create(user=request.user, case=case, data=data)
        inspection = self.get_base_queryset().get(pk=inspection.pk)
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


def register(router: Any) -> None:
    router.register("shelter/cases", CaseViewSet, basename="shelter-case")
    router.register("shelter/inspections", InspectionViewSet, basename="shelter-inspection")

"""API of the shelter app (assessments part).

- `shelter/assessments`: list (filters `status`, `damage`, `governorate` P-code,
  `project` public id, `below_standard=1`), retrieve with the checklist, the bill of
  quantities, photo links and the space check. Assessments are recorded on the web
  form (photos from a phone).
- `shelter/price-items`: the price catalogue (filters `component`, `active`), each item
  with its unit prices.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from rest_framework import serializers

from sanad.core.api import ScopedReadOnlyViewSet
from sanad.shelter.models import VIEW, Assessment, AssessmentPhoto, BoqLine, PriceItem, UnitPrice
from sanad.shelter.selectors.assessments import below_standard_q, with_space


class BoqLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name_en", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)

    class Meta:
        model = BoqLine
        fields = ["item", "item_name", "unit", "quantity", "unit_price", "total", "note"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    property = serializers.UUIDField(source="property.public_id", read_only=True)
    address = serializers.CharField(source="property.address", read_only=True)
    admin_unit = serializers.CharField(source="property.admin_unit.pcode", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    latitude = serializers.DecimalField(
        source="property.latitude", max_digits=9, decimal_places=6, read_only=True
    )
    longitude = serializers.DecimalField(
        source="property.longitude", max_digits=9, decimal_places=6, read_only=True
    )
    tenure = serializers.CharField(source="property.tenure", read_only=True)
    documents = serializers.JSONField(source="property.documents", read_only=True)
    household = serializers.CharField(
        source="household.registration_id", default=None, read_only=True
    )
    programme = serializers.CharField(source="programme.code", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    engineer = serializers.CharField(source="engineer.username", read_only=True)
    space_per_person = serializers.SerializerMethodField()
    below_standard = serializers.SerializerMethodField()
    boq = BoqLineSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "reference",
            "status",
            "property",
            "address",
            "admin_unit",
            "governorate",
            "latitude",
            "longitude",
            "tenure",
            "documents",
            "household",
            "programme",
            "project",
            "assessed_on",
            "engineer",
            "damage",
            "components",
            "occupants",
            "covered_area_after_m2",
            "space_per_person",
            "below_standard",
            "habitable",
            "boq_total",
            "currency",
            "boq",
            "photos",
            "submitted_at",
            "validated_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_space_per_person(self, obj: Assessment) -> str | None:
        from sanad.shelter.services._common import space_check

        per_person, _below = space_check(obj.covered_area_after_m2, obj.occupants)
        return str(per_person) if per_person is not None else None

    def get_below_standard(self, obj: Assessment) -> bool:
        from sanad.shelter.services._common import space_check

        return space_check(obj.covered_area_after_m2, obj.occupants)[1]

    def get_photos(self, obj: Assessment) -> list[dict[str, Any]]:
        return [
            {
                "component": p.component,
                "url": reverse(
                    "shelter:assessment_photo",
                    kwargs={"public_id": obj.public_id, "photo_id": p.pk},
                ),
            }
            for p in obj.photos.all()
        ]


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


class AssessmentViewSet(ScopedReadOnlyViewSet):
    """Damage assessments of houses, with their bill of quantities."""

    queryset = Assessment.objects.select_related(
        "property__admin_unit", "governorate", "household", "programme", "project", "engineer"
    ).prefetch_related(
        Prefetch("boq", queryset=BoqLine.objects.select_related("item").order_by("id")),
        Prefetch("photos", queryset=AssessmentPhoto.objects.order_by("id")),
    )
    serializer_class = AssessmentSerializer
    view_permission = VIEW
    ordering = ["-assessed_on", "-id"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-assessed_on", "-id")
        params = self.request.query_params
        for name in ("status", "damage"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"].strip().upper())
        if params.get("project"):
            key = _uuid(params["project"])
            qs = qs.filter(project__public_id=key) if key else qs.none()
        if params.get("below_standard") in ("1", "true"):
            qs = with_space(qs).filter(below_standard_q())
        return qs


class UnitPriceSerializer(serializers.ModelSerializer):
    governorate = serializers.CharField(source="governorate.pcode", default=None, read_only=True)

    class Meta:
        model = UnitPrice
        fields = ["governorate", "valid_from", "price", "currency", "source"]
        read_only_fields = fields


class PriceItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    prices = UnitPriceSerializer(many=True, read_only=True)

    class Meta:
        model = PriceItem
        fields = [
            "id",
            "code",
            "name_en",
            "name_ar",
            "name_ku",
            "component",
            "unit",
            "active",
            "prices",
            "updated_at",
        ]
        read_only_fields = fields


class PriceItemViewSet(ScopedReadOnlyViewSet):
    """The price catalogue bills of quantities are estimated from."""

    queryset = PriceItem.objects.prefetch_related(
        Prefetch(
            "prices",
            queryset=UnitPrice.objects.select_related("governorate").order_by(
                "governorate__pcode", "currency", "-valid_from"
            ),
        )
    )
    serializer_class = PriceItemSerializer
    view_permission = VIEW

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("component", "code")
        params = self.request.query_params
        if params.get("component"):
            qs = qs.filter(component=params["component"])
        if params.get("active") in ("1", "true"):
            qs = qs.filter(active=True)
        elif params.get("active") in ("0", "false"):
            qs = qs.filter(active=False)
        return qs


def register(router: Any) -> None:
    router.register("shelter/assessments", AssessmentViewSet, basename="shelter-assessment")
    router.register("shelter/price-items", PriceItemViewSet, basename="shelter-price-item")

"""API for admin units (P-codes) and places."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from sanad.core.errors import NotFound, ValidationFailed
from sanad.geo import selectors, services
from sanad.geo.filters import AdminUnitFilter, PlaceFilter
from sanad.geo.models import AdminUnit, Place

ERROR = inline_serializer(
    "Error",
    fields={
        "error": inline_serializer(
            "ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
            },
        ),
    },
)


class AdminUnitSerializer(serializers.ModelSerializer):
    # `parent` shadows Field.parent in the type stubs only: DRF moves declared fields off the class.
    parent: serializers.SlugRelatedField[AdminUnit] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="pcode", read_only=True
    )
    governorate: serializers.SlugRelatedField[AdminUnit] = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )

    class Meta:
        model = AdminUnit
        fields = ["pcode", "level", "name_en", "name_ar", "parent", "governorate", "lat", "lon"]


class AdminUnitField(serializers.CharField):
    """An admin unit written as its current P-code; older codes get the clear message."""

    def to_internal_value(self, data: Any) -> AdminUnit:  # type: ignore[override]
        code = super().to_internal_value(data)
        try:
            return selectors.admin_unit_get(pcode=code)
        except ValidationFailed as exc:
            raise serializers.ValidationError(str(exc.message), code=exc.code) from exc

    def to_representation(self, value: Any) -> str:
        return value.pcode


class PlaceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    admin_unit = AdminUnitField(
        help_text="Current P-code of the district or sub-district, such as IQG09Q02N02."
    )
    governorate = serializers.CharField(
        source="admin_unit.governorate.pcode",
        read_only=True,
        help_text="P-code of the governorate.",
    )
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)

    class Meta:
        model = Place
        fields = [
            "id",
            "kind",
            "code",
            "name_en",
            "name_ar",
            "admin_unit",
            "governorate",
            "lat",
            "lon",
            "status",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    def get_validators(self) -> list[Any]:
        return []  # uniqueness is the service's rule, with its own message


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the status changes; required to close.",
    )


@extend_schema_view(
    list=extend_schema(summary="Admin units of Iraq"),
    retrieve=extend_schema(
        summary="An admin unit by its current P-code",
        responses={200: AdminUnitSerializer, 404: ERROR},
    ),
)
class AdminUnitViewSet(ScopedReadOnlyViewSet):
    """Governorates, districts and sub-districts with their current P-codes (Open Admin Data, CC-BY-4.0)."""

    queryset = AdminUnit.objects.select_related("parent", "governorate")
    serializer_class = AdminUnitSerializer
    lookup_field = "pcode"
    lookup_value_regex = r"[^/]+"
    filterset_class = AdminUnitFilter
    search_fields = ["pcode", "name_en", "name_ar"]
    ordering_fields = ["pcode", "name_en", "name_ar", "level"]
    ordering = ["pcode"]

    def get_object(self) -> AdminUnit:
        try:
            return selectors.admin_unit_get(pcode=self.kwargs["pcode"])
        except ValidationFailed as exc:
            raise NotFound(exc.message, code=exc.code) from exc

    @extend_schema(
        summary="Look up a P-code or a name",
        description=(
            "Finds admin units by current P-code (any case or spacing) or by name in English or Arabic. "
            "A code from an older scheme (`IQ-G08`, `IQ10077`) or an ISO 3166-2 code (`IQ-AN`) answers "
            "400 with the code `not_a_current_pcode` and a message naming the scheme."
        ),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="P-code or name."),
            OpenApiParameter(
                "level", OpenApiTypes.INT, enum=[1, 2, 3], description="Only units of this level."
            ),
        ],
        responses={
            200: inline_serializer(
                "AdminUnitLookup", fields={"results": AdminUnitSerializer(many=True)}
            ),
            400: ERROR,
        },
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def lookup(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        if not query:
            message = _("Give a P-code or a name to look up in the parameter q.")
            raise ValidationFailed(message, code="required", fields={"q": [message]})
        level: int | None = None
        if request.query_params.get("level"):
            try:
                level = int(request.query_params["level"])
            except ValueError:
                level = 0
            if level not in AdminUnit.Level.values:
                message = _("The level is 1 (governorate), 2 (district) or 3 (sub-district).")
                raise ValidationFailed(message, fields={"level": [message]})
        units = selectors.admin_unit_lookup(query=query, level=level)
        return Response({"results": AdminUnitSerializer(units, many=True).data})


@extend_schema_view(
    list=extend_schema(summary="Places in your scope"),
    retrieve=extend_schema(summary="A place", responses={200: PlaceSerializer, 404: ERROR}),
    create=extend_schema(
        summary="Add a place", responses={201: PlaceSerializer, 400: ERROR, 403: ERROR}
    ),
    update=extend_schema(
        summary="Change a place", responses={200: PlaceSerializer, 400: ERROR, 403: ERROR}
    ),
    partial_update=extend_schema(
        summary="Change some details of a place",
        responses={200: PlaceSerializer, 400: ERROR, 403: ERROR},
    ),
)
class PlaceViewSet(ScopedModelViewSet):
    """Camps, informal sites, collective centres, villages, border crossing points, warehouse sites and
    offices. Listing is limited to your governorates; changes need the `geo.manage_place` permission.
    Places are closed, not deleted."""

    queryset = selectors.places_all()
    serializer_class = PlaceSerializer
    manage_permission = Place.MANAGE_PERMISSION
    filterset_class = PlaceFilter
    search_fields = ["name_en", "name_ar", "code"]
    ordering_fields = ["name_en", "name_ar", "kind", "status", "code", "updated_at"]
    ordering = ["name_en"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        place = services.place_create(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(place).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        place = self.get_object()
        serializer = self.get_serializer(
            place, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        services.place_update(place=place, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(place).data)

    @extend_schema(
        summary="Close a place",
        request=ReasonSerializer,
        responses={200: PlaceSerializer, 400: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, public_id: Any = None) -> Response:
        return self._status_change(request, close=True)

    @extend_schema(
        summary="Reopen a place",
        request=ReasonSerializer,
        responses={200: PlaceSerializer, 400: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, public_id: Any = None) -> Response:
        return self._status_change(request, close=False)

    def _status_change(self, request: Request, *, close: bool) -> Response:
        place = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data.get("reason", "")
        if close:
            services.place_close(place=place, user=request.user, reason=reason)
        else:
            services.place_reopen(place=place, user=request.user, reason=reason)
        return Response(self.get_serializer(place).data)


def register(router: Any) -> None:
    router.register("admin-units", AdminUnitViewSet, basename="adminunit")
    router.register("places", PlaceViewSet, basename="place")

"""API of the assistance ledger: list and record deliveries, count unique people reached."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.assistance import selectors, services
from sanad.assistance.filters import AssistanceApiFilter
from sanad.assistance.models import AssistanceKind, AssistanceRecord
from sanad.core.api import ScopedModelViewSet
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import has_permission, scoped
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project
from sanad.registry.models import Household, Individual

ERROR = inline_serializer(
    "AssistanceError",
    fields={
        "error": inline_serializer(
            "AssistanceErrorBody",
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


class _ByPublicId(serializers.UUIDField):
    """A related record written as its public id, looked up within a queryset."""

    def __init__(self, *, model: Any, queryset: Any = None, **kwargs: Any) -> None:
        self.model = model
        self.lookup_queryset = queryset
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:  # type: ignore[override]
        public_id = super().to_internal_value(data)
        qs = self.lookup_queryset(self.context) if callable(self.lookup_queryset) else None
        qs = qs if qs is not None else self.model._default_manager.all()
        obj = qs.filter(public_id=public_id).first()
        if obj is None:
            raise serializers.ValidationError(
                _("Nothing with this id exists, or it is outside your area."), code="not_found"
            )
        return obj

    def to_representation(self, value: Any) -> Any:
        return str(value.public_id) if value is not None else None


def _households_in_reach(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return scoped(
        Household.objects.all(), getattr(request, "user", None), Household.VIEW_PERMISSION
    )


def _individuals_in_reach(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return scoped(
        Individual.objects.select_related("household"),
        getattr(request, "user", None),
        Individual.VIEW_PERMISSION,
    )


# A plain string in the schema: the programme codes' enum is already named (CodeEnum)
# by the programmes API, and a second name for it is a schema warning.
@extend_schema_field(OpenApiTypes.STR)
class ProgrammeCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Programme.objects.all(), **kwargs)


class AdminUnitCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="pcode", queryset=AdminUnit.objects.all(), **kwargs)


class AssistanceRecordSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    household = _ByPublicId(
        model=Household,
        queryset=_households_in_reach,
        required=False,
        allow_null=True,
        help_text="Public id of the household.",
    )
    household_registration_id = serializers.CharField(
        source="household.registration_id", read_only=True, default=None
    )
    individual = _ByPublicId(
        model=Individual,
        queryset=_individuals_in_reach,
        required=False,
        allow_null=True,
        help_text="Public id of the person, for a delivery to one person.",
    )
    programme = ProgrammeCodeField(help_text="Programme code: NFI, SHELTER, CCCM, …")
    project = _ByPublicId(model=Project, required=False, allow_null=True)
    activity = _ByPublicId(model=Activity, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=AssistanceKind.choices)
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    value = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True
    )
    exchange_rate = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text="Iraqi dinars per US dollar on the day, required with a value.",
    )
    place = _ByPublicId(model=Place, required=False, allow_null=True)
    admin_unit = AdminUnitCodeField(
        required=False,
        allow_null=True,
        help_text="P-code; by default the place's, else the household's.",
    )
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    source_type = serializers.CharField(
        max_length=60,
        help_text="The module record the delivery comes from, such as kobo.submission.",
    )
    source_id = serializers.CharField(
        max_length=64, help_text="Its id: a second POST of the same source records nothing new."
    )

    class Meta:
        model = AssistanceRecord
        fields = [
            "id",
            "household",
            "household_registration_id",
            "individual",
            "programme",
            "project",
            "activity",
            "kind",
            "item",
            "description",
            "quantity",
            "unit",
            "value",
            "currency",
            "exchange_rate",
            "delivered_on",
            "place",
            "admin_unit",
            "governorate",
            "source_type",
            "source_id",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "item": {"required": True},
            "unit": {"required": False},
            "currency": {"required": False},
            "description": {"required": False},
        }

    def get_validators(self) -> list[Any]:
        return []  # idempotency by source is the service's rule, not a uniqueness error


class PeopleReachedSerializer(serializers.Serializer):
    individuals = serializers.IntegerField()
    households = serializers.IntegerField()
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    with_disability = serializers.IntegerField()
    with_disability_by_sex = serializers.DictField(child=serializers.IntegerField())
    by_age = serializers.DictField(child=serializers.IntegerField())
    by_sex_and_age = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField())
    )
    ages_on = serializers.DateField()


class PeopleReachedQuery(serializers.Serializer):
    programme = serializers.ChoiceField(
        choices=[c for c, _label in Programme._meta.get_field("code").choices or []],
        required=False,
    )
    project = _ByPublicId(model=Project, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    governorate = serializers.CharField(required=False)
    place = _ByPublicId(model=Place, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end is before the start.")})
        return attrs


class _LedgerPermission(permissions.BasePermission):
    """Reading needs the ledger's view permission (people reached: it or aggregate
    figures); recording needs `assistance.record_assistance`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(view, "action", None) == "people_reached":
            return has_permission(user, selectors.VIEW) or has_permission(
                user, selectors.AGGREGATES
            )
        if request.method in permissions.SAFE_METHODS:
            return has_permission(user, selectors.VIEW)
        return has_permission(user, services.RECORD)


@extend_schema_view(
    list=extend_schema(summary="Deliveries in your scope"),
    retrieve=extend_schema(
        summary="One delivery", responses={200: AssistanceRecordSerializer, 404: ERROR}
    ),
    create=extend_schema(
        summary="Record a delivery",
        description=(
            "Records one delivery through the ledger's rules. Idempotent by "
            "`source_type` + `source_id`: sending the same source again answers 200 with the "
            "record already written; with other values, 409 (`source_already_recorded`)."
        ),
        responses={
            201: AssistanceRecordSerializer,
            200: AssistanceRecordSerializer,
            400: ERROR,
            403: ERROR,
            409: ERROR,
        },
    ),
)
class AssistanceRecordViewSet(ScopedModelViewSet):
    """The assistance ledger: one record per delivery, by any programme. You see the
    deliveries of your governorates × programmes. Records are written once and never
    changed or deleted through the API."""

    queryset = selectors.records_all()
    serializer_class = AssistanceRecordSerializer
    permission_classes = [_LedgerPermission]  # type: ignore[list-item]
    view_permission = selectors.VIEW
    manage_permission = services.RECORD
    filterset_class = AssistanceApiFilter
    search_fields = ["item", "description", "household__registration_id"]
    ordering_fields = ["delivered_on", "created_at", "item", "kind"]
    ordering = ["-delivered_on", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        record = services.assistance_record(user=request.user, **data)
        code = status.HTTP_200_OK if getattr(record, "replayed", False) else status.HTTP_201_CREATED
        return Response(self.get_serializer(record).data, status=code)

    @extend_schema(
        summary="Unique people reached",
        description=(
            "Counts each person once across every delivery in the period and place: a delivery "
            "to a person counts that person, a delivery to a household counts its members at the "
            "time. Merged households count once. Disaggregated by sex, age group (0-5, 6-17, "
            "18-59, 60+ on the last day of the period) and disability. Limited to your scope."
        ),
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.STR, description="Programme code."),
            OpenApiParameter("project", OpenApiTypes.UUID, description="Project public id."),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day, inclusive."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, inclusive."),
            OpenApiParameter("governorate", OpenApiTypes.STR, description="Governorate P-code."),
            OpenApiParameter("place", OpenApiTypes.UUID, description="Place public id."),
        ],
        responses={200: PeopleReachedSerializer, 400: ERROR, 403: ERROR},
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="people-reached",
        pagination_class=None,
        filter_backends=[],
    )
    def people_reached(self, request: Request) -> Response:
        query = PeopleReachedQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        if params.get("governorate"):
            code = params["governorate"].strip().upper()
            if not AdminUnit.objects.filter(pcode=code, level=AdminUnit.Level.GOVERNORATE).exists():
                message = _("%(code)s is not a governorate P-code.") % {"code": code}
                raise ValidationFailed(message, fields={"governorate": [message]})
            params["governorate"] = code
        if not (
            has_permission(request.user, selectors.VIEW)
            or has_permission(request.user, selectors.AGGREGATES)
        ):
            raise PermissionDenied()
        result = selectors.people_reached(user=request.user, **params)
        return Response(PeopleReachedSerializer(result).data)


def register(router: Any) -> None:
    router.register("assistance", AssistanceRecordViewSet, basename="assistance")

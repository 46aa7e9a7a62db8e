"""API for households and individuals.

Writes go through the registry services (the same rules as the web pages and
imports): the request body is handed to them as it is, and every problem comes back
at once in the error shape with field paths such as `members.2.date_of_birth`.
Households are never deleted: their status changes instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from sanad.core.audit import personal_record_viewed
from sanad.core.errors import NotFound, ValidationFailed
from sanad.registry import selectors, services
from sanad.registry.filters import HouseholdFilter, IndividualFilter
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    DisplacementStatus,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
    ShelterType,
)

ERROR = inline_serializer(
    "RegistryError",
    fields={
        "error": inline_serializer(
            "RegistryErrorBody",
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


def _pcode() -> serializers.SlugRelatedField[Any]:
    return serializers.SlugRelatedField(slug_field="pcode", read_only=True)


class EnumField(serializers.ChoiceField):
    """A choice field documented as its own named enum component (`HouseholdStatusEnum`),
    so that fields with the same name and other choices elsewhere in the API (a place's
    `status`, say) never collide in the schema."""

    def __init__(self, enum_name: str, choices: Any, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class EnumFieldSchema(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def get_name(self) -> str | None:
        return str(self.target.enum_name)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices = [(k, v) for k, v in self.target.choices.items() if k not in ("", None)]
        is_int = all(isinstance(k, int) for k, _label in choices)
        return {
            "type": "integer" if is_int else "string",
            "enum": [k for k, _label in choices],
            "description": "\n".join(f"* `{k}` - {label}" for k, label in choices),
        }


def enum(name: str, choices: Any, **kwargs: Any) -> EnumField:
    return EnumField(name, choices, **kwargs)


LANGUAGE_CHOICES = Individual._meta.get_field("preferred_language").choices


# --- read serializers -----------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    kind = enum("DocumentKindEnum", IndividualDocument.Kind.choices, read_only=True)
    issuing_governorate = _pcode()

    class Meta:
        model = IndividualDocument
        fields = ["kind", "number", "issuing_governorate"]


MEMBER_FIELDS = [
    "id",
    "given_name_ar",
    "fathers_name_ar",
    "grandfathers_name_ar",
    "family_name_ar",
    "given_name_en",
    "fathers_name_en",
    "grandfathers_name_en",
    "family_name_en",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "relationship",
    "marital_status",
    "is_pregnant",
    *Individual.WG_DOMAINS,
    "has_disability",
    "has_chronic_illness",
    "is_unaccompanied_or_separated",
    "phone",
    "preferred_language",
    "is_alternate_collector",
    "status",
    "documents",
]


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sex = enum("SexEnum", Individual.Sex.choices, read_only=True)
    relationship = enum("RelationshipEnum", Individual.Relationship.choices, read_only=True)
    marital_status = enum("MaritalStatusEnum", Individual.MaritalStatus.choices, read_only=True)
    wg_seeing = enum(
        "DifficultyEnum", Individual.Difficulty.choices, read_only=True, allow_null=True
    )
    wg_hearing = enum(
        "DifficultyEnum", Individual.Difficulty.choices, read_only=True, allow_null=True
    )
    wg_walking = enum(
        "DifficultyEnum", Individual.Difficulty.choices, read_only=True, allow_null=True
    )
    wg_cognition = enum(
        "DifficultyEnum", Individual.Difficulty.choices, read_only=True, allow_null=True
    )
    wg_selfcare = enum(
        "DifficultyEnum", Individual.Difficulty.choices, read_only=True, allow_null=True
    )
    wg_communication = enum(
        "DifficultyEnum", Individual.Difficulty.choices, read_only=True, allow_null=True
    )
    preferred_language = enum("LanguageEnum", LANGUAGE_CHOICES, read_only=True)
    status = enum("MemberStatusEnum", Individual.Status.choices, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Individual
        fields = MEMBER_FIELDS
        read_only_fields = MEMBER_FIELDS


class IndividualSerializer(MemberSerializer):
    household = serializers.UUIDField(source="household.public_id", read_only=True)
    registration_id = serializers.CharField(source="household.registration_id", read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [*MEMBER_FIELDS, "household", "registration_id"]
        read_only_fields = fields


class PhoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdPhone
        fields = ["number", "is_primary"]


class ConsentSerializer(serializers.ModelSerializer):
    purpose = enum("ConsentPurposeEnum", Consent.Purpose.choices, read_only=True)
    legal_basis = enum("LegalBasisEnum", Consent.LegalBasis.choices, read_only=True)
    # DRF moves declared fields off the class: this does not replace Serializer.is_valid.
    is_valid = serializers.BooleanField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Consent
        fields = [
            "purpose",
            "legal_basis",
            "given",
            "recorded_on",
            "withdrawn_on",
            "notes",
            "is_valid",
        ]


class MoveSerializer(serializers.ModelSerializer):
    from_admin_unit = _pcode()
    to_admin_unit = _pcode()
    to_place = serializers.UUIDField(source="to_place.public_id", read_only=True, allow_null=True)
    displacement_status = enum("DisplacementStatusEnum", DisplacementStatus.choices, read_only=True)
    shelter_type = enum("ShelterTypeEnum", ShelterType.choices, read_only=True)

    class Meta:
        model = DisplacementMove
        fields = [
            "moved_on",
            "from_admin_unit",
            "to_admin_unit",
            "to_place",
            "displacement_status",
            "shelter_type",
            "notes",
        ]


HOUSEHOLD_SUMMARY = [
    "id",
    "registration_id",
    "status",
    "place",
    "admin_unit",
    "governorate",
    "shelter_type",
    "displacement_status",
    "size",
    "is_woman_headed",
    "is_child_headed",
    "is_older_person_alone",
    "has_disability",
    "has_unaccompanied_child",
    "is_large",
    "head",
    "created_at",
    "updated_at",
]


class HeadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class HouseholdListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    place = serializers.UUIDField(source="place.public_id", read_only=True, allow_null=True)
    admin_unit = _pcode()
    governorate = _pcode()
    status = enum("HouseholdStatusEnum", Household.Status.choices, read_only=True)
    shelter_type = enum("ShelterTypeEnum", ShelterType.choices, read_only=True)
    displacement_status = enum("DisplacementStatusEnum", DisplacementStatus.choices, read_only=True)
    head = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = HOUSEHOLD_SUMMARY
        read_only_fields = HOUSEHOLD_SUMMARY

    @extend_schema_field(HeadSerializer(allow_null=True))
    def get_head(self, obj: Household) -> dict[str, Any] | None:
        heads = getattr(obj, "heads", None)
        if heads is None:
            heads = [
                m for m in obj.members.all() if m.relationship == "head" and m.status == "active"
            ]
        if not heads:
            return None
        head = heads[0]
        return {"id": head.public_id, "name_ar": head.full_name_ar, "name_en": head.full_name_en}


class HouseholdDetailSerializer(HouseholdListSerializer):
    origin_admin_unit = _pcode()
    source = enum("HouseholdSourceEnum", Household.Source.choices, read_only=True)  # type: ignore[assignment]
    members = MemberSerializer(many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)
    moves = MoveSerializer(many=True, read_only=True)

    class Meta(HouseholdListSerializer.Meta):
        fields = [
            *HOUSEHOLD_SUMMARY,
            "origin_admin_unit",
            "origin_place_name",
            "displaced_on",
            "notes",
            "source",
            "source_ref",
            "demographics",
            "members",
            "phones",
            "consents",
            "moves",
        ]
        read_only_fields = fields


# --- request bodies (documentation; the services check the values) ---------------------


class DocumentWriteSerializer(serializers.Serializer):
    kind = enum("DocumentKindEnum", IndividualDocument.Kind.choices)
    number = serializers.CharField()
    issuing_governorate = serializers.CharField(
        required=False, allow_null=True, help_text="P-code of the governorate, such as IQG09."
    )


class MemberWriteSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        required=False, help_text="On PATCH: the member to change. Leave out to add a member."
    )
    given_name_ar = serializers.CharField(required=False, allow_blank=True)
    fathers_name_ar = serializers.CharField(required=False, allow_blank=True)
    grandfathers_name_ar = serializers.CharField(required=False, allow_blank=True)
    family_name_ar = serializers.CharField(required=False, allow_blank=True)
    given_name_en = serializers.CharField(required=False, allow_blank=True)
    fathers_name_en = serializers.CharField(required=False, allow_blank=True)
    grandfathers_name_en = serializers.CharField(required=False, allow_blank=True)
    family_name_en = serializers.CharField(required=False, allow_blank=True)
    sex = enum("SexEnum", Individual.Sex.choices)
    date_of_birth = serializers.DateField(required=False)
    age = serializers.IntegerField(
        required=False, help_text="Instead of date_of_birth: gives an estimated date on 1 January."
    )
    dob_estimated = serializers.BooleanField(required=False)
    relationship = enum("RelationshipEnum", Individual.Relationship.choices)
    marital_status = enum(
        "MaritalStatusEnum", Individual.MaritalStatus.choices, required=False, allow_blank=True
    )
    is_pregnant = serializers.BooleanField(required=False)
    wg_seeing = enum(
        "DifficultyEnum", Individual.Difficulty.choices, required=False, allow_null=True
    )
    wg_hearing = enum(
        "DifficultyEnum", Individual.Difficulty.choices, required=False, allow_null=True
    )
    wg_walking = enum(
        "DifficultyEnum", Individual.Difficulty.choices, required=False, allow_null=True
    )
    wg_cognition = enum(
        "DifficultyEnum", Individual.Difficulty.choices, required=False, allow_null=True
    )
    wg_selfcare = enum(
        "DifficultyEnum", Individual.Difficulty.choices, required=False, allow_null=True
    )
    wg_communication = enum(
        "DifficultyEnum", Individual.Difficulty.choices, required=False, allow_null=True
    )
    has_chronic_illness = serializers.BooleanField(required=False)
    is_unaccompanied_or_separated = serializers.BooleanField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    preferred_language = enum("LanguageEnum", LANGUAGE_CHOICES, required=False, allow_blank=True)
    is_alternate_collector = serializers.BooleanField(required=False)
    status = enum(
        "MemberStatusEnum",
        Individual.Status.choices,
        required=False,
        help_text="On PATCH: `left` or `deceased` (with status_reason) when a member leaves.",
    )
    status_reason = serializers.CharField(required=False, allow_blank=True)
    documents = DocumentWriteSerializer(many=True, required=False)


class ConsentWriteSerializer(serializers.Serializer):
    purpose = enum("ConsentPurposeEnum", Consent.Purpose.choices)
    legal_basis = enum("LegalBasisEnum", Consent.LegalBasis.choices)
    given = serializers.BooleanField(required=False, default=True)
    recorded_on = serializers.DateField(required=False)
    withdrawn_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class HouseholdFieldsSerializer(serializers.Serializer):
    place = serializers.UUIDField(
        required=False, allow_null=True, help_text="Id of the camp or site, if any."
    )
    admin_unit = serializers.CharField(
        required=False,
        help_text="P-code of the district or sub-district (taken from the place when one is given).",
    )
    shelter_type = enum("ShelterTypeEnum", ShelterType.choices, required=False)
    displacement_status = enum("DisplacementStatusEnum", DisplacementStatus.choices)
    origin_admin_unit = serializers.CharField(required=False, allow_null=True)
    origin_place_name = serializers.CharField(required=False, allow_blank=True)
    displaced_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class HouseholdCreateSerializer(HouseholdFieldsSerializer):
    members = MemberWriteSerializer(many=True)
    phones = serializers.ListField(child=serializers.CharField(), required=False)
    consents = ConsentWriteSerializer(many=True, required=False)
    source_ref = serializers.CharField(
        required=False, help_text="Your system's id for this household: never registered twice."
    )


class HouseholdPatchSerializer(HouseholdFieldsSerializer):
    displacement_status = enum("DisplacementStatusEnum", DisplacementStatus.choices, required=False)
    members = MemberWriteSerializer(many=True, required=False)
    phones = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Replaces the phone numbers."
    )


class StatusSerializer(serializers.Serializer):
    status = enum(
        "HouseholdStatusChangeEnum",
        [c for c in Household.Status.choices if c[0] != Household.Status.MERGED],
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MoveWriteSerializer(serializers.Serializer):
    to_place = serializers.UUIDField(required=False, allow_null=True)
    to_admin_unit = serializers.CharField(required=False, allow_null=True)
    moved_on = serializers.DateField()
    displacement_status = enum("DisplacementStatusEnum", DisplacementStatus.choices)
    shelter_type = enum("ShelterTypeEnum", ShelterType.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        if hasattr(data, "dict"):
            return dict(data.dict())
        raise ValidationFailed(_("Send the household as a JSON object."), code="parse_error")
    return dict(data)


def _split(body: dict[str, Any], *keys: str) -> tuple[dict[str, Any], dict[str, Any]]:
    taken = {k: body.pop(k) for k in keys if k in body}
    return body, taken


def _only(body: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in unknown})
    return body


# --- viewsets -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Households in your scope",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    "Search: a name in Arabic script or Latin letters (normalised; words are "
                    "prefixes), a phone number in any format, a document number or a registration id."
                ),
            )
        ],
    ),
    retrieve=extend_schema(
        summary="A household's full record (the access is logged)",
        responses={200: HouseholdDetailSerializer, 404: ERROR},
    ),
    create=extend_schema(
        summary="Register a household with its members",
        request=HouseholdCreateSerializer,
        responses={201: HouseholdDetailSerializer, 400: ERROR, 403: ERROR},
    ),
    partial_update=extend_schema(
        summary="Change a household, its members or phones",
        request=HouseholdPatchSerializer,
        responses={200: HouseholdDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class HouseholdViewSet(ScopedModelViewSet):
    """Households and their members. Listing and reading need `registry.view_household`
    within your governorates; changes need `registry.manage_household`. Households are
    not deleted: change their status instead."""

    queryset = selectors.households_all()
    serializer_class = HouseholdListSerializer
    manage_permission = Household.MANAGE_PERMISSION
    filterset_class = HouseholdFilter
    ordering_fields = ["registration_id", "size", "created_at", "updated_at", "status"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Household]:
        qs = selectors.households_all()
        if self.action == "list":
            return qs.prefetch_related(selectors.heads_prefetch())
        return qs

    def get_queryset(self) -> QuerySet[Household]:
        qs = super().get_queryset()
        if self.action == "list":
            qs = selectors.households_matching(qs, self.request.query_params.get("q", ""))
        return qs

    def get_serializer_class(self) -> Any:
        return HouseholdListSerializer if self.action == "list" else HouseholdDetailSerializer

    def _detail(self, household: Household) -> Household:
        try:
            return selectors.household_detail(user=self.request.user, public_id=household.public_id)
        except NotFound:
            return household

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        household = selectors.household_detail(user=request.user, public_id=household.public_id)
        personal_record_viewed(
            user=request.user, obj=household, purpose="api household record", route=request.path
        )
        return Response(HouseholdDetailSerializer(household).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        context.set_actor(request.user)
        body, parts = _split(_body(request), "members", "phones", "consents", "source_ref")
        household = services.household_register(
            user=request.user,
            data=body,
            members=parts.get("members") or [],
            phones=parts.get("phones") or [],
            consents=parts.get("consents") or [],
            source=Household.Source.API,
            source_ref=parts.get("source_ref"),
        )
        return Response(
            HouseholdDetailSerializer(self._detail(household)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        body, parts = _split(_body(request), "members", "phones")
        services.household_update(
            household=household,
            user=request.user,
            data=body,
            members=parts.get("members"),
            phones=parts.get("phones"),
        )
        return Response(HouseholdDetailSerializer(self._detail(household)).data)

    @extend_schema(
        summary="Change a household's status (active, inactive, withdrawn)",
        request=StatusSerializer,
        responses={200: HouseholdDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def status(self, request: Request, public_id: Any = None) -> Response:
        household = self.get_object()
        body = _only(_body(request), {"status", "reason"})
        services.household_set_status(
            household=household,
            user=request.user,
            status=str(body.get("status") or ""),
            reason=str(body.get("reason") or ""),
        )
        return Response(HouseholdDetailSerializer(self._detail(household)).data)

    @extend_schema(
        summary="Record a move (the destination becomes the current location)",
        request=MoveWriteSerializer,
        responses={200: HouseholdDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, public_id: Any = None) -> Response:
        household = self.get_object()
        body = _only(
            _body(request),
            {
                "to_place",
                "to_admin_unit",
                "moved_on",
                "displacement_status",
                "shelter_type",
                "notes",
            },
        )
        services.household_move(
            household=household,
            user=request.user,
            to_place=body.get("to_place"),
            to_admin_unit=body.get("to_admin_unit"),
            moved_on=body.get("moved_on"),
            displacement_status=str(body.get("displacement_status") or ""),
            shelter_type=str(body.get("shelter_type") or ShelterType.UNKNOWN),
            notes=str(body.get("notes") or ""),
        )
        return Response(HouseholdDetailSerializer(self._detail(household)).data)

    @extend_schema(
        summary="Record consent and legal basis for one purpose",
        request=ConsentWriteSerializer,
        responses={200: ConsentSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def consents(self, request: Request, public_id: Any = None) -> Response:
        household = self.get_object()
        body = _only(
            _body(request),
            {"purpose", "legal_basis", "given", "recorded_on", "withdrawn_on", "notes"},
        )
        consent = services.consent_set(
            household=household,
            user=request.user,
            purpose=str(body.get("purpose") or ""),
            legal_basis=str(body.get("legal_basis") or ""),
            given=body.get("given", True),
            recorded_on=body.get("recorded_on"),
            withdrawn_on=body.get("withdrawn_on"),
            notes=str(body.get("notes") or ""),
        )
        return Response(ConsentSerializer(consent).data)


@extend_schema_view(
    list=extend_schema(summary="Individuals in your scope"),
    retrieve=extend_schema(
        summary="An individual's record (the access is logged)",
        responses={200: IndividualSerializer, 404: ERROR},
    ),
)
class IndividualViewSet(ScopedReadOnlyViewSet):
    """Members of households in your governorates, read-only: register and change
    members through `/households/`."""

    queryset = Individual.objects.select_related("household").prefetch_related(
        Prefetch(
            "documents",
            queryset=IndividualDocument.objects.select_related("issuing_governorate"),
        )
    )
    serializer_class = IndividualSerializer
    filterset_class = IndividualFilter
    ordering_fields = ["date_of_birth", "created_at"]
    ordering = ["household_id", "pk"]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        individual = self.get_object()
        personal_record_viewed(
            user=request.user, obj=individual, purpose="api individual record", route=request.path
        )
        return Response(self.get_serializer(individual).data)


def register(router: Any) -> None:
    router.register("households", HouseholdViewSet, basename="household")
    router.register("individuals", IndividualViewSet, basename="individual")

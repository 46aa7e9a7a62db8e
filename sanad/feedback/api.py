"""API of the feedback app (communication with communities).

- `feedback/cases`: list, retrieve, create (`case_log`: log a case from any channel) and
  `POST feedback/cases/{id}/transition` with `{"action": …}` and the action's fields
  (acknowledge, assign, refer, respond, close, reopen, note, recategorise). Every read
  goes through `selectors.sensitivity.cases_for`: an abuse report or a conduct
  complaint is not listed, counted nor found (404) for anyone who may not know of it.
- `feedback/contacts`: list, retrieve, create, `POST feedback/contacts/{id}/opt-out`.
- `feedback/campaigns`: list, retrieve (with the delivery report).
- `feedback/sessions`: list, retrieve, create (focus groups, awareness, theatre).
- The channels' webhooks (`api_hooks.hook_urls`: inbound messages and delivery
  reports, authenticated by the channel's token) sit in front of the router's URLs.

Views only adapt: the rules are in `feedback.services` and `feedback.selectors`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import has_permission, scoped
from sanad.feedback.models import (
    LOG_CASE,
    MANAGE_CAMPAIGN,
    MANAGE_CASE,
    MANAGE_CONTACT,
    MANAGE_SESSION,
    VIEW_CAMPAIGN,
    VIEW_CASE,
    VIEW_INBOX,
    Campaign,
    Case,
    Category,
    Channel,
    CommunitySession,
    Contact,
    Language,
    Topic,
)
from sanad.feedback.selectors.sensitivity import cases_for

ERROR = inline_serializer(
    "FeedbackError",
    fields={
        "error": inline_serializer(
            "FeedbackErrorBody",
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
TRANSITIONS = (
    "acknowledge",
    "assign",
    "refer",
    "respond",
    "close",
    "reopen",
    "note",
    "recategorise",
)


# --- fields ----------------------------------------------------------------------------------
def _user(context: Mapping[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


class _ByPublicId(serializers.UUIDField):
    """A related record written as its public id, looked up within what the user may
    reach (`queryset(context)`): an id outside the user's area is as unknown as a
    wrong one."""

    def __init__(self, *, model: Any, queryset: Any = None, **kwargs: Any) -> None:
        self.model = model
        self.lookup_queryset = queryset
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:  # type: ignore[override]
        public_id = super().to_internal_value(data)
        qs = self.lookup_queryset(self.context) if self.lookup_queryset else None
        qs = qs if qs is not None else self.model._default_manager.all()
        obj = qs.filter(public_id=public_id).first()
        if obj is None:
            raise serializers.ValidationError(
                _("Nothing with this id exists, or it is outside your area."), code="not_found"
            )
        return obj

    def to_representation(self, value: Any) -> Any:
        return str(value.public_id) if value is not None else None


@extend_schema_field(OpenApiTypes.STR)
class _CodeField(serializers.SlugRelatedField):
    """A related record written as its code (programme code, P-code, channel code)."""

    def __init__(self, *, model: Any, slug_field: str = "code", **kwargs: Any) -> None:
        if kwargs.get("read_only"):
            super().__init__(slug_field=slug_field, **kwargs)
        else:
            super().__init__(slug_field=slug_field, queryset=model._default_manager.all(), **kwargs)


def _households(context: Mapping[str, Any]) -> Any:
    from sanad.registry.models import Household

    return scoped(Household.objects.all(), _user(context), Household.VIEW_PERMISSION)


def _individuals(context: Mapping[str, Any]) -> Any:
    from sanad.registry.models import Individual

    return scoped(Individual.objects.all(), _user(context), Individual.VIEW_PERMISSION)


def _contacts(context: Mapping[str, Any]) -> Any:
    return scoped(Contact.objects.all(), _user(context), VIEW_INBOX)


def _places(context: Mapping[str, Any]) -> Any:
    from sanad.geo.models import Place

    return Place.objects.all()


def _beneficiary_lists(context: Mapping[str, Any]) -> Any:
    from sanad.targeting.models import BeneficiaryList

    return scoped(BeneficiaryList.objects.all(), _user(context))


def _programme_field(**kwargs: Any) -> _CodeField:
    from sanad.programmes.models import Programme

    return _CodeField(model=Programme, **kwargs)


def _admin_unit_field(**kwargs: Any) -> _CodeField:
    from sanad.geo.models import AdminUnit

    return _CodeField(model=AdminUnit, slug_field="pcode", **kwargs)


def _place_field(**kwargs: Any) -> _ByPublicId:
    from sanad.geo.models import Place

    return _ByPublicId(model=Place, queryset=_places, **kwargs)


# --- cases -----------------------------------------------------------------------------------
class CaseSerializer(serializers.ModelSerializer):
    """A case as a list shows it: no caller name or phone, no description (those are in
    the detail, whose reading is logged)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    channel = serializers.CharField(source="channel.code", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True, default=None)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True, default=None)
    admin_unit = serializers.CharField(source="admin_unit.pcode", read_only=True, default=None)
    place = serializers.UUIDField(source="place.public_id", read_only=True, default=None)
    household = serializers.UUIDField(source="household.public_id", read_only=True, default=None)
    registration_id = serializers.CharField(
        source="household.registration_id", read_only=True, default=None
    )
    assignee = serializers.CharField(source="assignee.username", read_only=True, default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "category",
            "sensitivity",
            "status",
            "channel",
            "programme",
            "governorate",
            "admin_unit",
            "place",
            "anonymous",
            "household",
            "registration_id",
            "preferred_response",
            "received_at",
            "acknowledge_due_at",
            "due_at",
            "acknowledged_at",
            "responded_at",
            "closed_at",
            "escalation_level",
            "assignee",
            "team",
            "loop_closed",
            "satisfaction",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, case: Case) -> bool:
        if case.status in (Case.Status.RESPONDED, Case.Status.CLOSED):
            return False
        now = timezone.now()
        if case.due_at and case.due_at < now:
            return True
        return bool(
            case.acknowledge_due_at and not case.acknowledged_at and case.acknowledge_due_at < now
        )


class CaseDetailSerializer(CaseSerializer):
    contact = serializers.UUIDField(source="contact.public_id", read_only=True, default=None)
    individual = serializers.UUIDField(source="individual.public_id", read_only=True, default=None)
    beneficiary_list = serializers.UUIDField(
        source="beneficiary_list.public_id", read_only=True, default=None
    )
    referred_to = serializers.CharField(source="referred_to.name", read_only=True, default=None)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "contact",
            "individual",
            "beneficiary_list",
            "caller_name",
            "caller_phone",
            "caller_sex",
            "caller_age_group",
            "description",
            "referred_to",
            "referral_note",
            "response",
            "closing_note",
            "created_at",
        ]
        read_only_fields = fields


class CaseWriteSerializer(serializers.Serializer):
    """What `case_log` needs: where it came from, what it is about, who said it."""

    channel = _CodeField(model=Channel, help_text="The channel's code (hotline, help desk…).")
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField(help_text="What the person said.")
    programme = _programme_field(required=False, allow_null=True)
    place = _place_field(required=False, allow_null=True)
    admin_unit = _admin_unit_field(required=False, allow_null=True)
    anonymous = serializers.BooleanField(required=False, default=False)
    contact = _ByPublicId(model=Contact, queryset=_contacts, required=False, allow_null=True)
    household = serializers.UUIDField(required=False, allow_null=True)
    individual = serializers.UUIDField(required=False, allow_null=True)
    caller_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    caller_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    caller_sex = serializers.ChoiceField(choices=Case.Sex.choices, required=False, allow_blank=True)
    caller_age_group = serializers.ChoiceField(
        choices=Case.AgeGroup.choices, required=False, allow_blank=True
    )
    preferred_response = serializers.ChoiceField(
        choices=Case.PreferredResponse.choices, required=False
    )
    received_at = serializers.DateTimeField(required=False)
    beneficiary_list = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Resolved here rather than by field so the lookups stay inside the user's reach
        # and an id outside it reads as unknown.
        for name, lookup in (
            ("household", _households),
            ("individual", _individuals),
            ("beneficiary_list", _beneficiary_lists),
        ):
            value = attrs.get(name)
            if value:
                obj = lookup(self.context).filter(public_id=value).first()
                if obj is None:
                    raise serializers.ValidationError(
                        {name: [_("Nothing with this id exists, or it is outside your area.")]}
                    )
                attrs[name] = obj
        attrs.setdefault("received_at", timezone.now())
        return attrs


class CaseTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in TRANSITIONS])
    assignee = serializers.CharField(
        required=False, allow_blank=True, help_text="Username (assign)."
    )
    team = serializers.CharField(required=False, allow_blank=True, max_length=120)
    referred_to = serializers.UUIDField(
        required=False, allow_null=True, help_text="Organisation public id (refer)."
    )
    note = serializers.CharField(required=False, allow_blank=True)
    response = serializers.CharField(required=False, allow_blank=True)
    responded_at = serializers.DateTimeField(required=False, allow_null=True)
    loop_closed = serializers.BooleanField(required=False, allow_null=True, default=None)
    closing_note = serializers.CharField(required=False, allow_blank=True)
    satisfaction = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Case.Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    programme = django_filters.CharFilter(field_name="programme__code")
    governorate = django_filters.CharFilter(field_name="governorate__pcode")
    place = django_filters.UUIDFilter(field_name="place__public_id")
    household = django_filters.UUIDFilter(field_name="household__public_id")
    received_after = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    received_before = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    q = django_filters.CharFilter(method="filter_q", help_text="Reference, words, caller phone.")

    class Meta:
        model = Case
        fields = ["status", "category", "programme", "governorate", "place", "household"]

    def filter_overdue(self, qs: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return qs
        now = timezone.now()
        open_ = ~Q(status__in=[Case.Status.RESPONDED, Case.Status.CLOSED])
        late = Q(due_at__lt=now) | Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
        return qs.filter(open_ & late) if value else qs.exclude(open_ & late)

    def filter_q(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(reference__iexact=value)
            | Q(description__icontains=value)
            | Q(caller_phone__icontains=value)
        )


class _CasePermission(permissions.BasePermission):
    """Reading needs `feedback.view_case`, logging `feedback.log_case`, changing a case
    `feedback.manage_case`; what the user may see is then `cases_for`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return has_permission(user, VIEW_CASE)
        if getattr(view, "action", None) == "create":
            return has_permission(user, LOG_CASE)
        return has_permission(user, MANAGE_CASE)


def _case_queryset(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("channel", "programme", "governorate", "admin_unit", "place")


@extend_schema_view(
    list=extend_schema(summary="Feedback cases you may see"),
    retrieve=extend_schema(
        summary="One case (the reading is logged)",
        responses={200: CaseDetailSerializer, 404: ERROR},
    ),
    create=extend_schema(
        summary="Log a case from any channel",
        description=(
            "A case of the category `sea` goes at once to the PSEA focal points: whoever "
            "logged it does not see it afterwards. Anonymous cases keep no contact, "
            "household or caller details."
        ),
        request=CaseWriteSerializer,
        responses={201: CaseDetailSerializer, 400: ERROR, 403: ERROR},
    ),
)
class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Complaints, requests and feedback. Cases about sexual exploitation and abuse are
    seen only by PSEA focal points, complaints about staff conduct only by managers:
    for anyone else they do not exist (not listed, 404)."""

    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    permission_classes = [_CasePermission]
    lookup_field = "public_id"
    filterset_class = CaseFilter
    ordering_fields = ["received_at", "due_at", "status", "category"]
    ordering = ["-received_at", "-id"]

    def get_queryset(self) -> QuerySet[Case]:
        context.set_actor(self.request.user)
        permission = MANAGE_CASE if self.action == "transition" else VIEW_CASE
        qs = _case_queryset(cases_for(self.request.user, permission))
        if self.action == "list":
            return qs.select_related("household", "assignee")
        return qs.select_related(
            "household", "assignee", "contact", "individual", "beneficiary_list", "referred_to"
        )

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return CaseSerializer
        if self.action == "create":
            return CaseWriteSerializer
        if self.action == "transition":
            return CaseTransitionSerializer
        return CaseDetailSerializer

    def _answer(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        # The case read back through `cases_for`: a case the user may no longer see
        # (an SEA report they just logged) answers with its reference only.
        visible = self.get_queryset().filter(pk=case.pk).first()
        if visible is None:
            return Response(
                {
                    "id": str(case.public_id),
                    "reference": case.reference,
                    "routed": True,
                    "message": _(
                        "The case was sent to the people who handle it. You will not see it "
                        "again; tell the person their report is in safe hands."
                    ),
                },
                status=code,
            )
        return Response(CaseDetailSerializer(visible).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        personal_record_viewed(user=request.user, obj=case, purpose="api case", route=request.path)
        return Response(CaseDetailSerializer(case).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from sanad.feedback.services.cases import case_log

        context.set_actor(request.user)
        body = CaseWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        case = case_log(user=request.user, data=dict(body.validated_data))
        return self._answer(case, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a case: acknowledge, assign, refer, respond, close, reopen, note, "
        "recategorise",
        description=(
            "`assign`: `assignee` (username) or `team`; `refer`: `referred_to` "
            "(organisation id) and `note`; `respond`: `response`; `close`: `loop_closed` "
            "and, when false, `closing_note`; `satisfaction` 1-5; `reopen`: `reason`; "
            "`note`: `note`; `recategorise`: `category` and `reason`."
        ),
        request=CaseTransitionSerializer,
        responses={200: CaseDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, public_id: Any = None) -> Response:
        case = self.get_object()
        body = CaseTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        case = _case_transition(user=request.user, case=case, data=data)
        return self._answer(case)


def _case_transition(*, user: Any, case: Case, data: dict[str, Any]) -> Case:
    """Resolve the API's names (username, organisation id) and hand the action to
    `services.cases.case_transition`, the path the case page takes too."""
    from sanad.feedback.services.cases import case_transition

    name = data.pop("action")
    if name == "assign" and (data.get("assignee") or "").strip():
        from django.contrib.auth import get_user_model

        assignee = get_user_model().objects.filter(username=data["assignee"].strip()).first()
        if assignee is None:
            message = _("No user has this username.")
            raise ValidationFailed(message, code="unknown_user", fields={"assignee": [message]})
        data["assignee"] = assignee
    else:
        data.pop("assignee", None)
    if name == "refer" and data.get("referred_to"):
        from sanad.accounts.models import Organisation

        organisation = Organisation.objects.filter(public_id=data.pop("referred_to")).first()
        if organisation is None:
            message = _("No organisation has this id.")
            raise ValidationFailed(
                message, code="unknown_organisation", fields={"referred_to": [message]}
            )
        data["organisation"] = organisation
    if name == "note":
        data["text"] = data.pop("note", "")
    result = case_transition(user=user, case=case, action=name, data=data)
    return result if isinstance(result, Case) else case


# --- contacts --------------------------------------------------------------------------------
class ContactSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True, default=None)
    place = serializers.UUIDField(source="place.public_id", read_only=True, default=None)
    household = serializers.UUIDField(source="household.public_id", read_only=True, default=None)
    registration_id = serializers.CharField(
        source="household.registration_id", read_only=True, default=None
    )
    opted_out = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "phone",
            "name",
            "language",
            "source",
            "governorate",
            "place",
            "household",
            "registration_id",
            "consent_given",
            "consent_recorded_on",
            "opted_out",
            "opted_out_at",
            "opted_out_via",
            "last_message_at",
            "unread",
        ]
        read_only_fields = fields


class ContactWriteSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    governorate = _admin_unit_field(required=False, allow_null=True)
    place = _place_field(required=False, allow_null=True)
    household = serializers.UUIDField(required=False, allow_null=True)
    consent_given = serializers.BooleanField(required=False, default=False)
    consent_recorded_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("household"):
            household = _households(self.context).filter(public_id=attrs["household"]).first()
            if household is None:
                raise serializers.ValidationError(
                    {"household": [_("Nothing with this id exists, or it is outside your area.")]}
                )
            attrs["household"] = household
        return attrs


class ContactOptOutSerializer(serializers.Serializer):
    via = serializers.CharField(max_length=40, required=False, default="api")


class _ScopedPermission(permissions.BasePermission):
    """Reading needs the view's `view_permission`; any write its `manage_permission`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return has_permission(user, view.read_permission(user))
        return has_permission(user, view.manage_permission)


class _ScopedViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Reads within the view permission's scope, writes within the manage permission's,
    looked up by public id so an out-of-scope id answers 404."""

    permission_classes = [_ScopedPermission]
    lookup_field = "public_id"
    view_permission: str = ""
    manage_permission: str = ""
    related: tuple[str, ...] = ()

    def read_permission(self, user: Any) -> str:
        return self.view_permission

    def get_queryset(self) -> Any:
        user = self.request.user
        context.set_actor(user)
        base: Any = self.queryset  # type: ignore[arg-type]
        qs = base.all().select_related(*self.related)
        safe = self.request.method in permissions.SAFE_METHODS
        return scoped(qs, user, self.read_permission(user) if safe else self.manage_permission)


@extend_schema_view(
    list=extend_schema(summary="Contacts in your governorates"),
    retrieve=extend_schema(
        summary="One contact (the reading is logged)",
        responses={200: ContactSerializer, 404: ERROR},
    ),
    create=extend_schema(
        summary="Add a contact",
        request=ContactWriteSerializer,
        responses={201: ContactSerializer, 400: ERROR, 403: ERROR, 409: ERROR},
    ),
)
class ContactViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _ScopedViewSet
):
    """Phone numbers the programme may message, with language and consent. Nothing is
    ever sent to an opted-out contact."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    view_permission = VIEW_INBOX
    manage_permission = MANAGE_CONTACT
    related = ("governorate", "place", "household")
    search_fields = ["phone", "name"]
    ordering_fields = ["last_message_at", "phone", "created_at"]
    ordering = ["-last_message_at", "-id"]

    def get_serializer_class(self) -> Any:
        return ContactWriteSerializer if self.action == "create" else ContactSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        personal_record_viewed(
            user=request.user, obj=contact, purpose="api contact", route=request.path
        )
        return Response(ContactSerializer(contact).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from sanad.feedback.services.contacts import contact_create

        context.set_actor(request.user)
        body = ContactWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        contact = contact_create(user=request.user, data=dict(body.validated_data))
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Opt a contact out: nothing is sent to them any more",
        request=ContactOptOutSerializer,
        responses={200: ContactSerializer, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="opt-out", url_name="opt-out")
    def opt_out(self, request: Request, public_id: Any = None) -> Response:
        from sanad.feedback.services.contacts import contact_opt_out

        contact = self.get_object()
        body = ContactOptOutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = contact_opt_out(
            contact=contact, via=body.validated_data["via"], user=request.user
        )
        return Response(ContactSerializer(contact).data)


# --- campaigns -------------------------------------------------------------------------------
class CampaignSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True, default=None)
    channel = serializers.CharField(source="channel.code", read_only=True)
    session = serializers.UUIDField(source="session.public_id", read_only=True, default=None)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "topic",
            "status",
            "programme",
            "channel",
            "session",
            "send_at",
            "audience_count",
            "queued_count",
            "skipped",
            "queued_at",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields


class CampaignDetailSerializer(CampaignSerializer):
    report = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [
            *CampaignSerializer.Meta.fields,
            "audience",
            "text_ar",
            "text_ckb",
            "text_kmr",
            "text_en",
            "report",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_report(self, campaign: Campaign) -> dict[str, Any]:
        from sanad.feedback.services.campaigns import campaign_report

        return _plain(campaign_report(campaign))


def _plain(value: Any) -> Any:
    """The report as JSON: dicts, lists, numbers and strings only."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@extend_schema_view(
    list=extend_schema(summary="Campaigns in your programmes"),
    retrieve=extend_schema(
        summary="One campaign with its delivery report",
        responses={200: CampaignDetailSerializer, 404: ERROR},
    ),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """Information campaigns by SMS: one text per language, to an audience, at a time.
    Create and send them on the campaign pages."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    view_permission = VIEW_CAMPAIGN
    manage_permission = MANAGE_CAMPAIGN
    related = ("programme", "channel", "session")
    filterset_fields = ["status", "topic"]
    search_fields = ["name"]
    ordering_fields = ["created_at", "send_at", "name"]
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self) -> Any:
        return CampaignSerializer if self.action == "list" else CampaignDetailSerializer


# --- community sessions ----------------------------------------------------------------------
class SessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True, default=None)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    admin_unit = serializers.CharField(source="admin_unit.pcode", read_only=True)
    place = serializers.UUIDField(source="place.public_id", read_only=True, default=None)

    class Meta:
        model = CommunitySession
        fields = [
            "id",
            "kind",
            "title",
            "topic",
            "programme",
            "governorate",
            "admin_unit",
            "place",
            "held_on",
            "facilitators",
            "participants",
            "key_findings",
            "follow_up",
            "created_at",
        ]
        read_only_fields = fields


class SessionWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CommunitySession.Kind.choices)
    title = serializers.CharField(max_length=200)
    topic = serializers.ChoiceField(choices=Topic.choices)
    programme = _programme_field(required=False, allow_null=True)
    place = _place_field(required=False, allow_null=True)
    admin_unit = _admin_unit_field(required=False, allow_null=True)
    held_on = serializers.DateField()
    facilitators = serializers.CharField(max_length=300)
    participants = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(min_value=0)),
        required=False,
        help_text='{"female": {"0-5": n, "6-17": n, "18-59": n, "60+": n}, "male": {…}}',
    )
    key_findings = serializers.CharField(required=False, allow_blank=True)
    follow_up = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="Community sessions in your scope"),
    retrieve=extend_schema(summary="One session", responses={200: SessionSerializer, 404: ERROR}),
    create=extend_schema(
        summary="Record a session",
        request=SessionWriteSerializer,
        responses={201: SessionSerializer, 400: ERROR, 403: ERROR},
    ),
)
class SessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _ScopedViewSet
):
    """Focus group discussions, awareness sessions, participatory theatre: who came
    (counted by sex and age) and what was learnt."""

    queryset = CommunitySession.objects.all()
    serializer_class = SessionSerializer
    view_permission = VIEW_CAMPAIGN
    manage_permission = MANAGE_SESSION
    related = ("programme", "governorate", "admin_unit", "place")
    filterset_fields = ["kind", "topic"]
    search_fields = ["title"]
    ordering_fields = ["held_on", "created_at"]
    ordering = ["-held_on", "-id"]

    def read_permission(self, user: Any) -> str:
        # As on the session pages: those who record sessions (camp managers, field
        # teams) see them without seeing the campaigns.
        return VIEW_CAMPAIGN if has_permission(user, VIEW_CAMPAIGN) else MANAGE_SESSION

    def get_serializer_class(self) -> Any:
        return SessionWriteSerializer if self.action == "create" else SessionSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from sanad.feedback.services.sessions import session_create

        context.set_actor(request.user)
        body = SessionWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        session = session_create(user=request.user, data=dict(body.validated_data))
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


def _hook_urls() -> list[Any]:
    try:
        from sanad.feedback.api_hooks import hook_urls
    except ImportError:  # the webhooks arrive with the channels
        return []
    return list(hook_urls)


def register(router: Any) -> None:
    """Add this app's viewsets to the API router, and the channels' webhooks (exact
    paths) in front of its URLs: a router builds its URLs once, from `get_urls`."""
    router.register("feedback/cases", CaseViewSet, basename="feedback-case")
    router.register("feedback/contacts", ContactViewSet, basename="feedback-contact")
    router.register("feedback/campaigns", CampaignViewSet, basename="feedback-campaign")
    router.register("feedback/sessions", SessionViewSet, basename="feedback-session")
    extra = _hook_urls()
    get_urls = router.get_urls
    setattr(router, "get_urls", lambda: [*extra, *get_urls()])  # noqa: B010

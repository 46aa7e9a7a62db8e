"""API of targeting: the field registry, rules (with a preview), scoring models and
their versions, beneficiary lists (build, status changes, manual decisions, the
explanation of one household) and their entries. Reads are scoped; writes go through
the services, so the API refuses exactly what the pages refuse."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedModelViewSet, ScopedPermission
from sanad.core.errors import NotFound, ValidationFailed
from sanad.core.scoping import has_permission, scoped
from sanad.programmes.models import Activity, Programme, Project
from sanad.targeting import compiler, fields, selectors, services
from sanad.targeting.models import (
    APPROVE,
    MANAGE,
    MANAGE_MODEL,
    VIEW,
    BeneficiaryList,
    ListEntry,
    ManualDecision,
    Rule,
    ScoringModel,
    ScoringModelVersion,
)

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class _ByPublicId(serializers.UUIDField):
    """A record by its public id, within what the requesting user may see."""

    def __init__(self, *, queryset: Any, **kwargs: Any) -> None:
        self.lookup = queryset
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:  # type: ignore[override]
        public_id = super().to_internal_value(data)
        request = self.context.get("request")
        obj = self.lookup(getattr(request, "user", None)).filter(public_id=public_id).first()
        if obj is None:
            raise serializers.ValidationError(
                _("Nothing with this id exists, or it is outside your area."), code="not_found"
            )
        return obj

    def to_representation(self, value: Any) -> Any:
        return str(value.public_id) if value is not None else None


def _programmes(permission: str) -> Any:
    return lambda user: scoped(Programme.objects.all(), user, permission)


# A plain string in the schema: the programme codes' enum is already named by the
# programmes API, and a second name for it is a schema warning.
@extend_schema_field(OpenApiTypes.STR)
class ProgrammeCode(serializers.SlugRelatedField):
    def __init__(self, permission: str = MANAGE, **kwargs: Any) -> None:
        self.permission = permission
        super().__init__(slug_field="code", queryset=Programme.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return scoped(Programme.objects.all(), getattr(request, "user", None), self.permission)


# --- rules ---------------------------------------------------------------------------------
class RuleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = ProgrammeCode(help_text="Programme code: NFI, SHELTER, …")
    tree = serializers.JSONField(
        help_text='{"match": "all"|"any", "items": [conditions {field, operator, value} or groups]}; '
        "fields and operators from GET /targeting/rules/fields/."
    )
    conditions = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = [
            "id",
            "programme",
            "name",
            "description",
            "tree",
            "conditions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_conditions(self, rule: Rule) -> list[str]:
        try:
            return [leaf.describe() for leaf in compiler.leaves_of(rule.tree)]
        except ValidationFailed:
            return []


class FieldSerializer(serializers.Serializer):
    code = serializers.CharField()
    label: Any = serializers.CharField()
    group = serializers.CharField()
    kind = serializers.CharField(
        help_text="The value's type: choice, int, bool, date, admin_unit, place, ledger_received, ledger_value."
    )
    operators = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    choices = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class PreviewSerializer(serializers.Serializer):
    tree = serializers.JSONField()
    area = serializers.ListField(child=serializers.CharField(), required=False)


class RuleViewSet(ScopedModelViewSet):
    """Eligibility rules: conditions on households and their assistance history, as
    data. `preview` counts the active households in your scope that a tree matches."""

    queryset = Rule.objects.select_related("programme")
    serializer_class = RuleSerializer
    view_permission = VIEW
    manage_permission = MANAGE
    http_method_names = NO_DELETE
    search_fields = ["name", "description"]
    ordering_fields = ["name", "updated_at"]
    ordering = ["-updated_at"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.rule_create(
            user=self.request.user,
            programme=data["programme"],
            name=data["name"],
            description=data.get("description", ""),
            tree=data["tree"],
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        services.rule_update(
            rule=serializer.instance,  # type: ignore[arg-type]
            user=self.request.user,
            programme=data.get("programme"),
            name=data.get("name"),
            description=data.get("description"),
            tree=data.get("tree"),
        )

    @extend_schema(
        request=PreviewSerializer,
        responses=inline_serializer(
            "RulePreview",
            fields={
                "total": serializers.IntegerField(),
                "conditions": serializers.IntegerField(),
                "as_of": serializers.DateField(),
                "by_governorate": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """How many active households in your scope the conditions match, by governorate."""
        body = PreviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.rule_preview(
            user=request.user,
            tree=body.validated_data["tree"],
            area=body.validated_data.get("area") or [],
        )
        return Response(result)

    @extend_schema(request=None, responses=FieldSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def fields(self, request: Request) -> Response:
        """The field registry: each field's code, label, kind, operators and choices."""
        return Response(fields.fields_ui())


# --- scoring models -------------------------------------------------------------------------
class VersionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    coefficients = serializers.SerializerMethodField()

    class Meta:
        model = ScoringModelVersion
        fields = [
            "id",
            "number",
            "criteria",
            "variables",
            "coefficients",
            "direction",
            "threshold",
            "note",
            "source_file",
            "created_at",
        ]
        read_only_fields = fields

    def get_coefficients(self, version: ScoringModelVersion) -> list[dict[str, Any]]:
        return [
            {
                "region": c.region.pcode if c.region is not None else None,
                "variable": c.variable,
                "coefficient": str(c.coefficient),
            }
            for c in version.coefficients.all()
        ]


class ScoringModelSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = ProgrammeCode(permission=MANAGE_MODEL)
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = ScoringModel
        fields = ["id", "programme", "name", "kind", "description", "versions", "created_at"]
        read_only_fields = ["created_at"]


class NewVersionSerializer(serializers.Serializer):
    criteria = serializers.JSONField(
        required=False,
        help_text="Weighted: [{label, condition: {field, operator, value}, points}].",
    )
    file = serializers.FileField(
        required=False, help_text="PMT: CSV or XLSX with columns region, variable, coefficient."
    )
    threshold = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ScoringModelViewSet(ScopedModelViewSet):
    """Vulnerability scoring models and their versions (never changed once written)."""

    queryset = ScoringModel.objects.select_related("programme").prefetch_related(
        "versions__coefficients__region"
    )
    serializer_class = ScoringModelSerializer
    view_permission = VIEW
    manage_permission = MANAGE_MODEL
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    search_fields = ["name"]
    ordering = ["name"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.scoring_model_create(
            user=self.request.user,
            programme=data["programme"],
            name=data["name"],
            kind=data["kind"],
            description=data.get("description", ""),
        )

    @extend_schema(request=NewVersionSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, public_id: Any = None) -> Response:
        """A new version: criteria (weighted) or a coefficients file (PMT)."""
        model = self.get_object()
        body = NewVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if model.kind == ScoringModel.Kind.WEIGHTED:
            version = services.scoring_version_weighted(
                model=model,
                user=request.user,
                criteria=data.get("criteria") or [],
                threshold=data.get("threshold"),
                note=data.get("note", ""),
            )
        else:
            upload = data.get("file")
            if upload is None:
                raise ValidationFailed(
                    fields={"file": [_("Upload the coefficients (CSV or XLSX).")]}
                )
            version = services.scoring_version_pmt(
                model=model,
                user=request.user,
                content=upload.read(),
                filename=upload.name,
                threshold=data.get("threshold"),
                note=data.get("note", ""),
            )
        return Response(VersionSerializer(version).data, status=201)


# --- lists ---------------------------------------------------------------------------------
class QuotaSerializer(serializers.Serializer):
    admin_unit = serializers.CharField(required=False, help_text="An admin unit P-code.")
    place = serializers.UUIDField(required=False, help_text="A place's public id.")
    max = serializers.IntegerField(min_value=0)


class ListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = ProgrammeCode()
    project = _ByPublicId(
        queryset=lambda user: scoped(Project.objects.all(), user, "programmes.view_programme"),
        required=False,
        allow_null=True,
    )
    activity = _ByPublicId(
        queryset=lambda user: scoped(Activity.objects.all(), user, "programmes.view_programme"),
        required=False,
        allow_null=True,
    )
    rule = _ByPublicId(queryset=lambda user: selectors.rules_visible_to(user))
    model_version = _ByPublicId(
        queryset=lambda user: selectors.versions_visible_to(user), required=False, allow_null=True
    )
    area = serializers.ListField(child=serializers.CharField(), required=False, write_only=True)
    area_pcodes = serializers.SerializerMethodField()
    quotas = QuotaSerializer(many=True, required=False, write_only=True)
    quota_list = serializers.SerializerMethodField()
    locked_by: Any = serializers.StringRelatedField()
    approved_by: Any = serializers.StringRelatedField()

    class Meta:
        model = BeneficiaryList
        fields = [
            "id",
            "name",
            "programme",
            "project",
            "activity",
            "rule",
            "model_version",
            "area",
            "area_pcodes",
            "quotas",
            "quota_list",
            "status",
            "summary",
            "rule_tree",
            "as_of",
            "built_at",
            "build_seconds",
            "locked_by",
            "locked_at",
            "approved_by",
            "approved_at",
            "used_by",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "summary",
            "rule_tree",
            "as_of",
            "built_at",
            "build_seconds",
            "locked_at",
            "approved_at",
            "used_by",
            "created_at",
        ]

    def get_area_pcodes(self, lst: BeneficiaryList) -> list[str]:
        return sorted(u.pcode for u in lst.area.all())

    def get_quota_list(self, lst: BeneficiaryList) -> list[dict[str, Any]]:
        return [
            {
                "admin_unit": q.admin_unit.pcode if q.admin_unit is not None else None,
                "place": str(q.place.public_id) if q.place is not None else None,
                "max": q.max_households,
            }
            for q in lst.quotas.all()
        ]


class ListTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=["locked", "approved", "draft", "closed", "cancelled"],
        help_text="locked (freeze for approval), approved (another person), draft (reopen), closed, cancelled.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DecisionSerializer(serializers.Serializer):
    household = serializers.CharField(help_text="Registration id (SND-…) or public id.")
    decision = serializers.ChoiceField(choices=["include", "exclude", "clear"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class _ListPermission(ScopedPermission):
    """Status changes need manage or approve (the service decides which); the rest as
    any scoped viewset."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if (
            getattr(view, "action", None) == "transition"
            and request.user
            and request.user.is_authenticated
        ):
            return has_permission(request.user, MANAGE) or has_permission(request.user, APPROVE)
        return super().has_permission(request, view)


class BeneficiaryListViewSet(ScopedModelViewSet):
    """Beneficiary lists: draft → locked → approved (by another person) → in use →
    closed. `build` evaluates a draft; `explain` says why one household is in or out."""

    queryset = selectors.lists_all().prefetch_related("area", "quotas__admin_unit", "quotas__place")
    serializer_class = ListSerializer
    permission_classes = [_ListPermission]  # type: ignore[list-item]
    view_permission = VIEW
    manage_permission = MANAGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "status"]
    ordering = ["-created_at"]

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) in {"transition", "explain"}:
            context.set_actor(self.request.user)
            return scoped(self.get_base_queryset(), self.request.user, VIEW)
        return super().get_queryset()

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.list_create(
            user=self.request.user,
            name=data["name"],
            programme=data["programme"],
            rule=data["rule"],
            project=data.get("project"),
            activity=data.get("activity"),
            model_version=data.get("model_version"),
            area=data.get("area") or [],
            quotas=[_quota(q) for q in data.get("quotas") or []],
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        kwargs: dict[str, Any] = {}
        for key in ("name", "rule", "area"):
            if key in data:
                kwargs[key] = data[key]
        for key in ("project", "activity", "model_version"):
            if key in data:
                kwargs[key] = data[key]
        if "quotas" in data:
            kwargs["quotas"] = [_quota(q) for q in data["quotas"]]
        services.list_update(lst=serializer.instance, user=self.request.user, **kwargs)  # type: ignore[arg-type]

    @extend_schema(request=None, responses=ListSerializer)
    @action(detail=True, methods=["post"])
    def build(self, request: Request, public_id: Any = None) -> Response:
        """Evaluate a draft list now (replacing its entries)."""
        lst = self.get_object()
        services.list_build(lst=lst, user=request.user)
        return Response(self.get_serializer(lst).data)

    @extend_schema(request=ListTransitionSerializer, responses=ListSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, public_id: Any = None) -> Response:
        """Lock, approve (not the person who locked it), reopen, close or cancel."""
        lst = self.get_object()
        body = ListTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.list_transition(
            lst=lst,
            user=request.user,
            to=body.validated_data["to"],
            reason=body.validated_data.get("reason", ""),
        )
        lst.refresh_from_db()
        return Response(self.get_serializer(lst).data)

    @extend_schema(request=DecisionSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, public_id: Any = None) -> Response:
        """Include or exclude a household by hand (the reason is mandatory), or clear it.
        Applies from the next build."""
        lst = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["decision"] == "clear":
            services.decision_remove(lst=lst, user=request.user, household=data["household"])
            return Response(status=204)
        row = services.decision_set(
            lst=lst,
            user=request.user,
            household=data["household"],
            decision=data["decision"],
            reason=data.get("reason", ""),
        )
        return Response(
            {
                "household": row.household.registration_id,
                "decision": row.decision,
                "reason": row.reason,
            },
            status=201,
        )

    @extend_schema(
        parameters=[OpenApiParameter("household", OpenApiTypes.UUID, required=True)],
        responses=inline_serializer(
            "Explanation",
            fields={
                "registration_id": serializers.CharField(),
                "included": serializers.BooleanField(),
                "outcome": serializers.CharField(),
                "rank": serializers.IntegerField(allow_null=True),
                "score": serializers.FloatField(),
                "rule_met": serializers.BooleanField(),
                "conditions": serializers.ListField(child=serializers.DictField()),
                "score_breakdown": serializers.ListField(child=serializers.DictField()),
                "manual_decision": serializers.DictField(allow_null=True),
            },
        ),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def explain(self, request: Request, public_id: Any = None) -> Response:
        """Why one household (by its public id) is in or out of the list."""
        lst = self.get_object()
        entry = selectors.entry_get(
            user=request.user, lst=lst, household_public_id=request.query_params.get("household")
        )
        data = selectors.explanation(user=request.user, lst=lst, entry=entry)
        household = data["household"]
        if household is not None:
            from sanad.core.audit import personal_record_viewed

            personal_record_viewed(
                user=request.user,
                obj=household,
                purpose="targeting explanation",
                route=request.path,
            )
        decision: ManualDecision | None = data["decision"]
        return Response(
            {
                "registration_id": household.registration_id if household else None,
                "included": entry.included,
                "outcome": ListEntry.Outcome(entry.outcome).name.lower(),
                "outcome_label": str(entry.get_outcome_display()),
                "rank": entry.rank,
                "quota_rank": entry.quota_rank,
                "score": entry.score,
                "rule_met": data["rule_met"],
                "conditions": [
                    {
                        "index": row["index"],
                        "condition": row["leaf"].as_json(),
                        "text": row["text"],
                        "met": row["met"],
                        "met_today": row.get("now_met"),
                        "value_today": row.get("now_value"),
                    }
                    for row in data["rows"]
                    if not row["group"]
                ],
                "score_breakdown": [
                    {
                        k: (
                            str(v)
                            if k in {"points", "earned", "coefficient"} and v is not None
                            else v
                        )
                        for k, v in r.items()
                        if k != "leaf"
                    }
                    for r in data["score"]["rows"]
                ],
                "manual_decision": (
                    {"decision": decision.decision, "reason": decision.reason} if decision else None
                ),
            }
        )


def _quota(q: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"max": q["max"]}
    if q.get("place"):
        out["place"] = str(q["place"])
    else:
        out["admin_unit"] = q.get("admin_unit", "")
    return out


class EntrySerializer(serializers.ModelSerializer):
    household = serializers.UUIDField(source="household.public_id", read_only=True)
    registration_id = serializers.CharField(source="household.registration_id", read_only=True)
    governorate = serializers.CharField(source="governorate.pcode", read_only=True)
    admin_unit = serializers.CharField(source="admin_unit.pcode", read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = ListEntry
        fields = [
            "household",
            "registration_id",
            "governorate",
            "admin_unit",
            "size",
            "included",
            "eligible",
            "outcome",
            "rank",
            "quota_rank",
            "score",
            "met",
            "criteria_met",
        ]

    def get_outcome(self, entry: ListEntry) -> str:
        return ListEntry.Outcome(entry.outcome).name.lower()


class EntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[misc]
    """The households a list considered (its snapshot), in your governorates:
    `?list=<id>` (required), `included=true|false`, `outcome=included|rule|…`,
    `governorate=<P-code>`. Included ones in rank order."""

    serializer_class = EntrySerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("list", OpenApiTypes.UUID, required=True),
            OpenApiParameter("included", OpenApiTypes.BOOL),
            OpenApiParameter("outcome", OpenApiTypes.STR),
            OpenApiParameter("governorate", OpenApiTypes.STR),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return ListEntry.objects.none()
        if not has_permission(user, VIEW):
            from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied

            raise DRFPermissionDenied()
        params = self.request.query_params
        try:
            lst = selectors.list_get(user=user, public_id=params.get("list"))
        except NotFound as exc:
            raise NotFound(_("Give the id of a list you can see: ?list=<id>.")) from exc
        qs = selectors.entries_visible_to(user, lst)
        included = params.get("included")
        if included in {"true", "1"}:
            qs = qs.filter(included=True)
        elif included in {"false", "0"}:
            qs = qs.filter(included=False)
        outcome = params.get("outcome", "")
        if outcome:
            try:
                qs = qs.filter(outcome=ListEntry.Outcome[outcome.upper()])
            except KeyError as exc:
                raise ValidationFailed(fields={"outcome": [_("Unknown outcome.")]}) from exc
        if params.get("governorate"):
            qs = qs.filter(governorate__pcode=params["governorate"].strip().upper())
        return qs.order_by("-included", "rank", "-score", "household_id")


def register(router: Any) -> None:
    router.register("targeting/rules", RuleViewSet, basename="targeting-rule")
    router.register("targeting/models", ScoringModelViewSet, basename="targeting-model")
    router.register("targeting/lists", BeneficiaryListViewSet, basename="targeting-list")
    router.register("targeting/entries", EntryViewSet, basename="targeting-entry")

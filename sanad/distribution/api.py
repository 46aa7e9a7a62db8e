"""API of the distribution app: plans, events and receipts to read (scoped), and the
two calls a phone makes on distribution day — check a household in (`POST
events/{id}/check/`) and record its receipt (`POST receipts/`). Both go through
`distribution.services`, so the phone is refused exactly what the page refuses, with
the refusal code in `error.code` and the reason in `error.message`; a receipt sent
again with the same `client_key` returns the first one (200 instead of 201)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from sanad.core.errors import NotFound, ValidationFailed
from sanad.core.scoping import scoped
from sanad.distribution import selectors, services
from sanad.distribution.models import RECORD, VIEW, Event, Plan, Receipt
from sanad.registry.models import Household, Individual


# --- read ----------------------------------------------------------------------------------
class PlanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.CharField(source="programme.code")
    project = serializers.CharField(source="project.code")
    beneficiary_list = serializers.UUIDField(source="beneficiary_list.public_id")
    beneficiary_list_name = serializers.CharField(source="beneficiary_list.name")
    kit = serializers.CharField(source="kit.code")
    kit_name = serializers.CharField(source="kit.name")
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "status",
            "programme",
            "project",
            "beneficiary_list",
            "beneficiary_list_name",
            "kit",
            "kit_name",
            "quantity_per_household",
            "warehouse",
            "reserved",
            "approved_at",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    plan = serializers.UUIDField(source="plan.public_id")
    kit = serializers.CharField(source="plan.kit.code")
    place = serializers.CharField(source="place.name")
    place_id = serializers.UUIDField(source="place.public_id")
    pcode = serializers.CharField(source="place.admin_unit.pcode")

    class Meta:
        model = Event
        fields = [
            "id",
            "plan",
            "kit",
            "place",
            "place_id",
            "pcode",
            "date",
            "status",
            "expected_households",
            "dispatched",
            "distributed",
            "returned",
            "lost",
            "difference_reason",
            "closed_at",
        ]
        read_only_fields = fields


class ReceiptSerializer(serializers.ModelSerializer):
    """A receipt without its signature image (personal data, shown only on the page)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    event = serializers.UUIDField(source="event.public_id")
    household = serializers.UUIDField(source="household.public_id")
    registration_id = serializers.CharField(source="household.registration_id")
    kit = serializers.CharField(source="kit.code")
    collected_by = serializers.UUIDField(source="collected_by.public_id")
    recorded_by = serializers.CharField(source="created_by", default="")
    has_signature = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "event",
            "household",
            "registration_id",
            "kit",
            "quantity",
            "collected_by",
            "collector",
            "proof",
            "has_signature",
            "found_by",
            "device",
            "client_key",
            "received_at",
            "status",
            "recorded_by",
        ]
        read_only_fields = fields

    def get_has_signature(self, receipt: Receipt) -> bool:
        return bool(receipt.signature)


class PlanViewSet(ScopedReadOnlyViewSet):
    """Distribution plans: draft → approved (kits reserved) → closed, or cancelled."""

    queryset = selectors.plans_all()
    serializer_class = PlanSerializer
    view_permission = VIEW
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "status"]
    ordering = ["-created_at"]


def _household(value: Any) -> Household:
    """A household by its public id, its registration id or a scanned card (the QR's
    text): what a phone has in hand."""
    text = str(value or "").strip()
    found: Household | None = None
    try:
        found = Household.objects.filter(public_id=uuid.UUID(text)).first()
    except ValueError:
        found = selectors.household_from_scan(text)
    if found is None:
        message = _("No household has this card or registration id.")
        raise NotFound(message, code="household_not_found")
    return found


class CheckSerializer(serializers.Serializer):
    household = serializers.CharField(
        max_length=200,
        help_text="The household's public id, registration id (SND-…) or the scanned QR text.",
    )


def _person(person: Individual | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "id": str(person.public_id),
        "name_ar": person.full_name_ar,
        "name_en": person.full_name_en,
        "relationship": person.relationship,
        "sex": person.sex,
        "year_of_birth": person.date_of_birth.year,
    }


class EventViewSet(ScopedReadOnlyViewSet):
    """Distribution events: planned → open (kits dispatched) → closed (reconciled).
    `check` tells a phone whether a household may receive, and why not."""

    queryset = selectors.events_all()
    serializer_class = EventSerializer
    view_permission = VIEW
    manage_permission = RECORD
    ordering_fields = ["date", "created_at", "status"]
    ordering = ["-date"]

    @extend_schema(
        request=CheckSerializer,
        responses=inline_serializer(
            "HouseholdCheck",
            fields={
                "ok": serializers.BooleanField(),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "household": serializers.DictField(),
                "head": serializers.DictField(allow_null=True),
                "collectors": serializers.ListField(child=serializers.DictField()),
                "receipt": serializers.DictField(allow_null=True),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def check(self, request: Request, public_id: Any = None) -> Response:
        """Check a household in: `ok`, or the refusal `code` and the reason to show.
        Names of the head and collectors are given only for a household that may
        receive (or already did) at this event."""
        event = self.get_object()
        body = CheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.household_check(
            user=request.user, event=event, household=_household(body.validated_data["household"])
        )
        household = result["household"]
        receipt = result["receipt"]
        show_people = result["ok"] or (receipt is not None and receipt.event_id == event.pk)
        return Response(
            {
                "ok": result["ok"],
                "code": result["code"],
                "message": result["message"],
                "household": {
                    "id": str(household.public_id),
                    "registration_id": household.registration_id,
                    "size": household.size if show_people else None,
                    "merged_from": result["found"].registration_id if result["merged"] else None,
                },
                "head": _person(result["head"]) if show_people else None,
                "collectors": [_person(c) for c in result["collectors"]] if show_people else [],
                "receipt": ReceiptSerializer(receipt).data if receipt is not None else None,
            }
        )


# --- receipts ----------------------------------------------------------------------------
class ReceiptCreateSerializer(serializers.Serializer):
    event = serializers.UUIDField()
    household = serializers.CharField(
        max_length=200, help_text="Public id, registration id or the scanned QR text."
    )
    collected_by = serializers.UUIDField(help_text="The head or a registered alternate collector.")
    proof = serializers.ChoiceField(choices=Receipt.Proof.choices)
    signature = serializers.CharField(
        required=False, allow_blank=True, help_text="A PNG data URI (signature or thumbprint)."
    )
    client_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The device's id for this attempt: a retry with the same key records nothing new.",
    )
    found_by = serializers.ChoiceField(choices=["qr", "search"], required=False, default="search")
    device = serializers.CharField(required=False, allow_blank=True, max_length=80)


class ReceiptViewSet(  # type: ignore[misc]
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Receipts recorded on distribution day (`?event=<id>` to filter). POST records
    one: one per household per event, the assistance ledger written with it."""

    queryset = selectors.receipts_all()
    serializer_class = ReceiptSerializer
    view_permission = VIEW
    manage_permission = RECORD
    ordering_fields = ["received_at"]
    ordering = ["-received_at"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        event = self.request.query_params.get("event")
        if event:
            try:
                qs = qs.filter(event__public_id=uuid.UUID(event))
            except ValueError as exc:
                raise ValidationFailed(fields={"event": [_("Give an event id.")]}) from exc
        return qs

    @extend_schema(request=ReceiptCreateSerializer, responses={201: ReceiptSerializer})
    def create(self, request: Request) -> Response:
        context.set_actor(request.user)
        body = ReceiptCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        event = (
            scoped(selectors.events_all(), request.user, RECORD)
            .filter(public_id=data["event"])
            .first()
        )
        if event is None:
            raise NotFound()
        household = _household(data["household"])
        collector = Individual.objects.filter(public_id=data["collected_by"]).first()
        if collector is None:
            message = _("Choose who collected: the head or a registered alternate collector.")
            raise ValidationFailed(message, fields={"collected_by": [message]})
        receipt = services.receipt_record(
            user=request.user,
            event=event,
            household=household,
            collected_by=collector,
            proof=data["proof"],
            signature=data.get("signature", ""),
            client_key=data.get("client_key") or None,
            found_by=data.get("found_by") or "search",
            device=data.get("device", ""),
        )
        replayed = getattr(receipt, "replayed", False)
        receipt = selectors.receipts_all().get(pk=receipt.pk)
        return Response(ReceiptSerializer(receipt).data, status=200 if replayed else 201)


def register(router: Any) -> None:
    router.register("distribution/plans", PlanViewSet, basename="distribution-plan")
    router.register("distribution/events", EventViewSet, basename="distribution-event")
    router.register("distribution/receipts", ReceiptViewSet, basename="distribution-receipt")

"""API for scanners: what household a card's QR code belongs to."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission
from sanad.registry.cards.pdf import token_from_scan
from sanad.registry.models import Household
from sanad.registry.selectors import households_visible_to

VIEW = Household.VIEW_PERMISSION


class CardHouseholdSerializer(serializers.Serializer):
    household = serializers.UUIDField(source="public_id", help_text="Public id of the household.")
    registration_id = serializers.CharField()
    status = serializers.CharField()


class _CanViewHouseholds(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and has_permission(user, VIEW))


class CardViewSet(viewsets.ViewSet):
    """Resolve a scanned household card. The QR code holds `SND1:<token>`; send it as
    read or the token alone. Households outside your area answer 404, like unknown
    tokens; a merged household answers with the household it was merged into."""

    permission_classes = [_CanViewHouseholds]
    lookup_field = "token"
    lookup_value_regex = r"[^/]+"

    @extend_schema(
        summary="The household of a scanned card",
        responses={
            200: CardHouseholdSerializer,
            404: inline_serializer("CardNotFound", fields={"error": serializers.DictField()}),
        },
    )
    def retrieve(self, request: Request, token: str | None = None) -> Response:
        reach = households_visible_to(request.user, VIEW)
        value = token_from_scan(token or "")
        household = reach.filter(card_token=value).first() if value else None
        for _step in range(5):
            if household is None or household.merged_into_id is None:
                break
            household = reach.filter(pk=household.merged_into_id).first()
        if household is None:
            raise NotFound()
        return Response(CardHouseholdSerializer(household).data)


def register(router: Any) -> None:
    router.register("cards", CardViewSet, basename="card")

"""The channels' webhooks, for the gateways (not for people):

- `POST /api/v1/feedback/hooks/<code>/inbound`: a message a person sent (RapidPro: a
  flow's "Call Webhook" body; HTTP gateways: the fields named in the channel's settings).
- `POST /api/v1/feedback/hooks/<code>/status`: delivery reports.

Both authenticate with the channel's own secret `inbound_token` (header `X-Sanad-Token`
or `?token=`; 401 otherwise — the same answer for an unknown channel, so the codes of
channels cannot be probed), take no user session or API token, and are idempotent: a
webhook sent again stores nothing twice (the external id). They answer 200 with what
was stored; a body the channel cannot read is 400."""

from __future__ import annotations

import hmac
from typing import Any

from django.urls import re_path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sanad.core.errors import ApplicationError
from sanad.feedback.channels import ParseError, adapter_for
from sanad.feedback.models import Channel

TOKEN_HEADER = "X-Sanad-Token"  # noqa: S105 (a header name)


def _channel(request: Request, code: str) -> Channel | None:
    """The active messaging channel whose token the request carries."""
    given = request.headers.get(TOKEN_HEADER) or request.query_params.get("token") or ""
    channel = Channel.objects.filter(
        code=code, active=True, kind__in=Channel.MESSAGING_KINDS
    ).first()
    if channel is None or not given:
        return None
    if not hmac.compare_digest(given.encode(), channel.inbound_token.encode()):
        return None
    return channel


def _unauthorised() -> Response:
    return Response(
        {
            "error": {
                "code": "invalid_channel_token",
                "message": "Unknown channel or wrong token.",
                "fields": {},
            }
        },
        status=401,
    )


def _bad_body(reason: str) -> Response:
    return Response(
        {"error": {"code": "invalid_webhook_body", "message": reason, "fields": {}}}, status=400
    )


class _HookView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []  # gateways post in bursts; the token guards it


class InboundHookView(_HookView):
    """A message a person sent through the channel."""

    @extend_schema(
        operation_id="feedback_hook_inbound",
        request=inline_serializer("FeedbackHookInbound", fields={}),
        responses={
            200: inline_serializer(
                "FeedbackHookInboundStored",
                fields={"message": serializers.UUIDField(), "contact": serializers.UUIDField()},
            )
        },
        tags=["feedback"],
    )
    def post(self, request: Request, code: str) -> Response:
        from sanad.feedback.services.inbound import message_receive

        channel = _channel(request, code)
        if channel is None:
            return _unauthorised()
        try:
            parsed = adapter_for(channel).parse_inbound(request.data)
        except ParseError as exc:
            return _bad_body(str(exc))
        try:
            message = message_receive(
                channel=channel,
                phone=parsed.phone,
                text=parsed.text,
                external_id=parsed.external_id,
                received_at=parsed.received_at,
            )
        except ApplicationError as exc:
            return Response(exc.as_dict(), status=exc.status_code)
        return Response(
            {"message": str(message.public_id), "contact": str(message.contact.public_id)}
        )


class StatusHookView(_HookView):
    """Delivery reports of messages the channel sent."""

    @extend_schema(
        operation_id="feedback_hook_status",
        request=inline_serializer("FeedbackHookStatus", fields={}),
        responses={
            200: inline_serializer(
                "FeedbackHookStatusStored", fields={"updated": serializers.IntegerField()}
            )
        },
        tags=["feedback"],
    )
    def post(self, request: Request, code: str) -> Response:
        from sanad.feedback.services.outbox import messages_status_update

        channel = _channel(request, code)
        if channel is None:
            return _unauthorised()
        try:
            reports = adapter_for(channel).parse_status(request.data)
        except ParseError as exc:
            return _bad_body(str(exc))
        return Response({"updated": messages_status_update(channel=channel, reports=reports)})


_CODE = r"(?P<code>[-a-zA-Z0-9_]{1,40})"
hook_urls: list[Any] = [
    re_path(
        rf"^feedback/hooks/{_CODE}/inbound$",
        InboundHookView.as_view(),
        name="feedback-hook-inbound",
    ),
    re_path(
        rf"^feedback/hooks/{_CODE}/status$", StatusHookView.as_view(), name="feedback-hook-status"
    ),
]

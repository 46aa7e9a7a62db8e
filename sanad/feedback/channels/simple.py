"""Webhook bodies in a flat JSON shape with configurable field names (the HTTP SMS
gateway and the log channel)."""

from __future__ import annotations

from typing import Any

from sanad.feedback.channels.base import Inbound, ParseError, StatusReport, dig

STATUS_WORDS = {
    "sent": "sent",
    "submitted": "sent",
    "accepted": "sent",
    "delivered": "delivered",
    "delivrd": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "undeliv": "failed",
    "rejected": "failed",
    "expired": "failed",
    "errored": "failed",
}


def parse_simple_inbound(data: Any, fields: dict[str, Any]) -> Inbound:
    if not isinstance(data, dict):
        raise ParseError("The body must be a JSON object.")
    phone = dig(data, fields.get("phone") or "phone") or dig(data, "from")
    text = dig(data, fields.get("text") or "text")
    if not phone or text is None:
        raise ParseError("The body needs a phone number and a text.")
    external_id = dig(data, fields.get("id") or "id")
    return Inbound(phone=str(phone), text=str(text), external_id=str(external_id or "")[:100])


def parse_simple_status(data: Any, fields: dict[str, Any]) -> list[StatusReport]:
    items = data if isinstance(data, list) else [data]
    reports = []
    for item in items:
        if not isinstance(item, dict):
            raise ParseError("The body must be a JSON object or a list of them.")
        external_id = dig(item, fields.get("id") or "id")
        status = str(dig(item, fields.get("status") or "status") or "").lower()
        if not external_id or not status:
            raise ParseError("A delivery report needs the message id and a status.")
        error = dig(item, fields.get("error") or "error") or ""
        reports.append(
            StatusReport(
                external_id=str(external_id)[:100],
                status=STATUS_WORDS.get(status, status),
                error=str(error)[:300],
            )
        )
    return reports

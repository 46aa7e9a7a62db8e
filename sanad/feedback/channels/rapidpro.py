"""RapidPro (and TextIt): send through API v2, hear through a flow's webhook.

Sending: `POST {base_url}/api/v2/broadcasts.json` with `Authorization: Token <token>`
and `{"urns": ["tel:+9647…"], "text": "…"}`; RapidPro answers 201 with the broadcast
(`{"id": 1234, "urns": […], "text": …, "status": "queued", …}`): its id is the message's
external id.

Inbound: a flow's "Call Webhook" action POSTs to `/api/v1/feedback/hooks/<code>/inbound`
(header `X-Sanad-Token`). The editor's default body carries `contact` (uuid, name, urn)
`flow` and `results` (name → {value, category}); add `input` (uuid, text, created_on,
urn) to it, as in the README of the channel page, so each message has its own id and
text. Without `input`, the text is the value of the result named in the channel's
settings (`result`), or of the only result.

Delivery reports: `/status` takes RapidPro message objects (`{"id", "broadcast",
"status", …}`, one, a list, or a `messages.json` page under `results`); statuses
queued/errored (RapidPro still retrying) are ignored, wired/sent → sent, delivered/read
→ delivered, failed → failed."""

from __future__ import annotations

from typing import Any

from sanad.feedback.channels.base import (
    Adapter,
    Inbound,
    Outgoing,
    ParseError,
    SendResult,
    StatusReport,
    dig,
    http_result,
    urn_phone,
)

STATUS = {"wired": "sent", "sent": "sent", "delivered": "delivered", "read": "delivered"}
STATUS_FAILED = {"failed"}


class RapidProAdapter(Adapter):
    def endpoint(self) -> str:
        base = str(self.config.get("base_url") or "").rstrip("/")
        return f"{base}/api/v2/broadcasts.json"

    def send(self, message: Outgoing) -> SendResult:
        token = self.secret()
        if not self.config.get("base_url"):
            return SendResult(ok=False, error="The channel has no RapidPro address (base_url).")
        if not token:
            return SendResult(
                ok=False,
                error=f"The environment variable {self.channel.secret_env or '(none)'} with "
                "the RapidPro token is not set.",
            )
        body: dict[str, Any] = {"urns": [f"tel:{message.phone}"], "text": message.text}
        response = self.client.post(
            self.endpoint(),
            json=body,
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
        )
        external_id = ""
        if response.is_success:
            try:
                external_id = str(response.json().get("id") or "")
            except ValueError:
                external_id = ""
        return http_result(response, external_id)

    def parse_inbound(self, data: Any) -> Inbound:
        if not isinstance(data, dict):
            raise ParseError("The body must be a JSON object.")
        source: dict[str, Any] = data["input"] if isinstance(data.get("input"), dict) else {}
        phone = urn_phone(source.get("urn")) or urn_phone(dig(data, "contact.urn"))
        text = source.get("text")
        if text is None:
            results: dict[str, Any] = (
                data["results"] if isinstance(data.get("results"), dict) else {}
            )
            wanted = str(self.config.get("result") or "")
            if wanted and isinstance(results.get(wanted), dict):
                text = results[wanted].get("value")
            elif len(results) == 1:
                only = next(iter(results.values()))
                text = only.get("value") if isinstance(only, dict) else None
        if not phone or text is None:
            raise ParseError("The body needs contact.urn (or input.urn) and input.text.")
        return Inbound(
            phone=phone,
            text=str(text),
            external_id=str(source.get("uuid") or "")[:100],
            received_at=source.get("created_on") or None,
        )

    def parse_status(self, data: Any) -> list[StatusReport]:
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        items = data if isinstance(data, list) else [data]
        reports = []
        for item in items:
            if not isinstance(item, dict):
                raise ParseError("The body must be a RapidPro message or a list of them.")
            broadcast = item.get("broadcast")
            if isinstance(broadcast, dict):
                broadcast = broadcast.get("id")
            external_id = broadcast or item.get("id")
            status = str(item.get("status") or "").lower()
            if not external_id or not status:
                raise ParseError("A delivery report needs the broadcast id and a status.")
            mapped = "failed" if status in STATUS_FAILED else STATUS.get(status, "")
            if mapped:
                reports.append(StatusReport(external_id=str(external_id)[:100], status=mapped))
        return reports

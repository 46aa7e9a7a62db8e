"""A generic HTTP SMS gateway, configured on the channel (no code per provider).

`channel.config`:
- `url`: where to send (placeholders allowed);
- `method`: POST (default) or GET (then the body template becomes query parameters);
- `body`: a JSON object template; every string in it has `{phone}`, `{phone_digits}`,
  `{text}` and `{id}` (the message's public id) replaced — default
  `{"to": "{phone}", "text": "{text}"}`;
- `auth_header` (default `Authorization`) and `auth_scheme` (default `Bearer`): the
  token from the environment variable `secret_env`, sent as `<scheme> <token>` (an empty
  scheme sends the token alone);
- `response_id`: the path of the gateway's message id in its JSON answer (`id`,
  `data.message_id`…); empty: our public id is the external id;
- `inbound`: field paths of the inbound webhook body, `{"phone", "text", "id"}`;
- `status`: field paths of the delivery report, `{"id", "status", "error"}`."""

from __future__ import annotations

import json
from typing import Any

from sanad.feedback.channels.base import (
    Adapter,
    Inbound,
    Outgoing,
    SendResult,
    StatusReport,
    dig,
    http_result,
)
from sanad.feedback.channels.simple import parse_simple_inbound, parse_simple_status

DEFAULT_BODY: dict[str, Any] = {"to": "{phone}", "text": "{text}"}


def fill(template: Any, values: dict[str, str]) -> Any:
    """The template with the placeholders of every string replaced (no `str.format`:
    a text with braces must go through untouched)."""
    if isinstance(template, str):
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def body_template(config: dict[str, Any]) -> Any:
    body = config.get("body") or DEFAULT_BODY
    if isinstance(body, str):
        body = json.loads(body)
    return body


class HttpSmsAdapter(Adapter):
    def send(self, message: Outgoing) -> SendResult:
        url = str(self.config.get("url") or "")
        if not url:
            return SendResult(ok=False, error="The channel has no gateway address (url).")
        values = {
            "phone": message.phone,
            "phone_digits": message.phone.lstrip("+"),
            "text": message.text,
            "id": message.public_id,
        }
        headers = {"Accept": "application/json"}
        if self.channel.secret_env:
            token = self.secret()
            if not token:
                return SendResult(
                    ok=False,
                    error=f"The environment variable {self.channel.secret_env} with the "
                    "gateway token is not set.",
                )
            scheme = self.config.get("auth_scheme", "Bearer")
            header = str(self.config.get("auth_header") or "Authorization")
            headers[header] = f"{scheme} {token}".strip() if scheme else token
        body = fill(body_template(self.config), values)
        if str(self.config.get("method") or "POST").upper() == "GET":
            response = self.client.get(fill(url, values), params=body, headers=headers)
        else:
            response = self.client.post(fill(url, values), json=body, headers=headers)
        external_id = message.public_id
        path = str(self.config.get("response_id") or "")
        if path and response.is_success:
            try:
                found = dig(response.json(), path)
            except ValueError:
                found = None
            external_id = str(found) if found not in (None, "") else message.public_id
        return http_result(response, external_id)

    def parse_inbound(self, data: Any) -> Inbound:
        return parse_simple_inbound(data, dict(self.config.get("inbound") or {}))

    def parse_status(self, data: Any) -> list[StatusReport]:
        return parse_simple_status(data, dict(self.config.get("status") or {}))

"""The log channel of the demo and the tests: sends nothing, records the message as
delivered at once (the officer "sees delivery"), and accepts webhooks in the simple
shape `{"phone", "text", "id"}` / `{"id", "status"}`."""

from __future__ import annotations

from typing import Any

from sanad.feedback.channels.base import Adapter, Inbound, Outgoing, SendResult, StatusReport
from sanad.feedback.channels.simple import parse_simple_inbound, parse_simple_status


class LogAdapter(Adapter):
    def send(self, message: Outgoing) -> SendResult:
        return SendResult(ok=True, external_id=f"log-{message.public_id}", delivered=True)

    def parse_inbound(self, data: Any) -> Inbound:
        return parse_simple_inbound(data, {})

    def parse_status(self, data: Any) -> list[StatusReport]:
        return parse_simple_status(data, {})

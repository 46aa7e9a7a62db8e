"""The interface every messaging channel implements: send one text to one phone, read
the gateway's webhook bodies (an inbound message, a delivery report).

Adapters never touch the database: the outbox (`services.outbox`) claims messages,
hands them to `send`, and records the result; the webhooks (`api_hooks`) hand the
parsed bodies to `services.inbound`. HTTP goes through one `httpx.Client` per adapter
(keep-alive, thread-safe: the outbox sends a batch from a few threads); tests give
it an `httpx.MockTransport`."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from sanad.feedback.models import Channel

TIMEOUT = httpx.Timeout(15.0, connect=5.0)

# httpx logs every request's URL at INFO: a GET gateway carries the phone and the text
# in it (personal data, never in logs), and a campaign would write a line per SMS.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Outgoing:
    """What an adapter needs to send one message (no model instance: threads)."""

    id: int
    public_id: str
    phone: str
    text: str


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str = ""
    # The log channel knows at once; gateways report delivery later by webhook.
    delivered: bool = False
    error: str = ""
    # A refusal that a retry cannot change (an invalid number): fail without retrying.
    permanent: bool = False


@dataclass(frozen=True)
class Inbound:
    phone: str
    text: str
    external_id: str = ""
    received_at: Any = None  # datetime or None (now)


@dataclass(frozen=True)
class StatusReport:
    external_id: str
    status: str  # "sent" | "delivered" | "failed" (others are ignored)
    error: str = ""


@dataclass
class ParseError(Exception):
    """The body is not what this channel sends (answered 400)."""

    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.reason


class Adapter:
    """Base of the channel adapters."""

    def __init__(self, channel: Channel, *, transport: httpx.BaseTransport | None = None):
        self.channel = channel
        self.config: dict[str, Any] = dict(channel.config or {})
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    # --- sending ----------------------------------------------------------------------
    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    transport=self._transport,
                    timeout=TIMEOUT,
                    limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def secret(self) -> str:
        """The API token, from the environment variable the channel names."""
        name = self.channel.secret_env
        return os.environ.get(name, "") if name else ""

    def send(self, message: Outgoing) -> SendResult:
        raise NotImplementedError

    def send_guarded(self, message: Outgoing) -> SendResult:
        """`send`, with the network's failures turned into retryable results."""
        try:
            return self.send(message)
        except httpx.HTTPError as exc:
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])

    # --- webhooks ---------------------------------------------------------------------
    def parse_inbound(self, data: Any) -> Inbound:
        raise ParseError("This channel does not receive messages.")

    def parse_status(self, data: Any) -> list[StatusReport]:
        raise ParseError("This channel does not report delivery.")


def http_result(response: httpx.Response, external_id: str) -> SendResult:
    """A gateway's answer as a result: 2xx sent; 401/403/408/429/5xx retried (a wrong
    token is fixed by the operator, then the messages go); other 4xx fail at once."""
    if response.is_success:
        return SendResult(ok=True, external_id=external_id[:100])
    detail = f"HTTP {response.status_code}: {response.text[:200]}"
    permanent = 400 <= response.status_code < 500 and response.status_code not in (
        401,
        403,
        408,
        409,
        429,
    )
    return SendResult(ok=False, error=detail[:300], permanent=permanent)


def dig(data: Any, path: str) -> Any:
    """`data["a"]["b"]` for the path "a.b" (None when a step is missing)."""
    node = data
    for step in (path or "").split("."):
        if not step:
            continue
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return node


def urn_phone(urn: Any) -> str:
    """The number of a RapidPro URN: "tel:+9647…", or the legacy object
    {"scheme": "tel", "path": "+9647…"}."""
    if isinstance(urn, dict):
        return str(urn.get("path") or urn.get("display") or "")
    text = str(urn or "")
    if ":" in text:
        scheme, _, rest = text.partition(":")
        if scheme not in ("tel", "whatsapp"):
            return ""
        text = rest
    return text.split("?", 1)[0].strip()

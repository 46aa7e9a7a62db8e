"""Messaging channels: one adapter per kind behind one interface (`base.Adapter`)."""

from __future__ import annotations

import httpx

from sanad.feedback.channels.base import (
    Adapter,
    Inbound,
    Outgoing,
    ParseError,
    SendResult,
    StatusReport,
)
from sanad.feedback.channels.http_sms import HttpSmsAdapter
from sanad.feedback.channels.log import LogAdapter
from sanad.feedback.channels.rapidpro import RapidProAdapter
from sanad.feedback.models import Channel

ADAPTERS: dict[str, type[Adapter]] = {
    Channel.Kind.RAPIDPRO: RapidProAdapter,
    Channel.Kind.HTTP_SMS: HttpSmsAdapter,
    Channel.Kind.LOG: LogAdapter,
}


def adapter_for(channel: Channel, *, transport: httpx.BaseTransport | None = None) -> Adapter:
    """The adapter of a messaging channel (ValueError for a staff-logged channel)."""
    try:
        cls = ADAPTERS[channel.kind]
    except KeyError:
        raise ValueError(f"Channel {channel.code} ({channel.kind}) cannot send.") from None
    return cls(channel, transport=transport)


__all__ = [
    "ADAPTERS",
    "Adapter",
    "Inbound",
    "Outgoing",
    "ParseError",
    "SendResult",
    "StatusReport",
    "adapter_for",
]

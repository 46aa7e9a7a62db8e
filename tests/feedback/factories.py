"""Small helpers to build feedback records directly (bypassing services where a test
needs a record in a given state). Tests of behaviour go through the services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from sanad.feedback.models import (
    SENSITIVITY_OF_CATEGORY,
    Case,
    Channel,
    Contact,
    Message,
    Sensitivity,
)
from tests.factories import DUHOK, unit

_n = iter(range(1, 10**9))


def make_channel(kind: str = "log", **kwargs: Any) -> Channel:
    n = next(_n)
    kwargs.setdefault("code", f"{kind.replace('_', '-')}-{n}")
    kwargs.setdefault("name", f"{kind} {n}")
    kwargs.setdefault("rate_per_minute", 6000)
    return Channel.objects.create(kind=kind, **kwargs)


def make_contact(*, governorate: str | None = DUHOK, **kwargs: Any) -> Contact:
    n = next(_n)
    kwargs.setdefault("phone", f"+96475{n:08d}")
    kwargs.setdefault("source", Contact.Source.STAFF)
    kwargs.setdefault("consent_given", True)
    kwargs.setdefault("consent_recorded_on", datetime.date.today())
    return Contact.objects.create(governorate=unit(governorate) if governorate else None, **kwargs)


def make_case(
    *,
    category: str = "complaint_assistance",
    governorate: str | None = DUHOK,
    channel: Channel | None = None,
    **kwargs: Any,
) -> Case:
    """A case row as the services would store it (sensitivity from the category)."""
    kwargs.setdefault("description", "The blankets in the kit were torn.")
    kwargs.setdefault("received_at", timezone.now())
    return Case.objects.create(
        category=category,
        sensitivity=SENSITIVITY_OF_CATEGORY.get(category, Sensitivity.NORMAL),
        channel=channel or make_channel("hotline"),
        governorate=unit(governorate) if governorate else None,
        **kwargs,
    )


def make_inbound(
    contact: Contact, text: str = "When is the next distribution?", **kwargs: Any
) -> Message:
    kwargs.setdefault("channel", make_channel("log"))
    return Message.objects.create(
        contact=contact,
        direction=Message.Direction.IN,
        status=Message.Status.RECEIVED,
        text=text,
        **kwargs,
    )

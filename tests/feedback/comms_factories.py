"""Helpers of the contacts, campaigns, inbox and sessions tests: registry households with
a phone and a consent for communication, and campaigns in a given state."""

from __future__ import annotations

from typing import Any

from sanad.feedback.models import Campaign, Channel
from tests.factories import DUHOK, ProgrammeFactory
from tests.feedback.factories import make_channel
from tests.registry.factories import default_members, make_household

_n = iter(range(1, 10**9))


def next_phone() -> str:
    return f"0751{next(_n):07d}"


def household_with_phone(
    *,
    governorate: str = DUHOK,
    language: str = "ar",
    consent: bool = True,
    phone: str | None = None,
    **data: Any,
) -> Any:
    """An active household with one phone, its head speaking `language`, and (unless
    `consent` is False) a consent for communication."""
    members = default_members(2)
    members[0]["preferred_language"] = language
    consents = [{"purpose": "communication", "legal_basis": "consent"}] if consent else []
    return make_household(
        governorate=governorate,
        members=members,
        phones=[phone or next_phone()],
        consents=consents,
        **data,
    )


def sms_channel() -> Channel:
    return Channel.objects.filter(kind="log", active=True).first() or make_channel("log")


def campaign_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Winter kits in Domiz",
        "topic": "distribution",
        "channel": sms_channel(),
        "programme": ProgrammeFactory(code="NFI"),
        "text_ar": "توزيع المواد غير الغذائية يوم الأحد",
        "text_ckb": "دابەشکردنی کەلوپەل ڕۆژی یەکشەممە",
        "text_en": "Distribution on Sunday",
        "audience": {"governorates": [DUHOK]},
    }
    data.update(overrides)
    return data


def make_campaign(user: Any, **overrides: Any) -> Campaign:
    from sanad.feedback.services.campaigns import campaign_create

    return campaign_create(user=user, data=campaign_data(**overrides))

"""Reads of contacts, the inbox, campaigns and community sessions, always inside the
user's scope (an id outside it is "not found"). Messages linked to a case the user may
not know of are left out of every thread (`messages_visible`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.feedback.models import (
    VIEW_CAMPAIGN,
    VIEW_INBOX,
    Campaign,
    CommunitySession,
    Contact,
    Message,
)
from sanad.feedback.selectors.sensitivity import hidden_sensitivities, messages_visible


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise NotFound() from None


# --- contacts and the inbox -----------------------------------------------------------------
def contacts_visible(user: Any, permission: str = VIEW_INBOX) -> QuerySet[Contact]:
    return scoped(
        Contact.objects.select_related("governorate", "place", "household"), user, permission
    )


def contact_get(*, user: Any, public_id: Any, permission: str = VIEW_INBOX) -> Contact:
    contact = contacts_visible(user, permission).filter(public_id=_uuid(public_id)).first()
    if contact is None:
        raise NotFound()
    return contact


def inbox_threads(user: Any, *, unread_only: bool = False) -> QuerySet[Contact]:
    """Contacts with messages, the latest conversation first, with the text and time of
    their last message the user may see (`last_text`, `last_direction`)."""
    last = messages_visible(user, Message.objects.filter(contact=OuterRef("pk"))).order_by(
        "-created_at", "-id"
    )
    # Unread counts only the messages the user may see: a hidden abuse report must not
    # show as "1 unread" in a thread that looks read.
    unread = (
        messages_visible(
            user,
            Message.objects.filter(
                contact=OuterRef("pk"), direction=Message.Direction.IN, read_at__isnull=True
            ),
        )
        .order_by()
        .values("contact")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    qs = (
        contacts_visible(user)
        .filter(last_message_at__isnull=False)
        .annotate(
            last_text=Subquery(last.values("text")[:1]),
            last_direction=Subquery(last.values("direction")[:1]),
            unread_visible=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
        )
        .order_by("-last_message_at", "-pk")
    )
    if unread_only:
        qs = qs.filter(unread_visible__gt=0)
    return qs


def thread_messages(user: Any, contact: Contact) -> QuerySet[Message]:
    """The messages with a contact, oldest first, without those of hidden cases."""
    return messages_visible(
        user,
        Message.objects.filter(contact=contact).select_related(
            "campaign", "case", "created_by", "channel"
        ),
    ).order_by("created_at", "id")


def contact_cases(user: Any, contact: Contact) -> QuerySet[Any]:
    from sanad.feedback.selectors.sensitivity import cases_for

    return cases_for(user).filter(contact=contact).order_by("-received_at")


def unread_count(user: Any) -> int:
    from django.db.models import Sum

    total = contacts_visible(user).filter(unread__gt=0).aggregate(n=Sum("unread"))["n"]
    return int(total or 0)


def hides_cases(user: Any) -> bool:
    return bool(hidden_sensitivities(user))


# --- campaigns --------------------------------------------------------------------------------
def campaigns_visible(user: Any, permission: str = VIEW_CAMPAIGN) -> QuerySet[Campaign]:
    return scoped(
        Campaign.objects.select_related("programme", "channel", "session", "created_by"),
        user,
        permission,
    )


def campaign_get(*, user: Any, public_id: Any, permission: str = VIEW_CAMPAIGN) -> Campaign:
    campaign = campaigns_visible(user, permission).filter(public_id=_uuid(public_id)).first()
    if campaign is None:
        raise NotFound()
    return campaign


# --- sessions ---------------------------------------------------------------------------------
def sessions_visible(user: Any, permission: str = VIEW_CAMPAIGN) -> QuerySet[CommunitySession]:
    return scoped(
        CommunitySession.objects.select_related("programme", "place", "admin_unit", "governorate"),
        user,
        permission,
    )


def session_get(*, user: Any, public_id: Any, permission: str = VIEW_CAMPAIGN) -> CommunitySession:
    session = sessions_visible(user, permission).filter(public_id=_uuid(public_id)).first()
    if session is None:
        raise NotFound()
    return session

"""Messages that people send us (through a channel's webhook).

`message_receive` stores the message once (a retried webhook carries the same external
id), finds or creates the contact (linked to a registry household when exactly one has
that phone), counts it unread in the inbox, attributes it to the campaign the person
is answering (their last campaign message of the last 72 hours), and honours the
opt-out and opt-in keywords with a short confirmation in the person's language."""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.text import normalise_phone
from sanad.feedback.models import Channel, Contact, Language, Message

logger = logging.getLogger(__name__)


def reply_window() -> datetime.timedelta:
    """How long after a campaign message a reply counts as an answer to it (setting
    SANAD_FEEDBACK_REPLY_WINDOW_HOURS, 72 by default)."""
    return datetime.timedelta(hours=getattr(settings, "SANAD_FEEDBACK_REPLY_WINDOW_HOURS", 72))


# A message that is exactly one of these words (any case, any punctuation around it).
OPT_OUT_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "optout",
        "ايقاف",
        "توقف",
        "توقيف",
        "الغاء",
        "الغاء الاشتراك",
        "راوەستان",
        "ڕاوەستان",
        "ڕاگرتن",
        "راگرتن",
        "rawestan",
        "rawestîne",
        "bes",
    }
)
OPT_IN_WORDS = frozenset(
    {
        "start",
        "subscribe",
        "اشتراك",
        "ابدا",
        "دەستپێکردن",
        "دەستپێبکە",
        "destpêk",
        "destpêbike",
    }
)

# Confirmations in the contact's language (short: one SMS in Arabic script).
CONFIRM_OPT_OUT: dict[str, str] = {
    Language.AR: "تم إيقاف رسائلنا إليك. أرسل START أو اشتراك للعودة.",
    Language.CKB: "ناردنی نامەکانمان بۆت ڕاگیرا. START بنێرە بۆ گەڕانەوە.",
    Language.KMR: "Peyamên me ji te re hatin rawestandin. Ji bo vegerê START bişîne.",
    Language.EN: "You will not receive our messages any more. Send START to subscribe again.",
}
CONFIRM_OPT_IN: dict[str, str] = {
    Language.AR: "تم تفعيل رسائلنا إليك مجدداً. أرسل STOP أو ايقاف للإيقاف.",
    Language.CKB: "نامەکانمان دووبارە بۆت دەنێردرێن. STOP بنێرە بۆ ڕاگرتن.",
    Language.KMR: "Tu dê dîsa peyamên me bistînî. Ji bo rawestandinê STOP bişîne.",
    Language.EN: "You will receive our messages again. Send STOP to stop them.",
}

_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ك": "ک", "ـ": None}
)


def keyword_of(text: str) -> str:
    """The text reduced to compare with the keywords: NFC, case-folded, Arabic letter
    variants folded, punctuation and extra spaces removed."""
    folded = unicodedata.normalize("NFC", text or "").casefold().translate(_ARABIC_FOLD)
    folded = re.sub(r"[^\w\s]", " ", folded)
    return " ".join(folded.split())


_OPT_OUT = frozenset(keyword_of(w) for w in OPT_OUT_WORDS)
_OPT_IN = frozenset(keyword_of(w) for w in OPT_IN_WORDS)


def is_opt_out(text: str) -> bool:
    key = keyword_of(text)
    return key in _OPT_OUT or key.replace(" ", "") in _OPT_OUT


def is_opt_in(text: str) -> bool:
    key = keyword_of(text)
    return key in _OPT_IN or key.replace(" ", "") in _OPT_IN


def phone_of(value: str) -> str:
    """An Iraqi mobile normalised (+9647…); another international number kept as
    +<digits>. Refused when it is neither."""
    try:
        return normalise_phone(value)
    except ValueError:
        digits = re.sub(r"\D", "", value or "")
        if (value or "").strip().startswith(("+", "00")) and 8 <= len(digits.lstrip("0")) <= 15:
            return "+" + digits.lstrip("0")
    message = _("The sender's phone number is not a valid number.")
    raise ValidationFailed(message, fields={"phone": [message]}, code="invalid_phone")


def _when(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, str) and value:
        parsed = parse_datetime(value.replace("Z", "+00:00"))
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    return timezone.now()


def _household_for(phone: str) -> Any:
    """The registry household with this phone, when exactly one has it."""
    from sanad.registry.selectors import households_all, households_matching

    found = list(households_matching(households_all(), phone)[:2])
    return found[0] if len(found) == 1 else None


def _contact_for(phone: str) -> Contact:
    contact = Contact.objects.filter(phone=phone).first()
    if contact is not None:
        return contact
    household = _household_for(phone)
    values: dict[str, Any] = {"source": Contact.Source.INBOUND}
    if household is not None:
        values.update(
            household=household,
            governorate_id=household.governorate_id,
            place_id=household.place_id,
        )
    contact, _created = Contact.objects.get_or_create(phone=phone, defaults=values)
    return contact


def message_receive(
    *,
    channel: Channel,
    phone: str,
    text: str,
    external_id: str = "",
    received_at: Any = None,
) -> Message:
    """Store a message a person sent us (once per external id and channel) and return
    it. Opt-out / opt-in keywords are honoured and confirmed."""
    phone = phone_of(phone)
    text = (text or "").strip()
    external_id = (external_id or "").strip()[:100]
    confirm: tuple[Contact, str, Message] | None = None
    with transaction.atomic():
        # One receiver per channel at a time: a webhook retried while the first call is
        # still running waits, then finds the message (idempotent on the external id).
        Channel.objects.select_for_update().filter(pk=channel.pk).first()
        if external_id:
            existing = Message.objects.filter(
                channel=channel, direction=Message.Direction.IN, external_id=external_id
            ).first()
            if existing is not None:
                return existing
        contact = _contact_for(phone)
        when = _when(received_at)
        last_campaign_message = (
            Message.objects.filter(
                contact=contact,
                direction=Message.Direction.OUT,
                campaign__isnull=False,
                created_at__gte=when - reply_window(),
            )
            .exclude(status__in=[Message.Status.CANCELLED, Message.Status.QUEUED])
            .order_by("-created_at", "-id")
            .first()
        )
        message = Message.objects.create(
            contact=contact,
            channel=channel,
            direction=Message.Direction.IN,
            text=text,
            language=contact.language,
            status=Message.Status.RECEIVED,
            external_id=external_id,
            campaign_id=last_campaign_message.campaign_id if last_campaign_message else None,
            reply_to=last_campaign_message,
        )
        if received_at:
            Message.objects.filter(pk=message.pk).update(created_at=when)
            message.created_at = when
        Contact.objects.filter(pk=contact.pk).update(
            unread=F("unread") + 1, last_message_at=max(when, contact.last_message_at or when)
        )
        contact.refresh_from_db(fields=["unread", "last_message_at"])
        if is_opt_out(text):
            from sanad.feedback.services.contacts import contact_opt_out

            contact_opt_out(contact=contact, via=f"sms:{channel.code}"[:40])
            confirm = (
                contact,
                CONFIRM_OPT_OUT.get(contact.language, CONFIRM_OPT_OUT["ar"]),
                message,
            )
        elif is_opt_in(text) and contact.opted_out_at is not None:
            from sanad.feedback.services.contacts import contact_opt_in

            contact_opt_in(contact=contact, user=None)
            confirm = (contact, CONFIRM_OPT_IN.get(contact.language, CONFIRM_OPT_IN["ar"]), message)
        if confirm is not None:
            from sanad.feedback.services.outbox import message_queue

            who, answer, inbound = confirm
            try:
                message_queue(
                    contact=who,
                    text=answer,
                    channel=channel if channel.is_messaging and channel.active else None,
                    reply_to=inbound,
                    confirmation=True,
                )
            except ApplicationError as exc:  # no channel to answer on: the opt-out stands
                logger.warning("opt-out confirmation not queued: %s", exc.code)
    return message

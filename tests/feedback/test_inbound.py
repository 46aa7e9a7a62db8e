"""Messages people send us: stored once, from a known or a new contact, counted unread,
attributed to the campaign they answer, and the opt-out keywords honoured."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sanad.core.errors import ApplicationError
from sanad.feedback.models import Campaign, Contact, Message
from sanad.feedback.services.inbound import is_opt_in, is_opt_out, message_receive
from sanad.feedback.services.outbox import message_queue
from tests.feedback.factories import make_channel, make_contact
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


def test_a_message_from_a_new_number_creates_an_inbound_contact_with_one_unread() -> None:
    channel = make_channel("log")
    message = message_receive(channel=channel, phone="0750 123 4567", text=" Hello ")
    contact = message.contact
    assert contact.phone == "+9647501234567"
    assert contact.source == Contact.Source.INBOUND
    assert contact.unread == 1 and contact.last_message_at is not None
    assert message.direction == Message.Direction.IN
    assert message.status == Message.Status.RECEIVED
    assert message.text == "Hello"


def test_a_message_from_a_known_contact_adds_to_their_unread() -> None:
    channel = make_channel("log")
    contact = make_contact(phone="+9647501112233")
    message_receive(channel=channel, phone="+9647501112233", text="one")
    message_receive(channel=channel, phone="07501112233", text="two")
    contact.refresh_from_db()
    assert contact.unread == 2
    assert Contact.objects.count() == 1


def test_a_new_number_of_a_registry_household_is_linked_to_it() -> None:
    household = make_household(phones=["07701234567"])
    message = message_receive(channel=make_channel("log"), phone="+9647701234567", text="hi")
    assert message.contact.household == household
    assert message.contact.governorate_id == household.governorate_id


def test_a_retried_webhook_stores_the_message_once() -> None:
    channel = make_channel("log")
    first = message_receive(channel=channel, phone="+9647501234567", text="hi", external_id="x1")
    again = message_receive(channel=channel, phone="+9647501234567", text="hi", external_id="x1")
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    assert first.contact.__class__.objects.get().unread == 1


def test_the_received_time_from_the_gateway_is_kept() -> None:
    when = "2026-11-24T09:15:42Z"
    message = message_receive(
        channel=make_channel("log"), phone="+9647501234567", text="hi", received_at=when
    )
    message.refresh_from_db()
    assert message.created_at == datetime.datetime(2026, 11, 24, 9, 15, 42, tzinfo=datetime.UTC)


def test_an_invalid_phone_is_refused() -> None:
    with pytest.raises(ApplicationError) as exc:
        message_receive(channel=make_channel("log"), phone="12", text="hi")
    assert exc.value.code == "invalid_phone"


def test_a_reply_is_attributed_to_the_campaign_sent_in_the_last_72_hours() -> None:
    channel = make_channel("log")
    contact = make_contact(phone="+9647501234567")
    campaign = Campaign.objects.create(
        name="Winter", topic="distribution", channel=channel, status="sending", text_ar="x"
    )
    sent = message_queue(contact=contact, text="x", campaign=campaign)
    Message.objects.filter(pk=sent.pk).update(status="delivered")
    reply = message_receive(channel=channel, phone=contact.phone, text="Thanks, where?")
    assert reply.campaign == campaign and reply.reply_to_id == sent.pk

    Message.objects.filter(pk=sent.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=73)
    )
    late = message_receive(channel=channel, phone=contact.phone, text="And now?")
    assert late.campaign is None


@pytest.mark.parametrize(
    "text", ["STOP", "stop.", " Unsubscribe ", "ايقاف", "إيقاف", "توقف", "راوەستان", "ڕاگرتن"]
)
def test_opt_out_keywords_are_recognised(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["please stop the noise at night", "stopping by", "hello"])
def test_a_message_that_only_contains_the_word_is_not_an_opt_out(text: str) -> None:
    assert not is_opt_out(text)


def test_stop_opts_the_contact_out_and_confirms_in_their_language() -> None:
    channel = make_channel("log")
    contact = make_contact(phone="+9647501234567", language="ckb")
    campaign = Campaign.objects.create(
        name="Winter", topic="distribution", channel=channel, status="sending", text_ar="x"
    )
    waiting = message_queue(contact=contact, text="x", campaign=campaign)
    Message.objects.filter(pk=waiting.pk).update(created_at=timezone.now())

    message_receive(channel=channel, phone=contact.phone, text="STOP")
    contact.refresh_from_db()
    assert contact.opted_out_at is not None
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED
    confirmation = Message.objects.filter(
        direction="out", status="queued", campaign__isnull=True
    ).get()
    assert "START" in confirmation.text and confirmation.language == "ckb"
    assert "ڕاگیرا" in confirmation.text
    with pytest.raises(ApplicationError):
        message_queue(contact=contact, text="Anything else")


def test_start_opts_the_contact_back_in() -> None:
    channel = make_channel("log")
    contact = make_contact(phone="+9647501234567", language="en", opted_out_at=timezone.now())
    assert is_opt_in("Start!") and is_opt_in("اشتراك")
    message_receive(channel=channel, phone=contact.phone, text="Start!")
    contact.refresh_from_db()
    assert contact.opted_out_at is None and contact.consent_given
    confirmation = Message.objects.get(direction="out")
    assert confirmation.text.startswith("You will receive our messages again")
    assert message_queue(contact=contact, text="Welcome back").status == "queued"


def test_start_from_a_contact_who_never_opted_out_is_just_a_message() -> None:
    channel = make_channel("log")
    contact = make_contact(phone="+9647501234567")
    message_receive(channel=channel, phone=contact.phone, text="start")
    assert not Message.objects.filter(direction="out").exists()

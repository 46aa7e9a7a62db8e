"""The outbox: queuing refuses who must not be messaged; the workers send at the rate,
retry with back-off, fail after the attempts, and record delivery reports."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from sanad.core.errors import ApplicationError, PermissionDenied
from sanad.feedback.models import Campaign, Channel, Message
from sanad.feedback.services.outbox import (
    message_queue,
    message_status_update,
    outbox_process,
)
from tests.factories import make_user
from tests.feedback.factories import make_channel, make_contact, make_inbound

pytestmark = pytest.mark.django_db
PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def rapidpro(**kwargs: Any) -> Channel:
    kwargs.setdefault("config", {"base_url": "https://rapidpro.example.org"})
    kwargs.setdefault("secret_env", "SANAD_TEST_RAPIDPRO_TOKEN")
    return make_channel("rapidpro", **kwargs)


class Gateway:
    """A fake gateway behind httpx.MockTransport: answers with the given statuses in
    turn (then the last one), and records the requests."""

    def __init__(self, *statuses: int, body: Any = None) -> None:
        self.statuses = list(statuses) or [201]
        self.body = body if body is not None else payload("rapidpro_broadcast_created.json")
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status >= 400:
            return httpx.Response(status, json={"detail": "nope"})
        body = dict(self.body)
        body["id"] = body.get("id", 0) + len(self.requests)
        return httpx.Response(status, json=body)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


# --- queuing -------------------------------------------------------------------------------
def test_a_message_to_a_contact_who_consented_is_queued_on_the_default_channel() -> None:
    make_channel("hotline")  # staff-logged: never a default
    sms = make_channel("log")
    contact = make_contact(language="ckb")
    message = message_queue(contact=contact, text="  Hello  ")
    assert message.status == Message.Status.QUEUED
    assert message.channel == sms
    assert message.text == "Hello"
    assert message.language == "ckb"
    contact.refresh_from_db()
    assert contact.last_message_at is not None


def test_the_default_channel_setting_names_the_channel_used(settings: Any) -> None:
    make_channel("log")
    chosen = make_channel("log", code="sms-main")
    settings.SANAD_FEEDBACK_DEFAULT_CHANNEL = "sms-main"
    assert message_queue(contact=make_contact(), text="Hi").channel == chosen


def test_nothing_is_queued_to_a_contact_who_opted_out() -> None:
    make_channel("log")
    contact = make_contact(opted_out_at=timezone.now())
    with pytest.raises(ApplicationError) as exc:
        message_queue(contact=contact, text="Hello")
    assert exc.value.code == "opted_out"
    assert not Message.objects.exists()


def test_nothing_is_queued_to_a_contact_without_consent() -> None:
    make_channel("log")
    with pytest.raises(ApplicationError) as exc:
        message_queue(contact=make_contact(consent_given=False), text="Hello")
    assert exc.value.code == "no_consent"


def test_an_answer_to_what_a_person_wrote_needs_no_recorded_consent() -> None:
    make_channel("log")
    contact = make_contact(consent_given=False)
    question = make_inbound(contact)
    reply = message_queue(contact=contact, text="On Sunday.", reply_to=question)
    assert reply.reply_to == question


def test_an_empty_text_is_refused() -> None:
    make_channel("log")
    with pytest.raises(ApplicationError) as exc:
        message_queue(contact=make_contact(), text="   ")
    assert exc.value.code == "empty_text"


def test_without_an_active_messaging_channel_nothing_can_be_sent() -> None:
    make_channel("log", active=False)
    hotline = make_channel("hotline")
    with pytest.raises(ApplicationError) as exc:
        message_queue(contact=make_contact(), text="Hello")
    assert exc.value.code == "channel_cannot_send"
    with pytest.raises(ApplicationError) as exc:
        message_queue(contact=make_contact(), text="Hello", channel=hotline)
    assert exc.value.code == "channel_cannot_send"


def test_a_user_without_the_reply_permission_cannot_send() -> None:
    make_channel("log")
    with pytest.raises(PermissionDenied):
        message_queue(contact=make_contact(), text="Hello", user=make_user("warehouse_officer"))
    sent = message_queue(contact=make_contact(), text="Hello", user=make_user("hotline_operator"))
    assert sent.created_by is not None


# --- sending -------------------------------------------------------------------------------
def test_the_log_channel_delivers_at_once() -> None:
    channel = make_channel("log")
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    assert outbox_process() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.delivered_at is not None and message.attempts == 1
    assert message.external_id.startswith("log-")


def test_rapidpro_gets_a_broadcast_with_the_token_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("SANAD_TEST_RAPIDPRO_TOKEN", "secret-token")
    channel = rapidpro()
    contact = make_contact(phone="+9647501234567")
    message = message_queue(contact=contact, text="Winter kits on Sunday.", channel=channel)
    gateway = Gateway(201)
    assert outbox_process(transport=gateway.transport) == 1
    request = gateway.requests[0]
    assert str(request.url) == "https://rapidpro.example.org/api/v2/broadcasts.json"
    assert request.headers["Authorization"] == "Token secret-token"
    assert json.loads(request.content) == {
        "urns": ["tel:+9647501234567"],
        "text": "Winter kits on Sunday.",
    }
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.external_id == "1234568"  # the broadcast id RapidPro answered


def test_a_gateway_error_is_retried_with_exponential_back_off(monkeypatch: Any) -> None:
    monkeypatch.setenv("SANAD_TEST_RAPIDPRO_TOKEN", "t")
    channel = rapidpro(retry_base_seconds=30, max_attempts=3)
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    gateway = Gateway(503)

    before = timezone.now()
    outbox_process(transport=gateway.transport)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert "503" in message.last_error
    assert message.next_attempt_at >= before + datetime.timedelta(seconds=29)
    first_wait = message.next_attempt_at - before

    # Not due yet: nothing is sent.
    assert outbox_process(transport=gateway.transport) == 0
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    outbox_process(transport=gateway.transport)
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - before > first_wait + datetime.timedelta(seconds=25)

    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    outbox_process(transport=gateway.transport)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 3
    assert message.failed_at is not None and message.next_attempt_at is None
    assert len(gateway.requests) == 3


def test_a_refused_number_fails_without_retrying(monkeypatch: Any) -> None:
    monkeypatch.setenv("SANAD_TEST_RAPIDPRO_TOKEN", "t")
    channel = rapidpro()
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    outbox_process(transport=Gateway(400).transport)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1


def test_a_missing_token_is_retried_so_fixing_the_environment_resumes_sending(
    monkeypatch: Any,
) -> None:
    monkeypatch.delenv("SANAD_TEST_RAPIDPRO_TOKEN", raising=False)
    channel = rapidpro()
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    gateway = Gateway(201)
    outbox_process(transport=gateway.transport)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert "SANAD_TEST_RAPIDPRO_TOKEN" in message.last_error
    assert not gateway.requests


def test_the_rate_limit_holds_across_passes() -> None:
    channel = make_channel("log", rate_per_minute=60)  # one a second, bucket of one
    contact = make_contact()
    for i in range(5):
        message_queue(contact=contact, text=f"Hello {i}", channel=channel)
    assert outbox_process() == 1
    assert outbox_process() == 0  # the bucket is empty: no token for a second
    channel.refresh_from_db()
    assert channel.tokens < 1 and channel.tokens_at is not None
    Channel.objects.filter(pk=channel.pk).update(
        tokens_at=timezone.now() - datetime.timedelta(seconds=10)
    )
    assert outbox_process() == 1  # the bucket holds one second of the rate, no more
    assert Message.objects.filter(status=Message.Status.DELIVERED).count() == 2


def test_a_message_left_sending_by_a_dead_worker_is_sent_again_after_the_lease() -> None:
    channel = make_channel("log")
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=4),
    )
    assert outbox_process() == 0
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert outbox_process() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED and message.attempts == 2


def test_only_the_given_channel_is_processed() -> None:
    first, second = make_channel("log"), make_channel("log")
    contact = make_contact()
    message_queue(contact=contact, text="a", channel=first)
    other = message_queue(contact=contact, text="b", channel=second)
    assert outbox_process(channel=first) == 1
    other.refresh_from_db()
    assert other.status == Message.Status.QUEUED


def test_cancelled_campaign_messages_are_not_sent() -> None:
    channel = make_channel("log")
    campaign = Campaign.objects.create(
        name="Winter", topic="distribution", channel=channel, status="sending", text_ar="x"
    )
    message = message_queue(contact=make_contact(), text="x", campaign=campaign)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.CANCELLED)
    assert outbox_process() == 0


# --- delivery reports ----------------------------------------------------------------------
def test_delivery_reports_move_a_message_forward_only() -> None:
    channel = make_channel("log")
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    Message.objects.filter(pk=message.pk).update(status="sent", external_id="b-1")
    assert message_status_update(channel=channel, external_id="b-1", status="delivered") == 1
    assert message_status_update(channel=channel, external_id="b-1", status="sent") == 0
    assert message_status_update(channel=channel, external_id="b-1", status="failed") == 0
    assert message_status_update(channel=channel, external_id="unknown", status="failed") == 0
    other = make_channel("log")
    assert message_status_update(channel=other, external_id="b-1", status="delivered") == 0
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED and message.delivered_at is not None


def test_a_failure_report_records_the_error() -> None:
    channel = make_channel("log")
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    Message.objects.filter(pk=message.pk).update(status="sent", external_id="b-2")
    message_status_update(channel=channel, external_id="b-2", status="failed", error="no route")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.last_error == "no route"


# --- the command ---------------------------------------------------------------------------
def test_the_outbox_command_sends_what_is_due_and_stops_with_once() -> None:
    channel = make_channel("log", code="sms-demo")
    contact = make_contact()
    for i in range(3):
        message_queue(contact=contact, text=f"Hello {i}", channel=channel)
    out = StringIO()
    call_command("outbox", "--once", "--no-periodic", stdout=out)
    assert Message.objects.filter(status=Message.Status.DELIVERED).count() == 3
    assert "sms-demo: sent 0, delivered 3" in out.getvalue()


def test_the_outbox_command_runs_the_periodic_duties() -> None:
    out, err = StringIO(), StringIO()
    call_command("outbox", "--once", stdout=out, stderr=err)
    assert "failed" not in err.getvalue()

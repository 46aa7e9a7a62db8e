"""Channels: the adapters read recorded gateway bodies, the webhooks authenticate with
the channel's token and store once, and the channel pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sanad.feedback.channels import Outgoing, adapter_for
from sanad.feedback.models import Channel, Contact, Message
from sanad.feedback.services.outbox import message_queue, outbox_process
from tests.conftest import client_for
from tests.factories import make_user
from tests.feedback.factories import make_channel, make_contact

pytestmark = pytest.mark.django_db
PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def rapidpro(**kwargs: Any) -> Channel:
    kwargs.setdefault("config", {"base_url": "https://rapidpro.example.org"})
    kwargs.setdefault("secret_env", "SANAD_TEST_RAPIDPRO_TOKEN")
    return make_channel("rapidpro", **kwargs)


def hook(channel: Channel, what: str = "inbound") -> str:
    return reverse(f"feedback-hook-{what}", kwargs={"code": channel.code})


def post(url: str, body: Any, **headers: str) -> Any:
    return APIClient().post(url, body, format="json", headers=headers)


# --- adapters ------------------------------------------------------------------------------
def test_rapidpro_reads_the_flow_webhook_with_input() -> None:
    parsed = adapter_for(rapidpro()).parse_inbound(payload("rapidpro_webhook_input.json"))
    assert parsed.phone == "+9647501234567"
    assert parsed.text == "متى التوزيع القادم؟"
    assert parsed.external_id == "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
    assert parsed.received_at == "2026-11-24T09:15:42.123456Z"


def test_rapidpro_reads_the_default_webhook_body_from_its_only_result() -> None:
    parsed = adapter_for(rapidpro()).parse_inbound(payload("rapidpro_webhook_default.json"))
    assert parsed.phone == "+9647501234567"
    assert parsed.text == "The water tank in block C is broken"
    assert parsed.external_id == ""


def test_rapidpro_reads_the_legacy_webhook_body() -> None:
    parsed = adapter_for(rapidpro()).parse_inbound(payload("rapidpro_webhook_legacy.json"))
    assert (parsed.phone, parsed.text) == ("+9647509876543", "STOP")
    assert parsed.external_id == "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"


def test_rapidpro_reads_message_statuses_by_broadcast() -> None:
    reports = adapter_for(rapidpro()).parse_status(payload("rapidpro_messages_status.json"))
    assert [(r.external_id, r.status) for r in reports] == [("1234567", "delivered")]
    assert adapter_for(rapidpro()).parse_status({"id": 5, "status": "queued"}) == []


def test_the_http_gateway_fills_its_body_template_and_reads_the_id(monkeypatch: Any) -> None:
    monkeypatch.setenv("SANAD_TEST_SMS_TOKEN", "k3y")
    channel = make_channel(
        "http_sms",
        secret_env="SANAD_TEST_SMS_TOKEN",
        config={
            "url": "https://sms.example.org/send",
            "body": {"msisdn": "{phone_digits}", "message": "{text}", "ref": "{id}"},
            "auth_header": "X-Api-Key",
            "auth_scheme": "",
            "response_id": "data.message_id",
        },
    )
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"message_id": "gw-77"}})

    adapter = adapter_for(channel, transport=httpx.MockTransport(gateway))
    result = adapter.send(Outgoing(id=1, public_id="p-1", phone="+9647501234567", text="{x} hi"))
    assert result.ok and result.external_id == "gw-77"
    assert seen[0].headers["X-Api-Key"] == "k3y"
    assert json.loads(seen[0].content) == {
        "msisdn": "9647501234567",
        "message": "{x} hi",
        "ref": "p-1",
    }


def test_a_network_failure_is_a_retry_not_a_crash(monkeypatch: Any) -> None:
    monkeypatch.setenv("SANAD_TEST_RAPIDPRO_TOKEN", "t")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    channel = rapidpro()
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    outbox_process(transport=httpx.MockTransport(down))
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and "ConnectError" in message.last_error


# --- webhooks ------------------------------------------------------------------------------
def test_the_inbound_webhook_refuses_a_wrong_or_missing_token() -> None:
    channel = rapidpro()
    body = payload("rapidpro_webhook_input.json")
    assert post(hook(channel), body).status_code == 401
    assert post(hook(channel), body, **{"X-Sanad-Token": "wrong"}).status_code == 401
    other = rapidpro()
    assert post(hook(channel), body, **{"X-Sanad-Token": other.inbound_token}).status_code == 401
    assert not Message.objects.exists()


def test_an_unknown_or_inactive_channel_answers_like_a_wrong_token() -> None:
    channel = rapidpro(active=False)
    body = payload("rapidpro_webhook_input.json")
    assert post(hook(channel), body, **{"X-Sanad-Token": channel.inbound_token}).status_code == 401
    url = reverse("feedback-hook-inbound", kwargs={"code": "nope"})
    assert post(url, body, **{"X-Sanad-Token": channel.inbound_token}).status_code == 401


def test_a_rapidpro_message_is_stored_once_even_when_the_webhook_is_retried() -> None:
    channel = rapidpro()
    body = payload("rapidpro_webhook_input.json")
    first = post(hook(channel), body, **{"X-Sanad-Token": channel.inbound_token})
    assert first.status_code == 200, first.content
    again = post(f"{hook(channel)}?token={channel.inbound_token}", body)
    assert again.status_code == 200
    assert first.json()["message"] == again.json()["message"]
    message = Message.objects.get()
    assert message.text == "متى التوزيع القادم؟" and message.channel == channel
    assert Contact.objects.get().unread == 1


def test_a_stop_through_rapidpro_opts_out_and_queues_the_confirmation() -> None:
    channel = rapidpro()
    make_contact(phone="+9647509876543", language="ar")
    response = post(
        hook(channel),
        payload("rapidpro_webhook_legacy.json"),
        **{"X-Sanad-Token": channel.inbound_token},
    )
    assert response.status_code == 200
    contact = Contact.objects.get(phone="+9647509876543")
    assert contact.opted_out_at is not None
    confirmation = Message.objects.get(direction="out")
    assert confirmation.channel == channel and "START" in confirmation.text


def test_an_unreadable_body_is_a_400() -> None:
    channel = rapidpro()
    response = post(hook(channel), {"hello": 1}, **{"X-Sanad-Token": channel.inbound_token})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook_body"


def test_the_status_webhook_records_delivery(monkeypatch: Any) -> None:
    channel = rapidpro()
    message = message_queue(contact=make_contact(), text="Hello", channel=channel)
    Message.objects.filter(pk=message.pk).update(status="sent", external_id="1234567")
    url = hook(channel, "status")
    body = payload("rapidpro_messages_status.json")
    assert post(url, body).status_code == 401
    response = post(url, body, **{"X-Sanad-Token": channel.inbound_token})
    assert response.status_code == 200 and response.json() == {"updated": 1}
    again = post(url, body, **{"X-Sanad-Token": channel.inbound_token})
    assert again.json() == {"updated": 0}
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


def test_the_http_gateway_webhooks_use_the_configured_fields() -> None:
    channel = make_channel(
        "http_sms",
        config={
            "url": "https://sms.example.org/send",
            "inbound": {"phone": "sender", "text": "body.text", "id": "msg_id"},
            "status": {"id": "ref", "status": "state"},
        },
    )
    headers = {"X-Sanad-Token": channel.inbound_token}
    response = post(
        hook(channel), {"sender": "07501234567", "body": {"text": "hi"}, "msg_id": "g1"}, **headers
    )
    assert response.status_code == 200
    assert Message.objects.get().text == "hi"
    out = message_queue(contact=make_contact(), text="Hello", channel=channel)
    Message.objects.filter(pk=out.pk).update(status="sent", external_id="r9")
    response = post(hook(channel, "status"), [{"ref": "r9", "state": "DELIVRD"}], **headers)
    assert response.json() == {"updated": 1}


def test_the_log_channel_accepts_the_simple_shape() -> None:
    channel = make_channel("log")
    response = post(
        hook(channel),
        {"phone": "+9647501234567", "text": "hello", "id": "1"},
        **{"X-Sanad-Token": channel.inbound_token},
    )
    assert response.status_code == 200


# --- pages ---------------------------------------------------------------------------------
def test_the_channel_list_shows_the_outbox_per_channel(django_assert_max_num_queries: Any) -> None:
    channel = make_channel("log", name="SMS (demo)")
    make_channel("hotline", name="Hotline 80069")
    contact = make_contact()
    for i in range(3):
        message_queue(contact=contact, text=f"m{i}", channel=channel)
    outbox_process(limit=2)
    client = client_for(make_user("me_viewer"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("feedback:channel_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SMS (demo)" in page and "Hotline 80069" in page
    row = next(c for c in response.context["channels"] if c.pk == channel.pk)
    assert (row.queued, row.delivered_24h, row.failed_24h) == (1, 2, 0)
    assert channel.inbound_token not in page  # the token is for managers only
    assert reverse("feedback:channel_create") not in page


def test_managers_see_the_webhook_address_with_its_token() -> None:
    channel = rapidpro()
    manager = make_user("feedback_manager")
    page = client_for(manager).get(reverse("feedback:channel_list")).content.decode()
    assert f"/api/v1/feedback/hooks/{channel.code}/inbound?token={channel.inbound_token}" in page


def test_the_channel_pages_need_their_permissions() -> None:
    channel = make_channel("log")
    nobody = client_for(make_user("warehouse_officer"))
    assert nobody.get(reverse("feedback:channel_list")).status_code == 403
    viewer = client_for(make_user("me_viewer"))
    assert viewer.get(reverse("feedback:channel_create")).status_code == 403
    url = reverse("feedback:channel_edit", kwargs={"public_id": channel.public_id})
    assert viewer.get(url).status_code == 403


def test_a_manager_creates_a_rapidpro_channel() -> None:
    client = client_for(make_user("feedback_manager"))
    response = client.post(
        reverse("feedback:channel_create"),
        {
            "name": "RapidPro Asiacell",
            "code": "rp-asiacell",
            "kind": "rapidpro",
            "active": "on",
            "rate_per_minute": "300",
            "max_attempts": "4",
            "retry_base_seconds": "60",
            "secret_env": "SANAD_RAPIDPRO_TOKEN",
            "base_url": "https://rapidpro.example.org",
            "url": "https://ignored.example.org",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = Channel.objects.get(code="rp-asiacell")
    assert channel.config == {"base_url": "https://rapidpro.example.org"}
    assert (channel.rate_per_minute, channel.max_attempts, channel.secret_env) == (
        300,
        4,
        "SANAD_RAPIDPRO_TOKEN",
    )
    page = client.get(response["Location"]).content.decode()
    assert channel.inbound_token in page


def test_a_rapidpro_channel_needs_its_address_and_token_variable() -> None:
    client = client_for(make_user("feedback_manager"))
    response = client.post(
        reverse("feedback:channel_create"),
        {
            "name": "RP",
            "code": "rp",
            "kind": "rapidpro",
            "rate_per_minute": "300",
            "max_attempts": "4",
            "retry_base_seconds": "60",
            "secret_env": "not a name",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "base_url" in errors and "secret_env" in errors
    assert not Channel.objects.filter(code="rp").exists()


def test_a_manager_edits_an_http_gateway_channel() -> None:
    channel = make_channel("http_sms", config={"url": "https://a.example.org", "extra": 1})
    client = client_for(make_user("feedback_manager"))
    url = reverse("feedback:channel_edit", kwargs={"public_id": channel.public_id})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Gateway",
            "kind": "http_sms",
            "active": "on",
            "rate_per_minute": "120",
            "max_attempts": "5",
            "retry_base_seconds": "30",
            "url": "https://b.example.org/send",
            "body": '{"to": "{phone}", "msg": "{text}"}',
            "inbound_phone": "from",
            "code": "changed",
        },
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.code != "changed"
    assert channel.config == {
        "url": "https://b.example.org/send",
        "body": {"to": "{phone}", "msg": "{text}"},
        "inbound": {"phone": "from"},
        "extra": 1,
    }
    assert channel.rate_per_minute == 120


def test_an_invalid_body_template_is_refused() -> None:
    channel = make_channel("http_sms", config={"url": "https://a.example.org"})
    client = client_for(make_user("feedback_manager"))
    url = reverse("feedback:channel_edit", kwargs={"public_id": channel.public_id})
    response = client.post(
        url,
        {
            "name": "Gateway",
            "kind": "http_sms",
            "rate_per_minute": "120",
            "max_attempts": "5",
            "retry_base_seconds": "30",
            "url": "https://b.example.org/send",
            "body": "{not json",
        },
    )
    assert response.status_code == 400
    assert "body" in response.context["form"].errors

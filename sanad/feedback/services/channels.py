"""Channels: create and edit them (feedback.manage_channel)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.feedback.models import MANAGE_CHANNEL, Channel

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,79}$")
FIELDS = (
    "name",
    "kind",
    "active",
    "config",
    "secret_env",
    "rate_per_minute",
    "max_attempts",
    "retry_base_seconds",
)


def _check(data: dict[str, Any], channel: Channel | None) -> None:
    errors: dict[str, list[str]] = {}
    env_name = str(data.get("secret_env") or "")
    if env_name and not ENV_NAME.match(env_name):
        errors["secret_env"] = [
            _(
                "Give the name of an environment variable, such as SANAD_RAPIDPRO_TOKEN (capitals, digits and _)."
            )
        ]
    kind = data.get("kind", channel.kind if channel else "")
    config = data.get("config") or {}
    if kind == Channel.Kind.RAPIDPRO and not config.get("base_url"):
        errors["base_url"] = [_("Give the address of the RapidPro server.")]
    if kind == Channel.Kind.HTTP_SMS and not config.get("url"):
        errors["url"] = [_("Give the address of the SMS gateway.")]
    if kind == Channel.Kind.RAPIDPRO and not env_name:
        errors["secret_env"] = [_("Name the environment variable that holds the RapidPro token.")]
    if channel is None and Channel.objects.filter(code=data.get("code")).exists():
        errors["code"] = [_("Another channel has this code. Choose another one.")]
    if errors:
        raise ValidationFailed(fields=errors, code="channel_invalid")


def channel_create(*, user: Any, data: dict[str, Any]) -> Channel:
    if not has_permission(user, MANAGE_CHANNEL):
        raise PermissionDenied()
    _check(data, None)
    with transaction.atomic():
        channel = Channel(code=data["code"], created_by=user)
        for name in FIELDS:
            if name in data:
                setattr(channel, name, data[name])
        channel.save()
    return channel


def channel_update(*, user: Any, channel: Channel, data: dict[str, Any]) -> Channel:
    if not has_permission(user, MANAGE_CHANNEL):
        raise PermissionDenied()
    _check(data, channel)
    with transaction.atomic():
        changed = []
        for name in FIELDS:
            if name in data and getattr(channel, name) != data[name]:
                setattr(channel, name, data[name])
                changed.append(name)
        if changed:
            channel.save(update_fields=[*changed, "updated_at"])
    return channel

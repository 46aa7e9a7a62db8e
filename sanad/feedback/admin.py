"""Django admin for feedback: channels, response standards and sessions only, read-only.

Cases, contacts and messages are deliberately absent: the Django admin does not apply
the sensitivity rules (`selectors.cases_for`), and a superuser must not find an abuse
report there. They are reached through the feedback pages and API only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.feedback.models import Channel, CommunitySession, ResponseStandard


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(_ReadOnly):
    list_display = ("name", "code", "kind", "active", "rate_per_minute")
    list_filter = ("kind", "active")
    exclude = ("inbound_token",)


@admin.register(ResponseStandard)
class ResponseStandardAdmin(_ReadOnly):
    list_display = ("category", "acknowledge_hours", "respond_days")


@admin.register(CommunitySession)
class CommunitySessionAdmin(_ReadOnly):
    list_display = ("title", "kind", "topic", "held_on")
    list_filter = ("kind", "topic")

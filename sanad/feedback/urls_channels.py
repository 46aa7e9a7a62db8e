"""URLs of the feedback app: channels."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.feedback.views import channels

urlpatterns: list[Any] = [
    path("channels/", channels.channel_list, name="channel_list"),
    path("channels/new/", channels.channel_create_view, name="channel_create"),
    path("channels/<uuid:public_id>/edit/", channels.channel_edit_view, name="channel_edit"),
]

"""Channel pages: the list with the state of each channel's outbox, and the form to
create or edit one (feedback.manage_channel). The webhook addresses, with their token,
are shown to managers only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.feedback.forms.channels import ChannelForm
from sanad.feedback.models import MANAGE_CHANNEL, VIEW_CAMPAIGN, Channel, Message
from sanad.feedback.services.channels import channel_create, channel_update


def _apply_errors(form: ChannelForm, exc: ValidationFailed) -> None:
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def hook_addresses(request: HttpRequest, channel: Channel) -> dict[str, str]:
    """The webhook addresses of a messaging channel, with its token."""
    if not channel.is_messaging:
        return {}
    urls = {}
    for what in ("inbound", "status"):
        try:
            path = reverse(f"feedback-hook-{what}", kwargs={"code": channel.code})
        except NoReverseMatch:
            return {}
        urls[what] = request.build_absolute_uri(path) + f"?token={channel.inbound_token}"
    return urls


def channels_with_outbox_state() -> Any:
    """Every channel with its outbox in numbers: waiting now, and sent, delivered and
    failed in the last 24 hours, and the next retry (one query)."""
    since = timezone.now() - timedelta(hours=24)
    out = Q(messages__direction=Message.Direction.OUT)
    return Channel.objects.annotate(
        queued=Count(
            "messages",
            filter=out & Q(messages__status__in=[Message.Status.QUEUED, Message.Status.SENDING]),
        ),
        sent_24h=Count("messages", filter=out & Q(messages__sent_at__gte=since)),
        delivered_24h=Count("messages", filter=out & Q(messages__delivered_at__gte=since)),
        failed_24h=Count(
            "messages", filter=out & Q(messages__status="failed", messages__failed_at__gte=since)
        ),
        next_retry=Min(
            "messages__next_attempt_at",
            filter=out & Q(messages__status=Message.Status.QUEUED, messages__attempts__gt=0),
        ),
    ).order_by("-active", "name")


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW_CAMPAIGN)
    can_manage = has_permission(request.user, MANAGE_CHANNEL)
    channels = list(channels_with_outbox_state())
    if can_manage:
        for channel in channels:
            channel.hooks = hook_addresses(request, channel)
    return render(
        request,
        "feedback/channels/list.html",
        {"channels": channels, "can_manage": can_manage, "tab": "channels"},
    )


def _form_page(request: HttpRequest, form: ChannelForm, channel: Channel | None) -> HttpResponse:
    return render(
        request,
        "feedback/channels/form.html",
        {
            "form": form,
            "channel": channel,
            "hooks": hook_addresses(request, channel) if channel else {},
            "messaging_kinds": " ".join(sorted(Channel.MESSAGING_KINDS)),
            "tab": "channels",
        },
        status=400 if form.errors else 200,
    )


@login_required
def channel_create_view(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CHANNEL)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = channel_create(user=request.user, data=form.service_data())
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The channel is saved."))
            return redirect("feedback:channel_edit", public_id=channel.public_id)
    return _form_page(request, form, None)


@login_required
def channel_edit_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_CHANNEL)
    channel = Channel.objects.filter(public_id=public_id).first()
    if channel is None:
        raise Http404
    form = ChannelForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        try:
            channel_update(user=request.user, channel=channel, data=form.service_data())
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The channel is saved."))
            return redirect("feedback:channel_list")
    return _form_page(request, form, channel)

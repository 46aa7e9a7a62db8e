"""The channel form: the common settings, then the adapter's settings as fields per kind
(shown for the kind chosen by `static/feedback/channel_form.js`)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.feedback.models import Channel

LTR = {"dir": "ltr"}

# form field → (kind, key in channel.config, sub-key)
CONFIG_FIELDS: dict[str, tuple[str, str, str]] = {
    "base_url": (Channel.Kind.RAPIDPRO, "base_url", ""),
    "result": (Channel.Kind.RAPIDPRO, "result", ""),
    "url": (Channel.Kind.HTTP_SMS, "url", ""),
    "method": (Channel.Kind.HTTP_SMS, "method", ""),
    "body": (Channel.Kind.HTTP_SMS, "body", ""),
    "auth_header": (Channel.Kind.HTTP_SMS, "auth_header", ""),
    "auth_scheme": (Channel.Kind.HTTP_SMS, "auth_scheme", ""),
    "response_id": (Channel.Kind.HTTP_SMS, "response_id", ""),
    "inbound_phone": (Channel.Kind.HTTP_SMS, "inbound", "phone"),
    "inbound_text": (Channel.Kind.HTTP_SMS, "inbound", "text"),
    "inbound_id": (Channel.Kind.HTTP_SMS, "inbound", "id"),
    "status_id": (Channel.Kind.HTTP_SMS, "status", "id"),
    "status_status": (Channel.Kind.HTTP_SMS, "status", "status"),
}
MESSAGING_ONLY = ("rate_per_minute", "max_attempts", "retry_base_seconds", "secret_env")


class ChannelForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short, such as sms-duhok. It is part of the webhook address."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Channel.Kind.choices)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    rate_per_minute = forms.IntegerField(
        label=_("Messages per minute at most"), min_value=1, max_value=600_000, initial=600
    )
    max_attempts = forms.IntegerField(
        label=_("Attempts before a message fails"), min_value=1, max_value=20, initial=5
    )
    retry_base_seconds = forms.IntegerField(
        label=_("First retry after (seconds)"),
        min_value=1,
        max_value=86_400,
        initial=30,
        help_text=_("Each further retry waits twice as long."),
    )
    secret_env = forms.CharField(
        label=_("Environment variable with the API token"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs=LTR),
        help_text=_(
            "Only the variable's name, such as SANAD_RAPIDPRO_TOKEN: the token itself is set "
            "on the server, never stored in the database."
        ),
    )
    # RapidPro
    base_url = forms.URLField(
        label=_("RapidPro address"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={**LTR, "placeholder": "https://rapidpro.example.org"}),
    )
    result = forms.CharField(
        label=_("Flow result holding the message"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=LTR),
        help_text=_("Only needed when the flow's webhook body has no input.text."),
    )
    # HTTP SMS gateway
    url = forms.CharField(
        label=_("Gateway address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "https://sms.example.org/send"}),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=[("POST", "POST"), ("GET", "GET")], required=False
    )
    body = forms.CharField(
        label=_("Body (JSON template)"),
        required=False,
        widget=forms.Textarea(attrs={**LTR, "rows": 3}),
        help_text=_(
            '{phone}, {phone_digits}, {text} and {id} are replaced. Empty: {"to": "{phone}", "text": "{text}"}.'
        ),
    )
    auth_header = forms.CharField(
        label=_("Header of the token"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "Authorization"}),
    )
    auth_scheme = forms.CharField(
        label=_("Before the token"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "Bearer"}),
    )
    response_id = forms.CharField(
        label=_("Message id in the answer"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "id"}),
    )
    inbound_phone = forms.CharField(
        label=_("Inbound: field of the phone"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "phone"}),
    )
    inbound_text = forms.CharField(
        label=_("Inbound: field of the text"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "text"}),
    )
    inbound_id = forms.CharField(
        label=_("Inbound: field of the message id"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "id"}),
    )
    status_id = forms.CharField(
        label=_("Delivery report: field of the message id"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "id"}),
    )
    status_status = forms.CharField(
        label=_("Delivery report: field of the status"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "placeholder": "status"}),
    )

    def __init__(self, *args: Any, channel: Channel | None = None, **kwargs: Any) -> None:
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(channel)
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change: the gateways call it.")
        for name, (kind, _key, _sub) in CONFIG_FIELDS.items():
            self.fields[name].widget.attrs["data-kind"] = kind
        for name in MESSAGING_ONLY:
            self.fields[name].widget.attrs["data-kind"] = "messaging"

    @staticmethod
    def initial_for(channel: Channel) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(channel, name)
            for name in ("name", "code", "kind", "active", *MESSAGING_ONLY)
        }
        config = channel.config or {}
        for name, (_kind, key, sub) in CONFIG_FIELDS.items():
            value = (config.get(key) or {}).get(sub) if sub else config.get(key)
            if name == "body" and isinstance(value, dict | list):
                value = json.dumps(value, ensure_ascii=False)
            if value not in (None, ""):
                initial[name] = value
        return initial

    def clean_body(self) -> Any:
        text = (self.cleaned_data.get("body") or "").strip()
        if not text:
            return ""
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write a JSON object, between { and }."))
        return value

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        kind = data["kind"]
        config: dict[str, Any] = {}
        for name, (for_kind, key, sub) in CONFIG_FIELDS.items():
            value = data.pop(name, "")
            if for_kind != kind or value in (None, ""):
                continue
            if sub:
                config.setdefault(key, {})[sub] = value
            else:
                config[key] = value
        # Settings of another kind are dropped; keys this form does not show are kept.
        if self.channel is not None and self.channel.kind == kind:
            shown = {key for (k, key, _s) in CONFIG_FIELDS.values() if k == kind}
            for key, value in (self.channel.config or {}).items():
                if key not in shown:
                    config.setdefault(key, value)
        data["config"] = config
        data["secret_env"] = (data.get("secret_env") or "").strip()
        if self.channel is not None:
            data.pop("code", None)
        return data

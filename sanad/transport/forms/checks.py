"""Forms of the departure and arrival pages: a tick (boarded, no-show, undo, arrived) or
a scanned card / typed registration id, completing, and incidents. They parse what
people type; the rules are in `transport.services.checks`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.transport.models import Convoy, ConvoyVehicle, Incident, MovementHousehold


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class CheckForm(forms.Form):
    """A tick on one household (`load`, the ConvoyLoad's public id) or a scan (`code`):
    one of the two."""

    action = forms.ChoiceField(
        choices=[
            ("boarded", _("Boarded")),
            ("no_show", _("No-show")),
            ("undo", _("Undo")),
            ("arrived", _("Arrived")),
            ("scan", _("Scan")),
        ]
    )
    load = forms.UUIDField(required=False)
    code = forms.CharField(label=_("Card or registration id"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "scan":
            if not (data.get("code") or "").strip():
                self.add_error("code", _("Scan the household card or type the registration id."))
        elif data.get("action") and not data.get("load"):
            self.add_error(None, _("Choose the household."))
        return data


class CompleteForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(),
    )


class VehicleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.vehicle.get_kind_display()} {obj.vehicle.plate_number}"


class HouseholdsField(forms.ModelMultipleChoiceField):
    """Households of the convoy, named by registration id."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.household.registration_id)


class IncidentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Incident.Severity.choices, initial=Incident.Severity.LOW
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    convoy_vehicle = VehicleChoiceField(
        label=_("Vehicle"),
        queryset=ConvoyVehicle.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    households = HouseholdsField(
        label=_("Households concerned"),
        queryset=MovementHousehold.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a missing passenger, tick the household."),
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    people_affected = forms.IntegerField(
        label=_("People affected"),
        min_value=0,
        max_value=32767,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    action_taken = forms.CharField(
        label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, convoy: Convoy, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["convoy_vehicle"])
        field.queryset = ConvoyVehicle.objects.filter(convoy=convoy).select_related("vehicle")
        households = cast(forms.ModelMultipleChoiceField, self.fields["households"])
        households.queryset = (
            MovementHousehold.objects.filter(loads__convoy=convoy)
            .exclude(loads__convoy=convoy, loads__status="no_show")
            .select_related("household")
            .order_by("household__registration_id")
        )

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}

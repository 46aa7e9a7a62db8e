"""Forms of the convoy pages. They parse what people type; the rules are in
`transport.services.convoys`, whose refusals the views put back on the page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.transport.models import Convoy, ConvoyLoad, ConvoyVehicle, Driver, Vehicle
from sanad.transport.models.convoys import OversizePolicy
from sanad.transport.selectors import convoys as selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class VehicleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        contractor = f" · {obj.contractor.name}" if obj.contractor_id else ""
        return (
            f"{obj.plate_number} · {obj.get_kind_display()} · "
            + str(_("%(seats)d seats") % {"seats": obj.seats})
            + contractor
        )


class DriverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} {obj.phone}".strip()


class ConvoyVehicleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.position}. {obj.vehicle.get_kind_display()} {obj.vehicle.plate_number}"


class ConvoyForm(BootstrapMixin, forms.Form):
    departs_on = forms.DateField(label=_("Departure date"), widget=DATE)
    departure_time = forms.TimeField(label=_("Departure time"), required=False, widget=TIME)
    oversize_policy = forms.ChoiceField(
        label=_("A family larger than any vehicle"),
        choices=OversizePolicy.choices,
        help_text=_("Refuse the plan and name the family, or give it vehicles of its own."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("oversize_policy", settings.SANAD_TRANSPORT_OVERSIZE_FAMILY)
        super().__init__(*args, **kwargs)


class VehicleAddForm(BootstrapMixin, forms.Form):
    vehicle = VehicleChoiceField(
        label=_("Vehicle"), queryset=Vehicle.objects.none(), to_field_name="public_id"
    )
    driver = DriverChoiceField(
        label=_("Driver"),
        queryset=Driver.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    escort_name = forms.CharField(
        label=_("Medical escort"),
        max_length=120,
        required=False,
        help_text=_("The escort takes one passenger seat."),
    )

    def __init__(self, *args: Any, user: Any, convoy: Convoy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "vehicle").queryset = selectors.vehicles_for_convoy(user, convoy)
        _model_field(self, "driver").queryset = selectors.drivers_for_convoy(user, convoy)


class VehicleChangeForm(forms.Form):
    """Set a vehicle's driver and escort, or take it out of the convoy (op=remove)."""

    convoy_vehicle = ConvoyVehicleChoiceField(
        label=_("Vehicle"), queryset=ConvoyVehicle.objects.none(), to_field_name="public_id"
    )
    driver = DriverChoiceField(
        label=_("Driver"),
        queryset=Driver.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    escort_name = forms.CharField(label=_("Medical escort"), max_length=120, required=False)

    def __init__(self, *args: Any, user: Any, convoy: Convoy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "convoy_vehicle").queryset = selectors.convoy_vehicles(convoy)
        # The vehicle's current driver stays choosable (he is "busy" in this convoy only).
        _model_field(self, "driver").queryset = selectors.drivers_for_convoy(user, convoy)


class MoveForm(forms.Form):
    """Move a household (a load of the convoy) to a vehicle, with its luggage by default
    or to a luggage vehicle; or unpin it, or take it out of the convoy."""

    load = forms.ModelChoiceField(
        label=_("Household"), queryset=ConvoyLoad.objects.none(), to_field_name="public_id"
    )
    convoy_vehicle = ConvoyVehicleChoiceField(
        label=_("Vehicle"),
        queryset=ConvoyVehicle.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    luggage_vehicle = ConvoyVehicleChoiceField(
        label=_("Luggage in"),
        queryset=ConvoyVehicle.objects.none(),
        to_field_name="public_id",
        required=False,
    )

    def __init__(self, *args: Any, convoy: Convoy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "load").queryset = ConvoyLoad.objects.filter(convoy=convoy)
        for name in ("convoy_vehicle", "luggage_vehicle"):
            _model_field(self, name).queryset = selectors.convoy_vehicles(convoy)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

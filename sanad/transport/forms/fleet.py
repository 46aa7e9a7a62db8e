"""Forms of the fleet pages. They parse what people type; the rules are in
`transport.services.fleet`, whose refusals the views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import grants_for
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.transport.models import (
    FLEET,
    Driver,
    TransportContract,
    TransportContractor,
    Vehicle,
    VehicleKind,
)
from sanad.transport.models.common import Currency
from sanad.transport.selectors import fleet as selectors
from sanad.transport.services._common import PROGRAMME

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WHOLE = forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"})
DECIMAL = forms.TextInput(attrs={"inputmode": "decimal"})


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def governorates_for(user: Any) -> Any:
    """The governorates where the user manages the fleet."""
    qs = AdminUnit.objects.filter(level=1).order_by("name_en")
    grants = grants_for(user, FLEET)
    if any(g.all_governorates for g in grants):
        return qs
    return qs.filter(pcode__in=sorted({c for g in grants for c in g.governorates}))


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class GovernoratesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ContractorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class _FleetForm(BootstrapMixin, forms.Form):
    governorates = GovernoratesField(
        label=_("Works in (governorates)"), queryset=AdminUnit.objects.none(), to_field_name="pcode"
    )

    def __init__(self, *args: Any, user: Any, current: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["governorates"]).queryset = governorates_for(user)
        if "contractor" in self.fields:
            # Active contractors the user manages, and the record's own (even suspended).
            keep = getattr(current, "contractor_id", None)
            _choices(self, "contractor").queryset = (
                selectors.contractors_visible(user, FLEET)
                .filter(Q(status="active") | Q(pk=keep or 0))
                .order_by("name")
            )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- contractors -----------------------------------------------------------------------


class ContractorForm(_FleetForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=60, required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = [
        "name",
        "registration_number",
        "contact_name",
        "phone",
        "email",
        "governorates",
        "notes",
    ]

    @staticmethod
    def initial_of(contractor: TransportContractor) -> dict[str, Any]:
        return {
            "name": contractor.name,
            "registration_number": contractor.registration_number,
            "contact_name": contractor.contact_name,
            "phone": contractor.phone,
            "email": contractor.email,
            "governorates": list(contractor.governorates.all()),
            "notes": contractor.notes,
        }


class ContractForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it automatically."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    rate_kind = forms.ChoiceField(
        label=_("Rate counted"),
        choices=TransportContract.RateKind.choices,
        initial=TransportContract.RateKind.PER_TRIP,
    )
    rate = forms.DecimalField(
        label=_("Rate amount"), min_value=0, max_digits=14, decimal_places=2, widget=DECIMAL
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="USD")
    project = ProjectChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_("The transportation project that pays, if one does."),
    )
    terms = forms.CharField(
        label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "project").queryset = (
            Project.objects.filter(programme__code=PROGRAMME)
            .exclude(status=Project.Status.CLOSED)
            .select_related("programme")
            .order_by("code")
        )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- vehicles --------------------------------------------------------------------------


class VehicleForm(_FleetForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=VehicleKind.choices)
    plate_number = forms.CharField(
        label=_("Plate number"),
        max_length=30,
        help_text=_("As on the plate, e.g. Duhok 12345 A."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    description = forms.CharField(label=_("Make and model"), max_length=120, required=False)
    contractor = ContractorChoiceField(
        label=_("Contractor"),
        queryset=TransportContractor.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("Owned by the organisation"),
    )
    seats = forms.IntegerField(
        label=_("Passenger seats"),
        min_value=0,
        max_value=120,
        widget=WHOLE,
        help_text=_("Not counting the driver."),
    )
    wheelchair_places = forms.IntegerField(
        label=_("Wheelchair places"), min_value=0, max_value=120, initial=0, widget=WHOLE
    )
    stretcher_places = forms.IntegerField(
        label=_("Stretcher places"), min_value=0, max_value=120, initial=0, widget=WHOLE
    )
    luggage_m3 = forms.DecimalField(
        label=_("Luggage capacity (m³)"),
        min_value=0,
        max_digits=7,
        decimal_places=2,
        initial=0,
        widget=DECIMAL,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = [
        "kind",
        "plate_number",
        "description",
        "contractor",
        "seats",
        "wheelchair_places",
        "stretcher_places",
        "luggage_m3",
        "governorates",
        "notes",
    ]

    @staticmethod
    def initial_of(vehicle: Vehicle) -> dict[str, Any]:
        return {
            "kind": vehicle.kind,
            "plate_number": vehicle.plate_number,
            "description": vehicle.description,
            "contractor": vehicle.contractor.public_id if vehicle.contractor else None,
            "seats": vehicle.seats,
            "wheelchair_places": vehicle.wheelchair_places,
            "stretcher_places": vehicle.stretcher_places,
            "luggage_m3": vehicle.luggage_m3,
            "governorates": list(vehicle.governorates.all()),
            "notes": vehicle.notes,
        }


# --- drivers ---------------------------------------------------------------------------


class DriverForm(_FleetForm):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput({"dir": "auto"}))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
    )
    licence_number = forms.CharField(
        label=_("Driving licence number"), max_length=40, required=False
    )
    licence_expires_on = forms.DateField(label=_("Licence expires on"), required=False, widget=DATE)
    contractor = ContractorChoiceField(
        label=_("Contractor"),
        queryset=TransportContractor.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("Staff of the organisation"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    field_order = [
        "name",
        "phone",
        "licence_number",
        "licence_expires_on",
        "contractor",
        "governorates",
        "is_active",
    ]

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]

    @staticmethod
    def initial_of(driver: Driver) -> dict[str, Any]:
        return {
            "name": driver.name,
            "phone": driver.phone,
            "licence_number": driver.licence_number,
            "licence_expires_on": driver.licence_expires_on,
            "contractor": driver.contractor.public_id if driver.contractor else None,
            "governorates": list(driver.governorates.all()),
            "is_active": driver.is_active,
        }


# --- status changes --------------------------------------------------------------------


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

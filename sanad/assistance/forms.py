"""Forms only parse what people type; the rules live in `assistance.services`, whose
errors the views put back on the form."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.assistance.models import AssistanceKind
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import Place
from sanad.programmes.models import Activity, Currency, Programme, Project

RECORD = "assistance.record_assistance"


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Show a service's refusal on the form: each message beside its field."""
    for field, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class RecordForm(BootstrapMixin, forms.Form):
    """A delivery a programme officer records by hand (not through a module)."""

    household = forms.CharField(
        label=_("Household"),
        max_length=40,
        help_text=_("The registration id on the household card, such as SND-7K3M-Q9PX."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), to_field_name="code"
    )
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Donor project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("No project"),
    )
    activity: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Activity"),
        queryset=Activity.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("No activity"),
    )
    kind = forms.ChoiceField(label=_("Kind of assistance"), choices=AssistanceKind.choices)
    item = forms.CharField(
        label=_("Item"),
        max_length=80,
        help_text=_("The item, kit or service code, such as winter_kit or cash_for_rent."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        help_text=_("Such as kit, piece or litre."),
    )
    value = forms.DecimalField(
        label=_("Value"),
        required=False,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        choices=[("", _("No value")), *Currency.choices],
    )
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate (IQD per USD)"),
        required=False,
        max_digits=12,
        decimal_places=4,
        help_text=_("The rate of the day, recorded with every amount, such as 1310."),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )
    delivered_on = forms.DateField(
        label=_("Date of the delivery"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Where the household lives"),
    )
    # Generated when the form is shown: submitting the same form twice records once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput(), max_length=64, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("delivered_on", timezone.localdate())
        kwargs["initial"].setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)
        programmes = scoped(Programme.objects.order_by("code"), user, RECORD)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        if programmes.count() > 1:
            cast(forms.ModelChoiceField, self.fields["programme"]).empty_label = _(
                "Choose a programme"
            )
        codes = list(programmes.values_list("code", flat=True))
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = Project.objects.filter(
            programme__code__in=codes
        ).order_by("code")
        cast(forms.ModelChoiceField, self.fields["activity"]).queryset = (
            Activity.objects.filter(project__programme__code__in=codes)
            .select_related("project")
            .order_by("project__code", "code")
        )
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = scoped(
            Place.objects.filter(status=Place.Status.OPEN).order_by("name_en"), user, RECORD
        )
        self.fields["activity"].label_from_instance = lambda a: f"{a.project.code} · {a}"  # type: ignore[attr-defined]

    def clean_idempotency_key(self) -> str:
        key = (self.cleaned_data.get("idempotency_key") or "").strip()
        try:
            return str(uuid.UUID(key))
        except ValueError:
            return new_idempotency_key()

"""Forms of the monitoring pages: a round's numbers (one column on a phone), the list and
gap-report filters, reopening with a reason, and a standard. They parse what people
type; `camps.services.monitoring` checks the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.camps.models import MonitoringRound, Site, Standard
from sanad.camps.selectors.monitoring import parse_month
from sanad.camps.services.monitoring import COUNT_FIELDS, DECIMAL_FIELDS
from sanad.core.errors import ValidationFailed
from sanad.geo.models import AdminUnit

MONTH = forms.TextInput(
    attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}
)


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class MonthField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MONTH)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class RoundForm(BootstrapMixin, forms.Form):
    """The numbers of a round, in the order an enumerator walks the site."""

    individuals = forms.IntegerField(
        label=_("People living on the site"),
        min_value=0,
        required=False,
        help_text=_("From the site's population for the month; correct it if you counted."),
    )
    households = forms.IntegerField(
        label=_("Households living on the site"), min_value=0, required=False
    )
    latrines = forms.IntegerField(label=_("Latrines (working)"), min_value=0, initial=0)
    showers = forms.IntegerField(label=_("Showers (working)"), min_value=0, initial=0)
    water_taps = forms.IntegerField(label=_("Water taps (working)"), min_value=0, initial=0)
    water_litres_per_day = forms.IntegerField(
        label=_("Water supplied (litres a day)"), min_value=0, initial=0
    )
    covered_area_m2 = forms.DecimalField(
        label=_("Covered shelter area (m²)"),
        min_value=0,
        decimal_places=1,
        max_digits=12,
        initial=0,
    )
    shelters = forms.IntegerField(label=_("Shelters occupied"), min_value=0, initial=0)
    lighting_points = forms.IntegerField(label=_("Working lights"), min_value=0, initial=0)
    health_post_distance_km = forms.DecimalField(
        label=_("Distance to the health post (km)"),
        min_value=0,
        decimal_places=1,
        max_digits=6,
        required=False,
        help_text=_("0 when there is a health post on the site."),
    )
    schools = forms.IntegerField(label=_("Schools"), min_value=0, initial=0)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*COUNT_FIELDS, *DECIMAL_FIELDS):
            self.fields[name].widget.attrs.setdefault(
                "inputmode", "numeric" if name in COUNT_FIELDS else "decimal"
            )

    def service_data(self, *, creating: bool = False) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("site", None)
        data.pop("month", None)
        if creating:
            # Left empty: the service fills in the site's population for the month.
            for key in ("individuals", "households"):
                if data.get(key) is None:
                    data.pop(key, None)
        return data


class RoundCreateForm(RoundForm):
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), to_field_name="public_id"
    )
    month = MonthField(label=_("Month"))

    field_order = ["site", "month"]

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites
        self.order_fields(["site", "month", *COUNT_FIELDS, *DECIMAL_FIELDS, "notes"])


class RoundFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), to_field_name="public_id", required=False
    )
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *MonitoringRound.Status.choices],
        required=False,
    )
    gaps = forms.BooleanField(label=_("With gaps only"), required=False)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites
        field.empty_label = _("All sites")

    def filters(self) -> dict[str, Any]:
        """The selectors' filters; call after is_valid()."""
        out: dict[str, Any] = {}
        data = self.cleaned_data
        if data.get("site"):
            out["site"] = str(data["site"].public_id)
        if data.get("month"):
            out["month"] = data["month"].strftime("%Y-%m")
        if data.get("status"):
            out["status"] = data["status"]
        if data.get("gaps"):
            out["gaps"] = "1"
        return out


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Why it is reopened"), max_length=300)


class GapFilterForm(BootstrapMixin, forms.Form):
    until = MonthField(label=_("Until the month"), required=False)
    months = forms.TypedChoiceField(
        label=_("Months shown"),
        choices=[(3, "3"), (6, "6"), (12, "12")],
        coerce=int,
        required=False,
        initial=6,  # what the page shows when nothing is chosen
        empty_value=6,  # type: ignore[arg-type]
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"),
        queryset=AdminUnit.objects.none(),
        to_field_name="pcode",
        required=False,
    )

    def __init__(self, *args: Any, governorates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["governorate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = governorates
        field.empty_label = _("All governorates")


class StandardForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["name", "direction", "threshold", "unit", "source", "active"]

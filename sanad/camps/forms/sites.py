"""Forms of the sites part: site, plots, allocation, population count, closure plans.
They only adapt input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.models import Organisation
from sanad.camps.models import ClosureHousehold, ClosurePlan, Plot, Site
from sanad.camps.services.sites import AGE_GROUPS, SEXES, SITE_KINDS
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit, Place

DATE = forms.DateInput(attrs={"type": "date"})
MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if isinstance(field, forms.IntegerField):
                widget.attrs.setdefault("inputmode", "numeric")


class SiteForm(StyledForm):
    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        help_text=_("A formal camp, informal site or collective centre not yet registered."),
    )
    managing_agency = forms.ModelChoiceField(
        label=_("Managing agency"), queryset=Organisation.objects.all(), required=False
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=Organisation.objects.all(), required=False
    )
    capacity_plots = forms.IntegerField(label=_("Plots"), min_value=0, initial=0)
    capacity_shelters = forms.IntegerField(label=_("Shelters"), min_value=0, initial=0)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DATE)
    tenure = forms.ChoiceField(label=_("Land tenure"), choices=Site.Tenure.choices)
    eviction_risk = forms.ChoiceField(
        label=_("Eviction risk"),
        choices=[("", _("Not assessed")), *Site.Risk.choices],
        required=False,
    )
    shelter_types = forms.CharField(
        label=_("Shelters by type"),
        required=False,
        help_text=_("One per line: type and count, such as “tent: 120”."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    services_notes = forms.CharField(
        label=_("Services on site"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, site: Site | None = None, **kwargs: Any) -> None:
        if site is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(site, f) for f in _SITE_FORM_FIELDS},
                "shelter_types": "\n".join(
                    f"{k}: {v}" for k, v in (site.shelter_types or {}).items()
                ),
            }
        super().__init__(*args, **kwargs)
        self.site = site
        if site is not None:
            del self.fields["place"]
        else:
            place_field = self.fields["place"]
            assert isinstance(place_field, forms.ModelChoiceField)
            place_field.queryset = scoped(
                Place.objects.filter(kind__in=SITE_KINDS, site__isnull=True).select_related(
                    "admin_unit"
                ),
                user,
                "geo.view_place",
            )
            del self.fields["closed_on"]

    def clean_shelter_types(self) -> dict[str, int]:
        types: dict[str, int] = {}
        for line in (self.cleaned_data.get("shelter_types") or "").splitlines():
            if not line.strip():
                continue
            name, sep, count = line.rpartition(":")
            try:
                types[name.strip() or line.strip()] = int(count.strip()) if sep else 0
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Write each line as a type and a count, such as “tent: 120”.")
                ) from exc
        return types

    def data_for_service(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "place"}
        return data


_SITE_FORM_FIELDS = (
    "managing_agency",
    "authority",
    "capacity_plots",
    "capacity_shelters",
    "opened_on",
    "closed_on",
    "tenure",
    "eviction_risk",
    "services_notes",
    "notes",
)


class PlotsForm(StyledForm):
    codes = forms.CharField(
        label=_("Codes"),
        help_text=_("One code, or a range such as A-1..A-40; several separated by commas."),
        max_length=2000,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Plot.Kind.choices)
    sector = forms.CharField(label=_("Sector or block"), required=False, max_length=40)
    capacity_people = forms.IntegerField(
        label=_("People it can hold"), min_value=1, max_value=100, initial=5
    )


def _plot_label(plot: Any) -> str:
    return f"{plot.code} ({plot.get_kind_display()})"


class AllocateForm(StyledForm):
    registration_id = forms.CharField(label=_("Household registration id"), max_length=20)
    plot = forms.ModelChoiceField(label=_("Plot"), queryset=Plot.objects.none(), required=False)
    started_on = forms.DateField(label=_("Moved in on"), widget=DATE)

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plot_field = self.fields["plot"]
        assert isinstance(plot_field, forms.ModelChoiceField)
        plot_field.queryset = site.plots.exclude(
            pk__in=site.allocations.filter(ended_on__isnull=True, plot__isnull=False).values(
                "plot_id"
            )
        ).order_by("code")
        plot_field.label_from_instance = _plot_label  # type: ignore[assignment,method-assign]


class EndAllocationForm(StyledForm):
    ended_on = forms.DateField(label=_("Left on"), widget=DATE)
    reason = forms.CharField(label=_("Why"), required=False, max_length=200)


class PopulationForm(StyledForm):
    month = forms.CharField(label=_("Month"), widget=MONTH, max_length=10)
    households = forms.IntegerField(label=_("Households"), min_value=0)
    individuals = forms.IntegerField(label=_("Individuals"), min_value=0)
    arrivals = forms.IntegerField(label=_("Households arrived"), min_value=0, initial=0)
    departures = forms.IntegerField(label=_("Households left"), min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {"female": _("Women and girls"), "male": _("Men and boys")}
        for sex in SEXES:
            for group in AGE_GROUPS:
                self.fields[f"{sex}_{group}"] = forms.IntegerField(
                    label=f"{labels[sex]} {group}", min_value=0, required=False
                )
        self.style()

    def breakdown(self) -> dict[str, dict[str, int]]:
        return {
            sex: {g: self.cleaned_data.get(f"{sex}_{g}") or 0 for g in AGE_GROUPS} for sex in SEXES
        }


class ClosureForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ClosurePlan.Kind.choices)
    target_date = forms.DateField(label=_("Target date"), widget=DATE)
    reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClosureHouseholdForm(StyledForm):
    destination = forms.ModelChoiceField(
        label=_("Destination"), queryset=Place.objects.none(), required=False
    )
    destination_admin_unit = forms.ModelChoiceField(
        label=_("Destination area"),
        queryset=AdminUnit.objects.filter(level__gte=2).order_by("name_en"),
        required=False,
        to_field_name="pcode",
    )
    move_on = forms.DateField(label=_("Moves on"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ClosureHousehold.Status.choices)
    note = forms.CharField(label=_("Note or reason"), required=False, max_length=300)

    def __init__(self, *args: Any, user: Any, exclude_place: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dest = self.fields["destination"]
        assert isinstance(dest, forms.ModelChoiceField)
        qs = scoped(
            Place.objects.filter(kind__in=(*SITE_KINDS, Place.Kind.VILLAGE), status="open"),
            user,
            "geo.view_place",
        )
        if exclude_place is not None:
            qs = qs.exclude(pk=exclude_place)
        dest.queryset = qs.order_by("name_en")


class AddHouseholdForm(StyledForm):
    registration_id = forms.CharField(label=_("Household registration id"), max_length=20)


class TransitionForm(StyledForm):
    to = forms.ChoiceField(choices=ClosurePlan.Status.choices)
    reason = forms.CharField(required=False, max_length=300)

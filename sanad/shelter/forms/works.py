"""Forms of the site-upgrade and camp-road pages. They parse what people type; the rules
are in `shelter.services.works`, whose refusals the views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.camps.models import Site
from sanad.core.errors import ValidationFailed
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import Contract
from sanad.shelter.models.common import Currency
from sanad.shelter.models.works import RoadProject, SiteUpgrade
from sanad.shelter.selectors import works as selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal"}


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.place.name} ({obj.place.code})"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.contractor.name}"


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class _WorksForm(BootstrapMixin, forms.Form):
    project = ProjectChoiceField(
        label=_("Project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    budget = forms.DecimalField(
        label=_("Budget"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    contract = ContractChoiceField(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_("When a contractor does the works."),
    )
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "project").queryset = selectors.projects_for_works(user)
        _model_field(self, "contract").queryset = selectors.contracts_for_works(user)


class UpgradeForm(_WorksForm):
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none(), to_field_name="public_id")
    kind = forms.ChoiceField(label=_("Kind of upgrade"), choices=SiteUpgrade.Kind.choices)
    planned_households = forms.IntegerField(
        label=_("Households planned"),
        min_value=1,
        widget=forms.NumberInput({"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    spent = forms.DecimalField(
        label=_("Spent so far"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
    )
    field_order = [
        "site",
        "kind",
        "project",
        "planned_households",
        "budget",
        "currency",
        "spent",
        "contract",
        "planned_start",
        "planned_end",
        "description",
    ]

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if editing:
            del self.fields["site"]
        else:
            del self.fields["spent"]
            _model_field(self, "site").queryset = selectors.sites_for_works(user)

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("site", None)
        return d


class RoadForm(_WorksForm):
    name = forms.CharField(label=_("Road"), max_length=200)
    site = SiteChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_("Leave empty for a road to a camp or between sites."),
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"),
        queryset=AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en"),
        required=False,
        to_field_name="pcode",
        help_text=_("The site's governorate when a site is chosen."),
    )
    length_m = forms.DecimalField(
        label=_("Length (m)"),
        min_value=0,
        max_digits=9,
        decimal_places=1,
        widget=forms.TextInput(NUMBER),
    )
    width_m = forms.DecimalField(
        label=_("Width (m)"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
    )
    surface = forms.ChoiceField(label=_("Surface"), choices=RoadProject.Surface.choices)
    field_order = [
        "name",
        "site",
        "governorate",
        "project",
        "length_m",
        "width_m",
        "surface",
        "budget",
        "currency",
        "contract",
        "planned_start",
        "planned_end",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _model_field(self, "site").queryset = selectors.sites_for_works(user)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ResidentsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.registration_id)


class ReachedForm(BootstrapMixin, forms.Form):
    """Households an upgrade reached: ticked among the residents not reached yet, or
    typed by registration id (one per line or separated by commas)."""

    households = ResidentsChoiceField(
        label=_("Residents"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    registration_ids = forms.CharField(
        label=_("Or registration ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
        help_text=_("One per line, or separated by commas."),
    )
    delivered_on = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args: Any, residents: list[Any], **kwargs: Any) -> None:
        from sanad.registry.models import Household

        super().__init__(*args, **kwargs)
        _model_field(self, "households").queryset = Household.objects.filter(
            pk__in=[a.household_id for a in residents]
        )

    def registration_id_list(self) -> list[str]:
        raw = self.cleaned_data.get("registration_ids") or ""
        return [p.strip() for p in raw.replace(",", "\n").splitlines() if p.strip()]


class ProgressForm(BootstrapMixin, forms.Form):
    reported_on = forms.DateField(label=_("Date"), widget=DATE)
    length_done_m = forms.DecimalField(
        label=_("Length done to date (m)"),
        min_value=0,
        max_digits=9,
        decimal_places=1,
        widget=forms.TextInput(NUMBER),
    )
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
        help_text=_("Leave empty: length done ÷ length."),
    )
    spent_to_date = forms.DecimalField(
        label=_("Spent to date"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StartForm(BootstrapMixin, forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=DATE)


class CompleteForm(BootstrapMixin, forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    spent = forms.DecimalField(
        label=_("Final spending"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
    )


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)

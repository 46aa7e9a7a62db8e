"""Forms only parse what people type; the rules live in services, whose errors the views
put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.programmes.models import Currency, Project
from sanad.programmes.selectors import donors, programmes_managed_by


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Show a service's refusal on the form: each message beside its field."""
    for field, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class ProjectForm(BootstrapMixin, forms.Form):
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"), queryset=None, to_field_name="code", empty_label=None
    )
    code = forms.CharField(
        label=_("Project code"),
        max_length=40,
        help_text=_("The code of the donor agreement, such as ECHO-IRQ-2026-01."),
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    donor: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Donor"), queryset=None, to_field_name="public_id"
    )
    start_date = forms.DateField(label=_("Start date"), widget=_date())
    end_date = forms.DateField(label=_("End date"), widget=_date())
    currency = forms.ChoiceField(
        label=_("Currency"), choices=Currency.choices, initial=Currency.USD
    )
    # No min_value here: the service says what is wrong with every field at once.
    budget = forms.DecimalField(
        label=_("Budget"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    governorates = forms.MultipleChoiceField(
        label=_("Governorates"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Where the project works."),
    )

    def __init__(
        self, *args: Any, user: Any, project: Project | None = None, **kwargs: Any
    ) -> None:
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "programme": project.programme.code,
                "code": project.code,
                "title": project.title,
                "donor": project.donor.public_id,
                "start_date": project.start_date,
                "end_date": project.end_date,
                "currency": project.currency,
                "budget": project.budget,
                "governorates": [g.pcode for g in project.governorates.all()],
            }
        super().__init__(*args, **kwargs)
        from sanad.geo.models import AdminUnit

        programme_field = cast(forms.ModelChoiceField, self.fields["programme"])
        programme_field.queryset = programmes_managed_by(user)
        if project is None and programme_field.queryset.count() > 1:
            programme_field.empty_label = _("Choose a programme")
        donor_qs = donors()
        if project is not None:
            # Keep the current donor selectable even if it was deactivated since.
            donor_qs = (donor_qs | donors(active_only=False).filter(pk=project.donor_id)).distinct()
        cast(forms.ModelChoiceField, self.fields["donor"]).queryset = donor_qs
        cast(forms.MultipleChoiceField, self.fields["governorates"]).choices = [
            (u.pcode, f"{u.name} ({u.pcode})")
            for u in AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")
        ]


class ActivityForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("As in the logframe, such as 1.1.")
    )
    name = forms.CharField(label=_("Name"), max_length=250)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TargetForm(BootstrapMixin, forms.Form):
    indicator = forms.CharField(
        label=_("Indicator code"), max_length=80, help_text=_("For example people_reached_nfi.")
    )
    label = forms.CharField(label=_("What is counted"), max_length=250)
    unit = forms.CharField(label=_("Unit"), max_length=40, initial="people")
    period_start = forms.DateField(label=_("Period start"), widget=_date())
    period_end = forms.DateField(label=_("Period end"), widget=_date())
    value = forms.DecimalField(
        label=_("Target"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(
        choices=[(Project.Status.ACTIVE, _("Active")), (Project.Status.CLOSED, _("Closed"))]
    )
    reason = forms.CharField(required=False, max_length=2000)

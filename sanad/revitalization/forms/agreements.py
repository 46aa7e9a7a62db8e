"""Forms of the business plan, agreement, tranche and visit pages. They parse what
people type; the rules are in `services.grants.agreements` and `services.grants.visits`,
whose refusals the views put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ApplicationError
from sanad.revitalization.models import GrantAgreement, GrantVisit, RevenueBand

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"inputmode": "decimal", "dir": "ltr"}
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
EXTRA_LINES = 3


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class BudgetLineForm(forms.Form):
    item = forms.CharField(label=_("What it buys"), max_length=200, required=False)
    quantity = forms.CharField(
        label=_("Quantity"), max_length=20, required=False, widget=forms.TextInput(attrs=DECIMAL)
    )
    unit_cost = forms.CharField(
        label=_("Unit cost"), max_length=24, required=False, widget=forms.TextInput(attrs=DECIMAL)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update(
            {"class": "form-control form-control-sm", "data-line": "item"}
        )
        self.fields["quantity"].widget.attrs.update(
            {"class": "form-control form-control-sm text-end", "data-line": "quantity"}
        )
        self.fields["unit_cost"].widget.attrs.update(
            {"class": "form-control form-control-sm text-end", "data-line": "unit_cost"}
        )


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, extra=EXTRA_LINES, max_num=40, absolute_max=60
)


def budget_formset(data: Any = None, lines: list[dict[str, Any]] | None = None) -> Any:
    initial = [
        {
            "item": line.get("item"),
            "quantity": line.get("quantity"),
            "unit_cost": line.get("unit_cost"),
        }
        for line in lines or []
    ]
    return BudgetLineFormSet(data, initial=initial, prefix="lines")


def formset_lines(formset: Any) -> list[dict[str, Any]]:
    return [
        {
            "item": f.cleaned_data.get("item", ""),
            "quantity": f.cleaned_data.get("quantity", ""),
            "unit_cost": f.cleaned_data.get("unit_cost", ""),
        }
        for f in formset.forms
        if getattr(f, "cleaned_data", None)
    ]


class BusinessPlanForm(BootstrapMixin, forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The business, what the grant buys and how it will earn."),
    )
    own_contribution = forms.CharField(
        label=_("Own contribution"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL),
        help_text=_("What the grantee puts in, in the call's currency."),
    )
    jobs_expected = forms.IntegerField(label=_("Jobs expected"), min_value=0, max_value=1000)
    revenue_band_expected = forms.ChoiceField(
        label=_("Revenue expected"),
        required=False,
        choices=[("", "—"), *RevenueBand.choices],
    )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "summary": data["summary"],
            "own_contribution": data.get("own_contribution") or 0,
            "jobs_expected": data.get("jobs_expected") or 0,
            "revenue_band_expected": data.get("revenue_band_expected") or "",
        }


class AgreementForm(BootstrapMixin, forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    amount = forms.CharField(
        label=_("Grant amount"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL),
        help_text=_("Empty: the business plan's total."),
    )
    signature = forms.ChoiceField(
        label=_("Signature"), choices=GrantAgreement.SignatureMethod.choices
    )
    witness = forms.CharField(
        label=_("Witness"),
        max_length=200,
        required=False,
        help_text=_("Required for a thumbprint."),
    )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "signed_on": data["signed_on"],
            "amount": data.get("amount") or None,
            "signature": data["signature"],
            "witness": data.get("witness") or "",
        }


class ReleaseForm(forms.Form):
    tranche = forms.IntegerField(min_value=1, max_value=12, widget=forms.HiddenInput)


class VisitForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Visit"), choices=GrantVisit.Kind.choices)
    verifies_tranche = forms.TypedChoiceField(
        label=_("Tranche verified"), required=False, coerce=int, empty_value=None, choices=[]
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    operating = forms.ChoiceField(
        label=_("Is the business operating?"), choices=YES_NO, widget=forms.RadioSelect
    )
    funds_used_as_planned = forms.ChoiceField(
        label=_("Was the grant spent as planned?"),
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    jobs_created = forms.IntegerField(
        label=_("Jobs created"), min_value=0, max_value=1000, required=False
    )
    revenue_band = forms.ChoiceField(
        label=_("Revenue"), required=False, choices=[("", "—"), *RevenueBand.choices]
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, tranches: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["verifies_tranche"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *[(k, str(k)) for k in range(1, tranches + 1)]]
        for name in ("operating", "funds_used_as_planned"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        spent = data.get("funds_used_as_planned") or None
        return {
            "kind": data["kind"],
            "visited_on": data["visited_on"],
            "operating": data["operating"],
            "funds_used_as_planned": spent,
            "verifies_tranche": data.get("verifies_tranche"),
            "jobs_created": data.get("jobs_created"),
            "revenue_band": data.get("revenue_band") or "",
            "notes": data.get("notes") or "",
        }

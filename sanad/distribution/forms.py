"""Forms of the distribution pages. They parse what people type; the rules are checked
by `distribution.services`, whose refusals the views put back on the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.distribution.models import Plan, Receipt, SampledHousehold
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.stock.models import Kit, Warehouse
from sanad.targeting.models import BeneficiaryList

STOCK_VIEW = "stock.view_stock"


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class PlanForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    beneficiary_list: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Beneficiary list"),
        queryset=BeneficiaryList.objects.none(),
        to_field_name="public_id",
        help_text=_("An approved list (or one already in use)."),
    )
    kit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Kit"), queryset=Kit.objects.none(), to_field_name="public_id"
    )
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        help_text=_("The donor project that pays for the kits: stock is reserved from it."),
    )
    warehouse: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), to_field_name="public_id"
    )
    quantity_per_household = forms.DecimalField(
        label=_("Kits per household"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        initial=1,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lists = BeneficiaryList.objects.filter(
            status__in=[BeneficiaryList.Status.APPROVED, BeneficiaryList.Status.IN_USE]
        ).select_related("programme")
        _model_choice(self, "beneficiary_list").queryset = scoped(
            lists, user, "targeting.view_list"
        ).order_by("-created_at")
        _model_choice(self, "kit").queryset = Kit.objects.filter(active=True).order_by(
            "kind", "code"
        )
        _model_choice(self, "project").queryset = scoped(
            Project.objects.select_related("programme"), user, "programmes.view_programme"
        ).order_by("code")
        _model_choice(self, "warehouse").queryset = scoped(
            Warehouse.objects.filter(active=True).select_related("place"), user, STOCK_VIEW
        ).order_by("name")
        # Refresh the "kits needed / available" summary as the choices change.
        for name in ("beneficiary_list", "kit", "project", "warehouse", "quantity_per_household"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("distribution:plan_create"),
                    "hx-trigger": "change",
                    "hx-target": "#plan-check",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-vals": '{"check": "1"}',
                }
            )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (Plan.Status.APPROVED, Plan.Status.APPROVED.label),
            (Plan.Status.CANCELLED, Plan.Status.CANCELLED.label),
            (Plan.Status.CLOSED, Plan.Status.CLOSED.label),
        ]
    )
    reason = forms.CharField(required=False, max_length=2000)


class EventForm(BootstrapMixin, forms.Form):
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        help_text=_(
            "The households of the list living there are expected (for a village or an "
            "out-of-camp place: in its area)."
        ),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "place").queryset = scoped(
            Place.objects.select_related("admin_unit"), user, "geo.view_place"
        ).order_by("name_en")


class DispatchForm(BootstrapMixin, forms.Form):
    quantity = forms.DecimalField(
        label=_("Kits to dispatch"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Empty: one share for each expected household."),
    )


class CloseForm(BootstrapMixin, forms.Form):
    returned = forms.DecimalField(
        label=_("Kits returned to the warehouse"),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        initial=0,
    )
    reason = forms.CharField(
        label=_("Reason for a difference"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when kits are missing (dispatched − distributed − returned > 0)."),
    )


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReceiptForm(forms.Form):
    """What the distribution-day phone posts. The household comes from the URL."""

    collected_by = forms.UUIDField()
    proof = forms.ChoiceField(choices=Receipt.Proof.choices)
    signature = forms.CharField(required=False, max_length=400_000)
    client_key = forms.CharField(required=False, max_length=64)
    found_by = forms.ChoiceField(choices=[("qr", "qr"), ("search", "search")], required=False)
    device = forms.CharField(required=False, max_length=80)

    def clean_signature(self) -> str:
        value = self.cleaned_data.get("signature") or ""
        if value and not value.startswith("data:image/png;base64,"):
            raise forms.ValidationError(_("The signature must be a PNG image."))
        return value


class SampleForm(BootstrapMixin, forms.Form):
    size = forms.IntegerField(label=_("Households to call"), min_value=1, max_value=5000)
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=0,
        max_value=2**62 - 1,
        help_text=_("The same seed draws the same households again."),
    )


class SampleRowForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SampledHousehold.Outcome.choices)
    satisfied = forms.NullBooleanField(
        label=_("Satisfied"),
        required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.TextInput()
    )

"""Forms of the contractors, tenders and contracts pages. They parse what people type;
the rules are in `shelter.services.contracts`, whose refusals the views put back on the
form (`apply_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import grants_for, scoped
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import MANAGE_CONTRACT, Bid, Contract, Contractor, RehabCase
from sanad.shelter.models.common import Currency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
PERCENT_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def governorates_for(user: Any, permission: str = MANAGE_CONTRACT) -> Any:
    """The governorates the user's grants of `permission` reach."""
    qs = AdminUnit.objects.filter(level=1).order_by("name_en")
    grants = grants_for(user, permission)
    if any(g.all_governorates for g in grants):
        return qs
    codes = sorted({c for g in grants for c in g.governorates})
    return qs.filter(pcode__in=codes)


def projects_for(user: Any, permission: str = MANAGE_CONTRACT) -> Any:
    return scoped(
        Project.objects.select_related("programme").order_by("code"), user, permission
    ).exclude(status__in=("closed", "cancelled"))


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class CaseChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.property.address} · {obj.budget} {obj.currency}"


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- contractors ------------------------------------------------------------------------


class ContractorForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=60, required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    governorates = forms.ModelMultipleChoiceField(
        label=_("Works in"),
        queryset=AdminUnit.objects.filter(level=1).order_by("name_en"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_of(contractor: Contractor) -> dict[str, Any]:
        return {
            "name": contractor.name,
            "registration_number": contractor.registration_number,
            "contact_name": contractor.contact_name,
            "phone": contractor.phone,
            "email": contractor.email,
            "governorates": list(contractor.governorates.all()),
            "notes": contractor.notes,
        }


# --- tenders ----------------------------------------------------------------------------


class LotChoiceForm(BootstrapMixin, forms.Form):
    """Step 1 of a tender or a direct contract: the project and governorate whose
    houses make the lot."""

    project = ProjectChoiceField(
        label=_("Project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=AdminUnit.objects.none(), to_field_name="pcode"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "project").queryset = projects_for(user)
        _choices(self, "governorate").queryset = governorates_for(user)


class TenderForm(LotChoiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Scope of works"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closes_on = forms.DateField(label=_("Bids close on"), required=False, widget=DATE)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="USD")
    cases = CaseChoiceField(label=_("Houses in the lot"), queryset=RehabCase.objects.none())

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "cases").queryset = cases
        self.order_fields(
            ["project", "governorate", "title", "description", "closes_on", "currency", "cases"]
        )

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("cases", None)
        return d


class TenderEditForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Scope of works"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closes_on = forms.DateField(label=_("Bids close on"), required=False, widget=DATE)
    cases = CaseChoiceField(label=_("Houses in the lot"), queryset=RehabCase.objects.none())

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "cases").queryset = cases


class ContractorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class BidForm(BootstrapMixin, forms.Form):
    contractor = ContractorChoiceField(
        label=_("Contractor"),
        queryset=Contractor.objects.filter(status=Contractor.Status.ACTIVE).order_by("name"),
        to_field_name="public_id",
    )
    amount = forms.DecimalField(
        label=_("Price offered"), max_digits=16, decimal_places=2, widget=MONEY_INPUT
    )
    duration_days = forms.IntegerField(
        label=_("Duration offered (days)"), required=False, min_value=1, max_value=3650
    )
    technical_score = forms.DecimalField(
        label=_("Technical score (0–100)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=PERCENT_INPUT,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, exclude: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if exclude:
            field = _choices(self, "contractor")
            field.queryset = cast(Any, field.queryset).exclude(pk__in=exclude)


class BidEditForm(BidForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["contractor"]

    @staticmethod
    def initial_of(bid: Bid) -> dict[str, Any]:
        return {
            "amount": bid.amount,
            "duration_days": bid.duration_days,
            "technical_score": bid.technical_score,
            "notes": bid.notes,
        }


class BidChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.contractor.name} · {obj.amount}"


class ContractTermsForm(BootstrapMixin, forms.Form):
    start_on = forms.DateField(label=_("Start"), required=False, widget=DATE)
    end_on = forms.DateField(label=_("Planned completion"), required=False, widget=DATE)
    retention_percent = forms.DecimalField(
        label=_("Retention (%)"), initial=10, min_value=0, max_value=50, widget=PERCENT_INPUT
    )
    penalty_per_day_percent = forms.DecimalField(
        label=_("Penalty per day late (percentage of the milestone)"),
        initial="0.1",
        min_value=0,
        max_value=10,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "min": "0"}),
    )
    penalty_cap_percent = forms.DecimalField(
        label=_("Penalty cap (percentage of the contract)"),
        initial=10,
        min_value=0,
        max_value=100,
        widget=PERCENT_INPUT,
    )
    defects_liability_days = forms.IntegerField(
        label=_("Defects liability (days)"), initial=365, min_value=0, max_value=3650
    )

    @classmethod
    def initial_of(cls, contract: Contract) -> dict[str, Any]:
        data = {name: getattr(contract, name) for name in ContractTermsForm.base_fields}
        data["value"] = contract.value
        return data


class AwardForm(ContractTermsForm):
    bid = BidChoiceField(
        label=_("Award to"),
        queryset=Bid.objects.none(),
        widget=forms.RadioSelect,
        to_field_name="public_id",
    )
    reason = forms.CharField(
        label=_("Reason (required when it is not the recommended bid)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, bids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "bid").queryset = bids
        self.order_fields(["bid", "reason"])

    def terms(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("bid", None)
        d.pop("reason", None)
        return d


class ContractEditForm(ContractTermsForm):
    value = forms.DecimalField(
        label=_("Contract value"), max_digits=16, decimal_places=2, widget=MONEY_INPUT
    )
    field_order = ["value"]

    def __init__(self, *args: Any, tendered: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tendered:
            del self.fields["value"]


class ContractCreateForm(LotChoiceForm, ContractTermsForm):
    """A direct award: the contractor, value, terms, the reason, and the houses."""

    contractor = ContractorChoiceField(
        label=_("Contractor"),
        queryset=Contractor.objects.filter(status=Contractor.Status.ACTIVE).order_by("name"),
        to_field_name="public_id",
    )
    value = forms.DecimalField(
        label=_("Contract value"), max_digits=16, decimal_places=2, widget=MONEY_INPUT
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="USD")
    reason = forms.CharField(
        label=_("Why without a tender"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cases = CaseChoiceField(
        label=_("Houses covered"), queryset=RehabCase.objects.none(), required=False
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "cases").queryset = cases
        self.order_fields(
            [
                "project",
                "governorate",
                "contractor",
                "value",
                "currency",
                "reason",
                *ContractTermsForm.base_fields,
                "cases",
            ]
        )

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("cases", None)
        d.pop("reason", None)
        return d


class MilestoneForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=200)
    percent = forms.DecimalField(
        label=_("Share (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=PERCENT_INPUT,
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, can_delete=True, max_num=30)


class SignForm(BootstrapMixin, forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)


class CertifyForm(BootstrapMixin, forms.Form):
    completed_on = forms.DateField(label=_("Work reached on"), widget=DATE)


class PaymentForm(BootstrapMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(label=_("Payment reference"), max_length=60)


class RetentionForm(BootstrapMixin, forms.Form):
    released_on = forms.DateField(label=_("Released on"), widget=DATE)

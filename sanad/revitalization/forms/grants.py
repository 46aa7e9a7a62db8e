"""Forms of the business-grant pages. They parse what people type; the rules are in
`revitalization.services.grants`, whose refusals the views put back on the form."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ApplicationError
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.models import DisplacementStatus
from sanad.revitalization.models import (
    BusinessSector,
    CommitteeMember,
    Community,
    Currency,
    GrantApplication,
    GrantCall,
    ScoringCriterion,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"inputmode": "decimal"}
NUMBER = {"inputmode": "numeric"}
CRITERIA_ROWS = 8
APP = GrantApplication.Status


def apply_errors(
    form: forms.Form, exc: ApplicationError, mapping: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the form: beside the field it names (through
    `mapping` for service names that differ), or on top."""
    mapping = mapping or {}
    for name, msgs in exc.fields.items():
        target = mapping.get(name, name)
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(target if target in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class CommunityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.governorate.name})"


class CallForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    project = ProjectChoiceField(
        label=_("Donor project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=AdminUnit.objects.none(), to_field_name="pcode"
    )
    communities = CommunityChoiceField(
        label=_("Communities"),
        queryset=Community.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Leave empty to take applicants from every community of the governorate."),
    )
    description = forms.CharField(
        label=_("Description and criteria in words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    exchange_rate = forms.DecimalField(
        label=_("IQD per USD"), max_digits=12, decimal_places=4, widget=forms.TextInput(DECIMAL)
    )
    amount_min = forms.DecimalField(
        label=_("Smallest grant"), max_digits=16, decimal_places=2, widget=forms.TextInput(DECIMAL)
    )
    amount_max = forms.DecimalField(
        label=_("Largest grant"), max_digits=16, decimal_places=2, widget=forms.TextInput(DECIMAL)
    )
    budget = forms.DecimalField(
        label=_("Budget of the call"),
        max_digits=16,
        decimal_places=2,
        widget=forms.TextInput(DECIMAL),
    )
    tranches = forms.TypedChoiceField(
        label=_("Tranches"), choices=[(n, str(n)) for n in range(1, 5)], coerce=int, initial=2
    )
    min_age = forms.IntegerField(
        label=_("Youngest applicant"),
        min_value=15,
        max_value=80,
        initial=18,
        widget=forms.NumberInput(NUMBER),
    )
    max_age = forms.IntegerField(
        label=_("Oldest applicant"),
        min_value=15,
        max_value=120,
        required=False,
        widget=forms.NumberInput(NUMBER),
        help_text=_("Leave empty for no upper age."),
    )
    displacement_statuses = forms.MultipleChoiceField(
        label=_("Displacement statuses"),
        choices=DisplacementStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to take every status."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Business sectors"),
        choices=BusinessSector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to take every sector."),
    )
    one_per_household = forms.BooleanField(
        label=_("One application per household"), required=False, initial=True
    )
    exclude_earlier_grantees = forms.BooleanField(
        label=_("Households that already had a business grant are not eligible"),
        required=False,
        initial=True,
    )
    quorum = forms.IntegerField(
        label=_("Members who must score each application (quorum)"),
        min_value=1,
        max_value=15,
        initial=2,
        widget=forms.NumberInput(NUMBER),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sanad.core.scoping import grants_for
        from sanad.revitalization.models import GRANTS

        reach = grants_for(user, GRANTS)
        governorates = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE)
        if not any(g.all_governorates for g in reach):
            codes = {code for g in reach for code in g.governorates}
            governorates = governorates.filter(pcode__in=codes)
        cast(forms.ModelChoiceField, self.fields["governorate"]).queryset = governorates.order_by(
            "name_en"
        )
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = (
            Project.objects.filter(programme__code="CRP")
            .exclude(status=Project.Status.CLOSED)
            .order_by("code")
        )
        cast(forms.ModelChoiceField, self.fields["communities"]).queryset = (
            Community.objects.filter(
                programme__code="CRP", active=True, governorate__in=governorates
            )
            .select_related("governorate")
            .order_by("governorate__name_en", "name")
        )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["communities"] = list(data.get("communities") or [])
        return data

    @staticmethod
    def initial_for(call: GrantCall) -> dict[str, Any]:
        return {
            "title": call.title,
            "project": call.project.public_id,
            "governorate": call.governorate.pcode,
            "communities": [c.public_id for c in call.communities.all()],
            "description": call.description,
            "opens_on": call.opens_on,
            "closes_on": call.closes_on,
            "currency": call.currency,
            "exchange_rate": call.exchange_rate,
            "amount_min": call.amount_min,
            "amount_max": call.amount_max,
            "budget": call.budget,
            "tranches": call.tranches,
            "min_age": call.min_age,
            "max_age": call.max_age,
            "displacement_statuses": call.displacement_statuses,
            "sectors": call.sectors,
            "one_per_household": call.one_per_household,
            "exclude_earlier_grantees": call.exclude_earlier_grantees,
            "quorum": call.quorum,
        }


class CriterionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    guidance = forms.CharField(label=_("Guidance for scorers"), max_length=300, required=False)
    weight = forms.DecimalField(
        label=_("Weight (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(DECIMAL),
    )
    max_score = forms.IntegerField(
        label=_("Highest score"),
        min_value=1,
        max_value=100,
        required=False,
        widget=forms.NumberInput(NUMBER),
    )


CriteriaFormSet = forms.formset_factory(CriterionForm, extra=0, max_num=12)


def criteria_formset(data: Any = None, criteria: list[ScoringCriterion] | None = None) -> Any:
    initial = [
        {"name": c.name, "guidance": c.guidance, "weight": c.weight, "max_score": c.max_score}
        for c in criteria or []
    ]
    rows = max(CRITERIA_ROWS, len(initial) + 2)
    initial += [{"max_score": 10}] * (rows - len(initial))
    return CriteriaFormSet(data, initial=initial, prefix="criteria")


def criteria_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled rows of the formset, in order (an empty row is skipped)."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        if not (data.get("name") or data.get("weight") is not None):
            continue
        rows.append(
            {
                "name": data.get("name") or "",
                "guidance": data.get("guidance") or "",
                "weight": data.get("weight"),
                "max_score": data.get("max_score"),
            }
        )
    return rows


class MemberForm(BootstrapMixin, forms.Form):
    user = forms.ChoiceField(label=_("User"))
    role = forms.ChoiceField(
        label=_("Role"), choices=CommitteeMember.Role.choices, initial="member"
    )
    organisation_note = forms.CharField(label=_("Representing"), max_length=200, required=False)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.public_id): u for u in candidates}
        field = cast(forms.ChoiceField, self.fields["user"])
        field.choices = [("", "—")] + [
            (str(u.public_id), f"{u.get_full_name() or u.username} ({u.username})")
            for u in candidates
        ]

    def member(self) -> Any:
        return self.candidates.get(self.cleaned_data.get("user") or "")


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApplicantSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Registration id or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ApplicationForm(BootstrapMixin, forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    business_name = forms.CharField(label=_("Business name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=BusinessSector.choices)
    business_kind = forms.ChoiceField(
        label=_("New or existing"), choices=GrantApplication.BusinessKind.choices
    )
    description = forms.CharField(
        label=_("The business and what the grant is for"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    requested_amount = forms.DecimalField(
        label=_("Amount requested"),
        max_digits=16,
        decimal_places=2,
        widget=forms.TextInput(DECIMAL),
    )
    jobs_planned = forms.IntegerField(
        label=_("Jobs it will create"),
        min_value=0,
        max_value=500,
        initial=0,
        widget=forms.NumberInput(NUMBER),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput({"type": "tel"})
    )
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DATE)

    def __init__(self, *args: Any, call: GrantCall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        listed = call.communities.all()
        field = cast(forms.ModelChoiceField, self.fields["community"])
        if listed.exists():
            field.queryset = listed.order_by("name")
            field.help_text = _(
                "One of the call's communities (guessed from where the household lives)."
            )
        else:
            field.queryset = Community.objects.filter(
                governorate=call.governorate_id, programme=call.programme_id, active=True
            ).order_by("name")
            field.help_text = _("Optional: the call takes every community of the governorate.")
        self.fields["requested_amount"].help_text = _("From %(min)s to %(max)s %(currency)s.") % {
            "min": f"{call.amount_min:,.0f}",
            "max": f"{call.amount_max:,.0f}",
            "currency": call.currency,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["phone"] = data.get("phone") or ""
        return data


class OverrideForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(
        label=_("Set the application"),
        choices=[(APP.ELIGIBLE, APP.ELIGIBLE.label), (APP.INELIGIBLE, APP.INELIGIBLE.label)],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


CONFLICT_CHOICES = [
    ("no", _("I have no conflict of interest with this applicant")),
    ("yes", _("I have a conflict of interest (I will not score)")),
]


class DeclarationForm(BootstrapMixin, forms.Form):
    conflict = forms.ChoiceField(
        label=_("Conflict of interest"), choices=CONFLICT_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("The conflict"),
        max_length=300,
        required=False,
        help_text=_("Say what it is: a relative, a business partner, a neighbour…"),
    )

    def has_conflict(self) -> bool:
        return self.cleaned_data.get("conflict") == "yes"


class ScoreForm(BootstrapMixin, forms.Form):
    """One score (0 to the highest, by halves) and a comment per criterion."""

    def __init__(self, *args: Any, criteria: list[ScoringCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=c.name,
                min_value=Decimal("0"),
                max_value=Decimal(c.max_score),
                max_digits=5,
                decimal_places=1,
                help_text=c.guidance,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.5",
                        "min": "0",
                        "max": str(c.max_score),
                        "inputmode": "decimal",
                        "class": "form-control",
                    }
                ),
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self) -> list[tuple[ScoringCriterion, Any, Any]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, Any]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}") or "" for c in self.criteria}


DECISION_CHOICES = [
    (APP.SELECTED, _("Selected")),
    (APP.RESERVE, _("Reserve list")),
    (APP.REJECTED, _("Not selected")),
]


class SelectionForm(BootstrapMixin, forms.Form):
    """The reserve list's length and, per ranked application, its list and a reason
    when it differs from the proposal."""

    reserve = forms.IntegerField(
        label=_("Applications on the reserve list"),
        min_value=0,
        max_value=1000,
        initial=3,
        widget=forms.NumberInput(NUMBER),
    )

    def __init__(self, *args: Any, proposal: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        for item in proposal:
            ident = str(item.row.application.public_id)
            self.fields[f"status_{ident}"] = forms.ChoiceField(
                label=item.row.application.reference,
                choices=DECISION_CHOICES,
                initial=item.proposed,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"reason_{ident}"] = forms.CharField(
                label=_("Reason for the move"),
                max_length=250,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (
                item,
                self[f"status_{item.row.application.public_id}"],
                self[f"reason_{item.row.application.public_id}"],
            )
            for item in self.proposal
        ]

    def moves(self) -> dict[str, tuple[str, str]]:
        out = {}
        for item in self.proposal:
            ident = str(item.row.application.public_id)
            status = self.cleaned_data.get(f"status_{ident}") or item.proposed
            reason = self.cleaned_data.get(f"reason_{ident}") or ""
            if status != item.proposed or reason:
                out[ident] = (status, reason)
        return out


def today_initial() -> datetime.date:
    from sanad.revitalization.services._common import today

    return today()

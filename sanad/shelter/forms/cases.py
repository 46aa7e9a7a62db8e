"""Forms of the case and inspection pages. They parse what people type; the rules are
in `shelter.services.cases` and `shelter.services.inspections`, whose refusals the
views put back on the form (`apply_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.shelter.models import COMPONENTS, Component, Defect, Inspection, RehabCase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal"}
PHOTO_ACCEPT = "image/*"


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class EntitlementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.plan.name} · {obj.amount} {obj.currency} · {obj.plan.tranches} × " + str(
            _("tranches")
        )


class CaseForm(BootstrapMixin, forms.Form):
    modality = forms.ChoiceField(label=_("Modality"), choices=RehabCase.Modality.choices)
    occupants_after = forms.IntegerField(
        label=_("People living there after the works"), min_value=1, max_value=200
    )
    covered_area_after_m2 = forms.DecimalField(
        label=_("Covered living space after the works (m²)"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )
    budget = forms.DecimalField(
        label=_("Budget"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("The bill of quantities' total unless changed."),
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE)
    entitlement = EntitlementChoiceField(
        label=_("Cash entitlement (cash modality)"),
        queryset=None,
        required=False,
        help_text=_(
            "The household's entitlement under an approved cash plan paid on verified "
            "shelter milestones. It can be linked later, before the works start."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, entitlements: list[Any], **kwargs: Any) -> None:
        from sanad.cash.models import Entitlement

        super().__init__(*args, **kwargs)
        field = self.fields["entitlement"]
        field.queryset = Entitlement.objects.filter(  # type: ignore[attr-defined]
            pk__in=[e.pk for e in entitlements]
        ).select_related("plan")

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("modality", None)
        if not d.get("entitlement"):
            d.pop("entitlement", None)
        return d


class CaseEditForm(BootstrapMixin, forms.Form):
    occupants_after = CaseForm.base_fields["occupants_after"]
    covered_area_after_m2 = CaseForm.base_fields["covered_area_after_m2"]
    budget = CaseForm.base_fields["budget"]
    actual_cost = forms.DecimalField(
        label=_("Actual cost"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_of(cls, case: RehabCase) -> dict[str, Any]:
        return {name: getattr(case, name) for name in cls.base_fields}


class MilestoneForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    progress = forms.DecimalField(
        label=_("Progress reached (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "1"}),
    )
    releases_tranche = forms.IntegerField(
        label=_("Releases tranche"), required=False, min_value=2, max_value=20
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, max_num=20)


def milestone_rows(formset: Any) -> list[dict[str, Any]]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and (f.cleaned_data.get("name") or f.cleaned_data.get("progress"))
    ]


class RoundCasesForm(BootstrapMixin, forms.Form):
    modality = forms.ChoiceField(label=_("Modality"), choices=RehabCase.Modality.choices)
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE)


class EntitlementForm(BootstrapMixin, forms.Form):
    entitlement = EntitlementChoiceField(label=_("Cash entitlement"), queryset=None)

    def __init__(self, *args: Any, entitlements: list[Any], **kwargs: Any) -> None:
        from sanad.cash.models import Entitlement

        super().__init__(*args, **kwargs)
        self.fields["entitlement"].queryset = Entitlement.objects.filter(  # type: ignore[attr-defined]
            pk__in=[e.pk for e in entitlements]
        ).select_related("plan")


class StartForm(BootstrapMixin, forms.Form):
    started_on = forms.DateField(label=_("Works started on"), required=False, widget=DATE)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandoverForm(BootstrapMixin, forms.Form):
    signed_by = forms.CharField(label=_("Signed for the family by"), max_length=200)
    relationship = forms.CharField(
        label=_("Relationship to the head of household"), max_length=60, required=False
    )
    handed_over_on = forms.DateField(label=_("Handed over on"), widget=DATE)
    actual_cost = forms.DecimalField(
        label=_("Actual cost of the works"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("Recorded in the assistance ledger (the budget when left empty)."),
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate of the day (IQD per USD)"),
        required=False,
        min_value=100,
        max_value=10000,
        decimal_places=4,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.0001"}),
    )
    signature = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-signature-value": "1"})
    )
    signed_on_paper = forms.BooleanField(
        label=_("The family signed the certificate on paper"), required=False
    )


class InspectionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    milestone: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Milestone verified"), queryset=None, required=False
    )
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE)
    progress = forms.DecimalField(
        label=_("Progress of the works (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "1"}),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=Inspection.Result.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sign_off = forms.BooleanField(
        label=_("Sign the report off now (I am the inspector)"),
        required=False,
        help_text=_("A milestone verified and signed off releases the family's next tranche."),
    )

    def __init__(self, *args: Any, case: RehabCase, **kwargs: Any) -> None:
        from sanad.shelter.models import CaseMilestone

        super().__init__(*args, **kwargs)
        milestone = self.fields["milestone"]
        milestone.queryset = CaseMilestone.objects.filter(  # type: ignore[attr-defined]
            case=case, status=CaseMilestone.Status.PENDING
        ).order_by("sequence")
        milestone.label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{m.sequence}. {m.name} ({m.progress} %)"
            + (f" · {_('tranche')} {m.releases_tranche}" if m.releases_tranche else "")
        )
        labels = dict(Component.choices)
        for component in COMPONENTS:
            self.fields[f"check_{component}"] = forms.ChoiceField(
                label=labels[component],
                choices=Inspection.Check.choices,
                initial=Inspection.Check.NA,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )

    def check_fields(self) -> list[Any]:
        return [self[f"check_{c}"] for c in COMPONENTS]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "milestone": d.get("milestone"),
            "inspected_on": d["inspected_on"],
            "progress": d["progress"],
            "result": d["result"],
            "findings": d.get("findings") or "",
            "checklist": {c: d[f"check_{c}"] for c in COMPONENTS if d.get(f"check_{c}")},
            "sign_off": bool(d.get("sign_off")),
        }


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; `capture` opens the phone's camera."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(
                attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "data-photo-input": "1"}
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [data] if data else []


class InspectionPhotosForm(forms.Form):
    photos = PhotosField(label=_("Photos"))


class DefectForm(BootstrapMixin, forms.Form):
    component = forms.ChoiceField(label=_("Component"), choices=Component.choices)
    description = forms.CharField(
        label=_("Defect"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    due_on = forms.DateField(label=_("To fix by"), required=False, widget=DATE)


class DefectFixForm(BootstrapMixin, forms.Form):
    fixed_on = forms.DateField(label=_("Fixed on"), required=False, widget=DATE)


DEFECT_STATUS = Defect.Status

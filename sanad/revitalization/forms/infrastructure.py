"""Forms of the contractor and infrastructure project pages. They parse what people
type; the rules are in `revitalization.services.infrastructure`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.scoping import scoped
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.revitalization.forms.communities import (
    DATE,
    NUMBER,
    WHOLE,
    CommunityChoiceField,
    PlaceChoiceField,
    model_field,
    places_for,
)
from sanad.revitalization.models import (
    MANAGE,
    Community,
    Contractor,
    Currency,
    EstimationMethod,
    InfrastructureProject,
    Need,
    ProjectKind,
    ProjectWorker,
)
from sanad.revitalization.selectors.communities import communities_for_choice
from sanad.revitalization.services._common import PROGRAMME


class ContractorForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=60, required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "registration_number": d.get("registration_number") or "",
            "contact_name": d.get("contact_name") or "",
            "phone": d.get("phone") or "",
            "active": bool(d.get("active")),
            "notes": d.get("notes") or "",
        }


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.assessment.reference} · {obj.assessment.community.name} · {obj.description}"


class DonorProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class ContractorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProjectForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    community = CommunityChoiceField(
        label=_("Community"), queryset=Community.objects.none(), to_field_name="public_id"
    )
    need = NeedChoiceField(
        label=_("Need it answers"),
        queryset=Need.objects.none(),
        required=False,
        help_text=_("A need chosen in an endorsed assessment makes the project endorsed at once."),
    )
    project = DonorProjectChoiceField(
        label=_("Donor project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    place = PlaceChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    budget = forms.DecimalField(
        label=_("Budget"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    exchange_rate = forms.DecimalField(
        label=_("IQD per USD"),
        min_value=0,
        max_digits=12,
        decimal_places=4,
        widget=forms.TextInput(NUMBER),
        help_text=_("The rate of the day, such as 1310."),
    )
    contractor = ContractorChoiceField(
        label=_("Contractor"),
        queryset=Contractor.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    contract_number = forms.CharField(label=_("Contract number"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("Start"), widget=DATE, required=False)
    planned_end_on = forms.DateField(label=_("Planned end"), widget=DATE, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "community").queryset = communities_for_choice(user, MANAGE)
        model_field(self, "need").queryset = (
            scoped(Need.objects.all(), user, MANAGE)
            .select_related("assessment__community")
            .filter(assessment__status__in=("completed", "endorsed"))
            .order_by("-assessment__held_on", "assessment__reference", "rank", "id")
        )
        model_field(self, "project").queryset = (
            scoped(Project.objects.select_related("programme"), user, "programmes.view_programme")
            .filter(programme__code=PROGRAMME)
            .exclude(status=Project.Status.CLOSED)
            .order_by("code")
        )
        model_field(self, "place").queryset = places_for(user)
        model_field(self, "contractor").queryset = Contractor.objects.filter(active=True).order_by(
            "name"
        )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "kind": d["kind"],
            "community": d["community"],
            "need": d.get("need"),
            "project": d.get("project"),
            "place": d.get("place"),
            "budget": d["budget"],
            "currency": d["currency"],
            "exchange_rate": d["exchange_rate"],
            "contractor": d.get("contractor"),
            "contract_number": d.get("contract_number") or "",
            "starts_on": d.get("starts_on"),
            "planned_end_on": d.get("planned_end_on"),
            "description": d.get("description") or "",
        }

    def keep_current(self, project: InfrastructureProject) -> None:
        """Let an edit keep the project's current choices even if no longer offered
        (an inactive contractor or community, a closed donor project)."""
        for name in ("community", "contractor", "project", "need", "place"):
            current = getattr(project, f"{name}_id")
            if current:
                field = model_field(self, name)
                offered = field.queryset
                assert offered is not None
                field.queryset = offered.model._default_manager.filter(
                    pk__in=[*offered.values_list("pk", flat=True), current]
                )


class StartForm(BootstrapMixin, forms.Form):
    starts_on = forms.DateField(
        label=_("Works started on"),
        widget=DATE,
        required=False,
        help_text=_("Empty: today (or the planned start if already past)."),
    )


class CompleteForm(BootstrapMixin, forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)


class HandoverForm(BootstrapMixin, forms.Form):
    handover_authority = forms.CharField(
        label=_("Handed over to"),
        max_length=200,
        help_text=_("The authority that runs it, such as the Sinjar water directorate."),
    )
    handover_on = forms.DateField(label=_("Handed over on"), widget=DATE)
    handover_reference = forms.CharField(label=_("Handover document"), max_length=100)


class PopulationForm(BootstrapMixin, forms.Form):
    population_served = forms.IntegerField(
        label=_("People benefiting"), min_value=0, required=False, widget=forms.TextInput(WHOLE)
    )
    estimation_method = forms.ChoiceField(
        label=_("Estimated by"),
        choices=[("", "—"), *EstimationMethod.choices],
        required=False,
    )
    estimation_note = forms.CharField(
        label=_("How the estimate was made"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The figures and sources, such as 412 households connected × 6.1 (DTM)."),
    )


class ProgressForm(BootstrapMixin, forms.Form):
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class WorkerSearchForm(BootstrapMixin, forms.Form):
    who = forms.CharField(
        label=_("Registration id or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "type": "search"}),
    )


class WorkerAddForm(BootstrapMixin, forms.Form):
    individual = forms.UUIDField(widget=forms.HiddenInput)
    daily_rate = forms.DecimalField(
        label=_("Daily rate"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    role = forms.CharField(label=_("Role"), max_length=100, required=False)


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        person = obj.individual
        name = " ".join(
            x
            for x in (
                person.given_name_ar or person.given_name_en,
                person.family_name_ar or person.family_name_en,
            )
            if x
        )
        return f"{name} · {obj.household.registration_id} · {obj.daily_rate}"


class PaymentForm(BootstrapMixin, forms.Form):
    worker = WorkerChoiceField(
        label=_("Worker"), queryset=ProjectWorker.objects.none(), to_field_name="public_id"
    )
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    days = forms.DecimalField(
        label=_("Days worked"),
        min_value=0,
        max_digits=5,
        decimal_places=1,
        widget=forms.TextInput(NUMBER),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)

    def __init__(self, *args: Any, project: InfrastructureProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["worker"]
        ).queryset = project.workers.select_related("individual", "household").order_by("id")

"""Forms of the informal-site pages (MRT visits, hazards, mitigation) and of trainings.
They only shape the input; `camps.services.mrt` and `camps.services.trainings` check
the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.accounts.models import Organisation
from sanad.camps.models import (
    MANAGE_TRAINING,
    MRT,
    Hazard,
    Mitigation,
    Site,
    Training,
    TrainingParticipant,
)
from sanad.camps.services.mrt import SHELTER_TYPE_LABELS, SHELTER_TYPES
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric", "min": "0"}
SCALE = [(n, str(n)) for n in range(1, 6)]
LIKELIHOOD_HELP = _("1 rare · 2 unlikely · 3 possible · 4 likely · 5 almost certain")
IMPACT_HELP = _("1 minor · 2 moderate · 3 serious · 4 major · 5 severe (lives at risk)")


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def sites_for(user: Any, permission: str) -> Any:
    return scoped(
        Site.objects.select_related("place").filter(closed_on__isnull=True), user, permission
    ).order_by("place__name_en")


# --- visits ----------------------------------------------------------------------------------
class VisitForm(BootstrapMixin, forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    team = forms.CharField(label=_("Team"), max_length=120)
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    deployment = forms.CharField(
        label=_("Deployment"),
        max_length=120,
        required=False,
        help_text=_("e.g. routine visit, flood response, eviction follow-up"),
    )
    families_present = forms.IntegerField(
        label=_("Families present"), min_value=0, required=False, widget=forms.NumberInput(NUMBER)
    )
    activities = forms.CharField(
        label=_("What the team did"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The site's informal profile, as the team found it (left alone when empty).
    tenure = forms.ChoiceField(
        label=_("Land tenure"), choices=[("", _("Unchanged")), *Site.Tenure.choices], required=False
    )
    eviction_risk = forms.ChoiceField(
        label=_("Eviction risk"),
        choices=[("", _("Unchanged")), *Site.Risk.choices],
        required=False,
    )
    services_notes = forms.CharField(
        label=_("Services on site"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Water, latrines, electricity, schools, health care: what there is."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_for(user, MRT)  # type: ignore[attr-defined]
        for key in SHELTER_TYPES:
            self.fields[f"shelter_{key}"] = forms.IntegerField(
                label=SHELTER_TYPE_LABELS[key],
                min_value=0,
                required=False,
                widget=forms.NumberInput({**NUMBER, "class": "form-control"}),
            )

    def shelter_fields(self) -> list[Any]:
        return [self[f"shelter_{key}"] for key in SHELTER_TYPES]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data: dict[str, Any] = {
            k: d.get(k)
            for k in ("team", "visited_on", "deployment", "families_present", "activities", "notes")
        }
        if d.get("tenure"):
            data["tenure"] = d["tenure"]
        if d.get("eviction_risk"):
            data["eviction_risk"] = d["eviction_risk"]
        if d.get("services_notes"):
            data["services_notes"] = d["services_notes"]
        shelters = {k: d.get(f"shelter_{k}") for k in SHELTER_TYPES}
        if any(v is not None for v in shelters.values()):
            data["shelter_types"] = {k: v or 0 for k, v in shelters.items()}
        return data


# --- hazards ---------------------------------------------------------------------------------
class AssessmentMixin(forms.Form):
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood (1–5)"), choices=SCALE, coerce=int, help_text=LIKELIHOOD_HELP
    )
    impact = forms.TypedChoiceField(
        label=_("Impact (1–5)"), choices=SCALE, coerce=int, help_text=IMPACT_HELP
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)


class HazardForm(BootstrapMixin, AssessmentMixin):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    kind = forms.ChoiceField(label=_("Hazard"), choices=Hazard.Kind.choices)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the hazard is and where on the site."),
    )
    field_order = ["site", "kind", "description", "likelihood", "impact", "assessed_on"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_for(user, MRT)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d[k] for k in ("kind", "description", "likelihood", "impact", "assessed_on")}


class ReassessForm(BootstrapMixin, AssessmentMixin):
    description = forms.CharField(
        label=_("Description (if it changed)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MitigationForm(BootstrapMixin, forms.Form):
    action = forms.CharField(label=_("Action"), max_length=300)
    responsible = forms.CharField(label=_("Who"), max_length=120, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class MitigationUpdateForm(BootstrapMixin, forms.Form):
    mitigation = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Mitigation.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CloseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the hazard is no longer a risk"), widget=forms.Textarea(attrs={"rows": 2})
    )


# --- trainings -------------------------------------------------------------------------------
class TrainingForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("Leave empty for a training that is not on one site."),
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=AdminUnit.objects.none(), required=False
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)
    facilitators = forms.CharField(label=_("Facilitators"), max_length=300, required=False)
    sessions = forms.IntegerField(
        label=_("Sessions"), min_value=1, initial=1, widget=forms.NumberInput(NUMBER)
    )
    max_score = forms.IntegerField(
        label=_("Highest test score"), min_value=1, initial=100, widget=forms.NumberInput(NUMBER)
    )

    def __init__(
        self, *args: Any, user: Any, training: Training | None = None, **kwargs: Any
    ) -> None:
        if training is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                f: getattr(training, f)
                for f in (
                    "title",
                    "topic",
                    "site",
                    "governorate",
                    "starts_on",
                    "ends_on",
                    "facilitators",
                    "sessions",
                    "max_score",
                )
            }
        super().__init__(*args, **kwargs)
        from sanad.geo.selectors import governorates, governorates_within

        self.fields["site"].queryset = sites_for(user, MANAGE_TRAINING)  # type: ignore[attr-defined]
        reach = governorates_within(user, MANAGE_TRAINING)
        qs = governorates()
        self.fields["governorate"].queryset = (  # type: ignore[attr-defined]
            qs if reach is None else qs.filter(pcode__in=sorted(reach))
        )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ParticipantForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=TrainingParticipant.Sex.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    role = forms.CharField(label=_("Role"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
    )
    sessions_attended = forms.IntegerField(
        label=_("Sessions attended"), min_value=0, required=False, widget=forms.NumberInput(NUMBER)
    )
    pre_score = forms.IntegerField(
        label=_("Pre-test score"), min_value=0, required=False, widget=forms.NumberInput(NUMBER)
    )
    post_score = forms.IntegerField(
        label=_("Post-test score"), min_value=0, required=False, widget=forms.NumberInput(NUMBER)
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ParticipantsPasteForm(BootstrapMixin, forms.Form):
    lines = forms.CharField(
        label=_("Participants, one per line"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto", "spellcheck": "false"}),
        help_text=_(
            "name, sex, organisation, role, phone, sessions attended, pre-test score, "
            "post-test score — separated by commas, semicolons or tabs (copied from a "
            "spreadsheet)."
        ),
    )

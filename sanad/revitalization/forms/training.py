"""Forms of the training pages. They parse what people type; the rules are in
`revitalization.services.training`, whose refusals the views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ApplicationError
from sanad.core.scoping import grants_for, scoped
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.revitalization.models import (
    TRAINING,
    VIEW,
    Community,
    Course,
    Enrolment,
    PlacementFollowUp,
    Trade,
    TrainingProvider,
)
from sanad.revitalization.services._common import PROGRAMME
from sanad.revitalization.services.training import RULE_HEAD, RULE_YOUTH

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric"}
DECIMAL = {"inputmode": "decimal"}


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def governorates_for(user: Any) -> Any:
    """The governorates where the user manages training."""
    grants = [
        g for g in grants_for(user, TRAINING) if g.all_programmes or PROGRAMME in g.programmes
    ]
    qs = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")
    if any(g.all_governorates for g in grants):
        return qs
    return qs.filter(pcode__in={p for g in grants for p in g.governorates})


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code}) — {obj.governorate.name}"


class ProviderForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingProvider.Kind.choices)
    accredited = forms.BooleanField(label=_("Accredited by the Ministry of Labour"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"})
    )
    active = forms.BooleanField(
        label=_("Active (can be chosen for new courses)"), required=False, initial=True
    )

    @staticmethod
    def initial_of(provider: TrainingProvider) -> dict[str, Any]:
        return {
            name: getattr(provider, name)
            for name in ("name", "kind", "accredited", "contact_name", "phone", "active")
        }

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CourseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    trade = forms.ChoiceField(label=_("Trade"), choices=Trade.choices)
    provider = forms.ModelChoiceField(
        label=_("Training provider"),
        queryset=TrainingProvider.objects.none(),
        to_field_name="public_id",
    )
    project = ProjectChoiceField(
        label=_("Donor project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("The course's dates must fall within the project's."),
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=AdminUnit.objects.none(), to_field_name="pcode"
    )
    community = CommunityChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Optional; a community of the governorate."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("End"), widget=DATE)
    planned_sessions = forms.IntegerField(
        label=_("Sessions planned"), min_value=1, widget=forms.NumberInput(NUMBER)
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, widget=forms.NumberInput(NUMBER))
    min_attendance = forms.DecimalField(
        label=_("Attendance needed to complete (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=80,
        widget=forms.NumberInput(DECIMAL),
    )
    final_assessment = forms.BooleanField(
        label=_("Trainees must pass a final assessment"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, course: Course | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = Q(pk=course.provider_id) if course is not None else Q(pk__in=[])
        _model_field(self, "provider").queryset = TrainingProvider.objects.filter(
            Q(active=True) | current
        ).order_by("name")
        keep_project = Q(pk=course.project_id) if course and course.project_id else Q(pk__in=[])
        _model_field(self, "project").queryset = (
            scoped(Project.objects.select_related("programme"), user, TRAINING)
            .filter(programme__code=PROGRAMME)
            .filter(~Q(status=Project.Status.CLOSED) | keep_project)
            .order_by("code")
        )
        _model_field(self, "governorate").queryset = governorates_for(user)
        _model_field(self, "community").queryset = (
            scoped(Community.objects.select_related("governorate"), user, VIEW)
            .filter(active=True)
            .order_by("governorate__name_en", "name")
        )

    @staticmethod
    def initial_of(course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "trade": course.trade,
            "provider": course.provider.public_id,
            "project": course.project.public_id if course.project is not None else None,
            "governorate": course.governorate.pcode,
            "community": course.community.public_id if course.community is not None else None,
            "venue": course.venue,
            "starts_on": course.starts_on,
            "ends_on": course.ends_on,
            "planned_sessions": course.planned_sessions,
            "capacity": course.capacity,
            "min_attendance": course.min_attendance,
            "final_assessment": course.final_assessment,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["venue"] = data.get("venue") or ""
        return data


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EnrolForm(forms.Form):
    individual = forms.UUIDField()


class BulkEnrolForm(BootstrapMixin, forms.Form):
    beneficiary_list: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Approved beneficiary list"), queryset=None, to_field_name="public_id"
    )
    rule = forms.ChoiceField(
        label=_("Who is enrolled from each household"),
        choices=[
            (RULE_HEAD, _("The head of household")),
            (RULE_YOUTH, _("Every member aged 18 to 35 on the course's start")),
        ],
        widget=forms.RadioSelect,
        initial=RULE_HEAD,
    )

    def __init__(self, *args: Any, lists: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sanad.targeting.models import BeneficiaryList

        _model_field(self, "beneficiary_list").queryset = BeneficiaryList.objects.filter(
            pk__in=[lst.pk for lst in lists]
        ).order_by("-created_at")


class SessionForm(BootstrapMixin, forms.Form):
    """A session and its attendance: a checkbox per trainee on the roll, all unchecked at
    first (a trainee counts as present only when someone ticked them)."""

    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=0,
        max_digits=4,
        decimal_places=1,
        initial=4,
        widget=forms.NumberInput({**DECIMAL, "step": "0.5"}),
    )
    present = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, roll: list[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roll = roll
        cast(forms.MultipleChoiceField, self.fields["present"]).choices = [
            (str(e.public_id), str(e.public_id)) for e in roll
        ]

    def service_data(self) -> dict[str, Any]:
        chosen = set(self.cleaned_data.get("present") or [])
        return {
            "held_on": self.cleaned_data["held_on"],
            "topic": self.cleaned_data.get("topic") or "",
            "hours": self.cleaned_data["hours"],
            "present": [e for e in self.roll if str(e.public_id) in chosen],
        }


RESULT_CHOICES = [("pass", _("Passed")), ("fail", _("Failed")), ("", _("Not recorded"))]


class AssessmentForm(forms.Form):
    """A pass / fail / not recorded choice per trainee (field `result_<public id>`)."""

    def __init__(self, *args: Any, trainees: list[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trainees = trainees
        for e in trainees:
            self.fields[f"result_{e.public_id}"] = forms.ChoiceField(
                choices=RESULT_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial={True: "pass", False: "fail", None: ""}[e.assessment_passed],
            )

    def rows(self) -> list[tuple[Enrolment, Any]]:
        return [(e, self[f"result_{e.public_id}"]) for e in self.trainees]

    def results(self) -> dict[Enrolment, bool | None]:
        value = {"pass": True, "fail": False}
        return {
            e: value.get(self.cleaned_data.get(f"result_{e.public_id}") or "")
            for e in self.trainees
        }


YES_NO = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


class PlacementForm(BootstrapMixin, forms.Form):
    followed_on = forms.DateField(label=_("Followed up on"), widget=DATE)
    months_after = forms.IntegerField(
        label=_("Months after the course"),
        min_value=1,
        max_value=60,
        initial=3,
        widget=forms.NumberInput(NUMBER),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PlacementFollowUp.Outcome.choices)
    employer = forms.CharField(label=_("Employer or business"), max_length=200, required=False)
    uses_skills = forms.ChoiceField(
        label=_("Uses the skills learnt"), choices=YES_NO, required=False
    )
    monthly_income_iqd = forms.IntegerField(
        label=_("Monthly income (IQD)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(NUMBER),
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    @staticmethod
    def initial_of(placement: PlacementFollowUp) -> dict[str, Any]:
        return {
            "followed_on": placement.followed_on,
            "months_after": placement.months_after,
            "outcome": placement.outcome,
            "employer": placement.employer,
            "uses_skills": {True: "yes", False: "no", None: ""}[placement.uses_skills],
            "monthly_income_iqd": placement.monthly_income_iqd,
            "notes": placement.notes,
        }

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "followed_on": d["followed_on"],
            "months_after": d["months_after"],
            "outcome": d["outcome"],
            "employer": d.get("employer") or "",
            "uses_skills": {"yes": True, "no": False}.get(d.get("uses_skills") or ""),
            "monthly_income_iqd": d.get("monthly_income_iqd"),
            "notes": d.get("notes") or "",
        }

"""Forms of the governance pages (centres, visits, complaints at a centre, activities,
holding one with its participation grid) and the dashboard's filters. They parse what
people type; the rules are in `revitalization.services.governance`, whose refusals the
views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.feedback.models import Case, Category
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import governorates_within
from sanad.programmes.models import Project
from sanad.revitalization.models import (
    MANAGE,
    VIEW,
    AgeBand,
    CohesionActivity,
    Community,
    CommunityCentre,
    ParticipantGroup,
    Sex,
)
from sanad.revitalization.selectors.governance import centre_channels
from sanad.revitalization.services._common import PROGRAMME

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WHOLE = forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"})


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _governorates_of(user: Any, permission: str) -> Any:
    qs = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")
    reach = governorates_within(user, permission)
    return qs if reach is None else qs.filter(pcode__in=sorted(reach))


def communities_for(user: Any, current: Any = None) -> Any:
    """Active communities the user manages, and the record's own."""
    keep = getattr(current, "pk", None) or 0
    return scoped(
        Community.objects.filter(Q(active=True) | Q(pk=keep)).select_related("governorate"),
        user,
        MANAGE,
    ).order_by("governorate__pcode", "name")


def crp_projects(current: Any = None) -> Any:
    keep = getattr(current, "pk", None) or 0
    return (
        Project.objects.filter(programme__code=PROGRAMME)
        .filter(~Q(status=Project.Status.CLOSED) | Q(pk=keep))
        .order_by("code")
    )


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.governorate.name})"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


# --- centres ----------------------------------------------------------------------------------


class CentreForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    community = CommunityChoiceField(
        label=_("Community"), queryset=Community.objects.none(), to_field_name="public_id"
    )
    place = NamedChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Empty: the community's place."),
    )
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=200,
        required=False,
        help_text=_("Such as Sunday to Thursday, 8:00 to 14:00."),
    )
    services = forms.CharField(
        label=_("Services offered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Information, legal counselling, referrals, meetings…"),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
    )
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE)
    active = forms.BooleanField(label=_("Open"), required=False, initial=True)
    channel = ChannelChoiceField(
        label=_("Feedback channel for its complaints"),
        queryset=centre_channels(),
        to_field_name="code",
        required=False,
        help_text=_(
            "Complaints and feedback given at the centre are logged under this channel. "
            "Empty on a new centre: a help desk named after it is created, if you may "
            "manage feedback channels."
        ),
    )

    def __init__(self, *args: Any, user: Any, current: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "community").queryset = communities_for(
            user, getattr(current, "community", None)
        )
        reach = governorates_within(user, MANAGE)
        places = Place.objects.filter(status=Place.Status.OPEN).order_by("name_en")
        if current is not None and current.place_id:
            places = Place.objects.filter(
                Q(status=Place.Status.OPEN) | Q(pk=current.place_id)
            ).order_by("name_en")
        if reach is not None:
            places = places.filter(admin_unit__governorate__pcode__in=sorted(reach))
        _choice(self, "place").queryset = places
        _choice(self, "channel").queryset = centre_channels(getattr(current, "channel", None))

    @staticmethod
    def initial_of(centre: CommunityCentre) -> dict[str, Any]:
        return {
            "name": centre.name,
            "community": centre.community,
            "place": centre.place,
            "opening_hours": centre.opening_hours,
            "services": centre.services,
            "phone": centre.phone,
            "opened_on": centre.opened_on,
            "active": centre.active,
            "channel": centre.channel,
        }

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class VisitDayForm(BootstrapMixin, forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    visitors_female = forms.IntegerField(
        label=_("Women and girls"), min_value=0, initial=0, required=False, widget=WHOLE
    )
    visitors_male = forms.IntegerField(
        label=_("Men and boys"), min_value=0, initial=0, required=False, widget=WHOLE
    )
    information_requests = forms.IntegerField(
        label=_("Information requests"), min_value=0, initial=0, required=False, widget=WHOLE
    )
    referrals = forms.IntegerField(
        label=_("Referrals to services"), min_value=0, initial=0, required=False, widget=WHOLE
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CentreCaseForm(BootstrapMixin, forms.Form):
    """A complaint or feedback given at the centre (it becomes a feedback case)."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=Category.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input mt-0"}),
    )
    description = forms.CharField(
        label=_("What the person said"), widget=forms.Textarea(attrs={"rows": 4})
    )
    anonymous = forms.BooleanField(
        label=_("The person wants to stay anonymous"),
        required=False,
        help_text=_("Nothing that identifies them is kept: no name, phone or household."),
    )
    caller_name = forms.CharField(label=_("Name of the person"), max_length=200, required=False)
    caller_phone = forms.CharField(
        label=_("Phone to answer on"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr", "autocomplete": "off"}),
    )
    household = forms.CharField(
        label=_("Registration id of the household"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "SND-XXXX-XXXX"}),
        help_text=_("If the family is registered: their card shows it."),
    )
    caller_sex = forms.ChoiceField(
        label=_("Sex of the person"), choices=Case.Sex.choices, required=False
    )
    caller_age_group = forms.ChoiceField(
        label=_("Age of the person"), choices=Case.AgeGroup.choices, required=False
    )
    preferred_response = forms.ChoiceField(
        label=_("How the person wants to be answered"),
        choices=Case.PreferredResponse.choices,
        initial=Case.PreferredResponse.CALL,
        required=False,
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- activities -------------------------------------------------------------------------------


class ActivityForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CohesionActivity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    community = CommunityChoiceField(
        label=_("Community"), queryset=Community.objects.none(), to_field_name="public_id"
    )
    centre = NamedChoiceField(
        label=_("Community centre"),
        queryset=CommunityCentre.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Where it takes place, if at a centre."),
    )
    project = ProjectChoiceField(
        label=_("Donor project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    facilitators = forms.CharField(label=_("Facilitators"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, current: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "community").queryset = communities_for(
            user, getattr(current, "community", None)
        )
        keep = getattr(current, "centre_id", None) or 0
        _choice(self, "centre").queryset = scoped(
            CommunityCentre.objects.filter(Q(active=True) | Q(pk=keep)), user, VIEW
        ).order_by("name")
        _choice(self, "project").queryset = crp_projects(getattr(current, "project", None))
        if current is not None and current.status == CohesionActivity.Status.HELD:
            for name in ("kind", "community", "centre", "project", "held_on"):
                self.fields[name].disabled = True

    @staticmethod
    def initial_of(activity: CohesionActivity) -> dict[str, Any]:
        return {
            "kind": activity.kind,
            "title": activity.title,
            "community": activity.community,
            "centre": activity.centre,
            "project": activity.project,
            "held_on": activity.held_on,
            "facilitators": activity.facilitators,
            "description": activity.description,
        }

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def grid_field_name(group: str, sex: str, band: str) -> str:
    return f"n_{group}_{sex}_{band}".replace("-", "_").replace("+", "plus")


class HoldForm(BootstrapMixin, forms.Form):
    """Outcomes and the participation grid (people by group × sex × age band)."""

    outcomes = forms.CharField(
        label=_("Outcomes and agreements"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was discussed, agreed or decided, and what follows."),
    )

    def __init__(
        self, *args: Any, counts: dict[tuple[str, str, str], int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        counts = counts or {}
        self.cells: list[tuple[str, str, str, str]] = []
        for group in ParticipantGroup.values:
            for sex in Sex.values:
                for band in AgeBand.values:
                    name = grid_field_name(group, sex, band)
                    self.fields[name] = forms.IntegerField(
                        label=f"{ParticipantGroup(group).label} — {Sex(sex).label} — {AgeBand(band).label}",
                        min_value=0,
                        required=False,
                        initial=counts.get((group, sex, band)) or None,
                        widget=forms.NumberInput(
                            attrs={
                                "inputmode": "numeric",
                                "min": "0",
                                "class": "form-control form-control-sm text-end",
                            }
                        ),
                    )
                    self.cells.append((group, sex, band, name))

    def grid_rows(self) -> list[dict[str, Any]]:
        """The grid's fields by group (a row) and sex × age band (the columns)."""
        rows = []
        for group in ParticipantGroup:
            rows.append(
                {
                    "label": group.label,
                    "fields": [
                        self[grid_field_name(group.value, s, b)]
                        for s in Sex.values
                        for b in AgeBand.values
                    ],
                }
            )
        return rows

    @staticmethod
    def columns() -> list[dict[str, Any]]:
        return [
            {"sex": Sex(s).label, "age": AgeBand(b).label}
            for s in Sex.values
            for b in AgeBand.values
        ]

    def participation(self) -> dict[tuple[str, str, str], int]:
        return {
            (g, s, b): self.cleaned_data.get(name) or 0
            for g, s, b, name in self.cells
            if self.cleaned_data.get(name)
        }


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ParticipantForm(forms.Form):
    individual = forms.UUIDField()


# --- dashboard --------------------------------------------------------------------------------


class DashboardFilterForm(BootstrapMixin, forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    governorate = NamedChoiceField(
        label=_("Governorate"),
        queryset=AdminUnit.objects.none(),
        to_field_name="pcode",
        required=False,
        empty_label=_("All in your scope"),
    )
    project = ProjectChoiceField(
        label=_("Donor project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("All projects"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "governorate").queryset = _governorates_of(user, VIEW)
        _choice(self, "project").queryset = Project.objects.filter(
            programme__code=PROGRAMME
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters (nothing when the form is not valid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}

"""Forms of the community and assessment pages. They parse what people type; the rules
are in `revitalization.services.communities`, whose refusals the views put back on the
form (`apply_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ApplicationError
from sanad.core.scoping import grants_for
from sanad.geo.models import AdminUnit, Place
from sanad.revitalization.models import (
    MANAGE,
    AgeBand,
    Community,
    CommunityAssessment,
    CommunityResource,
    ParticipantGroup,
    Sector,
    Sex,
)
from sanad.revitalization.selectors.communities import communities_for_choice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal"}
WHOLE = {"inputmode": "numeric"}


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


def model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def managed_governorates(user: Any) -> list[str] | None:
    """The governorates where `user` manages communities (None: all of them)."""
    codes: set[str] = set()
    for grant in grants_for(user, MANAGE):
        if grant.all_governorates:
            return None
        codes |= set(grant.governorates)
    return sorted(codes)


def areas_for(user: Any) -> QuerySet[AdminUnit]:
    qs = AdminUnit.objects.filter(
        level__in=(AdminUnit.Level.DISTRICT, AdminUnit.Level.SUBDISTRICT)
    ).select_related("governorate", "parent")
    codes = managed_governorates(user)
    if codes is not None:
        qs = qs.filter(governorate__pcode__in=codes)
    return qs.order_by("pcode")


def places_for(user: Any) -> QuerySet[Place]:
    qs = (
        Place.objects.filter(status=Place.Status.OPEN)
        .exclude(kind__in=(Place.Kind.WAREHOUSE_SITE, Place.Kind.OFFICE))
        .select_related("admin_unit")
    )
    codes = managed_governorates(user)
    if codes is not None:
        qs = qs.filter(admin_unit__governorate__pcode__in=codes)
    return qs.order_by("name_en")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        level = _("district") if obj.level == AdminUnit.Level.DISTRICT else _("sub-district")
        parent = f" — {obj.parent.name}" if obj.parent_id and obj.level == 3 else ""
        return f"{obj.name} ({obj.pcode}, {level}){parent}"


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.get_kind_display()} ({obj.admin_unit.pcode})"


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class CommunityForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=24,
        required=False,
        help_text=_("Left empty, it is made from the governorate: COM-IQG15-004."),
    )
    admin_unit = AreaChoiceField(
        label=_("District or sub-district"),
        queryset=AdminUnit.objects.none(),
        to_field_name="pcode",
        help_text=_("The governorate follows from it."),
    )
    place = PlaceChoiceField(
        label=_("Place on the map"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Optional: a village or neighbourhood inside the district or sub-district."),
    )
    population = forms.IntegerField(
        label=_("Population"), min_value=0, required=False, widget=forms.TextInput(WHOLE)
    )
    population_source = forms.CharField(
        label=_("Population: source"),
        max_length=200,
        required=False,
        help_text=_("Where the figure comes from, such as DTM round 130 or the mukhtar."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "admin_unit").queryset = areas_for(user)
        model_field(self, "place").queryset = places_for(user)

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "code": d.get("code") or "",
            "admin_unit": d["admin_unit"],
            "place": d.get("place"),
            "population": d.get("population"),
            "population_source": d.get("population_source") or "",
            "notes": d.get("notes") or "",
            "active": bool(d.get("active")),
        }


class AssessmentForm(BootstrapMixin, forms.Form):
    community = CommunityChoiceField(
        label=_("Community"), queryset=Community.objects.none(), to_field_name="public_id"
    )
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    facilitators = forms.CharField(
        label=_("Facilitators"),
        max_length=300,
        required=False,
        help_text=_("Names of the facilitators and note-takers."),
    )
    method = forms.ChoiceField(
        label=_("How the participants ranked the needs"),
        choices=CommunityAssessment.Method.choices,
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "community").queryset = communities_for_choice(user, MANAGE)
        if editing:
            del self.fields["community"]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            "held_on": d["held_on"],
            "venue": d.get("venue") or "",
            "facilitators": d.get("facilitators") or "",
            "method": d["method"],
            "summary": d.get("summary") or "",
        }
        if "community" in d:
            data["community"] = d["community"]
        return data


def cell_name(group: str, sex: str, age: str) -> str:
    return f"p_{group}_{sex}_{AgeBand.values.index(age)}"


class ParticipationForm(forms.Form):
    """One number per group × sex × age band."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in ParticipantGroup.values:
            for sex in Sex.values:
                for age in AgeBand.values:
                    self.fields[cell_name(group, sex, age)] = forms.IntegerField(
                        min_value=0,
                        max_value=100000,
                        required=False,
                        widget=forms.NumberInput(
                            attrs={
                                "class": "form-control form-control-sm text-end",
                                "inputmode": "numeric",
                                "min": "0",
                            }
                        ),
                    )

    def counts(self) -> dict[tuple[str, str, str], int]:
        return {
            (group, sex, age): self.cleaned_data.get(cell_name(group, sex, age)) or 0
            for group in ParticipantGroup.values
            for sex in Sex.values
            for age in AgeBand.values
        }

    def grid(self) -> list[tuple[Any, list[Any]]]:
        """(group label, [bound field per sex × age]) for the template."""
        return [
            (
                label,
                [self[cell_name(group, sex, age)] for sex in Sex.values for age in AgeBand.values],
            )
            for group, label in ParticipantGroup.choices
        ]


class NeedForm(BootstrapMixin, forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    description = forms.CharField(label=_("Need"), max_length=300)
    votes = forms.IntegerField(
        label=_("Votes"), min_value=0, required=False, widget=forms.TextInput(WHOLE)
    )
    scores = forms.CharField(
        label=_("Groups' scores"),
        max_length=200,
        required=False,
        help_text=_("Each group's score from 1 to 5, separated by commas: 4, 5, 3."),
    )
    estimated_cost = forms.DecimalField(
        label=_("Estimated cost (USD)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
    )

    def __init__(self, *args: Any, method: str = "votes", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["scores" if method == "votes" else "votes"]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            "sector": d["sector"],
            "description": d["description"],
            "estimated_cost": d.get("estimated_cost"),
        }
        if "votes" in self.fields:
            data["votes"] = d.get("votes") or 0
        if "scores" in self.fields:
            data["scores"] = d.get("scores") or ""
        return data


class ResourceForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunityResource.Kind.choices)
    description = forms.CharField(label=_("Resource"), max_length=300)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class EndorseForm(BootstrapMixin, forms.Form):
    endorsed_by = forms.CharField(
        label=_("Authority"),
        max_length=200,
        help_text=_("Such as the Ninewa Provincial Council or the governor's office."),
    )
    endorsed_on = forms.DateField(label=_("Endorsed on"), widget=DATE)
    endorsement_reference = forms.CharField(label=_("Letter reference"), max_length=100)


class SelectNeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Needs chosen for projects"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, needs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["needs"])
        field.choices = [(str(n.pk), n.description) for n in needs]

"""Household filters, shared by the list page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sanad.geo.selectors import governorates, normalise_pcode
from sanad.registry.models import DisplacementStatus, Household, Individual, ShelterType

_SELECT = forms.Select(attrs={"class": "form-select"})

# Filter value → the derived flag on Household.
VULNERABILITIES: dict[str, tuple[str, Any]] = {
    "woman_headed": ("is_woman_headed", _("Woman-headed household")),
    "child_headed": ("is_child_headed", _("Child-headed household")),
    "older_person_alone": ("is_older_person_alone", _("Older person alone")),
    "disability": ("has_disability", _("Person with disability")),
    "unaccompanied_child": ("has_unaccompanied_child", _("Unaccompanied or separated child")),
    "large": ("is_large", _("Large household")),
}


class OneOrMoreSelect(forms.Select):
    """A single <select> on the page; the API may repeat the parameter
    (`?vulnerability=woman_headed&vulnerability=disability`)."""

    allow_multiple_selected = False

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else data.get(name)
        if isinstance(values, str):
            values = [values]
        return [v for v in values or [] if v]

    def format_value(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(v) for v in value[:1]]
        return super().format_value(value)


def _governorate_choices() -> list[tuple[str, str]]:
    return [(u.pcode, f"{u.name} ({u.pcode})") for u in governorates()]


class HouseholdFilter(django_filters.FilterSet):
    governorate = django_filters.ChoiceFilter(
        label=_("Governorate"),
        field_name="governorate__pcode",
        choices=_governorate_choices,
        widget=_SELECT,
        empty_label=_("All governorates"),
    )
    displacement_status = django_filters.ChoiceFilter(
        label=_("Displacement status"),
        choices=DisplacementStatus.choices,
        widget=_SELECT,
        empty_label=_("All"),
    )
    shelter_type = django_filters.ChoiceFilter(
        label=_("Shelter type"),
        choices=ShelterType.choices,
        widget=_SELECT,
        empty_label=_("All shelter types"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Household.Status.choices,
        widget=_SELECT,
        empty_label=_("Any status"),
    )
    vulnerability = django_filters.MultipleChoiceFilter(
        label=_("Vulnerability"),
        choices=[("", _("Any vulnerability")), *[(k, v[1]) for k, v in VULNERABILITIES.items()]],
        method="filter_vulnerability",
        widget=OneOrMoreSelect(attrs={"class": "form-select"}),
        help_text=_("Households with every vulnerability chosen."),
    )
    admin_unit = django_filters.CharFilter(
        label=_("Admin unit P-code"),
        method="filter_admin_unit",
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "IQG09Q02", "size": 12, "dir": "ltr"}
        ),
    )
    place = django_filters.UUIDFilter(
        label=_("Place"), field_name="place__public_id", widget=forms.HiddenInput()
    )

    class Meta:
        model = Household
        fields = [
            "governorate",
            "displacement_status",
            "shelter_type",
            "status",
            "vulnerability",
            "admin_unit",
            "place",
        ]

    def filter_vulnerability(
        self, queryset: QuerySet[Household], name: str, value: list[str]
    ) -> QuerySet[Household]:
        flags = {VULNERABILITIES[v][0]: True for v in value or () if v in VULNERABILITIES}
        return queryset.filter(**flags) if flags else queryset

    def filter_admin_unit(
        self, queryset: QuerySet[Household], name: str, value: str
    ) -> QuerySet[Household]:
        code = normalise_pcode(value)
        if not code:
            return queryset
        return queryset.filter(
            Q(admin_unit__pcode=code)
            | Q(admin_unit__parent__pcode=code)
            | Q(governorate__pcode=code)
        )


class HouseholdPageFilter(HouseholdFilter):
    """The list page's filters; `place` stays an API and link filter (a camp's page
    links to its households) and is not drawn in the toolbar."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("place", None)


class IndividualFilter(django_filters.FilterSet):
    household = django_filters.UUIDFilter(label=_("Household"), field_name="household__public_id")
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Individual.Sex.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Individual.Status.choices)
    has_disability = django_filters.BooleanFilter(label=_("Has a disability"))

    class Meta:
        model = Individual
        fields = ["household", "sex", "status", "has_disability"]

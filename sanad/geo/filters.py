"""Filters shared by the list pages and the API (one definition of each filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import governorates, normalise_pcode

_SELECT = forms.Select(attrs={"class": "form-select"})


def _governorate_choices() -> list[tuple[str, str]]:
    return [(u.pcode, f"{u.name} ({u.pcode})") for u in governorates()]


class _GovernorateChoiceFilter(django_filters.ChoiceFilter):
    """Choices read from the admin units when the form is built, not at import."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", _governorate_choices)
        kwargs.setdefault("widget", _SELECT)
        kwargs.setdefault("empty_label", _("All governorates"))
        super().__init__(*args, **kwargs)


def _filter_in_unit(queryset: QuerySet[Any], prefix: str, value: str) -> QuerySet[Any]:
    """Records whose admin unit is `value` or lies inside it, whatever its level."""
    code = normalise_pcode(value)
    if not code:
        return queryset
    unit = f"{prefix}admin_unit"
    return queryset.filter(
        Q(**{f"{unit}__pcode": code})
        | Q(**{f"{unit}__parent__pcode": code})
        | Q(**{f"{unit}__parent__parent__pcode": code})
    )


class PlaceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Place.Kind.choices, widget=_SELECT, empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Place.Status.choices,
        widget=_SELECT,
        empty_label=_("Open and closed"),
    )
    governorate = _GovernorateChoiceFilter(
        label=_("Governorate"), field_name="admin_unit__governorate__pcode"
    )
    admin_unit = django_filters.CharFilter(
        label=_("Admin unit P-code"),
        method="filter_admin_unit",
        help_text=_("A district or sub-district P-code; places inside it are listed."),
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "IQG09Q02", "size": 12, "dir": "ltr"}
        ),
    )

    class Meta:
        model = Place
        fields = ["kind", "status", "governorate", "admin_unit"]

    def filter_admin_unit(
        self, queryset: QuerySet[Place], name: str, value: str
    ) -> QuerySet[Place]:
        return _filter_in_unit(queryset, "", value)


class AdminUnitFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        choices=AdminUnit.Level.choices,
        widget=_SELECT,
        empty_label=_("All levels"),
    )
    governorate = _GovernorateChoiceFilter(label=_("Governorate"), field_name="governorate__pcode")
    parent = django_filters.CharFilter(
        label=_("Part of (P-code)"),
        method="filter_parent",
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr"}),
    )

    class Meta:
        model = AdminUnit
        fields = ["level", "governorate", "parent"]

    def filter_parent(
        self, queryset: QuerySet[AdminUnit], name: str, value: str
    ) -> QuerySet[AdminUnit]:
        code = normalise_pcode(value)
        return queryset.filter(parent__pcode=code) if code else queryset


class AdminUnitPageFilter(AdminUnitFilter):
    """The list page offers level and governorate; `parent` stays an API filter."""

    class Meta(AdminUnitFilter.Meta):
        fields = ["level", "governorate"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("parent", None)

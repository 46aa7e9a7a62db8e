"""Filters shared by the list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.core.areas import ProgrammeArea
from sanad.programmes.models import Activity, Currency, Project, Target
from sanad.programmes.selectors import donors, programmes_visible_to


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


class ProjectFilter(django_filters.FilterSet):
    programme = django_filters.ChoiceFilter(
        field_name="programme__code",
        label=_("Programme"),
        choices=ProgrammeArea.choices,
        empty_label=_("All programmes"),
        widget=_select(),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Project.Status.choices,
        empty_label=_("Any status"),
        widget=_select(),
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"),
        choices=Currency.choices,
        empty_label=_("Any currency"),
        widget=_select(),
    )
    donor = django_filters.ModelChoiceFilter(
        label=_("Donor"),
        queryset=donors(active_only=False),
        to_field_name="public_id",
        empty_label=_("All donors"),
        widget=_select(),
    )

    class Meta:
        model = Project
        fields = ["programme", "status", "currency", "donor"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            # Offer only the programmes the person can see.
            visible = set(programmes_visible_to(user).values_list("code", flat=True))
            programme = self.filters["programme"]
            programme.extra["choices"] = [
                (code, label) for code, label in ProgrammeArea.choices if code in visible
            ]
            # A field already built (and copied from the class) would keep the old choices.
            programme.__dict__.pop("_field", None)


class AreaProjectFilter(ProjectFilter):
    """On a programme area page the programme is given by the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("programme", None)


class ActivityFilter(django_filters.FilterSet):
    project = django_filters.UUIDFilter(field_name="project__public_id", label=_("Project"))
    programme = django_filters.ChoiceFilter(
        field_name="project__programme__code", label=_("Programme"), choices=ProgrammeArea.choices
    )

    class Meta:
        model = Activity
        fields = ["project", "programme", "code"]


class TargetFilter(django_filters.FilterSet):
    activity = django_filters.UUIDFilter(field_name="activity__public_id", label=_("Activity"))
    project = django_filters.UUIDFilter(
        field_name="activity__project__public_id", label=_("Project")
    )
    programme = django_filters.ChoiceFilter(
        field_name="activity__project__programme__code",
        label=_("Programme"),
        choices=ProgrammeArea.choices,
    )
    indicator = django_filters.CharFilter(label=_("Indicator"))

    class Meta:
        model = Target
        fields = ["activity", "project", "programme", "indicator"]

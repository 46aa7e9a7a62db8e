"""Filters of the ledger, shared by the list page, its CSV download and the API."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sanad.assistance.models import AssistanceKind, AssistanceRecord
from sanad.core.areas import ProgrammeArea
from sanad.core.scoping import grants_for, scoped
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project

VIEW = "assistance.view_assistance"


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _programmes_in_reach(user: Any) -> list[tuple[str, Any]]:
    grants = grants_for(user, VIEW)
    if any(g.all_programmes for g in grants):
        return list(ProgrammeArea.choices)
    codes = {c for g in grants for c in g.programmes}
    return [(code, label) for code, label in ProgrammeArea.choices if code in codes]


def _governorates_in_reach(user: Any) -> list[tuple[str, str]]:
    units = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")
    grants = grants_for(user, VIEW)
    if user is not None and not any(g.all_governorates for g in grants):
        units = units.filter(pcode__in=sorted({c for g in grants for c in g.governorates}))
    return [(u.pcode, f"{u.name} ({u.pcode})") for u in units]


class AssistanceFilter(django_filters.FilterSet):
    programme = django_filters.ChoiceFilter(
        field_name="programme__code",
        label=_("Programme"),
        choices=ProgrammeArea.choices,
        empty_label=_("All programmes"),
        widget=_select(),
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        empty_label=_("All projects"),
        widget=_select(),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=AssistanceKind.choices,
        empty_label=_("All kinds"),
        widget=_select(),
    )
    delivered_from = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("From"), widget=_date()
    )
    delivered_to = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="lte", label=_("To"), widget=_date()
    )
    governorate = django_filters.ChoiceFilter(
        field_name="governorate__pcode",
        label=_("Governorate"),
        choices=[],
        empty_label=_("All governorates"),
        widget=_select(),
    )
    household = django_filters.CharFilter(
        label=_("Household"),
        method="filter_household",
        help_text=_("Registration id (SND-…) or public id."),
        widget=forms.TextInput(
            attrs={"class": "form-control", "dir": "ltr", "placeholder": "SND-XXXX-XXXX"}
        ),
    )

    class Meta:
        model = AssistanceRecord
        fields = [
            "programme",
            "project",
            "kind",
            "delivered_from",
            "delivered_to",
            "governorate",
            "household",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        # Offer only what the person's scope reaches; choices are read when the form is
        # built, not at import (the admin units come from a data migration).
        programme = self.filters["programme"]
        governorate = self.filters["governorate"]
        project = self.filters["project"]
        if user is not None:
            programme.extra["choices"] = _programmes_in_reach(user)
            governorate.extra["choices"] = _governorates_in_reach(user)
            project.queryset = scoped(
                Project.objects.select_related("programme").order_by("code"),
                user,
                "programmes.view_programme",
            )
        else:
            governorate.extra["choices"] = _governorates_in_reach(None)
            project.queryset = Project.objects.order_by("code")
        for f in (programme, governorate, project):
            f.__dict__.pop("_field", None)

    def filter_household(
        self, queryset: QuerySet[AssistanceRecord], name: str, value: str
    ) -> QuerySet[AssistanceRecord]:
        text = (value or "").strip()
        if not text:
            return queryset
        q = Q(household__registration_id__iexact=text)
        with contextlib.suppress(ValueError):
            q |= Q(household__public_id=uuid.UUID(text))
        return queryset.filter(q)


class AssistanceApiFilter(AssistanceFilter):
    """The API also filters by item and by source (a module looking up its deliveries)."""

    item = django_filters.CharFilter(label=_("Item"))
    source_type = django_filters.CharFilter(label=_("Source"))
    source_id = django_filters.CharFilter(label=_("Source id"))

    class Meta(AssistanceFilter.Meta):
        fields = [*AssistanceFilter.Meta.fields, "item", "source_type", "source_id"]

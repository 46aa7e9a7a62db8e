"""Forms of the deduplication pages: they adapt input for the services."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.dedup.models import DedupRun, MatchPair
from sanad.geo.selectors import governorates
from sanad.programmes.models import Programme

_SELECT = forms.Select(attrs={"class": "form-select"})


def _programme_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Thresholds of the programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        empty_label=_("General thresholds"),
        widget=_SELECT,
    )


class RunForm(forms.Form):
    """Start a run over the registry (within the user's governorates)."""

    programme = _programme_field()


class LinkForm(forms.Form):
    file = forms.FileField(
        label=_("Partner's list (CSV)"),
        help_text=_(
            "UTF-8 CSV with a header row and a record_id column; other columns as for "
            "sanad dedup_file: given_name, father_name, grandfather_name, family_name, "
            "full_name, sex, date_of_birth, phone, document_number, admin1_pcode, admin2_pcode."
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv"}),
    )
    second_file = forms.FileField(
        label=_("Second list (CSV), to link two lists instead of a list and the registry"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv"}),
    )
    programme = _programme_field()


class ConfirmForm(forms.Form):
    survivor = forms.UUIDField(label=_("Household to keep"), required=False)
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        error_messages={"required": _("Give a reason.")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class RejectForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why are these different people?"),
        max_length=1000,
        error_messages={
            "required": _("Say why these are not the same people (for example: brothers, twins).")
        },
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("For example: brothers, twins")}
        ),
    )


class UndoForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why undo the merge?"),
        max_length=1000,
        error_messages={"required": _("Say why the merge is undone.")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ThresholdsForm(forms.Form):
    """The two thresholds of one programme (or the general ones)."""

    flag_threshold = forms.FloatField(
        label=_("Flag from"),
        required=False,
        min_value=0.01,
        max_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )
    review_threshold = forms.FloatField(
        label=_("Review from"),
        required=False,
        min_value=0.01,
        max_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )


def _governorate_choices() -> list[tuple[str, str]]:
    return [(u.pcode, f"{u.name} ({u.pcode})") for u in governorates()]


def _run_choices() -> list[tuple[str, str]]:
    runs = DedupRun.objects.exclude(kind__in=DedupRun.LINK_KINDS).order_by("-created_at")[:30]
    return [(str(r.public_id), str(r)) for r in runs]


class PairFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=MatchPair.Status.choices,
        widget=_SELECT,
        empty_label=_("Any status"),
    )
    band = django_filters.ChoiceFilter(
        label=_("Band"), choices=MatchPair.Band.choices, widget=_SELECT, empty_label=_("Both")
    )
    governorate = django_filters.ChoiceFilter(
        label=_("Governorate"),
        choices=_governorate_choices,
        method="filter_governorate",
        widget=_SELECT,
        empty_label=_("All governorates"),
    )
    run = django_filters.ChoiceFilter(
        label=_("Run"),
        choices=_run_choices,
        field_name="run__public_id",
        widget=_SELECT,
        empty_label=_("All runs"),
    )

    class Meta:
        model = MatchPair
        fields: list[str] = []

    def filter_governorate(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        return queryset.filter(
            Q(left_household__governorate__pcode=value)
            | Q(right_household__governorate__pcode=value)
        )


class PairApiFilter(PairFilter):
    """The API filters any run by its id (the page offers the recent ones)."""

    run = django_filters.UUIDFilter(label=_("Run"), field_name="run__public_id")
    governorate = django_filters.CharFilter(label=_("Governorate"), method="filter_governorate")

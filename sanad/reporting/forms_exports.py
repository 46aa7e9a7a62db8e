"""Forms of the exports page and of scheduled exports. They only adapt input: the period
is checked by `periods.parse_period`, a schedule by `services.schedules`."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanad.core.errors import ValidationFailed
from sanad.core.scoping import grants_for, scoped
from sanad.reporting.common import add_months, month_start
from sanad.reporting.models import EXPORT, ScheduledExport
from sanad.reporting.periods import parse_period
from sanad.reporting.services.fourw import FORMATS
from sanad.reporting.suppression import outside_mission

FORMAT_LABELS = {
    "hxl-csv": _("CSV with HXL hashtags"),
    "xlsx": _("Excel workbook (XLSX)"),
}


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    names = {"from": "start", "to": "end"}
    for field, msgs in exc.fields.items():
        name = names.get(field, field)
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def governorates_for(user: Any) -> QuerySet[Any]:
    """The governorates whose figures `user` may export."""
    from sanad.geo.models import AdminUnit

    qs = AdminUnit.objects.filter(level=1).order_by("name_en")
    grants = grants_for(user, EXPORT)
    if any(g.all_governorates for g in grants):
        return qs
    return qs.filter(pcode__in={p for g in grants for p in g.governorates})


def programmes_for(user: Any) -> QuerySet[Any]:
    from sanad.programmes.models import Programme

    return scoped(Programme.objects.order_by("code"), user, EXPORT)


def projects_for(user: Any) -> QuerySet[Any]:
    from sanad.programmes.models import Project

    return scoped(Project.objects.select_related("programme").order_by("code"), user, EXPORT)


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "form-control", "placeholder": "YYYY-MM", **(attrs or {})})


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


def previous_month() -> str:
    from django.utils import timezone

    return f"{add_months(month_start(timezone.localdate()), -1):%Y-%m}"


class ExportForm(forms.Form):
    start = forms.CharField(label=_("From (month)"), widget=MonthInput())
    end = forms.CharField(label=_("To (month)"), widget=MonthInput())
    format = forms.ChoiceField(
        label=_("Format"), choices=list(FORMAT_LABELS.items()), widget=_select()
    )
    governorate = forms.ChoiceField(label=_("Governorate"), required=False, widget=_select())
    programme = forms.ChoiceField(label=_("Programme"), required=False, widget=_select())
    project = forms.ChoiceField(label=_("Project"), required=False, widget=_select())
    shared = forms.BooleanField(
        label=_("Shared outside the mission (small counts suppressed)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "start": previous_month(),
                "end": previous_month(),
                "format": "hxl-csv",
                "shared": True,
                "key": uuid.uuid4().hex,
            },
        )
        super().__init__(*args, **kwargs)
        self.user = user
        everything = ("", _("All"))
        choices: dict[str, list[tuple[str, Any]]] = {
            "governorate": [(g.pcode, f"{g.name} ({g.pcode})") for g in governorates_for(user)],
            "programme": [(p.code, p.name) for p in programmes_for(user)],
            "project": [(str(p.public_id), f"{p.code} — {p.title}") for p in projects_for(user)],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [everything, *options]
        self.outside = outside_mission(user)
        if self.outside:
            field = self.fields["shared"]
            field.disabled = True
            field.initial = True
            field.help_text = _("Everything you export is shared outside the mission.")

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not re.fullmatch(r"[A-Za-z0-9_:.-]{1,64}", key):
            raise forms.ValidationError(_("Reload the page and try again."))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            try:
                parse_period(data["start"], data["end"])
            except ValidationFailed as exc:
                apply_errors(self, exc)
        if self.outside:
            data["shared"] = True
        return data

    def params(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "from": d["start"].strip(),
            "to": d["end"].strip(),
            "format": d["format"],
            "governorate": d.get("governorate") or "",
            "district": "",
            "programme": d.get("programme") or "",
            "project": d.get("project") or "",
            "shared": bool(d.get("shared")) or self.outside,
        }


class ProjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


class GovernorateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.pcode})"


class ScheduleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=160, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    kind = forms.ChoiceField(
        label=_("Report"), choices=ScheduledExport.Kind.choices, widget=_select()
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=ScheduledExport.Format.choices, widget=_select()
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=ScheduledExport.Frequency.choices, widget=_select()
    )
    day_of_month = forms.IntegerField(
        label=_("On day of the month"),
        min_value=1,
        max_value=28,
        initial=2,
        help_text=_("From 1 to 28. Quarterly reports run in January, April, July and October."),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    project = ProjectChoice(
        label=_("Project"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        help_text=_("Required for a donor report."),
        widget=_select(),
    )
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=None,
        required=False,
        to_field_name="code",
        help_text=_("4W only."),
        widget=_select(),
    )
    governorate = GovernorateChoice(
        label=_("Governorate"),
        queryset=None,
        required=False,
        to_field_name="pcode",
        help_text=_("4W only."),
        widget=_select(),
    )
    shared = forms.BooleanField(
        label=_("Shared outside the mission (small counts suppressed)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets = {
            "project": projects_for(user),
            "programme": programmes_for(user),
            "governorate": governorates_for(user),
        }
        for name, qs in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs
        if outside_mission(user):
            field = self.fields["shared"]
            field.disabled = True
            field.initial = True
            field.help_text = _("Everything you export is shared outside the mission.")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


__all__ = ["FORMATS", "ExportForm", "ScheduleForm", "apply_errors"]

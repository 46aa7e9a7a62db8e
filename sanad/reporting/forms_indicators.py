"""Forms of the indicator pages: the report's filters and the indicator's definition.
They parse what people type; the rules are in `reporting.services.indicators`, whose
refusals the views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.assistance.models import AssistanceKind
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit
from sanad.geo.selectors import governorates_within
from sanad.programmes.models import Programme
from sanad.reporting.metrics import METRICS
from sanad.reporting.models import AGGREGATES, MANAGE_INDICATORS, Indicator, Measure
from sanad.reporting.selectors.indicators import projects_for_reports


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "dir": "ltr"})


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def governorate_choices(user: Any) -> list[tuple[str, Any]]:
    qs = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")
    reach = governorates_within(user, AGGREGATES)
    if reach is not None:
        qs = qs.filter(pcode__in=sorted(reach))
    return [("", _("All governorates"))] + [(g.pcode, g.name) for g in qs]


def project_choices(user: Any, programme: str | None = None) -> list[tuple[str, Any]]:
    qs = projects_for_reports(user)
    if programme:
        qs = qs.filter(programme__code=programme)
    return [("", _("All projects"))] + [(str(p.public_id), f"{p.code} — {p.title}") for p in qs]


def programme_choices(user: Any, permission: str = AGGREGATES) -> list[tuple[str, Any]]:
    qs = scoped(Programme.objects.order_by("code"), user, permission)
    return [(p.code, p.name) for p in qs]


class ReportFilterForm(forms.Form):
    """The filters of the indicator pages, as GET parameters that
    `periods.filters_from` reads (from, to, governorate, project)."""

    # The names are those of the query string (`from` is a Python keyword).
    def __init__(self, *args: Any, user: Any, with_period: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_period:
            self.fields["from"] = forms.CharField(
                label=_("From (month)"), required=False, widget=MONTH
            )
            self.fields["to"] = forms.CharField(label=_("To (month)"), required=False, widget=MONTH)
        self.fields["governorate"] = forms.ChoiceField(
            label=_("Governorate"), required=False, choices=governorate_choices(user)
        )
        self.fields["project"] = forms.ChoiceField(
            label=_("Donor project"), required=False, choices=project_choices(user)
        )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class TargetFilterForm(BootstrapMixin, forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    project = forms.ChoiceField(label=_("Donor project"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "programme").choices = [("", _("All programmes")), *programme_choices(user)]
        programme = (self.data.get("programme") or "").strip().upper() or None
        _choice(self, "project").choices = project_choices(user, programme)


class IndicatorForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=80,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "off"}),
        help_text=_(
            "Lowercase letters, digits, “_” and “-”. Targets of donor projects name their "
            "indicator by this code: changing it unlinks them."
        ),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_ar = forms.CharField(
        label=_("Name (Arabic)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    name_ckb = forms.CharField(
        label=_("Name (Kurdish)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ckb"}),
    )
    definition = forms.CharField(
        label=_("Definition"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How it is counted, in words: shown next to every figure."),
    )
    measure = forms.ChoiceField(label=_("Counts"), choices=Measure.choices)
    programme = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        help_text=_("Only deliveries of this programme. Empty: every programme (mission-wide)."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of assistance"),
        required=False,
        choices=AssistanceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only deliveries of these kinds. None ticked: any kind."),
    )
    items = forms.CharField(
        label=_("Items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
        help_text=_(
            "Item codes as the ledger records them (winter_kit, nfi_evoucher…), separated by "
            "commas or new lines. Empty: any item."
        ),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_(
            "Only deliveries counted in this unit (kit, house, person). Needed for a quantity unless items are named."
        ),
    )
    metric = forms.ChoiceField(
        label=_("Module figure"),
        required=False,
        help_text=_("For “A programme module's figure” only: which figure."),
    )
    sort_order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=32767, initial=100, required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "programme").choices = [
            ("", _("Every programme")),
            *programme_choices(user, MANAGE_INDICATORS),
        ]
        _choice(self, "metric").choices = [("", "—")] + [
            (code, m.label) for code, m in METRICS.items()
        ]

    @staticmethod
    def initial_of(indicator: Indicator) -> dict[str, Any]:
        return {
            "code": indicator.code,
            "name_en": indicator.name_en,
            "name_ar": indicator.name_ar,
            "name_ckb": indicator.name_ckb,
            "definition": indicator.definition,
            "measure": indicator.measure,
            "programme": indicator.programme.code if indicator.programme is not None else "",
            "kinds": list(indicator.kinds or []),
            "items": ", ".join(indicator.items or []),
            "unit": indicator.unit,
            "metric": indicator.metric,
            "sort_order": indicator.sort_order,
        }

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "code": d.get("code", ""),
            "name_en": d.get("name_en", ""),
            "name_ar": d.get("name_ar", ""),
            "name_ckb": d.get("name_ckb", ""),
            "definition": d.get("definition", ""),
            "measure": d.get("measure", ""),
            "programme": d.get("programme") or None,
            "kinds": list(d.get("kinds") or []),
            "items": d.get("items", ""),
            "unit": d.get("unit", ""),
            "metric": d.get("metric", ""),
            "sort_order": d.get("sort_order"),
        }

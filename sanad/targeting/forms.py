"""Forms parse what people type; the rules (and the rule trees) are checked by the
services, whose errors the views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project
from sanad.targeting import exports, selectors
from sanad.targeting.models import (
    MANAGE,
    MANAGE_MODEL,
    ManualDecision,
    ScoringModel,
    ScoringModelVersion,
)


def apply_errors(
    form: forms.Form, exc: ValidationFailed, *, tree_field: str = "tree"
) -> dict[str, list[str]]:
    """Put a service's refusal on the form; errors about parts of a rule tree (or of
    criteria) are returned by path for the builder to show beside the row."""
    by_path: dict[str, list[str]] = {}
    for field, msgs in exc.fields.items():
        messages = [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
        root = field.split(".", 1)[0]
        if root in {"tree", "criteria", "condition"} and "." in field:
            by_path[field.split(".", 1)[1]] = messages
            form.add_error(root if root in form.fields else None, messages[0])
            continue
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, str(exc.message))
    return by_path


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _programmes(user: Any, permission: str) -> Any:
    return scoped(Programme.objects.all(), user, permission).order_by("code")


class RuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tree = forms.CharField(widget=forms.HiddenInput, required=False)
    area = forms.MultipleChoiceField(
        label=_("Preview in"),
        required=False,
        help_text=_("Optional: count only in these places."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "programme").queryset = _programmes(user, MANAGE)
        _choice(self, "area").choices = area_choices()


def area_choices() -> list[tuple[str, str]]:
    """Governorates and districts (sub-districts are many; a quota or rule can still
    name them by P-code)."""
    from sanad.targeting.fields import admin_units

    return [
        (u["pcode"], ("" if u["level"] == 1 else "— ") + u["label"])
        for u in admin_units()
        if u["level"] <= 2
    ]


class ListForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Donor project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    activity: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Activity"),
        queryset=Activity.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    rule: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Eligibility rule"),
        queryset=None,
        to_field_name="public_id",  # type: ignore[arg-type]
    )
    model_version: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Scoring model version"),
        queryset=ScoringModelVersion.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("No scoring model (eligible households in a fixed random order)"),
    )
    area = forms.MultipleChoiceField(
        label=_("Area"),
        required=False,
        help_text=_("Leave empty for every governorate you work in."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    quotas = forms.CharField(
        label=_("Quotas"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "dir": "ltr", "placeholder": "IQG09Q02: 1500\nDUH-CAMP-07: 400"}
        ),
        help_text=_(
            "One per line: an admin unit P-code or a place's site code, a colon, the number of households at most."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = _programmes(user, MANAGE)
        _model_choice(self, "programme").queryset = programmes
        _model_choice(self, "project").queryset = Project.objects.filter(
            programme__in=programmes
        ).order_by("code")
        _model_choice(self, "activity").queryset = (
            Activity.objects.filter(project__programme__in=programmes)
            .select_related("project")
            .order_by("project__code", "code")
        )
        _model_choice(self, "rule").queryset = selectors.rules_visible_to(user).order_by("name")
        _model_choice(self, "model_version").queryset = selectors.versions_visible_to(
            user
        ).order_by("model__name", "-number")
        _choice(self, "area").choices = area_choices()

    def clean_quotas(self) -> list[dict[str, Any]]:
        rows = []
        for n, line in enumerate(str(self.cleaned_data.get("quotas") or "").splitlines(), 1):
            if not line.strip():
                continue
            where, _sep, number = line.partition(":")
            where = where.strip()
            if not number.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write “place or P-code: number”.") % {"n": n}
                )
            unit = AdminUnit.objects.filter(pcode=where.upper()).first()
            if unit is not None:
                rows.append({"admin_unit": unit.pcode, "max": number.strip()})
                continue
            place = Place.objects.filter(code=where).exclude(code="").first()
            if place is None:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(w)s” is neither a P-code nor a site code.")
                    % {"n": n, "w": where[:40]}
                )
            rows.append({"place": str(place.public_id), "max": number.strip()})
        return rows


def quotas_text(lst: Any) -> str:
    lines = []
    for q in lst.quotas.select_related("admin_unit", "place"):
        where = q.admin_unit.pcode if q.admin_unit_id else (q.place.code or str(q.place.public_id))
        lines.append(f"{where}: {q.max_households}")
    return "\n".join(lines)


class TransitionForm(forms.Form):
    to = forms.CharField()
    reason = forms.CharField(required=False, max_length=2000)


class DecisionForm(BootstrapMixin, forms.Form):
    household = forms.CharField(
        label=_("Registration id"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "SND-XXXX-XXXX"}),
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=ManualDecision.Decision.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExportForm(BootstrapMixin, forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("pdf", "PDF")])
    which = forms.ChoiceField(
        label=_("Households"),
        choices=[
            ("included", _("Included")),
            ("excluded", _("Excluded")),
            ("all", _("All considered")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") not in exports.FORMATS:
            raise forms.ValidationError(_("Choose XLSX or PDF."))
        return data


class ModelForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ScoringModel.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "programme").queryset = _programmes(user, MANAGE_MODEL)


class WeightedVersionForm(BootstrapMixin, forms.Form):
    criteria = forms.CharField(widget=forms.HiddenInput, required=False)
    threshold = forms.DecimalField(
        label=_("Eligibility threshold (optional)"),
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text=_("Households must score at least this to be eligible."),
    )
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)


class PmtVersionForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Coefficients (CSV or XLSX)"),
        help_text=_(
            "Columns region (a governorate P-code, or empty for the default), variable and coefficient; the variable “intercept” is the constant."
        ),
    )
    threshold = forms.DecimalField(
        label=_("Eligibility threshold (optional)"),
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text=_("Households must score at most this (predicted consumption) to be eligible."),
    )
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)


class AppealForm(BootstrapMixin, forms.Form):
    registration_id = forms.CharField(
        label=_("Registration id"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "placeholder": "SND-XXXX-XXXX", "autocomplete": "off"}
        ),
    )

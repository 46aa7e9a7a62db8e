"""Forms of the import pages: they only adapt input for the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.registry.imports import form as spec
from sanad.registry.imports.mapping import mapping_fields
from sanad.registry.models import ColumnMapping, ImportBatch

_SELECT = {"class": "form-select"}
_INPUT = {"class": "form-control"}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A KoboToolbox export (XLSX with all its sheets, JSON, or a ZIP of the sheets as CSV) or the "
            "Sanad template (CSV or XLSX). CSV files may be UTF-8 or Windows Arabic (1256)."
        ),
        widget=forms.ClearableFileInput(
            attrs={**_INPUT, "accept": ".csv,.txt,.xlsx,.xls,.json,.zip"}
        ),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=ImportBatch.Format.choices,
        initial=ImportBatch.Format.KOBO,
        widget=forms.Select(attrs=_SELECT),
    )
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"),
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label=_("None: the Sanad form's own names"),
        help_text=_("Only for files from another form, whose columns have other names."),
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args: Any, mappings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mappings is not None:
            self.fields["mapping"].queryset = mappings  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the import rejected?"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs=_INPUT),
    )


def _values_text(table: dict[str, Any]) -> str:
    return "\n".join(f"{source} = {target}" for source, target in table.items())


def _parse_values(text: str) -> dict[str, str]:
    table = {}
    for line in (text or "").splitlines():
        if "=" in line:
            source, _sep, target = line.rpartition("=")
            if source.strip():
                table[source.strip()] = target.strip()
    return table


class MappingForm(forms.Form):
    """One text box per Sanad field (the column that holds it) and one value table per
    question with choices ("value in the file = Sanad value", a line each)."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=_INPUT))
    file_format = forms.ChoiceField(
        label=_("Format"), choices=ImportBatch.Format.choices, widget=forms.Select(attrs=_SELECT)
    )
    household_sheet = forms.CharField(
        label=_("Sheet of the households"),
        required=False,
        help_text=_("Leave empty for the first sheet."),
        widget=forms.TextInput(attrs=_INPUT),
    )
    members_sheet = forms.CharField(
        label=_("Sheet of the members"),
        required=False,
        help_text=_("Kobo exports: the repeat group's sheet. Leave empty for “members”."),
        widget=forms.TextInput(attrs=_INPUT),
    )
    date_order = forms.ChoiceField(
        label=_("Dates written with slashes are"),
        choices=[("dmy", _("day/month/year")), ("mdy", _("month/day/year"))],
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(
        self,
        *args: Any,
        mapping: ColumnMapping | None = None,
        columns: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        spec_data = (mapping.spec if mapping else {}) or {}
        initial = kwargs.setdefault("initial", {})
        if mapping is not None:
            initial.update(
                name=mapping.name,
                file_format=mapping.file_format,
                household_sheet=(spec_data.get("sheets") or {}).get("household", ""),
                members_sheet=(spec_data.get("sheets") or {}).get("members", ""),
                date_order=spec_data.get("date_order", "dmy"),
            )
        super().__init__(*args, **kwargs)
        attrs = {**_INPUT, "list": "file-columns"} if columns else _INPUT
        self.column_fields: list[tuple[str, str]] = []
        for part, name, f in mapping_fields():
            key = f"col__{part}__{name}"
            label = f.label["en"] if f is not None else name
            self.fields[key] = forms.CharField(
                label=f"{name} — {label}" if f is not None else name,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs=attrs),
            )
            self.initial.setdefault(key, (spec_data.get(part) or {}).get(name, ""))
            self.column_fields.append((part, key))
        self.value_fields: list[str] = []
        for f in [*spec.HOUSEHOLD_FIELDS, *spec.MEMBER_FIELDS]:
            if f.choices in spec.CHOICES:
                key = f"values__{f.name}"
                choices = ", ".join(c.name for c in spec.CHOICES[f.choices])
                self.fields[key] = forms.CharField(
                    label=f.name,
                    required=False,
                    help_text=_("Sanad values: %(choices)s") % {"choices": choices},
                    widget=forms.Textarea(attrs={**_INPUT, "rows": 2, "placeholder": "F = female"}),
                )
                self.initial.setdefault(
                    key, _values_text((spec_data.get("values") or {}).get(f.name, {}))
                )
                self.value_fields.append(key)

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"household": {}, "member": {}, "values": {}, "sheets": {}}
        for part, key in self.column_fields:
            column = (data.get(key) or "").strip()
            if column:
                out[part][key.split("__", 2)[2]] = column
        for key in self.value_fields:
            table = _parse_values(data.get(key, ""))
            if table:
                out["values"][key.split("__", 1)[1]] = table
        if data.get("household_sheet"):
            out["sheets"]["household"] = data["household_sheet"].strip()
        if data.get("members_sheet"):
            out["sheets"]["members"] = data["members_sheet"].strip()
        out["date_order"] = data.get("date_order") or "dmy"
        return {k: v for k, v in out.items() if v}

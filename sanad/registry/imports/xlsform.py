"""The registration form as an XLSForm, for KoboToolbox, KoboCollect and ODK Collect.

Written from the one definition in `form.py`, in English, Arabic and Kurdish (Sorani):
a `household` group, a `members` repeat group (the head of household first, exactly
once), the location chosen governorate → district → sub-district with current P-codes
as the choices' names (cascading selects with `choice_filter`), and the Washington Group
short set with its four standard answers. A Kobo export of submissions to this form is
imported with no column mapping.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from sanad.registry.imports.form import (
    CHOICES,
    FIELDS,
    FORM_ID,
    FORM_TITLE,
    GROUP_LABELS,
    HOUSEHOLD,
    LANGUAGES,
    MEMBERS,
    Field,
    Labels,
)

_TYPES = {
    "text": "text",
    "date": "date",
    "phone": "text",
    "yes_no": "select_one yes_no",
    "calculate": "calculate",
}
_CONSENTED = "${consent} = 'yes'"


def _label_columns(prefix: str) -> list[str]:
    return [f"{prefix}::{language}" for _code, language in LANGUAGES]


def _labels(labels: Labels | None) -> list[str]:
    return [(labels or {}).get(code, "") for code, _language in LANGUAGES]


SURVEY_COLUMNS = [
    "type",
    "name",
    *_label_columns("label"),
    *_label_columns("hint"),
    "required",
    "relevant",
    "constraint",
    *_label_columns("constraint_message"),
    "choice_filter",
    "calculation",
    "appearance",
]
CHOICE_COLUMNS = ["list_name", "name", *_label_columns("label"), "governorate", "district"]


def _survey_row(
    type_: str,
    name: str,
    *,
    label: Labels | None = None,
    hint: Labels | None = None,
    required: bool = False,
    relevant: str = "",
    constraint: str = "",
    constraint_message: Labels | None = None,
    choice_filter: str = "",
    calculation: str = "",
    appearance: str = "",
) -> list[str]:
    return [
        type_,
        name,
        *_labels(label),
        *_labels(hint),
        "yes" if required else "",
        relevant,
        constraint,
        *_labels(constraint_message),
        choice_filter,
        calculation,
        appearance,
    ]


def _field_row(f: Field) -> list[str]:
    type_ = f"select_one {f.choices}" if f.kind == "select_one" else _TYPES[f.kind]
    relevant = f.relevant
    if f.group == HOUSEHOLD and f.name != "consent":
        relevant = f"{_CONSENTED} and ({relevant})" if relevant else _CONSENTED
    return _survey_row(
        type_,
        f.name,
        label=None if f.kind == "calculate" else f.label,
        hint=f.hint,
        required=f.required,
        relevant=relevant,
        constraint=f.constraint,
        constraint_message=f.constraint_message,
        choice_filter=f.choice_filter,
        calculation=f.calculation,
        appearance=f.appearance,
    )


def survey_rows() -> list[list[str]]:
    rows = [
        _survey_row("start", "start"),
        _survey_row("end", "end"),
        _survey_row("today", "today"),
        _survey_row("begin_group", HOUSEHOLD, label=GROUP_LABELS[HOUSEHOLD]),
    ]
    rows += [_field_row(f) for f in FIELDS if f.group == HOUSEHOLD]
    rows.append(_survey_row("end_group", ""))
    rows.append(
        _survey_row("begin_repeat", MEMBERS, label=GROUP_LABELS[MEMBERS], relevant=_CONSENTED)
    )
    rows += [_field_row(f) for f in FIELDS if f.group == MEMBERS]
    rows.append(_survey_row("end_repeat", ""))
    return rows


def admin_unit_choices() -> list[list[str]]:
    """Governorates, districts and sub-districts, named by their current P-codes, each
    district and sub-district with the code of the unit above it for `choice_filter`."""
    from sanad.geo.models import AdminUnit

    rows: list[list[str]] = []
    lists = {1: "governorate", 2: "district", 3: "subdistrict"}
    units = AdminUnit.objects.select_related("parent").order_by("level", "pcode")
    for unit in units:
        name_ar = unit.name_ar or unit.name_en
        labels = [
            f"{unit.name_en} ({unit.pcode})",
            f"{name_ar} ({unit.pcode})",
            f"{name_ar} ({unit.pcode})",
        ]
        parent = unit.parent.pcode if unit.parent else ""
        rows.append(
            [
                lists[unit.level],
                unit.pcode,
                *labels,
                parent if unit.level == 2 else "",
                parent if unit.level == 3 else "",
            ]
        )
    return rows


def choice_rows() -> list[list[str]]:
    rows = []
    for list_name, choices in CHOICES.items():
        for choice in choices:
            rows.append([list_name, choice.name, *_labels(choice.label), "", ""])
    return rows + admin_unit_choices()


def form_version(today: datetime.date | None = None) -> str:
    return (today or datetime.date.today()).strftime("%Y%m%d")


def build_workbook(*, version: str | None = None) -> Workbook:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    bold = Font(bold=True)
    for title, columns, rows in (
        ("survey", SURVEY_COLUMNS, survey_rows()),
        ("choices", CHOICE_COLUMNS, choice_rows()),
    ):
        ws = survey if title == "survey" else wb.create_sheet(title)
        ws.append(columns)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "C2"
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "style"])
    settings.append(
        [FORM_TITLE["en"], FORM_ID, version or form_version(), LANGUAGES[0][1], "pages"]
    )
    for cell in settings[1]:
        cell.font = bold
    return wb


def write_xlsform(path: Path | None = None, *, version: str | None = None) -> bytes:
    """The XLSForm as XLSX bytes (also written to `path` when given)."""
    buffer = BytesIO()
    build_workbook(version=version).save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def to_xform(data: bytes) -> Any:
    """Convert with pyxform (without ODK Validate, which needs Java): what KoboToolbox
    and ODK Central do on upload. Raises pyxform's error when the form is wrong."""
    from pyxform.xls2xform import convert

    return convert(xlsform=BytesIO(data), validate=False, file_type=".xlsx")

"""The Sanad import template: one row per person, household columns on the household's
first row, members of a household on consecutive rows sharing a `household_ref`.

As CSV (UTF-8 with a byte-order mark, so that Excel shows Arabic) or XLSX (with a
"choices" sheet listing the accepted answers and a "columns" sheet explaining each
column in the three languages). Both hold one example household.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from sanad.registry.imports.form import (
    CHOICES,
    FIELDS_BY_NAME,
    HOUSEHOLD_FIELDS,
    LANGUAGES,
    MEMBER_FIELDS,
    TEMPLATE_HOUSEHOLD_REF,
    TEMPLATE_SOURCE_REF,
    L,
    template_columns,
)

EXAMPLE_HOUSEHOLD: dict[str, str] = {
    "consent": "yes",
    "governorate": "IQG09",
    "district": "IQG09Q03",
    "subdistrict": "IQG09Q03N03",
    "displacement_status": "idp_out_of_camp",
    "shelter_type": "rented",
    "origin_governorate": "IQG15",
    "origin_district": "IQG15Q02",
    "origin_place_name": "Hardan",
    "displaced_on": "03/08/2014",
    "household_phone": "0750 123 4567",
}
EXAMPLE_MEMBERS: list[dict[str, str]] = [
    {
        "given_name_ar": "خالد", "fathers_name_ar": "قاسم", "grandfathers_name_ar": "علي",
        "family_name_ar": "الجبوري", "given_name_en": "Khalid", "fathers_name_en": "Qasim",
        "grandfathers_name_en": "Ali", "family_name_en": "Al-Jubouri", "sex": "male",
        "date_of_birth": "1984-05-12", "relationship": "head", "marital_status": "married",
        "wg_seeing": "1", "wg_hearing": "1", "wg_walking": "3", "wg_cognition": "1",
        "wg_selfcare": "1", "wg_communication": "1", "document_kind": "national_id",
        "document_number": "199012345678", "preferred_language": "ar",
        "is_alternate_collector": "yes",
    },
    {
        "given_name_ar": "فاطمة", "fathers_name_ar": "حسن", "family_name_ar": "العبيدي",
        "given_name_en": "Fatima", "fathers_name_en": "Hassan", "family_name_en": "Al-Obaidi",
        "sex": "female", "date_of_birth": "1988-11-02", "relationship": "spouse",
        "marital_status": "married", "is_pregnant": "yes", "phone": "07701234567",
        "preferred_language": "ar",
    },
    {
        "given_name_ar": "يوسف", "fathers_name_ar": "خالد", "grandfathers_name_ar": "قاسم",
        "family_name_ar": "الجبوري", "given_name_en": "Yousef", "fathers_name_en": "Khalid",
        "grandfathers_name_en": "Qasim", "family_name_en": "Al-Jubouri", "sex": "male",
        "date_of_birth": "01/07/2016", "dob_estimated": "yes", "relationship": "son",
        "wg_seeing": "1", "wg_hearing": "1", "wg_walking": "1", "wg_cognition": "1",
        "wg_selfcare": "1", "wg_communication": "1",
    },
]  # fmt: skip

_KEY_HELP = {
    TEMPLATE_HOUSEHOLD_REF: L(
        "Your reference for the household in this file: every member of the household has the same one, on consecutive rows.",
        "مرجعك للأسرة في هذا الملف: لجميع أفراد الأسرة المرجع نفسه، في صفوف متتالية.",
        "ئاماژەی تۆ بۆ خێزان لەم فایلەدا: هەموو ئەندامانی خێزان هەمان ئاماژەیان هەیە، لە ڕیزە یەک لە دوای یەکەکاندا.",
    ),
    TEMPLATE_SOURCE_REF: L(
        "Optional: the household's id in your own system. A household whose id is already in Sanad is not imported again.",
        "اختياري: معرّف الأسرة في نظامك. لا تُستورد مرة أخرى أسرة معرّفها موجود في سند.",
        "ئارەزوومەندانە: ناسنامەی خێزان لە سیستەمەکەی خۆتدا. خێزانێک کە ناسنامەکەی لە سەنەددا هەیە دووبارە هاوردە ناکرێت.",
    ),
}


def example_rows() -> list[list[str]]:
    columns = template_columns()
    rows = []
    for i, member in enumerate(EXAMPLE_MEMBERS):
        values = {TEMPLATE_HOUSEHOLD_REF: "H0001"}
        if i == 0:
            values.update(EXAMPLE_HOUSEHOLD)
        values.update(member)
        rows.append([values.get(c, "") for c in columns])
    return rows


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_columns())
    writer.writerows(example_rows())
    return buffer.getvalue().encode("utf-8-sig")


def _column_help(name: str) -> tuple[list[str], str, str]:
    if name in _KEY_HELP:
        return (
            [_KEY_HELP[name][code] for code, _l in LANGUAGES],
            "",
            "yes" if name == TEMPLATE_HOUSEHOLD_REF else "",
        )
    f = FIELDS_BY_NAME[name]
    part = "household" if f in HOUSEHOLD_FIELDS else "member"
    required = "yes" if f.import_required or name in {"given_name_ar", "subdistrict"} else ""
    return [f.label[code] for code, _l in LANGUAGES], part, required


def template_xlsx() -> bytes:
    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "households"
    ws.append(template_columns())
    for row in example_rows():
        ws.append(row)
    for cell in ws[1]:
        cell.font = bold
    ws.freeze_panes = "C2"

    help_ws = wb.create_sheet("columns")
    help_ws.append(
        ["column", "part", "required", *(f"label::{language}" for _c, language in LANGUAGES)]
    )
    for name in template_columns():
        labels, part, required = _column_help(name)
        help_ws.append([name, part or "household", required, *labels])
    for cell in help_ws[1]:
        cell.font = bold

    choices_ws = wb.create_sheet("choices")
    choices_ws.append(["column", "value", *(f"label::{language}" for _c, language in LANGUAGES)])
    for f in [*HOUSEHOLD_FIELDS, *MEMBER_FIELDS]:
        for choice in CHOICES.get(f.choices or "", []):
            choices_ws.append(
                [f.name, choice.name, *(choice.label[code] for code, _l in LANGUAGES)]
            )
    for cell in choices_ws[1]:
        cell.font = bold
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_file(kind: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the template as "csv" or "xlsx"."""
    if kind == "xlsx":
        return (
            template_xlsx(),
            "sanad-households-template.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return template_csv(), "sanad-households-template.csv", "text/csv; charset=utf-8"


def describe() -> list[dict[str, Any]]:
    """The template's columns, for the documentation page."""
    out = []
    for name in template_columns():
        labels, part, required = _column_help(name)
        out.append(
            {
                "name": name,
                "part": part or "household",
                "required": bool(required),
                "label": labels[0],
            }
        )
    return out

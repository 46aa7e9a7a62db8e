"""Which column holds which Sanad field, and which values mean which choice.

A Kobo export of Sanad's registration form (`form.py`) needs no mapping: a column is
found by the question's XML name, with or without its group path
(`household/subdistrict`, `members/sex`), or by its label in English, Arabic or Kurdish
(Kobo can export labels as headers). A choice is read from its XML name or any of its
labels. The template uses the same names.

Other forms are read through a saved `ColumnMapping`, whose spec is

    {"household": {"<sanad field>": "<column header>", ...},
     "member": {"<sanad field>": "<column header>", ...},
     "values": {"<sanad field>": {"<value in the file>": "<Sanad value>", ...}},
     "sheets": {"household": "<sheet>", "members": "<sheet>"}}

What a mapping names wins; what it leaves out is found as above.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sanad.registry.imports.form import (
    CHOICES,
    FIELDS,
    FIELDS_BY_NAME,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    TEMPLATE_HOUSEHOLD_REF,
    TEMPLATE_SOURCE_REF,
    Field,
)
from sanad.registry.imports.parsing import Book, FileUnreadable

KOBO = "kobo"
TEMPLATE = "template"

# Columns that are not questions: keys that link and identify rows.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    # The submission's id: a re-import of the same submission is never created twice.
    "source_ref": ("_uuid", "meta/instanceid", "instanceid", TEMPLATE_SOURCE_REF),
    "index": ("_index",),
    "parent_index": ("_parent_index",),
    "household_ref": (TEMPLATE_HOUSEHOLD_REF,),
    "submitted": ("_submission_time", "end", "today", "start"),
}

_YES = ("yes", "y", "true", "1", "نعم", "بەڵێ", "بلی", "اي", "ai")
_NO = ("no", "n", "false", "0", "لا", "نەخێر", "نخير", "كلا")


def value_key(value: str) -> str:
    """How values are compared: spacing and case do not matter, nor "1.0" against "1"."""
    text = " ".join(str(value).split()).casefold()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def header_keys(header: str) -> list[str]:
    text = " ".join(header.split())
    keys = [text, text.casefold()]
    for sep in ("/", ":", "."):
        if sep in text:
            last = text.rsplit(sep, 1)[-1].strip()
            if last:
                keys.append(last.casefold())
    return keys


def value_map(f: Field, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Accepted spellings of each choice of a select question → the value Sanad stores,
    keyed by `value_key`."""
    result: dict[str, Any] = {}
    if f.kind == "yes_no":
        for word in _YES:
            result[word] = True
        for word in _NO:
            result[word] = False
    for choice in CHOICES.get(f.choices or "", []):
        stored: Any = int(choice.name) if f.choices == "wg" else choice.name
        if f.kind == "yes_no":
            stored = choice.name == "yes"
        for text in (choice.name, *choice.label.values()):
            result[value_key(text)] = stored
    for source, target in (overrides or {}).items():
        if f.kind == "yes_no":
            target = value_key(str(target)) in _YES
        elif f.choices == "wg":
            try:
                target = int(target)
            except (TypeError, ValueError):
                continue
        result[value_key(str(source))] = target
    return result


@dataclass
class Plan:
    """How to read one file: sheets, column positions and value maps."""

    file_format: str
    household_sheet: str
    member_sheet: str | None
    household_headers: list[str]
    member_headers: list[str]
    # target → column index; absent columns point at the empty value appended to rows.
    household_cols: dict[str, int] = field(default_factory=dict)
    member_cols: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int | None] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    # File-level problems: (msgid, params).
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def same_sheet(self) -> bool:
        return self.file_format == TEMPLATE

    def household_header(self, target: str) -> str:
        col = self.household_cols.get(target, len(self.household_headers))
        return self.household_headers[col] if col < len(self.household_headers) else target

    def member_header(self, target: str) -> str:
        col = self.member_cols.get(target, len(self.member_headers))
        return self.member_headers[col] if col < len(self.member_headers) else target

    def has_household(self, target: str) -> bool:
        return self.household_cols.get(target, len(self.household_headers)) < len(
            self.household_headers
        )

    def has_member(self, target: str) -> bool:
        return self.member_cols.get(target, len(self.member_headers)) < len(self.member_headers)


class _Headers:
    def __init__(self, headers: list[str]) -> None:
        self.headers = headers
        self.index: dict[str, int] = {}
        for i, header in enumerate(headers):
            for key in header_keys(header):
                self.index.setdefault(key, i)

    def find(self, *candidates: str) -> int | None:
        for candidate in candidates:
            for key in header_keys(candidate):
                if key in self.index:
                    return self.index[key]
        return None

    def exact(self, header: str) -> int | None:
        text = " ".join(str(header).split())
        for i, h in enumerate(self.headers):
            if " ".join(h.split()) == text:
                return i
        for i, h in enumerate(self.headers):
            if " ".join(h.split()).casefold() == text.casefold():
                return i
        return None


def _pick_sheet(names: list[str], wanted: str | None, fallback: str | None) -> str | None:
    if wanted:
        for name in names:
            if name == wanted or name.casefold() == wanted.casefold():
                return name
        raise FileUnreadable(
            gettext_noop("The file has no sheet named “%(sheet)s” (it has: %(sheets)s)."),
            sheet=wanted,
            sheets=", ".join(names),
        )
    return fallback


def plan_for(book: Book, *, file_format: str, spec: dict[str, Any] | None = None) -> Plan:
    """Read the headers of `book` and decide where each field is."""
    spec = spec or {}
    sheets_spec = spec.get("sheets") or {}
    names = book.sheet_names()
    if not names:
        raise FileUnreadable(gettext_noop("The file has no sheet."))
    default_main = next((n for n in names if n.casefold() == "households"), names[0])
    household_sheet = _pick_sheet(names, sheets_spec.get("household"), default_main)
    assert household_sheet is not None
    household_headers = book.headers(household_sheet)
    if not any(household_headers):
        raise FileUnreadable(
            gettext_noop("The first row of the sheet “%(sheet)s” holds no column names."),
            sheet=household_sheet,
        )
    member_sheet: str | None
    if file_format == TEMPLATE:
        member_sheet = household_sheet
        member_headers = household_headers
    else:
        fallback = next(
            (n for n in names if n.casefold() == "members" and n != household_sheet), None
        )
        if fallback is None:
            for name in names:
                if name != household_sheet and "_parent_index" in book.headers(name):
                    fallback = name
                    break
        member_sheet = _pick_sheet(names, sheets_spec.get("members"), fallback)
        member_headers = book.headers(member_sheet) if member_sheet else []

    plan = Plan(
        file_format=file_format,
        household_sheet=household_sheet,
        member_sheet=member_sheet,
        household_headers=household_headers,
        member_headers=member_headers,
    )
    hh = _Headers(household_headers)
    mem = _Headers(member_headers)
    hh_spec = spec.get("household") or {}
    mem_spec = spec.get("member") or {}

    def locate(
        f_target: str, candidates: tuple[str, ...], headers: _Headers, named: Any
    ) -> int | None:
        if named:
            col = headers.exact(str(named))
            if col is None:
                plan.problems.append(
                    (
                        gettext_noop(
                            "The column mapping names the column “%(column)s” for %(field)s, but the file has no such column."
                        ),
                        {"column": named, "field": f_target},
                    )
                )
            return col
        return headers.find(*candidates)

    for f in HOUSEHOLD_FIELDS:
        col = locate(f.target or f.name, (f.name, *f.label.values()), hh, hh_spec.get(f.name))
        if col is not None:
            plan.household_cols[f.name] = col
    for f in MEMBER_FIELDS:
        col = locate(f.target or f.name, (f.name, *f.label.values()), mem, mem_spec.get(f.name))
        if col is not None:
            plan.member_cols[f.name] = col
    for key, candidates in KEY_FIELDS.items():
        headers, named = (
            (mem, mem_spec.get(key)) if key == "parent_index" else (hh, hh_spec.get(key))
        )
        if file_format == TEMPLATE and key in {"index", "parent_index", "submitted"}:
            continue
        if file_format == KOBO and key == "household_ref":
            continue
        plan.keys[key] = locate(key, candidates, headers, named)
    # Absent columns point at the empty value appended after the last column.
    for target in [f.name for f in HOUSEHOLD_FIELDS]:
        plan.household_cols.setdefault(target, len(household_headers))
    for target in [f.name for f in MEMBER_FIELDS]:
        plan.member_cols.setdefault(target, len(member_headers))

    values_spec = spec.get("values") or {}
    for f in FIELDS:
        if (
            f.imported
            and (f.kind in {"select_one", "yes_no"})
            and f.choices
            not in {
                "governorate",
                "district",
                "subdistrict",
            }
        ):
            plan.values[f.name] = value_map(f, values_spec.get(f.name))

    _check_required(plan)
    return plan


def _check_required(plan: Plan) -> None:
    missing: list[str] = []
    for f in HOUSEHOLD_FIELDS:
        if f.import_required and not plan.has_household(f.name):
            missing.append(f.name)
    if not (plan.has_household("subdistrict") or plan.has_household("district")):
        missing.append("subdistrict")
    if plan.member_sheet is None:
        plan.problems.append(
            (
                gettext_noop(
                    "The file has no members sheet: a Kobo export puts the household members (the "
                    "repeat group) in a sheet of their own. Export as XLSX with all the sheets, or "
                    "name the sheet in a column mapping."
                ),
                {},
            )
        )
        return
    for f in MEMBER_FIELDS:
        if f.import_required and not plan.has_member(f.name):
            missing.append(f.name)
    if not (plan.has_member("given_name_ar") or plan.has_member("given_name_en")):
        missing.append("given_name_ar")
    if plan.file_format == TEMPLATE and plan.keys.get("household_ref") is None:
        missing.append(TEMPLATE_HOUSEHOLD_REF)
    if plan.file_format == KOBO and plan.keys.get("parent_index") is None:
        missing.append("_parent_index")
    if missing:
        plan.problems.append(
            (
                gettext_noop(
                    "The file has no column for: %(columns)s. Rename the columns, or choose them in "
                    "a column mapping."
                ),
                {"columns": ", ".join(missing)},
            )
        )


def mapping_fields() -> list[tuple[str, str, Field | None]]:
    """What a column mapping can name: (part, name, field) with part "household" or
    "member", in the order of the form, keys included."""
    rows: list[tuple[str, str, Field | None]] = [
        ("household", "source_ref", None),
        ("household", "household_ref", None),
        ("household", "index", None),
        ("household", "submitted", None),
    ]
    rows += [("household", f.name, f) for f in HOUSEHOLD_FIELDS]
    rows += [("member", "parent_index", None)]
    rows += [("member", f.name, f) for f in MEMBER_FIELDS]
    return rows


def mapping_spec_problems(spec: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not isinstance(spec, dict):
        return [_("The mapping must be a JSON object.")]
    known = {
        part: {name for p, name, _f in mapping_fields() if p == part}
        for part in ("household", "member")
    }
    for part in ("household", "member"):
        columns = spec.get(part) or {}
        if not isinstance(columns, dict):
            problems.append(_("“%(part)s” must map field names to column names.") % {"part": part})
            continue
        for field_name, column in columns.items():
            if field_name not in known[part]:
                problems.append(_("“%(field)s” is not a Sanad field.") % {"field": field_name})
            elif not isinstance(column, str):
                problems.append(
                    _("The column for “%(field)s” must be a column name.") % {"field": field_name}
                )
    values = spec.get("values") or {}
    if not isinstance(values, dict):
        problems.append(_("“values” must map field names to value tables."))
        values = {}
    for field_name, table in values.items():
        f = FIELDS_BY_NAME.get(field_name)
        if f is None or not f.choices or not isinstance(table, dict):
            problems.append(
                _("“%(field)s” is not a question with choices.") % {"field": field_name}
            )
            continue
        allowed = {c.name for c in CHOICES.get(f.choices, [])}
        for source, target in table.items():
            if str(target) not in allowed:
                problems.append(
                    _("“%(target)s” (for “%(source)s”) is not an answer of %(field)s: %(allowed)s.")
                    % {
                        "target": target,
                        "source": source,
                        "field": field_name,
                        "allowed": ", ".join(sorted(allowed)),
                    }
                )
    if spec.get("date_order", "dmy") not in {"dmy", "mdy"}:
        problems.append(_("The date order must be dmy or mdy."))
    return problems

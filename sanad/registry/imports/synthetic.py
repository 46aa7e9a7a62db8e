"""Import files made from generated households, for the samples, tests and the benchmark.

Records are the demo generator's dicts (`sanad.registry.demo.generate_households`):
`{"household": {…}, "members": [{…}, …]}`. They are written as the Sanad template (CSV
or XLSX: one row per person) or as KoboToolbox exports of the registration form (XLSX
with the main sheet and the `members` sheet linked by `_index` / `_parent_index`, or
JSON), with the columns, group paths and meta columns Kobo writes.

`write_kobo_xlsx(..., fast=True)` writes the XLSX parts directly (shared strings, as
Kobo's exporter does), fast enough for a million members; otherwise openpyxl writes it.
"""

from __future__ import annotations

import csv
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sanad.registry.imports.form import (
    CHOICES,
    FIELDS_BY_NAME,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    TEMPLATE_HOUSEHOLD_REF,
    TEMPLATE_SOURCE_REF,
    template_columns,
)

Records = Callable[[], Iterable[dict[str, Any]]]

KOBO_MAIN_META = (
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_tags", "_index",
)  # fmt: skip
KOBO_MEMBER_META = (
    "_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
    "_submission__submission_time", "_submission__validation_status", "_submission__notes",
    "_submission__status", "_submission__submitted_by", "_submission___version__",
    "_submission__tags",
)  # fmt: skip


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def household_values(record: dict[str, Any]) -> dict[str, str]:
    h = record["household"]
    pcode = h.get("admin_unit") or ""
    origin = h.get("origin_admin_unit") or ""
    consents = h.get("consents") or {}
    registration = consents.get("registration", {"given": True})
    phones = h.get("phones") or []
    return {
        "consent": _yes_no(registration.get("given", True)),
        "governorate": pcode[:5],
        "district": pcode[:8] if len(pcode) >= 8 else "",
        "subdistrict": pcode if len(pcode) == 11 else "",
        "place_code": h.get("place_code") or "",
        "displacement_status": h.get("displacement_status") or "",
        "shelter_type": h.get("shelter_type") or "",
        "origin_governorate": origin[:5] if origin else "",
        "origin_district": origin if len(origin) >= 8 else "",
        "origin_place_name": h.get("origin_place_name") or "",
        "displaced_on": h.get("displaced_on") or "",
        "household_phone": phones[0] if phones else "",
        "notes": h.get("notes") or "",
    }


def member_values(m: dict[str, Any]) -> dict[str, str]:
    documents = m.get("documents") or []
    document = documents[0] if documents else {}
    values = {
        name: m.get(name) or ""
        for name in (
            "given_name_ar", "fathers_name_ar", "grandfathers_name_ar", "family_name_ar",
            "given_name_en", "fathers_name_en", "grandfathers_name_en", "family_name_en",
            "sex", "date_of_birth", "relationship", "marital_status", "phone",
            "preferred_language",
        )
    }  # fmt: skip
    for name in (
        "wg_seeing",
        "wg_hearing",
        "wg_walking",
        "wg_cognition",
        "wg_selfcare",
        "wg_communication",
    ):
        value = m.get(name)
        values[name] = "" if value is None else str(value)
    for name in (
        "dob_estimated",
        "is_pregnant",
        "has_chronic_illness",
        "is_unaccompanied_or_separated",
        "is_alternate_collector",
    ):
        values[name] = _yes_no(m.get(name))
    values["document_kind"] = document.get("kind", "")
    values["document_number"] = document.get("number", "")
    return values


def _label(field: str, value: str, language: str) -> str:
    f = FIELDS_BY_NAME[field]
    for choice in CHOICES.get(f.choices or "", []):
        if choice.name == value:
            return choice.label[language]
    return value


def _labelled(values: dict[str, str], language: str | None) -> dict[str, str]:
    if not language:
        return values
    return {
        k: (_label(k, v, language) if v and FIELDS_BY_NAME[k].choices in CHOICES else v)
        for k, v in values.items()
    }


def _dmy(text: str) -> str:
    if len(text) == 10 and text[4] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text


# --- template --------------------------------------------------------------------------


def template_rows(records: Iterable[dict[str, Any]], *, dates: str = "iso") -> Iterator[list[str]]:
    columns = template_columns()
    yield columns
    for n, record in enumerate(records, 1):
        hh = household_values(record)
        ref = record["household"].get("source_ref") or ""
        for i, m in enumerate(record["members"]):
            values = {TEMPLATE_HOUSEHOLD_REF: f"H{n:06d}", TEMPLATE_SOURCE_REF: ref}
            if i == 0:
                values.update(hh)
            values.update(member_values(m))
            if dates == "dmy":
                for key in ("date_of_birth", "displaced_on"):
                    if values.get(key):
                        values[key] = _dmy(values[key])
            yield [values.get(c, "") for c in columns]


def write_template_csv(
    records: Iterable[dict[str, Any]],
    path: Path,
    *,
    encoding: str = "utf-8-sig",
    dates: str = "iso",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        for row in template_rows(records, dates=dates):
            writer.writerow(row)
    return path


def write_template_xlsx(records: Iterable[dict[str, Any]], path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("households")
    for row in template_rows(records):
        ws.append(row)
    wb.save(path)
    return path


# --- Kobo ------------------------------------------------------------------------------


def kobo_headers() -> tuple[list[str], list[str]]:
    main = ["start", "end", *(f"household/{f.name}" for f in HOUSEHOLD_FIELDS), *KOBO_MAIN_META]
    members = [f"members/{f.name}" for f in MEMBER_FIELDS]
    members.insert(members.index("members/dob_estimated") + 1, "members/age")
    return main, [*members, *KOBO_MEMBER_META]


def kobo_sheets(
    records: Iterable[dict[str, Any]], *, language: str | None = None
) -> tuple[Iterator[list[str]], Callable[[Iterable[dict[str, Any]]], Iterator[list[str]]]]:
    """Row iterators for the main sheet and (given the records again) the members sheet."""
    main_headers, member_headers = kobo_headers()

    def ref(record: dict[str, Any], n: int) -> str:
        return record["household"].get("source_ref") or str(uuid.UUID(int=n))

    def main() -> Iterator[list[str]]:
        yield main_headers
        for n, record in enumerate(records, 1):
            when = record["household"].get("registered_on") or "2025-01-01"
            values = _labelled(household_values(record), language)
            row = {f"household/{k}": v for k, v in values.items()}
            row.update(
                start=f"{when}T09:00:00.000+03:00",
                end=f"{when}T09:20:00.000+03:00",
                _id=str(100000 + n),
                _uuid=ref(record, n),
                _submission_time=f"{when}T10:00:00",
                _status="submitted_via_web",
                _submitted_by="enumerator1",
                __version__="vSanad1",
                _index=str(n),
            )
            yield [row.get(h, "") for h in main_headers]

    def members(again: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
        yield member_headers
        index = 0
        for n, record in enumerate(again, 1):
            when = record["household"].get("registered_on") or "2025-01-01"
            for m in record["members"]:
                index += 1
                values = _labelled(member_values(m), language)
                row = {f"members/{k}": v for k, v in values.items()}
                row.update(
                    _index=str(index),
                    _parent_table_name="sanad_household_registration",
                    _parent_index=str(n),
                    _submission__id=str(100000 + n),
                    _submission__uuid=ref(record, n),
                    _submission__submission_time=f"{when}T10:00:00",
                    _submission__status="submitted_via_web",
                    _submission__submitted_by="enumerator1",
                    _submission___version__="vSanad1",
                )
                yield [row.get(h, "") for h in member_headers]

    return main(), members


def write_kobo_xlsx(
    records: Records, path: Path, *, language: str | None = None, fast: bool = False
) -> Path:
    """`records`: a callable returning the records (they are read twice, once per sheet)."""
    main_rows, member_rows = kobo_sheets(records(), language=language)
    sheets: list[tuple[str, Iterable[list[str]]]] = [
        ("sanad_household_registration", main_rows),
        ("members", member_rows(records())),
    ]
    if fast:
        _FastXlsx(path).write(sheets)
        return path
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([_number_or_text(v) for v in row])
    wb.save(path)
    return path


def _number_or_text(value: str) -> Any:
    return int(value) if value.isdigit() and len(value) < 10 else value


def write_kobo_json(records: Iterable[dict[str, Any]], path: Path) -> Path:
    _main_headers, _member_headers = kobo_headers()
    out = []
    for n, record in enumerate(records, 1):
        submission: dict[str, Any] = {
            f"household/{k}": v for k, v in household_values(record).items() if v
        }
        submission["_uuid"] = record["household"].get("source_ref") or str(uuid.UUID(int=n))
        submission["_id"] = 100000 + n
        submission["_submission_time"] = (
            record["household"].get("registered_on") or "2025-01-01"
        ) + "T10:00:00"
        submission["members"] = [
            {f"members/{k}": v for k, v in member_values(m).items() if v} for m in record["members"]
        ]
        out.append(submission)
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return path


class _FastXlsx:
    """The XML parts of an XLSX with shared strings, streamed into the zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.strings: dict[str, int] = {}

    @staticmethod
    def _col(i: int) -> str:
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s

    def write(self, sheets: list[tuple[str, Iterable[list[str]]]]) -> None:
        strings = self.strings
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for n, (_name, rows) in enumerate(sheets, 1):
                with z.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as fh:
                    fh.write(
                        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    )
                    cols: list[str] = []
                    buf: list[str] = []
                    for r, row in enumerate(rows, 1):
                        while len(cols) < len(row):
                            cols.append(self._col(len(cols)))
                        cells = []
                        for c, value in enumerate(row):
                            if value == "":
                                continue
                            if value.isdigit() and len(value) < 10:
                                cells.append(f'<c r="{cols[c]}{r}"><v>{value}</v></c>')
                            else:
                                index = strings.get(value)
                                if index is None:
                                    index = strings[value] = len(strings)
                                cells.append(f'<c r="{cols[c]}{r}" t="s"><v>{index}</v></c>')
                        buf.append(f'<row r="{r}">{"".join(cells)}</row>')
                        if len(buf) >= 2000:
                            fh.write("".join(buf).encode())
                            buf = []
                    fh.write("".join(buf).encode())
                    fh.write(b"</sheetData></worksheet>")
            parts = [f"<si><t>{escape(s)}</t></si>" for s in strings]
            z.writestr(
                "xl/sharedStrings.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
                f'openxmlformats.org/spreadsheetml/2006/main" count="{len(parts)}" uniqueCount="{len(parts)}">'
                + "".join(parts)
                + "</sst>",
            )
            overrides = "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/>'
                for n in range(1, len(sheets) + 1)
            )
            z.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
                'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
                '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
                'sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                f'sharedStrings+xml"/>{overrides}</Types>',
            )
            z.writestr(
                "_rels/.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
                'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
                'workbook.xml"/></Relationships>',
            )
            sheet_tags = "".join(
                f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                for n, (name, _rows) in enumerate(sheets, 1)
            )
            z.writestr(
                "xl/workbook.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/relationships"><sheets>{sheet_tags}</sheets></workbook>',
            )
            rels = "".join(
                f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, len(sheets) + 1)
            )
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
                f'schemas.openxmlformats.org/package/2006/relationships">{rels}<Relationship Id="rIdS" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                'Target="sharedStrings.xml"/></Relationships>',
            )

"""The engine's input: one `Record` per person, from the registry or from a CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["COLUMNS", "DedupInputError", "Record", "read_csv"]


class DedupInputError(Exception):
    """An input file cannot be used; the message says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Record:
    """One person. Names may be in Arabic script or Latin letters; `full_name` is used
    (split into its parts) when the four name parts are empty."""

    record_id: str
    household_id: str = ""
    given_name: str = ""
    father_name: str = ""
    grandfather_name: str = ""
    family_name: str = ""
    full_name: str = ""
    sex: str = ""
    date_of_birth: str = ""  # YYYY-MM-DD or YYYY (also dd/mm/yyyy, YYYYMMDD)
    dob_estimated: bool = False
    phone: str = ""
    document_number: str = ""
    address: str = ""
    admin1_pcode: str = ""
    admin2_pcode: str = ""
    relationship: str = ""


COLUMNS = tuple(f.name for f in fields(Record))
_TRUE = {"1", "true", "yes", "y", "t", "نعم", "x"}
_MAX_ERRORS_SHOWN = 5


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DedupInputError(
            f"{path} is not UTF-8 text (line {line}). Save it as 'CSV UTF-8' and try again."
        ) from exc


def read_csv(path: str | Path) -> list[Record]:
    """Records of a UTF-8 CSV file (with or without a byte-order mark) with a header
    row. `record_id` is required and unique; the other columns of `Record` are optional
    and unknown columns are ignored. Raises DedupInputError saying what to fix."""
    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise DedupInputError(f"{name}: no such file.")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DedupInputError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    text = _decode(raw, name)
    if not text.strip():
        raise DedupInputError(f"{name} is empty: it needs a header row with a record_id column.")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DedupInputError(f"{name} has no header row.") from exc
    columns = [h.strip().casefold().lstrip("\ufeff") for h in header]
    if "record_id" not in columns:
        shown = ", ".join(h for h in header[:8] if h.strip()) or "(none)"
        raise DedupInputError(
            f"{name} has no record_id column (its columns are: {shown}). "
            "Add a column named record_id with one unique identifier per row."
        )
    index = {c: i for i, c in reversed(list(enumerate(columns))) if c in COLUMNS}
    records: list[Record] = []
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    missing: list[int] = []
    width = len(columns)
    try:
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            values = {c: row[i].strip() for c, i in index.items()}
            rid = values.get("record_id", "")
            if not rid:
                missing.append(line_no)
                continue
            if rid in seen:
                if rid not in duplicates:
                    duplicates.append(rid)
                continue
            seen[rid] = line_no
            records.append(
                Record(
                    record_id=rid,
                    household_id=values.get("household_id", ""),
                    given_name=values.get("given_name", ""),
                    father_name=values.get("father_name", ""),
                    grandfather_name=values.get("grandfather_name", ""),
                    family_name=values.get("family_name", ""),
                    full_name=values.get("full_name", ""),
                    sex=values.get("sex", ""),
                    date_of_birth=values.get("date_of_birth", ""),
                    dob_estimated=values.get("dob_estimated", "").casefold() in _TRUE,
                    phone=values.get("phone", ""),
                    document_number=values.get("document_number", ""),
                    address=values.get("address", ""),
                    admin1_pcode=values.get("admin1_pcode", ""),
                    admin2_pcode=values.get("admin2_pcode", ""),
                    relationship=values.get("relationship", ""),
                )
            )
    except csv.Error as exc:
        raise DedupInputError(f"{name} is not a well-formed CSV file: {exc}.") from exc
    if missing:
        lines = ", ".join(str(n) for n in missing[:_MAX_ERRORS_SHOWN])
        more = (
            f" and {len(missing) - _MAX_ERRORS_SHOWN} more"
            if len(missing) > _MAX_ERRORS_SHOWN
            else ""
        )
        raise DedupInputError(
            f"{name}: rows without a record_id on line {lines}{more}. Give every row one."
        )
    if duplicates:
        ids = ", ".join(duplicates[:_MAX_ERRORS_SHOWN])
        more = (
            f" and {len(duplicates) - _MAX_ERRORS_SHOWN} more"
            if len(duplicates) > _MAX_ERRORS_SHOWN
            else ""
        )
        raise DedupInputError(
            f"{name}: duplicate record ids: {ids}{more}. Each record_id must appear once."
        )
    return records

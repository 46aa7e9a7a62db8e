"""Reading import files as streams of rows, then of households.

A *book* is a file seen as named sheets of text rows: a CSV file is one sheet, an XLSX
or XLS workbook has several, a Kobo JSON export becomes a main sheet and one sheet per
repeat group, and a ZIP of CSV files (Kobo's sheets saved one per file) a sheet per file.

Memory: CSV, XLSX and ZIP files are read as streams, a block at a time, so their size
does not matter. Two formats are read whole, because their libraries have no streaming
reader: legacy XLS (python-calamine) and JSON (the standard library; `ijson` is not a
dependency). Their size is limited (`MAX_WHOLE_FILE_BYTES`); export large forms as XLSX.

`households()` turns rows into households: for a Kobo export, the main sheet's rows
merge-joined with the members sheet's rows on `_index` / `_parent_index` (both sheets
come sorted by index, so two streams are walked side by side); for the template, runs of
consecutive rows that share a `household_ref`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from sanad.registry.imports.xlsx import XlsxBook, XlsxError, _python_to_text

MAX_WHOLE_FILE_BYTES = 150 * 1024 * 1024
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".json", ".zip")
_SNIFF_DELIMITERS = ",;\t|"


class FileUnreadable(Exception):
    """The file cannot be read as an import; `msgid` and `params` say why."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        self.more: list[tuple[str, dict[str, Any]]] = []  # further problems, same shape
        super().__init__(msgid % params if params else msgid)


# --- text encodings --------------------------------------------------------------------


def detect_encoding(raw: io.BufferedIOBase | Any) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with a mark, else Windows-1256.

    The whole stream is checked as UTF-8 by an incremental decoder (about a gigabyte a
    second) before it is trusted: a file saved by Excel in Arabic Windows is valid
    cp1256 and almost never valid UTF-8, and an error on row 100,000 must not turn into
    garbled names on the rows before it. The stream is rewound.
    """
    head = raw.read(4)
    raw.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := raw.read(1 << 22):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1256"
    raw.seek(0)
    return encoding


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a binary stream (progress of a text stream)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _SNIFF_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- books -----------------------------------------------------------------------------


class Book:
    """Sheets of rows. `rows(sheet)` yields (row number, values) with the header first."""

    def sheet_names(self) -> list[str]:
        raise NotImplementedError

    def rows(self, sheet: str, *, track: bool = True) -> Iterator[tuple[int, list[str]]]:
        """`track`: this stream drives `fraction()` (the main sheet, not the members)."""
        raise NotImplementedError

    def fraction(self) -> float:
        return 0.0

    def headers(self, sheet: str) -> list[str]:
        for _number, values in self.rows(sheet, track=False):
            return [v.strip() for v in values]
        return []

    def close(self) -> None:
        pass


class CsvBook(Book):
    def __init__(self, path: Path, *, name: str | None = None, opener: Any = None) -> None:
        self.path = path
        self.name = name or path.stem
        self._opener = opener or (lambda: path.open("rb"))
        self._size = 0
        self._reader: _CountingReader | None = None
        with self._opener() as raw:
            self.encoding = detect_encoding(raw)
            raw.seek(0, io.SEEK_END)
            self._size = raw.tell()

    def sheet_names(self) -> list[str]:
        return [self.name]

    def fraction(self) -> float:
        if not self._reader or not self._size:
            return 0.0
        return min(1.0, self._reader.count / self._size)

    def rows(self, sheet: str, *, track: bool = True) -> Iterator[tuple[int, list[str]]]:
        with self._opener() as raw:
            reader = _CountingReader(raw)
            if track:
                self._reader = reader
            text = io.TextIOWrapper(
                io.BufferedReader(reader, buffer_size=1 << 20),
                encoding=self.encoding,
                newline="",
                errors="replace",
            )
            first = text.readline()
            delimiter = _sniff_delimiter(first)
            header = next(csv.reader([first], delimiter=delimiter), [])
            yield 1, header
            for number, values in enumerate(csv.reader(text, delimiter=delimiter), 2):
                if values and any(values):
                    yield number, values


class CalamineBook(Book):
    """Legacy XLS (and ODS): read whole by python-calamine; size-limited."""

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        self._wb = CalamineWorkbook.from_path(str(path))

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheet_names)

    def rows(self, sheet: str, *, track: bool = True) -> Iterator[tuple[int, list[str]]]:
        data = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for number, row in enumerate(data, 1):
            values = [_python_to_text(v) for v in row]
            if any(values):
                yield number, values


class XlsxStreamBook(Book):
    def __init__(self, path: Path) -> None:
        try:
            self._book = XlsxBook(path)
        except XlsxError as exc:
            raise FileUnreadable(gettext_noop("The file is not a readable XLSX workbook.")) from exc

    def sheet_names(self) -> list[str]:
        return self._book.sheet_names()

    def rows(self, sheet: str, *, track: bool = True) -> Iterator[tuple[int, list[str]]]:
        return self._book.rows(sheet, track=track)

    def fraction(self) -> float:
        return self._book.fraction()

    def close(self) -> None:
        self._book.close()


class MemoryBook(Book):
    """Sheets already in memory (a Kobo JSON export, small test files)."""

    def __init__(self, sheets: dict[str, list[list[str]]]) -> None:
        self.sheets = sheets
        self._done = 0
        self._total = sum(len(rows) for rows in sheets.values()) or 1

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def rows(self, sheet: str, *, track: bool = True) -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(self.sheets[sheet], 1):
            self._done += 1
            yield number, list(values)

    def fraction(self) -> float:
        return min(1.0, self._done / self._total)


class ZipCsvBook(Book):
    """A ZIP of CSV files, one per sheet (the sheets of a Kobo export saved as CSV)."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise FileUnreadable(gettext_noop("The file is not a readable ZIP archive.")) from exc
        self._books: dict[str, CsvBook] = {}
        for info in self._zip.infolist():
            name = info.filename
            if info.is_dir() or not name.lower().endswith((".csv", ".txt")):
                continue
            sheet = Path(name).stem
            self._books[sheet] = CsvBook(
                path, name=sheet, opener=lambda n=name: _SeekableZipMember(self._zip, n)
            )
        if not self._books:
            raise FileUnreadable(gettext_noop("The ZIP archive holds no CSV file."))
        self._current: CsvBook | None = None

    def sheet_names(self) -> list[str]:
        return list(self._books)

    def rows(self, sheet: str, *, track: bool = True) -> Iterator[tuple[int, list[str]]]:
        if track:
            self._current = self._books[sheet]
        return self._books[sheet].rows(sheet, track=track)

    def fraction(self) -> float:
        return self._current.fraction() if self._current else 0.0

    def close(self) -> None:
        self._zip.close()


class _SeekableZipMember(io.RawIOBase):
    """A zip member that can be rewound (reopened) and measured, for `CsvBook`."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self._archive = archive
        self._name = name
        self._size = archive.getinfo(name).file_size
        self._fh = archive.open(name)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._pos += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            self._pos = self._size
            return self._pos
        if offset == 0 and whence == io.SEEK_SET:
            self._fh.close()
            self._fh = self._archive.open(self._name)
            self._pos = 0
            return 0
        raise io.UnsupportedOperation("seek")

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._fh.close()
        super().close()


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def kobo_json_book(path: Path, *, name: str | None = None) -> MemoryBook:
    """A Kobo JSON export (a list of submissions, or the API's {"results": [...]}) as a
    main sheet and one sheet per repeat group, linked by `_index` / `_parent_index` as in
    Kobo's XLSX export. Loaded whole: see the module docstring."""
    try:
        with path.open("rb") as fh:
            data = json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileUnreadable(gettext_noop("The file is not valid JSON.")) from exc
    if isinstance(data, dict):
        data = data.get("results", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(s, dict) for s in data):
        raise FileUnreadable(
            gettext_noop("The JSON file is not a Kobo export: expected a list of submissions.")
        )
    main_headers: dict[str, None] = {"_index": None}
    repeat_headers: dict[str, dict[str, None]] = {}
    main_rows: list[dict[str, Any]] = []
    repeat_rows: dict[str, list[dict[str, Any]]] = {}
    for index, submission in enumerate(data, 1):
        row: dict[str, Any] = {"_index": index}
        for key, value in submission.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                sheet = key.rsplit("/", 1)[-1]
                headers = repeat_headers.setdefault(sheet, {"_index": None, "_parent_index": None})
                rows = repeat_rows.setdefault(sheet, [])
                for entry in value:
                    member = {"_index": len(rows) + 1, "_parent_index": index}
                    for k, v in entry.items():
                        headers.setdefault(k, None)
                        member[k] = v
                    rows.append(member)
            else:
                main_headers.setdefault(key, None)
                row[key] = value
        main_rows.append(row)
    sheets: dict[str, list[list[str]]] = {
        name or path.stem: [list(main_headers)]
        + [[_json_text(r.get(h)) for h in main_headers] for r in main_rows]
    }
    for sheet, headers in repeat_headers.items():
        sheets[sheet] = [list(headers)] + [
            [_json_text(r.get(h)) for h in headers] for r in repeat_rows[sheet]
        ]
    return MemoryBook(sheets)


def open_book(path: Path, *, name: str | None = None) -> Book:
    """The book for a stored import file, by its suffix. `name`: the file's name as the
    person knows it, which names the sheet of a CSV file and the main sheet of a JSON
    export in messages."""
    suffix = path.suffix.lower()
    stem = Path(name).stem if name else None
    if suffix in {".csv", ".txt"}:
        return CsvBook(path, name=stem)
    if suffix == ".xlsx":
        return XlsxStreamBook(path)
    if suffix == ".zip":
        return ZipCsvBook(path)
    if suffix in {".json", ".xls"}:
        if path.stat().st_size > MAX_WHOLE_FILE_BYTES:
            raise FileUnreadable(
                gettext_noop(
                    "This %(kind)s file is too large to import in one piece (the limit is %(mb)s MB). "
                    "Export the form as XLSX instead."
                ),
                kind=suffix[1:].upper(),
                mb=MAX_WHOLE_FILE_BYTES // (1024 * 1024),
            )
        if suffix == ".json":
            return kobo_json_book(path, name=stem)
        try:
            return CalamineBook(path)
        except Exception as exc:
            raise FileUnreadable(gettext_noop("The file is not a readable XLS workbook.")) from exc
    raise FileUnreadable(
        gettext_noop("Files of type “%(suffix)s” cannot be imported. Use %(allowed)s."),
        suffix=suffix or "?",
        allowed=", ".join(SUFFIXES),
    )


# --- households ------------------------------------------------------------------------


@dataclass(slots=True)
class RawHousehold:
    """The rows of one household as read: its row in the household sheet and its
    members' rows (in the members sheet, or the same sheet for the template)."""

    number: int
    values: list[str]
    members: list[tuple[int, list[str]]] = field(default_factory=list)
    # Problems found while grouping rows: (sheet, row, column, value, msgid, params).
    problems: list[tuple[str, int, str, str, str, dict[str, Any]]] = field(default_factory=list)


def _index_value(text: str) -> int | None:
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return None


def kobo_households(
    book: Book,
    *,
    household_sheet: str,
    member_sheet: str | None,
    index_col: int | None,
    parent_col: int | None,
    parent_header: str,
    width: int,
    member_width: int,
) -> Iterator[RawHousehold]:
    """Merge-join the main sheet with the members sheet on `_index` / `_parent_index`.

    Both sheets are sorted by index in Kobo's exports. A member row whose parent is not
    the current submission is reported (an orphan, or a sheet that was re-sorted)."""
    if member_sheet is None:
        members_iter: Iterator[tuple[int, list[str]]] = iter(())
    else:
        members_iter = iter(book.rows(member_sheet, track=False))
        next(members_iter, None)  # header
    pending = next(members_iter, None)
    main = iter(book.rows(household_sheet))
    next(main, None)  # header
    for position, (number, values) in enumerate(main, 1):
        if len(values) < width:
            values.extend([""] * (width - len(values)))
        values.append("")  # the empty value that absent columns point at
        index = _index_value(values[index_col]) if index_col is not None else position
        if index is None:
            index = position
        household = RawHousehold(number, values)
        while pending is not None:
            m_number, m_values = pending
            parent = (
                _index_value(m_values[parent_col])
                if parent_col is not None and parent_col < len(m_values)
                else None
            )
            if parent is None or parent < index:
                household.problems.append(
                    (
                        member_sheet or "",
                        m_number,
                        parent_header,
                        m_values[parent_col]
                        if parent_col is not None and parent_col < len(m_values)
                        else "",
                        gettext_noop(
                            "This member row belongs to no submission of the main sheet (its "
                            "%(column)s is not found, or the sheet is not in the order Kobo exports it)."
                        ),
                        {"column": parent_header},
                    )
                )
            elif parent == index:
                if len(m_values) < member_width:
                    m_values.extend([""] * (member_width - len(m_values)))
                m_values.append("")
                household.members.append((m_number, m_values))
            else:
                break
            pending = next(members_iter, None)
        yield household
    while pending is not None:
        m_number, m_values = pending
        orphan = RawHousehold(0, [])
        orphan.problems.append(
            (
                member_sheet or "",
                m_number,
                parent_header,
                m_values[parent_col]
                if parent_col is not None and parent_col < len(m_values)
                else "",
                gettext_noop(
                    "This member row belongs to no submission of the main sheet (its "
                    "%(column)s is not found, or the sheet is not in the order Kobo exports it)."
                ),
                {"column": parent_header},
            )
        )
        yield orphan
        pending = next(members_iter, None)


def template_households(
    book: Book, *, sheet: str, group_col: int | None, group_header: str, width: int
) -> Iterator[RawHousehold]:
    """One row per person; consecutive rows with the same household reference form a
    household, whose own columns are read from its first row."""
    rows = iter(book.rows(sheet))
    next(rows, None)  # header
    current: RawHousehold | None = None
    current_ref: str | None = None
    finished: set[str] = set()
    for number, values in rows:
        if len(values) < width:
            values.extend([""] * (width - len(values)))
        values.append("")
        ref = values[group_col].strip() if group_col is not None else ""
        if current is not None and ref and ref == current_ref:
            current.members.append((number, values))
            continue
        if current is not None:
            yield current
            if current_ref:
                finished.add(current_ref)
        current = RawHousehold(number, values, [(number, values)])
        current_ref = ref
        if group_col is not None and not ref:
            current.problems.append(
                (
                    sheet,
                    number,
                    group_header,
                    "",
                    gettext_noop(
                        "Give the household reference on every row; members of a household share it."
                    ),
                    {},
                )
            )
        elif ref in finished:
            current.problems.append(
                (
                    sheet,
                    number,
                    group_header,
                    ref,
                    gettext_noop(
                        "The rows of household “%(ref)s” are not together: put all the members of a "
                        "household on consecutive rows."
                    ),
                    {"ref": ref},
                )
            )
    if current is not None:
        yield current

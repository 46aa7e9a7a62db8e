"""Streaming reader for XLSX worksheets: one row at a time, in constant memory.

python-calamine and openpyxl's normal mode load a whole worksheet (calamine took 2 GB
and 20 s for a members sheet of a million rows × 30 columns); openpyxl's read-only mode
streams but builds a Python object per XML element. This reader inflates the worksheet
part of the zip in blocks and picks the cells out with one regular expression, which is
several times faster and never holds more than a block and the shared strings.

It understands what spreadsheet writers produce: shared strings (rich text included),
inline strings, formula results, booleans, errors, and numbers whose cell style is a
date format (turned into ISO dates). A worksheet written in an unusual way (namespace
prefixes, cells without their `r` reference) is read with openpyxl's read-only mode
instead, which is slower but handles anything valid.

Every value comes back as text: numbers as written in the file ("7501234567", "1"),
dates as "YYYY-MM-DD" (or "YYYY-MM-DDTHH:MM:SS" when the format shows a time).
"""

from __future__ import annotations

import datetime
import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_CELL = re.compile(
    rb'<c r="([A-Z]+)\d+"([^>]*)>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>|<is>(.*?)</is>)?',
    re.S,
)
_ROW_NUMBER = re.compile(rb'<row[^>]*?\sr="(\d+)"')
_T_ATTR = re.compile(rb'\st="(\w+)"')
_S_ATTR = re.compile(rb'\ss="(\d+)"')
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t(?:\s[^>]*)?/>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
_BLOCK = 1 << 22

# Built-in number formats that show dates or times (ECMA-376, 18.8.30).
_BUILTIN_DATE_FORMATS = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 45, 46, 47, 50, 51}
_BUILTIN_DATE_FORMATS |= {52, 53, 54, 55, 56, 57, 58}
_BUILTIN_TIME_FORMATS = {18, 19, 20, 21, 22, 45, 46, 47}


class XlsxError(Exception):
    pass


def _unescape(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _column_index(letters: bytes, cache: dict[bytes, int]) -> int:
    index = cache.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + (ch - 64)
        index -= 1
        cache[letters] = index
    return index


def _is_date_format(code: str) -> tuple[bool, bool]:
    """(shows a date, shows a time) for a custom number format code."""
    cleaned = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).lower()
    has_date = any(ch in cleaned for ch in "dy") or ("m" in cleaned and "h" not in cleaned)
    has_time = "h" in cleaned or "s" in cleaned
    return has_date, has_time


class _Progress:
    __slots__ = ("done", "total")

    def __init__(self, total: int) -> None:
        self.done = 0
        self.total = total


class XlsxBook:
    """The sheets of an XLSX file, read row by row."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as exc:
            raise XlsxError(str(exc)) from exc
        self._names = set(self._zip.namelist())
        self._sheets = self._read_workbook()
        self._shared: list[str] | None = None
        self._styles: list[tuple[bool, bool]] | None = None
        self._date1904 = False
        self._progress = _Progress(0)

    # --- structure -------------------------------------------------------------------

    def _read_workbook(self) -> list[tuple[str, str]]:
        if "xl/workbook.xml" not in self._names:
            raise XlsxError("no xl/workbook.xml")
        root = ET.fromstring(self._zip.read("xl/workbook.xml"))  # noqa: S314
        pr = root.find(f"{{{_NS_MAIN}}}workbookPr")
        self._date1904 = pr is not None and pr.get("date1904") in {"1", "true"}
        targets: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in self._names:
            rels = ET.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
            for rel in rels.iter(f"{{{_NS_PKG_REL}}}Relationship"):
                target = rel.get("Target", "")
                target = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
                targets[rel.get("Id", "")] = target
        sheets = []
        for i, sheet in enumerate(root.iter(f"{{{_NS_MAIN}}}sheet"), 1):
            rid = sheet.get(f"{{{_NS_REL}}}id", "")
            target = targets.get(rid, f"xl/worksheets/sheet{i}.xml")
            if target in self._names:
                sheets.append((sheet.get("name", f"Sheet{i}"), target))
        return sheets

    def sheet_names(self) -> list[str]:
        return [name for name, _part in self._sheets]

    def _part(self, sheet: str) -> str:
        for name, part in self._sheets:
            if name == sheet:
                return part
        raise XlsxError(f"no sheet {sheet!r}")

    def sheet_size(self, sheet: str) -> int:
        """Uncompressed size of the worksheet's XML, for progress."""
        return self._zip.getinfo(self._part(sheet)).file_size

    @property
    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            if "xl/sharedStrings.xml" in self._names:
                data = self._zip.read("xl/sharedStrings.xml")
                for m in _SI.finditer(data):
                    inner = m.group(1) or b""
                    if b"<rPh" in inner:
                        inner = _PHONETIC.sub(b"", inner)
                    text = "".join(
                        (t.group(1) or b"").decode("utf-8") for t in _TEXT.finditer(inner)
                    )
                    self._shared.append(_unescape(text))
        return self._shared

    @property
    def styles(self) -> list[tuple[bool, bool]]:
        """For each cell style (xf) index: (is a date, shows a time)."""
        if self._styles is None:
            self._styles = []
            if "xl/styles.xml" in self._names:
                root = ET.fromstring(self._zip.read("xl/styles.xml"))  # noqa: S314
                custom: dict[int, tuple[bool, bool]] = {}
                fmts = root.find(f"{{{_NS_MAIN}}}numFmts")
                if fmts is not None:
                    for fmt in fmts:
                        custom[int(fmt.get("numFmtId", "0"))] = _is_date_format(
                            fmt.get("formatCode", "")
                        )
                xfs = root.find(f"{{{_NS_MAIN}}}cellXfs")
                for xf in xfs if xfs is not None else []:
                    fid = int(xf.get("numFmtId", "0"))
                    if fid in custom:
                        self._styles.append(custom[fid])
                    else:
                        self._styles.append(
                            (fid in _BUILTIN_DATE_FORMATS, fid in _BUILTIN_TIME_FORMATS)
                        )
        return self._styles

    # --- rows ------------------------------------------------------------------------

    def fraction(self) -> float:
        """How much of the sheet being read has been read, 0..1."""
        p = self._progress
        return min(1.0, p.done / p.total) if p.total else 0.0

    def rows(
        self, sheet: str, *, width: int = 0, track: bool = True
    ) -> Iterator[tuple[int, list[str]]]:
        """(row number, values) for every non-empty row, header included. Values are a
        list at least `width` long, "" where the cell is empty. `track`: this stream
        drives `fraction()` (several sheets may be read side by side)."""
        part = self._part(sheet)
        progress = _Progress(self._zip.getinfo(part).file_size)
        if track:
            self._progress = progress
        with self._zip.open(part) as fh:
            head = fh.read(_BLOCK)
            if not self._simple_layout(head):
                yield from self._rows_openpyxl(sheet, width, progress)
                return
            yield from self._rows_fast(fh, head, width, progress)

    @staticmethod
    def _simple_layout(head: bytes) -> bool:
        if b"<sheetData/>" in head:
            return True
        if b"<c " not in head:
            return b"<row" in head or len(head) < _BLOCK
        return b'<c r="' in head and not re.search(rb"<\w+:c[\s>]", head)

    def _rows_fast(
        self, fh: Any, first: bytes, width: int, progress: _Progress
    ) -> Iterator[tuple[int, list[str]]]:
        # The loop below runs once per cell (tens of millions for a large export): it
        # keeps to local names, and caches what a cell's letters and attributes mean.
        shared = self.shared_strings
        styles = self.styles
        letters_cache: dict[bytes, int] = {}
        kinds: dict[bytes, int] = {}
        base = datetime.datetime(1904, 1, 1) if self._date1904 else datetime.datetime(1899, 12, 30)
        findall = _CELL.findall
        row_number = _ROW_NUMBER.match
        shared_kind, number_kind, date_kind, datetime_kind, inline_kind, bool_kind = range(6)
        rest = b""
        data = first
        last_row = 0
        while data:
            progress.done += len(data)
            data = rest + data
            end = data.rfind(b"</row>")
            if end < 0:
                rest = data
                data = fh.read(_BLOCK)
                continue
            end += 6
            block, rest = data[:end], data[end:]
            for piece in block.split(b"</row>"):
                start = piece.rfind(b"<row")
                if start < 0:
                    continue
                if start:
                    piece = piece[start:]
                m = row_number(piece)
                number = int(m.group(1)) if m else last_row + 1
                last_row = number
                values = [""] * width
                for letters, attrs, v, inline in findall(piece):
                    try:
                        col = letters_cache[letters]
                    except KeyError:
                        col = _column_index(letters, letters_cache)
                    try:
                        kind = kinds[attrs]
                    except KeyError:
                        kind = kinds[attrs] = _cell_kind(attrs, styles)
                    if kind == shared_kind:
                        if not v:
                            continue
                        value = shared[int(v)]
                    elif kind == number_kind:
                        if not v:
                            continue
                        value = v.decode()
                    elif kind == inline_kind:
                        value = _unescape(
                            "".join((t.group(1) or b"").decode() for t in _TEXT.finditer(inline))
                        )
                    elif kind == bool_kind:
                        value = "TRUE" if v == b"1" else "FALSE"
                    elif kind in (date_kind, datetime_kind):
                        if not v:
                            continue
                        value = _serial_to_text(v.decode(), base, kind == datetime_kind)
                    else:  # str (formula text), e (error), d (ISO date)
                        value = _unescape(v.decode())
                    try:
                        values[col] = value
                    except IndexError:
                        values.extend([""] * (col + 1 - len(values)))
                        values[col] = value
                if len(values) > width:
                    width = len(values)  # the next rows start this wide
                yield number, values
            data = fh.read(_BLOCK)
        progress.done = progress.total

    def _rows_openpyxl(
        self, sheet: str, width: int, progress: _Progress
    ) -> Iterator[tuple[int, list[str]]]:
        from openpyxl import load_workbook

        wb = load_workbook(self.path, read_only=True, data_only=True)
        try:
            ws = wb[sheet]
            for number, row in enumerate(ws.iter_rows(values_only=True), 1):
                values = [_python_to_text(v) for v in row]
                if not any(values):
                    continue
                if len(values) < width:
                    values.extend([""] * (width - len(values)))
                yield number, values
        finally:
            wb.close()
        progress.done = progress.total

    def close(self) -> None:
        self._zip.close()


_SHARED, _NUMBER, _DATE, _DATETIME, _INLINE, _BOOL, _TEXTUAL = range(7)


def _cell_kind(attrs: bytes, styles: list[tuple[bool, bool]]) -> int:
    t = _T_ATTR.search(attrs)
    typ = t.group(1) if t else b"n"
    if typ == b"s":
        return _SHARED
    if typ == b"n":
        s = _S_ATTR.search(attrs)
        if s:
            index = int(s.group(1))
            if index < len(styles) and styles[index][0]:
                return _DATETIME if styles[index][1] else _DATE
        return _NUMBER
    if typ == b"inlineStr":
        return _INLINE
    if typ == b"b":
        return _BOOL
    return _TEXTUAL


def _serial_to_text(value: str, base: datetime.datetime, with_time: bool) -> str:
    try:
        serial = float(value)
    except ValueError:
        return value
    moment = base + datetime.timedelta(days=serial)
    if with_time and (moment.hour or moment.minute or moment.second):
        return moment.replace(microsecond=0).isoformat()
    return moment.date().isoformat()


def _python_to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.hour or value.minute or value.second:
            return value.replace(microsecond=0).isoformat()
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

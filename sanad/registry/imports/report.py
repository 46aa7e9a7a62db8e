"""The validation report: an XLSX file to download from the batch page.

Sheet "Errors" lists every error (sheet, row, column, value, message); then, for each
sheet of the file, the rows that have errors, as they were, with their row number in
front, the faulty cells filled red with the message as a cell comment, and an "Errors"
column that says it all in words (comments do not show on every spreadsheet program).

Written in openpyxl's write-only mode, a row at a time, so a large report does not
grow in memory. Very long reports stop copying rows after `MAX_DETAIL_ROWS` (the error
list goes on to `MAX_ERRORS`) and say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from sanad.registry.imports.records import Err, error_message

MAX_ERRORS = 500_000
MAX_DETAIL_ROWS = 100_000
_RED = PatternFill("solid", fgColor="FFC7CE")
_BOLD = Font(bold=True)


class ReportWriter:
    def __init__(self, path: Path, *, sheets: dict[str, list[str]]) -> None:
        """`sheets`: the file's sheet names and their headers, in order."""
        self.path = path
        self.wb = Workbook(write_only=True)
        self.errors_ws = self.wb.create_sheet(_("Errors")[:31])
        self.errors_ws.append(
            [self._bold(h) for h in (_("Sheet"), _("Row"), _("Column"), _("Value"), _("Message"))]
        )
        self.headers = sheets
        self.header_index = {
            name: {h: i for i, h in reversed(list(enumerate(headers)))}
            for name, headers in sheets.items()
        }
        self.detail: dict[str, Any] = {}
        self.error_count = 0
        self.detail_rows = 0
        self.truncated = False
        for name, headers in sheets.items():
            ws = self.wb.create_sheet(self._sheet_title(name))
            ws.append(
                [self._bold(_("Row")), *(self._bold(h) for h in headers), self._bold(_("Errors"))]
            )
            self.detail[name] = ws

    def _bold(self, value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.errors_ws, value=value)
        cell.font = _BOLD
        return cell

    def _sheet_title(self, name: str) -> str:
        title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
        existing = {ws.title for ws in self.wb.worksheets}
        base, n = title, 2
        while title in existing:
            suffix = f" ({n})"
            title = base[: 31 - len(suffix)] + suffix
            n += 1
        return title

    def add(self, errors: list[Err], rows: dict[tuple[str, int], list[str]]) -> None:
        """The errors of one household and its rows as read ((sheet, row) → values)."""
        for err in errors:
            self.error_count += 1
            if self.error_count > MAX_ERRORS:
                self.truncated = True
                break
            self.errors_ws.append(
                [
                    err.sheet,
                    err.row or None,
                    err.column,
                    err.value,
                    error_message(err.msgid, err.params),
                ]
            )
        by_row: dict[tuple[str, int], list[Err]] = {}
        for err in errors:
            by_row.setdefault((err.sheet, err.row), []).append(err)
        for (sheet, number), row_errors in sorted(by_row.items(), key=lambda kv: kv[0][1]):
            ws = self.detail.get(sheet)
            values = rows.get((sheet, number))
            if ws is None or values is None:
                continue
            if self.detail_rows >= MAX_DETAIL_ROWS:
                self.truncated = True
                return
            self.detail_rows += 1
            headers = self.headers[sheet]
            index = self.header_index[sheet]
            cells: list[Any] = [number]
            marks: dict[int, list[str]] = {}
            for err in row_errors:
                if err.column in index:
                    marks.setdefault(index[err.column], []).append(
                        error_message(err.msgid, err.params)
                    )
            for i in range(len(headers)):
                value = values[i] if i < len(values) else ""
                if i in marks:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.fill = _RED
                    cell.comment = Comment("\n".join(marks[i]), "Sanad")
                    cells.append(cell)
                else:
                    cells.append(value)
            cells.append(
                " • ".join(
                    f"{err.column}: {error_message(err.msgid, err.params)}"
                    if err.column
                    else error_message(err.msgid, err.params)
                    for err in row_errors
                )
            )
            ws.append(cells)

    def add_file_problem(self, message: str) -> None:
        self.error_count += 1
        self.errors_ws.append(["", None, "", "", message])

    def close(self) -> None:
        if self.truncated:
            self.errors_ws.append([])
            self.errors_ws.append(
                [
                    "",
                    None,
                    "",
                    "",
                    _(
                        "The report stops here: correct the errors above and validate again to see the rest."
                    ),
                ]
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.wb.save(self.path)

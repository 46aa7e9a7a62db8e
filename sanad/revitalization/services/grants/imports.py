"""Grant applications imported from a file (XLSX or CSV, the template's columns), all
or nothing: every row is checked with the same rules as the web page, the problems are
listed by row and column in the person's language, and nothing is saved if any row
fails. Small files are imported while the person waits; larger ones (more than
`SYNC_ROWS` rows) by a background job with progress (`JOB_KIND`, whose failed result
keeps the list of problems).

Columns: registration_id, applicant_member (the member's number on the household's
page — 1 is the first listed, the head — or their full name), business_name, sector
(code or name), business_kind (new / existing), description, requested_amount,
jobs_planned, phone, submitted_on (YYYY-MM-DD; empty: today)."""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.jobs import Progress, job_kind, job_start
from sanad.core.models import Job
from sanad.core.text import name_tokens
from sanad.registry.imports.parsing import FileUnreadable, open_book
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import GRANTS, BusinessSector, GrantApplication, GrantCall
from sanad.revitalization.selectors.grants import active_members
from sanad.revitalization.services._common import require, today
from sanad.revitalization.services.grants.applications import insert, prepare, require_open

JOB_KIND = "revitalization.grant_applications_import"
COLUMNS = (
    "registration_id",
    "applicant_member",
    "business_name",
    "sector",
    "business_kind",
    "description",
    "requested_amount",
    "jobs_planned",
    "phone",
    "submitted_on",
)
REQUIRED = COLUMNS[:7]
# The service's field → the column a person fixes.
FIELD_COLUMN = {
    "applicant": "applicant_member",
    "business_name": "business_name",
    "sector": "sector",
    "business_kind": "business_kind",
    "description": "description",
    "requested_amount": "requested_amount",
    "jobs_planned": "jobs_planned",
    "phone": "phone",
    "submitted_on": "submitted_on",
    "community": "registration_id",
}
SYNC_ROWS = 200
MAX_ROWS = 5000
MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".xlsx", ".csv")
LANGUAGES = ("en", "ar", "ckb")


@dataclass
class ImportResult:
    rows: int = 0
    created: list[GrantApplication] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the template ------------------------------------------------------------------------
def _choices_text(choices: Any) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices)


def import_template() -> bytes:
    """The XLSX template: the columns on the first sheet, what each takes on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "applications"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(
            14, len(column) + 4
        )
    help_sheet = book.create_sheet("columns")
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    notes = {
        "registration_id": _("The household's registration id in Sanad."),
        "applicant_member": _(
            "The applicant: their number on the household's page (1 is the first listed) "
            "or their full name."
        ),
        "business_name": _("The name of the business."),
        "sector": _choices_text(BusinessSector.choices),
        "business_kind": _choices_text(GrantApplication.BusinessKind.choices),
        "description": _("The business and what the grant is for."),
        "requested_amount": _("The amount requested, in the call's currency."),
        "jobs_planned": _("How many jobs the business will create (0 if none)."),
        "phone": _("An Iraqi mobile number (optional)."),
        "submitted_on": _("The date of the application, YYYY-MM-DD (empty: today)."),
    }
    for column in COLUMNS:
        help_sheet.append([column, _("yes") if column in REQUIRED else _("no"), notes[column]])
    help_sheet.column_dimensions["A"].width = 20
    help_sheet.column_dimensions["C"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading -----------------------------------------------------------------------------
def _read(path: Path, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        book = open_book(path, name=name)
    except FileUnreadable as exc:
        raise _unreadable(exc) from exc
    try:
        sheets = book.sheet_names()
        if not sheets:
            raise ValidationFailed(_("The file has no sheet."), code="import_unreadable")
        sheet = "applications" if "applications" in sheets else sheets[0]
        headers: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        for number, values in book.rows(sheet):
            if not headers:
                headers = [str(v or "").strip().casefold() for v in values]
                continue
            rows.append((number, [str(v or "").strip() for v in values]))
            if len(rows) > MAX_ROWS:
                raise ValidationFailed(
                    _("The file has more than %(n)d rows: split it.") % {"n": MAX_ROWS},
                    code="import_too_long",
                )
        return headers, rows
    except FileUnreadable as exc:
        raise _unreadable(exc) from exc
    finally:
        book.close()


def _unreadable(exc: FileUnreadable) -> ValidationFailed:
    message = _(exc.msgid) % exc.params if exc.params else _(exc.msgid)
    return ValidationFailed(message, code="import_unreadable", fields={"file": [message]})


def _lookup(choices: Any) -> dict[str, str]:
    """value or label (in each language) → value, case-folded."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[str(value).casefold()] = value
        for language in LANGUAGES:
            with translation.override(language):
                table[" ".join(str(label).split()).casefold()] = value
    return table


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(text: str) -> datetime.date | None:
    text = text.strip()[:10]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _member(text: str, members: list[Individual]) -> tuple[Individual | None, str]:
    """The member a cell names (number or full name), or the reason none matches."""
    cleaned = text.strip()
    as_number = _decimal(cleaned) if cleaned[:1].isdigit() else None
    if as_number is not None and as_number == as_number.to_integral_value():
        n = int(as_number)
        if 1 <= n <= len(members):
            return members[n - 1], ""
        return None, ngettext(
            "The household has %(n)d current member: give a number from 1 to %(n)d or the full name.",
            "The household has %(n)d current members: give a number from 1 to %(n)d or the full name.",
            len(members),
        ) % {"n": len(members)}
    wanted = name_tokens(cleaned)
    if not wanted:
        return None, _("Give the applicant's number or full name.")
    matches = []
    for m in members:
        forms = (
            m.full_name_ar,
            m.full_name_en,
            f"{m.given_name_ar} {m.family_name_ar}",
            f"{m.given_name_en} {m.family_name_en}",
        )
        if any(form.strip() and name_tokens(form) == wanted for form in forms):
            matches.append(m)
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, _("Several members have this name: give the member's number instead.")
    return None, _("No current member of the household has this name.")


# --- import ------------------------------------------------------------------------------
def applications_import(
    *,
    user: Any,
    call: GrantCall,
    path: Path,
    name: str = "",
    progress: Callable[..., None] | None = None,
) -> ImportResult:
    """Check every row of the file; save them all (as imported applications) only when
    no row has a problem. The result lists the problems (row, column, message) or the
    applications made."""
    require(user, GRANTS, call)
    headers, rows = _read(path, name or path.name)
    result = ImportResult(rows=len(rows))
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        result.error(
            1,
            ", ".join(missing),
            _("The file has no column %(columns)s: keep the template's first row.")
            % {"columns": ", ".join(missing)},
        )
        return result
    if not rows:
        result.error(2, "", _("The file has no application under its first row."))
        return result
    at = {column: headers.index(column) for column in COLUMNS if column in headers}
    sectors = _lookup(BusinessSector.choices)
    kinds = _lookup(GrantApplication.BusinessKind.choices)
    ids = {
        values[at["registration_id"]].strip().upper()
        for _n, values in rows
        if at["registration_id"] < len(values)
    }
    households = {
        h.registration_id.upper(): h
        for h in Household.objects.filter(registration_id__in=ids).select_related(
            "admin_unit__parent__parent"
        )
    }
    members_of: dict[int, list[Individual]] = {}
    checking = _("Checking the rows")
    with transaction.atomic():
        call = GrantCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
        require_open(call)
        taken = set(
            GrantApplication.objects.filter(call=call)
            .exclude(status=GrantApplication.Status.WITHDRAWN)
            .values_list("applicant_id", flat=True)
        )
        seen: dict[int, int] = {}
        prepared: list[dict[str, Any]] = []
        for i, (number, values) in enumerate(rows, start=1):
            if progress:
                progress(i, len(rows) * 2, checking)

            def cell(column: str, values: list[str] = values) -> str:
                index = at.get(column)
                return values[index].strip() if index is not None and index < len(values) else ""

            before = len(result.errors)
            registration = cell("registration_id").upper()
            household = households.get(registration)
            applicant: Individual | None = None
            if not registration:
                result.error(number, "registration_id", _("Give the household's registration id."))
            elif household is None:
                result.error(
                    number,
                    "registration_id",
                    _("No household has the registration id %(id)s.") % {"id": registration},
                )
            else:
                if household.pk not in members_of:
                    members_of[household.pk] = active_members(household)
                applicant, problem = _member(cell("applicant_member"), members_of[household.pk])
                if applicant is None:
                    result.error(number, "applicant_member", problem)
                elif applicant.pk in seen:
                    result.error(
                        number,
                        "applicant_member",
                        _("The same person is on row %(row)d: one application each.")
                        % {"row": seen[applicant.pk]},
                    )
                    applicant = None
            sector = sectors.get(" ".join(cell("sector").split()).casefold(), "")
            if cell("sector") and not sector:
                result.error(
                    number,
                    "sector",
                    _("“%(value)s” is not a sector: use one of %(codes)s.")
                    % {"value": cell("sector"), "codes": ", ".join(BusinessSector.values)},
                )
            kind = kinds.get(cell("business_kind").casefold(), "")
            if cell("business_kind") and not kind:
                result.error(
                    number,
                    "business_kind",
                    _("Write new or existing."),
                )
            amount: Any = None
            if cell("requested_amount"):
                amount = _decimal(cell("requested_amount"))
                if amount is None:
                    result.error(
                        number,
                        "requested_amount",
                        _("“%(value)s” is not an amount.") % {"value": cell("requested_amount")},
                    )
            jobs: Any = 0
            if cell("jobs_planned"):
                number_jobs = _decimal(cell("jobs_planned"))
                if number_jobs is None or number_jobs != number_jobs.to_integral_value():
                    result.error(number, "jobs_planned", _("Write a whole number of jobs."))
                else:
                    jobs = int(number_jobs)
            day: Any = today()
            if cell("submitted_on"):
                day = _date(cell("submitted_on"))
                if day is None:
                    result.error(
                        number,
                        "submitted_on",
                        _("“%(value)s” is not a date: write it as YYYY-MM-DD.")
                        % {"value": cell("submitted_on")},
                    )
            if applicant is not None and len(result.errors) == before:
                try:
                    values_ok = prepare(
                        call,
                        applicant=applicant,
                        business_name=cell("business_name"),
                        sector=sector,
                        business_kind=kind,
                        description=cell("description"),
                        requested_amount=amount,
                        jobs_planned=jobs,
                        phone=cell("phone"),
                        submitted_on=day,
                        taken=taken,
                    )
                except ValidationFailed as exc:
                    for name_, messages in exc.fields.items():
                        for message in messages:
                            result.error(number, FIELD_COLUMN.get(name_, name_), message)
                else:
                    prepared.append(values_ok)
            if applicant is not None:
                seen[applicant.pk] = number
        if result.errors:
            transaction.set_rollback(True)
            return result
        saving = _("Saving the applications")
        for i, values_ok in enumerate(prepared, start=1):
            result.created.append(
                insert(
                    user=user, call=call, values=values_ok, source=GrantApplication.Source.IMPORT
                )
            )
            if progress:
                progress(len(rows) + i, len(rows) * 2, saving)
    return result


def upload_path(original: str) -> Path:
    suffix = Path(original or "").suffix.lower()
    folder = Path(settings.SANAD_IMPORTS_DIR) / "grants"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffix}"


def save_upload(uploaded: Any) -> Path:
    """Store an uploaded file for the import (refusing other types and large files)."""
    name = str(getattr(uploaded, "name", "") or "")
    if Path(name).suffix.lower() not in SUFFIXES:
        message = _("Upload the template as .xlsx or .csv.")
        raise ValidationFailed(message, code="import_type", fields={"file": [message]})
    if getattr(uploaded, "size", 0) > MAX_BYTES:
        message = _("The file is larger than %(mb)d MB: split it.") % {"mb": MAX_BYTES // 2**20}
        raise ValidationFailed(message, code="import_too_large", fields={"file": [message]})
    path = upload_path(name)
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return path


def count_rows(path: Path, name: str) -> int:
    _headers, rows = _read(path, name)
    return len(rows)


def applications_import_submit(
    *, user: Any, call: GrantCall, path: Path, name: str, language: str = ""
) -> ImportResult | Job:
    """Import a stored file now when it is small, else start the background job (which
    removes the file when it ends)."""
    require(user, GRANTS, call)
    require_open(call)
    try:
        rows = count_rows(path, name)
    except ApplicationError:
        path.unlink(missing_ok=True)
        raise
    if rows <= SYNC_ROWS:
        try:
            return applications_import(user=user, call=call, path=path, name=name)
        finally:
            path.unlink(missing_ok=True)
    return job_start(
        kind=JOB_KIND,
        user=user,
        params={
            "call": str(call.public_id),
            "path": path.name,
            "name": name,
            "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        },
        title=_("Import grant applications into %(call)s") % {"call": call.reference},
    )


@job_kind(JOB_KIND, title=gettext_lazy("Import grant applications"), permission=GRANTS)
def import_job(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"call": public id, "path": the stored file's name, "name": the file's
    name as uploaded, "language"}. A file with problems fails the job; its result keeps
    the problems for the import page."""
    params = dict(job.params or {})
    path = Path(settings.SANAD_IMPORTS_DIR) / "grants" / Path(str(params.get("path", ""))).name
    try:
        with translation.override(str(params.get("language") or settings.LANGUAGE_CODE)):
            call = GrantCall.objects.filter(public_id=str(params.get("call") or "")).first()
            if call is None:
                raise NotFound()
            result = applications_import(
                user=job.created_by,
                call=call,
                path=path,
                name=str(params.get("name") or ""),
                progress=progress,
            )
            summary = {
                "call": str(call.public_id),
                "rows": result.rows,
                "created": len(result.created),
                "errors": result.errors[:1000],
                "error_count": len(result.errors),
            }
            if result.errors:
                Job.objects.filter(pk=job.pk).update(result=summary)
                raise ValidationFailed(
                    ngettext(
                        "%(n)d problem in the file: nothing was imported.",
                        "%(n)d problems in the file: nothing was imported.",
                        len(result.errors),
                    )
                    % {"n": len(result.errors)},
                    code="import_rejected",
                )
            progress(1, 1, _("Finished"), force=True)
            return summary
    finally:
        path.unlink(missing_ok=True)

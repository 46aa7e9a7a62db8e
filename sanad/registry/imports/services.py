"""Imports of households: upload → validate → review → commit or reject.

The page, the API, the command line and the jobs all go through these functions.

- `import_batch_upload` stores the file and records the batch (status "uploaded").
- `import_batch_validate` reads the file as a stream, checks every row, writes the
  report (XLSX) and a spool of the validated households, and leaves the batch "ready"
  with its counts and first errors — or "failed" when the file cannot be read at all.
- `import_batch_commit` writes the spooled households in one transaction: all of them
  or none. A batch with any error cannot be committed (the import is all-or-nothing, so
  a file is corrected and uploaded again rather than committed in part). Submissions
  already in the registry (same Kobo `_uuid`) are skipped and counted, never doubled.
- `import_batch_reject` closes a batch without writing anything.

The uploaded file and the spool hold personal data: both are deleted once the batch is
committed or rejected (the registry then holds what was imported); the report is kept.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sanad.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sanad.core.jobs import JobCancelled, job_start
from sanad.core.models import Job
from sanad.core.scoping import has_permission
from sanad.geo.selectors import governorates_within
from sanad.registry.imports import mapping as mapping_mod
from sanad.registry.imports.commit import Committer, existing_source_refs
from sanad.registry.imports.parsing import (
    SUFFIXES,
    FileUnreadable,
    kobo_households,
    open_book,
    template_households,
)
from sanad.registry.imports.records import (
    Err,
    Reference,
    VHousehold,
    error_dict,
    error_message,
)
from sanad.registry.imports.report import ReportWriter
from sanad.registry.imports.spool import SPOOL, Spool, read_spool, spool_complete
from sanad.registry.imports.validation import Validator, validate_households
from sanad.registry.models import ColumnMapping, ImportBatch, IndividualDocument

IMPORT = "registry.import_households"
MANAGE = "registry.manage_household"
VIEW = "registry.view_household"
FIRST_ERRORS = 200
REPORT = "report.xlsx"

ProgressFn = Callable[..., None]


def imports_dir() -> Path:
    """Where uploaded files live (never under MEDIA_ROOT: they hold personal data)."""
    configured = getattr(settings, "SANAD_IMPORTS_DIR", None)
    return Path(configured) if configured else Path(settings.JOB_FILES_DIR).parent / "imports"


def batch_dir(batch: ImportBatch) -> Path:
    return imports_dir() / str(batch.public_id)


def batch_file(batch: ImportBatch) -> Path:
    return imports_dir() / batch.stored_file


def report_path(batch: ImportBatch) -> Path | None:
    if not batch.report_file:
        return None
    path = imports_dir() / batch.report_file
    return path if path.is_file() else None


def max_upload_bytes() -> int:
    return int(getattr(settings, "SANAD_IMPORT_MAX_MB", 1024)) * 1024 * 1024


def _require(user: Any, *permissions: str) -> None:
    for permission in permissions:
        if not has_permission(user, permission):
            raise PermissionDenied()


def _transition(
    batch: ImportBatch, to: str, *, user: Any, reason: str = "", fields: tuple[str, ...] = ()
) -> None:
    ImportBatch.STATUS_MACHINE.transition(
        batch, to=to, by=user, reason=reason, extra_updates=fields
    )


# --- upload ----------------------------------------------------------------------------


def import_batch_upload(
    *,
    user: Any,
    file: IO[bytes] | Any,
    original_name: str,
    file_format: str,
    mapping: ColumnMapping | None = None,
) -> ImportBatch:
    """Store an uploaded file as a new batch ("uploaded"). Start the validation with
    `import_batch_validate_start` (web, API) or run `import_batch_validate` (CLI)."""
    _require(user, IMPORT)
    fields: dict[str, list[str]] = {}
    if file_format not in ImportBatch.Format.values:
        fields["file_format"] = [_("Choose the format: a Kobo export or the Sanad template.")]
    suffix = Path(original_name or "").suffix.lower()
    if suffix not in SUFFIXES:
        fields["file"] = [
            _("Files of type “%(suffix)s” cannot be imported. Use %(allowed)s.")
            % {"suffix": suffix or "?", "allowed": ", ".join(SUFFIXES)}
        ]
    if mapping is not None and mapping.file_format != file_format:
        fields["mapping"] = [_("This column mapping is for the other format.")]
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        fields["file"] = [
            _("The file is larger than %(mb)s MB.") % {"mb": max_upload_bytes() // (1024 * 1024)}
        ]
    if fields:
        raise ValidationFailed(fields=fields)
    batch = ImportBatch(
        original_name=Path(original_name).name[:255],
        file_format=file_format,
        mapping=mapping,
        created_by=user if getattr(user, "pk", None) else None,
        updated_by=user if getattr(user, "pk", None) else None,
    )
    batch.stored_file = f"{batch.public_id}/source{suffix}"
    target = batch_file(batch)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("wb") as out:
        chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b"")
        for chunk in chunks:
            written += len(chunk)
            if written > max_upload_bytes():
                out.close()
                shutil.rmtree(target.parent, ignore_errors=True)
                raise ValidationFailed(
                    fields={
                        "file": [
                            _("The file is larger than %(mb)s MB.")
                            % {"mb": max_upload_bytes() // (1024 * 1024)}
                        ]
                    }
                )
            out.write(chunk)
    if written == 0:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    batch.save()
    return batch


# --- validation ------------------------------------------------------------------------


def import_batch_validate_start(*, batch: ImportBatch, user: Any) -> Job:
    """Queue the validation as a background job (its page shows the progress)."""
    _require(user, IMPORT)
    if batch.status not in {
        ImportBatch.Status.UPLOADED,
        ImportBatch.Status.READY,
        ImportBatch.Status.FAILED,
    }:
        raise InvalidTransition(
            _("This import cannot be validated now (it is %(status)s).")
            % {"status": batch.get_status_display()}
        )
    job = job_start(
        kind="registry.import_validate",
        user=user,
        params={"batch": str(batch.public_id)},
        title=_("Validate the import “%(name)s”") % {"name": batch.original_name},
    )
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.job = job
    return job


def _households(book: Any, plan: mapping_mod.Plan) -> Iterator[Any]:
    if plan.file_format == mapping_mod.TEMPLATE:
        return template_households(
            book,
            sheet=plan.household_sheet,
            group_col=plan.keys.get("household_ref"),
            group_header=mapping_mod.KEY_FIELDS["household_ref"][0],
            width=len(plan.household_headers),
        )
    parent_col = plan.keys.get("parent_index")
    return kobo_households(
        book,
        household_sheet=plan.household_sheet,
        member_sheet=plan.member_sheet,
        index_col=plan.keys.get("index"),
        parent_col=parent_col,
        parent_header=plan.member_headers[parent_col]
        if parent_col is not None
        else "_parent_index",
        width=len(plan.household_headers),
        member_width=len(plan.member_headers),
    )


def _reach(user: Any) -> frozenset[str] | None:
    return governorates_within(user, MANAGE)


def _document_holders(user: Any) -> Callable[[list[tuple[str, str]]], dict[tuple[str, str], str]]:
    """Documents already in the registry, with the registry's message about who holds
    them (naming the household only to someone who may see it)."""
    from sanad.registry.services.households import clash_message, document_clashes

    view_reach = governorates_within(user, VIEW) if has_permission(user, VIEW) else frozenset()

    def holders(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        # Almost every number of a new file is new: a look-up on the indexed number key
        # alone settles that in one cheap query; only the few numbers found go through
        # the registry's full check (which joins members and households, and which
        # PostgreSQL plans as a scan of all documents for a long list).
        wanted = set(pairs)
        known: set[tuple[str, str]] = set()
        keys = sorted({key for _kind, key in wanted})
        for i in range(0, len(keys), 2000):
            known.update(
                pair
                for pair in IndividualDocument.objects.filter(
                    number_key__in=keys[i : i + 2000]
                ).values_list("kind", "number_key")
                if pair in wanted
            )
        if not known:
            return {}
        return {
            pair: clash_message(document, view_reach)
            for pair, document in document_clashes(sorted(known)).items()
        }

    return holders


def import_batch_validate(
    *, batch: ImportBatch, user: Any, progress: ProgressFn | None = None
) -> ImportBatch:
    """Check every row of the batch's file (see validation.py for the rules)."""
    _require(user, IMPORT)
    if batch.status == ImportBatch.Status.VALIDATING:
        raise InvalidTransition(_("This import is being validated already."))
    _transition(batch, ImportBatch.Status.VALIDATING, user=user)
    folder = batch_dir(batch)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        result = _validate(batch, user=user, progress=progress, folder=folder)
    except FileUnreadable as exc:
        problems = [(exc.msgid, exc.params), *exc.more]
        _finish_validation(
            batch,
            user=user,
            status=ImportBatch.Status.FAILED,
            counts={"error_count": len(problems)},
            errors=[
                {"sheet": "", "row": 0, "column": "", "value": "", "msgid": m, "params": p}
                for m, p in problems
            ],
            report="",
            reason=error_message(exc.msgid, exc.params)[:500],
        )
        return batch
    except BaseException:
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.VALIDATING:
            _transition(batch, ImportBatch.Status.FAILED, user=user, reason="validation stopped")
        raise
    counts, errors, report = result
    _finish_validation(
        batch,
        user=user,
        status=ImportBatch.Status.READY,
        counts=counts,
        errors=errors,
        report=report,
    )
    return batch


def _finish_validation(
    batch: ImportBatch,
    *,
    user: Any,
    status: str,
    counts: dict[str, int],
    errors: list[dict[str, Any]],
    report: str,
    reason: str = "",
) -> None:
    for name in (
        "households_total",
        "individuals_total",
        "households_new",
        "households_already_imported",
        "error_count",
    ):
        setattr(batch, name, counts.get(name, 0))
    batch.errors = errors
    batch.report_file = report
    _transition(
        batch,
        status,
        user=user,
        reason=reason,
        fields=(
            "households_total",
            "individuals_total",
            "households_new",
            "households_already_imported",
            "error_count",
            "errors",
            "report_file",
        ),
    )


def _validate(
    batch: ImportBatch, *, user: Any, progress: ProgressFn | None, folder: Path
) -> tuple[dict[str, int], list[dict[str, Any]], str]:
    book = open_book(batch_file(batch), name=batch.original_name)
    try:
        spec = batch.mapping.spec if batch.mapping_id and batch.mapping else {}
        plan = mapping_mod.plan_for(book, file_format=batch.file_format, spec=spec)
        if plan.problems:
            msgid, params = plan.problems[0]
            unreadable = FileUnreadable(msgid, **params)
            unreadable.more = plan.problems[1:]
            raise unreadable
        reach = _reach(user)
        if reach is not None and not reach:
            raise FileUnreadable(
                gettext_noop(
                    "Your role does not allow registering households, so none can be imported. "
                    "Ask an administrator for a role with that permission."
                )
            )
        reference = Reference.load(allowed_governorates=reach)
        validator = Validator(
            plan,
            reference,
            today=timezone.localdate(),
            day_first=(spec.get("date_order", "dmy") != "mdy"),
        )
        sheets = {plan.household_sheet: plan.household_headers}
        if plan.member_sheet and plan.member_sheet != plan.household_sheet:
            sheets[plan.member_sheet] = plan.member_headers
        report = ReportWriter(folder / REPORT, sheets=sheets)
        spool = Spool(folder / SPOOL)
        counts = dict.fromkeys(
            (
                "households_total",
                "individuals_total",
                "households_new",
                "households_already_imported",
                "error_count",
            ),
            0,
        )
        first: list[dict[str, Any]] = []
        complete = False
        try:
            if progress:
                progress(0, 100, _("Reading the file"), force=True)
            outcomes = validate_households(
                _households(book, plan),
                validator,
                existing_refs=existing_source_refs,
                document_holders=_document_holders(user),
            )
            for n, outcome in enumerate(outcomes, 1):
                raw = outcome.raw
                if raw.values:
                    counts["households_total"] += 1
                    counts["individuals_total"] += len(raw.members)
                if outcome.already_imported:
                    counts["households_already_imported"] += 1
                elif outcome.household is not None:
                    counts["households_new"] += 1
                    if not counts["error_count"]:
                        spool.add(outcome.household)
                if outcome.errors:
                    counts["error_count"] += len(outcome.errors)
                    if len(first) < FIRST_ERRORS:
                        first.extend(
                            error_dict(e) for e in outcome.errors[: FIRST_ERRORS - len(first)]
                        )
                    report.add(outcome.errors, _raw_rows(raw, plan))
                if progress and n % 200 == 0:
                    progress(
                        int(book.fraction() * 100),
                        100,
                        _("%(households)s households checked, %(errors)s errors")
                        % {
                            "households": f"{counts['households_total']:,}",
                            "errors": f"{counts['error_count']:,}",
                        },
                    )
            complete = counts["error_count"] == 0
        finally:
            spool.close(complete=complete)
            report.close()
        if progress:
            progress(
                100,
                100,
                _("%(households)s households checked, %(errors)s errors")
                % {
                    "households": f"{counts['households_total']:,}",
                    "errors": f"{counts['error_count']:,}",
                },
                force=True,
            )
        return counts, first, f"{batch.public_id}/{REPORT}"
    finally:
        book.close()


def _raw_rows(raw: Any, plan: mapping_mod.Plan) -> dict[tuple[str, int], list[str]]:
    rows: dict[tuple[str, int], list[str]] = {}
    if raw.values:
        rows[(plan.household_sheet, raw.number)] = raw.values
    for number, values in raw.members:
        rows[(plan.member_sheet or "", number)] = values
    return rows


# --- commit ----------------------------------------------------------------------------


def import_batch_can_commit(batch: ImportBatch) -> bool:
    return batch.status == ImportBatch.Status.READY and batch.error_count == 0


def _check_committable(batch: ImportBatch) -> None:
    if batch.status != ImportBatch.Status.READY:
        raise InvalidTransition(
            _("Only an import that is ready for review can be committed (this one is %(status)s).")
            % {"status": batch.get_status_display()}
        )
    if batch.error_count:
        raise ValidationFailed(
            _(
                "This import has %(count)s errors. Correct the file and upload it again: an import is committed whole or not at all."
            )
            % {"count": batch.error_count},
            code="import_has_errors",
        )


def import_batch_commit_start(*, batch: ImportBatch, user: Any) -> Job:
    _require(user, IMPORT, MANAGE)
    _check_committable(batch)
    job = job_start(
        kind="registry.import_commit",
        user=user,
        params={"batch": str(batch.public_id)},
        title=_("Commit the import “%(name)s”") % {"name": batch.original_name},
    )
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.job = job
    return job


def _spooled_households(batch: ImportBatch, user: Any) -> Iterator[Any]:
    path = batch_dir(batch) / SPOOL
    if spool_complete(path):
        yield from read_spool(path, raw=True)
        return
    # No spool (deleted, or validated by an older version): check the file again.
    book = open_book(batch_file(batch), name=batch.original_name)
    try:
        spec = batch.mapping.spec if batch.mapping_id and batch.mapping else {}
        plan = mapping_mod.plan_for(book, file_format=batch.file_format, spec=spec)
        validator = Validator(
            plan,
            Reference.load(allowed_governorates=_reach(user)),
            today=timezone.localdate(),
            day_first=(spec.get("date_order", "dmy") != "mdy"),
        )
        for outcome in validate_households(
            _households(book, plan), validator, existing_refs=lambda refs: set()
        ):
            if outcome.errors:
                raise ValidationFailed(
                    _(
                        "The file has changed since it was validated, or the rules have: validate it again."
                    ),
                    code="revalidate",
                )
            if outcome.household is not None:
                yield outcome.household
    finally:
        book.close()


def import_batch_commit(
    *, batch: ImportBatch, user: Any, progress: ProgressFn | None = None
) -> ImportBatch:
    """Write the batch's households to the registry: all of them, in one transaction."""
    _require(user, IMPORT, MANAGE)
    _check_committable(batch)
    reach = _reach(user)
    _transition(batch, ImportBatch.Status.COMMITTING, user=user)
    total = max(batch.households_new + batch.households_already_imported, 1)
    try:
        with transaction.atomic():
            committer = Committer(batch_id=batch.pk, user_id=getattr(user, "pk", None))
            households = _spooled_households(batch, user)
            if reach is not None:
                households = _within(households, reach)

            def report(done: int) -> None:
                if progress:
                    progress(
                        done, total, _("%(count)s households written") % {"count": f"{done:,}"}
                    )

            if progress:
                progress(0, total, _("Writing households"), force=True)
            committer.write(households, progress=report)
            # Households already in the registry at validation were not spooled; those
            # imported since (by another batch) are skipped now: both are counted.
            batch.households_new = committer.households
            batch.households_already_imported += committer.already_imported
            batch.committed_at = timezone.now()
            _transition(
                batch,
                ImportBatch.Status.COMMITTED,
                user=user,
                fields=("households_new", "households_already_imported", "committed_at"),
            )
    except JobCancelled:
        batch.refresh_from_db()
        _transition(batch, ImportBatch.Status.READY, user=user, reason="cancelled")
        raise
    except BaseException as exc:
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.COMMITTING:
            _transition(batch, ImportBatch.Status.FAILED, user=user, reason=str(exc)[:500])
        raise
    if progress:
        progress(
            total,
            total,
            _("%(count)s households written") % {"count": f"{committer.households:,}"},
            force=True,
        )
    _discard_personal_files(batch)
    return batch


def _within(households: Iterator[Any], reach: frozenset[str]) -> Iterator[Any]:
    """The committing user may not be the one who validated: check their reach again."""
    from sanad.geo.models import AdminUnit

    allowed = set(
        AdminUnit.objects.filter(level=1, pcode__in=sorted(reach)).values_list("id", flat=True)
    )
    for h in households:
        if (h.governorate_id if isinstance(h, VHousehold) else h[3]) not in allowed:
            raise PermissionDenied(
                _(
                    "Some households of this import are outside the governorates where you may register households."
                )
            )
        yield h


def _discard_personal_files(batch: ImportBatch) -> None:
    folder = batch_dir(batch)
    for path in (folder / SPOOL, batch_file(batch)):
        path.unlink(missing_ok=True)


# --- reject ----------------------------------------------------------------------------


def import_batch_reject(*, batch: ImportBatch, user: Any, reason: str = "") -> ImportBatch:
    _require(user, IMPORT)
    if batch.status != ImportBatch.Status.READY:
        raise InvalidTransition(
            _("Only an import that is ready for review can be rejected (this one is %(status)s).")
            % {"status": batch.get_status_display()}
        )
    _transition(batch, ImportBatch.Status.REJECTED, user=user, reason=reason)
    _discard_personal_files(batch)
    return batch


def batch_errors(batch: ImportBatch) -> list[dict[str, Any]]:
    """The batch's first errors with their message in the active language."""
    return [
        {**e, "message": error_message(e.get("msgid", ""), e.get("params") or {})}
        for e in (batch.errors or [])
    ]


def errors_as_text(errors: list[Err]) -> list[str]:
    return [f"{e.sheet}!{e.row} {e.column}: {error_message(e.msgid, e.params)}" for e in errors]


# --- column mappings -------------------------------------------------------------------


def column_mapping_save(
    *,
    user: Any,
    name: str,
    file_format: str,
    spec: dict[str, Any],
    mapping: ColumnMapping | None = None,
) -> ColumnMapping:
    """Create or change a saved column mapping, after checking its spec."""
    _require(user, IMPORT)
    name = (name or "").strip()
    fields: dict[str, list[str]] = {}
    if not name:
        fields["name"] = [_("Give the mapping a name.")]
    elif (
        ColumnMapping.objects.filter(name__iexact=name)
        .exclude(pk=mapping.pk if mapping is not None else 0)
        .exists()
    ):
        fields["name"] = [_("Another mapping has this name.")]
    if file_format not in ImportBatch.Format.values:
        fields["file_format"] = [_("Choose the format: a Kobo export or the Sanad template.")]
    problems = mapping_mod.mapping_spec_problems(spec)
    if problems:
        fields["spec"] = problems
    if fields:
        raise ValidationFailed(fields=fields)
    if mapping is None:
        mapping = ColumnMapping(created_by=user if getattr(user, "pk", None) else None)
    mapping.name = name
    mapping.file_format = file_format
    mapping.spec = spec
    mapping.updated_by = user if getattr(user, "pk", None) else None
    mapping.save()
    return mapping

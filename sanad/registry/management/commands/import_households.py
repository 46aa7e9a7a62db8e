"""`sanad import_households FILE`: check a file of households and, with --commit,
write it to the registry — the same services as the import pages and the API.

    sanad import_households export.xlsx                  # check and report
    sanad import_households export.xlsx --commit         # check, then commit if clean
    sanad import_households data.csv --format template --json
    sanad import_households other.xlsx --mapping "Partner X form" --user amal

Exit status: 0 when the file has no errors (and, with --commit, was committed); 1 when
it has errors or could not be read, and nothing was committed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from tqdm import tqdm

from sanad.core import context
from sanad.core.errors import ApplicationError
from sanad.registry.imports import services
from sanad.registry.imports.parsing import FileUnreadable, open_book
from sanad.registry.models import ColumnMapping, ImportBatch


class _Bar:
    """The services' progress callback, drawn by tqdm on stderr."""

    def __init__(self, label: str, quiet: bool) -> None:
        self.bar = tqdm(
            total=100,
            desc=label,
            disable=quiet,
            file=sys.stderr,
            dynamic_ncols=True,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} {postfix}",
        )

    def __call__(
        self, done: int, total: int | None = None, message: str = "", *, force: bool = False
    ) -> None:
        if total:
            self.bar.total = total
        self.bar.n = min(done, self.bar.total or done)
        if message:
            self.bar.set_postfix_str(str(message)[:60], refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def guess_format(path: Path) -> str:
    """The template has a `household_ref` column; anything else is read as a Kobo export."""
    try:
        book = open_book(path)
    except FileUnreadable:
        return ImportBatch.Format.KOBO
    try:
        for sheet in book.sheet_names()[:1]:
            if "household_ref" in [h.strip().casefold() for h in book.headers(sheet)]:
                return ImportBatch.Format.TEMPLATE
    finally:
        book.close()
    return ImportBatch.Format.KOBO


class Command(BaseCommand):
    help = "Check a file of households (Kobo export or Sanad template) and optionally commit it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV, XLSX, XLS, JSON or ZIP file.")
        parser.add_argument(
            "--format",
            choices=ImportBatch.Format.values,
            help="kobo or template (default: guessed from the columns).",
        )
        parser.add_argument("--mapping", help="Name of a saved column mapping.")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Commit the households when the file has no errors.",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print a JSON summary instead of text."
        )
        parser.add_argument(
            "--user",
            help="User the import runs as (their scope applies). Default: $SANAD_USER, or the only active administrator.",
        )

    def _user(self, name: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        name = name or os.environ.get("SANAD_USER")
        if name:
            user = users.filter(username=name).first()
            if user is None:
                raise CommandError(f"No active user named {name!r}.")
            return user
        admins = list(users.filter(role_assignments__role="administrator").distinct()[:2])
        if len(admins) == 1:
            return admins[0]
        raise CommandError("Say which user imports: --user NAME (or set SANAD_USER).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        user = self._user(options.get("user"))
        file_format = options.get("format") or guess_format(path)
        mapping = None
        if options.get("mapping"):
            mapping = ColumnMapping.objects.filter(name=options["mapping"]).first()
            if mapping is None:
                raise CommandError(f"No column mapping named {options['mapping']!r}.")
        as_json = options["json"]
        quiet = as_json or options.get("verbosity", 1) == 0
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        with translation.override(language), context.acting_as(user, source="command"):
            try:
                with path.open("rb") as fh:
                    batch = services.import_batch_upload(
                        user=user,
                        file=fh,
                        original_name=path.name,
                        file_format=file_format,
                        mapping=mapping,
                    )
                bar = _Bar("check", quiet)
                try:
                    services.import_batch_validate(batch=batch, user=user, progress=bar)
                finally:
                    bar.close()
                committed = False
                if options["commit"] and services.import_batch_can_commit(batch):
                    bar = _Bar("commit", quiet)
                    try:
                        services.import_batch_commit(batch=batch, user=user, progress=bar)
                    finally:
                        bar.close()
                    committed = True
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from exc
            batch.refresh_from_db()
            errors = services.batch_errors(batch)
            summary = {
                "batch": str(batch.public_id),
                "status": batch.status,
                "format": batch.file_format,
                "households": batch.households_total,
                "individuals": batch.individuals_total,
                "households_new": batch.households_new,
                "households_already_imported": batch.households_already_imported,
                "committed": committed,
                "error_count": batch.error_count,
                "errors": [
                    {k: e.get(k) for k in ("sheet", "row", "column", "value", "message")}
                    for e in errors
                ],
                "report": str(services.report_path(batch) or ""),
            }
            if as_json:
                self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            else:
                self._print(summary, batch)
        if batch.error_count or batch.status == ImportBatch.Status.FAILED:
            sys.exit(1)

    def _print(self, s: dict[str, Any], batch: ImportBatch) -> None:
        w = self.stdout.write
        w(f"Import {s['batch']} ({s['format']}): {batch.get_status_display()}")
        w(
            f"  {s['households']:,} households, {s['individuals']:,} people; "
            f"{s['households_new']:,} {'added' if s['committed'] else 'new'}, "
            f"{s['households_already_imported']:,} already in the registry"
        )
        if s["error_count"]:
            w(self.style.ERROR(f"  {s['error_count']:,} errors — nothing was committed:"))
            for e in s["errors"][:20]:
                w(f"    {e['sheet']} row {e['row']}, {e['column']}: {e['message']}")
            if s["error_count"] > 20:
                w(f"    … the report lists them all: {s['report']}")
        elif s["committed"]:
            w(self.style.SUCCESS("  Committed."))
        else:
            w(
                "  No errors. Run again with --commit to add the households, or commit it on the import page."
            )

"""sanad export_4w --from DATE --to DATE [--format hxl-csv|xlsx] --out FILE
                 [--governorate P-CODE] [--district P-CODE] [--programme CODE]
                 [--project CODE] [--internal] [--quiet]

Write the 3W/4W/5W activity report of whole months (DATE: YYYY-MM, or the first day of
a month for --from and the last day of one for --to) with its HXL hashtag row. The
command reads everything (it has no user's scope); the file is shared outside the
mission unless --internal, so small counts are suppressed. The summary of the ledger is
brought up to date first. The file is written next to FILE and renamed when complete:
nothing half-written is ever left at FILE. Progress on stderr; exit status 2 for bad
arguments."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sanad.core import context
from sanad.core.errors import ValidationFailed
from sanad.reporting.periods import parse_period
from sanad.reporting.selectors.figures import Filters
from sanad.reporting.services.fourw import FORMATS, fourw_export


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Export the 3W/4W/5W activity report with HXL hashtags (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="First month: YYYY-MM.")
        parser.add_argument("--to", dest="end", required=True, help="Last month: YYYY-MM.")
        parser.add_argument("--format", choices=FORMATS, default="hxl-csv")
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument("--governorate", help="Only this governorate (P-code, e.g. IQG09).")
        parser.add_argument("--district", help="Only this district (P-code).")
        parser.add_argument("--programme", help="Only this programme (code, e.g. NFI).")
        parser.add_argument("--project", help="Only this project (its code).")
        parser.add_argument(
            "--internal",
            action="store_true",
            help="For use inside the mission: do not suppress small counts.",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start, end = parse_period(options["start"], options["end"])
        except ValidationFailed as exc:
            raise _bad(str(exc.message)) from None
        filters = Filters(
            start=start,
            end=end,
            governorate=self._unit(options.get("governorate"), level=1, name="--governorate"),
            district=self._unit(options.get("district"), level=2, name="--district"),
            programme=self._programme(options.get("programme")),
            project=self._project(options.get("project")),
        )
        out = Path(options["out"]).expanduser()
        if out.is_dir():
            raise _bad(f"--out {out} is a folder: give a file name.")
        if not out.parent.is_dir():
            raise _bad(f"The folder {out.parent} does not exist.")
        shared = not options["internal"]
        quiet = options["quiet"]

        from sanad.reporting.services.summary import summary_refresh

        if not quiet:
            self.stderr.write("Bringing the summary of the ledger up to date first…")
        with context.acting_as(None, source="command"):
            refreshed = summary_refresh()
            if not quiet:
                self.stderr.write(
                    f"Summary up to date ({refreshed.records_read} new deliveries read)."
                )
            rows = self._write(out, filters, options["format"], shared, quiet)
        kind = "shared: counts below the threshold suppressed" if shared else "internal"
        self.stdout.write(f"{rows} row(s) written to {out} ({options['format']}, {kind}).")

    def _write(self, out: Path, filters: Filters, fmt: str, shared: bool, quiet: bool) -> int:
        bar = tqdm(
            total=1,
            desc="4W",
            disable=quiet,
            file=sys.stderr,
            dynamic_ncols=True,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {elapsed} {postfix}",
        )

        def progress(done: int, total: int | None = None, message: str = "", **_kw: Any) -> None:
            if total:
                bar.total = total
            bar.n = min(done, bar.total or done)
            if message:
                bar.set_postfix_str(str(message)[:40], refresh=False)
            bar.refresh()

        handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                rows = fourw_export(
                    filters=filters, format=fmt, shared=shared, out=stream, progress=progress
                )
            os.chmod(temp, 0o644)
            os.replace(temp, out)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        finally:
            bar.close()
        return rows

    def _unit(self, pcode: str | None, *, level: int, name: str) -> str | None:
        from sanad.geo.models import AdminUnit

        if not pcode:
            return None
        pcode = pcode.strip().upper()
        if not AdminUnit.objects.filter(pcode=pcode, level=level).exists():
            what = "governorate" if level == 1 else "district"
            raise _bad(f"{name}: there is no {what} with the P-code {pcode}.")
        return pcode

    def _programme(self, code: str | None) -> str | None:
        from sanad.programmes.models import Programme

        if not code:
            return None
        code = code.strip().upper()
        if not Programme.objects.filter(code=code).exists():
            known = ", ".join(Programme.objects.values_list("code", flat=True))
            raise _bad(f"--programme: there is no programme {code} (known: {known}).")
        return code

    def _project(self, code: str | None) -> int | None:
        from sanad.programmes.models import Project

        if not code:
            return None
        pk = Project.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
        if pk is None:
            raise _bad(f"--project: there is no project with the code {code.strip()}.")
        return int(pk)

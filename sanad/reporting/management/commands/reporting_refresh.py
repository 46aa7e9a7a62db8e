"""sanad reporting_refresh [--rebuild] [--quiet]

Bring the summary of the assistance ledger that dashboards, indicators and exports read
up to date (what the periodic task and the "Refresh now" button do), with a progress bar
on stderr. --rebuild rebuilds every month from the ledger (after a restore, or to apply
a change of how households' members are counted)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from sanad.core import context
from sanad.reporting.services.summary import summary_refresh


class Command(BaseCommand):
    help = "Bring the reporting summary of the assistance ledger up to date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="Rebuild every month from the ledger."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(
            total=1,
            desc="summary",
            disable=options["quiet"],
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

        with context.acting_as(None, source="command"):
            result = summary_refresh(rebuild=options["rebuild"], progress=progress)
        bar.close()
        self.stdout.write(
            f"{result.months_checked} month(s) checked: {len(result.months_rebuilt)} rebuilt, "
            f"{len(result.months_extended)} extended, {result.records_read} deliveries read"
            f"{', registry attributes read again' if result.attributes_rebuilt else ''}"
            f" in {result.seconds:.1f} s."
        )

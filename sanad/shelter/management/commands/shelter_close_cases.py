"""`sanad shelter_close_cases`: close every handed-over rehabilitation case whose
defects-liability period has ended with no defect left open.

    sanad shelter_close_cases                    # once (cron, e.g. every night)
    sanad shelter_close_cases --today 2026-03-01 # as if it were that day

Idempotent: a case is closed once, however often it runs."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Close the rehabilitation cases whose defects-liability period is over."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", default="", help="The day to close for (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        from sanad.core.context import acting_as
        from sanad.shelter.services.cases import cases_close_due

        on = None
        if options["today"]:
            try:
                on = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date: YYYY-MM-DD") from exc
        with acting_as(None, source="command"):
            closed = cases_close_due(on=on)
        self.stdout.write(f"Closed {closed} case(s).")

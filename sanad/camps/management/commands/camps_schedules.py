"""`sanad camps_schedules`: raise the preventive-maintenance tickets that are due.

    sanad camps_schedules                    # once (cron, e.g. every hour)
    sanad camps_schedules --today 2026-03-01 # as if it were that day
    sanad camps_schedules --loop 3600        # again every hour, until stopped

One ticket per schedule and due date however often it runs (a unique constraint)."""

from __future__ import annotations

import datetime
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection


class Command(BaseCommand):
    help = "Raise the preventive maintenance tickets that are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", default="", help="The day to raise for (YYYY-MM-DD).")
        parser.add_argument(
            "--loop", type=float, default=0, help="Run again every SECONDS, until stopped."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sanad.camps.services.schedules import schedules_raise_due

        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date: YYYY-MM-DD") from exc
        loop = float(options["loop"] or 0)
        if loop < 0:
            raise CommandError("--loop must be a positive number of seconds")
        self._stop = False

        def stop(signum: int, frame: Any) -> None:
            self._stop = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            if not connection.in_atomic_block:  # (a test runs the command in one)
                close_old_connections()
            raised = schedules_raise_due(today=today)
            self.stdout.write(f"{raised} preventive maintenance ticket(s) raised.")
            if not loop:
                return
            deadline = time.monotonic() + loop
            while not self._stop and time.monotonic() < deadline:
                time.sleep(min(1.0, loop))
            if self._stop:
                return

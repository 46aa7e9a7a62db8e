"""`sanad outbox`: the long-running sender of the feedback outbox.

Sends what is due on every active messaging channel within each channel's rate (the
token bucket on the channel row holds across workers and machines), and every ~30 s
starts the scheduled campaigns whose time has come (`campaigns_due_start`) and escalates
overdue cases (`cases_escalate_overdue`). Prints what it sent per channel.

    sanad outbox                      # one worker, until stopped (Ctrl-C, SIGTERM)
    sanad outbox --workers 4          # four worker processes
    sanad outbox --once               # send what is due now, then stop (cron, tests)
    sanad outbox --channel sms-duhok  # only this channel
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

PERIODIC_SECONDS = 30.0
IDLE_SLEEP = 1.0


class Command(BaseCommand):
    help = "Send the queued feedback messages (SMS) through their channels, at their rate."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=1, help="Worker processes (default 1).")
        parser.add_argument("--once", action="store_true", help="Send what is due now, then stop.")
        parser.add_argument("--channel", default="", help="Only this channel (its code).")
        parser.add_argument("--batch", type=int, default=0, help="Messages claimed at once.")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Do not start due campaigns nor escalate overdue cases.",
        )
        parser.add_argument("--worker-index", type=int, default=0, help=None)

    def handle(self, *args: Any, **options: Any) -> None:
        workers = max(1, int(options["workers"]))
        if workers > 1:
            self._supervise(workers, options)
            return
        self._stop = False

        def stop(signum: int, frame: Any) -> None:
            self._stop = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self._work(options)

    # --- several processes ---------------------------------------------------------------
    def _supervise(self, workers: int, options: dict[str, Any]) -> None:
        base = [sys.executable, "-m", "sanad", "outbox", "--workers", "1"]
        if options["once"]:
            base.append("--once")
        if options["channel"]:
            base += ["--channel", options["channel"]]
        if options["batch"]:
            base += ["--batch", str(options["batch"])]
        children = []
        for i in range(workers):
            cmd = [*base, "--worker-index", str(i)]
            if options["no_periodic"] or i > 0:
                cmd.append("--no-periodic")  # one process does the periodic duties
            children.append(subprocess.Popen(cmd))
        self.stdout.write(f"outbox: {workers} workers started (pids {[c.pid for c in children]})")

        def forward(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        codes = [child.wait() for child in children]
        if any(codes):
            raise CommandError(f"outbox: a worker stopped with an error ({codes}).")

    # --- one process ---------------------------------------------------------------------
    def _work(self, options: dict[str, Any]) -> None:
        from sanad.feedback.models import Channel
        from sanad.feedback.services.outbox import BATCH, PassResult, outbox_process

        channel = None
        if options["channel"]:
            channel = Channel.objects.filter(code=options["channel"]).first()
            if channel is None or not channel.is_messaging:
                raise CommandError(f"No messaging channel with the code {options['channel']!r}.")
        batch = int(options["batch"]) or BATCH
        index = int(options["worker_index"])
        periodic = not options["no_periodic"]
        last_periodic = 0.0
        totals = PassResult()
        started = last_print = time.monotonic()
        self.stdout.write(f"outbox[{index}]: ready")
        self.stdout.flush()
        while not self._stop:
            if not connection.in_atomic_block:  # (a test runs the command in one)
                close_old_connections()
            if periodic and time.monotonic() - last_periodic >= PERIODIC_SECONDS:
                last_periodic = time.monotonic()
                self._periodic()
            result = PassResult()
            try:
                outbox_process(channel=channel, batch=batch, limit=batch * 5, result=result)
            except Exception as exc:  # a database hiccup must not stop the sender
                self.stderr.write(f"outbox[{index}]: pass failed: {type(exc).__name__}: {exc}")
                if options["once"]:
                    raise CommandError(f"outbox: the pass failed ({type(exc).__name__}).") from exc
                time.sleep(IDLE_SLEEP)
                continue
            for name in ("sent", "delivered", "retried", "failed"):
                for code, n in getattr(result, name).items():
                    totals.add(getattr(totals, name), code, n)
            if result.handled or time.monotonic() - last_print > 10:
                if result.handled:
                    self._print(index, result)
                last_print = time.monotonic()
            if result.handled:
                continue
            if result.wait:
                time.sleep(min(result.wait, IDLE_SLEEP))
                continue
            if options["once"]:
                break
            time.sleep(IDLE_SLEEP)
        self._print(index, totals, label=f"total in {time.monotonic() - started:.1f} s")

    def _print(self, index: int, result: Any, label: str = "") -> None:
        codes = sorted(
            set(result.sent) | set(result.delivered) | set(result.retried) | set(result.failed)
        )
        parts = [
            f"{code}: sent {result.sent.get(code, 0)}, delivered {result.delivered.get(code, 0)},"
            f" retry {result.retried.get(code, 0)}, failed {result.failed.get(code, 0)}"
            for code in codes
        ]
        prefix = f"outbox[{index}]" + (f" {label}" if label else "")
        self.stdout.write(f"{prefix}: " + ("; ".join(parts) if parts else "nothing sent"))

    def _periodic(self) -> None:
        """Start due campaigns, escalate overdue cases, then the other modules' periodic
        work named by the setting SANAD_PERIODIC_TASKS (e.g. preventive maintenance):
        one long-running process instead of a cron per module. Each is idempotent and a
        failure of one never stops the others nor the sender."""
        from django.conf import settings
        from django.utils.module_loading import import_string

        from sanad.feedback.services.campaigns import campaigns_due_start
        from sanad.feedback.services.cases import cases_escalate_overdue

        tasks: list[tuple[str, Any]] = [
            ("started scheduled campaign(s)", campaigns_due_start),
            ("escalated overdue case(s)", cases_escalate_overdue),
        ]
        for path in getattr(settings, "SANAD_PERIODIC_TASKS", []):
            try:
                tasks.append((path, import_string(path)))
            except ImportError as exc:
                self.stderr.write(f"outbox: periodic task {path} not found: {exc}")
        for label, task in tasks:
            try:
                done = task()
            except Exception as exc:
                self.stderr.write(f"outbox: {label} failed: {type(exc).__name__}: {exc}")
                continue
            if done:
                self.stdout.write(f"outbox: {done} {label}")

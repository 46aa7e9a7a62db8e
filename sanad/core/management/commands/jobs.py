"""`sanad jobs`: list, start, run and watch background jobs from the command line.

sanad jobs list
sanad jobs start geo.places_export --user admin            # enqueue, then watch the bar
sanad jobs run geo.places_export --user admin              # run here, now, with a bar
sanad jobs watch <job id>
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sanad.core.errors import ApplicationError
from sanad.core.jobs import job_kinds, job_run, job_start
from sanad.core.models import Job


class Command(BaseCommand):
    help = "List, start, run and watch background jobs, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Recent jobs and their status.")
        sub.add_parser("kinds", help="The kinds of job that exist.")
        for name in ("start", "run"):
            p = sub.add_parser(name, help="Start a job (run: in this process).")
            p.add_argument("kind")
            p.add_argument(
                "--user", required=True, help="User name the job runs as (its scope applies)."
            )
            p.add_argument("--param", action="append", default=[], help="key=value, repeatable.")
            p.add_argument(
                "--no-wait", action="store_true", help="Do not wait for the job to finish."
            )
        w = sub.add_parser("watch", help="Follow a job's progress.")
        w.add_argument("job_id")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for job in Job.objects.select_related("created_by")[:30]:
                self.stdout.write(
                    f"{job.public_id}  {job.status:<9} {job.percent:>3}%  {job.kind:<28} {job.title}"
                )
            return
        if action == "kinds":
            for name, spec in sorted(job_kinds().items()):
                self.stdout.write(f"{name:<32} {spec.title}  (needs {spec.permission or '-'})")
            return
        if action == "watch":
            found = Job.objects.filter(public_id=options["job_id"]).first()
            if found is None:
                raise CommandError(
                    f"No job with id {options['job_id']}. `sanad jobs list` shows recent ones."
                )
            self._watch(found)
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        params = {}
        for item in options["param"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--param needs key=value, not {item!r}.")
            params[key] = value
        try:
            job = job_start(kind=options["kind"], user=user, params=params)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Job {job.public_id} — {job.title}")
        if action == "run":
            import threading

            def run_here(pk: int) -> None:
                from django.db import connections

                try:
                    job_run(pk)
                finally:
                    connections.close_all()  # this thread's own connections

            thread = threading.Thread(target=run_here, args=(job.pk,), daemon=True)
            thread.start()
            self._watch(job)
            thread.join()
        elif not options["no_wait"]:
            self._watch(job)

    def _watch(self, job: Job) -> None:
        bar = tqdm(
            total=max(job.progress_total, 1),
            desc=job.title[:40],
            unit="",
            dynamic_ncols=True,
            file=self.stdout._out,
        )  # type: ignore[attr-defined]
        try:
            while True:
                job.refresh_from_db()
                bar.total = max(job.progress_total, 1)
                bar.n = min(job.progress_done, bar.total)
                if job.message:
                    bar.set_postfix_str(job.message[:40], refresh=False)
                bar.refresh()
                if job.is_finished:
                    break
                time.sleep(0.5)
        finally:
            if job.status == Job.Status.SUCCEEDED:
                bar.n = bar.total
                bar.refresh()
            bar.close()
        if job.status == Job.Status.SUCCEEDED:
            self.stdout.write(
                self.style.SUCCESS(f"Finished: {json.dumps(job.result, ensure_ascii=False)}")
            )
            if job.result_file:
                self.stdout.write(f"File: {job.result_file} (download from /jobs/{job.public_id}/)")
        elif job.status == Job.Status.FAILED:
            raise CommandError(f"Failed: {job.error}")
        else:
            self.stdout.write(f"{job.get_status_display()}: {job.message}")

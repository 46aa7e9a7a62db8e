"""`sanad dedup_worker`: a worker that scores deduplication partitions (docs/dedup.md).

Start one per core on each machine that should share a large run; the run itself is
started by `sanad dedup_file … --partitions N` on any machine that reaches the same
Redis. Equivalent to
`rq worker sanad-dedup --url …`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sanad.dedup.distributed import QUEUE


class Command(BaseCommand):
    help = "Score deduplication partitions handed out through Redis (an RQ worker)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--redis",
            default=getattr(settings, "REDIS_URL", "") or "redis://127.0.0.1:6379/0",
            help="Redis URL (default: SANAD_REDIS_URL, or redis://127.0.0.1:6379/0).",
        )
        parser.add_argument("--queue", default=QUEUE, help=f"Queue name (default {QUEUE}).")
        parser.add_argument(
            "--burst", action="store_true", help="Stop when the queue is empty instead of waiting."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisDown
        from rq import Queue, Worker

        redis = Redis.from_url(options["redis"])
        try:
            redis.ping()
        except RedisDown as exc:
            raise CommandError(
                _("Cannot reach Redis at %(url)s: start it, or give --redis.")
                % {"url": options["redis"]}
            ) from exc
        worker = Worker([Queue(options["queue"], connection=redis)], connection=redis)
        self.stderr.write(
            _("Waiting for deduplication partitions on %(queue)s (%(url)s)…")
            % {"queue": options["queue"], "url": options["redis"]}
        )
        worker.work(burst=options["burst"], with_scheduler=False)

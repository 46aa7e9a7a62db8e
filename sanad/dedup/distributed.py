"""Deduplication spread over Redis job workers (RQ), for registries too large for one
machine's run to finish in time: a national ration-card list of tens of millions.

The method (docs/dedup.md):

1. *Parameters* are estimated once, by the coordinator, on a random sample of the
   records (`estimate_params`); the expected number of matches per record is scaled
   back up by the sampling rate (a pair survives a sample of rate s with probability s²,
   a record with probability s).
2. *Records* are published once to Redis (compressed), under a key that expires.
3. *Partitions*: one RQ job per partition i of n runs `find_pairs(..., partition=(i, n),
   params=...)`: it builds the block keys of every record and scores only the candidate
   pairs whose (rule, block key) hashes to i — the comparison and scoring work, which
   grows with the number of pairs, is split n ways; each pair belongs to exactly one
   partition (a pair is produced by the first blocking rule that finds it).
4. The coordinator collects the partitions' pairs and applies the household context
   over their union (`combine_partitions`): the result equals a single-machine run
   with the same parameters.

Workers are plain RQ workers on the queue `sanad-dedup` (`rq worker sanad-dedup --url
redis://…`, or `sanad dedup_worker`), on as many machines as there are; they need the
Sanad package installed, not Django settings or a database (the engine has no Django
in it). Jobs and results expire; the records key is deleted at the end.

No Django import here: this module runs in the workers.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import astuple
from typing import Any

from sanad.dedup.engine import (
    FLAG_THRESHOLD,
    Contribution,
    Pair,
    Params,
    Record,
    Result,
    combine_partitions,
    estimate_params,
    find_pairs,
)

QUEUE = "sanad-dedup"
KEY_TTL = 6 * 3600  # seconds the published records stay in Redis
SAMPLE = 200_000  # records the parameters are estimated on

ProgressFn = Callable[[int, int, str], None]


class DistributedError(RuntimeError):
    """A partition failed, or the workers did not finish in time."""


# --- serialising -----------------------------------------------------------------------


def pack_records(records: Sequence[Record]) -> bytes:
    return zlib.compress(json.dumps([astuple(r) for r in records], ensure_ascii=False).encode(), 3)


def unpack_records(blob: bytes | str) -> list[Record]:
    if isinstance(blob, str):
        blob = blob.encode("latin-1")
    return [Record(*row) for row in json.loads(zlib.decompress(blob))]


def _pair_to_list(p: Pair) -> list[Any]:
    return [
        p.left,
        p.right,
        p.probability,
        p.weight,
        [[c.field, c.level, c.weight, c.left, c.right] for c in p.contributions],
        p.left_household,
        p.right_household,
    ]


def _pair_from_list(v: list[Any]) -> Pair:
    return Pair(
        left=v[0],
        right=v[1],
        probability=v[2],
        weight=v[3],
        contributions=[Contribution(*c) for c in v[4]],
        left_household=v[5],
        right_household=v[6],
    )


# --- the worker's side -----------------------------------------------------------------


def partition_job(
    *,
    redis_url: str,
    records_key: str,
    link_key: str | None,
    params: dict[str, Any],
    partition: tuple[int, int],
    threshold: float,
) -> dict[str, Any]:
    """Run in an RQ worker: score partition `partition` of the published records."""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    blob = redis.get(records_key)
    if blob is None:
        raise DistributedError(f"The records {records_key} have expired or were never published.")
    records = unpack_records(blob)
    link = None
    if link_key:
        link_blob = redis.get(link_key)
        if link_blob is None:
            raise DistributedError(f"The records {link_key} have expired.")
        link = unpack_records(link_blob)
    started = time.perf_counter()
    result = find_pairs(
        records,
        link=link,
        threshold=threshold,
        params=Params.from_dict(params),
        partition=(int(partition[0]), int(partition[1])),
    )
    return {
        "pairs": [_pair_to_list(p) for p in result.pairs],
        "stats": {**result.stats, "worker_seconds": time.perf_counter() - started},
    }


# --- the coordinator's side ------------------------------------------------------------


def sample_params(
    records: Sequence[Record],
    *,
    link: Sequence[Record] | None = None,
    sample: int = SAMPLE,
    seed: int = 7,
) -> Params:
    """Parameters estimated on at most `sample` records (each side when linking)."""
    rng = random.Random(seed)
    rate = 1.0
    left = list(records)
    right = list(link) if link is not None else None
    if len(left) > sample:
        rate = sample / len(left)
        left = rng.sample(left, sample)
    if right is not None and len(right) > sample:
        rate = min(rate, sample / len(right))
        right = rng.sample(right, sample)
    params = estimate_params(left, link=right)
    if rate < 1.0:
        # The sample keeps a record's duplicate with probability `rate`: scale back up.
        params.matches_per_record = params.matches_per_record / rate
    return params


def find_pairs_distributed(
    records: Sequence[Record],
    *,
    link: Sequence[Record] | None = None,
    redis_url: str,
    partitions: int,
    threshold: float = FLAG_THRESHOLD,
    params: Params | None = None,
    progress: ProgressFn | None = None,
    queue: str = QUEUE,
    timeout: float = 6 * 3600,
    poll: float = 0.5,
) -> Result:
    """`find_pairs` with the scoring spread over the RQ workers listening on `queue`."""
    from redis import Redis
    from rq import Queue

    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    redis = Redis.from_url(redis_url)
    report = progress or (lambda done, total, message: None)
    started = time.perf_counter()
    if params is None:
        report(0, partitions + 1, "Estimating the parameters on a sample")
        params = sample_params(records, link=link)
    estimated = time.perf_counter()
    run = uuid.uuid4().hex
    records_key = f"sanad:dedup:{run}:records"
    link_key = f"sanad:dedup:{run}:link" if link is not None else None
    redis.set(records_key, pack_records(records), ex=KEY_TTL)
    if link_key and link is not None:
        redis.set(link_key, pack_records(link), ex=KEY_TTL)
    q = Queue(queue, connection=redis)
    jobs = [
        q.enqueue(
            partition_job,
            kwargs={
                "redis_url": redis_url,
                "records_key": records_key,
                "link_key": link_key,
                "params": params.to_dict(),
                "partition": (i, partitions),
                "threshold": threshold,
            },
            job_timeout=int(timeout),
            result_ttl=3600,
            failure_ttl=24 * 3600,
            description=f"sanad dedup partition {i + 1}/{partitions}",
        )
        for i in range(partitions)
    ]
    try:
        done: dict[int, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout
        report(1, partitions + 1, f"0 of {partitions} partitions scored")
        while len(done) < partitions:
            for i, job in enumerate(jobs):
                if i in done:
                    continue
                status = job.get_status(refresh=True)
                if status == "finished":
                    value = job.return_value()
                    if not isinstance(value, dict):
                        raise DistributedError(
                            f"Partition {i + 1} of {partitions} returned nothing."
                        )
                    done[i] = value
                    report(
                        1 + len(done),
                        partitions + 1,
                        f"{len(done)} of {partitions} partitions scored",
                    )
                elif status in ("failed", "stopped", "canceled"):
                    raise DistributedError(
                        f"Partition {i + 1} of {partitions} {status}: {(job.exc_info or '').strip()[-500:]}"
                    )
            if len(done) < partitions:
                if time.monotonic() > deadline:
                    raise DistributedError(
                        f"Only {len(done)} of {partitions} partitions finished in time: "
                        f"are workers listening on the queue {queue!r}?"
                    )
                time.sleep(poll)
    except BaseException:
        for job in jobs:
            with contextlib.suppress(Exception):  # best effort
                job.cancel()
        raise
    finally:
        redis.delete(records_key)
        if link_key:
            redis.delete(link_key)
    results = [
        Result(
            pairs=[_pair_from_list(v) for v in done[i]["pairs"]],
            params=params,
            stats=done[i]["stats"],
        )
        for i in range(partitions)
    ]
    combined = combine_partitions(results, threshold=threshold)
    combined.stats["seconds"] = {
        "parameters": round(estimated - started, 3),
        "partitions": round(time.perf_counter() - estimated, 3),
        "worker_seconds": [round(r.stats.get("worker_seconds", 0.0), 3) for r in results],
    }
    return combined

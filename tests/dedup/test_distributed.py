"""Deduplication spread over RQ workers: two real worker processes on the local Redis
give the same pairs as one run on one machine with the same parameters."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from sanad.dedup import distributed
from sanad.dedup.engine import REVIEW_THRESHOLD, find_pairs
from sanad.dedup.synthetic import generate

REDIS_URL = os.environ.get("SANAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except RedisDown:
        if os.environ.get("SANAD_REQUIRE_REDIS"):
            raise
        pytest.skip(
            f"no Redis at {REDIS_URL} (.ci/run starts one; set SANAD_REQUIRE_REDIS=1 to fail)"
        )
    return redis


def _same(got, want):
    """The same pairs, with probabilities equal up to DuckDB's parallel float rounding
    (sums of single-precision name frequencies may add up in another order)."""
    assert got.keys() == want.keys()
    assert all(abs(got[k] - want[k]) < 1e-5 for k in got)


def _probabilities(pairs):
    return {(p.left, p.right): p.probability for p in pairs}


def _rows(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "record_id_l,record_id_r,match_probability"
    return {(a, b): float(p) for a, b, p in (line.split(",") for line in lines[1:])}


def test_records_survive_packing():
    records, _truth = generate(50, seed=3)
    assert distributed.unpack_records(distributed.pack_records(records)) == records


def test_two_workers_find_the_same_pairs_as_one_machine(tmp_path):
    redis = _redis_or_skip()
    queue = f"sanad-dedup-test-{os.getpid()}"
    records, _truth = generate(3000, seed=5)
    params = distributed.sample_params(records, sample=2000)
    single = find_pairs(records, params=params, threshold=REVIEW_THRESHOLD)

    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "rq.cli", "worker", "--url", REDIS_URL, "--quiet", queue],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    try:
        seen: list[tuple[int, int]] = []
        result = distributed.find_pairs_distributed(
            records,
            redis_url=REDIS_URL,
            partitions=4,
            params=params,
            threshold=REVIEW_THRESHOLD,
            queue=queue,
            timeout=300,
            progress=lambda done, total, _msg: seen.append((done, total)),
        )
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        redis.delete(f"rq:queue:{queue}")
    _same(_probabilities(result.pairs), _probabilities(single.pairs))
    assert result.pairs, "the synthetic data has duplicates"
    assert seen[-1][0] == seen[-1][1]  # progress reached the end
    assert len(result.stats["seconds"]["worker_seconds"]) == 4
    # The published records are gone.
    assert not list(redis.scan_iter("sanad:dedup:*"))


def test_a_run_without_workers_times_out_with_a_clear_message():
    redis = _redis_or_skip()
    queue = f"sanad-dedup-empty-{os.getpid()}-{time.time_ns()}"
    records, _truth = generate(300, seed=2)
    params = distributed.sample_params(records)
    with pytest.raises(distributed.DistributedError, match="workers listening"):
        distributed.find_pairs_distributed(
            records, redis_url=REDIS_URL, partitions=2, params=params, queue=queue, timeout=1
        )
    redis.delete(f"rq:queue:{queue}")


def test_dedup_file_spreads_over_workers(tmp_path):
    """The command line's --partitions gives the same file as a run on one machine."""
    import csv

    from django.core.management import call_command

    redis = _redis_or_skip()
    records, _truth = generate(1500, seed=8)
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "household_id", "given_name", "father_name",
                         "grandfather_name", "family_name", "sex", "date_of_birth", "phone",
                         "document_number", "admin1_pcode", "admin2_pcode"])  # fmt: skip
        for r in records:
            writer.writerow([r.record_id, r.household_id, r.given_name, r.father_name,
                             r.grandfather_name, r.family_name, r.sex, r.date_of_birth,
                             r.phone, r.document_number, r.admin1_pcode, r.admin2_pcode])  # fmt: skip
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rq.cli",
            "worker",
            "--url",
            REDIS_URL,
            "--quiet",
            distributed.QUEUE,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        call_command("dedup_file", str(people), "--out", str(tmp_path / "spread.csv"),
                     "--partitions", "3", "--redis", REDIS_URL, verbosity=0)  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    call_command("dedup_file", str(people), "--out", str(tmp_path / "here.csv"), verbosity=0)
    spread = _rows(tmp_path / "spread.csv")
    assert spread
    _same(spread, _rows(tmp_path / "here.csv"))
    assert not list(redis.scan_iter("sanad:dedup:*"))

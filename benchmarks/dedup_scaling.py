"""How the distributed deduplication scales (docs/dedup.md): the same synthetic Iraqi
records run on one machine, then spread over 1, 2 … RQ workers on the local Redis.

    python -m benchmarks.dedup_scaling            # 200,000 records, workers 1 and 2
    SANAD_BENCH_DEDUP_SCALING=50000 python -m benchmarks.dedup_scaling

Each worker is a separate process with `SANAD_DEDUP_THREADS` DuckDB threads, so that
the workers share the machine's cores the way they would share a cluster's machines.
The parameters are estimated once beforehand and given to every run, so the timings
compare the blocking, comparison and scoring work only; the pairs must be the same.
Prints a Markdown table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

REDIS_URL = os.environ.get("SANAD_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
QUEUE = "sanad-dedup-bench"


def main() -> None:
    from sanad.dedup import distributed
    from sanad.dedup.engine import REVIEW_THRESHOLD, find_pairs
    from sanad.dedup.synthetic import generate

    n = int(os.environ.get("SANAD_BENCH_DEDUP_SCALING", "200000"))
    cores = os.cpu_count() or 1
    records, _truth = generate(n, seed=21)
    started = time.perf_counter()
    params = distributed.sample_params(records)
    estimate_s = time.perf_counter() - started
    rows = [("parameters on a 200,000-record sample (coordinator)", estimate_s, "")]

    started = time.perf_counter()
    single = find_pairs(records, params=params, threshold=REVIEW_THRESHOLD)
    single_s = time.perf_counter() - started
    want = {(p.left, p.right): p.probability for p in single.pairs}
    rows.append((f"one process, {cores} DuckDB threads", single_s, f"{len(want):,} pairs"))

    for workers in sorted({1, 2, cores}):
        threads = max(1, cores // workers)
        env = {**os.environ, "SANAD_DEDUP_THREADS": str(threads)}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "rq.cli", "worker", "--url", REDIS_URL, "--quiet", QUEUE],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            time.sleep(1.0)  # let the workers connect
            started = time.perf_counter()
            result = distributed.find_pairs_distributed(
                records,
                redis_url=REDIS_URL,
                partitions=2 * workers,
                params=params,
                threshold=REVIEW_THRESHOLD,
                queue=QUEUE,
            )
            elapsed = time.perf_counter() - started
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=60)
        got = {(p.left, p.right): p.probability for p in result.pairs}
        if got.keys() == want.keys():
            # DuckDB's parallel sums of single-precision term frequencies may round differently.
            delta = max((abs(got[k] - want[k]) for k in got), default=0.0)
            same = f"the same pairs (probabilities within {delta:.0e})"
        else:
            same = f"DIFFERENT: {len(got.keys() ^ want.keys())} pairs differ"
        busiest = max(result.stats["seconds"]["worker_seconds"])
        rows.append(
            (
                f"{workers} worker(s) × {threads} thread(s), {2 * workers} partitions",
                elapsed,
                f"{same}; slowest partition {busiest:.1f} s",
            )
        )

    print(f"Records: {n:,} (synthetic Iraqi households, seed 21); {cores} cores\n")
    print("| run | wall time | note |\n|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.1f} s | {note} |")


if __name__ == "__main__":
    main()

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(
    name: str, func: Callable[[], Any], *, runs: int = 15, warmup: int = 2, note: str = ""
) -> dict[str, Any]:
    for _ in range(warmup):
        func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return {"name": name, "median_ms": statistics.median(times), "runs": runs, "note": note}

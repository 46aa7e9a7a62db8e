"""Convoy planning (issue 11): `sanad.transport.planner.plan` loading 2,000 passengers
in about 400 households into a mixed fleet with OR-Tools CP-SAT, families never split.

Data (seeded): household sizes drawn from a distribution like Iraqi IDP households'
(mean about 5, 1 to 14 people); passengers needing a medical escort clustered in
households until they are 10% of the passengers (the whole family rides with the
escort); a few wheelchair and stretcher passengers (stretcher passengers need an escort
too); luggage per household 0.05–0.20 m³ per person plus 0.1–0.4 m³ of household items.
Fleet offered (more than needed; the planner chooses): 46 buses of 45–50 seats with a
4–6 m³ hold, 12 of them with a medical escort (who takes a seat); 18 minibuses of 20–24
seats with 1–1.5 m³, 6 with an escort; 2 accessible minibuses (16 seats, 4 wheelchair
places, escort); 4 medical minibuses (10 seats, 1 stretcher and 1 wheelchair place,
escort); 6 luggage trucks of 30 m³ (no seats).

Measured: the wall time of `plan()` with the defaults the convoys service uses (4 s
limit, 2 CP-SAT workers), median of several runs; the vehicles used against the lower
bounds — seats needed ÷ the largest vehicle's seats rounded up, the escort constraint's
own bound (the fewest escort vehicles holding the escorted families' seats) and the
combined bound (the fewest vehicles covering seats, wheelchair, stretcher and luggage
needs and the escorted families' seats at once); every family checked in one vehicle
and every capacity kept (`planner.check` finds nothing). Then a re-balance: two
households are no-shows, the plan is re-solved from the current placements, and the
families moved are counted. Last, a harder mix (larger households, escorts spread over
more households, 10 escort buses) where the first-fit-decreasing plan is above the
bound and CP-SAT searches until the time limit. Goal (issue 11): under 5 s, vehicles within 5% of the
lower bound."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from typing import Any

BACKEND_INDEPENDENT = True  # benchmarks/run.py: run on the first database only

PASSENGERS = int(os.environ.get("SANAD_BENCH_CONVOY_PASSENGERS", "2000"))
RUNS = int(os.environ.get("SANAD_BENCH_CONVOY_RUNS", "5"))
SEED = 11
# Household sizes (people, weight): mean ≈ 5.0, a long tail of large families.
SIZES = (
    (1, 6),
    (2, 10),
    (3, 14),
    (4, 17),
    (5, 17),
    (6, 13),
    (7, 9),
    (8, 6),
    (9, 3.5),
    (10, 2.5),
    (11, 1),
    (12, 0.7),
    (13, 0.2),
    (14, 0.1),
)


# A harder mix: larger households, escorts less clustered, fewer escort buses.
HARD_SIZES = tuple(
    (size, w)
    for size, w in zip(
        range(1, 15), (4, 8, 12, 17, 18, 14, 10, 7, 4, 3, 1.5, 1, 0.3, 0.2), strict=True
    )
)


def households(
    rng: random.Random,
    sizes_table: tuple[tuple[int, float], ...] = SIZES,
    cluster: tuple[int, ...] = (1, 2, 2, 3, 3, 4),
    stretchers: bool = True,
) -> list[dict[str, Any]]:
    """Members per household with their needs: {"size", "escort", "wheelchairs",
    "stretchers", "luggage" (litres)}."""
    sizes, weights = zip(*sizes_table, strict=True)
    out: list[dict[str, Any]] = []
    total = 0
    while total < PASSENGERS:
        size = min(rng.choices(sizes, weights)[0], PASSENGERS - total)
        out.append({"size": size, "escort": 0, "wheelchairs": 0, "stretchers": 0})
        total += size
    order = list(range(len(out)))
    rng.shuffle(order)
    # stretcher passengers (about 0.2%), in households that fit a medical minibus
    stretcher_homes = [i for i in order if out[i]["size"] <= 8][: max(1, PASSENGERS // 500)]
    if not stretchers:
        stretcher_homes = []
    for i in stretcher_homes:
        out[i]["stretchers"] = 1
        out[i]["escort"] = 1
    # wheelchair passengers (about 0.5%)
    for i in [i for i in order if i not in stretcher_homes][: max(1, PASSENGERS // 200)]:
        out[i]["wheelchairs"] = 1
    # escort: 10% of the passengers, clustered (1 to 4 in a household)
    need = PASSENGERS // 10 - sum(h["escort"] for h in out)
    for i in order[len(order) // 3 :]:
        if need <= 0:
            break
        h = out[i]
        k = min(need, rng.choice(cluster), h["size"] - h["wheelchairs"] - h["stretchers"])
        h["escort"] += k
        need -= k
    for h in out:
        per_person = rng.uniform(0.05, 0.20)
        h["luggage"] = int(1000 * (h["size"] * per_person + rng.uniform(0.1, 0.4)))
    return out


def fleet(
    rng: random.Random,
    escort_buses: int = 12,
    holds: tuple[float, ...] = (4, 5, 6),
    bus_wheelchairs: int = 0,
    bus_seats: tuple[int, int] = (45, 50),
) -> list[dict[str, Any]]:
    vehicles: list[dict[str, Any]] = []

    def add(kind: str, n: int, escorts: int, **spec: Any) -> None:
        for i in range(n):
            vehicle = {k: (v() if callable(v) else v) for k, v in spec.items()}
            vehicles.append({"key": f"{kind}-{i + 1:02d}", "escort": i < escorts, **vehicle})

    add(
        "bus",
        46,
        escort_buses,
        seats=lambda: rng.randint(*bus_seats),
        luggage=lambda: rng.choice(holds),
        wheelchairs=bus_wheelchairs,
    )
    add("minibus", 18, 6, seats=lambda: rng.randint(20, 24), luggage=lambda: rng.choice((1, 1.5)))
    add("accessible", 2, 2, seats=16, wheelchairs=4, luggage=1)
    add("medical", 4, 4, seats=10, wheelchairs=1, stretchers=1, luggage=0.5)
    add("truck", 6, 0, seats=0, luggage=30)
    return vehicles


def problem(hard: bool = False, issue: bool = False) -> tuple[list[Any], list[Any]]:
    """`issue=True`: the issue's scenario as written — 10% needing an escort, no
    stretcher passengers, a contracted fleet of one coach model (50 seats, the 8–10 m³
    hold such a coach has, one wheelchair place) with minibuses, ambulances and trucks
    — where its bound (seats ÷ largest, the escort bound) is tight. With coaches of
    45–50 seats the bound assumes every coach is the largest, and even the proven
    optimum sits above it (43 against 40)."""
    from sanad.transport.planner import Family, Slot

    rng = random.Random(SEED)
    mix: dict[str, Any] = {"sizes_table": HARD_SIZES, "cluster": (1, 1, 2, 2, 3)} if hard else {}
    if issue:
        mix["stretchers"] = False
    spec: dict[str, Any] = {"escort_buses": 10 if hard else 12}
    if issue:
        spec.update(holds=(8, 9, 10), bus_wheelchairs=1, bus_seats=(50, 50))
    fams = [
        Family(
            key=f"HH-{i + 1:04d}",
            seats=h["size"] - h["wheelchairs"] - h["stretchers"],
            wheelchairs=h["wheelchairs"],
            stretchers=h["stretchers"],
            needs_escort=h["escort"] > 0,
            luggage=h["luggage"],
        )
        for i, h in enumerate(households(rng, **mix))
    ]
    slots = [
        Slot(
            key=v["key"],
            seats=v["seats"] - (1 if v["escort"] else 0),  # the escort takes a seat
            wheelchairs=v.get("wheelchairs", 0),
            stretchers=v.get("stretchers", 0),
            luggage=int(v["luggage"] * 1000),
            has_escort=v["escort"],
        )
        for v in fleet(rng, **spec)
    ]
    return fams, slots


def verify(fams: list[Any], slots: list[Any], result: Any) -> str:
    """Every family in exactly one vehicle (its own ones when dedicated), nothing over
    capacity: `planner.check` finds no problem."""
    from sanad.transport.planner import check

    placed = [f for f in fams if f.key in result.assignment]
    assert len(placed) == len(fams), "a family was not placed"
    problems = check(fams, slots, result.assignment, result.luggage, dedicated=result.dedicated)
    assert not problems, problems[:3]
    return "verified"


def run() -> list[dict[str, Any]]:
    from sanad.transport.planner import plan, resource_bounds

    fams, slots = problem()
    bounds = resource_bounds(fams, slots)
    times, results = [], []
    plan(fams, slots)  # warm-up (imports, OR-Tools start-up)
    for _ in range(RUNS):
        start = time.perf_counter()
        results.append(plan(fams, slots))
        times.append((time.perf_counter() - start) * 1000)
    result = results[-1]
    split = verify(fams, slots, result)
    used = len(result.used)
    gap = (used - bounds["combined"]) / bounds["combined"] * 100
    gap_naive = (used - bounds["seats_naive"]) / bounds["seats_naive"] * 100
    people = sum(f.people for f in fams)
    escorted = [f for f in fams if f.needs_escort]
    rows = [
        {
            "name": f"plan {people:,} passengers in {len(fams)} households, "
            f"{len(slots)} vehicles offered",
            "median_ms": statistics.median(times),
            "runs": RUNS,
            "note": f"status {result.status}; min {min(times):.0f} ms, max {max(times):.0f} ms",
        },
        {
            "name": "vehicles used / lower bounds",
            "median_ms": statistics.median(times),
            "runs": RUNS,
            "note": (
                f"{used} used ({_kinds(result.used)}); bound seats ÷ largest "
                f"{sum(f.seats for f in fams)} ÷ {max(s.seats for s in slots)} → "
                f"{bounds['seats_naive']}, escort {bounds['escort']} "
                f"({sum(f.people for f in escorted)} people in {len(escorted)} households), "
                f"luggage {bounds['luggage']}, combined {bounds['combined']}, solver's "
                f"{result.lower_bound}; gap {gap:.1f}% to the combined bound, "
                f"{gap_naive:.1f}% to seats ÷ largest; no family split: {split}"
            ),
        },
    ]
    # re-balance: two households do not show up
    gone = {fams[3].key, fams[len(fams) // 2].key}
    rest = [f for f in fams if f.key not in gone]
    current = {k: v for k, v in result.assignment.items() if k not in gone}
    rebalance_times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        again = plan(rest, slots, current=current)
        rebalance_times.append((time.perf_counter() - start) * 1000)
    verify(rest, slots, again)
    rows.append(
        {
            "name": "re-balance after 2 no-shows (current placements, moves minimised)",
            "median_ms": statistics.median(rebalance_times),
            "runs": RUNS,
            "note": f"status {again.status}; {len(again.used)} vehicles, {again.moved} moved",
        }
    )
    # the harder mix: the greedy plan is one vehicle above the bound, CP-SAT searches
    hard_fams, hard_slots = problem(hard=True)
    hard_bound = resource_bounds(hard_fams, hard_slots)["combined"]
    hard_times, hard = [], None
    for _ in range(max(1, RUNS // 2)):
        start = time.perf_counter()
        hard = plan(hard_fams, hard_slots)
        hard_times.append((time.perf_counter() - start) * 1000)
    assert hard is not None
    verify(hard_fams, hard_slots, hard)
    rows.append(
        {
            "name": f"harder mix: {sum(f.people for f in hard_fams):,} passengers in "
            f"{len(hard_fams)} larger households, escorts less clustered, 10 escort buses",
            "median_ms": statistics.median(hard_times),
            "runs": len(hard_times),
            "note": f"status {hard.status}; {len(hard.used)} vehicles, combined bound "
            f"{hard_bound}, solver's {hard.lower_bound}; gap "
            f"{(len(hard.used) - hard_bound) / hard_bound * 100:.1f}%; no family split: verified",
        }
    )
    # the issue's scenario and its bound: max(seats ÷ largest, the escort bound)
    issue_fams, issue_slots = problem(issue=True)
    issue_bounds = resource_bounds(issue_fams, issue_slots)
    issue_bound = max(issue_bounds["seats_naive"], issue_bounds["escort"])
    issue_times, issue_plan = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        issue_plan = plan(issue_fams, issue_slots)
        issue_times.append((time.perf_counter() - start) * 1000)
    assert issue_plan is not None
    verify(issue_fams, issue_slots, issue_plan)
    issue_used = len(issue_plan.used)
    issue_gap = (issue_used - issue_bound) / issue_bound * 100
    rows.append(
        {
            "name": f"issue's scenario: {sum(f.people for f in issue_fams):,} passengers in "
            f"{len(issue_fams)} households, 10% escorted, 50-seat coaches with 8–10 m³ holds",
            "median_ms": statistics.median(issue_times),
            "runs": RUNS,
            "note": f"status {issue_plan.status}; {issue_used} vehicles "
            f"({_kinds(issue_plan.used)}); bound max(seats ÷ largest "
            f"{issue_bounds['seats_naive']}, escort {issue_bounds['escort']}) = {issue_bound}; "
            f"gap {issue_gap:.1f}%; no family split: verified",
        }
    )
    met_time = max(statistics.median(times), statistics.median(issue_times)) < 5000
    met_issue = issue_used <= issue_bound * 1.05
    met_gap = used <= bounds["combined"] * 1.05
    rows.append(
        {
            "name": "goal (issue 11): < 5 s and within 5% of the lower bound",
            "median_ms": statistics.median(times),
            "runs": RUNS,
            "note": f"time {'met' if met_time else 'NOT met'}; vehicles on the issue's "
            f"scenario {'met' if met_issue else 'NOT met'} ({issue_used} vs its bound "
            f"{issue_bound}); with stretchers and heavy luggage "
            f"{'met' if met_gap else 'NOT met'} ({used} vs the combined bound "
            f"{bounds['combined']})",
        }
    )
    return rows


def _kinds(keys: list[str]) -> str:
    counts: dict[str, int] = {}
    for key in keys:
        kind = key.rsplit("-", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


if __name__ == "__main__":  # python -m benchmarks.bench_convoy (no database needed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanad.settings")
    import django

    django.setup()
    for row in run():
        print(f"{row['name']:<70} {row['median_ms']:>9.1f} ms  {row['note']}", file=sys.stdout)

"""The CP-SAT model: x[family, slot], d[oversize family, slot] (its own), bag[family,
slot] (its luggage), y[slot] used; capacities per slot, identical unused slots used in
order, the lower bound as a constraint so the search stops as soon as it is reached."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from sanad.transport.planner.greedy import Solution
from sanad.transport.planner.types import Family, Slot


def fits(f: Family, s: Slot) -> bool:
    return (
        f.seats <= s.seats
        and f.wheelchairs <= s.wheelchairs
        and f.stretchers <= s.stretchers
        and (s.has_escort or not f.needs_escort)
    )


@dataclass
class Ctx:
    families: list[Family]
    slots: list[Slot]
    oversize: list[int]  # families no slot holds alone (own_vehicles)
    normal: list[int]
    eligible: list[list[int]]  # slots that can hold the family (normal families)
    eligible_set: list[set[int]]
    own_candidates: dict[int, list[int]]  # slots that can be given to an oversize family
    current: dict[int, int] = field(default_factory=dict)
    pinned: dict[int, int] = field(default_factory=dict)
    pinned_luggage: dict[int, int] = field(default_factory=dict)


class Model:
    def __init__(self, ctx: Ctx, lb: int) -> None:
        self.ctx = ctx
        m = self.m = cp_model.CpModel()
        fams, sl = ctx.families, ctx.slots
        n_slots = range(len(sl))
        self.y = [m.new_bool_var(f"y{si}") for si in n_slots]
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.d: dict[tuple[int, int], cp_model.IntVar] = {}
        self.bag: dict[tuple[int, int], cp_model.IntVar] = {}
        by_slot: dict[int, list[int]] = defaultdict(list)
        for fi in ctx.normal:
            for si in ctx.eligible[fi]:
                self.x[fi, si] = m.new_bool_var("")
                by_slot[si].append(fi)
            m.add_exactly_one(self.x[fi, si] for si in ctx.eligible[fi])
        for fi in ctx.oversize:
            f = fams[fi]
            mine = ctx.own_candidates[fi]
            for si in mine:
                self.d[fi, si] = m.new_bool_var("")
            for need, what in (
                (f.seats, "seats"),
                (f.wheelchairs, "wheelchairs"),
                (f.stretchers, "stretchers"),
            ):
                if need:
                    m.add(sum(getattr(sl[si], what) * self.d[fi, si] for si in mine) >= need)
        owned: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (_fi, si), var in self.d.items():
            owned[si].append(var)
        # z: the slot carries shared families; y = z + (reserved for one family)
        self.z = self.y
        if self.d:
            self.z = [m.new_bool_var("") for _s in n_slots]
            for si in n_slots:
                m.add(self.y[si] == self.z[si] + sum(owned[si]))
        for si in n_slots:
            s, here = sl[si], by_slot[si]
            bound_by_capacity: set[int] = set()
            capacities: tuple[tuple[int, str], ...] = (
                (s.seats, "seats"),
                (s.wheelchairs, "wheelchairs"),
                (s.stretchers, "stretchers"),
            )
            for cap, attr in capacities:
                takers = [fi for fi in here if getattr(fams[fi], attr)]
                if takers and (
                    attr == "seats" or sum(getattr(fams[fi], attr) for fi in takers) > cap
                ):
                    load = cp_model.LinearExpr.weighted_sum(
                        [self.x[fi, si] for fi in takers],
                        [getattr(fams[fi], attr) for fi in takers],
                    )
                    m.add(load <= cap * self.z[si])
                    bound_by_capacity.update(takers)
            for fi in here:
                if fi not in bound_by_capacity:
                    m.add_implication(self.x[fi, si], self.z[si])
        # luggage
        bags_by_slot: dict[int, list[int]] = defaultdict(list)
        for fi, f in enumerate(fams):
            if not f.luggage:
                continue
            places = [si for si in n_slots if sl[si].luggage >= f.luggage]
            for si in places:
                self.bag[fi, si] = m.new_bool_var("")
                bags_by_slot[si].append(fi)
                if self.d:  # into a shared slot, or one of the family's own
                    own = self.d.get((fi, si))
                    m.add(self.bag[fi, si] <= self.z[si] + (own if own is not None else 0))
            m.add_exactly_one(self.bag[fi, si] for si in places)
        for si, here in bags_by_slot.items():
            load = cp_model.LinearExpr.weighted_sum(
                [self.bag[fi, si] for fi in here], [fams[fi].luggage for fi in here]
            )
            m.add(load <= sl[si].luggage * self.y[si])
        for fi, si in ctx.pinned.items():
            m.add((self.d if fi in ctx.oversize else self.x)[fi, si] == 1)
        for fi, si in ctx.pinned_luggage.items():
            m.add(self.bag[fi, si] == 1)
        # identical slots nobody is in yet: use them in order
        referenced = (
            set(ctx.current.values()) | set(ctx.pinned.values()) | set(ctx.pinned_luggage.values())
        )
        kinds: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for si, s in enumerate(sl):
            if si not in referenced:
                kinds[(s.seats, s.wheelchairs, s.stretchers, s.luggage, s.has_escort)].append(si)
        self.classes = [members for members in kinds.values() if len(members) > 1]
        for members in self.classes:
            for a, b in itertools.pairwise(members):
                m.add(self.y[a] >= self.y[b])
        self.slots_used = cp_model.LinearExpr.sum(self.y)
        m.add(self.slots_used >= lb)
        m.minimize(self.slots_used)

    def fix_used(self, count: int) -> None:
        self.m.add(self.slots_used <= count)

    def hint(self, sol: Solution) -> None:
        """The whole solution as the search's hint (written to the proto at once: the
        per-variable call costs half a second on a 400-household convoy)."""
        self.m.clear_hints()
        used = sol.used()
        owner = {si: fi for fi, mine in sol.dedicated.items() for si in mine}
        pairs: list[tuple[cp_model.IntVar, bool]] = []
        for si, var in enumerate(self.y):
            pairs.append((var, si in used))
            if self.z is not self.y:
                pairs.append((self.z[si], si in used and si not in owner))
        pairs.extend((var, sol.assign.get(fi) == si) for (fi, si), var in self.x.items())
        pairs.extend((var, owner.get(si) == fi) for (fi, si), var in self.d.items())
        pairs.extend((var, sol.luggage.get(fi) == si) for (fi, si), var in self.bag.items())
        hint = self.m.proto.solution_hint
        hint.vars.extend(var.index for var, _value in pairs)
        hint.values.extend(int(value) for _var, value in pairs)

    def solve(
        self, seconds: float, workers: int, *, moves: bool = False
    ) -> tuple[Any, Solution | None, int]:
        if moves:
            terms = []
            for fi, si in self.ctx.current.items():
                if fi in self.ctx.pinned:
                    continue
                var = (self.d if fi in self.ctx.oversize else self.x).get((fi, si))
                terms.append(1 - var if var is not None else 1)
            self.m.minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = max(1, workers)
        solver.parameters.random_seed = 7
        if len(self.m.proto.variables) > 10_000:
            # probing a model this size takes seconds: spend them searching instead
            solver.parameters.cp_model_probing_level = 0
        status = solver.solve(self.m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None, 0
        values = list(solver.response_proto.solution)
        sol = Solution()
        for (fi, si), var in self.x.items():
            if values[var.index]:
                sol.assign[fi] = si
        for (fi, si), var in self.d.items():
            if values[var.index]:
                sol.dedicated.setdefault(fi, []).append(si)
        for (fi, si), var in self.bag.items():
            if values[var.index]:
                sol.luggage[fi] = si
        bound = 0 if moves else math.ceil(solver.best_objective_bound - 1e-6)
        return status, sol, bound


def canonical(sol: Solution, classes: list[list[int]]) -> Solution:
    """The same placements with identical slots used in order (the model's symmetry
    breaking): within each class, the used members' contents move to its first members."""
    used = sol.used()
    rename: dict[int, int] = {}
    for members in classes:
        taken = [si for si in members if si in used]
        rename.update(zip(taken, members[: len(taken)], strict=True))
    if all(a == b for a, b in rename.items()):
        return sol

    def r(si: int) -> int:
        return rename.get(si, si)

    return Solution(
        assign={fi: r(si) for fi, si in sol.assign.items()},
        luggage={fi: r(si) for fi, si in sol.luggage.items()},
        dedicated={fi: [r(si) for si in mine] for fi, mine in sol.dedicated.items()},
    )

"""First-fit-decreasing placements: the CP-SAT model's hint and the fallback when the
solver finds nothing in time. Works on indices of the `Problem` (`solve.Ctx`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sanad.transport.planner.model import Ctx

UNUSED, SHARED = -2, -1  # `mode` of a slot; a family index when the slot is its own


@dataclass
class Solution:
    """Placements by index: family → slot, family → luggage slot, family → own slots."""

    assign: dict[int, int] = field(default_factory=dict)
    luggage: dict[int, int] = field(default_factory=dict)
    dedicated: dict[int, list[int]] = field(default_factory=dict)

    def used(self) -> set[int]:
        out = set(self.assign.values()) | set(self.luggage.values())
        for own in self.dedicated.values():
            out.update(own)
        return out

    def moved(self, current: dict[int, int]) -> int:
        count = 0
        for fi, si in current.items():
            where = self.dedicated.get(fi) or [self.assign.get(fi, -1)]
            count += si not in where
        return count


class _State:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.seats = [s.seats for s in ctx.slots]
        self.wheelchairs = [s.wheelchairs for s in ctx.slots]
        self.stretchers = [s.stretchers for s in ctx.slots]
        self.room = [s.luggage for s in ctx.slots]
        self.mode = [UNUSED] * len(ctx.slots)
        self.opened: list[int] = []
        self.sol = Solution()

    def fits(self, fi: int, si: int) -> bool:
        f = self.ctx.families[fi]
        return (
            self.mode[si] in (UNUSED, SHARED)
            and f.seats <= self.seats[si]
            and f.wheelchairs <= self.wheelchairs[si]
            and f.stretchers <= self.stretchers[si]
            and (not f.needs_escort or self.ctx.slots[si].has_escort)
        )

    def _open(self, si: int, mode: int) -> None:
        if self.mode[si] == UNUSED:
            self.opened.append(si)
        self.mode[si] = mode

    def put(self, fi: int, si: int) -> None:
        f = self.ctx.families[fi]
        self.seats[si] -= f.seats
        self.wheelchairs[si] -= f.wheelchairs
        self.stretchers[si] -= f.stretchers
        self._open(si, SHARED)
        self.sol.assign[fi] = si

    def reserve(self, fi: int, si: int) -> None:
        self._open(si, fi)
        self.sol.dedicated.setdefault(fi, []).append(si)

    def load(self, fi: int, si: int) -> None:
        self.room[si] -= self.ctx.families[fi].luggage
        if self.mode[si] == UNUSED:
            self._open(si, SHARED)
        self.sol.luggage[fi] = si

    def can_load(self, fi: int, si: int) -> bool:
        return self.mode[si] in (UNUSED, SHARED, fi) and self.room[si] >= (
            self.ctx.families[fi].luggage
        )


def greedy(ctx: Ctx, *, keep_current: bool) -> Solution | None:
    """Pinned placements first, families with slots of their own next, then (with
    `keep_current`) every family that still fits its current slot, then the rest by
    decreasing difficulty (escort, stretchers, wheelchairs, seats) into the first open
    slot that takes them, opening the largest fitting slot when none does; luggage last,
    largest first: its own slot, else the first used slot with room, else the unused
    slot with the most luggage capacity. None when something cannot be placed."""
    st = _State(ctx)
    for fi, si in ctx.pinned.items():
        if fi in ctx.oversize:
            st.reserve(fi, si)
        else:
            st.put(fi, si)
    for fi in ctx.oversize:
        if not _reserve(st, fi):
            return None
    todo = [fi for fi in ctx.normal if fi not in ctx.pinned]
    if keep_current:
        rest = []
        for fi in todo:
            cur = ctx.current.get(fi)
            if cur is not None and cur in ctx.eligible_set[fi] and st.fits(fi, cur):
                st.put(fi, cur)
            else:
                rest.append(fi)
        todo = rest
    todo.sort(key=lambda fi: _difficulty(ctx, fi), reverse=True)
    for fi in todo:
        found = _best_open(st, fi)
        if found is None:
            found = _new_slot(st, fi)
            if found is None:
                return None
        st.put(fi, found)
    for fi, si in ctx.pinned_luggage.items():
        st.load(fi, si)
    bags = [
        fi for fi, f in enumerate(ctx.families) if f.luggage > 0 and fi not in ctx.pinned_luggage
    ]
    bags.sort(key=lambda fi: ctx.families[fi].luggage, reverse=True)
    for fi in bags:
        own = st.sol.dedicated.get(fi) or [st.sol.assign[fi]]
        where = next((s for s in own if st.can_load(fi, s)), None)
        if where is None:
            where = next(
                (s for s in st.opened if st.mode[s] == SHARED and st.can_load(fi, s)), None
            )
        if where is None:
            free = [s for s in range(len(ctx.slots)) if st.mode[s] == UNUSED and st.can_load(fi, s)]
            if not free:
                return None
            where = max(free, key=lambda s: (ctx.slots[s].luggage, -ctx.slots[s].seats))
        st.load(fi, where)
    return st.sol


def _difficulty(ctx: Ctx, fi: int) -> tuple[int, ...]:
    """Scarcest first: stretcher places, then wheelchair places, then escorts, then seats."""
    f = ctx.families[fi]
    return (f.stretchers, f.wheelchairs, int(f.needs_escort), f.seats, f.luggage)


def _best_open(st: _State, fi: int) -> int | None:
    """The open slot the family fits best (fewest seats left), keeping wheelchair and
    stretcher places for those who need them."""
    f = st.ctx.families[fi]
    best, best_key = None, None
    for si in st.opened:
        if not st.fits(fi, si):
            continue
        key = (
            (st.wheelchairs[si] > 0 and not f.wheelchairs)
            + (st.stretchers[si] > 0 and not f.stretchers),
            st.seats[si] - f.seats,
        )
        if best_key is None or key < best_key:
            best, best_key = si, key
    return best


def _new_slot(st: _State, fi: int) -> int | None:
    f = st.ctx.families[fi]
    free = [s for s in st.ctx.eligible[fi] if st.mode[s] == UNUSED]
    if not free:
        return None

    def key(si: int) -> tuple[int, int, int]:
        s = st.ctx.slots[si]
        waste = (
            (s.wheelchairs > 0 and not f.wheelchairs)
            + (s.stretchers > 0 and not f.stretchers)
            + (s.has_escort and not f.needs_escort)
        )
        return (s.seats, -waste, s.luggage)

    return max(free, key=key)


def _reserve(st: _State, fi: int) -> bool:
    """The fewest unused slots whose capacities together hold family `fi` (greedy: the
    slot covering most of what is still missing, wheelchair and stretcher places first)."""
    f = st.ctx.families[fi]
    mine = st.sol.dedicated.get(fi, [])
    need = [
        f.seats - sum(st.ctx.slots[s].seats for s in mine),
        f.wheelchairs - sum(st.ctx.slots[s].wheelchairs for s in mine),
        f.stretchers - sum(st.ctx.slots[s].stretchers for s in mine),
    ]
    big = 1000
    while max(need) > 0:
        free = [s for s in st.ctx.own_candidates[fi] if st.mode[s] == UNUSED]
        if not free:
            return False

        def gain(si: int, need: list[int] = need) -> int:
            s = st.ctx.slots[si]
            return (
                min(max(need[0], 0), s.seats)
                + big * min(max(need[1], 0), s.wheelchairs)
                + big * min(max(need[2], 0), s.stretchers)
            )

        si = max(free, key=gain)
        if gain(si) == 0:
            return False
        s = st.ctx.slots[si]
        need = [need[0] - s.seats, need[1] - s.wheelchairs, need[2] - s.stretchers]
        st.reserve(fi, si)
    return True

"""`plan()`: checks that explain an impossible convoy in one
sentence, a greedy hint, then a CP-SAT model solved in two phases (fewest slots, then —
with current placements — fewest families moved)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _
from ortools.sat.python import cp_model

from sanad.transport.planner.bounds import Totals, resource_bounds
from sanad.transport.planner.check import check
from sanad.transport.planner.greedy import Solution, greedy
from sanad.transport.planner.model import Ctx, Model, canonical, fits
from sanad.transport.planner.types import Family, Label, Plan, PlanError, Problem, Slot

OVERSIZE_POLICIES = ("refuse", "own_vehicles")


# --- plan() -----------------------------------------------------------------------------------


def plan(
    families: Iterable[Family],
    slots: Iterable[Slot],
    *,
    oversize: str = "refuse",
    current: Mapping[Any, Any] | None = None,
    pinned: Mapping[Any, Any] | Collection[Any] | None = None,
    pinned_luggage: Mapping[Any, Any] | None = None,
    time_limit: float = 4.0,
    workers: int = 2,
    label: Label = str,
    slot_label: Label = str,
) -> Plan:
    """Place every family in a slot (see the package docstring for the rules).

    `current`: family key → slot key it is in now (moves are minimised after slots).
    `pinned`: family key → slot key fixed by hand, or a collection of family keys whose
    `current` slot is fixed; `pinned_luggage`: family key → slot carrying its luggage,
    for pinned families. `time_limit` (seconds, wall time in all) and `workers` (CP-SAT
    threads). `label`/`slot_label` name families and slots in messages. Raises
    `PlanError` (see its codes) when no plan exists or none was found in time."""
    started = time.perf_counter()
    fams, sl = list(families), list(slots)
    _validate(fams, sl, oversize)
    if not fams:
        return Plan(seconds=time.perf_counter() - started)
    fidx = {f.key: i for i, f in enumerate(fams)}
    sidx = {s.key: i for i, s in enumerate(sl)}
    pins, pin_bags = _pins(fams, fidx, sidx, current, pinned, pinned_luggage, label, slot_label)

    _explain_shortage(fams, sl, label)
    eligible = [[si for si, s in enumerate(sl) if fits(f, s)] for f in fams]
    big = [fi for fi, el in enumerate(eligible) if not el]
    if big and oversize == "refuse":
        raise _too_large(fams, sl, big, label)
    ctx = Ctx(
        families=fams,
        slots=sl,
        oversize=big,
        normal=[fi for fi, el in enumerate(eligible) if el],
        eligible=eligible,
        eligible_set=[set(el) for el in eligible],
        own_candidates={
            fi: [
                si
                for si, s in enumerate(sl)
                if (s.seats or s.wheelchairs or s.stretchers)
                and (s.has_escort or not fams[fi].needs_escort)
            ]
            for fi in big
        },
        current={fidx[k]: sidx[v] for k, v in (current or {}).items() if k in fidx and v in sidx},
        pinned=pins,
        pinned_luggage=pin_bags,
    )
    _check_pins(ctx, label, slot_label)
    bounds = resource_bounds(fams, sl)
    lb = bounds["combined"]

    candidates = [s for s in (greedy(ctx, keep_current=False), greedy(ctx, keep_current=True)) if s]
    hint = min(candidates, key=lambda s: (len(s.used()), s.moved(ctx.current)), default=None)
    movable = [fi for fi in ctx.current if fi not in ctx.pinned]
    if hint is not None and len(hint.used()) <= lb and not hint.moved(ctx.current):
        # the greedy placements reach the lower bound and move nobody: proven optimal
        _luggage_home(ctx, hint)
        return _answer(ctx, hint, lb, True, time.perf_counter() - started)
    model = Model(ctx, lb)
    if hint is not None:
        model.hint(canonical(hint, model.classes))

    remaining = time_limit - (time.perf_counter() - started)
    share = 0.6 if movable else 1.0
    status, best, bound = model.solve(max(0.05, remaining * share), workers)
    if status == cp_model.INFEASIBLE:
        raise _infeasible(bool(ctx.pinned))
    optimal = status == cp_model.OPTIMAL
    if best is None:  # nothing in time: the greedy placements, if any
        if hint is None:
            raise PlanError(
                _(
                    "No plan was found in %(seconds).0f seconds: try again with more time, or "
                    "add vehicles."
                )
                % {"seconds": time_limit},
                code="no_plan_in_time",
            )
        best, optimal = hint, len(hint.used()) <= lb and not hint.moved(ctx.current)
    elif movable and best.moved(ctx.current):
        model.fix_used(len(best.used()))
        model.hint(best)
        remaining = time_limit - (time.perf_counter() - started)
        if remaining > 0.05:
            status2, better, _bound2 = model.solve(remaining, workers, moves=True)
            if better is not None and better.moved(ctx.current) <= best.moved(ctx.current):
                best = better
            optimal = optimal and status2 == cp_model.OPTIMAL
        else:
            optimal = False
    else:
        optimal = optimal or len(best.used()) <= max(lb, bound)
    _luggage_home(ctx, best)
    return _answer(ctx, best, max(lb, bound), optimal, time.perf_counter() - started)


def _validate(fams: list[Family], sl: list[Slot], oversize: str) -> None:
    if oversize not in OVERSIZE_POLICIES:
        raise ValueError(f"oversize must be one of {OVERSIZE_POLICIES}, not {oversize!r}")
    if len({f.key for f in fams}) != len(fams) or len({s.key for s in sl}) != len(sl):
        raise ValueError("family and slot keys must be unique")
    items: list[Family | Slot] = [*fams, *sl]
    for item in items:
        if min(item.seats, item.wheelchairs, item.stretchers, item.luggage) < 0:
            raise ValueError(f"negative capacity or need in {item!r}")


def _pins(
    fams: list[Family],
    fidx: dict[Any, int],
    sidx: dict[Any, int],
    current: Mapping[Any, Any] | None,
    pinned: Mapping[Any, Any] | Collection[Any] | None,
    pinned_luggage: Mapping[Any, Any] | None,
    label: Label,
    slot_label: Label,
) -> tuple[dict[int, int], dict[int, int]]:
    if pinned is None:
        places: dict[Any, Any] = {}
    elif isinstance(pinned, Mapping):
        places = dict(pinned)
    else:
        places = {k: (current or {}).get(k) for k in pinned}
    pins, bags = {}, {}
    for key, slot_key in places.items():
        if key not in fidx:
            continue
        if slot_key not in sidx:
            raise PlanError(
                _(
                    "Household %(family)s is placed by hand in vehicle %(vehicle)s, which is "
                    "not in the convoy: place it again or unpin it."
                )
                % {"family": label(key), "vehicle": slot_label(slot_key)},
                code="pinned_conflict",
                families=[key],
            )
        pins[fidx[key]] = sidx[slot_key]
        bag = (pinned_luggage or {}).get(key)
        if bag is not None and fams[fidx[key]].luggage > 0:
            if bag not in sidx:
                raise PlanError(
                    _(
                        "The luggage of household %(family)s is placed by hand in vehicle "
                        "%(vehicle)s, which is not in the convoy: place it again or unpin it."
                    )
                    % {"family": label(key), "vehicle": slot_label(bag)},
                    code="pinned_conflict",
                    families=[key],
                )
            bags[fidx[key]] = sidx[bag]
    return pins, bags


def _check_pins(ctx: Ctx, label: Label, slot_label: Label) -> None:
    """Pinned placements alone must keep every rule."""
    fams, sl = ctx.families, ctx.slots
    normal = {fi: si for fi, si in ctx.pinned.items() if fi not in ctx.oversize}
    owned: dict[int, list[int]] = defaultdict(list)
    for fi, si in ctx.pinned.items():
        if fi in ctx.oversize:
            owned[fi].append(si)
    problems = check(
        [
            replace(fams[fi], luggage=fams[fi].luggage if fi in ctx.pinned_luggage else 0)
            for fi in normal
        ],
        sl,
        {fams[fi].key: sl[si].key for fi, si in normal.items()},
        {fams[fi].key: sl[si].key for fi, si in ctx.pinned_luggage.items()},
        label=label,
        slot_label=slot_label,
    )
    strangers = set(normal.values()) | {
        si for fj, si in ctx.pinned_luggage.items() if fj not in ctx.oversize
    }
    for fi, mine in owned.items():
        for si in mine:
            if si in ctx.own_candidates[fi] and si not in strangers:
                continue
            problems.append(
                Problem(
                    "pinned_conflict",
                    sl[si].key,
                    (fams[fi].key,),
                    _(
                        "Household %(family)s is placed by hand in vehicle %(vehicle)s, which "
                        "cannot be reserved for it (another household or its luggage is there, "
                        "or the vehicle has no escort)."
                    )
                    % {"family": label(fams[fi].key), "vehicle": slot_label(sl[si].key)},
                )
            )
    if problems:
        raise PlanError(
            _("The placements made by hand break the rules: %(problems)s Unpin or move them.")
            % {"problems": " ".join(p.message for p in problems)},
            code="pinned_conflict",
            families=sorted({k for p in problems for k in p.families}, key=str),
            problems=problems,
        )


def _explain_shortage(fams: list[Family], sl: list[Slot], label: Label) -> None:
    """One sentence for a convoy that cannot take these families whatever the plan."""
    t = Totals.of(fams)
    esc = [s for s in sl if s.has_escort]
    escorted = [f.key for f in fams if f.needs_escort]
    checks: tuple[tuple[str, int, int, list[Any], str], ...] = (
        ("not_enough_seats", t.seats, sum(s.seats for s in sl), [],
         _("The households need %(need)d seats but the vehicles have %(have)d: add vehicles.")),
        ("not_enough_wheelchair", t.wheelchairs, sum(s.wheelchairs for s in sl),
         [f.key for f in fams if f.wheelchairs],
         _("The households have %(need)d wheelchair passengers but the vehicles have %(have)d "
           "wheelchair places: add a vehicle with wheelchair places.")),
        ("not_enough_stretcher", t.stretchers, sum(s.stretchers for s in sl),
         [f.key for f in fams if f.stretchers],
         _("The households have %(need)d stretcher passengers but the vehicles have %(have)d "
           "stretcher places: add an ambulance.")),
        ("not_enough_escort", t.escort_seats, sum(s.seats for s in esc), escorted,
         _("The households that need a medical escort (%(families)s) need %(need)d seats in "
           "vehicles with an escort, which have %(have)d: name an escort for more vehicles.")),
        ("not_enough_escort", t.escort_wheelchairs, sum(s.wheelchairs for s in esc), escorted,
         _("The households that need a medical escort (%(families)s) have %(need)d wheelchair "
           "passengers but the vehicles with an escort have %(have)d wheelchair places: name an "
           "escort for a vehicle with wheelchair places.")),
        ("not_enough_escort", t.escort_stretchers, sum(s.stretchers for s in esc), escorted,
         _("The households that need a medical escort (%(families)s) have %(need)d stretcher "
           "passengers but the vehicles with an escort have %(have)d stretcher places: name an "
           "escort for an ambulance.")),
        ("not_enough_luggage", t.luggage, sum(s.luggage for s in sl), [],
         _("The households have %(need_m3).2f m³ of luggage but the vehicles take "
           "%(have_m3).2f m³: add a luggage truck.")),
    )  # fmt: skip
    for code, need, have, keys, text in checks:
        if need > have:
            raise PlanError(
                text
                % {
                    "need": need,
                    "have": have,
                    "need_m3": need / 1000,
                    "have_m3": have / 1000,
                    "families": ", ".join(label(k) for k in keys),
                },
                code=code,
                families=keys,
            )
    room = max((s.luggage for s in sl), default=0)
    bulky = [f for f in fams if f.luggage > room]
    if bulky:
        raise PlanError(
            _(
                "The luggage of household(s) %(families)s does not fit in any vehicle (the "
                "largest takes %(have_m3).2f m³): add a larger luggage truck or reduce the "
                "luggage."
            )
            % {"families": ", ".join(label(f.key) for f in bulky), "have_m3": room / 1000},
            code="not_enough_luggage",
            families=[f.key for f in bulky],
        )


def _too_large(fams: list[Family], sl: list[Slot], big: list[int], label: Label) -> PlanError:
    sentences = []
    for fi in big:
        f = fams[fi]
        pool = [s for s in sl if s.has_escort] if f.needs_escort else sl
        seats = max((s.seats for s in pool), default=0)
        names = {"family": label(f.key), "size": f.people, "seats": seats}
        if f.seats > seats:
            text = (
                _(
                    "Household %(family)s has %(size)d people and needs %(need)d seats in one "
                    "vehicle with a medical escort, but the largest such vehicle has %(seats)d."
                )
                if f.needs_escort
                else _(
                    "Household %(family)s has %(size)d people and needs %(need)d seats in one "
                    "vehicle, but the largest vehicle has %(seats)d."
                )
            )
            names["need"] = f.seats
        else:
            text = _(
                "No single vehicle can take household %(family)s (%(size)d people: %(seats)d "
                "seats, %(wheelchairs)d wheelchair and %(stretchers)d stretcher places)."
            )
            names.update(seats=f.seats, wheelchairs=f.wheelchairs, stretchers=f.stretchers)
        sentences.append(text % names)
    sentences.append(
        _(
            "Families are never split: add a larger vehicle, or choose the policy that gives "
            "such a family vehicles of its own."
        )
    )
    return PlanError(
        " ".join(sentences), code="family_too_large", families=[fams[i].key for i in big]
    )


def _infeasible(pinned: bool) -> PlanError:
    if pinned:
        return PlanError(
            _(
                "The households cannot all be placed without splitting a family while keeping "
                "the placements made by hand: unpin some households, or add vehicles."
            ),
            code="infeasible",
        )
    return PlanError(
        _(
            "The households cannot all be placed without splitting a family (seats, wheelchair "
            "and stretcher places, escorts and luggage together do not allow it): add vehicles "
            "or an escort."
        ),
        code="infeasible",
    )


def _luggage_home(ctx: Ctx, sol: Solution) -> None:
    """Luggage rides with its family whenever its family's slot has room left (never
    uses a slot more; may free one)."""
    room = [s.luggage for s in ctx.slots]
    for fi, si in sol.luggage.items():
        room[si] -= ctx.families[fi].luggage
    for fi, si in sorted(sol.luggage.items(), key=lambda kv: -ctx.families[kv[0]].luggage):
        if fi in ctx.pinned_luggage:
            continue
        own = sol.dedicated.get(fi) or [sol.assign[fi]]
        if si in own:
            continue
        home = next((o for o in own if room[o] >= ctx.families[fi].luggage), None)
        if home is not None:
            room[si] += ctx.families[fi].luggage
            room[home] -= ctx.families[fi].luggage
            sol.luggage[fi] = home


def _answer(ctx: Ctx, sol: Solution, bound: int, optimal: bool, seconds: float) -> Plan:
    fams, sl = ctx.families, ctx.slots
    dedicated = {}
    assignment = {}
    for fi, mine in sol.dedicated.items():
        cur = ctx.current.get(fi)
        mine = sorted(mine, key=lambda si: (si != cur, si))
        dedicated[fams[fi].key] = [sl[si].key for si in mine]
        assignment[fams[fi].key] = sl[mine[0]].key
    for fi, si in sol.assign.items():
        assignment[fams[fi].key] = sl[si].key
    luggage = {}
    for fi, f in enumerate(fams):
        bag = sol.luggage.get(fi)
        luggage[f.key] = sl[bag].key if bag is not None else assignment[f.key]
    used = sol.used()
    return Plan(
        assignment=assignment,
        luggage=luggage,
        dedicated=dedicated,
        used=[s.key for si, s in enumerate(sl) if si in used],
        lower_bound=bound,
        status="optimal" if optimal else "feasible",
        seconds=seconds,
        moved=sol.moved(ctx.current),
    )

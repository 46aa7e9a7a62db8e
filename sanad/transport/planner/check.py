"""`check()`: every rule a set of placements breaks, for manual adjustments and the board."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from sanad.transport.planner.types import Family, Label, Problem, Slot


def _names(keys: Iterable[Any], label: Label) -> str:
    return ", ".join(label(k) for k in keys)


def check(
    families: Iterable[Family],
    slots: Iterable[Slot],
    assignment: Mapping[Any, Any],
    luggage: Mapping[Any, Any],
    *,
    dedicated: Mapping[Any, Iterable[Any]] | None = None,
    label: Label = str,
    slot_label: Label = str,
) -> list[Problem]:
    """Every violation of the placements `assignment` (family key → slot key) and
    `luggage` (family key → slot key carrying its luggage; a family missing there
    carries its luggage in its own slot). `dedicated` (family key → its own slots) checks
    families given slots of their own: their needs against the sum of those slots, and
    that nobody else rides or loads luggage there. Codes: not_placed, unknown_vehicle,
    too_many_passengers, too_many_wheelchairs, too_many_stretchers, needs_escort,
    too_much_luggage, dedicated_shared, dedicated_too_small."""
    families = list(families)
    by_slot = {s.key: s for s in slots}
    own = {f: list(keys) for f, keys in (dedicated or {}).items()}
    owner = {s: f for f, keys in own.items() for s in keys}
    problems: list[Problem] = []
    riders: dict[Any, list[Family]] = defaultdict(list)
    loads: dict[Any, list[tuple[Family, int]]] = defaultdict(list)

    for f in families:
        if f.key in own:
            slot_keys = own[f.key]
            unknown = [k for k in slot_keys if k not in by_slot]
            if unknown or not slot_keys:
                problems.append(_unknown(f, unknown[0] if unknown else None, label, slot_label))
                continue
            problems.extend(_check_dedicated(f, [by_slot[k] for k in slot_keys], label))
        else:
            slot_key = assignment.get(f.key)
            if slot_key is None:
                problems.append(
                    Problem(
                        "not_placed",
                        None,
                        (f.key,),
                        _("Household %(family)s is not placed in any vehicle: place it.")
                        % {"family": label(f.key)},
                    )
                )
                continue
            if slot_key not in by_slot:
                problems.append(_unknown(f, slot_key, label, slot_label))
                continue
            riders[slot_key].append(f)
        if f.luggage > 0:
            default = own[f.key][0] if f.key in own else assignment.get(f.key)
            where = luggage.get(f.key) or default
            if where not in by_slot:
                problems.append(_unknown(f, where, label, slot_label))
                continue
            loads[where].append((f, f.luggage))

    for slot_key, fams in riders.items():
        slot = by_slot[slot_key]
        problems.extend(_check_slot(slot, fams, label, slot_label))
        if slot_key in owner:
            keys = (owner[slot_key], *(f.key for f in fams))
            problems.append(
                Problem(
                    "dedicated_shared",
                    slot_key,
                    keys,
                    _(
                        "Vehicle %(vehicle)s is reserved for household %(owner)s alone, but "
                        "household(s) %(families)s are placed in it: move them to another vehicle."
                    )
                    % {
                        "vehicle": slot_label(slot_key),
                        "owner": label(owner[slot_key]),
                        "families": _names((f.key for f in fams), label),
                    },
                )
            )

    for slot_key, items in loads.items():
        slot = by_slot[slot_key]
        total = sum(litres for _f, litres in items)
        if total > slot.luggage:
            problems.append(
                Problem(
                    "too_much_luggage",
                    slot_key,
                    tuple(f.key for f, _l in items),
                    _(
                        "Vehicle %(vehicle)s carries %(load).2f m³ of luggage but takes "
                        "%(capacity).2f m³ (households %(families)s): move some luggage to "
                        "another vehicle or add a luggage truck."
                    )
                    % {
                        "vehicle": slot_label(slot_key),
                        "load": total / 1000,
                        "capacity": slot.luggage / 1000,
                        "families": _names((f.key for f, _l in items), label),
                    },
                )
            )
        strangers = [f.key for f, _l in items if slot_key in owner and f.key != owner[slot_key]]
        if strangers:
            problems.append(
                Problem(
                    "dedicated_shared",
                    slot_key,
                    (owner[slot_key], *strangers),
                    _(
                        "Vehicle %(vehicle)s is reserved for household %(owner)s alone, but it "
                        "carries the luggage of %(families)s: move that luggage to another vehicle."
                    )
                    % {
                        "vehicle": slot_label(slot_key),
                        "owner": label(owner[slot_key]),
                        "families": _names(strangers, label),
                    },
                )
            )
    return problems


def _unknown(f: Family, slot_key: Any, label: Label, slot_label: Label) -> Problem:
    return Problem(
        "unknown_vehicle",
        slot_key,
        (f.key,),
        _(
            "Household %(family)s is placed in vehicle %(vehicle)s, which is not in the "
            "convoy: place it in one of the convoy's vehicles."
        )
        % {"family": label(f.key), "vehicle": slot_label(slot_key)},
    )


def _check_slot(slot: Slot, fams: list[Family], label: Label, slot_label: Label) -> list[Problem]:
    problems = []
    keys = tuple(f.key for f in fams)
    names = _names(keys, label)
    vehicle = slot_label(slot.key)
    seats = sum(f.seats for f in fams)
    if seats > slot.seats:
        problems.append(
            Problem(
                "too_many_passengers",
                slot.key,
                keys,
                _(
                    "Vehicle %(vehicle)s has %(capacity)d passenger seats but %(count)d "
                    "passengers need a seat in it (households %(families)s): move a household "
                    "to another vehicle."
                )
                % {"vehicle": vehicle, "capacity": slot.seats, "count": seats, "families": names},
            )
        )
    wheelchairs = sum(f.wheelchairs for f in fams)
    if wheelchairs > slot.wheelchairs:
        problems.append(
            Problem(
                "too_many_wheelchairs",
                slot.key,
                tuple(f.key for f in fams if f.wheelchairs),
                _(
                    "Vehicle %(vehicle)s has %(capacity)d wheelchair places but %(count)d "
                    "wheelchair passengers are placed in it: move a household with a wheelchair "
                    "passenger to a vehicle with a free wheelchair place."
                )
                % {"vehicle": vehicle, "capacity": slot.wheelchairs, "count": wheelchairs},
            )
        )
    stretchers = sum(f.stretchers for f in fams)
    if stretchers > slot.stretchers:
        problems.append(
            Problem(
                "too_many_stretchers",
                slot.key,
                tuple(f.key for f in fams if f.stretchers),
                _(
                    "Vehicle %(vehicle)s has %(capacity)d stretcher places but %(count)d "
                    "stretcher passengers are placed in it: move a household with a stretcher "
                    "passenger to a vehicle with a free stretcher place."
                )
                % {"vehicle": vehicle, "capacity": slot.stretchers, "count": stretchers},
            )
        )
    if not slot.has_escort:
        escorted = tuple(f.key for f in fams if f.needs_escort)
        if escorted:
            problems.append(
                Problem(
                    "needs_escort",
                    slot.key,
                    escorted,
                    _(
                        "Household(s) %(families)s need a medical escort but vehicle "
                        "%(vehicle)s has none: move them, with their whole family, to a vehicle "
                        "with an escort, or name an escort for this vehicle."
                    )
                    % {"vehicle": vehicle, "families": _names(escorted, label)},
                )
            )
    return problems


def _check_dedicated(f: Family, mine: list[Slot], label: Label) -> list[Problem]:
    problems = []
    short = (
        sum(s.seats for s in mine) < f.seats
        or sum(s.wheelchairs for s in mine) < f.wheelchairs
        or sum(s.stretchers for s in mine) < f.stretchers
    )
    if short:
        problems.append(
            Problem(
                "dedicated_too_small",
                mine[0].key,
                (f.key,),
                _(
                    "The vehicles reserved for household %(family)s do not have enough seats, "
                    "wheelchair or stretcher places for its %(count)d passengers: add a vehicle "
                    "to those reserved for it."
                )
                % {"family": label(f.key), "count": f.people},
            )
        )
    if f.needs_escort and not all(s.has_escort for s in mine):
        problems.append(
            Problem(
                "needs_escort",
                next(s.key for s in mine if not s.has_escort),
                (f.key,),
                _(
                    "Household %(family)s needs a medical escort in each of its vehicles: name "
                    "an escort for every vehicle reserved for it."
                )
                % {"family": label(f.key)},
            )
        )
    return problems

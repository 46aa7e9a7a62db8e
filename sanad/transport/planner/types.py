"""The planner's input and output types and its error."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sanad.core.errors import Conflict

Label = Callable[[Any], str]


@dataclass(frozen=True)
class Family:
    """A household to place: `seats` passengers who sit, `wheelchairs` and `stretchers`
    passengers who take such a place instead of a seat, `needs_escort` when any passenger
    needs a medical escort (the whole family rides with the escort), `luggage` in litres."""

    key: Any
    seats: int
    wheelchairs: int = 0
    stretchers: int = 0
    needs_escort: bool = False
    luggage: int = 0

    @property
    def people(self) -> int:
        return self.seats + self.wheelchairs + self.stretchers


@dataclass(frozen=True)
class Slot:
    """A vehicle of the convoy: passenger `seats` (already net of the escort's seat),
    wheelchair and stretcher places, luggage capacity in litres, and whether a medical
    escort rides in it."""

    key: Any
    seats: int
    wheelchairs: int = 0
    stretchers: int = 0
    luggage: int = 0
    has_escort: bool = False


@dataclass
class Plan:
    """The answer of `plan()`.

    - `assignment`: family key → slot key (a family with slots of its own: the first of
      them — its current slot first when it has one);
    - `luggage`: family key → slot key carrying its luggage (a family without luggage:
      its own slot);
    - `dedicated`: family key → the slots given to it alone (oversize="own_vehicles");
    - `used`: slot keys used, in the order of the slots given;
    - `lower_bound`: no plan can use fewer slots;
    - `status`: "optimal" (proven: no plan uses fewer slots, nor — with `current` —
      moves fewer families) or "feasible";
    - `seconds`: wall time spent; `moved`: families not in their `current` slot."""

    assignment: dict[Any, Any] = field(default_factory=dict)
    luggage: dict[Any, Any] = field(default_factory=dict)
    dedicated: dict[Any, list[Any]] = field(default_factory=dict)
    used: list[Any] = field(default_factory=list)
    lower_bound: int = 0
    status: str = "optimal"
    seconds: float = 0.0
    moved: int = 0


@dataclass(frozen=True)
class Problem:
    """A rule a placement breaks (`check()`): `code`, the slot key (None when the
    problem is not one slot's), the family keys involved, and a translated sentence that
    says what to fix."""

    code: str
    slot: Any
    families: tuple[Any, ...]
    message: str


class PlanError(Conflict):
    """No plan: `code` says why (family_too_large, pinned_conflict, not_enough_seats,
    not_enough_escort, not_enough_wheelchair, not_enough_stretcher, not_enough_luggage,
    infeasible, no_plan_in_time), `message` is a translated sentence naming the families
    (through `label`) and saying what to fix, `families` holds their keys and `problems`
    the `Problem`s behind a pinned_conflict."""

    code = "plan_failed"

    def __init__(
        self,
        message: Any,
        *,
        code: str,
        families: Iterable[Any] = (),
        problems: Iterable[Problem] = (),
    ) -> None:
        super().__init__(message, code=code)
        self.families: list[Any] = list(families)
        self.problems: list[Problem] = list(problems)

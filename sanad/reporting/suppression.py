"""Small-cell suppression: in anything shared outside the mission (exports marked
shared, everything a donor viewer sees), a count from 1 to SANAD_REPORTING_MIN_CELL - 1
is not shown, so that nobody can be singled out from a small number ("2 women with a
disability in Sumel"). Zero is shown: it identifies nobody.

Secondary suppression: when one of a pair that adds up to a shown total is suppressed
(female/male of people reached), the other is suppressed too, or it would give the
suppressed one away by subtraction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sanad.accounts.roles import Role

SUPPRESSED = None  # what a suppressed count becomes (an empty cell, "–" on a page)
# Roles whose holders are inside the mission; anyone else who sees aggregates is outside.
_INSIDE = frozenset(r.value for r in Role) - {Role.DONOR_VIEWER.value}


def threshold() -> int:
    return max(0, int(getattr(settings, "SANAD_REPORTING_MIN_CELL", 5)))


def is_small(n: Any, *, min_cell: int | None = None) -> bool:
    limit = threshold() if min_cell is None else min_cell
    return isinstance(n, int) and 0 < n < limit


def suppress(n: Any, *, min_cell: int | None = None) -> Any:
    """`n`, or None when it is a small count (1 … min_cell - 1)."""
    return SUPPRESSED if is_small(n, min_cell=min_cell) else n


def suppress_pair(a: Any, b: Any, *, min_cell: int | None = None) -> tuple[Any, Any]:
    """Two counts that add up to a shown total: if either is small, both go."""
    if is_small(a, min_cell=min_cell) or is_small(b, min_cell=min_cell):
        return SUPPRESSED, SUPPRESSED
    return a, b


def suppress_figures(figures: dict[str, Any], *, min_cell: int | None = None) -> dict[str, Any]:
    """A copy of `Figures.as_dict()` with small counts suppressed (money, quantities and
    numbers of deliveries are not counts of people and stay)."""
    out = dict(figures)
    for key in ("people", "households", "with_disability", "children"):
        out[key] = suppress(out.get(key), min_cell=min_cell)
    out["female"], out["male"] = suppress_pair(
        figures.get("female"), figures.get("male"), min_cell=min_cell
    )
    for key in ("by_age", "with_disability_by_sex"):
        if isinstance(figures.get(key), dict):
            out[key] = {k: suppress(v, min_cell=min_cell) for k, v in figures[key].items()}
    for key in ("by_sex_and_age", "disability_by_sex_and_age"):
        if isinstance(figures.get(key), dict):
            out[key] = {
                sex: {k: suppress(v, min_cell=min_cell) for k, v in groups.items()}
                for sex, groups in figures[key].items()
            }
    out["suppressed_below"] = threshold() if min_cell is None else min_cell
    return out


def outside_mission(user: Any) -> bool:
    """Whether what `user` sees is shared outside the mission: a donor viewer, or
    anyone whose every role is outside (`_INSIDE`)."""
    roles = set(user.roles()) if hasattr(user, "roles") else set()
    if getattr(user, "is_superuser", False):
        return False
    return not (roles & _INSIDE)

"""How participants' needs are ranked (pure: no database).

- method "votes": by the votes, most first;
- method "scores": by the mean of the groups' scores (1 to 5), highest first; a need
  without any score ranks last.

Equal values share a rank and the next rank skips (competition ranking: 1, 2, 2, 4);
each need gets a note saying how its rank was set, naming the needs it is tied with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

NOTE_LIMIT = 300
NAMES_SHOWN = 3


@dataclass(frozen=True)
class Ranked:
    need: Any
    rank: int
    note: str


def mean_score(scores: Sequence[int]) -> Fraction | None:
    return Fraction(sum(scores), len(scores)) if scores else None


def shown_mean(value: Fraction) -> str:
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01")))


def _key(need: Any, method: str) -> Fraction | None:
    if method == "scores":
        return mean_score(list(need.scores or []))
    return Fraction(int(need.votes or 0))


def _value(key: Fraction, method: str, groups: int) -> str:
    if method == "scores":
        return ngettext(
            "a mean score of %(mean)s from %(n)d group",
            "a mean score of %(mean)s from %(n)d groups",
            groups,
        ) % {"mean": shown_mean(key), "n": groups}
    votes = int(key)
    return ngettext("%(n)d vote", "%(n)d votes", votes) % {"n": votes}


def _alone(key: Fraction, method: str, groups: int) -> str:
    if method == "scores":
        return ngettext(
            "Mean score %(mean)s from %(n)d group.",
            "Mean score %(mean)s from %(n)d groups.",
            groups,
        ) % {"mean": shown_mean(key), "n": groups}
    votes = int(key)
    return ngettext("%(n)d vote.", "%(n)d votes.", votes) % {"n": votes}


def _names(needs: Sequence[Any]) -> str:
    quoted = [f"“{str(n.description)[:60]}”" for n in needs[:NAMES_SHOWN]]
    if len(needs) > NAMES_SHOWN:
        quoted.append(
            ngettext("%(n)d other", "%(n)d others", len(needs) - NAMES_SHOWN)
            % {"n": len(needs) - NAMES_SHOWN}
        )
    if len(quoted) == 1:
        return quoted[0]
    return _("%(list)s and %(last)s") % {"list": ", ".join(quoted[:-1]), "last": quoted[-1]}


def rank_needs(needs: Sequence[Any], method: str) -> list[Ranked]:
    """The needs in rank order with their rank and note (ties in the order given)."""
    keyed = [(need, _key(need, method)) for need in needs]
    scored = sorted(
        ((n, k) for n, k in keyed if k is not None),
        key=lambda pair: -pair[1],  # type: ignore[operator]
    )
    unscored = [n for n, k in keyed if k is None]
    groups: list[tuple[Fraction, list[Any]]] = []
    for need, key in scored:
        assert key is not None
        if groups and groups[-1][0] == key:
            groups[-1][1].append(need)
        else:
            groups.append((key, [need]))
    out: list[Ranked] = []
    position = 1
    for key, members in groups:
        for need in members:
            value = _value(key, method, len(need.scores or []) if method == "scores" else 0)
            others = [m for m in members if m is not need]
            if others:
                note = _("Tied with %(names)s at %(value)s.") % {
                    "names": _names(others),
                    "value": value,
                }
            else:
                note = _alone(key, method, len(need.scores or []))
            out.append(Ranked(need, position, note[:NOTE_LIMIT]))
        position += len(members)
    for need in unscored:
        others = [n for n in unscored if n is not need]
        note = _("No score given: ranked last.")
        if others:
            note = _("No score given: ranked last, tied with %(names)s.") % {
                "names": _names(others)
            }
        out.append(Ranked(need, position, note[:NOTE_LIMIT]))
    return out

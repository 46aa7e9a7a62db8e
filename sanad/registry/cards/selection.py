"""Which households a card print covers: one household, a list of ids, or the result
of a search, always within what the user may print (`registry.print_cards`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.registry.cards.pdf import LAYOUTS, printable
from sanad.registry.models import Household
from sanad.registry.selectors import households_matching, households_visible_to

PRINT = "registry.print_cards"
MAX_CARDS = 5000  # one print run; more is a sign of a wrong search
# Merged households print as the household they were merged into; withdrawn ones not at all.
NOT_PRINTED = (Household.Status.MERGED, Household.Status.WITHDRAWN)
_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class Selection:
    queryset: QuerySet[Household]  # the households to print, with what a card needs
    count: int
    skipped: int = 0  # merged or withdrawn
    missing: list[str] = field(default_factory=list)  # ids not found in the user's reach

    @property
    def households(self) -> list[Household]:
        return list(self.queryset)


def households_printable_by(user: Any) -> QuerySet[Household]:
    return households_visible_to(user, PRINT)


def parse_ids(values: Iterable[str]) -> list[str]:
    """Registration ids or public ids, one per line or separated by commas or spaces."""
    out: list[str] = []
    for value in values:
        out.extend(t for t in _SPLIT.split(value or "") if t)
    return list(dict.fromkeys(out))


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        message = _("Choose the card size: A6 (4 per sheet) or A7 (8 per sheet).")
        raise ValidationFailed(message, fields={"layout": [message]})
    return layout


def select(*, user: Any, ids: Iterable[str] = (), query: str = "") -> Selection:
    """The households to print, in a stable order (registration id)."""
    ids = parse_ids(ids)
    query = (query or "").strip()
    base = households_printable_by(user)
    if not ids and not query:
        message = _("List the households to print (registration ids) or give a search.")
        raise ValidationFailed(message, fields={"households": [message]})
    missing: list[str] = []
    if ids:
        uuids, rids = [], []
        for token in ids:
            try:
                uuids.append(uuid.UUID(token))
            except ValueError:
                rids.append(token.upper())
        qs = base.filter(Q(public_id__in=uuids) | Q(registration_id__in=rids))
        found = list(qs.values_list("public_id", "registration_id"))
        known = {str(p) for p, _r in found} | {r for _p, r in found}
        missing = [t for t in ids if not {t, t.upper(), t.lower()} & known]
    else:
        qs = households_matching(base, query)
    total = qs.count()
    if total > MAX_CARDS:
        message = _(
            "%(n)d households match; print at most %(max)d cards at a time. Narrow the search."
        ) % {"n": total, "max": MAX_CARDS}
        raise ValidationFailed(message, fields={"households": [message]})
    skipped = qs.filter(status__in=NOT_PRINTED).count()
    return Selection(
        queryset=printable(qs.exclude(status__in=NOT_PRINTED).order_by("registration_id")),
        count=total - skipped,
        skipped=skipped,
        missing=missing,
    )

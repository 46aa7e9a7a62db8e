"""Unique people and households reached, with their disaggregation, read from the
summary of the ledger (`ReachCell`, see `sanad.reporting.models`).

    summary = reach(user=request.user, filters=Filters(start=…, end=…, governorate="IQG15"))
    summary.total()                       # Figures of everything the filters select
    summary.by("programme")               # {programme pk: Figures}
    summary.by("governorate", "month")    # {(governorate pk, month): Figures}

Counting rules (the same as `assistance.selectors.people_reached`):

- a person is one bit in a bitmap: reached by a kit, a voucher and a training, in three
  programmes and two governorates, they count once in the total and once in each group;
- records confirmed to be the same person when two households were merged
  (`Individual.duplicate_of`), and households merged into another, count once, as the
  record kept;
- sex, age group (`SANAD_REPORTING_AGE_GROUPS`, 0-5, 6-17, 18-59, 60+ by default) and
  disability are those recorded in the registry; ages on the last day of the period;
- periods are whole months (the summary is monthly): `start` is the first day of a
  month and `end` the last day of one.

The scope: what the user's assignments for aggregate figures (or for the ledger) reach,
by governorate and programme.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from pyroaring import BitMap

from sanad.assistance.models import AssistanceRecord
from sanad.core.scoping import scoped
from sanad.reporting.common import (
    add_months,
    age_groups,
    children_below,
    from_bytes,
    month_end,
    month_start,
)
from sanad.reporting.models import AGGREGATES, AttributeSet, ReachCell, SummaryState

LEDGER_VIEW = "assistance.view_assistance"
SEXES = ("female", "male")
# What `Summary.by()` can group by: the cell's column for each.
DIMENSIONS = {
    "programme": "programme_id",
    "project": "project_id",
    "activity": "activity_id",
    "kind": "kind",
    "item": "item",
    "unit": "unit",
    "governorate": "governorate_id",
    "district": "district_id",
    "admin_unit": "admin_unit_id",
    "place": "place_id",
    "month": "month",
}


@dataclass(frozen=True)
class Filters:
    """Which deliveries: every field left empty selects all."""

    start: datetime.date | None = None  # first day of a month
    end: datetime.date | None = None  # last day of a month
    governorate: str | None = None  # P-code
    district: str | None = None  # P-code
    place: int | None = None  # geo.Place pk
    programme: str | None = None  # programme code
    project: int | None = None  # programmes.Project pk
    activity: int | None = None
    kinds: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    unit: str | None = None

    def ages_on(self) -> datetime.date:
        return self.end or month_end(timezone.localdate())


@dataclass
class Figures:
    people: int = 0
    households: int = 0
    female: int = 0
    male: int = 0
    with_disability: int = 0
    children: int = 0
    by_age: dict[str, int] = field(default_factory=dict)
    by_sex_and_age: dict[str, dict[str, int]] = field(default_factory=dict)
    with_disability_by_sex: dict[str, int] = field(default_factory=dict)
    # {"female": {"0-5": n, …}, "male": {…}} of people with a disability
    disability_by_sex_and_age: dict[str, dict[str, int]] = field(default_factory=dict)
    records: int = 0
    quantity: Decimal = Decimal("0")
    value_usd: Decimal = Decimal("0")
    value_iqd: Decimal = Decimal("0")
    ages_on: datetime.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "households": self.households,
            "female": self.female,
            "male": self.male,
            "with_disability": self.with_disability,
            "children": self.children,
            "by_age": self.by_age,
            "by_sex_and_age": self.by_sex_and_age,
            "with_disability_by_sex": self.with_disability_by_sex,
            "disability_by_sex_and_age": self.disability_by_sex_and_age,
            "records": self.records,
            "quantity": str(self.quantity),
            "value_usd": str(self.value_usd),
            "value_iqd": str(self.value_iqd),
            "ages_on": self.ages_on.isoformat() if self.ages_on else None,
        }


# --- the registry's attributes, cached per process by the summary's version ------------------
@dataclass
class _Attributes:
    version: int
    sets: dict[str, BitMap]
    people_merged: BitMap
    people_map: dict[int, int]
    households_merged: BitMap
    households_map: dict[int, int]
    age_cache: dict[tuple[datetime.date, str], BitMap] = field(default_factory=dict)

    def born_between(self, first: datetime.date, last: datetime.date) -> BitMap:
        """People born in the months from `first`'s to `last`'s."""
        parts = []
        current = month_start(first)
        while current <= last:
            bm = self.sets.get(f"born:{current:%Y-%m}")
            if bm is not None:
                parts.append(bm)
            current = add_months(current, 1)
        return BitMap.union(*parts) if parts else BitMap()

    def age_group(self, on: datetime.date, label: str, low: int, high: int | None) -> BitMap:
        key = (on, label)
        cached = self.age_cache.get(key)
        if cached is not None:
            return cached
        # Aged at least `low` on the last day of `on`'s month ⇔ born in or before that
        # month `low` years earlier (exact because `on` is a month's last day).
        latest = add_months(month_start(on), -12 * low)
        if high is None:
            earliest = datetime.date(1850, 1, 1)
        else:
            earliest = add_months(month_start(on), -12 * (high + 1) + 1)
        bm = self.born_between(earliest, latest)
        self.age_cache[key] = bm
        return bm


_lock = threading.Lock()
_cache: dict[str, _Attributes] = {}


def _attributes() -> _Attributes:
    state = (
        SummaryState.objects.filter(key="summary")
        .values("version", "attributes_at", "merges")
        .first()
    )
    version = int(state["version"]) if state else 0
    stamp = f"{state['attributes_at'] if state else ''}"
    with _lock:
        current = _cache.get("a")
        if current is not None and getattr(current, "stamp", None) == stamp:
            return current
    sets = {
        name: from_bytes(data) for name, data in AttributeSet.objects.values_list("name", "members")
    }
    merges = (state or {}).get("merges") or {}
    people_map = {int(k): int(v) for k, v in (merges.get("people") or {}).items()}
    households_map = {int(k): int(v) for k, v in (merges.get("households") or {}).items()}
    attrs = _Attributes(
        version=version,
        sets=sets,
        people_merged=BitMap(people_map),
        people_map=people_map,
        households_merged=BitMap(households_map),
        households_map=households_map,
    )
    attrs.stamp = stamp  # type: ignore[attr-defined]
    with _lock:
        _cache["a"] = attrs
    return attrs


def _resolve(bits: BitMap, merged: BitMap, mapping: dict[int, int]) -> BitMap:
    if not mapping:
        return bits
    hit = bits & merged
    if not hit:
        return bits
    return (bits - merged) | BitMap(mapping[int(x)] for x in hit)


# --- cells ------------------------------------------------------------------------------------
def cells_for(*, user: Any = None, filters: Filters) -> QuerySet[ReachCell]:
    qs = ReachCell.objects.all()
    if user is not None:
        qs = scoped(qs, user, AGGREGATES) | scoped(qs, user, LEDGER_VIEW)
    f = filters
    if f.start:
        qs = qs.filter(month__gte=month_start(f.start))
    if f.end:
        qs = qs.filter(month__lte=month_start(f.end))
    if f.governorate:
        qs = qs.filter(governorate__pcode=f.governorate.strip().upper())
    if f.district:
        qs = qs.filter(district__pcode=f.district.strip().upper())
    if f.place:
        qs = qs.filter(place_id=f.place)
    if f.programme:
        qs = qs.filter(programme__code=f.programme)
    if f.project:
        qs = qs.filter(project_id=f.project)
    if f.activity:
        qs = qs.filter(activity_id=f.activity)
    if f.kinds:
        qs = qs.filter(kind__in=f.kinds)
    if f.items:
        qs = qs.filter(item__in=f.items)
    if f.unit is not None:
        qs = qs.filter(unit=f.unit)
    return qs


_COLUMNS = (
    "month",
    "programme_id",
    "project_id",
    "activity_id",
    "kind",
    "item",
    "unit",
    "governorate_id",
    "district_id",
    "admin_unit_id",
    "place_id",
    "records",
    "quantity",
    "value_usd",
    "value_iqd",
    "people",
    "households",
)


class Summary:
    """The cells a filter selects, loaded once; figures for the whole and by group."""

    def __init__(self, rows: list[tuple], filters: Filters, attributes: _Attributes) -> None:
        self.filters = filters
        self.attributes = attributes
        self.ages_on = filters.ages_on()
        self._rows = rows
        self._bitmaps: dict[int, tuple[BitMap, BitMap]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def _bits(self, i: int) -> tuple[BitMap, BitMap]:
        got = self._bitmaps.get(i)
        if got is None:
            row = self._rows[i]
            got = (from_bytes(row[-2]), from_bytes(row[-1]))
            self._bitmaps[i] = got
        return got

    def total(self) -> Figures:
        return self._figures(range(len(self._rows)))

    def by(self, *dimensions: str) -> dict[Any, Figures]:
        positions = [_COLUMNS.index(DIMENSIONS[d]) for d in dimensions]
        groups: dict[Any, list[int]] = {}
        for i, row in enumerate(self._rows):
            key = row[positions[0]] if len(positions) == 1 else tuple(row[p] for p in positions)
            groups.setdefault(key, []).append(i)
        return {key: self._figures(indexes) for key, indexes in groups.items()}

    def people_bits(self, indexes: Iterable[int] | None = None) -> BitMap:
        idx = range(len(self._rows)) if indexes is None else indexes
        bits = [self._bits(i)[0] for i in idx]
        union = BitMap.union(*bits) if bits else BitMap()
        a = self.attributes
        return _resolve(union, a.people_merged, a.people_map)

    def _figures(self, indexes: Iterable[int]) -> Figures:
        indexes = list(indexes)
        a = self.attributes
        people_parts, household_parts = [], []
        fig = Figures(ages_on=self.ages_on)
        for i in indexes:
            row = self._rows[i]
            fig.records += row[11]
            fig.quantity += row[12] or 0
            fig.value_usd += row[13] or 0
            fig.value_iqd += row[14] or 0
            p, h = self._bits(i)
            people_parts.append(p)
            household_parts.append(h)
        people = BitMap.union(*people_parts) if people_parts else BitMap()
        people = _resolve(people, a.people_merged, a.people_map)
        households = BitMap.union(*household_parts) if household_parts else BitMap()
        households = _resolve(households, a.households_merged, a.households_map)
        fig.people = len(people)
        fig.households = len(households)
        disability = a.sets.get("disability", BitMap())
        groups = age_groups()
        fig.by_age = {label: 0 for label, _l, _h in groups}
        children = 0
        for sex in SEXES:
            of_sex = people & a.sets.get(sex, BitMap())
            setattr(fig, sex, len(of_sex))
            with_disability = of_sex & disability
            fig.with_disability_by_sex[sex] = len(with_disability)
            fig.by_sex_and_age[sex] = {}
            fig.disability_by_sex_and_age[sex] = {}
            for label, low, high in groups:
                ages = a.age_group(self.ages_on, label, low, high)
                n = of_sex.intersection_cardinality(ages)
                fig.by_sex_and_age[sex][label] = n
                fig.disability_by_sex_and_age[sex][label] = (
                    with_disability.intersection_cardinality(ages)
                )
                fig.by_age[label] += n
            children += of_sex.intersection_cardinality(
                a.age_group(self.ages_on, f"<{children_below()}", 0, children_below() - 1)
            )
        fig.children = children
        fig.with_disability = sum(fig.with_disability_by_sex.values())
        return fig


def reach(*, user: Any = None, filters: Filters | None = None) -> Summary:
    """The summary of what `filters` select within `user`'s scope (see the module's
    docstring). Without a user: everything (commands, scheduled exports)."""
    filters = filters or Filters()
    rows = list(cells_for(user=user, filters=filters).values_list(*_COLUMNS))
    return Summary(rows, filters, _attributes())


def freshness() -> dict[str, Any]:
    """When the summary last read the ledger, and how many deliveries it has not read."""
    state = SummaryState.objects.filter(key="summary").first()
    counted = state.ledger_records if state else 0
    return {
        "refreshed_at": state.refreshed_at if state else None,
        "pending": max(0, AssistanceRecord.objects.count() - counted),
    }

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

At scale (benchmarks/bench_reporting.py: ten million deliveries, a million people) the
cost is in reading and deserialising the cells' bitmaps and in their unions: a process
keeps the bitmaps it read, month by month, while the month's summary is unchanged
(`_Bitmaps`), and a summary groups its cells once by programme × governorate × district
× place and makes the total and the coarser groupings from those groups (`Summary`).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
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
from sanad.reporting.models import AGGREGATES, AttributeSet, MonthState, ReachCell, SummaryState

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


def _summary_state() -> dict[str, Any]:
    """The summary's state (without the merges, read only when the attributes change)."""
    row = (
        SummaryState.objects.filter(key="summary")
        .values("version", "attributes_at", "refreshed_at")
        .first()
    )
    return dict(row) if row else {"version": 0, "attributes_at": None, "refreshed_at": None}


def _attributes(state: dict[str, Any] | None = None) -> _Attributes:
    state = state if state is not None else _summary_state()
    version = int(state["version"] or 0)
    stamp = f"{state['attributes_at'] or ''}"
    with _lock:
        current = _cache.get("a")
        if current is not None and getattr(current, "stamp", None) == stamp:
            return current
    sets = {
        name: from_bytes(data) for name, data in AttributeSet.objects.values_list("name", "members")
    }
    merges = (
        SummaryState.objects.filter(key="summary").values_list("merges", flat=True).first() or {}
    )
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


# A summary row: these columns; the bitmaps are deserialised (`BitMap`s).
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
_RECORDS, _QUANTITY, _USD, _IQD = 11, 12, 13, 14
# What is read of each cell: the columns but the bitmaps, and the cell's id (the cache's key).
_READ = (*_COLUMNS[:-2], "id")
_ID = len(_READ) - 1


# --- the cells' bitmaps, cached per process month by month --------------------------------
class _Bitmaps:
    """The deserialised bitmaps of cells, kept per month while the month's summary is
    unchanged (`MonthState`: a month refreshed again has another version and is read
    again), for the `MONTHS` months read last. A dashboard shown again reads no bitmap
    from the database, and after a refresh that changed only the current month, only
    that month's. The memory it takes grows with the ledger: about 8 MB a month for the
    benchmark's 420,000 deliveries a month to a million people."""

    MONTHS = 13  # the dashboards' default twelve months and one more

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # month → (version, {cell id: (people, households)}); most recently used last
        self.months: dict[datetime.date, tuple[tuple, dict[int, tuple[BitMap, BitMap]]]] = {}
        self.stamp: tuple | None = None
        self.month_versions: dict[datetime.date, tuple] = {}

    def versions(self, state: dict[str, Any]) -> dict[datetime.date, tuple]:
        """Every summarised month's version, read again only when the summary changed
        (its state's version and times: a refresh bumps the version for every month it
        changes)."""
        stamp = (state["version"], state["refreshed_at"], state["attributes_at"])
        with self.lock:
            if self.stamp == stamp:
                return self.month_versions
        versions = {
            m: (n, mx, at)
            for m, n, mx, at in MonthState.objects.values_list(
                "month", "records", "max_record_id", "refreshed_at"
            )
        }
        with self.lock:
            self.stamp, self.month_versions = stamp, versions
        return versions

    def holds(self, months: Iterable[datetime.date], versions: dict[datetime.date, tuple]) -> bool:
        """Whether any of `months` is cached as it is now."""
        with self.lock:
            return any(
                (cached := self.months.get(m)) is not None and cached[0] == versions.get(m)
                for m in months
            )

    def get(
        self, rows: list[tuple], versions: dict[datetime.date, tuple], cells: QuerySet[ReachCell]
    ) -> list[tuple[BitMap, BitMap]]:
        """The (people, households) bitmaps of each row (`_READ`), in order; those not
        cached are read again from `cells`, the query the rows came from, for the months
        they are in."""
        if not rows:
            return []
        found: dict[int, tuple[BitMap, BitMap]] = {}
        missing: set[int] = set()
        months: set[datetime.date] = set()
        with self.lock:
            for month in {row[0] for row in rows}:
                cached = self.months.get(month)
                if cached is not None and cached[0] == versions.get(month):
                    self.months[month] = self.months.pop(month)  # recently used
            for row in rows:
                cached = self.months.get(row[0])
                bits = None
                if cached is not None and cached[0] == versions.get(row[0]):
                    bits = cached[1].get(row[_ID])
                if bits is None:
                    missing.add(row[_ID])
                    months.add(row[0])
                else:
                    found[row[_ID]] = bits
        if missing:
            loaded = {}
            for pk, month, people, households in _binary_rows(
                cells.filter(month__in=months).values_list("id", "month", "people", "households")
            ):
                if pk in missing:
                    loaded[pk] = (month, (from_bytes(people), from_bytes(households)))
            found.update((pk, bits) for pk, (_m, bits) in loaded.items())
            self.keep(loaded, versions)
        empty = (BitMap(), BitMap())
        return [found.get(row[_ID], empty) for row in rows]

    def keep(
        self,
        loaded: dict[int, tuple[datetime.date, tuple[BitMap, BitMap]]],
        versions: dict[datetime.date, tuple],
    ) -> None:
        with self.lock:
            for pk, (month, bits) in loaded.items():
                version = versions.get(month)
                if version is None:
                    continue  # no state for the month: not kept
                cached = self.months.get(month)
                if cached is None or cached[0] != version:
                    cached = (version, {})
                    self.months.pop(month, None)
                    self.months[month] = cached
                cached[1][pk] = bits
            while len(self.months) > self.MONTHS:
                self.months.pop(next(iter(self.months)))

    def clear(self) -> None:
        with self.lock:
            self.months.clear()
            self.stamp = None


_bitmaps = _Bitmaps()


def _binary_rows(qs: QuerySet[Any]) -> Iterable[tuple]:
    """The rows of a `values_list` query. On PostgreSQL in the binary protocol: bitmaps
    arrive as bytes, half the size of the text protocol's hexadecimal, and nothing to
    decode (Django's cursors bind on the client and read text)."""
    if connection.vendor != "postgresql":
        return qs.iterator(chunk_size=5_000)
    import psycopg

    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a filter that selects nothing (an empty scope)
        return []
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


@dataclass
class _Group:
    """The union of some cells: their people and households (merges not yet followed)
    and their sums."""

    people: BitMap
    households: BitMap
    records: int = 0
    quantity: Decimal = Decimal("0")
    value_usd: Decimal = Decimal("0")
    value_iqd: Decimal = Decimal("0")


class Summary:
    """The cells a filter selects, loaded once; figures for the whole and by group.

    Groups are unions of the cells' bitmaps. Asked for the total or a grouping whose
    dimensions are all in `PARTITION` (what the dashboards ask: programme, governorate,
    district, place), the cells are grouped once by all of them and the coarser
    groupings are unions of those few groups rather than of every cell; other groupings
    (by month, the 4W's) are made from the cells."""

    PARTITION = ("programme", "governorate", "district", "place")

    def __init__(self, rows: list[tuple], filters: Filters, attributes: _Attributes) -> None:
        self.filters = filters
        self.attributes = attributes
        self.ages_on = filters.ages_on()
        self._rows = rows
        self._decoded: dict[int, tuple[BitMap, BitMap]] = {}
        self._groupings: dict[tuple[str, ...], dict[tuple, _Group]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def _bits(self, i: int) -> tuple[BitMap, BitMap]:
        row = self._rows[i]
        people, households = row[-2], row[-1]
        if isinstance(people, BitMap) and isinstance(households, BitMap):
            return people, households
        got = self._decoded.get(i)  # rows made elsewhere with the stored bytes
        if got is None:
            got = (from_bytes(people), from_bytes(households))
            self._decoded[i] = got
        return got

    def total(self) -> Figures:
        return self._figure(self._grouping(())[()])

    def by(self, *dimensions: str) -> dict[Any, Figures]:
        for d in dimensions:
            if d not in DIMENSIONS:
                raise KeyError(d)
        groups = self._grouping(tuple(dimensions))
        if len(dimensions) == 1:
            return {key[0]: self._figure(group) for key, group in groups.items()}
        return {key: self._figure(group) for key, group in groups.items()}

    def people_bits(self, indexes: Iterable[int] | None = None) -> BitMap:
        idx = range(len(self._rows)) if indexes is None else indexes
        bits = [self._bits(i)[0] for i in idx]
        union = BitMap.union(*bits) if bits else BitMap()
        a = self.attributes
        return _resolve(union, a.people_merged, a.people_map)

    def _figures(self, indexes: Iterable[int]) -> Figures:
        return self._figure(self._union_cells(list(indexes)))

    # --- groups ---
    def _grouping(self, dims: tuple[str, ...]) -> dict[tuple, _Group]:
        got = self._groupings.get(dims)
        if got is not None:
            return got
        if set(dims) <= set(self.PARTITION) and self.PARTITION not in self._groupings:
            self._groupings[self.PARTITION] = self._from_cells(self.PARTITION)
        # The smallest grouping already made that has every dimension asked, if it is
        # much smaller than the cells.
        sources = [
            (len(groups), have)
            for have, groups in self._groupings.items()
            if set(dims) <= set(have) and len(groups) * 4 < max(len(self._rows), 1)
        ]
        if sources:
            have = min(sources)[1]
            got = self._derive(self._groupings[have], have, dims)
        else:
            got = self._from_cells(dims)
        self._groupings[dims] = got
        return got

    def _from_cells(self, dims: tuple[str, ...]) -> dict[tuple, _Group]:
        positions = [_COLUMNS.index(DIMENSIONS[d]) for d in dims]
        members: dict[tuple, list[int]] = {}
        for i, row in enumerate(self._rows):
            members.setdefault(tuple(row[p] for p in positions), []).append(i)
        if not dims and not members:
            members[()] = []
        return {key: self._union_cells(indexes) for key, indexes in members.items()}

    def _union_cells(self, indexes: list[int]) -> _Group:
        rows = self._rows
        bits = [self._bits(i) for i in indexes]
        records, quantity, usd, iqd = 0, Decimal("0"), Decimal("0"), Decimal("0")
        for i in indexes:
            row = rows[i]
            records += row[_RECORDS]
            quantity += row[_QUANTITY] or 0
            usd += row[_USD] or 0
            iqd += row[_IQD] or 0
        return _Group(
            people=BitMap.union(*[b[0] for b in bits]) if bits else BitMap(),
            households=BitMap.union(*[b[1] for b in bits]) if bits else BitMap(),
            records=records,
            quantity=quantity,
            value_usd=usd,
            value_iqd=iqd,
        )

    @staticmethod
    def _derive(
        source: dict[tuple, _Group], have: tuple[str, ...], dims: tuple[str, ...]
    ) -> dict[tuple, _Group]:
        positions = [have.index(d) for d in dims]
        members: dict[tuple, list[_Group]] = {}
        for key, group in source.items():
            members.setdefault(tuple(key[p] for p in positions), []).append(group)
        if not dims and not members:
            members[()] = []
        out = {}
        for key, groups in members.items():
            out[key] = _Group(
                people=BitMap.union(*(g.people for g in groups)) if groups else BitMap(),
                households=BitMap.union(*(g.households for g in groups)) if groups else BitMap(),
                records=sum(g.records for g in groups),
                quantity=sum((g.quantity for g in groups), Decimal("0")),
                value_usd=sum((g.value_usd for g in groups), Decimal("0")),
                value_iqd=sum((g.value_iqd for g in groups), Decimal("0")),
            )
        return out

    def _figure(self, group: _Group) -> Figures:
        a = self.attributes
        fig = Figures(
            ages_on=self.ages_on,
            records=group.records,
            quantity=group.quantity,
            value_usd=group.value_usd,
            value_iqd=group.value_iqd,
        )
        people = _resolve(group.people, a.people_merged, a.people_map)
        households = _resolve(group.households, a.households_merged, a.households_map)
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
    # The state before the cells: bitmaps cached under its months' versions are as new
    # as the cells read after it, or newer.
    state = _summary_state()
    attributes = _attributes(state)
    versions = _bitmaps.versions(state)
    qs = cells_for(user=user, filters=filters)
    months = [
        m
        for m in versions
        if (not filters.start or m >= month_start(filters.start))
        and (not filters.end or m <= filters.end)
    ]
    if _bitmaps.holds(months, versions):
        found = list(_binary_rows(qs.values_list(*_READ)))
        bits = _bitmaps.get(found, versions, qs)
    else:  # nothing cached: the cells and their bitmaps in one read
        found, loaded = [], {}
        for row in _binary_rows(qs.values_list(*_READ, "people", "households")):
            found.append(row[:-2])
            loaded[row[_ID]] = (row[0], (from_bytes(row[-2]), from_bytes(row[-1])))
        _bitmaps.keep(loaded, versions)
        bits = [loaded[row[_ID]][1] for row in found]
    rows = [
        (*row[:_ID], people, households)
        for row, (people, households) in zip(found, bits, strict=True)
    ]
    return Summary(rows, filters, attributes)


def freshness() -> dict[str, Any]:
    """When the summary last read the ledger, and how many deliveries it has not read."""
    state = SummaryState.objects.filter(key="summary").first()
    counted = state.ledger_records if state else 0
    return {
        "refreshed_at": state.refreshed_at if state else None,
        "pending": max(0, AssistanceRecord.objects.count() - counted),
    }

"""Keeping the summary of the ledger (`ReachCell`, `AttributeSet`, `SummaryState`) in
step with the ledger and the registry.

`summary_refresh` compares, month by month, how many ledger records there are and the
largest record id with what each month's cells were built from (`MonthState`). The
ledger is append-only, so:

- the same count: nothing to do;
- more records, all with ids above the last one read: the new ones are added to the
  month's cells (their bitmaps OR-ed, their sums added);
- anything else (a record committed late with a lower id, `rebuild=True`): the month is
  rebuilt from the ledger.

Each month is one transaction under a lock on the `SummaryState` row, so two refreshes
never interleave and a refresh killed half-way leaves every month either as it was or
refreshed. Whole-household deliveries count the members of the household (followed
through merges) born by the delivery date who were still members then, as
`assistance.selectors.people_reached` does.

The registry's attributes (sex, month of birth, disability) and its merges are read
again when the registry changed since the last refresh.

On PostgreSQL a month is read in a few set-based queries: its records, numbered by
cell, into a temporary table; then, per cell, the ids of the people and of the
households reached as one `bytea` of 8-byte integers (`string_agg(int8send(id))`),
turned into bitmaps by numpy without a Python object per id; the cells are written with
COPY. Ten million records summarise in a few minutes (benchmarks/bench_reporting.py).
Elsewhere (SQLite) the same work goes through the ORM.
"""

from __future__ import annotations

import array
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from pyroaring import BitMap

from sanad.assistance.models import AssistanceRecord
from sanad.assistance.selectors import MERGE_DEPTH
from sanad.geo.models import AdminUnit
from sanad.registry.models import Household, Individual
from sanad.reporting.common import from_bytes, month_end, to_bytes
from sanad.reporting.models import AttributeSet, MonthState, ReachCell, SummaryState

# ruff: noqa: S608 — the SQL below is built from this module's constants and table names.

log = logging.getLogger(__name__)

Progress = Callable[..., None]

# The fields that make a cell (governorate follows from the admin unit).
KEY = (
    "programme_id",
    "project_id",
    "activity_id",
    "kind",
    "item",
    "unit",
    "admin_unit_id",
    "place_id",
)
MONEY = DecimalField(max_digits=24, decimal_places=4)


@dataclass
class RefreshResult:
    months_checked: int = 0
    months_rebuilt: list[str] = field(default_factory=list)
    months_extended: list[str] = field(default_factory=list)
    records_read: int = 0
    attributes_rebuilt: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "months_checked": self.months_checked,
            "months_rebuilt": self.months_rebuilt,
            "months_extended": self.months_extended,
            "records_read": self.records_read,
            "attributes_rebuilt": self.attributes_rebuilt,
            "seconds": round(self.seconds, 2),
        }


def _resolved(prefix: str = "household") -> Coalesce:
    steps = [f"{prefix}{'__merged_into' * n}_id" for n in range(MERGE_DEPTH, -1, -1)]
    return Coalesce(*[F(s) for s in steps])


def _state() -> SummaryState:
    state, _created = SummaryState.objects.get_or_create(key="summary")
    return state


# --- the ledger, month by month ---------------------------------------------------------
def ledger_months() -> dict[datetime.date, tuple[int, int]]:
    """{first day of month: (records, largest id)} of the whole ledger."""
    rows = (
        AssistanceRecord.objects.annotate(m=TruncMonth("delivered_on"))
        .values("m")
        .annotate(n=Count("id"), mx=Max("id"))
        .order_by("m")
    )
    out = {}
    for row in rows:
        m = row["m"]
        if isinstance(m, datetime.datetime):
            m = m.date()
        out[m] = (row["n"], row["mx"])
    return out


def _districts() -> dict[int, int | None]:
    """admin unit pk → its district's pk (itself for a district, None for a governorate)."""
    units = {
        pk: (level, parent)
        for pk, level, parent in AdminUnit.objects.values_list("pk", "level", "parent_id")
    }
    out: dict[int, int | None] = {}
    for pk, (level, parent) in units.items():
        current, lvl, par = pk, level, parent
        while lvl > 2 and par is not None:
            current = par
            lvl, par = units.get(par, (1, None))
        out[pk] = current if lvl == 2 else None
    return out


def _month_records(month: datetime.date, after_id: int) -> Any:
    qs = AssistanceRecord.objects.filter(
        delivered_on__gte=month, delivered_on__lte=month_end(month)
    )
    if after_id:
        qs = qs.filter(id__gt=after_id)
    return qs


def _sums(records: Any) -> dict[tuple, dict[str, Any]]:
    usd = Case(
        When(currency="USD", then=F("value")),
        When(
            currency="IQD",
            exchange_rate__gt=0,
            then=ExpressionWrapper(F("value") / F("exchange_rate"), output_field=MONEY),
        ),
        default=Value(Decimal("0")),
        output_field=MONEY,
    )
    iqd = Case(
        When(currency="IQD", then=F("value")),
        When(
            currency="USD",
            then=ExpressionWrapper(F("value") * F("exchange_rate"), output_field=MONEY),
        ),
        default=Value(Decimal("0")),
        output_field=MONEY,
    )
    rows = (
        records.values(*KEY, "governorate_id")
        .annotate(n=Count("id"), qty=Sum("quantity"), usd=Sum(usd), iqd=Sum(iqd))
        .order_by()
    )
    return {tuple(row[k] for k in KEY): row for row in rows}


_MEMBERS_SQL = """
SELECT r.id, i.id
FROM assistance_assistancerecord r
LEFT JOIN registry_household h1 ON h1.id = r.household_id
LEFT JOIN registry_household h2 ON h2.id = h1.merged_into_id
LEFT JOIN registry_household h3 ON h3.id = h2.merged_into_id
JOIN registry_individual i
  ON i.household_id = COALESCE(h3.merged_into_id, h2.merged_into_id, h1.merged_into_id, r.household_id)
WHERE r.individual_id IS NULL
  AND r.delivered_on >= %s AND r.delivered_on <= %s AND r.id > %s
  AND i.date_of_birth <= r.delivered_on
  AND (i.status = 'active' OR i.updated_at >= r.delivered_on)
"""


def _fetch_pairs(sql: str, params: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(record ids, person ids) of the rows of a two-integer query, read in chunks."""
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(200_000)
            if not rows:
                break
            arr = np.asarray(rows, dtype=np.int64)
            left.append(arr[:, 0])
            right.append(arr[:, 1])
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


@dataclass
class _Built:
    cells: dict[tuple, dict[str, Any]]
    people: dict[tuple, BitMap]
    households: dict[tuple, BitMap]
    records: int


def _build(month: datetime.date, after_id: int) -> _Built:
    """The cells of `month`'s ledger records with ids above `after_id`."""
    if connection.vendor == "postgresql":
        return _build_pg(month, after_id)
    records = _month_records(month, after_id)
    sums = _sums(records)
    keys = list(sums)
    index = {key: i for i, key in enumerate(keys)}
    rec_ids, rec_cell, named_people, hh_ids = [], [], [], []
    for row in (
        records.annotate(target=_resolved())
        .values_list("id", "target", "individual_id", *KEY)
        .iterator(chunk_size=20_000)
    ):
        cell = index[tuple(row[3:])]
        rec_ids.append(row[0])
        rec_cell.append(cell)
        hh_ids.append(row[1] or 0)
        named_people.append(row[2] or 0)
    ids = np.asarray(rec_ids, dtype=np.int64)
    cell_of = np.asarray(rec_cell, dtype=np.int64)
    hh = np.asarray(hh_ids, dtype=np.int64)
    named = np.asarray(named_people, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    ids, cell_of, hh, named = ids[order], cell_of[order], hh[order], named[order]

    # People of whole-household deliveries.
    r_ids, p_ids = _fetch_pairs(_MEMBERS_SQL, [month, month_end(month), after_id])
    pos = np.searchsorted(ids, r_ids)
    member_cell = cell_of[pos] if len(r_ids) else np.empty(0, np.int64)
    has_named = named > 0
    all_cells = np.concatenate([member_cell, cell_of[has_named]])
    all_people = np.concatenate([p_ids, named[has_named]])

    people = _group(all_cells, all_people, keys)
    households = _group(cell_of[hh > 0], hh[hh > 0], keys)
    return _Built(cells=sums, people=people, households=households, records=len(ids))


def _bitmap(values: np.ndarray) -> BitMap:
    """A bitmap of the integers in `values` (sorted: built fastest)."""
    out = array.array("I")
    out.frombytes(np.ascontiguousarray(values, dtype=np.uint32).tobytes())
    return BitMap(out)


def _group(cells: np.ndarray, values: np.ndarray, keys: list[tuple]) -> dict[tuple, BitMap]:
    out: dict[tuple, BitMap] = {}
    if not len(cells):
        return out
    # One sort of (cell, value) packed in 64 bits: each cell's values come out sorted.
    packed = np.sort((cells.astype(np.int64) << 32) | values.astype(np.int64))
    cells, values = packed >> 32, packed & 0xFFFFFFFF
    bounds = np.flatnonzero(np.diff(cells)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(cells)]])
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        out[keys[int(cells[start])]] = _bitmap(values[start:end])
    return out


# --- PostgreSQL: set-based reads, COPY writes -----------------------------------------
# The month's records with the number of their cell, in a temporary table (analysed, so
# that the joins below are planned on true sizes).
_RECORDS = "reporting_refresh_records"
_KEY_SQL = ", ".join(f"r.{k}" for k in KEY)
_PG_RECORDS = f"""
CREATE TEMPORARY TABLE {_RECORDS} ON COMMIT DROP AS
SELECT r.household_id, r.individual_id, r.delivered_on,
       (dense_rank() OVER (ORDER BY {_KEY_SQL}) - 1)::integer AS cell, {_KEY_SQL},
       r.governorate_id, r.quantity, r.value, r.currency, r.exchange_rate
FROM assistance_assistancerecord r
WHERE r.delivered_on >= %(start)s AND r.delivered_on <= %(end)s AND r.id > %(after)s
"""
# Each cell's sums, as `_sums` counts them.
_PG_SUMS = f"""
SELECT cell, {", ".join(KEY)}, governorate_id, count(*), sum(quantity),
       sum(CASE WHEN currency = 'USD' THEN value
                WHEN currency = 'IQD' AND exchange_rate > 0 THEN value / exchange_rate
                ELSE 0 END),
       sum(CASE WHEN currency = 'IQD' THEN value
                WHEN currency = 'USD' THEN value * exchange_rate
                ELSE 0 END)
FROM {_RECORDS}
GROUP BY cell, {", ".join(KEY)}, governorate_id
"""
_CHAIN = """
LEFT JOIN registry_household h1 ON h1.id = r.household_id
LEFT JOIN registry_household h2 ON h2.id = h1.merged_into_id
LEFT JOIN registry_household h3 ON h3.id = h2.merged_into_id
"""
_HOUSEHOLD = "COALESCE(h3.merged_into_id, h2.merged_into_id, h1.merged_into_id, r.household_id)"
# The members of whole-household deliveries, then the people named: per cell, their ids
# as one bytea of 8-byte integers (one row per cell rather than one per person).
_PG_PEOPLE = f"""
SELECT cell, string_agg(int8send(person), ''::bytea) FROM (
    SELECT r.cell, i.id AS person
    FROM {_RECORDS} r {_CHAIN}
    JOIN registry_individual i ON i.household_id = {_HOUSEHOLD}
    WHERE r.individual_id IS NULL
      AND i.date_of_birth <= r.delivered_on
      AND (i.status = 'active' OR i.updated_at >= r.delivered_on)
    UNION ALL
    SELECT r.cell, r.individual_id FROM {_RECORDS} r WHERE r.individual_id IS NOT NULL
) pairs GROUP BY cell
"""
# The (merge-resolved) household of each record that names one, per cell.
_PG_HOUSEHOLDS = f"""
SELECT r.cell, string_agg(int8send({_HOUSEHOLD}), ''::bytea)
FROM {_RECORDS} r {_CHAIN}
WHERE r.household_id IS NOT NULL
GROUP BY r.cell
"""


def _id_groups(sql: str, params: Any) -> list[tuple[tuple, np.ndarray]]:
    """The rows of `sql` (PostgreSQL): key columns, then the ids of the group as one
    bytea of 8-byte big-endian integers (`string_agg(int8send(id), '')`), read as
    (key, int64 array): one row a group, no Python object per id."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(tuple(row[:-1]), np.frombuffer(row[-1], dtype=">i8").astype(np.int64)) for row in rows]


def _bitmaps(groups: list[tuple[tuple, np.ndarray]], keys: list[tuple]) -> dict[tuple, BitMap]:
    return {keys[key[0]]: _bitmap(np.sort(ids)) for key, ids in groups}


def _build_pg(month: datetime.date, after_id: int) -> _Built:
    """`_build` on PostgreSQL: the month's records numbered by cell into a temporary
    table, then one query for the cells' sums, one for their people and one for their
    households."""
    params: dict[str, Any] = {"start": month, "end": month_end(month), "after": after_id}
    with transaction.atomic(), connection.cursor() as cursor:
        # Sorts and hashes of a few hundred thousand rows in memory, for this transaction.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {_RECORDS}")
        cursor.execute(_PG_RECORDS, params)
        cursor.execute(f"ANALYZE {_RECORDS}")
        cursor.execute(_PG_SUMS)
        numbered = cursor.fetchall()
        keys: list[tuple] = [()] * len(numbered)
        sums: dict[tuple, dict[str, Any]] = {}
        width = len(KEY)
        for row in numbered:
            key = tuple(row[1 : 1 + width])
            keys[row[0]] = key
            governorate, n, qty, usd, iqd = row[1 + width :]
            sums[key] = {"governorate_id": governorate, "n": n, "qty": qty, "usd": usd, "iqd": iqd}
        people = _bitmaps(_id_groups(_PG_PEOPLE, None), keys)
        households = _bitmaps(_id_groups(_PG_HOUSEHOLDS, None), keys)
        cursor.execute(f"DROP TABLE {_RECORDS}")
    return _Built(
        cells=sums,
        people=people,
        households=households,
        records=sum(row["n"] for row in sums.values()),
    )


_CELL_COLUMNS = (
    "month",
    "programme_id",
    "project_id",
    "activity_id",
    "kind",
    "item",
    "unit",
    "admin_unit_id",
    "district_id",
    "governorate_id",
    "place_id",
    "records",
    "quantity",
    "value_usd",
    "value_iqd",
    "people",
    "households",
)


def _copy_cells(cells: list[dict[str, Any]]) -> None:
    """Insert new cells with COPY (PostgreSQL)."""
    table = ReachCell._meta.db_table
    columns = ", ".join(_CELL_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for cell in cells:
            copy.write_row([_db_value(cell[c]) for c in _CELL_COLUMNS])


def _update_cells(cells: list[dict[str, Any]]) -> None:
    """Write the counts and bitmaps of existing cells: COPY into a temporary table, one
    UPDATE … FROM (PostgreSQL)."""
    if not cells:
        return
    table = ReachCell._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS reporting_refresh_changed")
        cursor.execute(
            "CREATE TEMPORARY TABLE reporting_refresh_changed (id bigint, records integer, "
            "quantity numeric, value_usd numeric, value_iqd numeric, people bytea, "
            "households bytea) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY reporting_refresh_changed FROM STDIN") as copy:
            for cell in cells:
                copy.write_row([cell["id"], *(_db_value(cell[c]) for c in _CHANGING)])
        cursor.execute(
            f"UPDATE {table} c SET "
            + ", ".join(f"{c} = t.{c}" for c in _CHANGING)
            + " FROM reporting_refresh_changed t WHERE c.id = t.id"
        )
        cursor.execute("DROP TABLE reporting_refresh_changed")


def _db_value(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _cell(
    month: datetime.date, key: tuple, row: dict[str, Any], districts: dict[int, int | None]
) -> dict[str, Any]:
    """A new cell's column values (the bitmaps to add)."""
    values = dict(zip(KEY, key, strict=True))
    return {
        "month": month,
        "district_id": districts.get(values["admin_unit_id"]),
        "governorate_id": row["governorate_id"],
        "records": row["n"],
        "quantity": _dec(row["qty"]),
        "value_usd": _dec(row["usd"]),
        "value_iqd": _dec(row["iqd"]),
        **values,
    }


def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal("0")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _month_rebuild(month: datetime.date, districts: dict[int, int | None]) -> int:
    built = _build(month, 0)
    ReachCell.objects.filter(month=month).delete()
    new = []
    for key, row in built.cells.items():
        cell = _cell(month, key, row, districts)
        cell["people"] = to_bytes(built.people.get(key, BitMap()))
        cell["households"] = to_bytes(built.households.get(key, BitMap()))
        new.append(cell)
    _insert_cells(new)
    return built.records


_CHANGING = ("records", "quantity", "value_usd", "value_iqd", "people", "households")


def _insert_cells(cells: list[dict[str, Any]]) -> None:
    if connection.vendor == "postgresql":
        _copy_cells(cells)
    else:
        ReachCell.objects.bulk_create([ReachCell(**cell) for cell in cells], batch_size=500)


def _month_extend(month: datetime.date, after_id: int, districts: dict[int, int | None]) -> int:
    built = _build(month, after_id)
    existing = {
        tuple(c[k] for k in KEY): c
        for c in ReachCell.objects.filter(month=month).values("id", *KEY, *_CHANGING)
    }
    new, changed = [], []
    for key, row in built.cells.items():
        people = built.people.get(key, BitMap())
        households = built.households.get(key, BitMap())
        cell = existing.get(key)
        if cell is None:
            cell = _cell(month, key, row, districts)
            cell["people"], cell["households"] = to_bytes(people), to_bytes(households)
            new.append(cell)
            continue
        cell["records"] += row["n"]
        cell["quantity"] += _dec(row["qty"])
        cell["value_usd"] += _dec(row["usd"])
        cell["value_iqd"] += _dec(row["iqd"])
        cell["people"] = to_bytes(from_bytes(cell["people"]) | people)
        cell["households"] = to_bytes(from_bytes(cell["households"]) | households)
        changed.append(cell)
    _insert_cells(new)
    if connection.vendor == "postgresql":
        _update_cells(changed)
    else:
        ReachCell.objects.bulk_update(
            [ReachCell(pk=c["id"], **{k: c[k] for k in _CHANGING}) for c in changed],
            list(_CHANGING),
            batch_size=500,
        )
    return built.records


# --- the registry's attributes and merges ----------------------------------------------
def registry_version() -> str:
    people = Individual.objects.aggregate(n=Count("id"), mx=Max("id"), at=Max("updated_at"))
    households = Household.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (
        f"{people['n']}:{people['mx']}:{people['at'] and people['at'].isoformat()}:"
        f"{households['n']}:{households['at'] and households['at'].isoformat()}"
    )[:80]


def _merges() -> dict[str, dict[str, int]]:
    people = dict(
        Individual.objects.filter(duplicate_of__isnull=False).values_list("pk", "duplicate_of_id")
    )
    households = dict(
        Household.objects.filter(
            status=Household.Status.MERGED, merged_into__isnull=False
        ).values_list("pk", "merged_into_id")
    )
    return {"people": _final(people), "households": _final(households)}


def _final(links: dict[int, int]) -> dict[str, int]:
    out = {}
    for start in links:
        current, seen = start, {start}
        while current in links and links[current] not in seen:
            current = links[current]
            seen.add(current)
        out[str(start)] = current
    return out


def _attribute_columns() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every individual's (pk, sex: 1 female 0 male 2 other, month of birth as year * 12
    + month - 1, has a disability 0/1)."""
    if connection.vendor == "postgresql":
        groups = _id_groups(
            f"SELECT (CASE sex WHEN '{Individual.Sex.FEMALE}' THEN 1 "
            f"WHEN '{Individual.Sex.MALE}' THEN 0 ELSE 2 END), "
            "(EXTRACT(YEAR FROM date_of_birth) * 12 + EXTRACT(MONTH FROM date_of_birth) - 1)"
            "::integer, has_disability::integer, string_agg(int8send(id), ''::bytea) "
            f"FROM {Individual._meta.db_table} GROUP BY 1, 2, 3",
            None,
        )
        if not groups:
            empty = np.empty(0, np.int64)
            return empty, empty, empty, empty
        sizes = [len(ids) for _key, ids in groups]
        pks = np.concatenate([ids for _key, ids in groups])
        sexes, months, disabled = (
            np.repeat(np.asarray([key[i] for key, _ids in groups], dtype=np.int64), sizes)
            for i in range(3)
        )
        return pks, sexes, months, disabled
    rows = Individual.objects.values_list("pk", "sex", "date_of_birth", "has_disability").iterator(
        chunk_size=50_000
    )
    pk_list, sex_list, born, disability_list = [], [], [], []
    for pk, sex, dob, disability in rows:
        pk_list.append(pk)
        sex_list.append(
            1 if sex == Individual.Sex.FEMALE else (0 if sex == Individual.Sex.MALE else 2)
        )
        disability_list.append(1 if disability else 0)
        born.append(dob.year * 12 + dob.month - 1)
    return (
        np.asarray(pk_list, dtype=np.int64),
        np.asarray(sex_list, dtype=np.int64),
        np.asarray(born, dtype=np.int64),
        np.asarray(disability_list, dtype=np.int64),
    )


def _attributes_rebuild() -> None:
    pks, sexes, months, disabled = _attribute_columns()
    order = np.argsort(pks, kind="stable")
    ids, sexes, months, disabled = pks[order], sexes[order], months[order], disabled[order]
    sets: dict[str, BitMap] = {
        "female": _bitmap(ids[sexes == 1]),
        "male": _bitmap(ids[sexes == 0]),
        "disability": _bitmap(ids[disabled == 1]),
    }
    if len(ids):
        order = np.argsort(months, kind="stable")
        sorted_months, sorted_ids = months[order], ids[order]
        bounds = np.flatnonzero(np.diff(sorted_months)) + 1
        for chunk_m, chunk_ids in zip(
            np.split(sorted_months, bounds), np.split(sorted_ids, bounds), strict=True
        ):
            m = int(chunk_m[0])
            sets[f"born:{m // 12:04d}-{m % 12 + 1:02d}"] = _bitmap(chunk_ids)
    AttributeSet.objects.all().delete()
    AttributeSet.objects.bulk_create(
        [AttributeSet(name=name, members=to_bytes(bm)) for name, bm in sets.items()], batch_size=500
    )


# --- the refresh ------------------------------------------------------------------------
def summary_refresh(
    *, rebuild: bool = False, progress: Progress | None = None, force_attributes: bool = False
) -> RefreshResult:
    """Bring the summary up to date with the ledger and the registry (see the module's
    docstring). `rebuild=True` rebuilds every month from the ledger."""
    started = timezone.now()
    result = RefreshResult()
    _state()
    months = ledger_months()
    districts = _districts()
    known = {m.month: m for m in MonthState.objects.all()}
    total = len(months) + 1
    done = 0

    def report(message: str) -> None:
        if progress is not None:
            progress(done, total, message)

    for month, (count, max_id) in months.items():
        result.months_checked += 1
        label = f"{month:%Y-%m}"
        report(label)
        state = known.get(month)
        if (
            state is not None
            and not rebuild
            and state.records == count
            and state.max_record_id == max_id
        ):
            done += 1
            continue
        with transaction.atomic():
            SummaryState.objects.select_for_update().get(key="summary")
            # Read again under the lock: another refresh may have done this month.
            fresh = _month_records(month, 0).aggregate(n=Count("id"), mx=Max("id"))
            count, max_id = fresh["n"], fresh["mx"] or 0
            state = MonthState.objects.filter(month=month).first()
            if (
                state is not None
                and not rebuild
                and state.records == count
                and state.max_record_id == max_id
            ):
                done += 1
                continue
            newer = 0
            if state is not None and not rebuild:
                newer = _month_records(month, state.max_record_id).count()
            if state is not None and not rebuild and state.records + newer == count:
                result.records_read += _month_extend(month, state.max_record_id, districts)
                result.months_extended.append(label)
            else:
                result.records_read += _month_rebuild(month, districts)
                result.months_rebuilt.append(label)
            MonthState.objects.update_or_create(
                month=month,
                defaults={
                    "records": count,
                    "max_record_id": max_id,
                    "refreshed_at": timezone.now(),
                },
            )
            SummaryState.objects.filter(key="summary").update(version=F("version") + 1)
        done += 1
    stale = set(known) - set(months)
    if stale:
        with transaction.atomic():
            ReachCell.objects.filter(month__in=stale).delete()
            MonthState.objects.filter(month__in=stale).delete()

    report("registry")
    version = registry_version()
    with transaction.atomic():
        state = SummaryState.objects.select_for_update().get(key="summary")
        if (
            force_attributes
            or rebuild
            or state.registry_version != version
            or not AttributeSet.objects.exists()
        ):
            _attributes_rebuild()
            state.registry_version = version
            state.merges = _merges()
            state.attributes_at = timezone.now()
            state.version += 1
            result.attributes_rebuilt = True
        state.refreshed_at = timezone.now()
        state.ledger_records = sum(n for n, _mx in months.values())
        state.save()
    done = total
    report("")
    result.seconds = (timezone.now() - started).total_seconds()
    return result


def summary_refresh_due() -> int:
    """The periodic task (`sanad outbox` runs it): refresh when the last refresh is older
    than SANAD_REPORTING_REFRESH_SECONDS. Returns the number of months changed."""
    every = int(getattr(settings, "SANAD_REPORTING_REFRESH_SECONDS", 300))
    state = SummaryState.objects.filter(key="summary").first()
    if (
        state is not None
        and state.refreshed_at
        and (timezone.now() - state.refreshed_at).total_seconds() < every
    ):
        return 0
    result = summary_refresh()
    return len(result.months_rebuilt) + len(result.months_extended)


__all__ = ["RefreshResult", "summary_refresh", "summary_refresh_due"]

"""Writing validated households to the registry in bulk.

One transaction around everything (the caller opens it): households, members,
documents, phones, consent, the first displacement move and the search keys, in chunks.
On PostgreSQL each chunk goes in through `COPY … FROM STDIN` (psycopg 3), with ids
taken from the tables' sequences beforehand so that rows can point at each other; on
SQLite through `executemany`, with ids counted on from the highest in use (safe: the
write transaction holds SQLite's single write lock).

Derived values are computed exactly as the registry's services compute them:
`household_derived` for the household's flags and demographics, and the same keys as
`member_name_key` and `search_keys`; only the name tokeniser is memoised, because a
million people share a few thousand names (tests/registry/imports checks that the keys
are identical to derive's).

Bulk rows do not go through model signals, so no per-record audit event is written:
each household points at its `import_batch`, whose status transitions record who
committed it and when.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection, connections
from django.utils import timezone

from sanad.core.text import document_key, name_tokens
from sanad.registry.derive import NAME_FIELDS, has_disability, household_derived
from sanad.registry.imports.records import VHousehold, VMember

# Crockford base32 without I, L, O, U, as `models.new_registration_id`.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ADVISORY_LOCK = 0x53414E4144  # "SANAD": one import commits at a time (PostgreSQL)
SQLITE_CACHE_KIB = -131072  # 128 MiB of page cache while an import commits

HOUSEHOLD_COLUMNS = (
    "id", "public_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
    "registration_id", "status", "merged_into_id", "place_id", "admin_unit_id",
    "governorate_id", "shelter_type", "displacement_status", "origin_admin_unit_id",
    "origin_place_name", "displaced_on", "notes", "source", "source_ref", "import_batch_id",
    "card_token", "size", "is_woman_headed", "is_child_headed", "is_older_person_alone",
    "has_disability", "has_unaccompanied_child", "is_large", "demographics",
)  # fmt: skip
INDIVIDUAL_COLUMNS = (
    "id", "public_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
    "household_id", "given_name_ar", "fathers_name_ar", "grandfathers_name_ar",
    "family_name_ar", "given_name_en", "fathers_name_en", "grandfathers_name_en",
    "family_name_en", "sex", "date_of_birth", "dob_estimated", "relationship",
    "marital_status", "is_pregnant", "wg_seeing", "wg_hearing", "wg_walking", "wg_cognition",
    "wg_selfcare", "wg_communication", "has_disability", "has_chronic_illness",
    "is_unaccompanied_or_separated", "phone", "preferred_language", "is_alternate_collector",
    "status", "name_key",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "public_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
    "individual_id", "kind", "number", "number_key", "issuing_governorate_id",
)  # fmt: skip
PHONE_COLUMNS = (
    "public_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
    "household_id", "number", "owner_id", "is_primary",
)  # fmt: skip
CONSENT_COLUMNS = (
    "public_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
    "household_id", "purpose", "legal_basis", "given", "recorded_on", "withdrawn_on", "notes",
)  # fmt: skip
MOVE_COLUMNS = (
    "public_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
    "household_id", "moved_on", "from_admin_unit_id", "to_admin_unit_id", "to_place_id",
    "displacement_status", "shelter_type", "notes",
)  # fmt: skip
SEARCHKEY_COLUMNS = ("household_id", "key")

TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "household": ("registry_household", HOUSEHOLD_COLUMNS),
    "individual": ("registry_individual", INDIVIDUAL_COLUMNS),
    "document": ("registry_individualdocument", DOCUMENT_COLUMNS),
    "phone": ("registry_householdphone", PHONE_COLUMNS),
    "consent": ("registry_consent", CONSENT_COLUMNS),
    "move": ("registry_displacementmove", MOVE_COLUMNS),
    "searchkey": ("registry_searchkey", SEARCHKEY_COLUMNS),
}


def uuid_hex(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as 32 hex digits: what both databases accept for
    a UUID column, from one call to the system's random source."""
    raw = os.urandom(16 * count).hex()
    out = []
    for i in range(0, 32 * count, 32):
        s = raw[i : i + 32]
        out.append(f"{s[:12]}4{s[13:16]}{'89ab'[int(s[16], 16) & 3]}{s[17:]}")
    return out


def registration_ids(count: int) -> list[str]:
    """`SND-XXXX-XXXX` ids, 40 random bits each."""
    data = os.urandom(5 * count)
    out = []
    alphabet = _ID_ALPHABET
    for i in range(0, 5 * count, 5):
        n = int.from_bytes(data[i : i + 5], "big")
        chars = "".join(alphabet[(n >> shift) & 31] for shift in (35, 30, 25, 20, 15, 10, 5, 0))
        out.append(f"SND-{chars[:4]}-{chars[4:]}")
    return out


def card_tokens(count: int) -> list[str]:
    import base64

    data = os.urandom(18 * count)
    return [
        base64.urlsafe_b64encode(data[i : i + 18]).decode().rstrip("=")
        for i in range(0, 18 * count, 18)
    ]


class Tokens:
    """`name_tokens`, memoised: names repeat, and the tokeniser is slow (5–9 µs a call).

    For each distinct name part it keeps its tokens joined by spaces (for the name key)
    and its search keys (`n:<token>`), so that a member costs eight look-ups."""

    def __init__(self, limit: int = 500_000) -> None:
        self._cache: dict[str, tuple[str, frozenset[str]]] = {"": ("", frozenset())}
        self._limit = limit

    def part(self, text: str) -> tuple[str, frozenset[str]]:
        cached = self._cache.get(text)
        if cached is None:
            tokens = name_tokens(text)
            cached = (" ".join(tokens), frozenset(f"n:{tok}"[:60] for tok in tokens))
            if len(self._cache) < self._limit:
                self._cache[text] = cached
        return cached

    def member(self, member: Any, keys: set[str]) -> str:
        """The member's name key (as `derive.member_name_key`); adds its name search keys
        (as `derive.search_keys`) to `keys`."""
        joined = []
        for f in NAME_FIELDS:
            text, part_keys = self.part(getattr(member, f, "") or "")
            if text:
                joined.append(text)
                keys |= part_keys
        return " ".join(joined)[:400]

    def search_keys(
        self,
        *,
        registration_id: str,
        members: Iterable[Any],
        phones: Iterable[str],
        documents: Iterable[str],
    ) -> set[str]:
        """As `derive.search_keys`."""
        keys = {f"r:{registration_id.upper()}"}
        for m in members:
            self.member(m, keys)
            if getattr(m, "phone", ""):
                keys.add(f"p:{m.phone}")
        keys.update(f"p:{p}" for p in phones if p)
        keys.update(f"d:{document_key(d)}"[:60] for d in documents if d)
        return keys


class BulkWriter:
    """Appends rows to tables on the current connection: COPY on PostgreSQL,
    executemany elsewhere."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}
        self.rows_written: dict[str, int] = {}
        self.postgres = self.vendor == "postgresql"

    def lock(self) -> None:
        """One import commits at a time (PostgreSQL; SQLite has one writer anyway), and
        SQLite gets a page cache that holds the indexes being filled."""
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            elif self.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size")
                self._cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")

    def release(self) -> None:
        if self.vendor == "sqlite" and hasattr(self, "_cache_size"):
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    def reserve_ids(self, table: str, count: int) -> list[int]:
        if count == 0:
            return []
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if table not in self._next_id:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608  (our table names)
                highest = cursor.fetchone()[0] or 0
                try:
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, row[0] if row else 0)
                except Exception:  # noqa: S110  (no AUTOINCREMENT table yet)
                    pass
            self._next_id[table] = highest + 1
        start = self._next_id[table]
        self._next_id[table] = start + count
        return list(range(start, start + count))

    def write(self, key: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        table, columns = TABLES[key]
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
                    rows,
                )
        self.rows_written[key] = self.rows_written.get(key, 0) + len(rows)


def existing_source_refs(refs: list[str]) -> set[str]:
    """Which of these source references the registry already has."""
    from sanad.registry.models import Household

    found: set[str] = set()
    for i in range(0, len(refs), 500):
        found.update(
            ref
            for ref in Household.objects.filter(source_ref__in=refs[i : i + 500]).values_list(
                "source_ref", flat=True
            )
            if ref
        )
    return found


def _taken_registration_ids(ids: list[str]) -> set[str]:
    from sanad.registry.models import Household

    taken: set[str] = set()
    for i in range(0, len(ids), 500):
        taken.update(
            Household.objects.filter(registration_id__in=ids[i : i + 500]).values_list(
                "registration_id", flat=True
            )
        )
    return taken


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Committer:
    """Writes validated households, chunk by chunk, inside the caller's transaction."""

    def __init__(
        self, *, batch_id: int, user_id: int | None, today: datetime.date | None = None
    ) -> None:
        self.writer = BulkWriter()
        self.batch_id = batch_id
        self.user_id = user_id
        self.today = today or timezone.localdate()
        now = timezone.now()
        if self.writer.postgres:
            self.now: Any = now
            self.date: Callable[[datetime.date | None], Any] = lambda d: d
        else:
            self.now = connection.ops.adapt_datetimefield_value(now)
            self.date = lambda d: d.isoformat() if d is not None else None
        self.tokens = Tokens()
        self.issued: set[str] = set()
        self.households = 0
        self.individuals = 0
        self.already_imported = 0

    def _registration_ids(self, count: int) -> list[str]:
        ids: list[str] = []
        while len(ids) < count:
            fresh = [i for i in registration_ids(count - len(ids)) if i not in self.issued]
            fresh = list(dict.fromkeys(fresh))
            taken = _taken_registration_ids(fresh)
            fresh = [i for i in fresh if i not in taken]
            self.issued.update(fresh)
            ids.extend(fresh)
        return ids

    def write(
        self,
        households: Iterable[VHousehold | list[Any]],
        *,
        chunk: int = 2000,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write the households (validated objects, or their spooled lists).

        Two stages overlap: while this thread writes chunk N (the database works, and
        the driver waits with the interpreter lock released), a worker thread turns
        chunk N+1 into rows. All database access stays on this thread's connection —
        the transaction's — except progress reports on PostgreSQL, which the worker
        sends on its own connection so that the job page sees them before the commit
        (SQLite allows one writer: there the page sees the end only)."""
        self.writer.lock()
        report = progress if progress and self.writer.postgres else None
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanad-import")
        pending: Future[dict[str, Any]] | None = None
        reports: list[Future[None]] = []
        try:
            for part in _chunks(households, chunk):
                prepared = self._prepare(part)
                future = pool.submit(self._build, *prepared) if prepared else None
                if pending is not None:
                    self._store(pending.result())
                for done in [r for r in reports if r.done()]:
                    done.result()  # a cancelled job stops here
                    reports.remove(done)
                if report:
                    reports.append(pool.submit(report, self.households + self.already_imported))
                elif progress:
                    progress(self.households + self.already_imported)
                pending = future
            if pending is not None:
                self._store(pending.result())
            for r in reports:
                r.result()
            if report:
                pool.submit(report, self.households + self.already_imported).result()
        finally:
            if report:
                pool.submit(connections.close_all)
            pool.shutdown(wait=True, cancel_futures=True)
            self.writer.release()

    def _prepare(
        self, part: list[Any]
    ) -> tuple[list[list[Any]], list[int], list[int], list[str]] | None:
        """The database's part of a chunk: which households are new, and their ids."""
        rows = [h.to_list() if isinstance(h, VHousehold) else h for h in part]
        refs = [h[1] for h in rows if h[1]]
        known = existing_source_refs(refs) if refs else set()
        if known:
            self.already_imported += sum(1 for h in rows if h[1] in known)
            rows = [h for h in rows if h[1] not in known]
        if not rows:
            return None
        w = self.writer
        hids = w.reserve_ids("registry_household", len(rows))
        iids = w.reserve_ids("registry_individual", sum(len(h[13]) for h in rows))
        return rows, hids, iids, self._registration_ids(len(rows))

    def _store(self, built: dict[str, Any]) -> None:
        w = self.writer
        for key in ("household", "individual", "document", "phone", "consent", "move", "searchkey"):
            w.write(key, built[key])
        self.households += len(built["household"])
        self.individuals += len(built["individual"])

    def _build(
        self, part: list[list[Any]], hids: list[int], iids: list[int], reg_ids: list[str]
    ) -> dict[str, Any]:
        """Rows for every table from a chunk of new households (pure Python)."""
        n = len(part)
        tokens = card_tokens(n)
        uuids = _Uuids()
        next_uuid = uuids.next
        date = self.date
        now, user, batch, today = self.now, self.user_id, self.batch_id, self.today
        tok = self.tokens
        h_rows: list[tuple[Any, ...]] = []
        i_rows: list[tuple[Any, ...]] = []
        doc_rows: list[tuple[Any, ...]] = []
        phone_rows: list[tuple[Any, ...]] = []
        consent_rows: list[tuple[Any, ...]] = []
        move_rows: list[tuple[Any, ...]] = []
        key_rows: list[tuple[int, str]] = []
        k = 0
        for j, values in enumerate(part):
            h = VHousehold.from_list(values)
            hid = hids[j]
            members: list[VMember] = h.members
            derived = household_derived(members, on=today)
            h_rows.append((
                hid, next_uuid(), now, now, user, user, reg_ids[j], "active", None, h.place_id,
                h.admin_unit_id, h.governorate_id, h.shelter_type, h.displacement_status,
                h.origin_admin_unit_id, h.origin_place_name, date(h.displaced_on), h.notes,
                "import", h.source_ref, batch, tokens[j], derived["size"],
                derived["is_woman_headed"], derived["is_child_headed"],
                derived["is_older_person_alone"], derived["has_disability"],
                derived["has_unaccompanied_child"], derived["is_large"],
                json.dumps(derived["demographics"], separators=(",", ":")),
            ))  # fmt: skip
            phones: dict[str, tuple[int | None, bool]] = {}
            if h.phone:
                phones[h.phone] = (None, True)
            keys = {f"r:{reg_ids[j]}"}
            for mem in members:
                iid = iids[k]
                k += 1
                i_rows.append((
                    iid, next_uuid(), now, now, user, user, hid, mem.given_name_ar,
                    mem.fathers_name_ar, mem.grandfathers_name_ar, mem.family_name_ar,
                    mem.given_name_en, mem.fathers_name_en, mem.grandfathers_name_en,
                    mem.family_name_en, mem.sex, date(mem.date_of_birth), mem.dob_estimated,
                    mem.relationship, mem.marital_status, mem.is_pregnant, mem.wg_seeing,
                    mem.wg_hearing, mem.wg_walking, mem.wg_cognition, mem.wg_selfcare,
                    mem.wg_communication, has_disability(mem), mem.has_chronic_illness,
                    mem.is_unaccompanied_or_separated, mem.phone, mem.preferred_language,
                    mem.is_alternate_collector, "active", tok.member(mem, keys),
                ))  # fmt: skip
                if mem.phone:
                    owner, primary = phones.get(mem.phone, (None, False))
                    phones[mem.phone] = (owner or iid, primary)
                if mem.document_number:
                    keys.add(f"d:{mem.document_key}"[:60])
                    doc_rows.append((
                        next_uuid(), now, now, user, user, iid, mem.document_kind,
                        mem.document_number, mem.document_key, None,
                    ))  # fmt: skip
            if phones and not any(primary for _owner, primary in phones.values()):
                first = next(iter(phones))
                phones[first] = (phones[first][0], True)
            for number, (owner, primary) in phones.items():
                phone_rows.append((next_uuid(), now, now, user, user, hid, number, owner, primary))
                keys.add(f"p:{number}")
            consent_rows.append((
                next_uuid(), now, now, user, user, hid, "registration", "consent", True,
                date(h.consent_on), None, "",
            ))  # fmt: skip
            if h.displacement_status != "host_community":
                move_rows.append((
                    next_uuid(), now, now, user, user, hid, date(h.displaced_on),
                    h.origin_admin_unit_id, h.admin_unit_id, h.place_id, h.displacement_status,
                    h.shelter_type, "",
                ))  # fmt: skip
            key_rows.extend((hid, key) for key in keys)
        return {
            "household": h_rows,
            "individual": i_rows,
            "document": doc_rows,
            "phone": phone_rows,
            "consent": consent_rows,
            "move": move_rows,
            "searchkey": key_rows,
        }


class _Uuids:
    """UUIDs handed out one at a time from batches made in one call."""

    def __init__(self, batch: int = 4096) -> None:
        self._batch = batch
        self._items: list[str] = []
        self._i = 0

    def next(self) -> str:
        if self._i >= len(self._items):
            self._items = uuid_hex(self._batch)
            self._i = 0
        self._i += 1
        return self._items[self._i - 1]

"""Writes demo households to the database fast, with the same derived values the
registry services compute (`household_derived`, `has_disability`, the name key and
search keys of `derive`, `document_key`), but without the per-household queries of
`household_register`, the audit trail of each row or its validation: the generator
only produces what the validation accepts (tests/registry/test_demo.py checks it
against `prepare_household`, and the keys against `derive`).

Rows go in as multi-row INSERT statements of plain values (Django's per-value insert
compiler and model instances cost more than the database here); values that need the
backend's conversion (UUIDs, dates, JSON) go through their field's
`get_db_prep_save`, so the same code writes SQLite and PostgreSQL.

Re-registrations of the same family are written as separate households, as they
would arrive: they are the deduplication's work.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from sanad.core.text import document_key, name_tokens
from sanad.geo.models import AdminUnit, Place
from sanad.registry.demo.generate import generate_households
from sanad.registry.derive import NAME_FIELDS, has_disability, household_derived
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
    SearchKey,
    new_card_token,
    new_registration_id,
)

BATCH = 500
_MEMBER_FIELDS = (
    "given_name_ar",
    "fathers_name_ar",
    "grandfathers_name_ar",
    "family_name_ar",
    "given_name_en",
    "fathers_name_en",
    "grandfathers_name_en",
    "family_name_en",
    "sex",
    "dob_estimated",
    "relationship",
    "marital_status",
    "is_pregnant",
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
    "has_chronic_illness",
    "is_unaccompanied_or_separated",
    "is_alternate_collector",
    "phone",
    "preferred_language",
)

# Names repeat across thousands of people: normalise each spelling once.
_tokens = functools.lru_cache(maxsize=65536)(lambda text: tuple(name_tokens(text)))


def name_key_and_tokens(member: Any) -> tuple[str, list[str]]:
    """`derive.member_name_key(member)` and the name tokens `derive.search_keys` uses,
    in one pass over the names (tests check both against derive)."""
    tokens = [tok for field in NAME_FIELDS for tok in _tokens(getattr(member, field, "") or "")]
    return " ".join(tokens)[:400], tokens


def household_search_keys(
    *,
    registration_id: str,
    tokens: Iterable[str],
    members: Iterable[Any],
    phones: Iterable[str],
    documents: Iterable[str],
) -> set[str]:
    """`derive.search_keys(...)`, given the members' name tokens already computed."""
    keys = {f"r:{registration_id.upper()}"}
    keys.update(f"n:{tok}"[:60] for tok in tokens)
    keys.update(f"p:{m.phone}" for m in members if m.phone)
    keys.update(f"p:{p}" for p in phones if p)
    keys.update(f"d:{document_key(d)}"[:60] for d in documents if d)
    return keys


class _Person:
    """A member as `derive` reads it (attributes), without a model instance."""

    status = "active"
    date_of_birth: datetime.date
    documents: list[dict[str, Any]]
    has_disability: bool
    name_key: str
    phone: str
    public_id: uuid.UUID

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)


class _Table:
    """INSERT of whole rows of `model` from dicts of attribute names: the fields not
    given take their default (callables called per row)."""

    _CONVERTED = (models.UUIDField, models.DateField, models.JSONField, models.DecimalField)

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        self.head = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(str(f.column)) for f in fields)}) VALUES "
        )
        self.row_sql = f"({', '.join(['%s'] * len(fields))})"
        # Many rows per statement (one round trip each on PostgreSQL), within SQLite's
        # oldest limit of 999 parameters per statement.
        self.rows_per_statement = max(1, 999 // len(fields))
        self.plan: list[tuple[str | None, Any, Callable[..., Any] | None]] = []
        for f in fields:
            convert = (
                functools.partial(f.get_db_prep_save, connection=connection)
                if isinstance(f, self._CONVERTED)
                else None
            )
            if f.attname in given:
                self.plan.append((f.attname, None, convert))
            elif f.has_default() and callable(f.default):
                self.plan.append((None, f.default, convert))
            else:
                default = f.get_default()
                self.plan.append((None, convert(default) if convert else default, None))

    def insert(self, rows: Iterable[dict[str, Any]]) -> None:
        plan = self.plan
        values = []
        for row in rows:
            out = []
            for attname, default, convert in plan:
                if attname is not None:
                    value = row[attname]
                elif callable(default):
                    value = default()
                else:
                    out.append(default)
                    continue
                out.append(convert(value) if convert is not None and value is not None else value)
            values.append(out)
        step = self.rows_per_statement
        full = self.head + ", ".join([self.row_sql] * step)
        with connection.cursor() as cursor:
            for start in range(0, len(values), step):
                chunk = values[start : start + step]
                sql = (
                    full
                    if len(chunk) == step
                    else self.head + ", ".join([self.row_sql] * len(chunk))
                )
                cursor.execute(sql, [v for row in chunk for v in row])


_STAMPS = ("public_id", "created_at", "updated_at", "created_by_id", "updated_by_id")


class _Writer:
    def __init__(self, user: Any) -> None:
        self.user_id = getattr(user, "pk", None)
        self.units: dict[str, tuple[int, int]] = {
            pcode: (pk, gov or pk)
            for pcode, pk, gov in AdminUnit.objects.values_list("pcode", "pk", "governorate_id")
        }
        self.places: dict[tuple[str, str], int] = {}
        self.place_rows: list[tuple[str, str, str, str]] = []
        for pk, kind, code, pcode, status in Place.objects.exclude(code="").values_list(
            "pk", "kind", "code", "admin_unit__pcode", "status"
        ):
            self.places[(kind, code)] = pk
            self.place_rows.append((kind, code, pcode, status))
        self.place_by_code = {code: pk for (_kind, code), pk in self.places.items()}
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.households = _Table(
            Household,
            (
                *_STAMPS,
                "registration_id",
                "card_token",
                "admin_unit_id",
                "governorate_id",
                "place_id",
                "shelter_type",
                "displacement_status",
                "origin_admin_unit_id",
                "origin_place_name",
                "displaced_on",
                "source",
                "source_ref",
                "size",
                "is_woman_headed",
                "is_child_headed",
                "is_older_person_alone",
                "has_disability",
                "has_unaccompanied_child",
                "is_large",
                "demographics",
            ),
        )
        self.individuals = _Table(
            Individual,
            (
                *_STAMPS,
                *_MEMBER_FIELDS,
                "household_id",
                "date_of_birth",
                "has_disability",
                "name_key",
            ),
        )
        self.documents = _Table(
            IndividualDocument,
            (*_STAMPS, "individual_id", "kind", "number", "number_key", "issuing_governorate_id"),
        )
        self.phones = _Table(
            HouseholdPhone, (*_STAMPS, "household_id", "number", "owner_id", "is_primary")
        )
        self.consents = _Table(
            Consent, (*_STAMPS, "household_id", "purpose", "legal_basis", "given", "recorded_on")
        )
        self.moves = _Table(
            DisplacementMove,
            (
                *_STAMPS,
                "household_id",
                "moved_on",
                "from_admin_unit_id",
                "to_admin_unit_id",
                "to_place_id",
                "displacement_status",
                "shelter_type",
                "notes",
            ),
        )
        self.search_keys = _Table(SearchKey, ("household_id", "key"))
        self.counts = dict.fromkeys(
            (
                "households",
                "individuals",
                "documents",
                "phones",
                "consents",
                "moves",
                "search_keys",
                "re_registrations",
            ),
            0,
        )

    def _stamp(self, row: dict[str, Any], at: datetime.datetime | None = None) -> dict[str, Any]:
        row["public_id"] = uuid.uuid4()
        row["created_at"] = row["updated_at"] = at or self.now
        row["created_by_id"] = row["updated_by_id"] = self.user_id
        return row

    def _unit(self, pcode: str | None) -> int | None:
        return self.units[pcode][0] if pcode else None

    def write(self, records: list[dict[str, Any]]) -> None:
        fromiso = datetime.date.fromisoformat
        unit, stamp = self._unit, self._stamp
        hh_rows: list[dict[str, Any]] = []
        people_of: list[list[_Person]] = []
        tokens_of: list[list[str]] = []
        for record in records:
            h = record["household"]
            unit_pk, gov_pk = self.units[h["admin_unit"]]
            registered = datetime.datetime.combine(
                fromiso(h["registered_on"]), datetime.time(9, 0), tzinfo=self.tz
            )
            people = []
            tokens: list[str] = []
            for m in record["members"]:
                person = _Person({name: m[name] for name in _MEMBER_FIELDS})
                person.date_of_birth = fromiso(m["date_of_birth"])
                person.documents = m["documents"]
                person.has_disability = has_disability(person)
                person.name_key, member_tokens = name_key_and_tokens(person)
                tokens.extend(member_tokens)
                people.append(person)
            row = stamp(
                {
                    "registration_id": new_registration_id(),
                    "card_token": new_card_token(),
                    "admin_unit_id": unit_pk,
                    "governorate_id": gov_pk,
                    "place_id": self.places.get((h["place_kind"], h["place_code"]))
                    if h["place_code"]
                    else None,
                    "shelter_type": h["shelter_type"],
                    "displacement_status": h["displacement_status"],
                    "origin_admin_unit_id": unit(h["origin_admin_unit"]),
                    "origin_place_name": h["origin_place_name"],
                    "displaced_on": fromiso(h["displaced_on"]) if h["displaced_on"] else None,
                    "source": h["source"],
                    "source_ref": h["source_ref"],
                    **household_derived(people, on=self.today),
                },
                registered,
            )
            row["_record"] = h
            hh_rows.append(row)
            people_of.append(people)
            tokens_of.append(tokens)
            if h["demo_duplicate_of"]:
                self.counts["re_registrations"] += 1

        self.households.insert(hh_rows)
        hh_pks = _pks(Household, "registration_id", [r["registration_id"] for r in hh_rows])

        ind_rows = []
        for row, people in zip(hh_rows, people_of, strict=True):
            household_id = hh_pks[row["registration_id"]]
            row["id"] = household_id
            for person in people:
                ind = stamp({name: getattr(person, name) for name in _MEMBER_FIELDS})
                ind.update(
                    household_id=household_id,
                    date_of_birth=person.date_of_birth,
                    has_disability=person.has_disability,
                    name_key=person.name_key,
                )
                person.public_id = ind["public_id"]
                ind_rows.append(ind)
        self.individuals.insert(ind_rows)
        ind_pks = _pks(Individual, "public_id", [r["public_id"] for r in ind_rows])

        doc_rows: list[dict[str, Any]] = []
        phone_rows: list[dict[str, Any]] = []
        consent_rows: list[dict[str, Any]] = []
        move_rows: list[dict[str, Any]] = []
        key_rows: list[dict[str, Any]] = []
        for row, people, tokens in zip(hh_rows, people_of, tokens_of, strict=True):
            h, household_id = row["_record"], row["id"]
            numbers = []
            owners: dict[str, int] = {}
            for person in people:
                person_id = ind_pks[person.public_id]
                if person.phone:
                    owners.setdefault(person.phone, person_id)
                for d in person.documents:
                    numbers.append(d["number"])
                    doc_rows.append(
                        stamp(
                            {
                                "individual_id": person_id,
                                "kind": d["kind"],
                                "number": d["number"],
                                "number_key": document_key(d["number"]),
                                "issuing_governorate_id": unit(d["issuing_governorate"]),
                            }
                        )
                    )
            for i, number in enumerate(h["phones"]):
                phone_rows.append(
                    stamp(
                        {
                            "household_id": household_id,
                            "number": number,
                            "owner_id": owners.get(number),
                            "is_primary": i == 0,
                        }
                    )
                )
            for purpose, c in h["consents"].items():
                consent_rows.append(
                    stamp(
                        {
                            "household_id": household_id,
                            "purpose": purpose,
                            "legal_basis": c["legal_basis"],
                            "given": c["given"],
                            "recorded_on": fromiso(c["recorded_on"]),
                        }
                    )
                )
            for mv in h["moves"]:
                move_rows.append(
                    stamp(
                        {
                            "household_id": household_id,
                            "moved_on": fromiso(mv["moved_on"]) if mv["moved_on"] else None,
                            "from_admin_unit_id": unit(mv["from_admin_unit"]),
                            "to_admin_unit_id": unit(mv["to_admin_unit"]),
                            "to_place_id": self.place_by_code.get(mv["to_place_code"] or ""),
                            "displacement_status": mv["displacement_status"],
                            "shelter_type": mv["shelter_type"],
                            "notes": mv["notes"],
                        }
                    )
                )
            keys = household_search_keys(
                registration_id=row["registration_id"],
                tokens=tokens,
                members=people,
                phones=h["phones"],
                documents=numbers,
            )
            key_rows.extend({"household_id": household_id, "key": key} for key in sorted(keys))
        self.documents.insert(doc_rows)
        self.phones.insert(phone_rows)
        self.consents.insert(consent_rows)
        self.moves.insert(move_rows)
        self.search_keys.insert(key_rows)

        c = self.counts
        c["households"] += len(hh_rows)
        c["individuals"] += len(ind_rows)
        c["documents"] += len(doc_rows)
        c["phones"] += len(phone_rows)
        c["consents"] += len(consent_rows)
        c["moves"] += len(move_rows)
        c["search_keys"] += len(key_rows)


def _pks(model: type[models.Model], field: str, values: list[Any]) -> dict[Any, int]:
    """{value of `field`: primary key} for rows just inserted."""
    out: dict[Any, int] = {}
    for start in range(0, len(values), 500):  # SQLite's limit on query parameters
        out.update(
            model._default_manager.filter(
                **{f"{field}__in": values[start : start + 500]}
            ).values_list(field, "pk")
        )
    return out


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def seed_registry(*, n: int, user: Any, seed: int = 7, batch_size: int = BATCH) -> dict[str, int]:
    """Write `n` generated households (members, documents, phones, consents, moves,
    search keys) in one transaction; returns how many rows of each were written.

    Households live in the places that exist (found by site code) and in admin units
    that exist: run it after the places are seeded.
    """
    writer = _Writer(user)
    records = generate_households(
        n, seed=seed, places=writer.place_rows, admin_units=writer.units.keys()
    )
    with transaction.atomic():
        for batch in _batches(records, batch_size):
            writer.write(batch)
    return writer.counts

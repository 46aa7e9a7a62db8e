"""Writes demo households to the database fast: `bulk_create` in batches, with the same
derived values the registry services compute (`household_derived`, `has_disability`,
`member_name_key`, `document_key`, `search_keys`), but without the per-household
queries of `household_register`, the audit trail of each row or its validation (the
generator only produces what the validation accepts; tests/registry/test_demo.py
checks it against `prepare_household`).

Re-registrations of the same family are written as separate households, as they
would arrive: they are the deduplication's work.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
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
    from one pass over the names (tests check both against derive)."""
    tokens = [tok for field in NAME_FIELDS for tok in _tokens(getattr(member, field) or "")]
    return " ".join(tokens)[:400], tokens


def household_search_keys(
    registration_id: str, tokens: Iterable[str], members: Iterable[Any], phones: Iterable[str],
    documents: Iterable[str],
) -> set[str]:
    """`derive.search_keys(...)` given the members' name tokens already computed."""
    keys = {f"r:{registration_id.upper()}"}
    keys.update(f"n:{tok}"[:60] for tok in tokens)
    keys.update(f"p:{m.phone}" for m in members if m.phone)
    keys.update(f"p:{p}" for p in phones if p)
    keys.update(f"d:{document_key(d)}"[:60] for d in documents if d)
    return keys


_DERIVED = (
    "size",
    "is_woman_headed",
    "is_child_headed",
    "is_older_person_alone",
    "has_disability",
    "has_unaccompanied_child",
    "is_large",
    "demographics",
)


class _Writer:
    def __init__(self, user: Any) -> None:
        self.user = user if getattr(user, "pk", None) else None
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

    def _unit(self, pcode: str | None) -> int | None:
        return self.units[pcode][0] if pcode else None

    def stamp(self, obj: Any) -> Any:
        obj.created_by = obj.updated_by = self.user
        return obj

    def write(self, records: list[dict[str, Any]]) -> None:
        households: list[Household] = []
        members: list[Individual] = []
        documents: list[IndividualDocument] = []
        phones: list[HouseholdPhone] = []
        consents: list[Consent] = []
        moves: list[DisplacementMove] = []
        pending_keys: list[tuple[Household, list[Individual], list[str], list[str], list[str]]] = []
        registered: list[datetime.date] = []
        stamp, unit = self.stamp, self._unit
        fromiso = datetime.date.fromisoformat
        for record in records:
            h = record["household"]
            unit_pk, gov_pk = self.units[h["admin_unit"]]
            place_pk = self.places.get((h["place_kind"], h["place_code"])) if h["place_code"] else None
            household = stamp(
                Household(
                    admin_unit_id=unit_pk,
                    governorate_id=gov_pk,
                    place_id=place_pk,
                    shelter_type=h["shelter_type"],
                    displacement_status=h["displacement_status"],
                    origin_admin_unit_id=unit(h["origin_admin_unit"]),
                    origin_place_name=h["origin_place_name"],
                    displaced_on=fromiso(h["displaced_on"]) if h["displaced_on"] else None,
                    source=h["source"],
                    source_ref=h["source_ref"],
                )
            )
            people = []
            numbers: list[str] = []
            tokens: list[str] = []
            for m in record["members"]:
                person = stamp(
                    Individual(
                        household=household,
                        date_of_birth=fromiso(m["date_of_birth"]),
                        **{name: m[name] for name in _MEMBER_FIELDS},
                    )
                )
                person.has_disability = has_disability(person)
                person.name_key, member_tokens = name_key_and_tokens(person)
                tokens.extend(member_tokens)
                people.append(person)
                for d in m["documents"]:
                    numbers.append(d["number"])
                    documents.append(
                        stamp(
                            IndividualDocument(
                                individual=person,
                                kind=d["kind"],
                                number=d["number"],
                                number_key=document_key(d["number"]),
                                issuing_governorate_id=unit(d["issuing_governorate"]),
                            )
                        )
                    )
            for name, value in household_derived(people, on=self.today).items():
                setattr(household, name, value)
            owners = {p.phone: p for p in people if p.phone}
            for i, number in enumerate(h["phones"]):
                phones.append(
                    stamp(
                        HouseholdPhone(
                            household=household,
                            number=number,
                            owner=owners.get(number),
                            is_primary=i == 0,
                        )
                    )
                )
            for purpose, c in h["consents"].items():
                consents.append(
                    stamp(
                        Consent(
                            household=household,
                            purpose=purpose,
                            legal_basis=c["legal_basis"],
                            given=c["given"],
                            recorded_on=fromiso(c["recorded_on"]),
                        )
                    )
                )
            for mv in h["moves"]:
                moves.append(
                    stamp(
                        DisplacementMove(
                            household=household,
                            moved_on=fromiso(mv["moved_on"]) if mv["moved_on"] else None,
                            from_admin_unit_id=unit(mv["from_admin_unit"]),
                            to_admin_unit_id=unit(mv["to_admin_unit"]),
                            to_place_id=self.place_by_code.get(mv["to_place_code"] or ""),
                            displacement_status=mv["displacement_status"],
                            shelter_type=mv["shelter_type"],
                            notes=mv["notes"],
                        )
                    )
                )
            households.append(household)
            members.extend(people)
            registered.append(fromiso(h["registered_on"]))
            pending_keys.append((household, people, list(h["phones"]), numbers, tokens))
            if h["demo_duplicate_of"]:
                self.counts["re_registrations"] += 1

        Household.objects.bulk_create(households)
        Individual.objects.bulk_create(members)
        IndividualDocument.objects.bulk_create(documents)
        HouseholdPhone.objects.bulk_create(phones)
        Consent.objects.bulk_create(consents)
        DisplacementMove.objects.bulk_create(moves)
        # Search keys are most of the rows: inserted without model instances.
        rows = [
            (household.pk, key)
            for household, people, numbers, docs, tokens in pending_keys
            for key in household_search_keys(household.registration_id, tokens, people, numbers, docs)
        ]
        table = connection.ops.quote_name(SearchKey._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(
                    f"INSERT INTO {table} (household_id, {connection.ops.quote_name('key')}) "  # noqa: S608
                    "VALUES (%s, %s)",
                    rows[start : start + 5000],
                )
        # `created_at` is set on insert; the registration date is what lists sort by.
        for household, day in zip(households, registered, strict=True):
            household.created_at = household.updated_at = datetime.datetime.combine(
                day, datetime.time(9, 0), tzinfo=self.tz
            )
        Household.objects.bulk_update(households, ["created_at", "updated_at"], batch_size=250)

        c = self.counts
        c["households"] += len(households)
        c["individuals"] += len(members)
        c["documents"] += len(documents)
        c["phones"] += len(phones)
        c["consents"] += len(consents)
        c["moves"] += len(moves)
        c["search_keys"] += len(rows)


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def seed_registry(*, n: int, user: Any, seed: int = 7, batch_size: int = BATCH) -> dict[str, int]:
    """Write `n` generated households (members, documents, phones, consents, moves,
    search keys) in one transaction; returns how many rows of each were written.

    Households live in the places that exist (by site code) and in admin units that
    exist; run it after the places are seeded.
    """
    writer = _Writer(user)
    records = generate_households(
        n, seed=seed, places=writer.place_rows, admin_units=writer.units.keys()
    )
    with transaction.atomic():
        for batch in _batches(records, batch_size):
            writer.write(batch)
    return writer.counts

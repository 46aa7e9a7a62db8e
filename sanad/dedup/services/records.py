"""The engine's side of the registry: the matching engine's public names (it is pure
Python and knows nothing of Django) and one engine `Record` per registry individual
(record id = the individual's public id, household id = the household's public id)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from sanad.dedup.models import FALLBACK_FLAG_THRESHOLD, FALLBACK_REVIEW_THRESHOLD
from sanad.geo.models import AdminUnit
from sanad.registry.models import Household, HouseholdPhone, Individual, IndividualDocument

# The documents compared, in order of preference (the engine compares one number).
DOCUMENT_PREFERENCE = (
    IndividualDocument.Kind.NATIONAL_ID,
    IndividualDocument.Kind.CIVIL_ID,
    IndividualDocument.Kind.PDS_CARD,
    IndividualDocument.Kind.PASSPORT,
    IndividualDocument.Kind.UNHCR,
)
MERGEABLE = (Household.Status.ACTIVE, Household.Status.INACTIVE)


# --- the engine -------------------------------------------------------------------------------


def engine() -> Any:
    """The matching engine package (imported late: it loads DuckDB; tests replace it)."""
    from sanad.dedup import engine as package

    return package


def default_thresholds() -> tuple[float, float]:
    """The engine's recommended (flag, review) thresholds."""
    try:
        module = engine()
        return float(module.FLAG_THRESHOLD), float(module.REVIEW_THRESHOLD)
    except (ImportError, AttributeError):
        return FALLBACK_FLAG_THRESHOLD, FALLBACK_REVIEW_THRESHOLD


# --- records for the engine ---------------------------------------------------------------


@dataclasses.dataclass
class RegistryRecords:
    records: list[Any]
    # individual public id → (individual pk, household pk)
    ids: dict[str, tuple[int, int]]


def households_for_run(governorates: Iterable[str]) -> QuerySet[Household]:
    """Households a run compares: active or inactive (a family registered again after
    its first record went inactive is exactly a duplicate), in the governorates."""
    qs = Household.objects.filter(status__in=MERGEABLE)
    codes = sorted(governorates)
    return qs.filter(governorate__pcode__in=codes) if codes else qs


def registry_records(households: QuerySet[Household]) -> RegistryRecords:
    """One engine Record per current member of `households`: Arabic-script name parts,
    or the Latin ones when the Arabic are empty; sex; date of birth (and whether it is
    estimated); the person's phone or the household's main phone; one document
    number; the household's governorate and district P-codes; the relationship."""
    Record = engine().Record
    units = {
        pk: (level, pcode, parent)
        for pk, level, pcode, parent in AdminUnit.objects.values_list(
            "pk", "level", "pcode", "parent_id"
        )
    }
    pcode_of = {pk: v[1] for pk, v in units.items()}

    def district(unit_pk: int | None) -> str:
        seen = 0
        while unit_pk is not None and seen < 4:
            level, pcode, parent = units[unit_pk]
            if level == AdminUnit.Level.DISTRICT:
                return pcode
            if level < AdminUnit.Level.DISTRICT:
                return ""
            unit_pk, seen = parent, seen + 1
        return ""

    hh_rows = households.values_list("pk", "public_id", "admin_unit_id", "governorate_id")
    hh = {pk: (str(pid), district(unit), pcode_of.get(gov, "")) for pk, pid, unit, gov in hh_rows}
    phones: dict[int, str] = {}
    for household_id, number in (
        HouseholdPhone.objects.filter(household__in=households)
        .order_by("-is_primary", "pk")
        .values_list("household_id", "number")
    ):
        phones.setdefault(household_id, number)
    rank: dict[str, int] = {str(kind): i for i, kind in enumerate(DOCUMENT_PREFERENCE)}
    documents: dict[int, tuple[int, str]] = {}
    for individual_id, kind, number in IndividualDocument.objects.filter(
        individual__household__in=households, individual__status=Individual.Status.ACTIVE
    ).values_list("individual_id", "kind", "number"):
        r = rank.get(kind, len(rank))
        if individual_id not in documents or r < documents[individual_id][0]:
            documents[individual_id] = (r, number)
    fields = (
        "pk",
        "public_id",
        "household_id",
        "given_name_ar",
        "fathers_name_ar",
        "grandfathers_name_ar",
        "family_name_ar",
        "given_name_en",
        "fathers_name_en",
        "grandfathers_name_en",
        "family_name_en",
        "sex",
        "date_of_birth",
        "dob_estimated",
        "phone",
        "relationship",
    )
    records: list[Any] = []
    ids: dict[str, tuple[int, int]] = {}
    for row in (
        Individual.objects.filter(household__in=households, status=Individual.Status.ACTIVE)
        .order_by("pk")
        .values_list(*fields)
        .iterator(chunk_size=5000)
    ):
        pk, public_id, household_id = row[:3]
        arabic, latin = row[3:7], row[7:11]
        sex, dob, estimated, phone, relationship = row[11:]
        names = arabic if any(arabic) else latin
        household_public_id, admin2, admin1 = hh[household_id]
        record_id = str(public_id)
        records.append(
            Record(
                record_id=record_id,
                household_id=household_public_id,
                given_name=names[0] or "",
                father_name=names[1] or "",
                grandfather_name=names[2] or "",
                family_name=names[3] or "",
                sex=sex or "",
                date_of_birth=dob.isoformat() if dob else "",
                dob_estimated=bool(estimated),
                phone=phone or phones.get(household_id, ""),
                document_number=documents.get(pk, (0, ""))[1],
                admin1_pcode=admin1,
                admin2_pcode=admin2,
                relationship=relationship or "",
            )
        )
        ids[record_id] = (pk, household_id)
    return RegistryRecords(records=records, ids=ids)

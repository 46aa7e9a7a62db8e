"""What validation produces and commit consumes: errors (`Err`), validated members and
households (`VMember`, `VHousehold`, which spool to JSON as plain lists), and the
reference data rows are checked against (`Reference`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils.translation import gettext


class Err(NamedTuple):
    sheet: str
    row: int
    column: str
    value: str
    msgid: str
    params: dict[str, Any]


def error_message(msgid: str, params: dict[str, Any] | None) -> str:
    """The message in the active language."""
    text = gettext(msgid)
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return msgid % params
    return text


def error_dict(err: Err) -> dict[str, Any]:
    return {
        "sheet": err.sheet,
        "row": err.row,
        "column": err.column,
        "value": str(err.value)[:200],
        "msgid": err.msgid,
        "params": err.params,
    }


# --- validated records -----------------------------------------------------------------

MEMBER_SLOTS = (
    "row",
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
    "phone",
    "preferred_language",
    "is_alternate_collector",
    "document_kind",
    "document_number",
    "document_key",
)
NAME_SLOTS = MEMBER_SLOTS[1:9]
WG_SLOTS = MEMBER_SLOTS[15:21]
_DOB = MEMBER_SLOTS.index("date_of_birth")


class VMember(list):  # type: ignore[type-arg]
    """A validated member: a list in `MEMBER_SLOTS` order (cheap to build, to spool as
    JSON and to read back) with the attributes `household_derived` and friends read."""

    __slots__ = ()
    status = "active"
    if TYPE_CHECKING:  # the properties made below, one per slot
        row: int
        given_name_ar: str
        fathers_name_ar: str
        grandfathers_name_ar: str
        family_name_ar: str
        given_name_en: str
        fathers_name_en: str
        grandfathers_name_en: str
        family_name_en: str
        sex: str
        date_of_birth: datetime.date
        dob_estimated: bool
        relationship: str
        marital_status: str
        is_pregnant: bool
        wg_seeing: int | None
        wg_hearing: int | None
        wg_walking: int | None
        wg_cognition: int | None
        wg_selfcare: int | None
        wg_communication: int | None
        has_chronic_illness: bool
        is_unaccompanied_or_separated: bool
        phone: str
        preferred_language: str
        is_alternate_collector: bool
        document_kind: str
        document_number: str
        document_key: str

    def to_list(self) -> list[Any]:
        values = list(self)
        values[_DOB] = values[_DOB].toordinal()
        return values

    @classmethod
    def from_list(cls, values: list[Any]) -> VMember:
        m = cls(values)
        m[_DOB] = datetime.date.fromordinal(values[_DOB])
        return m


for _i, _name in enumerate(MEMBER_SLOTS):
    setattr(VMember, _name, property(itemgetter(_i)))


HOUSEHOLD_SLOTS = (
    "row",
    "source_ref",
    "admin_unit_id",
    "governorate_id",
    "place_id",
    "shelter_type",
    "displacement_status",
    "origin_admin_unit_id",
    "origin_place_name",
    "displaced_on",
    "phone",
    "notes",
    "consent_on",
    "members",
)


class VHousehold:
    __slots__ = HOUSEHOLD_SLOTS
    row: int
    source_ref: str | None
    admin_unit_id: int | None
    governorate_id: int | None
    place_id: int | None
    shelter_type: str
    displacement_status: str | None
    origin_admin_unit_id: int | None
    origin_place_name: str
    displaced_on: datetime.date | None
    phone: str
    notes: str
    consent_on: datetime.date
    members: list[VMember]

    def to_list(self) -> list[Any]:
        values = [getattr(self, s) for s in HOUSEHOLD_SLOTS[:-1]]
        values[9] = values[9].toordinal() if values[9] else None
        values[12] = values[12].toordinal()
        values.append([m.to_list() for m in self.members])
        return values

    @classmethod
    def from_list(cls, values: list[Any]) -> VHousehold:
        h = cls()
        for slot, value in zip(HOUSEHOLD_SLOTS[:-1], values, strict=False):
            setattr(h, slot, value)
        h.displaced_on = datetime.date.fromordinal(values[9]) if values[9] else None
        h.consent_on = datetime.date.fromordinal(values[12])
        h.members = [VMember.from_list(m) for m in values[13]]
        return h


# --- reference data --------------------------------------------------------------------


class Unit(NamedTuple):
    id: int
    pcode: str
    level: int
    governorate_id: int
    governorate_pcode: str
    parent_pcode: str


@dataclass
class Reference:
    """What rows are checked against, loaded once per import."""

    units: dict[str, Unit]
    # code (upper case) → [(place id, governorate id, open)]
    places: dict[str, list[tuple[int, int, bool]]]
    allowed_governorates: frozenset[str] | None  # None: everywhere

    @classmethod
    def load(cls, *, allowed_governorates: frozenset[str] | None) -> Reference:
        from sanad.geo.models import AdminUnit, Place

        rows = list(
            AdminUnit.objects.values_list("id", "pcode", "level", "governorate_id", "parent__pcode")
        )
        pcode_of = {pk: pcode for pk, pcode, *_rest in rows}
        units = {}
        for pk, pcode, level, gov_id, parent_pcode in rows:
            gov_id = gov_id or pk
            units[pcode] = Unit(
                pk, pcode, level, gov_id, pcode_of.get(gov_id, pcode), parent_pcode or ""
            )
        places: dict[str, list[tuple[int, int, bool]]] = {}
        for pk, code, unit_gov, unit_id, status in Place.objects.exclude(code="").values_list(
            "id", "code", "admin_unit__governorate_id", "admin_unit_id", "status"
        ):
            places.setdefault(code.strip().upper(), []).append(
                (pk, unit_gov or unit_id, status == Place.Status.OPEN)
            )
        return cls(units=units, places=places, allowed_governorates=allowed_governorates)

"""The registry's rules for a household and its members, as pure functions.

Everything here works on plain dicts and unsaved model objects and makes no database
query when given pre-loaded `Lookups`, so that the web form, the API and imports of
200,000 households share one definition of what is valid. Problems come back as
`(field path, message)` pairs, with paths such as `members.2.date_of_birth`,
`members.0.documents.1.number`, `phones.0` or `consents.1.legal_basis`.

Rules for a member (`clean_member`):
- a given name in Arabic script or in Latin letters (Arabic-script fields hold no
  Latin letters and the reverse);
- sex; date of birth (or an age in years, which gives an estimated date of birth on
  1 January) not in the future and no more than 110 years ago;
- pregnancy only for a woman or girl aged 10 to 60;
- "unaccompanied or separated" only for a child under 18;
- Washington Group answers from 1 (no difficulty) to 4 (cannot do at all);
- an Iraqi mobile number; one document of each kind, with a number.

Rules for the household's members together (`validate_members`):
- at least one member and exactly one head of household;
- the head is at least 12 years old (a head aged 12 to 17 makes the household
  child-headed);
- a spouse is at least 15;
- a son or daughter is at least 12 years younger than the head, a father or mother
  at least 12 years older; a grandchild at least 24 years younger, a grandparent at
  least 24 years older (estimated dates of birth are often rounded to 1 January, so
  the gaps are generous);
- relationships that name a sex (son, mother, sister…) agree with the member's sex.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.core.text import document_key, normalise_phone
from sanad.geo.models import AdminUnit, Place
from sanad.registry.derive import (
    age_on,
    has_disability,
    household_derived,
    member_name_key,
    search_keys,
)
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    DisplacementStatus,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
    ShelterType,
)

Problem = tuple[str, str]

MAX_AGE = 110
MIN_HEAD_AGE = 12
MIN_SPOUSE_AGE = 15
PREGNANCY_AGES = (10, 60)
ADULT_AGE = 18
PARENT_GAP = 12
GRANDPARENT_GAP = 24
PHONE_MESSAGE_EXAMPLE = "0750 123 4567"

NAME_FIELDS_AR = ("given_name_ar", "fathers_name_ar", "grandfathers_name_ar", "family_name_ar")
NAME_FIELDS_EN = ("given_name_en", "fathers_name_en", "grandfathers_name_en", "family_name_en")
WG_FIELDS = Individual.WG_DOMAINS
BOOL_MEMBER_FIELDS = (
    "dob_estimated",
    "is_pregnant",
    "has_chronic_illness",
    "is_unaccompanied_or_separated",
    "is_alternate_collector",
)
MEMBER_KEYS = frozenset(
    {
        *NAME_FIELDS_AR,
        *NAME_FIELDS_EN,
        *WG_FIELDS,
        *BOOL_MEMBER_FIELDS,
        "sex",
        "date_of_birth",
        "age",
        "relationship",
        "marital_status",
        "phone",
        "preferred_language",
        "documents",
        # On edits: which member, and a change of their status with its reason.
        "id",
        "status",
        "status_reason",
    }
)
DOCUMENT_KEYS = frozenset({"kind", "number", "issuing_governorate"})
HOUSEHOLD_KEYS = frozenset(
    {
        "place",
        "admin_unit",
        "shelter_type",
        "displacement_status",
        "origin_admin_unit",
        "origin_place_name",
        "displaced_on",
        "notes",
    }
)
CONSENT_KEYS = frozenset(
    {"purpose", "legal_basis", "given", "recorded_on", "withdrawn_on", "notes"}
)

# Relationships that say the member's sex.
RELATIONSHIP_SEX = {
    "son": "male",
    "father": "male",
    "brother": "male",
    "son_in_law": "male",
    "daughter": "female",
    "mother": "female",
    "sister": "female",
    "daughter_in_law": "female",
}
LANGUAGES = frozenset(
    str(code) for code, _label in Individual._meta.get_field("preferred_language").choices or ()
)

_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_DOCUMENT_CHARS = re.compile(r"^[A-Z0-9]+$")
_TRUE = {"1", "true", "yes", "y", "on", "نعم"}
_FALSE = {"0", "false", "no", "n", "off", "", "لا"}


# --- look-ups ------------------------------------------------------------------------


@dataclass
class Lookups:
    """Admin units and places by key, loaded once for a batch. Without them each
    P-code or place id costs a query (fine for one household from a form)."""

    admin_units: dict[str, AdminUnit] | None = None
    places: dict[str, Place] | None = None

    @classmethod
    def load(cls, *, places: Iterable[Place] | None = None) -> Lookups:
        units = {u.pcode: u for u in AdminUnit.objects.select_related("governorate")}
        place_map = None
        if places is not None:
            place_map = {str(p.public_id): p for p in places}
        return cls(admin_units=units, places=place_map)


def _admin_unit(value: Any, lookups: Lookups | None) -> AdminUnit:
    """An AdminUnit from an instance or a P-code; ValueError with the message otherwise."""
    if isinstance(value, AdminUnit):
        return value
    code = str(value or "").strip().upper().replace(" ", "")
    if lookups is not None and lookups.admin_units is not None and code in lookups.admin_units:
        return lookups.admin_units[code]
    from sanad.geo.selectors import admin_unit_get

    try:
        return admin_unit_get(pcode=code)
    except ValidationFailed as exc:
        raise ValueError(str(exc.message)) from exc


def _place(value: Any, lookups: Lookups | None) -> Place:
    if isinstance(value, Place):
        return value
    key = str(value or "").strip()
    if lookups is not None and lookups.places is not None and key in lookups.places:
        return lookups.places[key]
    try:
        uuid.UUID(key)
    except ValueError as exc:
        raise ValueError(_("Give the place by its id.")) from exc
    place = Place.objects.select_related("admin_unit__governorate").filter(public_id=key).first()
    if place is None:
        raise ValueError(_("No place has this id."))
    return place


# --- value parsing -------------------------------------------------------------------


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def parse_date(value: Any) -> datetime.date | None:
    """A date from a date or an ISO 8601 string (YYYY-MM-DD); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise ValueError(_("Write the date as YYYY-MM-DD, for example 1985-03-21.")) from exc


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return value != 0
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("Answer yes or no (true or false)."))


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def phone_message() -> str:
    return _("Write an Iraqi mobile number such as %(example)s.") % {
        "example": PHONE_MESSAGE_EXAMPLE
    }


def clean_phone(value: Any) -> str:
    """A normalised Iraqi mobile (+9647…); ValueError with the message to show."""
    try:
        return normalise_phone(str(value))
    except ValueError as exc:
        raise ValueError(phone_message()) from exc


# --- one member ----------------------------------------------------------------------


def clean_member(
    data: Mapping[str, Any],
    index: int | None,
    *,
    today: datetime.date | None = None,
    lookups: Lookups | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse and check one member's data. Returns the cleaned values (model field
    names, `documents` as a list of dicts, `_index` = position in the submission)
    and the problems found. No database query when `lookups` has the admin units."""
    today = _today(today)
    prefix = f"members.{index}." if index is not None else "members."
    problems: list[Problem] = []

    def problem(name: str, message: str) -> None:
        problems.append((prefix + name, message))

    out: dict[str, Any] = {"_index": index}
    for key in data:
        if key not in MEMBER_KEYS and not str(key).startswith("_"):
            problem(str(key), _("Unknown field."))

    for name in (*NAME_FIELDS_AR, *NAME_FIELDS_EN):
        value = _text(data.get(name))
        if len(value) > 80:
            problem(name, _("Keep a name part to 80 characters or fewer."))
        out[name] = value[:80]
    for name in NAME_FIELDS_AR:
        if _LATIN.search(out[name]):
            problem(
                name, _("Write this name in Arabic script; use the Latin fields for Latin letters.")
            )
    for name in NAME_FIELDS_EN:
        if _ARABIC.search(out[name]):
            problem(
                name,
                _("Write this name in Latin letters; use the Arabic fields for Arabic script."),
            )
    if not out["given_name_ar"] and not out["given_name_en"]:
        message = _("Give the person's first name in Arabic script, in Latin letters, or both.")
        problem("given_name_ar", message)
        problem("given_name_en", message)

    sex = _text(data.get("sex")).lower()
    if sex not in Individual.Sex.values:
        problem("sex", _("Choose the person's sex: female or male."))
        sex = ""
    out["sex"] = sex

    relationship = _text(data.get("relationship")).lower()
    if relationship not in Individual.Relationship.values:
        problem("relationship", _("Choose the person's relationship to the head of household."))
        relationship = ""
    out["relationship"] = relationship

    for name in BOOL_MEMBER_FIELDS:
        try:
            out[name] = parse_bool(data.get(name))
        except ValueError as exc:
            problem(name, str(exc))
            out[name] = False

    dob: datetime.date | None = None
    dob_unreadable = False
    try:
        dob = parse_date(data.get("date_of_birth"))
    except ValueError as exc:
        problem("date_of_birth", str(exc))
        dob_unreadable = True
    if dob is None and not dob_unreadable:
        raw_age = data.get("age")
        if raw_age in (None, ""):
            problem(
                "date_of_birth",
                _("Give the date of birth, or the age in years when the date is unknown."),
            )
        else:
            try:
                years = int(str(raw_age).strip())
                if years < 0:
                    raise ValueError
            except ValueError:
                problem("age", _("Write the age as a whole number of years."))
            else:
                if years > MAX_AGE:
                    problem(
                        "age",
                        _("An age above %(max)s years is not plausible. Check it.")
                        % {"max": MAX_AGE},
                    )
                else:
                    # An age alone gives an estimated date of birth on 1 January, as
                    # civil registries record an unknown birthday.
                    dob = datetime.date(today.year - years, 1, 1)
                    out["dob_estimated"] = True
    age: int | None = None
    if dob is not None:
        if dob > today:
            problem("date_of_birth", _("The date of birth is in the future. Check the year."))
            dob = None
        elif age_on(dob, today) > MAX_AGE:
            problem(
                "date_of_birth",
                _("This date of birth makes the person older than %(max)s. Check the year.")
                % {"max": MAX_AGE},
            )
            dob = None
        else:
            age = age_on(dob, today)
    out["date_of_birth"] = dob
    out["_age"] = age

    marital = _text(data.get("marital_status")).lower()
    if marital and marital not in Individual.MaritalStatus.values:
        problem("marital_status", _("Choose a marital status from the list."))
        marital = ""
    out["marital_status"] = marital

    if out["is_pregnant"]:
        low, high = PREGNANCY_AGES
        if sex == "male":
            problem("is_pregnant", _("Pregnancy can only be recorded for a woman or a girl."))
        elif age is not None and not low <= age <= high:
            problem(
                "is_pregnant",
                _("Pregnancy can only be recorded for a woman or a girl aged %(low)s to %(high)s.")
                % {"low": low, "high": high},
            )
    if out["is_unaccompanied_or_separated"] and age is not None and age >= ADULT_AGE:
        problem(
            "is_unaccompanied_or_separated",
            _("Only a child under 18 can be unaccompanied or separated."),
        )

    for name in WG_FIELDS:
        raw = data.get(name)
        if raw in (None, ""):
            out[name] = None
            continue
        try:
            answer = int(str(raw).strip())
            if answer not in Individual.Difficulty.values:
                raise ValueError
        except ValueError:
            problem(name, _("Answer from 1 (no difficulty) to 4 (cannot do at all)."))
            out[name] = None
        else:
            out[name] = answer

    phone = _text(data.get("phone"))
    if phone:
        try:
            phone = clean_phone(phone)
        except ValueError as exc:
            problem("phone", str(exc))
    out["phone"] = phone

    language = _text(data.get("preferred_language")).lower()
    if language and language not in LANGUAGES:
        problem("preferred_language", _("Choose a language from the list."))
        language = ""
    out["preferred_language"] = language

    status = _text(data.get("status")).lower() or Individual.Status.ACTIVE
    if status not in Individual.Status.values:
        problem("status", _("Choose whether the person is a member, has left or has died."))
        status = Individual.Status.ACTIVE
    out["status"] = status
    out["status_reason"] = _text(data.get("status_reason"))
    if data.get("id"):
        out["id"] = str(data["id"])

    out["documents"] = []
    seen_kinds: set[str] = set()
    documents = data.get("documents") or []
    if not isinstance(documents, list | tuple):
        problem("documents", _("Give the documents as a list."))
        documents = []
    for j, doc in enumerate(documents):
        cleaned, doc_problems = clean_document(doc, lookups=lookups)
        problems.extend((f"{prefix}documents.{j}.{name}", msg) for name, msg in doc_problems)
        if cleaned is None:
            continue
        if cleaned["kind"] in seen_kinds:
            problem(
                f"documents.{j}.kind",
                _("A person has one document of each kind; this kind is given twice."),
            )
            continue
        seen_kinds.add(cleaned["kind"])
        cleaned["_index"] = j
        out["documents"].append(cleaned)
    return out, problems


def clean_document(
    data: Any, *, lookups: Lookups | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return None, [("kind", _("Give each document as kind and number."))]
    for key in data:
        if key not in DOCUMENT_KEYS:
            problems.append((str(key), _("Unknown field.")))
    kind = _text(data.get("kind")).lower()
    if kind not in IndividualDocument.Kind.values:
        problems.append(("kind", _("Choose the kind of document from the list.")))
    number = _text(data.get("number"))
    key = document_key(number)
    if not number:
        problems.append(("number", _("Give the document number.")))
    elif len(number) > 40 or not _DOCUMENT_CHARS.match(key):
        problems.append(
            (
                "number",
                _(
                    "A document number has up to 40 letters and digits (spaces and dashes are ignored)."
                ),
            )
        )
    governorate = None
    raw_gov = data.get("issuing_governorate")
    if raw_gov not in (None, ""):
        try:
            governorate = _admin_unit(raw_gov, lookups)
        except ValueError as exc:
            problems.append(("issuing_governorate", str(exc)))
        else:
            if governorate.level != AdminUnit.Level.GOVERNORATE:
                problems.append(
                    ("issuing_governorate", _("Choose the governorate that issued the document."))
                )
                governorate = None
    if problems:
        return None, problems
    return {
        "kind": kind,
        "number": number,
        "number_key": key,
        "issuing_governorate": governorate,
    }, []


def validate_member(
    data: Mapping[str, Any],
    index: int,
    *,
    today: datetime.date | None = None,
    lookups: Lookups | None = None,
) -> list[Problem]:
    """The problems of one member's data (see `clean_member`)."""
    return clean_member(data, index, today=today, lookups=lookups)[1]


# --- the members together ------------------------------------------------------------


def _years_between(older: datetime.date, younger: datetime.date) -> int:
    """Whole years from `older` to `younger` (negative when `older` is the younger)."""
    if older <= younger:
        return age_on(older, younger)
    return -age_on(younger, older)


def validate_members(members: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Household-level rules on cleaned members (from `clean_member`): one head,
    plausible ages for the relationships, the same document not twice."""
    problems: list[Problem] = []

    def path(m: Mapping[str, Any], name: str) -> str:
        idx = m.get("_index")
        return f"members.{idx}.{name}" if idx is not None else "members"

    active = [m for m in members if m.get("status", "active") == Individual.Status.ACTIVE]
    if not active:
        problems.append(("members", _("Add at least one member: the head of household.")))
        return problems
    heads = [m for m in active if m.get("relationship") == Individual.Relationship.HEAD]
    if not heads and all(m.get("relationship") for m in active):
        problems.append(("members", _("Mark one member as the head of household.")))
    for extra in heads[1:]:
        problems.append(
            (path(extra, "relationship"), _("Only one member can be the head of household."))
        )
    head = heads[0] if len(heads) == 1 else None
    head_dob = head.get("date_of_birth") if head else None
    if head is not None and head.get("_age") is not None and head["_age"] < MIN_HEAD_AGE:
        problems.append(
            (
                path(head, "date_of_birth"),
                _(
                    "The head of household must be at least %(min)s years old. Check the date "
                    "of birth, or record the child in the household of the adult who cares for them."
                )
                % {"min": MIN_HEAD_AGE},
            )
        )
    for m in active:
        rel, sex, dob = m.get("relationship"), m.get("sex"), m.get("date_of_birth")
        expected_sex = RELATIONSHIP_SEX.get(rel or "")
        if expected_sex and sex and sex != expected_sex:
            label = Individual.Relationship(str(rel)).label
            problems.append(
                (
                    path(m, "sex"),
                    _("The relationship “%(rel)s” does not match the sex. Check one of them.")
                    % {"rel": label},
                )
            )
        spouse_age = m.get("_age") if rel == Individual.Relationship.SPOUSE else None
        if spouse_age is not None and spouse_age < MIN_SPOUSE_AGE:
            problems.append(
                (
                    path(m, "date_of_birth"),
                    _("A spouse must be at least %(min)s years old. Check the date of birth.")
                    % {"min": MIN_SPOUSE_AGE},
                )
            )
        if head_dob is None or dob is None or m is head:
            continue
        gap = _years_between(head_dob, dob)  # positive: the member is younger than the head
        if rel in ("son", "daughter") and gap < PARENT_GAP:
            message = _(
                "A son or daughter must be at least %(gap)s years younger than the head of "
                "household. Check the dates of birth or the relationship."
            ) % {"gap": PARENT_GAP}
            problems.append((path(m, "date_of_birth"), message))
        elif rel in ("father", "mother") and -gap < PARENT_GAP:
            message = _(
                "A father or mother must be at least %(gap)s years older than the head of "
                "household. Check the dates of birth or the relationship."
            ) % {"gap": PARENT_GAP}
            problems.append((path(m, "date_of_birth"), message))
        elif rel == "grandchild" and gap < GRANDPARENT_GAP:
            message = _(
                "A grandchild must be at least %(gap)s years younger than the head of "
                "household. Check the dates of birth or the relationship."
            ) % {"gap": GRANDPARENT_GAP}
            problems.append((path(m, "date_of_birth"), message))
        elif rel == "grandparent" and -gap < GRANDPARENT_GAP:
            message = _(
                "A grandparent must be at least %(gap)s years older than the head of "
                "household. Check the dates of birth or the relationship."
            ) % {"gap": GRANDPARENT_GAP}
            problems.append((path(m, "date_of_birth"), message))

    seen: dict[tuple[str, str], Mapping[str, Any]] = {}
    for m in active:
        for doc in m.get("documents", ()):
            pair = (doc["kind"], doc["number_key"])
            if pair in seen and seen[pair] is not m:
                idx = m.get("_index")
                where = (
                    f"members.{idx}.documents.{doc.get('_index', 0)}.number"
                    if idx is not None
                    else "members"
                )
                problems.append((where, _("Two members cannot have the same document number.")))
            seen.setdefault(pair, m)
    return problems


# --- household, phones, consents -----------------------------------------------------


def clean_household(
    data: Mapping[str, Any],
    *,
    reach: frozenset[str] | None,
    lookups: Lookups | None = None,
    today: datetime.date | None = None,
    current: Household | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a household's own fields. With `current` (an edit), keys left out keep
    their value; the location is checked against `reach` (the governorates the user
    manages, None for all) only when it is new or changed."""
    today = _today(today)
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    partial = current is not None
    for key in data:
        if key not in HOUSEHOLD_KEYS:
            problems.append((str(key), _("Unknown field.")))

    place: Place | None = current.place if current is not None else None
    unit: AdminUnit | None = current.admin_unit if current is not None else None
    location_given = "place" in data or "admin_unit" in data
    if "place" in data:
        place = None
        if data["place"] not in (None, ""):
            try:
                place = _place(data["place"], lookups)
            except ValueError as exc:
                problems.append(("place", str(exc)))
            else:
                if place.status != Place.Status.OPEN and (
                    current is None or current.place_id != place.pk
                ):
                    problems.append(("place", _("This place is closed. Choose an open place.")))
        out["place"] = place
    if "admin_unit" in data:
        unit = None
        if data["admin_unit"] not in (None, ""):
            try:
                unit = _admin_unit(data["admin_unit"], lookups)
            except ValueError as exc:
                problems.append(("admin_unit", str(exc)))
    if location_given:
        if place is not None:
            if unit is not None and "admin_unit" in data and unit.pk != place.admin_unit_id:
                problems.append(
                    (
                        "admin_unit",
                        _(
                            "The place %(place)s is in %(unit)s. Choose that unit, or leave it empty."
                        )
                        % {"place": place.name, "unit": place.admin_unit},
                    )
                )
            unit = place.admin_unit
        if unit is None:
            if not any(p[0] in ("admin_unit", "place") for p in problems):
                problems.append(
                    (
                        "admin_unit",
                        _(
                            "Say where the household lives: a camp or site, or the district or sub-district."
                        ),
                    )
                )
        elif unit.level == AdminUnit.Level.GOVERNORATE:
            problems.append(
                (
                    "admin_unit",
                    _(
                        "Choose a district or sub-district: a governorate is too large to locate a household."
                    ),
                )
            )
        elif reach is not None and (
            unit.governorate is None or unit.governorate.pcode not in reach
        ):
            problems.append(
                (
                    "admin_unit",
                    _(
                        "You cannot register households in %(unit)s: your role covers other governorates."
                    )
                    % {"unit": unit},
                )
            )
        out["admin_unit"] = unit
        out["governorate"] = unit.governorate if unit is not None else None

    if not partial or "displacement_status" in data:
        status = _text(data.get("displacement_status")).lower()
        if status not in DisplacementStatus.values:
            problems.append(("displacement_status", _("Choose the displacement status.")))
        out["displacement_status"] = status
    if not partial or "shelter_type" in data:
        shelter = _text(data.get("shelter_type")).lower() or ShelterType.UNKNOWN
        if shelter not in ShelterType.values:
            problems.append(("shelter_type", _("Choose the shelter type from the list.")))
        out["shelter_type"] = shelter
    if not partial or "origin_admin_unit" in data:
        origin = None
        if data.get("origin_admin_unit") not in (None, ""):
            try:
                origin = _admin_unit(data["origin_admin_unit"], lookups)
            except ValueError as exc:
                problems.append(("origin_admin_unit", str(exc)))
        out["origin_admin_unit"] = origin
    if not partial or "origin_place_name" in data:
        name = _text(data.get("origin_place_name"))
        if len(name) > 200:
            problems.append(("origin_place_name", _("Keep this to 200 characters or fewer.")))
        out["origin_place_name"] = name[:200]
    if not partial or "displaced_on" in data:
        displaced_on = None
        try:
            displaced_on = parse_date(data.get("displaced_on"))
        except ValueError as exc:
            problems.append(("displaced_on", str(exc)))
        if displaced_on is not None and displaced_on > today:
            problems.append(("displaced_on", _("The date of displacement is in the future.")))
        out["displaced_on"] = displaced_on
    if not partial or "notes" in data:
        out["notes"] = str(data.get("notes") or "").strip()
    return out, problems


def clean_phones(phones: Iterable[Any]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Household phones as strings or {"number", "is_primary"}; normalised, duplicates
    dropped, the first number primary unless one is marked."""
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(phones or ()):
        raw = item.get("number") if isinstance(item, Mapping) else item
        primary = bool(item.get("is_primary")) if isinstance(item, Mapping) else False
        if raw in (None, ""):
            continue
        try:
            number = clean_phone(raw)
        except ValueError as exc:
            problems.append((f"phones.{i}", str(exc)))
            continue
        if number in seen:
            continue
        seen.add(number)
        out.append({"number": number, "is_primary": primary})
    if out and not any(p["is_primary"] for p in out):
        out[0]["is_primary"] = True
    return out, problems


def clean_consents(
    consents: Iterable[Any], *, today: datetime.date | None = None, prefix: str = "consents."
) -> tuple[list[dict[str, Any]], list[Problem]]:
    today = _today(today)
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(consents or ()):
        p = f"{prefix}{i}." if prefix else ""
        if not isinstance(item, Mapping):
            problems.append((f"{p}purpose", _("Give each consent as purpose and legal basis.")))
            continue
        for key in item:
            if key not in CONSENT_KEYS:
                problems.append((f"{p}{key}", _("Unknown field.")))
        purpose = _text(item.get("purpose")).lower()
        basis = _text(item.get("legal_basis")).lower()
        if purpose not in Consent.Purpose.values:
            problems.append((f"{p}purpose", _("Choose the purpose from the list.")))
        elif purpose in seen:
            problems.append((f"{p}purpose", _("Each purpose is recorded once.")))
        seen.add(purpose)
        if basis not in Consent.LegalBasis.values:
            problems.append((f"{p}legal_basis", _("Choose the legal basis for this purpose.")))
        try:
            given = parse_bool(item.get("given", True))
        except ValueError as exc:
            problems.append((f"{p}given", str(exc)))
            given = False
        recorded_on = withdrawn_on = None
        try:
            recorded_on = parse_date(item.get("recorded_on")) or today
        except ValueError as exc:
            problems.append((f"{p}recorded_on", str(exc)))
        try:
            withdrawn_on = parse_date(item.get("withdrawn_on"))
        except ValueError as exc:
            problems.append((f"{p}withdrawn_on", str(exc)))
        if recorded_on and recorded_on > today:
            problems.append((f"{p}recorded_on", _("The date is in the future.")))
        if withdrawn_on and recorded_on and withdrawn_on < recorded_on:
            problems.append(
                (f"{p}withdrawn_on", _("Consent cannot be withdrawn before it was recorded."))
            )
        notes = _text(item.get("notes"))[:300]
        out.append(
            {
                "purpose": purpose,
                "legal_basis": basis,
                "given": given,
                "recorded_on": recorded_on,
                "withdrawn_on": withdrawn_on,
                "notes": notes,
            }
        )
    return out, problems


# --- building unsaved objects ---------------------------------------------------------

MEMBER_MODEL_FIELDS = (
    *NAME_FIELDS_AR,
    *NAME_FIELDS_EN,
    *WG_FIELDS,
    *BOOL_MEMBER_FIELDS,
    "sex",
    "date_of_birth",
    "relationship",
    "marital_status",
    "phone",
    "preferred_language",
    "status",
)


def build_member(cleaned: Mapping[str, Any], household: Household) -> Individual:
    member = Individual(
        household=household, **{name: cleaned[name] for name in MEMBER_MODEL_FIELDS}
    )
    member.has_disability = has_disability(member)
    member.name_key = member_name_key(member)
    return member


def build_documents(cleaned: Mapping[str, Any], member: Individual) -> list[IndividualDocument]:
    return [
        IndividualDocument(
            individual=member,
            kind=d["kind"],
            number=d["number"],
            number_key=d["number_key"],
            issuing_governorate=d["issuing_governorate"],
        )
        for d in cleaned.get("documents", ())
    ]


def apply_derived(
    household: Household, members: Iterable[Any], *, today: datetime.date | None = None
) -> bool:
    """Set the household's derived fields from its members; True when any changed."""
    derived = household_derived(list(members), on=today)
    changed = False
    for name, value in derived.items():
        if getattr(household, name) != value:
            setattr(household, name, value)
            changed = True
    return changed


@dataclass
class PreparedHousehold:
    """A household ready to save: unsaved objects linked to each other (save the
    household first, then members, documents, phones, consents, moves), its search
    keys, and the problems found. Valid when `problems` is empty, apart from the
    rules that need the database (`document_clashes`, an already imported
    `source_ref`), which the caller checks for the whole batch."""

    household: Household
    members: list[Individual] = field(default_factory=list)
    documents: list[IndividualDocument] = field(default_factory=list)
    phones: list[HouseholdPhone] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    moves: list[DisplacementMove] = field(default_factory=list)
    search_keys: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    # The members as `clean_member` returned them (also when there are problems).
    cleaned_members: list[dict[str, Any]] = field(default_factory=list)

    @property
    def document_pairs(self) -> list[tuple[str, str]]:
        """(kind, number key) of every document given, for `document_clashes`."""
        return [(d["kind"], d["number_key"]) for m in self.cleaned_members for d in m["documents"]]


def prepare_household(
    *,
    data: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    phones: Iterable[Any] = (),
    consents: Iterable[Any] = (),
    reach: frozenset[str] | None,
    source: str = Household.Source.WEB,
    source_ref: str | None = None,
    lookups: Lookups | None = None,
    today: datetime.date | None = None,
) -> PreparedHousehold:
    """Validate a new household and build its unsaved objects, without a database
    query when `lookups` holds the admin units (and places) it refers to.

    `reach`: the governorates the user manages (`governorates_within`), None for all.
    """
    today = _today(today)
    problems: list[Problem] = []
    hh_data, hh_problems = clean_household(data, reach=reach, lookups=lookups, today=today)
    problems.extend(hh_problems)
    cleaned_members = []
    if not isinstance(members, list | tuple):
        problems.append(("members", _("Give the members as a list.")))
        members = []
    for i, m in enumerate(members):
        if not isinstance(m, Mapping):
            problems.append((f"members.{i}", _("Give each member as a set of fields.")))
            continue
        cleaned, member_problems = clean_member(m, i, today=today, lookups=lookups)
        if cleaned.get("id"):
            member_problems.append((f"members.{i}.id", _("A new household has no members yet.")))
        if cleaned["status"] != Individual.Status.ACTIVE:
            member_problems.append(
                (f"members.{i}.status", _("Register members who live in the household now."))
            )
        problems.extend(member_problems)
        cleaned_members.append(cleaned)
    problems.extend(validate_members(cleaned_members))
    phone_data, phone_problems = clean_phones(phones)
    problems.extend(phone_problems)
    consent_data, consent_problems = clean_consents(consents, today=today)
    problems.extend(consent_problems)
    source_ref = (str(source_ref).strip() or None) if source_ref is not None else None
    if source_ref and len(source_ref) > 100:
        problems.append(("source_ref", _("Keep the source reference to 100 characters or fewer.")))

    household = Household(
        source=source,
        source_ref=source_ref,
        **{k: v for k, v in hh_data.items() if k != "governorate" or v is not None},
    )
    prepared = PreparedHousehold(
        household=household, problems=problems, cleaned_members=cleaned_members
    )
    if problems:
        return prepared
    for cleaned in cleaned_members:
        member = build_member(cleaned, household)
        prepared.members.append(member)
        prepared.documents.extend(build_documents(cleaned, member))
    prepared.phones = [
        HouseholdPhone(household=household, number=p["number"], is_primary=p["is_primary"])
        for p in phone_data
    ]
    prepared.consents = [Consent(household=household, **c) for c in consent_data]
    if household.origin_admin_unit is not None or household.displaced_on is not None:
        prepared.moves.append(
            DisplacementMove(
                household=household,
                moved_on=household.displaced_on,
                from_admin_unit=household.origin_admin_unit,
                to_admin_unit=household.admin_unit,
                to_place=household.place,
                displacement_status=household.displacement_status,
                shelter_type=household.shelter_type,
            )
        )
    apply_derived(household, prepared.members, today=today)
    prepared.search_keys = search_keys(
        registration_id=household.registration_id,
        members=prepared.members,
        phones=[p.number for p in prepared.phones],
        documents=[d.number for d in prepared.documents],
    )
    return prepared


def raise_problems(problems: Sequence[Problem], message: Any = None) -> None:
    """One ValidationFailed listing every problem by field path."""
    if not problems:
        return
    fields: dict[str, list[str]] = {}
    for path, msg in problems:
        fields.setdefault(path, [])
        if msg not in fields[path]:
            fields[path].append(msg)
    raise ValidationFailed(message, fields=fields)

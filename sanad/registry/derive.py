"""Derived household facts, computed from members in memory so that the web form, the
API and bulk imports share one definition: vulnerability flags, demographics by sex ×
age group × disability, the Washington Group disability cut-off, and search keys."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from sanad.core.text import document_key, name_tokens

AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-5", 0, 5),
    ("6-17", 6, 17),
    ("18-59", 18, 59),
    ("60+", 60, None),
)
LARGE_HOUSEHOLD = 7  # members: "large household" from this size on
OLDER_AGE = 60
ADULT_AGE = 18
WG_CUTOFF = 3  # "a lot of difficulty" or "cannot do at all" in at least one domain
WG_DOMAINS = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
)


def age_on(date_of_birth: datetime.date, on: datetime.date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return max(years, 0)


def age_group(age: int) -> str:
    for label, low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return label
    return AGE_GROUPS[-1][0]


def has_disability(member: Any) -> bool:
    """Washington Group short set, standard cut-off."""
    return any((getattr(member, domain, None) or 0) >= WG_CUTOFF for domain in WG_DOMAINS)


def household_derived(members: Iterable[Any], *, on: datetime.date | None = None) -> dict[str, Any]:
    """The derived fields of a household from its active members (objects with sex,
    date_of_birth, relationship, the WG domains and is_unaccompanied_or_separated)."""
    on = on or datetime.date.today()
    active = [m for m in members if getattr(m, "status", "active") == "active"]
    empty = {label: 0 for label, _low, _high in AGE_GROUPS}
    demo: dict[str, Any] = {
        "female": dict(empty),
        "male": dict(empty),
        "disability": {"female": dict(empty), "male": dict(empty)},
    }
    head = None
    any_disability = any_unaccompanied = False
    ages = []
    for m in active:
        age = age_on(m.date_of_birth, on)
        ages.append(age)
        group = age_group(age)
        sex = m.sex if m.sex in ("female", "male") else "female"
        demo[sex][group] += 1
        disabled = has_disability(m)
        if disabled:
            demo["disability"][sex][group] += 1
            any_disability = True
        if getattr(m, "is_unaccompanied_or_separated", False) and age < ADULT_AGE:
            any_unaccompanied = True
        if m.relationship == "head":
            head = (m, age)
    size = len(active)
    return {
        "size": size,
        "is_woman_headed": bool(head and head[0].sex == "female" and head[1] >= ADULT_AGE),
        "is_child_headed": bool(head and head[1] < ADULT_AGE),
        "is_older_person_alone": size == 1 and bool(ages) and ages[0] >= OLDER_AGE,
        "has_disability": any_disability,
        "has_unaccompanied_child": any_unaccompanied,
        "is_large": size >= LARGE_HOUSEHOLD,
        "demographics": demo,
    }


NAME_FIELDS = (
    "given_name_ar",
    "fathers_name_ar",
    "grandfathers_name_ar",
    "family_name_ar",
    "given_name_en",
    "fathers_name_en",
    "grandfathers_name_en",
    "family_name_en",
)


def member_name_key(member: Any) -> str:
    return " ".join(
        tok for field in NAME_FIELDS for tok in name_tokens(getattr(member, field, "") or "")
    )[:400]


def search_keys(
    *,
    registration_id: str,
    members: Iterable[Any] = (),
    phones: Iterable[str] = (),
    documents: Iterable[str] = (),
) -> set[str]:
    """Keys for `SearchKey`: `n:<name token>`, `p:<+9647…>`, `d:<document number>`, `r:<id>`."""
    keys = {f"r:{registration_id.upper()}"}
    for m in members:
        for field in NAME_FIELDS:
            for tok in name_tokens(getattr(m, field, "") or ""):
                keys.add(f"n:{tok}"[:60])
        if getattr(m, "phone", ""):
            keys.add(f"p:{m.phone}")
    keys.update(f"p:{p}" for p in phones if p)
    keys.update(f"d:{document_key(d)}"[:60] for d in documents if d)
    return keys


def query_keys(query: str) -> list[tuple[str, bool]]:
    """How a search box query maps to keys: [(key, is_prefix)], all of which must match."""
    from sanad.core.text import normalise_phone

    text = (query or "").strip()
    if not text:
        return []
    upper = text.upper().replace(" ", "")
    if upper.startswith("SND-") or (upper.startswith("SND") and len(upper) >= 11):
        rid = upper if "-" in upper else f"SND-{upper[3:7]}-{upper[7:]}"
        return [(f"r:{rid}", upper.count("-") < 2 and len(upper) < 12)]
    digits = "".join(
        ch for ch in text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")) if ch.isdigit()
    )
    if len(digits) >= 7 and len(digits) >= len(text.replace(" ", "")) - 2:
        try:
            return [(f"p:{normalise_phone(text)}", False)]
        except ValueError:
            return [(f"d:{document_key(text)}", False)]
    if any(ch.isdigit() for ch in text) and " " not in text:
        return [(f"d:{document_key(text)}", False)]
    tokens = name_tokens(text)
    return [(f"n:{tok}", True) for tok in tokens]

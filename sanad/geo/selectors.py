"""Reads for admin units (P-codes) and places.

P-code look-up accepts a current P-code in any case and spacing, or a name in English
or Arabic, and says clearly when a code belongs to an older scheme (the codes still
circulate in partner files) instead of guessing what it meant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound, ValidationFailed
from sanad.core.scoping import grants_for, scoped
from sanad.geo.models import AdminUnit, Place

# --- normalisation ---------------------------------------------------------------------

# Arabic: harakat, superscript alef and tatweel carry no meaning for matching.
_ARABIC_STRIP = dict.fromkeys([*range(0x064B, 0x0653), 0x0670, 0x0640])
_ARABIC_UNIFY = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian/Kurdish yeh, common in Iraqi lists
        "ة": "ه",
        "ک": "ك",  # Kurdish keheh
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_APOSTROPHES = "'’‘`ʿʾ´"
_HYPHENS = "-‐‑‒–—_"
_LATIN_ARTICLES = {"al", "el"}

# Other spellings of governorate names that people type (normalised form → the CSV's).
_GOVERNORATE_ALIASES = {
    "missan": "maysan",
    "qadisiyah": "qadissiya",
    "qadisiya": "qadissiya",
    "diwaniyah": "qadissiya",
    "nineveh": "ninewa",
    "ninawa": "ninewa",
    "dohuk": "duhok",
    "dahuk": "duhok",
    "arbil": "erbil",
    "hawler": "erbil",
    "sulaimaniya": "sulaymaniyah",
    "sulaymaniya": "sulaymaniyah",
    "basra": "basrah",
    "wasit": "wassit",
    "karbala": "kerbala",
    "dhiqar": "thiqar",
    "salahaddin": "salahdin",
    "salahuddin": "salahdin",
    "babylon": "babil",
}


def normalise_name(value: str) -> str:
    """A matching key for a place name in Arabic or Latin script.

    Arabic: without diacritics and tatweel, hamza forms and alef maqsura unified, taa
    marbuta as haa, the article "ال" dropped. Latin: case-folded, without accents,
    apostrophes, hyphens and the articles "Al"/"El". Spaces are dropped last so that
    "Thi-Qar" and "Thi Qar" meet.
    """
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(
        ch for ch in text if unicodedata.category(ch) != "Mn" or "\u0600" <= ch <= "\u06ff"
    )
    text = (
        unicodedata.normalize("NFC", text)
        .translate(_ARABIC_STRIP)
        .translate(_ARABIC_UNIFY)
        .translate(_DIGITS)
    )
    text = text.casefold()
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    for ch in _HYPHENS:
        text = text.replace(ch, " ")
    words = []
    for word in text.split():
        if word in _LATIN_ARTICLES:
            continue
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        words.append(word)
    return "".join(words)


def normalise_pcode(value: str) -> str:
    """Upper case, without spaces, with Arabic-Indic digits made ASCII."""
    return re.sub(r"\s+", "", (value or "").translate(_DIGITS)).upper()


# --- code schemes ----------------------------------------------------------------------

CURRENT_PCODE = re.compile(r"^IQG\d{2}(Q\d{2}(N\d{2})?)?$")
_OLD_GOVERNORATE = re.compile(r"^IQ[-_]G\d{1,2}([-_]?[A-Z]{1,2}\d{1,3})*$")
_OLD_NUMERIC = re.compile(r"^IQ[-_]?\d{3,}$")
_ISO = re.compile(r"^IQ[-_]?([A-Z]{2})$")


@dataclass(frozen=True)
class IsoGovernorate:
    code: str
    name: str  # as ISO 3166-2 spells it
    data_name: str  # as the shipped admin-unit data spells it (name_en)


# ISO 3166-2:IQ subdivision codes. The P-code is found by the data's English name, not
# written here, so that a new release of the data cannot leave the two out of step.
ISO_3166_2: dict[str, IsoGovernorate] = {
    g.code: g
    for g in (
        IsoGovernorate("AN", "Al Anbar", "Al-Anbar"),
        IsoGovernorate("BA", "Al Basrah", "Al-Basrah"),
        IsoGovernorate("MU", "Al Muthanna", "Al-Muthanna"),
        IsoGovernorate("QA", "Al Qadisiyah", "Al-Qadissiya"),
        IsoGovernorate("NA", "An Najaf", "Al-Najaf"),
        IsoGovernorate("AR", "Arbil (Erbil)", "Erbil"),
        IsoGovernorate("SU", "As Sulaymaniyah", "Al-Sulaymaniyah"),
        IsoGovernorate("BB", "Babil", "Babil"),
        IsoGovernorate("BG", "Baghdad", "Baghdad"),
        IsoGovernorate("DA", "Dahuk (Duhok)", "Duhok"),
        IsoGovernorate("DQ", "Dhi Qar (Thi-Qar)", "Thi Qar"),
        IsoGovernorate("DI", "Diyala", "Diyala"),
        IsoGovernorate("KA", "Karbala (Kerbala)", "Kerbala"),
        IsoGovernorate("KI", "Kirkuk", "Kirkuk"),
        IsoGovernorate("MA", "Maysan (Missan)", "Maysan"),
        IsoGovernorate("NI", "Ninawa (Ninewa)", "Ninewa"),
        IsoGovernorate("SD", "Salah ad Din", "Salah Al-Din"),
        IsoGovernorate("WA", "Wasit (Wassit)", "Wassit"),
    )
}

PCODE_EXAMPLES = "IQG01, IQG01Q01, IQG01Q01N01"


def pcode_scheme(code: str) -> str:
    """Which scheme a normalised code belongs to: current, old_governorate, old_numeric,
    iso_3166_2 or malformed."""
    if CURRENT_PCODE.match(code):
        return "current"
    if _OLD_GOVERNORATE.match(code):
        return "old_governorate"
    if _OLD_NUMERIC.match(code):
        return "old_numeric"
    iso = _ISO.match(code)
    if iso and iso.group(1) in ISO_3166_2:
        return "iso_3166_2"
    return "malformed"


def looks_like_a_code(query: str) -> bool:
    """Whether a look-up query is meant as a code rather than a name ("Iqra" is a name,
    "IQ-AN", "IQ10077" and "IQG9" are codes)."""
    code = normalise_pcode(query)
    if not code.startswith("IQ") or not re.fullmatch(r"[A-Z0-9\-_]+", code):
        return False
    return bool(
        re.search(r"\d", code) or code[2:3] in {"-", "_"} or pcode_scheme(code) != "malformed"
    )


def iso_governorate(iso_code: str) -> AdminUnit | None:
    entry = ISO_3166_2.get(iso_code)
    if entry is None:
        return None
    key = normalise_name(entry.data_name)
    for unit in AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE):
        if normalise_name(unit.name_en) == key:
            return unit
    return None


def _not_current(message: str, *, code: str, scheme: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(
        message,
        code="not_a_current_pcode",
        fields={"pcode": [message]},
        params={"input": code, "scheme": scheme, **params},
    )


def admin_unit_get(*, pcode: str) -> AdminUnit:
    """The admin unit with this current P-code; a ValidationFailed that names the scheme
    when the code is an older one, or says what a P-code looks like."""
    code = normalise_pcode(pcode)
    if not code:
        message = _("Enter a P-code, such as %(examples)s.") % {"examples": PCODE_EXAMPLES}
        raise ValidationFailed(message, code="required", fields={"pcode": [message]})
    scheme = pcode_scheme(code)
    if scheme == "current":
        unit = (
            AdminUnit.objects.select_related("parent__parent", "governorate")
            .filter(pcode=code)
            .first()
        )
        if unit is not None:
            return unit
        raise _not_current(
            _(
                "“%(code)s” is not a current P-code: no admin unit of Iraq has this code. Check the digits, "
                "or look the place up by name."
            )
            % {"code": code},
            code=code,
            scheme="unknown",
        )
    if scheme == "old_governorate":
        raise _not_current(
            _(
                "“%(code)s” is from an older governorate code scheme, not a current P-code. Current P-codes "
                "look like %(examples)s; look the place up by name to find its current P-code."
            )
            % {"code": code, "examples": PCODE_EXAMPLES},
            code=code,
            scheme=scheme,
        )
    if scheme == "old_numeric":
        raise _not_current(
            _(
                "“%(code)s” is from an older numeric scheme, not a current P-code. Current P-codes look "
                "like %(examples)s; look the place up by name to find its current P-code."
            )
            % {"code": code, "examples": PCODE_EXAMPLES},
            code=code,
            scheme=scheme,
        )
    if scheme == "iso_3166_2":
        iso = _ISO.match(code)
        assert iso is not None
        entry = ISO_3166_2[iso.group(1)]
        unit = iso_governorate(entry.code)
        if unit is not None:
            message = _(
                "“%(code)s” is an ISO 3166-2 code, not a P-code: it denotes the governorate of "
                "%(name)s, whose current P-code is %(pcode)s."
            ) % {"code": code, "name": unit.name, "pcode": unit.pcode}
            raise _not_current(message, code=code, scheme=scheme, suggestion=unit.pcode)
        raise _not_current(
            _(
                "“%(code)s” is an ISO 3166-2 code, not a P-code: it denotes the governorate of %(name)s."
            )
            % {"code": code, "name": entry.name},
            code=code,
            scheme=scheme,
        )
    message = _(
        "“%(code)s” does not look like a P-code; current P-codes look like %(examples)s."
    ) % {"code": pcode.strip(), "examples": PCODE_EXAMPLES}
    raise _not_current(message, code=code, scheme="malformed")


def admin_unit_lookup(*, query: str, level: int | None = None, limit: int = 50) -> list[AdminUnit]:
    """Admin units matching a P-code or a name in English or Arabic.

    A code-like query is resolved by `admin_unit_get` (so an older code raises its clear
    error). A name matches exactly after normalisation first; names that contain the
    query follow ("Duhok" also finds "Markaz Duhok"). Governorates first, then by P-code.
    """
    query = (query or "").strip()
    if not query:
        return []
    if looks_like_a_code(query):
        unit = admin_unit_get(pcode=query)
        return [unit] if level is None or unit.level == level else []
    key = normalise_name(query)
    if not key:
        return []
    key = _GOVERNORATE_ALIASES.get(key, key)
    rows = AdminUnit.objects.all()
    if level is not None:
        rows = rows.filter(level=level)
    exact: list[tuple[int, str, int]] = []
    partial: list[tuple[int, str, int]] = []
    for pk, unit_level, pcode, name_en, name_ar in rows.values_list(
        "pk", "level", "pcode", "name_en", "name_ar"
    ):
        names = (normalise_name(name_en), normalise_name(name_ar))
        if key in names:
            exact.append((unit_level, pcode, pk))
        elif len(key) >= 3 and any(key in name for name in names):
            partial.append((unit_level, pcode, pk))
    ordered = [pk for *_ignored, pk in sorted(exact) + sorted(partial)][:limit]
    units = AdminUnit.objects.select_related("parent__parent", "governorate").in_bulk(ordered)
    return [units[pk] for pk in ordered]


def admin_unit_chain(unit: AdminUnit) -> list[AdminUnit]:
    """The unit and the units it is part of, smallest first (sub-district → governorate)."""
    chain: list[AdminUnit] = []
    current: AdminUnit | None = unit
    while current is not None and len(chain) < 3:
        chain.append(current)
        current = current.parent
    return chain


def admin_units_all() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.select_related("parent", "governorate")


def governorates() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")


def governorates_within(user: Any, permission: str) -> frozenset[str] | None:
    """P-codes of the governorates `user` reaches with `permission`; None means all."""
    codes: set[str] = set()
    for grant in grants_for(user, permission):
        if grant.all_governorates:
            return None
        codes |= grant.governorates
    return frozenset(codes)


def admin_units_for_places(
    *, user: Any, permission: str = Place.MANAGE_PERMISSION
) -> QuerySet[AdminUnit]:
    """Districts and sub-districts where `user` may put a place."""
    qs = AdminUnit.objects.filter(level__in=[AdminUnit.Level.DISTRICT, AdminUnit.Level.SUBDISTRICT])
    reach = governorates_within(user, permission)
    if reach is not None:
        qs = qs.filter(governorate__pcode__in=sorted(reach))
    return qs.select_related("governorate").order_by("pcode")


# --- places ----------------------------------------------------------------------------


def places_all() -> QuerySet[Place]:
    return Place.objects.select_related("admin_unit__parent__parent", "admin_unit__governorate")


def places_visible_to(user: Any, permission: str | None = None) -> QuerySet[Place]:
    """Places `user` may see (or reach with `permission`)."""
    return scoped(places_all(), user, permission or Place.VIEW_PERMISSION)


def place_get(*, user: Any, public_id: Any, permission: str | None = None) -> Place:
    place = places_visible_to(user, permission).filter(public_id=public_id).first()
    if place is None:
        raise NotFound()
    return place


def places_in(unit: AdminUnit, queryset: QuerySet[Place]) -> QuerySet[Place]:
    """The places of `queryset` inside `unit` at whatever level it is."""
    return queryset.filter(
        Q(admin_unit=unit) | Q(admin_unit__parent=unit) | Q(admin_unit__parent__parent=unit)
    )


def place_history(place: Place) -> QuerySet[Any]:
    return Place.STATUS_MACHINE.history(place)

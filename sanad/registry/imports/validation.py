"""Checking imported households row by row and cell by cell.

The checks run on every row of files of a million people, so they are written for
speed: reference data (admin units, place codes, the importing user's reach) is loaded
once into dictionaries, columns are looked up by position, and the expensive parts
(P-code messages, name tokens) are computed once per distinct value.

An error names the sheet, the row number as a spreadsheet shows it, the column header
as written in the file, the value and a message id with parameters; the message is put
into the reader's language when it is shown (`error_message`).

Rules (the registry's own, `registry.services.validation`, whose limits are imported
so that a household the web form refuses is refused here too): a current P-code of a
district or sub-district inside the user's reach for registering households, and an
open camp or site by its code; dates as YYYY-MM-DD or DD/MM/YYYY (or a spreadsheet
date), not in the future; sex, relationship and every select question among its choices
(XML name or label in any of the three languages); Iraqi mobile numbers (stored as
+9647…); names in the script of their column; exactly one head per household, at least
12 years old; required fields; ages that fit relationships (a son or daughter at least 12
years younger than the head, a parent 12 years older, a grandchild or grandparent 24
years, a spouse at least 15); sex that fits the relationship; pregnancy only for women
of 10 to 60; unaccompanied or separated only under 18; a document number with its kind,
used by one person only (in the file and in the registry).
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from django.utils.translation import gettext_noop

from sanad.core.text import document_key, normalise_phone
from sanad.registry.derive import age_on
from sanad.registry.imports.form import CHOICES, FIELDS_BY_NAME, HOUSEHOLD_FIELDS
from sanad.registry.imports.mapping import TEMPLATE, Plan, value_key
from sanad.registry.imports.parsing import RawHousehold
from sanad.registry.imports.records import (
    MEMBER_SLOTS,
    NAME_SLOTS,
    Err,
    Reference,
    Unit,
    VHousehold,
    VMember,
)
from sanad.registry.services.validation import (
    ADULT_AGE,
    GRANDPARENT_GAP,
    MAX_AGE,
    MIN_HEAD_AGE,
    MIN_SPOUSE_AGE,
    PARENT_GAP,
    PREGNANCY_AGES,
    RELATIONSHIP_SEX,
)

OLDER_THAN_HEAD = {"father": PARENT_GAP, "mother": PARENT_GAP, "grandparent": GRANDPARENT_GAP}
YOUNGER_THAN_HEAD = {"son": PARENT_GAP, "daughter": PARENT_GAP, "grandchild": GRANDPARENT_GAP}
EARLIEST = datetime.date(1900, 1, 1)
_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_DOCUMENT_CHARS = re.compile(r"^[A-Z0-9]{1,40}$")
_MISSING = object()
_fromisoformat = datetime.date.fromisoformat
_REQUIRED = {
    "sex": gettext_noop("The sex is missing."),
    "relationship": gettext_noop("The relationship to the head of household is missing."),
}
# Member select questions read in the fast loop, in MEMBER_SLOTS order after the date
# of birth (the relationship is put in its place afterwards).
_FAST_MEMBER_FIELDS = (
    "dob_estimated",
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
)


_pcode_messages: dict[str, tuple[str, dict[str, Any]]] = {}


def _pcode_problem(code: str) -> tuple[str, dict[str, Any]]:
    """Why a code is not a current P-code, from the geo app's look-up (which names the
    older scheme a code comes from); once per distinct code."""
    from sanad.core.errors import ValidationFailed
    from sanad.geo.selectors import admin_unit_get

    if code not in _pcode_messages:
        try:
            admin_unit_get(pcode=code)
        except ValidationFailed as exc:
            # The geo message is already a sentence in the active language.
            _pcode_messages[code] = ("%(message)s", {"message": str(exc.message)})
        else:  # a current code loaded after the reference data
            _pcode_messages[code] = (
                gettext_noop("“%(code)s” is not a known P-code."),
                {"code": code},
            )
    return _pcode_messages[code]


def parse_date(text: str, *, day_first: bool = True) -> datetime.date:
    """YYYY-MM-DD (a time after it is ignored), DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY
    (MM/DD/YYYY when `day_first` is false), YYYY/MM/DD."""
    t = text.strip()
    n = len(t)
    if n >= 10 and t[4] == "-" and t[7] == "-":
        return datetime.date.fromisoformat(t[:10])
    t = t.split(" ", 1)[0].split("T", 1)[0]
    for sep in "/-.":
        parts = t.split(sep)
        if len(parts) == 3:
            a, b, c = parts
            if len(a) == 4:
                return datetime.date(int(a), int(b), int(c))
            if len(c) == 4:
                if day_first:
                    return datetime.date(int(c), int(b), int(a))
                return datetime.date(int(c), int(a), int(b))
            break
    raise ValueError(text)


# --- the validator ---------------------------------------------------------------------


class Validator:
    """Checks the households of one file (see the module docstring for the rules)."""

    def __init__(
        self, plan: Plan, reference: Reference, *, today: datetime.date, day_first: bool = True
    ) -> None:
        self.plan = plan
        self.ref = reference
        self.today = today
        self.day_first = day_first
        self.hsheet = plan.household_sheet
        self.msheet = plan.member_sheet or ""
        self.hc = plan.household_cols
        self.mc = plan.member_cols
        self.values = plan.values
        self.keys = plan.keys
        self._member_text_headers = {name: plan.member_header(name) for name in MEMBER_SLOTS[1:]}
        self._household_headers = {f.name: plan.household_header(f.name) for f in HOUSEHOLD_FIELDS}
        # Template: household columns that later rows of a household must not contradict.
        self._repeat_check = (
            [
                (f.name, plan.household_cols[f.name])
                for f in HOUSEHOLD_FIELDS
                if plan.has_household(f.name)
            ]
            if plan.file_format == TEMPLATE
            else []
        )
        self._phones: dict[str, str | None] = {}
        # Fast look-up tables: the answers as they usually come, "" included for the
        # optional questions (their default); anything else takes the careful path.
        self._defaults: dict[str, Any] = {}
        self._fast: dict[str, dict[str, Any]] = {}
        for name, table in plan.values.items():
            f = FIELDS_BY_NAME[name]
            default = False if f.kind == "yes_no" else (None if f.choices == "wg" else "")
            self._defaults[name] = default
            fast = dict(table)
            if name not in _REQUIRED:
                fast[""] = default
            self._fast[name] = fast
        self._name_cols = [plan.member_cols[name] for name in NAME_SLOTS]
        self._fast_cols = [
            (name, plan.member_cols[name], self._fast[name]) for name in _FAST_MEMBER_FIELDS
        ]
        mc = plan.member_cols
        self._c_sex, self._c_dob, self._c_rel = mc["sex"], mc["date_of_birth"], mc["relationship"]
        self._c_phone, self._c_lang = mc["phone"], mc["preferred_language"]
        self._c_alt, self._c_kind, self._c_number = (
            mc["is_alternate_collector"],
            mc["document_kind"],
            mc["document_number"],
        )

    # --- helpers ---------------------------------------------------------------------

    def _choice(
        self, name: str, raw: str, errs: list[Err], sheet: str, row: int, header: str
    ) -> Any:
        vmap = self.values[name]
        found = vmap.get(raw)
        if found is None:
            found = vmap.get(value_key(raw))
            if found is None:
                f = FIELDS_BY_NAME[name]
                errs.append(
                    Err(
                        sheet,
                        row,
                        header,
                        raw,
                        gettext_noop("“%(value)s” is not one of the answers: %(choices)s."),
                        {
                            "value": raw,
                            "choices": ", ".join(c.name for c in CHOICES.get(f.choices or "", []))
                            or "yes, no",
                        },
                    )
                )
        return found

    def _phone(self, raw: str, errs: list[Err], sheet: str, row: int, header: str) -> str:
        if raw in self._phones:
            number = self._phones[raw]
        else:
            try:
                number = normalise_phone(raw)
            except ValueError:
                number = None
            if len(self._phones) < 100_000:
                self._phones[raw] = number
        if number is None:
            errs.append(
                Err(
                    sheet,
                    row,
                    header,
                    raw,
                    gettext_noop(
                        "“%(value)s” is not an Iraqi mobile number (such as 0750 123 4567)."
                    ),
                    {"value": raw},
                )
            )
            return ""
        return number

    def _date(
        self, raw: str, errs: list[Err], sheet: str, row: int, header: str
    ) -> datetime.date | None:
        try:
            value = parse_date(raw, day_first=self.day_first)
        except ValueError:
            errs.append(
                Err(
                    sheet,
                    row,
                    header,
                    raw,
                    gettext_noop(
                        "“%(value)s” is not a date: write it as YYYY-MM-DD or DD/MM/YYYY."
                    ),
                    {"value": raw},
                )
            )
            return None
        if value > self.today:
            errs.append(
                Err(
                    sheet,
                    row,
                    header,
                    raw,
                    gettext_noop("The date %(value)s is in the future."),
                    {"value": raw},
                )
            )
            return None
        if value < EARLIEST:
            errs.append(
                Err(
                    sheet,
                    row,
                    header,
                    raw,
                    gettext_noop("The date %(value)s is too far in the past."),
                    {"value": raw},
                )
            )
            return None
        return value

    def _unit(
        self, raw: str, levels: tuple[int, ...], errs: list[Err], row: int, header: str
    ) -> Unit | None:
        code = raw.strip().upper().replace(" ", "")
        unit = self.ref.units.get(code)
        if unit is None:
            msgid, params = _pcode_problem(raw.strip())
            errs.append(Err(self.hsheet, row, header, raw, msgid, params))
            return None
        if unit.level not in levels:
            errs.append(
                Err(
                    self.hsheet,
                    row,
                    header,
                    raw,
                    gettext_noop(
                        "“%(value)s” is the P-code of another level of admin unit than this column asks for."
                    ),
                    {"value": raw},
                )
            )
            return None
        return unit

    # --- households ------------------------------------------------------------------

    def source_ref(self, raw: RawHousehold) -> str:
        col = self.keys.get("source_ref")
        if col is None or not raw.values:
            return ""
        ref = raw.values[col].strip()
        if ref.startswith("uuid:"):
            ref = ref[5:]
        return ref

    def validate(self, raw: RawHousehold) -> tuple[VHousehold | None, list[Err]]:
        errs: list[Err] = [Err(*p) for p in raw.problems]
        if not raw.values:  # member rows without a household
            return None, errs
        v = raw.values
        hc = self.hc
        row = raw.number
        sheet = self.hsheet
        head = self._household_headers
        h = VHousehold()
        h.row = row
        ref = self.source_ref(raw)
        if len(ref) > 100:
            errs.append(
                Err(
                    sheet,
                    row,
                    self.plan.household_headers[self.keys["source_ref"] or 0],
                    ref,
                    gettext_noop("The submission id is longer than %(max)s characters."),
                    {"max": 100},
                )
            )
        h.source_ref = ref or None

        consent = v[hc["consent"]].strip()
        if not consent:
            errs.append(
                Err(
                    sheet,
                    row,
                    head["consent"],
                    "",
                    gettext_noop("The household's consent to registration is missing."),
                    {},
                )
            )
        elif self._choice("consent", consent, errs, sheet, row, head["consent"]) is False:
            errs.append(
                Err(
                    sheet,
                    row,
                    head["consent"],
                    consent,
                    gettext_noop(
                        "The household did not consent to registration: it cannot be imported."
                    ),
                    {},
                )
            )

        # Where the household lives: the sub-district, else the district.
        unit = None
        sub, dist, gov = (
            v[hc["subdistrict"]].strip(),
            v[hc["district"]].strip(),
            v[hc["governorate"]].strip(),
        )
        if sub:
            unit = self._unit(sub, (3,), errs, row, head["subdistrict"])
        elif dist:
            unit = self._unit(dist, (2,), errs, row, head["district"])
        else:
            errs.append(
                Err(
                    sheet,
                    row,
                    head["subdistrict"],
                    "",
                    gettext_noop(
                        "Give the P-code of the sub-district (or at least the district) where the household lives."
                    ),
                    {},
                )
            )
        if unit is not None:
            if dist and sub and unit.parent_pcode != dist.upper().replace(" ", ""):
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["district"],
                        dist,
                        gettext_noop(
                            "The sub-district %(sub)s is not in the district %(district)s."
                        ),
                        {"sub": unit.pcode, "district": dist},
                    )
                )
            if gov and gov.upper().replace(" ", "") != unit.governorate_pcode:
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["governorate"],
                        gov,
                        gettext_noop("%(unit)s is not in the governorate %(governorate)s."),
                        {"unit": unit.pcode, "governorate": gov},
                    )
                )
            allowed = self.ref.allowed_governorates
            if allowed is not None and unit.governorate_pcode not in allowed:
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["subdistrict"] if sub else head["district"],
                        sub or dist,
                        gettext_noop(
                            "%(unit)s is outside the governorates where you may register households."
                        ),
                        {"unit": unit.pcode},
                    )
                )
        h.admin_unit_id = unit.id if unit else None
        h.governorate_id = unit.governorate_id if unit else None

        h.place_id = None
        code = v[hc["place_code"]].strip()
        if code:
            found = self.ref.places.get(code.upper())
            if not found:
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["place_code"],
                        code,
                        gettext_noop("No camp or site has the code “%(value)s”."),
                        {"value": code},
                    )
                )
            elif len(found) > 1:
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["place_code"],
                        code,
                        gettext_noop(
                            "Several places have the code “%(value)s”; it cannot tell which one."
                        ),
                        {"value": code},
                    )
                )
            else:
                place_id, place_gov, is_open = found[0]
                if not is_open:
                    errs.append(
                        Err(
                            sheet,
                            row,
                            head["place_code"],
                            code,
                            gettext_noop("The place “%(value)s” is closed."),
                            {"value": code},
                        )
                    )
                elif unit is not None and place_gov != unit.governorate_id:
                    errs.append(
                        Err(
                            sheet,
                            row,
                            head["place_code"],
                            code,
                            gettext_noop(
                                "The place “%(value)s” is in another governorate than the household's location."
                            ),
                            {"value": code},
                        )
                    )
                h.place_id = place_id

        status = v[hc["displacement_status"]].strip()
        if not status:
            errs.append(
                Err(
                    sheet,
                    row,
                    head["displacement_status"],
                    "",
                    gettext_noop("The displacement status is missing."),
                    {},
                )
            )
            h.displacement_status = None
        else:
            h.displacement_status = self._choice(
                "displacement_status", status, errs, sheet, row, head["displacement_status"]
            )
        shelter = v[hc["shelter_type"]].strip()
        h.shelter_type = (
            self._choice("shelter_type", shelter, errs, sheet, row, head["shelter_type"])
            if shelter
            else "unknown"
        )

        h.origin_admin_unit_id = None
        origin_d, origin_g = v[hc["origin_district"]].strip(), v[hc["origin_governorate"]].strip()
        if origin_d:
            origin = self._unit(origin_d, (2, 3), errs, row, head["origin_district"])
            h.origin_admin_unit_id = origin.id if origin else None
        elif origin_g:
            origin = self._unit(origin_g, (1,), errs, row, head["origin_governorate"])
            h.origin_admin_unit_id = origin.id if origin else None
        h.origin_place_name = self._text(
            "origin_place_name", v[hc["origin_place_name"]], errs, sheet, row, head
        )
        displaced = v[hc["displaced_on"]].strip()
        h.displaced_on = (
            self._date(displaced, errs, sheet, row, head["displaced_on"]) if displaced else None
        )
        phone = v[hc["household_phone"]].strip()
        h.phone = self._phone(phone, errs, sheet, row, head["household_phone"]) if phone else ""
        h.notes = v[hc["notes"]].strip()
        h.consent_on = self.today
        submitted_col = self.keys.get("submitted")
        if submitted_col is not None and v[submitted_col]:
            with contextlib.suppress(ValueError):
                h.consent_on = min(parse_date(v[submitted_col]), self.today)

        members = []
        for number, mv in raw.members:
            if self._repeat_check and mv is not v:
                for name, col in self._repeat_check:
                    other = mv[col]
                    if other and other.strip() != v[col].strip():
                        errs.append(
                            Err(
                                sheet,
                                number,
                                head[name],
                                other,
                                gettext_noop(
                                    "This household column differs from the household's first row (%(first)s)."
                                ),
                                {"first": v[col].strip()},
                            )
                        )
            m = self._member(number, mv, errs)
            if m is not None:
                members.append(m)
        if not raw.members:
            errs.append(Err(sheet, row, "", "", gettext_noop("The household has no members."), {}))
        elif len(members) == len(raw.members):
            self._household_rules(members, errs)
        h.members = members
        return h, errs

    def _text(
        self, name: str, raw: str, errs: list[Err], sheet: str, row: int, headers: dict[str, str]
    ) -> str:
        text = raw.strip()
        limit = FIELDS_BY_NAME[name].max_length
        if limit and len(text) > limit:
            errs.append(
                Err(
                    sheet,
                    row,
                    headers[name],
                    text,
                    gettext_noop("The text is longer than %(max)s characters."),
                    {"max": limit},
                )
            )
        return text

    # --- members ---------------------------------------------------------------------

    def _slow_choice(
        self, name: str, raw: str, errs: list[Err], row: int, *, required: bool = False
    ) -> Any:
        """The careful path of a select answer: spacing and case, labels, errors."""
        text = raw.strip()
        if not text:
            if required:
                errs.append(
                    Err(self.msheet, row, self._member_text_headers[name], "", _REQUIRED[name], {})
                )
            return self._defaults.get(name)
        found = self._choice(name, text, errs, self.msheet, row, self._member_text_headers[name])
        return self._defaults.get(name) if found is None else found

    def _member(self, row: int, v: list[str], errs: list[Err]) -> VMember | None:
        """One person's row. The common case (clean values) costs a few dictionary
        look-ups; anything unusual takes the careful path that explains the problem."""
        before = len(errs)
        missing = _MISSING
        names = [v[c].strip() for c in self._name_cols]
        if (
            max(map(len, names)) > 80
            or ((arabic := "".join(names[:4])) and _LATIN.search(arabic))
            or ((latin := "".join(names[4:])) and not latin.isascii() and _ARABIC.search(latin))
        ):
            self._name_problems(row, names, errs)
        if not (names[0] or names[4]):
            errs.append(
                Err(
                    self.msheet,
                    row,
                    self._member_text_headers["given_name_ar"],
                    "",
                    gettext_noop("The person's given name is missing (in Arabic or Latin script)."),
                    {},
                )
            )
        fast = self._fast
        raw = v[self._c_sex]
        sex = fast["sex"].get(raw, missing)
        if sex is missing:
            sex = self._slow_choice("sex", raw, errs, row, required=True)
        raw = v[self._c_dob]
        dob = None
        if len(raw) == 10 and raw[4] == "-":
            with contextlib.suppress(ValueError):
                dob = _fromisoformat(raw)
        if dob is None or dob > self.today or dob < EARLIEST:
            dob = self._slow_date(raw, errs, row)
        raw = v[self._c_rel]
        relationship = fast["relationship"].get(raw, missing)
        if relationship is missing:
            relationship = self._slow_choice("relationship", raw, errs, row, required=True)
        values: list[Any] = [row, *names, sex, dob]
        for name, col, table in self._fast_cols:
            raw = v[col]
            found = table.get(raw, missing)
            if found is missing:
                found = self._slow_choice(name, raw, errs, row)
            values.append(found)
        # values: row, 8 names, sex, dob, dob_estimated, marital_status, is_pregnant, 6 WG,
        # chronic illness, unaccompanied — then relationship goes in its place below.
        values.insert(12, relationship)
        raw = v[self._c_phone]
        phone = (
            self._phone(raw.strip(), errs, self.msheet, row, self._member_text_headers["phone"])
            if raw
            else ""
        )
        raw = v[self._c_lang]
        language = fast["preferred_language"].get(raw, missing)
        if language is missing:
            language = self._slow_choice("preferred_language", raw, errs, row)
        raw = v[self._c_alt]
        alternate = fast["is_alternate_collector"].get(raw, missing)
        if alternate is missing:
            alternate = self._slow_choice("is_alternate_collector", raw, errs, row)
        raw = v[self._c_kind]
        kind = fast["document_kind"].get(raw, missing)
        if kind is missing:
            kind = self._slow_choice("document_kind", raw, errs, row)
        number = v[self._c_number].strip()
        key = ""
        if number or kind:
            key = self._document(row, kind, number, errs)
        values += (phone, language, alternate, kind, number, key)
        m = VMember(values)
        if dob is not None and sex:
            self._person_rules(m, v, errs)
        return m if len(errs) == before else None

    def _name_problems(self, row: int, names: list[str], errs: list[Err]) -> None:
        head = self._member_text_headers
        for name, value in zip(NAME_SLOTS, names, strict=True):
            if len(value) > 80:
                errs.append(
                    Err(
                        self.msheet,
                        row,
                        head[name],
                        value,
                        gettext_noop("The text is longer than %(max)s characters."),
                        {"max": 80},
                    )
                )
        for name, value in zip(NAME_SLOTS[:4], names[:4], strict=True):
            if value and _LATIN.search(value):
                errs.append(
                    Err(
                        self.msheet,
                        row,
                        head[name],
                        value,
                        gettext_noop(
                            "Write this name in Arabic script; the Latin-script columns take Latin letters."
                        ),
                        {},
                    )
                )
        for name, value in zip(NAME_SLOTS[4:], names[4:], strict=True):
            if value and not value.isascii() and _ARABIC.search(value):
                errs.append(
                    Err(
                        self.msheet,
                        row,
                        head[name],
                        value,
                        gettext_noop(
                            "Write this name in Latin letters; the Arabic-script columns take Arabic script."
                        ),
                        {},
                    )
                )

    def _slow_date(self, raw: str, errs: list[Err], row: int) -> datetime.date | None:
        header = self._member_text_headers["date_of_birth"]
        if not raw.strip():
            errs.append(
                Err(self.msheet, row, header, "", gettext_noop("The date of birth is missing."), {})
            )
            return None
        dob = self._date(raw, errs, self.msheet, row, header)
        if dob is not None and age_on(dob, self.today) > MAX_AGE:
            errs.append(
                Err(
                    self.msheet,
                    row,
                    header,
                    raw,
                    gettext_noop("An age over %(max)s years is not plausible."),
                    {"max": MAX_AGE},
                )
            )
            return None
        return dob

    def _document(self, row: int, kind: str, number: str, errs: list[Err]) -> str:
        head = self._member_text_headers
        if number and not kind:
            errs.append(
                Err(
                    self.msheet,
                    row,
                    head["document_kind"],
                    "",
                    gettext_noop("Say which document the number %(value)s is from."),
                    {"value": number},
                )
            )
        elif kind and not number:
            errs.append(
                Err(
                    self.msheet,
                    row,
                    head["document_number"],
                    "",
                    gettext_noop("The document number is missing."),
                    {},
                )
            )
        key = document_key(number) if number else ""
        if number and not _DOCUMENT_CHARS.match(key):
            errs.append(
                Err(
                    self.msheet,
                    row,
                    head["document_number"],
                    number,
                    gettext_noop(
                        "A document number has up to 40 letters and digits (spaces and dashes are ignored)."
                    ),
                    {},
                )
            )
        return key

    def _person_rules(self, m: VMember, v: list[str], errs: list[Err]) -> None:
        """Rules that need several answers of the same person."""
        sheet, row, head, mc = self.msheet, m.row, self._member_text_headers, self.mc
        age = age_on(m.date_of_birth, self.today)
        if age > MAX_AGE:
            errs.append(
                Err(
                    sheet,
                    row,
                    head["date_of_birth"],
                    v[mc["date_of_birth"]],
                    gettext_noop("An age over %(max)s years is not plausible."),
                    {"max": MAX_AGE},
                )
            )
        if m.is_pregnant and (
            m.sex != "female" or not PREGNANCY_AGES[0] <= age <= PREGNANCY_AGES[1]
        ):
            errs.append(
                Err(
                    sheet,
                    row,
                    head["is_pregnant"],
                    v[mc["is_pregnant"]],
                    gettext_noop("Pregnancy is recorded only for women aged %(low)s to %(high)s."),
                    {"low": PREGNANCY_AGES[0], "high": PREGNANCY_AGES[1]},
                )
            )
        if m.is_unaccompanied_or_separated and age >= ADULT_AGE:
            errs.append(
                Err(
                    sheet,
                    row,
                    head["is_unaccompanied_or_separated"],
                    v[mc["is_unaccompanied_or_separated"]],
                    gettext_noop("Only a child under 18 can be unaccompanied or separated."),
                    {},
                )
            )
        rel = m.relationship
        if rel:
            expected = RELATIONSHIP_SEX.get(rel)
            if expected and m.sex != expected:
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["sex"],
                        v[mc["sex"]],
                        gettext_noop("The sex does not fit the relationship “%(relationship)s”."),
                        {"relationship": rel},
                    )
                )
            if rel == "spouse" and age < MIN_SPOUSE_AGE:
                errs.append(
                    Err(
                        sheet,
                        row,
                        head["date_of_birth"],
                        v[mc["date_of_birth"]],
                        gettext_noop("A spouse must be at least %(min)s years old."),
                        {"min": MIN_SPOUSE_AGE},
                    )
                )

    def _household_rules(self, members: list[VMember], errs: list[Err]) -> None:
        sheet = self.msheet
        head_col = self._member_text_headers["relationship"]
        heads = [m for m in members if m.relationship == "head"]
        if not heads:
            first = members[0]
            errs.append(
                Err(
                    sheet,
                    first.row,
                    head_col,
                    first.relationship or "",
                    gettext_noop("No member of the household is its head: exactly one must be."),
                    {},
                )
            )
            return
        if len(heads) > 1:
            for extra in heads[1:]:
                errs.append(
                    Err(
                        sheet,
                        extra.row,
                        head_col,
                        "head",
                        gettext_noop(
                            "The household has more than one head: exactly one member must be."
                        ),
                        {},
                    )
                )
            return
        head = heads[0]
        head_age = age_on(head.date_of_birth, self.today)
        dob_col = self._member_text_headers["date_of_birth"]
        if head_age < MIN_HEAD_AGE:
            errs.append(
                Err(
                    sheet,
                    head.row,
                    dob_col,
                    head.date_of_birth.isoformat(),
                    gettext_noop("The head of household must be at least %(min)s years old."),
                    {"min": MIN_HEAD_AGE},
                )
            )
        documents: dict[tuple[str, str], VMember] = {}
        number_col = self._member_text_headers["document_number"]
        for m in members:
            if m.document_number:
                pair = (m.document_kind, m.document_key)
                if pair in documents:
                    errs.append(
                        Err(
                            sheet,
                            m.row,
                            number_col,
                            m.document_number,
                            gettext_noop("Two members cannot have the same document number."),
                            {},
                        )
                    )
                documents[pair] = m
        for m in members:
            rel = m.relationship
            if rel in YOUNGER_THAN_HEAD:
                gap = YOUNGER_THAN_HEAD[rel]
                if head_age - age_on(m.date_of_birth, self.today) < gap:
                    errs.append(
                        Err(
                            sheet,
                            m.row,
                            dob_col,
                            m.date_of_birth.isoformat(),
                            gettext_noop(
                                "A %(relationship)s must be at least %(years)s years younger than the head of household."
                            ),
                            {"relationship": rel, "years": gap},
                        )
                    )
            elif rel in OLDER_THAN_HEAD:
                gap = OLDER_THAN_HEAD[rel]
                if age_on(m.date_of_birth, self.today) - head_age < gap:
                    errs.append(
                        Err(
                            sheet,
                            m.row,
                            dob_col,
                            m.date_of_birth.isoformat(),
                            gettext_noop(
                                "A %(relationship)s must be at least %(years)s years older than the head of household."
                            ),
                            {"relationship": rel, "years": gap},
                        )
                    )


# --- the stream ------------------------------------------------------------------------


class Outcome(NamedTuple):
    raw: RawHousehold
    household: VHousehold | None  # None when it has errors or was already imported
    errors: list[Err]
    already_imported: bool


def validate_households(
    households: Iterable[RawHousehold],
    validator: Validator,
    *,
    existing_refs: Callable[[list[str]], set[str]],
    document_holders: Callable[[list[tuple[str, str]]], dict[tuple[str, str], str]] | None = None,
    chunk: int = 500,
) -> Iterator[Outcome]:
    """Validate a stream of households, a chunk at a time.

    A submission already in the registry (same source reference) is reported as already
    imported, not as an error; one that comes twice in the file is an error the second
    time. A document number held by someone in the registry, or by a member of an
    earlier household of the file, is an error. `existing_refs` answers which of a list
    of references the registry has; `document_holders` which of a list of (kind, number
    key) pairs it has, with a message naming the holder: one query each per chunk."""
    seen: set[str] = set()
    seen_documents: set[int] = set()  # hashes: a million documents in a few tens of MB
    ref_col = validator.keys.get("source_ref")
    ref_header = validator.plan.household_headers[ref_col] if ref_col is not None else "_uuid"
    number_header = validator.plan.member_header("document_number")
    sheet = validator.msheet

    def flush(batch: list[RawHousehold]) -> Iterator[Outcome]:
        refs = [r for r in (validator.source_ref(raw) for raw in batch) if r]
        known = existing_refs(refs) if refs else set()
        results: list[tuple[RawHousehold, VHousehold | None, list[Err], bool]] = []
        for raw in batch:
            ref = validator.source_ref(raw)
            if ref and ref in seen:
                results.append(
                    (
                        raw,
                        None,
                        [
                            Err(
                                validator.hsheet,
                                raw.number,
                                ref_header,
                                ref,
                                gettext_noop(
                                    "This submission (%(ref)s) is already in the file, on an earlier row."
                                ),
                                {"ref": ref},
                            )
                        ],
                        False,
                    )
                )
                continue
            if ref:
                seen.add(ref)
            if ref and ref in known:
                results.append((raw, None, [Err(*p) for p in raw.problems], True))
                continue
            household, errors = validator.validate(raw)
            results.append((raw, household, errors, False))
        pairs = [
            (m.document_kind, m.document_key)
            for _raw, h, _errors, _done in results
            if h is not None
            for m in h.members
            if m.document_number
        ]
        holders = document_holders(pairs) if document_holders and pairs else {}
        for raw, h, errors, already in results:
            if h is not None:
                local: set[tuple[str, str]] = set()
                for m in h.members:
                    if not m.document_number:
                        continue
                    pair = (m.document_kind, m.document_key)
                    if pair in local:  # within the household: see _household_rules
                        continue
                    local.add(pair)
                    holder = holders.get(pair)
                    if holder:
                        errors.append(
                            Err(
                                sheet,
                                m.row,
                                number_header,
                                m.document_number,
                                "%(message)s",
                                {"message": holder},
                            )
                        )
                    digest = hash(pair)
                    if digest in seen_documents:
                        errors.append(
                            Err(
                                sheet,
                                m.row,
                                number_header,
                                m.document_number,
                                gettext_noop(
                                    "This document number is already given to a member of another household of the file."
                                ),
                                {},
                            )
                        )
                    seen_documents.add(digest)
            yield Outcome(raw, None if errors or already else h, errors, already)

    batch: list[RawHousehold] = []
    for raw in households:
        batch.append(raw)
        if len(batch) >= chunk:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)

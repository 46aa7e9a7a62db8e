"""Iraqi-names deduplication data with known truth, for the benchmark and the tests.

`generate(n_records, seed)` returns `(records, truth)`: `Record`s of people as partners
register them, and the set of record-id pairs that are the same person. Pure Python,
no Django: the households, names and places come from the demo registry's generator
(`sanad.registry.demo`, itself Django-free); on top of it this module adds what makes
deduplication hard, and remembers who is who.

What is in it:

- Households with the patronymic chain (a child's father's name is the head's given
  name, its grandfather's name the head's father's name), Arab, Turkmen, Christian,
  Yazidi and Kurdish names, ages, phones and papers as the demo draws them.
- Registrations as partners write them: in Arabic script, or in Latin letters (about
  a third of registrations, each with its own transliteration: Mohammed, Muhammad,
  Mohamed; Abdulrahman, Abdul Rahman; Al-Obaidi, Al Ubaidi …), sometimes in capitals;
  Arabic typed another way (hamza, taa marbuta, alef maqsura, `عبد ال` joined,
  Kurdish letters on an Arabic keyboard, the article `ال` left out); forms with the
  four name parts or only a full name (three or four names), grandfather's or family
  name not asked; phones in several formats; documents asked by some partners only.
- Re-registrations of about 8 % of the households (a tenth of them a third time) by
  another partner or after a move: their own script and spelling, a new household id,
  often another district or governorate, estimated dates of birth (year only, 1 January
  or 1 July, a year off), day and month swapped, typing slips, missing name parts, a new
  SIM card or no phone, a member away, a baby born since (not a duplicate), the head's
  wife registering as head, and a married son registering his own family apart (the
  same people in a household of another shape). About 40 % of the duplicate pairs are
  across scripts.
- Hard non-matches: brothers and sisters in one household; twins (same date of birth,
  same father, different given names, often Hassan and Hussein); a son named after his
  grandfather (`Ali Mohammed Ali` beside `Mohammed Ali Hussein`); a brother's household
  close by whose children are cousins named after the same grandfather (`Hussein Ali
  Hussein` and `Hussein Omar Hussein`); and the common names of the tables (there are
  many `Mohammed Ali Hussein`).

Deterministic by seed; a million records take about half a minute. `cached(...)` keeps
the generated set in the temporary folder for the benchmark.
"""

from __future__ import annotations

import itertools
import pickle
import random
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanad.dedup.engine.records import Record
from sanad.registry.demo import generate_households
from sanad.registry.demo import geography as geo
from sanad.registry.demo.names import COMMUNITIES, arabic_variant, latin_spellings, respell

VERSION = 1  # bump when the output for a seed changes (the cache key)

LATIN_SHARE = 0.3  # registrations written in Latin letters
FULL_NAME_ONLY = 0.15  # registrations with one full-name field instead of four parts
REREGISTERED = 0.08  # households registered again
THIRD_TIME = 0.1  # of those, registered a third time
SPLIT = 0.12  # of re-registrations where possible: a married son's family apart
TWINS = 0.05  # households with children: a pair of twins
NAMED_AFTER_GRANDFATHER = 0.3  # male-headed households: eldest son has the head's father's name
BROTHER_NEARBY = 0.06  # male-headed households: the next one is the head's brother's

_AVG_HOUSEHOLD = 5.3
_RECORD_FIELDS = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "full_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "phone",
    "document_number",
    "address",
    "admin1_pcode",
    "admin2_pcode",
    "relationship",
)
_CHILD = ("son", "daughter")
_HASSAN, _HUSSEIN = "حسن", "حسين"


@dataclass
class Synthetic:
    """A generated set: `records`, `truth` (pairs of record ids, same person), and who
    each record is, for explaining errors (`kind`)."""

    records: list[Record]
    truth: set[frozenset[str]]
    person: list[int]  # per record (same order): the person's id
    base_household: list[int] = field(default_factory=list)  # per person id
    clan: dict[int, int] = field(default_factory=dict)  # base household → its brother's
    twin: dict[int, int] = field(default_factory=dict)  # person id → twin's person id
    relationship: list[str] = field(default_factory=list)  # per person id, first registration

    def index(self, record_id: str) -> int:
        return int(record_id[1:])

    def kind(self, a: str, b: str) -> str:
        """What two records are to each other: "same_person", "twins", "parent_child",
        "siblings", "spouses", "household" (other relatives living together), "cousins"
        (a brother's household) or "unrelated"."""
        pa, pb = self.person[self.index(a)], self.person[self.index(b)]
        if pa == pb:
            return "same_person"
        if self.twin.get(pa) == pb:
            return "twins"
        ha, hb = self.base_household[pa], self.base_household[pb]
        if ha == hb:
            ra, rb = self.relationship[pa], self.relationship[pb]
            rels = {ra, rb}
            if rels <= {"head", "spouse"}:
                return "spouses"
            if ra in _CHILD and rb in _CHILD:
                return "siblings"
            if rels & {"head", "spouse"} and rels & set(_CHILD):
                return "parent_child"
            return "household"
        if self.clan.get(ha, -1) == self.clan.get(hb, -2):
            return "cousins"
        return "unrelated"

    def cross_script(self, pair: Iterable[str]) -> bool:
        a, b = (self.records[self.index(x)] for x in pair)
        return name_script(a) != name_script(b)


def name_script(record: Record) -> str:
    """ "ar" when the record's names are in Arabic script, "latin" when in Latin
    letters, "" when it has no name."""
    text = record.given_name or record.full_name or record.family_name or record.father_name
    for ch in text:
        if "\u0600" <= ch <= "\u06ff":
            return "ar"
        if ch.isalpha():
            return "latin"
    return ""


def generate(n_records: int, seed: int = 1) -> tuple[list[Record], set[frozenset[str]]]:
    """`n_records` records and the pairs of record ids that are the same person."""
    syn = generate_full(n_records, seed)
    return syn.records, syn.truth


def cached(n_records: int, seed: int = 1) -> Synthetic:
    """`generate_full`, kept in the temporary folder (a pickle) for the next run."""
    folder = Path(tempfile.gettempdir()) / "sanad-bench-dedup"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"iraqi-{n_records}-{seed}-v{VERSION}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 — our own file
    syn = generate_full(n_records, seed)
    partial = path.with_suffix(".part")
    with partial.open("wb") as fh:
        pickle.dump(syn, fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)
    return syn


def generate_full(n_records: int, seed: int = 1) -> Synthetic:
    return _Builder(seed).build(n_records)


# --------------------------------------------------------------------------------------
def _community_of_names() -> dict[str, tuple[Any, Any]]:
    """Arabic given name → (male table, female table) of a community that uses it."""
    out: dict[str, tuple[Any, Any]] = {}
    for community in COMMUNITIES.values():
        for table in (community.male, community.female, community.elder_male):
            for ar in table.spellings():
                out.setdefault(ar, (community.male, community.female))
    return out


def _places() -> list[tuple[str, str]]:
    """(admin unit P-code, address) where a household may have moved to."""
    out = [(s.pcode, s.code) for s in geo.SITES if s.weight]
    out += [(a.pcode, "") for a in geo.AREAS]
    return out


class _Form:
    """How one partner's registration form and enumerator write a household."""

    __slots__ = (
        "case",
        "docs",
        "drop_article",
        "family",
        "full_only",
        "grandfather",
        "latin",
        "phone",
        "quad",
        "spelt",
        "variant",
        "year_only",
    )

    def __init__(self, rnd: Any) -> None:
        self.latin = rnd() < LATIN_SHARE
        self.full_only = rnd() < FULL_NAME_ONLY
        self.quad = rnd() < 0.5  # a full name with the family name, or the triple name
        self.grandfather = rnd() < 0.85
        self.family = rnd() < 0.8
        self.docs = rnd() < 0.4
        self.phone = rnd() < 0.9
        self.year_only = rnd() < 0.3  # an estimated birth date written as the year only
        r = rnd()
        self.case = "upper" if r < 0.15 else "lower" if r < 0.22 else ""
        self.variant = rnd() < 0.5
        self.drop_article = rnd() < 0.15
        self.spelt: dict[str, str] = {}


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 17)
        self.rnd = self.rng.random
        self.spellings = latin_spellings()
        self.tables = _community_of_names()
        self.places = _places()
        # per person id
        self.base_household: list[int] = []
        self.relationship: list[str] = []
        self.twin: dict[int, int] = {}
        self.clan: dict[int, int] = {}
        self.registrations: list[list[tuple[Any, ...]]] = []
        self.brother_of: tuple[int, dict[str, Any]] | None = None

    # --- the truth about each household --------------------------------------------
    def new_person(self, member: dict[str, Any], household: int) -> None:
        member["_pid"] = len(self.base_household)
        self.base_household.append(household)
        self.relationship.append(member["relationship"])

    def spelling(self, ar: str) -> str:
        options = self.spellings.get(ar)
        return options[0] if options else ""

    def pick_given(self, like: str, male: bool, avoid: set[str]) -> tuple[str, str]:
        tables = self.tables.get(like) or (COMMUNITIES["arab"].male, COMMUNITIES["arab"].female)
        table = tables[0] if male else tables[1]
        name = table.pick(self.rnd())
        for _ in range(6):
            if name[0] not in avoid:
                break
            name = table.pick(self.rnd())
        return name

    def enrich(self, index: int, members: list[dict[str, Any]]) -> None:
        """Twins, a son named after his grandfather, a brother's household nearby."""
        rnd = self.rnd
        head = members[0]
        male_headed = head["sex"] == "male" and head["relationship"] == "head"
        children = [m for m in members if m["relationship"] in _CHILD]
        if male_headed and self.brother_of is not None:
            clan, first_head = self.brother_of
            self.brother_of = None
            self.make_brother(members, first_head)
            self.clan[index] = clan
            self.clan[clan] = clan
        elif male_headed and rnd() < BROTHER_NEARBY:
            self.brother_of = (index, head)
        if male_headed and children and rnd() < NAMED_AFTER_GRANDFATHER:
            son = next((m for m in children if m["sex"] == "male"), None)
            if son is not None and son["given_name_ar"] != head["fathers_name_ar"]:
                old = son["given_name_ar"]
                son["given_name_ar"] = head["fathers_name_ar"]
                son["given_name_en"] = head["fathers_name_en"] if son["given_name_en"] else ""
                for m in members:  # his own children's father's name
                    if m["relationship"] == "grandchild" and m["fathers_name_ar"] == old:
                        m["fathers_name_ar"] = son["given_name_ar"]
                        m["fathers_name_en"] = son["given_name_en"] if m["fathers_name_en"] else ""
        young = [m for m in children if m["date_of_birth"][:4] >= "2008"]
        if young and rnd() < TWINS:
            first = young[int(rnd() * len(young))]
            twin = dict(first, documents=[], phone="", is_alternate_collector=False)
            male = first["sex"] == "male" if rnd() < 0.6 else rnd() < 0.51
            twin["sex"] = "male" if male else "female"
            twin["relationship"] = "son" if male else "daughter"
            used = {m["given_name_ar"] for m in members}
            if male and first["sex"] == "male" and rnd() < 0.4:
                pair = (_HASSAN, _HUSSEIN)
                first["given_name_ar"], twin["given_name_ar"] = pair
                en = (
                    self.spellings.get(_HASSAN, ("Hassan",))[0],
                    self.spellings.get(_HUSSEIN, ("Hussein",))[0],
                )
                if first["given_name_en"]:
                    first["given_name_en"], twin["given_name_en"] = en
            else:
                name = self.pick_given(first["given_name_ar"], male, used)
                twin["given_name_ar"] = name[0]
                twin["given_name_en"] = name[1] if first["given_name_en"] else ""
            members.insert(members.index(first) + 1, twin)
            twin["_twin_of"] = first

    def make_brother(self, members: list[dict[str, Any]], first: dict[str, Any]) -> None:
        """`members` become the household of `first`'s brother: the same father,
        grandfather and family; their children are cousins of `first`'s."""
        head = members[0]
        latin = bool(head["given_name_en"])
        for part in ("fathers_name", "grandfathers_name", "family_name"):
            head[part + "_ar"] = first[part + "_ar"]
            head[part + "_en"] = (
                (first[part + "_en"] or self.spelling(first[part + "_ar"])) if latin else ""
            )
        if head["given_name_ar"] == first["given_name_ar"]:
            other = self.pick_given(head["given_name_ar"], True, {first["given_name_ar"]})
            head["given_name_ar"] = other[0]
            head["given_name_en"] = other[1] if head["given_name_en"] else ""
        for m in members[1:]:
            rel = m["relationship"]
            if rel in _CHILD:
                m["fathers_name_ar"], m["fathers_name_en"] = (
                    head["given_name_ar"],
                    head["given_name_en"] if m["fathers_name_en"] else "",
                )
                m["grandfathers_name_ar"] = head["fathers_name_ar"]
                m["grandfathers_name_en"] = head["fathers_name_en"] if m["fathers_name_en"] else ""
                m["family_name_ar"] = head["family_name_ar"]
                m["family_name_en"] = head["family_name_en"] if m["family_name_en"] else ""
            elif rel in ("brother", "sister", "grandchild"):
                m["family_name_ar"] = head["family_name_ar"]
                m["family_name_en"] = head["family_name_en"] if m["family_name_en"] else ""
                if rel != "grandchild":
                    m["fathers_name_ar"] = head["fathers_name_ar"]
                    m["grandfathers_name_ar"] = head["grandfathers_name_ar"]
                    m["fathers_name_en"] = head["fathers_name_en"] if m["fathers_name_en"] else ""
                    m["grandfathers_name_en"] = (
                        head["grandfathers_name_en"] if m["grandfathers_name_en"] else ""
                    )
                else:
                    m["grandfathers_name_ar"] = head["given_name_ar"]
                    m["grandfathers_name_en"] = (
                        head["given_name_en"] if m["grandfathers_name_en"] else ""
                    )

    # --- writing people down ---------------------------------------------------------
    def latin(self, form: _Form, ar: str, given_en: str, first: bool) -> str:
        if not ar:
            return ""
        out = form.spelt.get(ar)
        if out is None:
            options = self.spellings.get(ar)
            if first and given_en:
                out = given_en
            elif options:
                out = respell(options, self.rnd())
            else:
                out = given_en or ar
            if self.rnd() < (0.02 if not first else 0.01):
                out = self.typo(out)
            if form.drop_article and out[:3].lower() in ("al-", "al ", "el-") and len(out) > 5:
                out = out[3:]
            if form.case == "upper":
                out = out.upper()
            elif form.case == "lower":
                out = out.lower()
            form.spelt[ar] = out
        return out

    def arabic(self, form: _Form, ar: str, first: bool) -> str:
        if not ar:
            return ""
        out = form.spelt.get(ar)
        if out is None:
            out = arabic_variant(ar, self.rnd) if form.variant else ar
            if form.drop_article and out.startswith("ال") and len(out) > 4:
                out = out[2:]
            if self.rnd() < (0.015 if not first else 0.005) and len(out) > 3:
                i = 1 + int(self.rnd() * (len(out) - 2))
                out = out[:i] + out[i + 1 :]
            form.spelt[ar] = out
        return out

    def typo(self, text: str) -> str:
        if len(text) < 4:
            return text
        rnd = self.rnd
        i = 1 + int(rnd() * (len(text) - 2))
        r = rnd()
        if r < 0.4:
            return text[:i] + text[i + 1 :]
        if r < 0.7:
            return text[:i] + text[i] + text[i:]
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    def phone(self, number: str) -> str:
        if not number:
            return ""
        r = self.rnd()
        local = number[4:]  # +964 7xx… → 7xx…
        if r < 0.4:
            return "0" + local
        if r < 0.5:
            return "00964" + local
        if r < 0.6:
            return f"0{local[:3]} {local[3:6]} {local[6:]}"
        return number

    def new_phone(self) -> str:
        return f"+9647{'5789'[int(self.rnd() * 4)]}{int(self.rnd() * 1e8):08d}"

    def dob(self, form: _Form, dob: str, estimated: bool, again: bool) -> tuple[str, bool]:
        """The date of birth as this registration writes it."""
        if not dob:
            return "", False
        rnd = self.rnd
        if again:
            r = rnd()
            year = int(dob[:4])
            if r < 0.04:
                return "", False
            if estimated:
                if r < 0.3:
                    year += 1 if rnd() < 0.5 else -1
                elif r < 0.4:  # the real date this time
                    return f"{year:04d}-{1 + int(rnd() * 12):02d}-{1 + int(rnd() * 28):02d}", False
                estimated = True
            elif r < 0.17 and year < 2016:  # an age instead of a date
                if rnd() < 0.25:
                    year += 1 if rnd() < 0.5 else -1
                estimated = True
            elif r < 0.23:
                month, day = dob[5:7], dob[8:10]
                if day <= "12" and day != month:
                    return f"{dob[:4]}-{day}-{month}", False
            elif r < 0.27:
                day = int(dob[8:10])
                day = day + 1 if day < 28 else day - 1
                return f"{dob[:8]}{day:02d}", False
            if estimated:
                if form.year_only:
                    return f"{year:04d}", True
                return f"{year:04d}-{'07' if rnd() < 0.25 else '01'}-01", rnd() < 0.7
            return dob, False
        if estimated and form.year_only:
            return dob[:4], True
        return dob, estimated

    def render(
        self,
        form: _Form,
        members: list[dict[str, Any]],
        unit: str,
        address: str,
        again: bool,
        relabel: dict[int, str] | None = None,
        phones: dict[int, str] | None = None,
    ) -> list[tuple[Any, ...]]:
        """One registration: a tuple per member (the person id, then Record fields)."""
        rnd = self.rnd
        out = []
        admin1, admin2 = unit[:5], unit[:8]
        for m in members:
            pid = m["_pid"]
            if form.latin:
                parts = [
                    self.latin(form, m["given_name_ar"], m["given_name_en"], not again),
                    self.latin(form, m["fathers_name_ar"], m["fathers_name_en"], not again),
                    self.latin(
                        form, m["grandfathers_name_ar"], m["grandfathers_name_en"], not again
                    ),
                    self.latin(form, m["family_name_ar"], m["family_name_en"], not again),
                ]
            else:
                parts = [
                    self.arabic(form, m["given_name_ar"], not again),
                    self.arabic(form, m["fathers_name_ar"], not again),
                    self.arabic(form, m["grandfathers_name_ar"], not again),
                    self.arabic(form, m["family_name_ar"], not again),
                ]
            full = ""
            if form.full_only:
                full = " ".join(p for p in (parts if form.quad else parts[:3]) if p)
                parts = ["", "", "", ""]
            else:
                if not form.grandfather:
                    parts[2] = ""
                if not form.family:
                    parts[3] = ""
            dob, estimated = self.dob(form, m["date_of_birth"], m["dob_estimated"], again)
            sex = m["sex"]
            if again:
                r = rnd()
                if r < 0.01:
                    sex = ""
                elif r < 0.013:
                    sex = "female" if sex == "male" else "male"
            phone = ""
            if form.phone:
                phone = phones.get(pid, m["phone"]) if phones is not None else m["phone"]
                phone = self.phone(phone)
            doc = ""
            if form.docs and m["documents"]:
                doc = m["documents"][0]["number"]
                if again and rnd() < 0.02:
                    doc = self.typo(doc)
            rel = relabel.get(pid, m["relationship"]) if relabel else m["relationship"]
            out.append(
                (
                    pid,
                    *parts,
                    full,
                    sex,
                    dob,
                    estimated,
                    phone,
                    doc,
                    address,
                    admin1,
                    admin2,
                    rel,
                )
            )
        return out

    # --- re-registrations ------------------------------------------------------------
    def again(self, household: dict[str, Any], members: list[dict[str, Any]]) -> None:
        rnd = self.rnd
        unit, address = household["admin_unit"], household.get("place_code") or ""
        if rnd() < 0.3:  # moved: another district, sometimes another governorate
            same_gov = [p for p in self.places if p[0][:5] == unit[:5] and p[0][:8] != unit[:8]]
            pool = same_gov if same_gov and rnd() < 0.6 else self.places
            unit, address = pool[int(rnd() * len(pool))]
        relabel: dict[int, str] = {}
        married_son = next(
            (m for m in members if m["relationship"] == "son" and m["marital_status"] == "married"),
            None,
        )
        if married_son is not None and rnd() < SPLIT:
            group = [married_son] + [
                m for m in members if m["relationship"] in ("daughter_in_law", "grandchild")
            ]
            for m in group:
                rel = m["relationship"]
                relabel[m["_pid"]] = (
                    "head"
                    if m is married_son
                    else "spouse"
                    if rel == "daughter_in_law"
                    else ("son" if m["sex"] == "male" else "daughter")
                )
            chosen = group
        else:
            chosen = [m for i, m in enumerate(members) if i == 0 or rnd() >= 0.07]
            if len(members) > 1 and members[1]["relationship"] == "spouse" and rnd() < 0.08:
                relabel[members[0]["_pid"]] = "spouse"  # the wife registers as head
                relabel[members[1]["_pid"]] = "head"
                chosen = [members[1], *(m for m in chosen if m is not members[1])]
            kids = [m for m in chosen if m["relationship"] in _CHILD]
            if kids and rnd() < 0.15:  # a baby born since: not a duplicate of anyone
                template = kids[-1]
                male = rnd() < 0.51
                used = {m["given_name_ar"] for m in members}
                name = self.pick_given(template["given_name_ar"], male, used)
                baby = dict(
                    template,
                    given_name_ar=name[0],
                    given_name_en=name[1] if template["given_name_en"] else "",
                    sex="male" if male else "female",
                    relationship="son" if male else "daughter",
                    date_of_birth=f"2026-{1 + int(rnd() * 9):02d}-{1 + int(rnd() * 28):02d}",
                    dob_estimated=False,
                    documents=[],
                    phone="",
                )
                self.new_person(baby, self.base_household[template["_pid"]])
                chosen.append(baby)
        phones: dict[int, str] = {}
        r = rnd()
        for m in chosen:
            if m["phone"]:
                phones[m["_pid"]] = self.new_phone() if r < 0.3 else "" if r < 0.45 else m["phone"]
        form = _Form(rnd)
        self.registrations.append(self.render(form, chosen, unit, address, True, relabel, phones))

    # --- the set ---------------------------------------------------------------------
    def build(self, n_records: int) -> Synthetic:
        rnd = self.rnd
        expected = REREGISTERED * (1 + THIRD_TIME) * 0.95
        households = int(n_records / _AVG_HOUSEHOLD / (1 + expected)) + 50
        total = 0
        index = 0
        stream = generate_households(households * 2, seed=self.seed)
        for record in stream:
            household = record["household"]
            if household.get("demo_duplicate_of"):
                continue  # this module makes its own re-registrations
            members = record["members"]
            for m in members:
                self.new_person(m, index)
            self.enrich(index, members)
            for m in members:
                if "_twin_of" in m:
                    self.new_person(m, index)
                    a, b = m["_pid"], m.pop("_twin_of")["_pid"]
                    self.twin[a], self.twin[b] = b, a
            form = _Form(rnd)
            first = self.render(
                form, members, household["admin_unit"], household.get("place_code") or "", False
            )
            self.registrations.append(first)
            total += len(first)
            if rnd() < REREGISTERED:
                before = len(self.registrations)
                self.again(household, members)
                if rnd() < THIRD_TIME:
                    self.again(household, members)
                total += sum(len(r) for r in self.registrations[before:])
            index += 1
            if total >= n_records:
                break
        return self.finish(n_records)

    def finish(self, n_records: int) -> Synthetic:
        self.rng.shuffle(self.registrations)
        records: list[Record] = []
        person: list[int] = []
        width = max(7, len(str(n_records)))
        for h, registration in enumerate(self.registrations):
            household_id = f"H{h:0{width}d}"
            for row in registration:
                if len(records) >= n_records:
                    break
                record_id = f"P{len(records):0{width}d}"
                records.append(
                    Record(
                        record_id,
                        household_id,
                        **dict(zip(_RECORD_FIELDS, row[1:], strict=True)),
                    )
                )
                person.append(row[0])
        self.registrations = []
        by_person: dict[int, list[str]] = {}
        for record, pid in zip(records, person, strict=True):
            by_person.setdefault(pid, []).append(record.record_id)
        truth = {
            frozenset(pair)
            for ids in by_person.values()
            if len(ids) > 1
            for pair in itertools.combinations(ids, 2)
        }
        return Synthetic(
            records=records,
            truth=truth,
            person=person,
            base_household=self.base_household,
            clan=self.clan,
            twin=self.twin,
            relationship=self.relationship,
        )

"""The people of a demo household: who lives together (families headed by a man or a
woman, children on their own, older people alone, the extended family), their names
along the patronymic chain, ages, Washington Group answers, illnesses, pregnancies,
phones and papers. `People` draws one family; the household around it (where, since
when, consent) is drawn in `generate`, re-registrations in `reregister`."""

from __future__ import annotations

import datetime
import random
from bisect import bisect
from collections.abc import Iterable
from typing import Any

from sanad.registry.demo.names import Community, Name

WG_DOMAINS = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
)
# Which domain a disability is in, for adults and for children (walking and seeing lead in
# adults; cognition and communication in children).
_WG_ADULT = (0.25, 0.12, 0.38, 0.12, 0.07, 0.06)
_WG_CHILD = (0.15, 0.12, 0.2, 0.25, 0.08, 0.2)
NO_WG = (None, None, None, None, None, None)
_ONES = (1, 1, 1, 1, 1, 1)
# An individual's keys, in the order of the model's fields.
_MEMBER_TEMPLATE: dict[str, Any] = {
    "given_name_ar": "",
    "fathers_name_ar": "",
    "grandfathers_name_ar": "",
    "family_name_ar": "",
    "given_name_en": "",
    "fathers_name_en": "",
    "grandfathers_name_en": "",
    "family_name_en": "",
    "sex": "",
    "date_of_birth": "",
    "dob_estimated": False,
    "relationship": "",
    "marital_status": "",
    "is_pregnant": False,
    "wg_seeing": None,
    "wg_hearing": None,
    "wg_walking": None,
    "wg_cognition": None,
    "wg_selfcare": None,
    "wg_communication": None,
    "has_chronic_illness": False,
    "is_unaccompanied_or_separated": False,
    "is_alternate_collector": False,
    "phone": "",
    "preferred_language": "",
    "documents": None,
}

# Household size (after the head) of male-headed families and of woman-headed ones.
_MALE_HEADED_SIZES = (
    (2, 5),
    (3, 9),
    (4, 13),
    (5, 15),
    (6, 15),
    (7, 13),
    (8, 10),
    (9, 7),
    (10, 5),
    (11, 3),
    (12, 2),
)
_WOMAN_HEADED_CHILDREN = (
    (0, 4),
    (1, 12),
    (2, 18),
    (3, 20),
    (4, 18),
    (5, 12),
    (6, 8),
    (7, 5),
    (8, 2),
)
# Korek 075x, Asiacell 077x, Zain 078x/079x.
_OPERATORS = (("5", 0.2), ("7", 0.4), ("8", 0.25), ("9", 0.15))
_SERIAL_PRIME = 6_700_417  # a prime: coprime with every power of ten
_SERIAL_PRIME_2 = 2_147_483_647
_DOCUMENT_KINDS = ("national_id", "civil_id", "pds_card", "passport", "unhcr")
_UUID_CLEAR = ~((0xF << 76) | (0xC << 60))
_UUID_SET = (0x4 << 76) | (0x8 << 60)


class Choice:
    """Weighted items; `pick(r)` with r uniform in [0, 1)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, weighted: Iterable[tuple[Any, float]]) -> None:
        items, cum, total = [], [], 0.0
        for item, weight in weighted:
            if weight <= 0:
                continue
            total += weight
            items.append(item)
            cum.append(total)
        self.items, self.cum, self.total = tuple(items), tuple(cum), total

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, r: float) -> Any:
        return self.items[min(bisect(self.cum, r * self.total), len(self.items) - 1)]


class People:
    """Draws members from the seeded stream `rng`; ages are as on `as_of`."""

    def __init__(self, rng: random.Random, as_of: datetime.date) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.as_of = as_of
        self.as_of_ord = as_of.toordinal()
        self.adult_born = (as_of - datetime.timedelta(days=18 * 366)).isoformat()
        # Dates of birth as strings, precomputed: by days before `as_of`, and for an
        # estimated age the 1 January of the year (as civil registries and the registry's
        # own "age only" rule record an unknown birthday).
        self.iso_days_ago = [
            datetime.date.fromordinal(self.as_of_ord - d).isoformat() for d in range(0, 105 * 366)
        ]
        self.estimated_dob = [f"{as_of.year - age:04d}-01-01" for age in range(0, 106)]
        self.serials: dict[str, int] = {}
        self.serial_offsets = {kind: rng.getrandbits(40) for kind in _DOCUMENT_KINDS}
        # The household being drawn: Latin names filled in, language, where papers
        # were issued, refugee (attributes are cheaper than keyword arguments).
        self.h_latin = True
        self.h_language = "ar"
        self.h_gov: str | None = None
        self.h_unhcr = False
        self.male_sizes = Choice(_MALE_HEADED_SIZES)
        self.woman_children = Choice(_WOMAN_HEADED_CHILDREN)
        self.operators = Choice(_OPERATORS)
        self.wg_adult = Choice(enumerate(_WG_ADULT))
        self.wg_child = Choice(enumerate(_WG_CHILD))

    def uuid(self) -> str:
        """A version-4 UUID string from the seeded stream (stands for Kobo's `_uuid`)."""
        x = (self.rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def serial(self, kind: str, digits: int) -> str:
        """A document number that looks random but never repeats within its kind, so
        that only re-registrations share documents (as the import's clash check
        expects): the n-th number of the kind times a prime, plus an offset, modulo the
        number space, then twice its digits reversed and times a prime: each step a
        bijection of the number space."""
        n = self.serials[kind] = self.serials.get(kind, 0) + 1
        space = 10**digits
        x = (n * _SERIAL_PRIME + self.serial_offsets[kind]) % space
        for _round in range(2):
            x = (int(f"{x:0{digits}d}"[::-1]) * _SERIAL_PRIME_2) % space
        return f"{x:0{digits}d}"

    def phone(self) -> str:
        return f"+9647{self.operators.pick(self.rnd())}{int(self.rnd() * 1e8):08d}"

    def dob(self, age: int, estimated: bool) -> str:
        if estimated:
            return self.estimated_dob[age]
        return self.iso_days_ago[int((age + self.rnd()) * 365.2425)]

    def wg(self, age: int, disabled: bool) -> tuple[int | None, ...]:
        """Washington Group answers with a difficulty: "a lot" or "cannot" in one
        domain (`disabled`), or only "some" difficulty."""
        rnd = self.rnd
        values: list[int | None] = [1, 1, 1, 1, 1, 1]
        domains = self.wg_child if age < 18 else self.wg_adult
        if disabled:
            values[domains.pick(rnd())] = 3 if rnd() < 0.75 else 4
            if rnd() < 0.3:
                other = domains.pick(rnd())
                values[other] = max(values[other] or 1, 2)
        else:
            values[domains.pick(rnd())] = 2
        return tuple(values)

    # --- people --------------------------------------------------------------------
    def person(
        self,
        given: Name,
        father: Name,
        grand: Name,
        family: Name,
        sex: str,
        age: int,
        relationship: str,
        marital: str,
        separated: bool = False,
    ) -> dict[str, Any]:
        """One member. The household's context (Latin names filled, language, where
        papers were issued, refugee) is on `self.h_*` — cheaper than keyword arguments."""
        rnd = self.rnd
        r = rnd()
        if age >= 18:
            p = 0.25 if age >= 40 else 0.12
            estimated = r < p
            if r < p / 2:
                age = max(18, 5 * round(age / 5))  # age heaping: "about 45"
            p_dis, p_chronic = (0.095, 0.13) if age < 60 else (0.38, 0.45)
        else:
            estimated = r < 0.04
            p_dis, p_chronic = 0.05, 0.04
        if age < 5:
            wg: tuple[int | None, ...] = NO_WG
        else:
            r = rnd()
            wg = _ONES if r >= p_dis + 0.12 else self.wg(age, r < p_dis)
        pregnant = marital == "married" and sex == "female" and age <= 45 and rnd() < 0.12
        documents: list[dict[str, Any]] = []
        gov = self.h_gov
        if gov is not None:
            r = rnd()
            if r < (0.8 if age >= 18 else 0.35 if age >= 5 else 0.15):
                documents.append(
                    {
                        "kind": "national_id",
                        "issuing_governorate": gov,
                        "number": f"{1 if sex == 'male' else 2}{self.serial('national_id', 11)}",
                    }
                )
            elif age >= 18 and r < 0.92:
                documents.append(
                    {
                        "kind": "civil_id",
                        "issuing_governorate": gov,
                        "number": self.serial("civil_id", 8),
                    }
                )
        elif self.h_unhcr and age >= 18 and rnd() < 0.1:
            documents.append(
                {
                    "kind": "passport",
                    "issuing_governorate": None,
                    "number": f"N{self.serial('passport', 9)}",
                }
            )
        latin = self.h_latin
        # Copying a template and setting what differs is about twice as fast as a literal.
        m = _MEMBER_TEMPLATE.copy()
        m["given_name_ar"] = given[0]
        m["fathers_name_ar"] = father[0]
        m["grandfathers_name_ar"] = grand[0]
        m["family_name_ar"] = family[0]
        if latin:
            m["given_name_en"] = given[1]
            m["fathers_name_en"] = father[1]
            m["grandfathers_name_en"] = grand[1]
            m["family_name_en"] = family[1]
        m["sex"] = sex
        m["date_of_birth"] = (
            self.estimated_dob[age]
            if estimated
            else self.iso_days_ago[int((age + rnd()) * 365.2425)]
        )
        m["dob_estimated"] = estimated
        m["relationship"] = relationship
        if age >= 12:
            m["marital_status"] = marital
            m["preferred_language"] = self.h_language
        if pregnant:
            m["is_pregnant"] = True
        if wg is not NO_WG:
            (
                m["wg_seeing"],
                m["wg_hearing"],
                m["wg_walking"],
                m["wg_cognition"],
                m["wg_selfcare"],
                m["wg_communication"],
            ) = wg
        m["has_chronic_illness"] = rnd() < p_chronic
        if separated:
            m["is_unaccompanied_or_separated"] = True
        m["documents"] = documents
        return m

    def children(
        self,
        k: int,
        eldest: int,
        father: Name,
        grand: Name,
        family: Name,
        c: Community,
        relationship: tuple[str, str] = ("son", "daughter"),
        separated: bool = False,
    ) -> list[dict[str, Any]]:
        """Up to k children, the eldest aged `eldest`, one to four years apart; fewer
        when the mother is too young for k."""
        rnd = self.rnd
        male_t, female_t = c.male, c.female
        used = {father[0]}  # brothers and sisters do not share a given name, nor their father's
        out = []
        age = max(eldest, 0)
        for _ in range(k):
            male = rnd() < 0.51
            table = male_t if male else female_t
            for _try in range(4):
                given = table.flat[int(rnd() * table.size)]
                if given[0] not in used:
                    break
            used.add(given[0])
            if male:
                out.append(
                    self.person(
                        given,
                        father,
                        grand,
                        family,
                        "male",
                        age,
                        relationship[0],
                        "single",
                        separated and age < 18,
                    )
                )
            else:
                out.append(
                    self.person(
                        given,
                        father,
                        grand,
                        family,
                        "female",
                        age,
                        relationship[1],
                        "single",
                        separated and age < 18,
                    )
                )
            r = rnd()
            age -= 1 if r < 0.15 else 2 if r < 0.65 else 3 if r < 0.9 else 4
            if age < 0:
                break
        return out

    def first_child_age(self, mother_age: int) -> int:
        """How old a mother's eldest child still living with her is: the first birth
        at 17 to 23; children over 18 leave as they marry."""
        rnd = self.rnd
        return min(mother_age - 17 - int(rnd() * 7), 17 + int(rnd() ** 1.5 * 16))

    def family(self, c: Community) -> list[dict[str, Any]]:
        rnd = self.rnd
        r = rnd()
        male, female, elder_m, elder_f, families = (
            c.male,
            c.female,
            c.elder_male,
            c.elder_female,
            c.family,
        )

        def pick(table: Any) -> Name:
            return table.flat[int(rnd() * table.size)]

        def parents() -> tuple[Name, Name]:
            """A father's and grandfather's name (rarely the same name twice)."""
            father = elder_m.flat[int(rnd() * elder_m.size)]
            grand = elder_m.flat[int(rnd() * elder_m.size)]
            if grand[0] == father[0]:
                grand = elder_m.flat[int(rnd() * elder_m.size)]
            return father, grand

        if r < 0.006:  # child-headed: siblings on their own
            age = 14 + int(rnd() * 4)
            sex = "male" if rnd() < 0.6 else "female"
            (father, grand), fam = parents(), pick(families)
            head = self.person(
                pick(male if sex == "male" else female),
                father,
                grand,
                fam,
                sex,
                age,
                "head",
                "single",
                True,
            )
            siblings = self.children(
                1 + int(rnd() * 4),
                age - 1 - int(rnd() * 2),
                father,
                grand,
                fam,
                c,
                ("brother", "sister"),
                True,
            )
            return [head, *siblings]
        if r < 0.029:  # an older person alone
            sex = "female" if rnd() < 0.6 else "male"
            x = rnd()
            marital = "widowed" if x < 0.8 else "divorced" if x < 0.9 else "single"
            return [
                self.person(
                    pick(elder_f if sex == "female" else elder_m),
                    *parents(),
                    pick(families),
                    sex,
                    60 + int(rnd() ** 1.5 * 28),
                    "head",
                    marital,
                )
            ]
        if r < 0.044:  # a younger adult alone
            sex = "male" if rnd() < 0.7 else "female"
            x = rnd()
            marital = (
                "single"
                if x < 0.5
                else "divorced"
                if x < 0.7
                else "widowed"
                if x < 0.9
                else "married"
            )
            return [
                self.person(
                    pick(male if sex == "male" else female),
                    *parents(),
                    pick(families),
                    sex,
                    18 + int(rnd() * 42),
                    "head",
                    marital,
                )
            ]
        if r < 0.134:  # woman-headed: widowed, divorced, separated or the husband away
            age = 20 + int((rnd() + rnd() + rnd()) / 3 * 48)
            x = rnd()
            marital = (
                "widowed"
                if x < 0.6
                else "divorced"
                if x < 0.75
                else "separated"
                if x < 0.85
                else "married"
            )
            head = self.person(
                pick(elder_f if age >= 50 else female),
                *parents(),
                pick(families),
                "female",
                age,
                "head",
                marital,
            )
            kids = self.children(
                self.woman_children.pick(rnd()),
                self.first_child_age(age),
                pick(male),
                pick(elder_m),
                pick(families),
                c,
            )
            for kid in kids:
                if kid["sex"] == "male" and kid["date_of_birth"] <= self.adult_born and rnd() < 0.5:
                    kid["is_alternate_collector"] = True
                    break
            return [head, *kids]

        # Male-headed family, sometimes with the head's parents, a married son, a sibling.
        older = rnd() < 0.1
        age = 60 + int(rnd() * 22) if older else 19 + int((rnd() + rnd() + rnd()) / 3 * 44)
        (father, grand), fam = parents(), pick(families)
        given = pick(male)
        if given[0] == father[0]:
            given = pick(male)
        slots = self.male_sizes.pick(rnd()) - 1
        married = rnd() < (0.94 if age < 65 else 0.7)
        head = self.person(
            given,
            father,
            grand,
            fam,
            "male",
            age,
            "head",
            "married" if married else ("widowed" if rnd() < 0.8 else "divorced"),
        )
        members = [head]
        mother_age = age - 5
        if married:
            mother_age = max(17, age - int(rnd() * 10))
            wife = self.person(
                pick(elder_f if mother_age >= 50 else female),
                *parents(),
                fam if rnd() < c.same_family_spouse else pick(families),
                "female",
                mother_age,
                "spouse",
                "married",
            )
            wife["is_alternate_collector"] = rnd() < 0.4
            members.append(wife)
            slots -= 1
        if age < 45 and slots >= 2 and rnd() < 0.12:
            grandma_age = age + 20 + int(rnd() * 12)
            with_father = slots >= 3 and rnd() < 0.3
            members.append(
                self.person(
                    pick(elder_f),
                    *parents(),
                    pick(families),
                    "female",
                    grandma_age,
                    "mother",
                    "married" if with_father else "widowed",
                )
            )
            slots -= 1
            if with_father:
                members.append(
                    self.person(
                        father,
                        grand,
                        pick(elder_m),
                        fam,
                        "male",
                        grandma_age + 3 + int(rnd() * 6),
                        "father",
                        "married",
                    )
                )
                slots -= 1
        if age >= 48 and slots >= 3 and rnd() < 0.3:
            son_age = max(19, min(age - 20, mother_age - 18) - int(rnd() * 8))
            son = pick(male)
            members.append(self.person(son, given, father, fam, "male", son_age, "son", "married"))
            dil_age = max(17, son_age - int(rnd() * 6))
            members.append(
                self.person(
                    pick(female),
                    *parents(),
                    fam if rnd() < c.same_family_spouse else pick(families),
                    "female",
                    dil_age,
                    "daughter_in_law",
                    "married",
                )
            )
            slots -= 2
            grandkids = self.children(
                min(slots, 1 + int(rnd() * 3)),
                max(0, dil_age - 19 - int(rnd() * 4)),
                son,
                given,
                fam,
                c,
                ("grandchild", "grandchild"),
            )
            members.extend(grandkids)
            slots -= len(grandkids)
        if slots >= 2 and rnd() < 0.06:
            sex = "male" if rnd() < 0.5 else "female"
            members.append(
                self.person(
                    pick(male if sex == "male" else female),
                    father,
                    grand,
                    fam,
                    sex,
                    max(15, age - 2 - int(rnd() * 10)),
                    "brother" if sex == "male" else "sister",
                    "single",
                )
            )
            slots -= 1
        if slots >= 1 and rnd() < 0.012:  # a nephew or niece whose parents are missing
            sex = "male" if rnd() < 0.5 else "female"
            members.append(
                self.person(
                    pick(male if sex == "male" else female),
                    pick(male),
                    pick(elder_m),
                    pick(families),
                    sex,
                    5 + int(rnd() * 12),
                    "other_relative",
                    "single",
                    True,
                )
            )
            slots -= 1
        if slots > 0:
            members.extend(
                self.children(slots, self.first_child_age(mother_age), given, father, fam, c)
            )
        return members

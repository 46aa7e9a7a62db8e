"""A deterministic stream of realistic households for the demo, tests and benchmarks.

`generate_households(n, seed=…)` yields one dict per household, in the shape an import
produces (`{"household": {…}, "members": [{…}, …]}`, Household and Individual field
names, P-codes for admin units, ISO dates). It keeps no list of what it yielded: only
the re-registrations waiting for their turn, a few hundred at most, so it feeds a
200,000-household benchmark in constant memory.

Side fields a model does not have, in `household`: `place_code` and `place_kind` (the
site, found by site code), `phones` (normalised), `consents` ({purpose: {"legal_basis",
"given", "recorded_on"}}: `[{"purpose": p, **c} for p, c in consents.items()]` is what
`household_register` takes),
`moves` (displacement history, first displacement first), `registered_on` and
`demo_duplicate_of` (for a re-registration of a family already in the stream: the
`source_ref` of the first registration; None otherwise).
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sanad.registry.demo import geography as geo
from sanad.registry.demo.names import COMMUNITIES, Community, Name, arabic_variant, latin_spellings, respell

AS_OF = datetime.date(2026, 11, 1)
REGISTRATION_START = datetime.date(2025, 1, 5)
DUPLICATE_RATE = 0.032  # → about 3% of the yielded households are re-registrations
DUPLICATE_MIN_GAP = 20
DUPLICATE_MAX_GAP = 1500

WG_DOMAINS = ("wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication")
# Which domain a disability is in, for adults and for children (walking and seeing lead in
# adults; cognition and communication in children).
_WG_ADULT = (0.25, 0.12, 0.38, 0.12, 0.07, 0.06)
_WG_CHILD = (0.15, 0.12, 0.2, 0.25, 0.08, 0.2)
_NO_WG = (None, None, None, None, None, None)
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
_MALE_HEADED_SIZES = ((2, 5), (3, 9), (4, 13), (5, 15), (6, 15), (7, 13), (8, 10), (9, 7), (10, 5), (11, 3), (12, 2))
_WOMAN_HEADED_CHILDREN = ((0, 4), (1, 12), (2, 18), (3, 20), (4, 18), (5, 12), (6, 8), (7, 5), (8, 2))
# Korek 075x, Asiacell 077x, Zain 078x/079x.
_OPERATORS = (("5", 0.2), ("7", 0.4), ("8", 0.25), ("9", 0.15))
_UNHCR_OFFICES = ("307", "312", "330")
_UUID_CLEAR = ~((0xF << 76) | (0xC << 60))
_UUID_SET = (0x4 << 76) | (0x8 << 60)
_NAME_PARTS = ("given_name", "fathers_name", "grandfathers_name", "family_name")
_SYRIA_2019 = datetime.date(2019, 1, 1).toordinal()  # the Bardarash/Gawilan arrivals


class _Choice:
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


class _Scenario:
    """Where a household lives now and who it is."""

    __slots__ = ("community", "group", "origins", "pcode", "place_code", "place_kind", "shelters", "status")

    def __init__(self, *, status: str, pcode: str, origins: _Choice, shelters: _Choice,
                 place_code: str | None = None, place_kind: str | None = None,
                 community: str = "", group: str = "") -> None:
        self.status, self.pcode, self.origins, self.shelters = status, pcode, origins, shelters
        self.place_code, self.place_kind, self.community, self.group = place_code, place_kind, community, group


def _normalise_places(places: Iterable[Any]) -> list[tuple[str, str, str, str]]:
    """(kind, code, admin unit P-code, status) from `demo_data.PLACES` rows, (kind, code,
    pcode[, status]) tuples or Place objects."""
    out = []
    for p in places:
        if isinstance(p, tuple | list):
            if len(p) == 8:  # demo_data.PLACES
                kind, _en, _ar, code, pcode, _lat, _lon, status = p
            elif len(p) == 4:
                kind, code, pcode, status = p
            else:
                kind, code, pcode = p
                status = "open"
        else:
            kind, code, pcode, status = p.kind, p.code, p.admin_unit.pcode, p.status
        if code:
            out.append((kind, code, pcode, status))
    return out


class _Generator:
    def __init__(self, n: int, seed: int, places: Iterable[Any] | None,
                 admin_units: Collection[str] | None, as_of: datetime.date) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.as_of = as_of
        self.as_of_ord = as_of.toordinal()
        self.reg_start = min(REGISTRATION_START, as_of - datetime.timedelta(days=60)).toordinal()
        self.reg_span = self.as_of_ord - 1 - self.reg_start
        self.units = set(admin_units) if admin_units is not None else None
        self.spellings = latin_spellings()
        self.adult_born = (as_of - datetime.timedelta(days=18 * 366)).isoformat()
        # Dates of birth as strings, precomputed: by days before `as_of`, and for an
        # estimated age the 1 January of the year (as civil registries and the registry's
        # own "age only" rule record an unknown birthday).
        self.iso_days_ago = [
            datetime.date.fromordinal(self.as_of_ord - d).isoformat() for d in range(0, 105 * 366)
        ]
        self.estimated_dob = [f"{as_of.year - age:04d}-01-01" for age in range(0, 106)]
        self.h_latin = True
        self.h_language = "ar"
        self.h_gov: str | None = None
        self.h_unhcr = False
        self._build_tables(places)

    # --- tables --------------------------------------------------------------------
    def _unit(self, pcode: str | None) -> str | None:
        """`pcode`, or its nearest ancestor that exists when the caller said which do."""
        if pcode is None or self.units is None:
            return pcode
        for candidate in (pcode, pcode[:8], pcode[:5]):
            if candidate in self.units:
                return candidate
        return pcode[:5]

    def _build_tables(self, places: Iterable[Any] | None) -> None:
        known = {s.code: s for s in geo.SITES}
        if places is None:
            sites = [(s.kind, s.code, s.pcode, "open" if s.weight else "closed") for s in geo.SITES]
        else:
            sites = [p for p in _normalise_places(places) if p[0] in geo.RESIDENTIAL_KINDS]
        scenarios: list[tuple[_Scenario, float]] = []
        self.site_pcode: dict[str, tuple[str, str]] = {}  # site code → (kind, P-code)
        self.sites_by_group: dict[str, list[_Scenario]] = {}
        for kind, code, pcode, status in sites:
            self.site_pcode[code] = (kind, pcode)
            site = known.get(code)
            if site is not None and site.kind == kind:
                group, weight = site.group, site.weight
            else:
                group = geo.GROUP_BY_GOVERNORATE.get((kind, pcode[:5]), geo.DEFAULT_GROUP[kind])
                weight = 1.5
            if status != "open" or weight <= 0:
                continue
            status_, origins, shelters = geo.GROUPS[group]
            scenario = _Scenario(
                status=status_, pcode=pcode, origins=_Choice(origins), shelters=_Choice(shelters),
                place_code=code, place_kind=kind, group=group,
            )
            scenarios.append((scenario, weight))
            self.sites_by_group.setdefault(group, []).append(scenario)
        for area in geo.AREAS:
            scenarios.append((
                _Scenario(status=area.status, pcode=self._unit(area.pcode) or area.pcode,
                          origins=_Choice(area.origins), shelters=_Choice(area.shelters),
                          community=area.community),
                area.weight,
            ))
        self.scenarios = _Choice(scenarios)
        self.origin_units = {key: self._unit(o.pcode) for key, o in geo.ORIGINS.items()}
        self.were_in = {
            community: [
                (code if code in self.site_pcode else None,
                 self.site_pcode[code][1] if code in self.site_pcode else self._unit(pcode))
                for code, pcode in spots
            ]
            for community, spots in geo.RETURNEES_WERE_IN.items()
        }
        self.male_sizes = _Choice(_MALE_HEADED_SIZES)
        self.woman_children = _Choice(_WOMAN_HEADED_CHILDREN)
        self.operators = _Choice(_OPERATORS)
        self.wg_adult = _Choice(enumerate(_WG_ADULT))
        self.wg_child = _Choice(enumerate(_WG_CHILD))

    # --- small draws ---------------------------------------------------------------
    def uuid(self) -> str:
        """A version-4 UUID string from the seeded stream (stands for Kobo's `_uuid`)."""
        x = (self.rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def phone(self) -> str:
        return f"+9647{self.operators.pick(self.rnd())}{int(self.rnd() * 1e8):08d}"

    def reg_date(self, position: int) -> int:
        return min(self.reg_start + int(position * self.reg_span / self.n) + int(self.rnd() * 3), self.as_of_ord - 1)

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
    def person(self, given: Name, father: Name, grand: Name, family: Name, sex: str, age: int,
               relationship: str, marital: str, separated: bool = False) -> dict[str, Any]:
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
            wg: tuple[int | None, ...] = _NO_WG
        else:
            r = rnd()
            wg = _ONES if r >= p_dis + 0.12 else self.wg(age, r < p_dis)
        pregnant = marital == "married" and sex == "female" and age <= 45 and rnd() < 0.12
        documents: list[dict[str, Any]] = []
        gov = self.h_gov
        if gov is not None:
            r = rnd()
            if r < (0.8 if age >= 18 else 0.35 if age >= 5 else 0.15):
                documents.append({"kind": "national_id", "issuing_governorate": gov,
                                  "number": f"{1 if sex == 'male' else 2}{int(rnd() * 1e11):011d}"})
            elif age >= 18 and r < 0.92:
                documents.append({"kind": "civil_id", "issuing_governorate": gov,
                                  "number": f"{int(rnd() * 1e8):08d}"})
        elif self.h_unhcr and age >= 18 and rnd() < 0.1:
            documents.append({"kind": "passport", "issuing_governorate": None,
                              "number": f"N{int(rnd() * 1e9):09d}"})
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
            self.estimated_dob[age] if estimated else self.iso_days_ago[int((age + rnd()) * 365.2425)]
        )
        m["dob_estimated"] = estimated
        m["relationship"] = relationship
        if age >= 12:
            m["marital_status"] = marital
            m["preferred_language"] = self.h_language
        if pregnant:
            m["is_pregnant"] = True
        if wg is not _NO_WG:
            (m["wg_seeing"], m["wg_hearing"], m["wg_walking"], m["wg_cognition"], m["wg_selfcare"],
             m["wg_communication"]) = wg
        m["has_chronic_illness"] = rnd() < p_chronic
        if separated:
            m["is_unaccompanied_or_separated"] = True
        m["documents"] = documents
        return m

    def children(self, k: int, eldest: int, father: Name, grand: Name, family: Name, c: Community,
                 relationship: tuple[str, str] = ("son", "daughter"), separated: bool = False) -> list[dict[str, Any]]:
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
                out.append(self.person(given, father, grand, family, "male", age, relationship[0], "single",
                                       separated and age < 18))
            else:
                out.append(self.person(given, father, grand, family, "female", age, relationship[1], "single",
                                       separated and age < 18))
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
        male, female, elder_m, elder_f, families = c.male, c.female, c.elder_male, c.elder_female, c.family

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
            head = self.person(pick(male if sex == "male" else female), father, grand, fam, sex, age,
                               "head", "single", True)
            siblings = self.children(1 + int(rnd() * 4), age - 1 - int(rnd() * 2), father, grand, fam, c,
                                     ("brother", "sister"), True)
            return [head, *siblings]
        if r < 0.029:  # an older person alone
            sex = "female" if rnd() < 0.6 else "male"
            x = rnd()
            marital = "widowed" if x < 0.8 else "divorced" if x < 0.9 else "single"
            return [self.person(pick(elder_f if sex == "female" else elder_m), *parents(),
                                pick(families), sex, 60 + int(rnd() ** 1.5 * 28), "head", marital)]
        if r < 0.044:  # a younger adult alone
            sex = "male" if rnd() < 0.7 else "female"
            x = rnd()
            marital = "single" if x < 0.5 else "divorced" if x < 0.7 else "widowed" if x < 0.9 else "married"
            return [self.person(pick(male if sex == "male" else female), *parents(),
                                pick(families), sex, 18 + int(rnd() * 42), "head", marital)]
        if r < 0.134:  # woman-headed: widowed, divorced, separated or the husband away
            age = 20 + int((rnd() + rnd() + rnd()) / 3 * 48)
            x = rnd()
            marital = "widowed" if x < 0.6 else "divorced" if x < 0.75 else "separated" if x < 0.85 else "married"
            head = self.person(pick(elder_f if age >= 50 else female), *parents(),
                               pick(families), "female", age, "head", marital)
            kids = self.children(self.woman_children.pick(rnd()), self.first_child_age(age), pick(male),
                                 pick(elder_m), pick(families), c)
            for kid in kids:
                if kid["sex"] == "male" and kid["date_of_birth"] <= self.adult_born and rnd() < 0.5:
                    kid["is_alternate_collector"] = True
                    break
            return [head, *kids]

        # Male-headed family, sometimes with the head's parents, a married son, a sibling.
        if rnd() < 0.1:
            age = 60 + int(rnd() * 22)
        else:
            age = 19 + int((rnd() + rnd() + rnd()) / 3 * 44)
        (father, grand), fam = parents(), pick(families)
        given = pick(male)
        if given[0] == father[0]:
            given = pick(male)
        slots = self.male_sizes.pick(rnd()) - 1
        married = rnd() < (0.94 if age < 65 else 0.7)
        head = self.person(given, father, grand, fam, "male", age, "head",
                           "married" if married else ("widowed" if rnd() < 0.8 else "divorced"))
        members = [head]
        mother_age = age - 5
        if married:
            mother_age = max(17, age - int(rnd() * 10))
            wife = self.person(pick(elder_f if mother_age >= 50 else female), *parents(),
                               fam if rnd() < c.same_family_spouse else pick(families), "female", mother_age,
                               "spouse", "married")
            wife["is_alternate_collector"] = rnd() < 0.4
            members.append(wife)
            slots -= 1
        if age < 45 and slots >= 2 and rnd() < 0.12:
            grandma_age = age + 20 + int(rnd() * 12)
            with_father = slots >= 3 and rnd() < 0.3
            members.append(self.person(pick(elder_f), *parents(), pick(families), "female",
                                       grandma_age, "mother", "married" if with_father else "widowed"))
            slots -= 1
            if with_father:
                members.append(self.person(father, grand, pick(elder_m), fam, "male",
                                           grandma_age + 3 + int(rnd() * 6), "father", "married"))
                slots -= 1
        if age >= 48 and slots >= 3 and rnd() < 0.3:
            son_age = max(19, min(age - 20, mother_age - 18) - int(rnd() * 8))
            son = pick(male)
            members.append(self.person(son, given, father, fam, "male", son_age, "son", "married"))
            dil_age = max(17, son_age - int(rnd() * 6))
            members.append(self.person(pick(female), *parents(),
                                       fam if rnd() < c.same_family_spouse else pick(families), "female",
                                       dil_age, "daughter_in_law", "married"))
            slots -= 2
            grandkids = self.children(min(slots, 1 + int(rnd() * 3)), max(0, dil_age - 19 - int(rnd() * 4)),
                                      son, given, fam, c, ("grandchild", "grandchild"))
            members.extend(grandkids)
            slots -= len(grandkids)
        if slots >= 2 and rnd() < 0.06:
            sex = "male" if rnd() < 0.5 else "female"
            members.append(self.person(pick(male if sex == "male" else female), father, grand, fam, sex,
                                       max(15, age - 2 - int(rnd() * 10)),
                                       "brother" if sex == "male" else "sister", "single"))
            slots -= 1
        if slots >= 1 and rnd() < 0.012:  # a nephew or niece whose parents are missing
            sex = "male" if rnd() < 0.5 else "female"
            members.append(self.person(pick(male if sex == "male" else female), pick(male), pick(elder_m),
                                       pick(families), sex, 5 + int(rnd() * 12), "other_relative", "single", True))
            slots -= 1
        if slots > 0:
            members.extend(self.children(slots, self.first_child_age(mother_age), given, father, fam, c))
        return members

    # --- households ----------------------------------------------------------------
    def household(self, position: int) -> dict[str, Any]:
        rnd = self.rnd
        sc: _Scenario = self.scenarios.pick(rnd())
        origin_key = None if sc.community else sc.origins.pick(rnd())
        origin = geo.ORIGINS[origin_key] if origin_key else None
        community = COMMUNITIES[sc.community or origin.community]  # type: ignore[union-attr]
        registered = self.reg_date(position)
        shelter = sc.shelters.pick(rnd())
        refugee = sc.status == "syrian_refugee"
        origin_unit = self.origin_units[origin_key] if origin_key else None
        iraqi_gov = None if refugee else (origin_unit or sc.pcode)[:5]
        latin = rnd() < 0.7
        language = community.language(rnd())
        self.h_latin, self.h_language, self.h_gov, self.h_unhcr = latin, language, iraqi_gov, refugee
        members = self.family(community)
        head = members[0]

        # Documents held once per family: the ration card (PDS) or the UNHCR case number.
        if refugee:
            head["documents"].append({"kind": "unhcr", "issuing_governorate": None, "number": ""})
        elif rnd() < 0.8:
            head["documents"].append({"kind": "pds_card", "number": f"{int(rnd() * 1e7):07d}",
                                      "issuing_governorate": iraqi_gov})

        # Phones: the head's, and often a second one (the spouse's or an adult son's).
        phones = []
        if rnd() < (0.5 if head["is_unaccompanied_or_separated"] else 0.93):
            number = self.phone()
            head["phone"] = number
            phones.append(number)
            if len(members) > 1 and rnd() < 0.3:
                owner = members[1]
                if owner["date_of_birth"] <= self.adult_born:
                    number = self.phone()
                    owner["phone"] = number
                    phones.append(number)

        displaced = moves = None
        if origin is not None:
            start, end = origin.windows[int(rnd() * len(origin.windows))]
            displaced = start.toordinal() + int(rnd() * ((end - start).days + 1))
        moves = []
        if sc.status == "returnee" and displaced is not None:
            group = ("arab_anbar" if origin_key in geo.ANBAR_ORIGINS else "arab_ninewa") \
                if community.key == "arab" else community.key
            spots = self.were_in.get(group) or [(None, sc.pcode)]
            code, pcode = spots[int(rnd() * len(spots))]
            returned = displaced + 180 + int(rnd() * max(1, registered - displaced - 210))
            moves.append(self._move(displaced, origin_unit, pcode, code,
                                    "idp_in_camp" if code else "idp_out_of_camp", "camp" if code else "rented"))
            moves.append(self._move(returned, pcode, sc.pcode, None, "returnee", shelter))
        elif displaced is not None:
            note = geo.REFUGEE_CROSSING if refugee and displaced >= _SYRIA_2019 else ""
            moves.append(self._move(displaced, origin_unit, sc.pcode, sc.place_code, sc.status, shelter, note))
        if refugee:
            office = _UNHCR_OFFICES[int(rnd() * len(_UNHCR_OFFICES))]
            year = datetime.date.fromordinal(displaced or registered).year % 100
            head["documents"][-1]["number"] = f"{office}-{year:02d}C{int(rnd() * 1e5):05d}"

        on = datetime.date.fromordinal(registered).isoformat()
        consents = {
            "registration": {"legal_basis": "consent", "given": True, "recorded_on": on},
            "assistance": {"legal_basis": "consent", "given": True, "recorded_on": on},
            "communication": {"legal_basis": "consent", "given": rnd() < 0.9, "recorded_on": on},
            "data_sharing": {"legal_basis": "consent", "given": rnd() < 0.45, "recorded_on": on},
        }
        household = {
            "admin_unit": sc.pcode,
            "place_code": sc.place_code,
            "place_kind": sc.place_kind,
            "shelter_type": shelter,
            "displacement_status": sc.status,
            "origin_admin_unit": origin_unit,
            "origin_place_name": origin.places[int(rnd() * len(origin.places))] if origin else "",
            "displaced_on": datetime.date.fromordinal(displaced).isoformat() if displaced else None,
            "source": "import" if rnd() < 0.2 else "web",
            "source_ref": self.uuid(),
            "registered_on": on,
            "phones": phones,
            "consents": consents,
            "moves": moves,
            "demo_duplicate_of": None,
        }
        return {"household": household, "members": members, "_group": sc.group, "_community": community.key}

    @staticmethod
    def _move(on: int, from_unit: str | None, to_unit: str, place_code: str | None, status: str, shelter: str,
              notes: str = "") -> dict[str, Any]:
        return {
            "moved_on": datetime.date.fromordinal(on).isoformat(),
            "from_admin_unit": from_unit,
            "to_admin_unit": to_unit,
            "to_place_code": place_code,
            "displacement_status": status,
            "shelter_type": shelter,
            "notes": notes,
        }

    # --- re-registrations ----------------------------------------------------------
    def reregistration(self, original: dict[str, Any], registered: int) -> dict[str, Any]:
        """The same family registered again later, by another enumerator or partner."""
        rnd = self.rnd
        hh = dict(original["household"])
        members = [dict(m, documents=[dict(d) for d in m["documents"]]) for m in original["members"]]
        hh["demo_duplicate_of"] = hh["source_ref"]
        hh["source_ref"] = self.uuid()
        hh["source"] = "import" if rnd() < 0.5 else "web"
        hh["registered_on"] = on = datetime.date.fromordinal(registered).isoformat()
        hh["consents"] = {purpose: {**c, "recorded_on": on} for purpose, c in hh["consents"].items()}
        hh["moves"] = [dict(m) for m in hh["moves"]]

        # Arabic script: hamza, taa marbuta, alef maqsura, "عبد ال", Kurdish letters.
        if rnd() < 0.6:
            fields = ("given_name_ar", "fathers_name_ar", "grandfathers_name_ar", "family_name_ar")
            variant: dict[str, str] = {}
            for m in members:
                for f in fields:
                    v = m[f]
                    if v not in variant:
                        variant[v] = arabic_variant(v, rnd)
                    m[f] = variant[v]
        # Latin: transliterated again (another spelling), left out, or filled in this time.
        r = rnd()
        if r < 0.75:
            spelt: dict[str, str] = {}
            for m, first in zip(members, original["members"], strict=True):
                for part in _NAME_PARTS:
                    ar = first[f"{part}_ar"]  # the first registration's spelling: in the tables
                    if ar not in spelt:
                        options = self.spellings.get(ar)
                        spelt[ar] = respell(options, 0.55 + rnd() * 0.45) if options else first[f"{part}_en"]
                    m[f"{part}_en"] = spelt[ar]
        elif r < 0.85:
            for m in members:
                for part in _NAME_PARTS:
                    m[f"{part}_en"] = ""

        # A baby born since, or someone not there on the day.
        if len(members) >= 3 and rnd() < 0.2:
            members.pop(1 + int(rnd() * (len(members) - 1)))
        elif len(members) < 12 and rnd() < 0.2:
            sibling = next((m for m in members if m["relationship"] in ("son", "daughter")), None)
            template = sibling or (members[0] if members[0]["sex"] == "male" else None)
            if template is not None:
                male = rnd() < 0.51
                community = COMMUNITIES[original.get("_community", "arab")]
                given = (community.male if male else community.female).pick(rnd())
                latin = bool(template["given_name_en"])
                baby = {
                    **template,
                    "given_name_ar": given[0],
                    "given_name_en": given[1] if latin else "",
                    "sex": "male" if male else "female",
                    "date_of_birth": datetime.date.fromordinal(registered - int(rnd() * 120) - 1).isoformat(),
                    "dob_estimated": False,
                    "relationship": "son" if male else "daughter",
                    "marital_status": "",
                    "is_pregnant": False,
                    "has_chronic_illness": False,
                    "is_unaccompanied_or_separated": False,
                    "is_alternate_collector": False,
                    "phone": "",
                    "preferred_language": "",
                    "documents": [],
                    **dict(zip(WG_DOMAINS, _NO_WG, strict=True)),
                }
                if sibling is None:  # the head's first child: the head is the father
                    for part_to, part_from in (("fathers_name", "given_name"),
                                               ("grandfathers_name", "fathers_name")):
                        baby[f"{part_to}_ar"] = template[f"{part_from}_ar"]
                        baby[f"{part_to}_en"] = template[f"{part_from}_en"]
                members.append(baby)

        # The head's date of birth given as a year only this time.
        if rnd() < 0.3:
            head = members[0]
            head["date_of_birth"] = head["date_of_birth"][:4] + "-01-01"
            head["dob_estimated"] = True

        # Moved to another site of the same kind since the first registration.
        group = original.get("_group")
        others = [s for s in self.sites_by_group.get(group or "", ()) if s.place_code != hh["place_code"]]
        if others and rnd() < 0.3:
            site = others[int(rnd() * len(others))]
            hh["place_code"], hh["place_kind"], hh["admin_unit"] = site.place_code, site.place_kind, site.pcode
            hh["moves"].append(self._move(registered - 10 - int(rnd() * 60), original["household"]["admin_unit"],
                                          site.pcode, site.place_code, hh["displacement_status"],
                                          hh["shelter_type"], "Moved between camps"))

        # A new SIM card, and papers not brought to the second registration.
        if rnd() < 0.4:
            phones = []
            for m in members:
                if m["phone"]:
                    m["phone"] = self.phone()
                    phones.append(m["phone"])
            hh["phones"] = phones
        else:
            present = {m["phone"] for m in members if m["phone"]}
            hh["phones"] = [p for p in hh["phones"] if p in present]
        for m in members:
            if rnd() < 0.5:
                m["documents"] = []
        return {"household": hh, "members": members}

    # --- the stream ----------------------------------------------------------------
    def run(self) -> Iterator[dict[str, Any]]:
        n, rnd = self.n, self.rnd
        pending: dict[int, dict[str, Any]] = {}
        for position in range(n):
            dup = pending.pop(position, None)
            if dup is not None:
                yield dup
                continue
            record = self.household(position)
            room = n - 1 - position - DUPLICATE_MIN_GAP
            if room > 0 and rnd() < DUPLICATE_RATE:
                slot = position + DUPLICATE_MIN_GAP + int(rnd() * min(DUPLICATE_MAX_GAP, room))
                while slot in pending and slot < n - 1:
                    slot += 1
                if slot not in pending:
                    registered = max(self.reg_date(slot),
                                     datetime.date.fromisoformat(record["household"]["registered_on"]).toordinal() + 14)
                    pending[slot] = self.reregistration(record, min(registered, self.as_of_ord - 1))
            del record["_group"], record["_community"]
            yield record


def generate_households(
    n: int,
    *,
    seed: int = 7,
    places: Iterable[Any] | None = None,
    admin_units: Collection[str] | None = None,
    as_of: datetime.date = AS_OF,
) -> Iterator[dict[str, Any]]:
    """`n` households, the same ones for the same arguments.

    `places`: the sites households may live in — `demo_data.PLACES` rows, (kind, code,
    admin unit P-code[, status]) tuples or Place objects; closed ones only appear in
    displacement histories. Default: the demo places. `admin_units`: the P-codes that
    exist, when not all of Iraq's do (a unit that is missing is replaced by its
    district or governorate). Ages and dates are as on `as_of`.
    """
    return _Generator(n, seed, places, admin_units, as_of).run()

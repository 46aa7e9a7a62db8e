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
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sanad.registry.demo import geography as geo
from sanad.registry.demo.geography import move_record
from sanad.registry.demo.names import COMMUNITIES, latin_spellings
from sanad.registry.demo.people import Choice
from sanad.registry.demo.reregister import ReRegistrations

AS_OF = datetime.date(2026, 11, 1)
REGISTRATION_START = datetime.date(2025, 1, 5)
DUPLICATE_RATE = 0.032  # → about 3% of the yielded households are re-registrations
DUPLICATE_MIN_GAP = 20
DUPLICATE_MAX_GAP = 1500
_UNHCR_OFFICES = ("307", "312", "330")
_SYRIA_2019 = datetime.date(2019, 1, 1).toordinal()  # the Bardarash/Gawilan arrivals


class _Scenario:
    """Where a household lives now and who it is."""

    __slots__ = (
        "community",
        "group",
        "origins",
        "pcode",
        "place_code",
        "place_kind",
        "shelters",
        "status",
    )

    def __init__(
        self,
        *,
        status: str,
        pcode: str,
        origins: Choice,
        shelters: Choice,
        place_code: str | None = None,
        place_kind: str | None = None,
        community: str = "",
        group: str = "",
    ) -> None:
        self.status, self.pcode, self.origins, self.shelters = status, pcode, origins, shelters
        self.place_code, self.place_kind, self.community, self.group = (
            place_code,
            place_kind,
            community,
            group,
        )


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


class _Generator(ReRegistrations):
    def __init__(
        self,
        n: int,
        seed: int,
        places: Iterable[Any] | None,
        admin_units: Collection[str] | None,
        as_of: datetime.date,
    ) -> None:
        super().__init__(random.Random(seed), as_of)
        self.n = n
        self.reg_start = min(REGISTRATION_START, as_of - datetime.timedelta(days=60)).toordinal()
        self.reg_span = self.as_of_ord - 1 - self.reg_start
        self.units = set(admin_units) if admin_units is not None else None
        self.spellings = latin_spellings()
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
                status=status_,
                pcode=pcode,
                origins=Choice(origins),
                shelters=Choice(shelters),
                place_code=code,
                place_kind=kind,
                group=group,
            )
            scenarios.append((scenario, weight))
            self.sites_by_group.setdefault(group, []).append(scenario)
        for area in geo.AREAS:
            scenarios.append(
                (
                    _Scenario(
                        status=area.status,
                        pcode=self._unit(area.pcode) or area.pcode,
                        origins=Choice(area.origins),
                        shelters=Choice(area.shelters),
                        community=area.community,
                    ),
                    area.weight,
                )
            )
        self.scenarios = Choice(scenarios)
        self.origin_units = {key: self._unit(o.pcode) for key, o in geo.ORIGINS.items()}
        self.were_in = {
            community: [
                (
                    code if code in self.site_pcode else None,
                    self.site_pcode[code][1] if code in self.site_pcode else self._unit(pcode),
                )
                for code, pcode in spots
            ]
            for community, spots in geo.RETURNEES_WERE_IN.items()
        }

    # --- small draws ---------------------------------------------------------------
    def reg_date(self, position: int) -> int:
        return min(
            self.reg_start + int(position * self.reg_span / self.n) + int(self.rnd() * 3),
            self.as_of_ord - 1,
        )

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
        self.h_latin, self.h_language, self.h_gov, self.h_unhcr = (
            latin,
            language,
            iraqi_gov,
            refugee,
        )
        members = self.family(community)
        head = members[0]

        # Documents held once per family: the ration card (PDS) or the UNHCR case number.
        if refugee:
            head["documents"].append({"kind": "unhcr", "issuing_governorate": None, "number": ""})
        elif rnd() < 0.8:
            head["documents"].append(
                {
                    "kind": "pds_card",
                    "number": self.serial("pds_card", 8),
                    "issuing_governorate": iraqi_gov,
                }
            )

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
            group = (
                ("arab_anbar" if origin_key in geo.ANBAR_ORIGINS else "arab_ninewa")
                if community.key == "arab"
                else community.key
            )
            spots = self.were_in.get(group) or [(None, sc.pcode)]
            code, pcode = spots[int(rnd() * len(spots))]
            returned = displaced + 180 + int(rnd() * max(1, registered - displaced - 210))
            moves.append(
                move_record(
                    displaced,
                    origin_unit,
                    pcode or sc.pcode,
                    code,
                    "idp_in_camp" if code else "idp_out_of_camp",
                    "camp" if code else "rented",
                )
            )
            moves.append(move_record(returned, pcode, sc.pcode, None, "returnee", shelter))
        elif displaced is not None:
            note = geo.REFUGEE_CROSSING if refugee and displaced >= _SYRIA_2019 else ""
            moves.append(
                move_record(
                    displaced, origin_unit, sc.pcode, sc.place_code, sc.status, shelter, note
                )
            )
        if refugee:
            office = _UNHCR_OFFICES[int(rnd() * len(_UNHCR_OFFICES))]
            year = datetime.date.fromordinal(displaced or registered).year % 100
            head["documents"][-1]["number"] = f"{office}-{year:02d}C{self.serial('unhcr', 5)}"

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
        return {
            "household": household,
            "members": members,
            "_group": sc.group,
            "_community": community.key,
        }

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
                    registered = max(
                        self.reg_date(slot),
                        datetime.date.fromisoformat(
                            record["household"]["registered_on"]
                        ).toordinal()
                        + 14,
                    )
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

"""Re-registrations: the same family registered again later in the stream, by another
enumerator or partner: names spelt another way, a baby born or someone missing, a
move to another camp, a new SIM card, papers left at home. They are what
deduplication has to find."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.registry.demo.geography import move_record
from sanad.registry.demo.names import COMMUNITIES, arabic_variant, respell
from sanad.registry.demo.people import NO_WG, WG_DOMAINS, People

_NAME_PARTS = ("given_name", "fathers_name", "grandfathers_name", "family_name")


class ReRegistrations(People):
    spellings: dict[str, tuple[str, ...]]
    sites_by_group: dict[str, list[Any]]

    def reregistration(self, original: dict[str, Any], registered: int) -> dict[str, Any]:
        """The same family registered again later, by another enumerator or partner."""
        rnd = self.rnd
        hh = dict(original["household"])
        members = [
            dict(m, documents=[dict(d) for d in m["documents"]]) for m in original["members"]
        ]
        hh["demo_duplicate_of"] = hh["source_ref"]
        hh["source_ref"] = self.uuid()
        hh["source"] = "import" if rnd() < 0.5 else "web"
        hh["registered_on"] = on = datetime.date.fromordinal(registered).isoformat()
        hh["consents"] = {
            purpose: {**c, "recorded_on": on} for purpose, c in hh["consents"].items()
        }
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
                        spelt[ar] = (
                            respell(options, 0.55 + rnd() * 0.45)
                            if options
                            else first[f"{part}_en"]
                        )
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
                    "date_of_birth": datetime.date.fromordinal(
                        registered - int(rnd() * 120) - 1
                    ).isoformat(),
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
                    **dict(zip(WG_DOMAINS, NO_WG, strict=True)),
                }
                if sibling is None:  # the head's first child: the head is the father
                    for part_to, part_from in (
                        ("fathers_name", "given_name"),
                        ("grandfathers_name", "fathers_name"),
                    ):
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
        others = [
            s for s in self.sites_by_group.get(group or "", ()) if s.place_code != hh["place_code"]
        ]
        if others and rnd() < 0.3:
            site = others[int(rnd() * len(others))]
            hh["place_code"], hh["place_kind"], hh["admin_unit"] = (
                site.place_code,
                site.place_kind,
                site.pcode,
            )
            hh["moves"].append(
                move_record(
                    registered - 10 - int(rnd() * 60),
                    original["household"]["admin_unit"],
                    site.pcode,
                    site.place_code,
                    hh["displacement_status"],
                    hh["shelter_type"],
                    "Moved between camps",
                )
            )

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

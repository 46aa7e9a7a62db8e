"""Where the demo households live and where they came from: the sites of the demo
places (same site codes and admin units as `sanad.web.demo_data.PLACES`), areas of
origin with the months people fled, and the out-of-camp, return and host-community
locations. Weights are shares of the caseload, not real figures."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

D = datetime.date


class Origin(NamedTuple):
    pcode: str | None  # None: outside Iraq (Syria)
    community: str
    places: tuple[str, ...]
    windows: tuple[tuple[datetime.date, datetime.date], ...]  # when families fled


ORIGINS: dict[str, Origin] = {
    "mosul": Origin(
        "IQG15Q05",
        "arab",
        ("Al-Zanjili", "Old City", "Hay al-Tanak", "Al-Yarmouk", "Bab Sinjar", "Al-Shifa"),
        ((D(2014, 6, 10), D(2014, 6, 30)), (D(2016, 10, 17), D(2017, 7, 10))),
    ),
    "hammam_alil": Origin(
        "IQG15Q05N02", "arab", ("Hammam al-Alil", "Al-Shura"), ((D(2016, 10, 17), D(2017, 3, 1)),)
    ),
    "qayyarah": Origin(
        "IQG15Q05N01",
        "arab",
        ("Qayyarah", "Al-Hajj Ali", "Jad'ah"),
        ((D(2014, 6, 10), D(2014, 8, 30)), (D(2016, 8, 20), D(2016, 10, 30))),
    ),
    "baaj": Origin(
        "IQG15Q02N01",
        "arab",
        ("Al-Baaj", "Umm Jarees"),
        ((D(2014, 6, 10), D(2014, 8, 30)), (D(2017, 5, 1), D(2017, 6, 30))),
    ),
    "hatra": Origin(
        "IQG15Q04N01", "arab", ("Hatra", "Al-Jazeera villages"), ((D(2017, 4, 20), D(2017, 5, 31)),)
    ),
    "telafar": Origin(
        "IQG15Q08N01",
        "turkmen",
        ("Al-Qadisiya", "Al-Khadra", "Al-Sarai", "Al-Wahda"),
        ((D(2014, 6, 15), D(2014, 7, 15)), (D(2017, 8, 20), D(2017, 9, 5))),
    ),
    "sinjar": Origin(
        "IQG15Q07N03",
        "yazidi",
        ("Sinjar city", "Tel Qasab", "Tel Banat", "Zorava"),
        ((D(2014, 8, 3), D(2014, 8, 20)),),
    ),
    "qairawan": Origin(
        "IQG15Q07N01",
        "yazidi",
        ("Qahtaniya", "Siba Sheikh Khidir", "Gir Zerik"),
        ((D(2014, 8, 3), D(2014, 8, 15)),),
    ),
    "shamal": Origin(
        "IQG15Q07N02",
        "yazidi",
        ("Sinune", "Khanasor", "Borek", "Dugure"),
        ((D(2014, 8, 3), D(2014, 8, 20)),),
    ),
    "qahtanya": Origin(
        "IQG15Q02N02",
        "yazidi",
        ("Kocho", "Tel Uzair", "Hardan"),
        ((D(2014, 8, 3), D(2014, 8, 15)),),
    ),
    "hamdaniya": Origin(
        "IQG15Q03N03",
        "christian",
        ("Qaraqosh (Bakhdida)", "Karamlesh"),
        ((D(2014, 8, 6), D(2014, 8, 8)),),
    ),
    "bartilla": Origin(
        "IQG15Q03N02", "christian", ("Bartella",), ((D(2014, 8, 6), D(2014, 8, 8)),)
    ),
    "fallujah": Origin(
        "IQG01Q01N03",
        "arab",
        ("Al-Jolan", "Al-Nazzal", "Al-Shuhada", "Al-Askari"),
        ((D(2014, 1, 2), D(2014, 2, 28)), (D(2016, 5, 22), D(2016, 6, 30))),
    ),
    "karma": Origin(
        "IQG01Q01N02", "arab", ("Al-Karma", "Albu Awda"), ((D(2014, 1, 15), D(2014, 4, 30)),)
    ),
    "ramadi": Origin(
        "IQG01Q03N03",
        "arab",
        ("Al-Tameem", "Al-Hoz", "Al-Malaab", "Al-Sufiya"),
        ((D(2015, 4, 8), D(2015, 5, 31)), (D(2015, 11, 20), D(2016, 1, 31))),
    ),
    "qaim": Origin(
        "IQG01Q02N01", "arab", ("Husaybah", "Al-Karabla"), ((D(2017, 10, 25), D(2017, 11, 10)),)
    ),
    "heet": Origin(
        "IQG01Q07N04",
        "arab",
        ("Heet", "Al-Baghdadi road"),
        ((D(2014, 10, 2), D(2014, 10, 31)), (D(2016, 3, 1), D(2016, 4, 30))),
    ),
    "rawa": Origin("IQG01Q05N02", "arab", ("Rawa",), ((D(2017, 9, 15), D(2017, 11, 20)),)),
    "syria": Origin(
        None,
        "syrian_kurd",
        ("Qamishli", "Al-Hasakah", "Kobani", "Amuda", "Derik (al-Malikiyah)", "Afrin", "Aleppo"),
        ((D(2012, 8, 1), D(2014, 12, 31)), (D(2019, 10, 10), D(2019, 12, 31))),
    ),
}

YAZIDI_ORIGINS = (("sinjar", 5.0), ("qahtanya", 2.0), ("shamal", 2.0), ("qairawan", 1.0))
ARAB_NINEWA_ORIGINS = (
    ("mosul", 4.0),
    ("hammam_alil", 1.0),
    ("qayyarah", 1.0),
    ("baaj", 1.5),
    ("hatra", 1.0),
    ("telafar", 1.5),
)
ARAB_ANBAR_ORIGINS = (
    ("fallujah", 3.0),
    ("karma", 1.0),
    ("ramadi", 2.0),
    ("qaim", 2.0),
    ("heet", 1.0),
    ("rawa", 1.0),
)
ARAB_ERBIL_ORIGINS = (*ARAB_NINEWA_ORIGINS, ("ramadi", 0.7), ("fallujah", 0.5))
CHRISTIAN_ORIGINS = (("hamdaniya", 3.0), ("bartilla", 1.0))
SYRIA = (("syria", 1.0),)

CAMP = (("camp", 1.0),)
INFORMAL = (("informal_settlement", 0.7), ("unfinished_building", 0.3))
COLLECTIVE = (("school", 0.3), ("religious_building", 0.3), ("unfinished_building", 0.4))
OUT_OF_CAMP = (
    ("rented", 0.45),
    ("host_family", 0.15),
    ("unfinished_building", 0.2),
    ("own_house", 0.12),
    ("school", 0.02),
    ("religious_building", 0.03),
    ("hotel", 0.03),
)
REFUGEE_OUT_OF_CAMP = (("rented", 0.75), ("host_family", 0.1), ("unfinished_building", 0.15))
RETURNED = (
    ("own_house", 0.75),
    ("rented", 0.15),
    ("host_family", 0.05),
    ("unfinished_building", 0.05),
)
HOST = (("own_house", 0.8), ("rented", 0.2))


class Site(NamedTuple):
    code: str
    kind: str
    pcode: str
    group: str
    weight: float  # share of the caseload living there now (closed sites: 0)


# Site groups: (displacement status, origins, shelter types).
GROUPS: dict[str, tuple[str, tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]] = {
    "refugee": ("syrian_refugee", SYRIA, CAMP),
    "yazidi": ("idp_in_camp", YAZIDI_ORIGINS, CAMP),
    "arab_erbil": ("idp_in_camp", ARAB_ERBIL_ORIGINS, CAMP),
    "arab_ninewa": ("idp_in_camp", ARAB_NINEWA_ORIGINS, CAMP),
    "arab_anbar": ("idp_in_camp", ARAB_ANBAR_ORIGINS, CAMP),
    "informal_yazidi": ("idp_informal_site", YAZIDI_ORIGINS, INFORMAL),
    "informal_mixed": ("idp_informal_site", (*YAZIDI_ORIGINS, ("mosul", 3.0)), INFORMAL),
    "collective_yazidi": ("idp_out_of_camp", YAZIDI_ORIGINS, COLLECTIVE),
    "collective_arab": ("idp_out_of_camp", ARAB_ANBAR_ORIGINS, COLLECTIVE),
}

# The demo places (sanad.web.demo_data.PLACES) where families live or lived.
SITES: tuple[Site, ...] = (
    Site("DHK-DMZ1", "formal_camp", "IQG09Q03N03", "refugee", 4.0),
    Site("DHK-DMZ2", "formal_camp", "IQG09Q03N03", "refugee", 2.5),
    Site("ERB-DRS", "formal_camp", "IQG11Q02N02", "refugee", 2.0),
    Site("ERB-KWG", "formal_camp", "IQG11Q02N01", "refugee", 1.5),
    Site("ERB-QST", "formal_camp", "IQG11Q02N01", "refugee", 1.0),
    Site("ERB-BSM", "formal_camp", "IQG11Q06N02", "refugee", 1.0),
    Site("DHK-KHN", "formal_camp", "IQG09Q03N03", "yazidi", 4.0),
    Site("DHK-SHR", "formal_camp", "IQG09Q03N03", "yazidi", 3.0),
    Site("DHK-KBR1", "formal_camp", "IQG09Q03N03", "yazidi", 2.5),
    Site("DHK-KBR2", "formal_camp", "IQG09Q03N03", "yazidi", 2.5),
    Site("DHK-BJK", "formal_camp", "IQG09Q03N02", "yazidi", 2.0),
    Site("DHK-RWG", "formal_camp", "IQG09Q04N01", "yazidi", 2.0),
    Site("DHK-CMK", "formal_camp", "IQG09Q04N01", "yazidi", 2.5),
    Site("DHK-BRS1", "formal_camp", "IQG09Q04N03", "yazidi", 1.5),
    Site("DHK-BRS2", "formal_camp", "IQG09Q04N03", "yazidi", 0.0),
    Site("ERB-BHK", "formal_camp", "IQG11Q02N02", "arab_erbil", 2.0),
    Site("ERB-HRS", "formal_camp", "IQG11Q02N02", "arab_erbil", 2.0),
    Site("ERB-DBG1", "formal_camp", "IQG11Q04N03", "arab_erbil", 0.0),
    Site("NIN-HSU2", "formal_camp", "IQG15Q03N02", "arab_ninewa", 2.0),
    Site("NIN-HSU3", "formal_camp", "IQG15Q03N02", "arab_ninewa", 2.0),
    Site("NIN-JD5", "formal_camp", "IQG15Q05N01", "arab_ninewa", 3.0),
    Site("NIN-KZM1", "formal_camp", "IQG15Q03N02", "arab_ninewa", 0.0),
    Site("NIN-HAA2", "formal_camp", "IQG15Q05N02", "arab_ninewa", 0.0),
    Site("ANB-HTC", "formal_camp", "IQG01Q03N01", "arab_anbar", 2.0),
    Site("ANB-AAF", "formal_camp", "IQG01Q01N01", "arab_anbar", 0.0),
    Site("ANB-K18", "formal_camp", "IQG01Q03N03", "arab_anbar", 0.0),
    Site("NIN-IS-021", "informal_site", "IQG15Q07N02", "informal_yazidi", 2.0),
    Site("DHK-IS-014", "informal_site", "IQG09Q04N01", "informal_mixed", 1.5),
    Site("DHK-CC-003", "collective_centre", "IQG09Q01N04", "collective_yazidi", 1.2),
    Site("ANB-CC-001", "collective_centre", "IQG01Q03N03", "collective_arab", 1.3),
)

# A site that is not in SITES (another deployment's camp) takes its governorate's group.
GROUP_BY_GOVERNORATE = {
    ("formal_camp", "IQG09"): "yazidi",
    ("formal_camp", "IQG11"): "arab_erbil",
    ("formal_camp", "IQG15"): "arab_ninewa",
    ("formal_camp", "IQG01"): "arab_anbar",
    ("informal_site", "IQG15"): "informal_yazidi",
    ("collective_centre", "IQG01"): "collective_arab",
}
DEFAULT_GROUP = {
    "formal_camp": "arab_ninewa",
    "informal_site": "informal_mixed",
    "collective_centre": "collective_yazidi",
}
RESIDENTIAL_KINDS = ("formal_camp", "informal_site", "collective_centre")


class Area(NamedTuple):
    """Households living outside sites: (weight, status, admin unit, origins or a host
    community, shelter types)."""

    weight: float
    status: str
    pcode: str
    origins: tuple[tuple[str, float], ...]
    shelters: tuple[tuple[str, float], ...]
    community: str = ""  # host community households: who they are


AREAS: tuple[Area, ...] = (
    # IDPs out of camp
    Area(3.0, "idp_out_of_camp", "IQG09Q03N03", YAZIDI_ORIGINS, OUT_OF_CAMP),
    Area(2.0, "idp_out_of_camp", "IQG09Q04N01", YAZIDI_ORIGINS, OUT_OF_CAMP),
    Area(2.0, "idp_out_of_camp", "IQG15Q06N01", YAZIDI_ORIGINS, OUT_OF_CAMP),
    Area(1.0, "idp_out_of_camp", "IQG09Q02N02", YAZIDI_ORIGINS, OUT_OF_CAMP),
    Area(4.0, "idp_out_of_camp", "IQG11Q02N02", ARAB_ERBIL_ORIGINS, OUT_OF_CAMP),
    Area(1.5, "idp_out_of_camp", "IQG09Q02N02", ARAB_NINEWA_ORIGINS, OUT_OF_CAMP),
    Area(
        2.0,
        "idp_out_of_camp",
        "IQG15Q05",
        (("baaj", 2.0), ("hatra", 1.0), ("telafar", 2.0)),
        OUT_OF_CAMP,
    ),
    Area(1.0, "idp_out_of_camp", "IQG01Q03N03", (("qaim", 2.0), ("rawa", 1.0)), OUT_OF_CAMP),
    Area(1.0, "idp_out_of_camp", "IQG11Q02N02", CHRISTIAN_ORIGINS, OUT_OF_CAMP),
    # Syrian refugees out of camp (most refugees in the Kurdistan Region live in towns)
    Area(3.0, "syrian_refugee", "IQG11Q02N02", SYRIA, REFUGEE_OUT_OF_CAMP),
    Area(2.5, "syrian_refugee", "IQG09Q02N02", SYRIA, REFUGEE_OUT_OF_CAMP),
    Area(1.0, "syrian_refugee", "IQG09Q04N01", SYRIA, REFUGEE_OUT_OF_CAMP),
    # Returnees: back in their area of origin
    Area(3.0, "returnee", "IQG15Q07N03", (("sinjar", 1.0),), RETURNED),
    Area(1.0, "returnee", "IQG15Q07N01", (("qairawan", 1.0),), RETURNED),
    Area(1.0, "returnee", "IQG15Q02N02", (("qahtanya", 1.0),), RETURNED),
    Area(2.0, "returnee", "IQG15Q08N01", (("telafar", 1.0),), RETURNED),
    Area(4.0, "returnee", "IQG15Q05", (("mosul", 1.0),), RETURNED),
    Area(1.5, "returnee", "IQG15Q03N03", (("hamdaniya", 1.0),), RETURNED),
    Area(0.5, "returnee", "IQG15Q03N02", (("bartilla", 1.0),), RETURNED),
    Area(2.0, "returnee", "IQG01Q01N03", (("fallujah", 1.0),), RETURNED),
    Area(2.0, "returnee", "IQG01Q03N03", (("ramadi", 1.0),), RETURNED),
    Area(1.0, "returnee", "IQG01Q02N01", (("qaim", 1.0),), RETURNED),
    Area(1.0, "returnee", "IQG01Q07N04", (("heet", 1.0),), RETURNED),
    # Host community
    Area(2.0, "host_community", "IQG15Q05", (), HOST, "arab"),
    Area(1.0, "host_community", "IQG01Q03N03", (), HOST, "arab"),
    Area(1.0, "host_community", "IQG01Q01N03", (), HOST, "arab"),
    Area(1.5, "host_community", "IQG09Q02N02", (), HOST, "kurd_badini"),
    Area(0.5, "host_community", "IQG09Q03N03", (), HOST, "kurd_badini"),
    Area(1.5, "host_community", "IQG11Q02N02", (), HOST, "kurd_sorani"),
)

# Where returnees had been displaced to, by community: camps (now often closed) or a town.
RETURNEES_WERE_IN: dict[str, tuple[tuple[str, str], ...]] = {
    # (site code or "", admin unit P-code)
    "yazidi": (("DHK-KHN", "IQG09Q03N03"), ("DHK-BRS2", "IQG09Q04N03"), ("", "IQG09Q02N02")),
    "arab_ninewa": (
        ("NIN-KZM1", "IQG15Q03N02"),
        ("NIN-HAA2", "IQG15Q05N02"),
        ("ERB-DBG1", "IQG11Q04N03"),
        ("", "IQG11Q02N02"),
    ),
    "arab_anbar": (("ANB-AAF", "IQG01Q01N01"), ("ANB-K18", "IQG01Q03N03"), ("", "IQG01Q03N01")),
    "turkmen": (("", "IQG04Q03"), ("", "IQG11Q02N02")),
    "christian": (("", "IQG11Q02N02"), ("", "IQG09Q02N02")),
}
ANBAR_ORIGINS = {"fallujah", "karma", "ramadi", "qaim", "heet", "rawa"}

# Kurdistan Region sites receive Syrian refugees through this crossing.
REFUGEE_CROSSING = "Crossed from Syria at Peshkhabour"


def move_record(
    on: int,
    from_unit: str | None,
    to_unit: str,
    place_code: str | None,
    status: str,
    shelter: str,
    notes: str = "",
) -> dict[str, Any]:
    return {
        "moved_on": datetime.date.fromordinal(on).isoformat(),
        "from_admin_unit": from_unit,
        "to_admin_unit": to_unit,
        "to_place_code": place_code,
        "displacement_status": status,
        "shelter_type": shelter,
        "notes": notes,
    }

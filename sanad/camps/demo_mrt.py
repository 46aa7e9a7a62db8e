"""Demo data of part D: Mobile Response Team visits to informal sites and collective
centres over the last four months, the hazards they found with mitigation actions (some
done, some late), a hazard or two in formal camps, and trainings with participants and
test scores. Everything goes through the services; runs once (skips when visits exist)."""

from __future__ import annotations

import datetime
import random
import zlib
from typing import Any

from sanad.accounts.models import Organisation
from sanad.camps.models import MANAGE_TRAINING, MRT, Hazard, MrtVisit, Site
from sanad.camps.services import mrt as mrt_services
from sanad.camps.services import trainings as training_services
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import Place

HAZARDS = [
    ("fire", "Cooking on open fires between tents; no firebreaks.", 4, 4),
    ("electrical", "Illegal cable connections hanging over walkways.", 4, 5),
    ("flood", "The lower rows flood when the wadi rises after rain.", 3, 4),
    ("structural", "Families live on an unfinished upper floor with no railings.", 3, 5),
    ("health", "Stagnant water and waste near the water tank.", 3, 3),
    ("other", "Unlit access road used by children after dark.", 2, 3),
]
ACTIONS = {
    "fire": ["Fire extinguishers at every block", "Fire-safety awareness session"],
    "electrical": ["Replace hanging cables with buried conduit", "Install a fused board"],
    "flood": ["Dig a drainage channel", "Raise tent platforms with gravel"],
    "structural": ["Install temporary railings", "Refer families to shelter upgrade"],
    "health": ["Waste collection twice a week", "Clean and cover the tank"],
    "other": ["Solar street lights on the access road"],
}
NAMES_F = ["Layla", "Nour", "Hana", "Sara", "Dilan", "Shirin", "Amal", "Rania", "Zainab"]
NAMES_M = ["Ahmed", "Omar", "Karim", "Rebwar", "Hussein", "Ali", "Saman", "Yousef", "Khalid"]
SURNAMES = ["Hassan", "Saleh", "Ibrahim", "Mahmoud", "Aziz", "Jalal", "Qasim", "Rashid"]


def _user_for(users: dict[str, Any], obj: Any, permission: str) -> Any:
    for name in ("enumerator", "camp.manager", "imo", "admin"):
        user = users.get(name)
        if (
            user is not None
            and has_permission(user, permission)
            and can_reach(user, obj, permission)
        ):
            return user
    return None


def _visits(site: Site, user: Any, today: datetime.date, rng: random.Random) -> list[MrtVisit]:
    team = f"MRT {site.governorate.name_en} {1 + zlib.crc32(site.place.code.encode()) % 3}"
    families = rng.randint(25, 160)
    visits = []
    day = today - datetime.timedelta(days=120 - rng.randint(0, 10))
    first = True
    while day <= today:
        data: dict[str, Any] = {
            "team": team,
            "visited_on": day,
            "deployment": "Routine visit" if not first else "Site profiling",
            "activities": rng.choice(
                [
                    "Site walk with the committee; hazard check.",
                    "Information session on services; referrals to health and protection.",
                    "Follow-up of mitigation actions with the site focal point.",
                    "Distribution of fire extinguishers and safety messages.",
                ]
            ),
            "families_present": families,
        }
        if first:
            data.update(
                tenure=rng.choice(["private", "public", "tribal"]),
                eviction_risk=rng.choice(["high", "medium", "medium", "low"]),
                shelter_types={
                    "tent": rng.randint(5, 60),
                    "makeshift": rng.randint(0, 30),
                    "unfinished_building": rng.randint(0, 12),
                },
                services_notes="Water trucking twice a week; shared latrines; no school on site.",
            )
        visits.append(mrt_services.visit_record(user=user, site=site, data=data))
        first = False
        families = max(5, families + rng.randint(-12, 10))
        day += datetime.timedelta(days=rng.randint(18, 30))
    return visits


def _hazards(
    site: Site, user: Any, visits: list[MrtVisit], today: datetime.date, rng: random.Random
) -> tuple[int, int]:
    hazards = mitigations = 0
    for kind, description, likelihood, impact in rng.sample(HAZARDS, rng.randint(2, 4)):
        visit = rng.choice(visits) if visits else None
        assessed = (
            visit.visited_on if visit else today - datetime.timedelta(days=rng.randint(5, 90))
        )
        hazard = mrt_services.hazard_assess(
            user=user,
            site=site,
            visit=visit,
            data={
                "kind": kind,
                "description": description,
                "likelihood": max(1, min(5, likelihood + rng.randint(-1, 1))),
                "impact": impact,
                "assessed_on": assessed,
            },
        )
        hazards += 1
        fate = rng.random()
        for action in ACTIONS[kind]:
            due = assessed + datetime.timedelta(days=rng.randint(14, 60))
            m = mrt_services.mitigation_add(
                user=user,
                hazard=hazard,
                data={
                    "action": action,
                    "responsible": rng.choice(
                        ["Site committee", "CCCM partner", "WASH partner", "Municipality"]
                    ),
                    "due_on": due,
                },
            )
            mitigations += 1
            if fate < 0.35:  # everything done: the hazard becomes mitigated
                mrt_services.mitigation_update(user=user, mitigation=m, data={"status": "done"})
            elif fate < 0.7 and rng.random() < 0.6:
                mrt_services.mitigation_update(
                    user=user, mitigation=m, data={"status": "in_progress"}
                )
        hazard.refresh_from_db()
        if hazard.status == Hazard.Status.OPEN and rng.random() < 0.15:
            mrt_services.hazard_close(
                user=user,
                hazard=hazard,
                reason="The families moved away from this part of the site.",
            )
    return hazards, mitigations


def _participants(training: Any, orgs: list[Organisation], rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(8, 16)):
        female = rng.random() < 0.45
        name = f"{rng.choice(NAMES_F if female else NAMES_M)} {rng.choice(SURNAMES)}"
        pre = rng.randint(30, 65)
        post = min(training.max_score, pre + rng.randint(5, 30))
        org = rng.choice(orgs).name if orgs else ""
        lines.append(
            ",".join(
                [
                    name,
                    "female" if female else "male",
                    org.replace(",", " "),
                    rng.choice(
                        ["Site focal point", "Committee member", "Camp staff", "Government"]
                    ),
                    f"0750{rng.randint(1000000, 9999999)}",
                    str(rng.randint(max(1, training.sessions - 1), training.sessions)),
                    str(pre),
                    str(post) if rng.random() < 0.9 else "",
                ]
            )
        )
    return "\n".join(lines)


def _trainings(
    sites: dict[str, Site], users: dict[str, Any], today: datetime.date, rng: random.Random
) -> int:
    orgs = list(Organisation.objects.filter(is_active=True).exclude(name__contains=",")[:4])
    plans = [
        ("DHK-DMZ1", "Camp management basics", "CCCM principles and site governance", 3),
        ("DHK-KHN", "Fire safety for camp residents", "Fire prevention and first response", 2),
        ("DHK-IS-014", "Site committee training", "Representation, feedback and referrals", 2),
        ("NIN-IS-021", "Informal site focal points", "Site monitoring and hazard reporting", 2),
    ]
    count = 0
    for n, (code, title, topic, sessions) in enumerate(plans):
        site = sites.get(code)
        if site is None:
            continue
        user = _user_for(users, site, MANAGE_TRAINING)
        if user is None:
            continue
        start = today - datetime.timedelta(days=100 - n * 25)
        training = training_services.training_create(
            user=user,
            data={
                "title": title,
                "topic": topic,
                "site": site,
                "starts_on": start,
                "ends_on": start + datetime.timedelta(days=sessions - 1),
                "facilitators": "CCCM cluster trainers",
                "sessions": sessions,
                "max_score": 100,
            },
        )
        training_services.participants_import(
            user=user, training=training, text=_participants(training, orgs, rng)
        )
        count += 1
    return count


def seed(*, sites: dict[str, Site], users: dict[str, Any], today: datetime.date) -> dict[str, int]:
    """MRT visits, hazards and mitigation on the informal sites and collective centres of
    `sites` (by place code), a few hazards in formal camps, and trainings."""
    if MrtVisit.objects.exists():
        return {"visits": 0, "hazards": 0, "mitigations": 0, "trainings": 0}
    visits = hazards = mitigations = 0
    for code, site in sorted(sites.items()):
        if site.closed_on is not None:
            continue
        rng = random.Random(zlib.crc32(f"mrt:{code}".encode()))
        user = _user_for(users, site, MRT)
        if user is None:
            continue
        informal = site.place.kind != Place.Kind.FORMAL_CAMP
        if informal:
            made = _visits(site, user, today, rng)
            visits += len(made)
            h, m = _hazards(site, user, made, today, rng)
        elif rng.random() < 0.4:
            h, m = _hazards(site, user, [], today, rng)
        else:
            continue
        hazards += h
        mitigations += m
    trainings = _trainings(sites, users, today, random.Random(2025))
    return {
        "visits": visits,
        "hazards": hazards,
        "mitigations": mitigations,
        "trainings": trainings,
    }

"""Demo data of the assessments part: the price catalogue (Shelter Cluster-style work
items with national USD prices and dearer Ninewa prices), damage assessments of
returnees' houses in Ninewa by the engineer — with photos, checklists and bills of
quantities — submitted and validated by the shelter officer (one returned for
correction, one still a draft), and a final prioritisation of the project's houses with
the top ones ticked for repair. Everything goes through the services.

Deterministic (seeded) and small."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sanad.shelter.models import COMPONENTS, Assessment, PriceItem, PriorityRound

PROJECT = "SHL-GFFO-2025-03"
GOVERNORATE = "IQG15"

# (code, English, Arabic, component, unit, national USD price, Ninewa USD price)
ITEMS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "RF-01",
        "Roof slab repair (reinforced concrete)",
        "إصلاح سقف خرساني",
        "roof",
        "m2",
        "38.00",
        "42.00",
    ),
    (
        "RF-02",
        "Roof waterproofing (bitumen membrane)",
        "عزل السطح بالقير",
        "roof",
        "m2",
        "6.50",
        "7.00",
    ),
    ("WL-01", "Blockwork wall 20 cm", "جدار بلوك 20 سم", "walls", "m2", "14.00", "15.50"),
    ("WL-02", "Internal plastering", "لبخ داخلي", "walls", "m2", "4.20", "4.60"),
    (
        "DW-01",
        "Steel external door with frame",
        "باب خارجي حديد مع إطار",
        "doors_windows",
        "item",
        "145.00",
        "155.00",
    ),
    (
        "DW-02",
        "Aluminium window with glass",
        "شباك ألمنيوم مع زجاج",
        "doors_windows",
        "m2",
        "55.00",
        "60.00",
    ),
    (
        "EL-01",
        "Electrical rewiring of one room",
        "إعادة تمديد كهرباء غرفة",
        "electrical",
        "item",
        "95.00",
        "100.00",
    ),
    (
        "WT-01",
        "Water supply pipes and tank connection",
        "تمديد أنابيب ماء وربط خزان",
        "water",
        "lump_sum",
        "180.00",
        "190.00",
    ),
    (
        "SN-01",
        "Latrine with pan, door and ventilation",
        "مرافق صحية مع باب وتهوية",
        "sanitation",
        "item",
        "260.00",
        "275.00",
    ),
    (
        "PT-01",
        "Partition wall (gypsum board)",
        "قاطع جبسن بورد",
        "partitions",
        "m2",
        "11.00",
        "12.00",
    ),
]

# What each category of damage needs, by item code: (quantity range).
BILLS: dict[str, dict[str, tuple[float, float]]] = {
    "minor": {"WL-02": (20, 45), "DW-02": (1, 3), "EL-01": (1, 1)},
    "moderate": {
        "RF-02": (30, 60),
        "WL-02": (40, 80),
        "DW-01": (1, 1),
        "DW-02": (2, 4),
        "EL-01": (1, 2),
    },
    "severe": {
        "RF-01": (15, 35),
        "WL-01": (10, 25),
        "WL-02": (60, 110),
        "DW-01": (1, 2),
        "DW-02": (3, 6),
        "EL-01": (2, 3),
        "WT-01": (1, 1),
        "SN-01": (1, 1),
    },
    "destroyed": {
        "RF-01": (50, 80),
        "WL-01": (60, 110),
        "WL-02": (120, 180),
        "DW-01": (2, 2),
        "DW-02": (5, 8),
        "EL-01": (3, 4),
        "WT-01": (1, 1),
        "SN-01": (1, 1),
        "PT-01": (10, 20),
    },
}
COUNTED = {code for code, *_rest, unit, _n, _l in ITEMS if unit in ("item", "lump_sum")}
STATES = {
    "minor": ("intact", "intact", "partial"),
    "moderate": ("intact", "partial", "partial"),
    "severe": ("partial", "partial", "destroyed"),
    "destroyed": ("destroyed", "destroyed", "partial"),
}
STREETS = ("Al-Nour", "Al-Zahraa", "Al-Jamhuriya", "Al-Tahrir", "Al-Sukkar", "Al-Zuhur")
COLOURS = ("#8d6e63", "#a1887f", "#795548", "#bcaaa4", "#6d4c41")


def _photo(rng: random.Random, n: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), rng.choice(COLOURS))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # cracks
        x, y = rng.randrange(320), rng.randrange(240)
        draw.line([(x, y), (x + rng.randrange(-80, 80), y + rng.randrange(20, 90))], "#3e2723", 3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return SimpleUploadedFile(f"damage-{n}.jpg", out.getvalue(), content_type="image/jpeg")


def _catalogue(user: Any, today: datetime.date) -> list[PriceItem]:
    from sanad.geo.models import AdminUnit
    from sanad.shelter.services import catalogue

    ninewa = AdminUnit.objects.get(pcode=GOVERNORATE)
    since = today.replace(month=1, day=1) - datetime.timedelta(days=365)
    items = []
    for code, en, ar, component, unit, national, local in ITEMS:
        item = PriceItem.objects.filter(code=code).first() or catalogue.price_item_create(
            user=user,
            data={"code": code, "name_en": en, "name_ar": ar, "component": component, "unit": unit},
        )
        catalogue.unit_price_set(
            user=user,
            item=item,
            governorate=None,
            valid_from=since,
            price=national,
            currency="USD",
            source="Shelter Cluster Iraq price survey",
        )
        catalogue.unit_price_set(
            user=user,
            item=item,
            governorate=ninewa,
            valid_from=since,
            price=local,
            currency="USD",
            source="Mosul market survey",
        )
        items.append(item)
    return items


def seed(*, users: dict[str, Any], today: datetime.date, **shared: Any) -> dict[str, Any]:
    from sanad.geo.models import AdminUnit
    from sanad.programmes.models import Project
    from sanad.registry.models import Household
    from sanad.shelter.services import assessments as services
    from sanad.shelter.services import priority

    admin = users.get("admin")
    officer = users.get("shelter.officer") or admin
    engineer = users.get("engineer") or officer
    project = Project.objects.select_related("programme").filter(code=PROJECT).first()
    if project is None or officer is None:
        return {}
    rng = random.Random(10)
    items = _catalogue(officer, today)
    existing = list(Assessment.objects.filter(project=project).order_by("id"))
    if existing:  # seeded before
        return {
            "assessments": [a for a in existing if a.status == Assessment.Status.VALIDATED],
            "price_items": items,
            "round": PriorityRound.objects.filter(project=project).first(),
        }
    # The households of the shelter vulnerability list first (most vulnerable first):
    # they hold the self-repair cash entitlements; then any in the governorate.
    lst = _vulnerability_list(officer)
    listed: list[int] = (
        list(
            lst.entries.filter(included=True)
            .order_by("rank")
            .values_list("household_id", flat=True)
        )
        if lst is not None
        else []
    )
    active = Household.objects.filter(
        governorate__pcode=GOVERNORATE, status=Household.Status.ACTIVE, size__gt=0
    ).select_related("admin_unit")
    by_pk = {h.pk: h for h in active.filter(pk__in=listed[:14])}
    households = [by_pk[pk] for pk in listed[:14] if pk in by_pk]
    if len(households) < 14:
        households += list(
            active.exclude(pk__in=[h.pk for h in households]).order_by(
                "-displacement_status", "pk"
            )[: 14 - len(households)]
        )
    units = list(
        AdminUnit.objects.filter(
            level=AdminUnit.Level.SUBDISTRICT, governorate__pcode=GOVERNORATE
        ).order_by("pcode")[:4]
    )
    damages = ["severe", "destroyed", "moderate", "severe", "minor", "moderate", "severe"]
    made: list[Assessment] = []
    for n in range(min(14, max(len(households), 10))):
        household = households[n] if n < len(households) else None
        damage = damages[n % len(damages)]
        unit = household.admin_unit if household else units[n % len(units)]
        if unit.level == AdminUnit.Level.GOVERNORATE:
            unit = units[n % len(units)]
        occupants = household.size if household else rng.randint(3, 8)
        area = Decimal(occupants) * Decimal(rng.choice(["3.0", "3.6", "4.2", "5.0", "6.5"]))
        light, mid, heavy = STATES[damage]
        components = {
            c: (heavy if i % 3 == 0 else mid if i % 3 == 1 else light)
            for i, c in enumerate(COMPONENTS)
        }
        bill = [
            {
                "item": code,
                "quantity": str(
                    rng.randint(int(lo), int(hi))
                    if code in COUNTED
                    else round(rng.uniform(lo, hi), 1)
                ),
            }
            for code, (lo, hi) in BILLS[damage].items()
        ]
        data = {
            "project": project,
            "household": household,
            "admin_unit": unit,
            "address": f"House {rng.randint(2, 140)}, {rng.choice(STREETS)} street, {unit.name_en}",
            "latitude": Decimal("36.34") + Decimal(rng.randint(0, 9000)) / 100000,
            "longitude": Decimal("43.11") + Decimal(rng.randint(0, 9000)) / 100000,
            "tenure": rng.choice(["owner", "owner", "owner", "tenant", "other"]),
            "documents": rng.choice(
                [["title_deed"], ["mukhtar_letter"], ["title_deed", "utility_bill"], ["none"]]
            ),
            "damage": damage,
            "components": components,
            "occupants": occupants,
            "covered_area_after_m2": area,
            "habitable": damage in ("minor", "moderate"),
            "assessed_on": today - datetime.timedelta(days=60 - 4 * n),
            "notes": "",
        }
        draft = n == 13
        a = services.assessment_create(
            user=engineer,
            data=data,
            boq=bill,
            photos=[_photo(rng, i) for i in range(2)],
            submit=not draft,
        )
        if not draft:
            if n == 12:
                services.assessment_return(
                    user=officer,
                    assessment=a,
                    reason="The roof area does not match the photos; measure it again.",
                )
            else:
                a = services.assessment_validate(user=officer, assessment=a)
        made.append(a)
    validated = [a for a in made if a.status == Assessment.Status.VALIDATED]
    rnd = priority.priority_round_create(
        user=officer,
        data={
            "name": f"{PROJECT}: houses to repair, first round",
            "project": project,
            "beneficiary_list": lst,
            "weight_damage": 60 if lst else 100,
            "weight_vulnerability": 40 if lst else 0,
        },
    )
    top = list(rnd.entries.order_by("rank").values_list("pk", flat=True)[:8])
    priority.priority_select(user=officer, round=rnd, selected=top)
    rnd = priority.priority_round_finalise(user=officer, round=rnd)
    return {"assessments": validated, "price_items": items, "round": rnd}


def _vulnerability_list(user: Any) -> Any:
    """An approved (or in use) SHELTER list with scores, when the targeting demo made one."""
    from sanad.shelter.selectors.assessments import lists_for_priority

    return lists_for_priority(user).filter(programme__code="SHELTER").first()

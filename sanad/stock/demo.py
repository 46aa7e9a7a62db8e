"""The NFI catalogue and warehouses of the demo dataset (`sanad seed_demo`): items with
their costs on the winterisation project, the basic, winter (two versions: this season's
kit has a sixth blanket), summer and replacement kits, the season windows, the Erbil and
Duhok warehouses, and a stock history that shows every kind of movement — a supplier's
receipt and an in-kind donation, a transfer from Erbil to Duhok with two blankets torn in
transit, winter kits assembled in Duhok, an adjustment for water damage waiting for a
second officer's approval, and a low-stock alert. Idempotent: nothing is added when the
catalogue exists."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.accounts.models import Organisation, User
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.stock import services
from sanad.stock.models import Item, Kit, Warehouse

PROJECT = "NFI-ECHO-2026-01"

# code, English, Arabic, Kurdish, category, unit, unit cost (USD), specification
ITEMS = [
    (
        "mattress",
        "Foam mattress",
        "فرشة إسفنج",
        "دۆشەکی ئیسفەنج",
        "bedding",
        "piece",
        "14.50",
        "190 × 90 × 8 cm, 25 kg/m³ density, washable cover",
    ),
    (
        "ht_blanket",
        "High-thermal blanket",
        "بطانية حرارية عالية",
        "بەتانی گەرمی بەرز",
        "bedding",
        "piece",
        "9.80",
        "150 × 200 cm, min. 1.8 kg, 30% wool, NFI cluster winter standard",
    ),
    (
        "kerosene_heater",
        "Kerosene heater",
        "مدفأة نفطية",
        "سۆپای نەوت",
        "heating",
        "piece",
        "48.00",
        "Wick type, 2.5 kW, tip-over switch, 4 L tank",
    ),
    (
        "kerosene_jerrycan",
        "Jerrycan for kerosene, 20 L",
        "جلكان نفط 20 لتر",
        "دەبەی نەوت ٢٠ لیتر",
        "heating",
        "piece",
        "3.20",
        "HDPE, sealed cap",
    ),
    (
        "solar_lamp",
        "Rechargeable solar lamp",
        "مصباح شمسي قابل للشحن",
        "چرای خۆری",
        "lighting",
        "piece",
        "11.00",
        "Solar panel and USB charging, 8 h light, phone charging port",
    ),
    (
        "kitchen_set",
        "Kitchen set",
        "طقم مطبخ",
        "کەلوپەلی چێشتخانە",
        "cooking",
        "set",
        "32.00",
        "2 pots with lids, frying pan, 5 plates, 5 cups, cutlery for 5, knife, ladle",
    ),
    (
        "cooking_stove",
        "Two-burner gas stove",
        "طباخ غاز بعينين",
        "غازی دوو چاو",
        "cooking",
        "piece",
        "21.00",
        "With regulator and 1.5 m hose",
    ),
    (
        "water_jerrycan",
        "Water jerrycan, 20 L",
        "جلكان ماء 20 لتر",
        "دەبەی ئاو ٢٠ لیتر",
        "water",
        "piece",
        "2.90",
        "Food-grade HDPE, foldable",
    ),
    (
        "rechargeable_fan",
        "Rechargeable fan",
        "مروحة قابلة للشحن",
        "پانکەی شەحنکراو",
        "cooling",
        "piece",
        "26.00",
        "16 inch, 6 h battery, solar input",
    ),
    (
        "cool_box",
        "Cool box, 45 L",
        "صندوق تبريد 45 لتر",
        "سندوقی سارد ٤٥ لیتر",
        "cooling",
        "piece",
        "19.50",
        "Insulated, keeps ice 48 h",
    ),
]

BASIC = [
    ("mattress", 5),
    ("ht_blanket", 5),
    ("kitchen_set", 1),
    ("cooking_stove", 1),
    ("water_jerrycan", 2),
    ("solar_lamp", 1),
]
WINTER_V1 = [("ht_blanket", 5), ("kerosene_heater", 1), ("kerosene_jerrycan", 1), ("solar_lamp", 1)]
WINTER_V2 = [("ht_blanket", 6), ("kerosene_heater", 1), ("kerosene_jerrycan", 1), ("solar_lamp", 1)]
SUMMER = [("rechargeable_fan", 1), ("cool_box", 1), ("water_jerrycan", 2)]
REPLACEMENT = [("ht_blanket", 3), ("solar_lamp", 1)]


def winter_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year if today.month >= 7 else today.year - 1, 10, 1)


def seed_stock(*, admin: Any, warehouse_officer: Any | None = None) -> dict[str, Any] | None:
    if Item.objects.exists():
        return None
    project = Project.objects.filter(code=PROJECT).first()
    if project is None:
        return None
    officer = warehouse_officer or admin
    today = timezone.localdate()
    season = winter_start(today)
    items: dict[str, Item] = {}
    for code, en, ar, ckb, category, unit, cost, spec in ITEMS:
        items[code] = services.item_create(
            user=admin,
            code=code,
            name_en=en,
            name_ar=ar,
            name_ckb=ckb,
            category=category,
            unit=unit,
            specification=spec,
        )
        services.item_cost_set(
            user=admin,
            item=items[code],
            project=project,
            unit_cost=Decimal(cost),
            currency="USD",
            valid_from=project.start_date,
        )

    def parts(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [{"item": items[c], "quantity": q} for c, q in rows]

    basic = services.kit_create(
        user=admin,
        code="basic_nfi_kit",
        name_en="Basic NFI kit",
        name_ar="حقيبة المواد الأساسية",
        name_ckb="کیتی کەلوپەلی بنەڕەتی",
        kind="basic",
        components=parts(BASIC),
        valid_from=project.start_date,
        description="For newly displaced families: bedding, cooking and water storage for five.",
    )
    winter = services.kit_create(
        user=admin,
        code="winter_kit",
        name_en="Winter kit",
        name_ar="حقيبة الشتاء",
        name_ckb="کیتی زستان",
        kind="winter",
        components=parts(WINTER_V1),
        valid_from=season.replace(year=season.year - 1),
        description="High-thermal blankets, a kerosene heater and a rechargeable light.",
    )
    services.kit_version_create(
        user=admin,
        kit=winter,
        components=parts(WINTER_V2),
        valid_from=season,
        notes="Sixth blanket added after the 2025-26 post-distribution monitoring.",
    )
    summer = services.kit_create(
        user=admin,
        code="summer_kit",
        name_en="Summer kit",
        name_ar="حقيبة الصيف",
        name_ckb="کیتی هاوین",
        kind="summer",
        components=parts(SUMMER),
        valid_from=project.start_date,
        description="A rechargeable fan, a cool box and jerrycans.",
    )
    replacement = services.kit_create(
        user=admin,
        code="winter_replacement_kit",
        name_en="Winter replacement kit",
        name_ar="حقيبة استبدال شتوية",
        name_ckb="کیتی گۆڕینەوەی زستان",
        kind="replacement",
        components=parts(REPLACEMENT),
        valid_from=project.start_date,
        replaces=[winter],
        description="Replaces worn blankets and the light of families who had a winter kit.",
    )
    # An assembled kit is valued at the cost of its current contents.
    costs = {code: Decimal(cost) for code, *_rest, cost, _spec in ITEMS}
    for kit, rows in (
        (basic, BASIC),
        (winter, WINTER_V2),
        (summer, SUMMER),
        (replacement, REPLACEMENT),
    ):
        services.item_cost_set(
            user=admin,
            item=kit.item,
            project=project,
            unit_cost=sum((costs[c] * q for c, q in rows), Decimal(0)),
            currency="USD",
            valid_from=project.start_date,
        )
    for kind, name, start, end in (
        (
            "winter",
            f"Winter {season.year - 1}-{season.year % 100:02d}",
            season.replace(year=season.year - 1),
            datetime.date(season.year, 3, 31),
        ),
        (
            "summer",
            f"Summer {season.year}",
            datetime.date(season.year, 6, 1),
            datetime.date(season.year, 9, 30),
        ),
        (
            "winter",
            f"Winter {season.year}-{(season.year + 1) % 100:02d}",
            season,
            datetime.date(season.year + 1, 3, 31),
        ),
    ):
        services.season_create(user=admin, kind=kind, name=name, starts_on=start, ends_on=end)

    erbil = services.warehouse_create(
        user=admin,
        code="WH-EBL",
        name="Erbil central warehouse",
        place=Place.objects.get(code="WH-EBL"),
        manager=officer,
    )
    duhok = services.warehouse_create(
        user=admin,
        code="WH-DHK",
        name="Duhok NFI warehouse",
        place=Place.objects.get(code="WH-DHK"),
        manager=officer,
    )
    supplier = "Nawroz Trading"
    donor = Organisation.objects.filter(acronym="Japan").first()
    day = max(project.start_date, season - datetime.timedelta(days=20))
    services.receipt_record(
        user=officer,
        warehouse=erbil,
        project=project,
        date=day,
        supplier=supplier,
        delivery_note="DN-NWZ-2026-0412",
        batch="ECHO-W26-01",
        lines=[
            {"item": items[c], "quantity": q, "unit_cost": None}
            for c, q in (
                ("ht_blanket", 3600),
                ("kerosene_heater", 520),
                ("kerosene_jerrycan", 520),
                ("solar_lamp", 700),
                ("mattress", 400),
                ("kitchen_set", 80),
                ("cooking_stove", 80),
                ("water_jerrycan", 300),
            )
        ],
        notes="Framework agreement FA-2026-07, lot 1 of 2.",
    )
    services.receipt_record(
        user=officer,
        warehouse=erbil,
        project=project,
        date=day + datetime.timedelta(days=3),
        donor=donor,
        delivery_note="JPN-INK-118",
        batch="JPN-2026-FANS",
        lines=[
            {"item": items["rechargeable_fan"], "quantity": 150},
            {"item": items["cool_box"], "quantity": 150},
        ],
        notes="In-kind donation, stored for next summer.",
    )
    transfer = services.transfer_create(
        user=officer,
        from_warehouse=erbil,
        to_warehouse=duhok,
        project=project,
        date=day + datetime.timedelta(days=5),
        lines=[
            {"item": items[c], "quantity": q}
            for c, q in (
                ("ht_blanket", 2000),
                ("kerosene_heater", 330),
                ("kerosene_jerrycan", 330),
                ("solar_lamp", 400),
            )
        ],
        notes="Truck KRD 44-18327, driver Hawkar.",
    )
    services.transfer_dispatch(user=officer, movement=transfer)
    services.transfer_mark_in_transit(user=officer, movement=transfer)
    received = {}
    for line in transfer.lines.all():
        if line.item_id == items["ht_blanket"].pk:
            received[line.pk] = {
                "received": line.quantity - 2,
                "loss_reason": "Two bales torn by the tarpaulin straps in transit.",
            }
        else:
            received[line.pk] = {"received": line.quantity, "loss_reason": ""}
    services.transfer_receive(user=officer, movement=transfer, received=received)
    services.kitting_record(
        user=officer,
        warehouse=duhok,
        kit=winter,
        quantity=320,
        project=project,
        date=day + datetime.timedelta(days=7),
    )
    services.kitting_record(
        user=officer,
        warehouse=erbil,
        kit=basic,
        quantity=40,
        project=project,
        date=day + datetime.timedelta(days=8),
    )
    services.threshold_set(user=officer, warehouse=duhok, item=winter.item, minimum=Decimal(100))
    services.threshold_set(
        user=officer, warehouse=duhok, item=items["kerosene_heater"], minimum=Decimal(20)
    )
    services.threshold_set(
        user=officer, warehouse=erbil, item=items["ht_blanket"], minimum=Decimal(500)
    )
    services.adjustment_request(
        user=officer,
        warehouse=erbil,
        project=project,
        date=today,
        reason="damage",
        lines=[{"item": items["mattress"], "quantity": 6, "direction": -1}],
        notes="Roof leak over bay 3 after the storm; six mattresses soaked and mouldy.",
    )
    return {
        "items": len(items),
        "kits": [basic, winter, summer, replacement],
        "warehouses": [erbil, duhok],
        "winter_kit": winter,
        "duhok": duhok,
        "project": project,
        "officer": officer,
    }


def warehouse_officer() -> User | None:
    return User.objects.filter(username="warehouse").first()


def kits() -> dict[str, Kit]:
    return {k.code: k for k in Kit.objects.all()}


def warehouses() -> dict[str, Warehouse]:
    return {w.code: w for w in Warehouse.objects.all()}

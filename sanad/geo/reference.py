"""Iraq's admin units from the shipped CSV (Open Admin Data, CC-BY-4.0; see data/README.md).

Used by the data migration (with the historical model) and by tests that flush tables."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "iraq_admin_units.csv"


def load_admin_units(model: Any) -> int:
    """Create every admin unit of the CSV that is not there yet; returns how many."""
    with DATA.open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["level"]))
    existing = {u.pcode: u for u in model.objects.all()}
    created = 0
    for row in rows:
        if row["pcode"] in existing:
            continue
        parent = existing.get(row["parent_pcode"]) if row["parent_pcode"] else None
        unit = model.objects.create(
            pcode=row["pcode"],
            level=int(row["level"]),
            parent=parent,
            governorate=parent.governorate if parent else None,
            name_en=row["name_en"],
            name_ar=row["name_ar"],
            lat=float(row["lat"]) if row["lat"] else None,
            lon=float(row["lon"]) if row["lon"] else None,
        )
        if unit.level == 1:
            unit.governorate = unit
            unit.save(update_fields=["governorate"])
        existing[unit.pcode] = unit
        created += 1
    return created

"""Load Iraq's admin units (18 governorates, 101 districts, 294 sub-districts).

Source: Open Admin Data, "Iraq Administrative Divisions Dataset", version 2026.08,
CC-BY-4.0 — see sanad/geo/data/README.md for the attribution that ships with it.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "iraq_admin_units.csv"


def load(apps, schema_editor):
    AdminUnit = apps.get_model("geo", "AdminUnit")
    with DATA.open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["level"]))
    by_code = {}
    for row in rows:
        parent = by_code.get(row["parent_pcode"]) if row["parent_pcode"] else None
        unit = AdminUnit.objects.create(
            pcode=row["pcode"], level=int(row["level"]), parent=parent,
            governorate=parent.governorate if parent else None,
            name_en=row["name_en"], name_ar=row["name_ar"],
            lat=float(row["lat"]) if row["lat"] else None, lon=float(row["lon"]) if row["lon"] else None,
        )
        if unit.level == 1:
            unit.governorate = unit
            unit.save(update_fields=["governorate"])
        by_code[unit.pcode] = unit


def unload(apps, schema_editor):
    apps.get_model("geo", "AdminUnit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

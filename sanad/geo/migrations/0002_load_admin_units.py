"""Load Iraq's admin units (18 governorates, 101 districts, 294 sub-districts).

Source: Open Admin Data, "Iraq Administrative Divisions Dataset", version 2026.08,
CC-BY-4.0 — see sanad/geo/data/README.md for the attribution that ships with it.
"""

from django.db import migrations


def load(apps, schema_editor):
    from sanad.geo.reference import load_admin_units

    load_admin_units(apps.get_model("geo", "AdminUnit"))


def unload(apps, schema_editor):
    apps.get_model("geo", "AdminUnit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

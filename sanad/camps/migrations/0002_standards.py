"""The camp standards indicators are computed against (Sphere Handbook 2018 minimum
standards and the Iraq CCCM cluster's camp standards). Editable afterwards."""

from django.db import migrations

STANDARDS = [
    # code, name, direction, threshold, unit, source
    ("people_per_latrine", "People per latrine", "max", 20, "people", "Sphere (WASH), Iraq camp standards"),
    ("people_per_shower", "People per shower", "max", 50, "people", "Iraq camp standards"),
    ("people_per_tap", "People per water tap", "max", 250, "people", "Sphere (WASH)"),
    ("water_lpd", "Water per person per day", "min", 15, "litres", "Sphere (WASH)"),
    ("covered_area_pp", "Covered living area per person", "min", 3.5, "m²", "Sphere (shelter)"),
    ("people_per_shelter", "People per shelter", "max", 5, "people", "Iraq camp standards"),
    ("health_post_km", "Distance to the health post", "max", 5, "km", "Iraq camp standards"),
]


def forwards(apps, schema_editor):
    Standard = apps.get_model("camps", "Standard")
    for order, (code, name, direction, threshold, unit, source) in enumerate(STANDARDS):
        Standard.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "direction": direction,
                "threshold": threshold,
                "unit": unit,
                "source": source,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("camps", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Default response standards per category (editable on the feedback settings page).

Abuse reports are acknowledged within a day and handled within three; conduct
complaints within a week; everything else within two weeks, information requests
within three days."""

from django.db import migrations

DEFAULTS = {
    "information": (24, 3),
    "assistance": (48, 14),
    "complaint_assistance": (48, 14),
    "complaint_conduct": (24, 7),
    "sea": (24, 3),
    "positive": (72, 30),
    "data_correction": (48, 14),
    "exclusion_appeal": (48, 14),
}


def forwards(apps, schema_editor):
    ResponseStandard = apps.get_model("feedback", "ResponseStandard")
    for category, (hours, days) in DEFAULTS.items():
        ResponseStandard.objects.get_or_create(
            category=category, defaults={"acknowledge_hours": hours, "respond_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Create the six programmes of the mission, named in English, Arabic and Kurdish (Sorani).

Runs after the schema migration so that every deployment, including the demo and the
test database, has them. Existing rows are updated by code, never duplicated; a
description someone has already written is kept.
"""

from django.db import migrations

PROGRAMMES = [
    {
        "code": "NFI",
        "name_en": "Non-Food Items",
        "name_ar": "المواد غير الغذائية",
        "name_ckb": "کەرەستەی نا-خۆراک",
        "description": (
            "Basic, seasonal and replacement kits of household items, distributed in kind or "
            "through cash and e-vouchers with a vendor network."
        ),
    },
    {
        "code": "SHELTER",
        "name_en": "Shelter",
        "name_ar": "المأوى",
        "name_ckb": "پەناگە",
        "description": (
            "Damage assessments, rehabilitation of war-damaged homes, critical-shelter upgrades "
            "in sites and cash for beneficiary-led rehabilitation paid in tranches."
        ),
    },
    {
        "code": "CCCM",
        "name_en": "Camp Coordination and Camp Management",
        "name_ar": "تنسيق وإدارة المخيمات",
        "name_ckb": "هەماهەنگی و بەڕێوەبردنی کەمپەکان",
        "description": (
            "Formal camps and informal sites: population, services against standards, "
            "infrastructure and maintenance, mobile response teams, closure and consolidation."
        ),
    },
    {
        "code": "TRANSPORT",
        "name_en": "Transportation",
        "name_ar": "النقل",
        "name_ckb": "گواستنەوە",
        "description": (
            "Movements from border points to camps, relocations on camp closure and family "
            "reunification, with manifests, convoys and arrival checks."
        ),
    },
    {
        "code": "CWC",
        "name_en": "Communication with Communities",
        "name_ar": "التواصل مع المجتمعات",
        "name_ckb": "پەیوەندی لەگەڵ کۆمەڵگاکان",
        "description": (
            "Information campaigns, a two-way inbox, and the complaints and feedback mechanism "
            "with referrals and closing the loop."
        ),
    },
    {
        "code": "CRP",
        "name_en": "Community Revitalization",
        "name_ar": "تنشيط المجتمعات",
        "name_ckb": "بووژاندنەوەی کۆمەڵگا",
        "description": (
            "Community-based assessments, infrastructure projects, small-business grants, "
            "vocational training, community centres and social-cohesion activities."
        ),
    },
]


def create_programmes(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    for row in PROGRAMMES:
        programme, created = Programme.objects.get_or_create(
            code=row["code"],
            defaults={k: v for k, v in row.items() if k != "code"},
        )
        if not created:
            programme.name_en = row["name_en"]
            programme.name_ar = row["name_ar"]
            programme.name_ckb = row["name_ckb"]
            if not programme.description:
                programme.description = row["description"]
            programme.save(update_fields=["name_en", "name_ar", "name_ckb", "description"])


def remove_unused_programmes(apps, schema_editor):
    # Programmes that projects point to stay: rolling back must not lose data.
    Programme = apps.get_model("programmes", "Programme")
    Programme.objects.filter(code__in=[row["code"] for row in PROGRAMMES], projects__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_programmes, remove_unused_programmes),
    ]

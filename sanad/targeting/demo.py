"""Targeting in the demo dataset (`sanad seed_demo`): the "Winter kits Duhok 2026" rule
(households in tents or critical shelter in Duhok that have not received a winter kit
since 1 October), a weighted vulnerability model, a proxy-means-test model, and the
list built from them, locked by the NFI officer and waiting for a second person's
approval. Idempotent: nothing is added when the rule exists."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from sanad.programmes.models import Activity, Programme, Project
from sanad.registry.models import Household
from sanad.targeting import scoring, services
from sanad.targeting.models import BeneficiaryList, ListEntry, Rule

RULE_NAME = "Winter kits Duhok 2026"
DUHOK = "IQG09"

CRITERIA = [
    ("Woman-headed household", "is_woman_headed", "is_true", None, 10),
    ("Child-headed household", "is_child_headed", "is_true", None, 10),
    ("Person with a disability", "has_disability", "is_true", None, 8),
    ("Older person alone", "is_older_person_alone", "is_true", None, 8),
    ("Unaccompanied or separated child", "has_unaccompanied_child", "is_true", None, 6),
    ("Child under six", "members_0_5", "gte", 1, 4),
    ("Chronic illness", "has_chronic_illness", "is_true", None, 3),
    ("Large household (7 or more)", "is_large", "is_true", None, 3),
]


def season_start(today: datetime.date) -> datetime.date:
    """1 October of the current winter season."""
    year = today.year if today.month >= 7 else today.year - 1
    return datetime.date(year, 10, 1)


def seed_targeting(*, admin: Any, officer: Any | None = None) -> dict[str, Any] | None:
    if Rule.objects.filter(name=RULE_NAME).exists() or not Household.objects.exists():
        return None
    officer = officer or admin
    nfi = Programme.objects.get(code="NFI")
    today = timezone.localdate()
    tree = {
        "match": "all",
        "items": [
            {"field": "governorate", "operator": "eq", "value": DUHOK},
            {
                "match": "any",
                "items": [
                    {
                        "field": "shelter_type",
                        "operator": "in",
                        "value": ["camp", "informal_settlement"],
                    },
                    {"field": "critical_shelter", "operator": "is_true", "value": None},
                ],
            },
            {
                "field": "received",
                "operator": "is_false",
                "value": {
                    "what": "item",
                    "code": "winter_kit",
                    "since": season_start(today).isoformat(),
                },
            },
        ],
    }
    rule = services.rule_create(
        user=officer,
        programme=nfi,
        name=RULE_NAME,
        description=(
            "Households living in tents (camps, informal sites) or other critical shelter in "
            "Duhok that have not received a winter kit this season."
        ),
        tree=tree,
    )
    model = services.scoring_model_create(
        user=officer,
        programme=nfi,
        name="NFI vulnerability score 2026",
        kind="weighted",
        description="Points per vulnerability, agreed with the NFI/Shelter cluster in Duhok.",
    )
    version = services.scoring_version_weighted(
        model=model,
        user=officer,
        criteria=[
            {"label": label, "condition": {"field": f, "operator": op, "value": v}, "points": p}
            for label, f, op, v, p in CRITERIA
        ],
        note="First version",
    )
    pmt = services.scoring_model_create(
        user=admin,
        programme=nfi,
        name="Proxy means test (demo coefficients)",
        kind="pmt",
        description="Predicted log consumption per person; coefficients are illustrative.",
    )
    services.scoring_version_pmt(
        model=pmt,
        user=admin,
        content=scoring.coefficients_template_csv().encode(),
        filename="pmt-demo.csv",
        threshold="10.9",
        note="Demo coefficients",
    )
    project = Project.objects.filter(code="NFI-ECHO-2026-01").first()
    activity = (
        Activity.objects.filter(project=project).order_by("code").first() if project else None
    )
    lst = services.list_create(
        user=officer,
        name=RULE_NAME,
        programme=nfi,
        rule=rule,
        project=project,
        activity=activity,
        model_version=version,
        area=[DUHOK],
    )
    services.list_build(lst=lst, user=officer)
    # A quota on the largest district, so the list shows one filled.
    by_unit: dict[str, int] = {}
    for pcode in lst.entries.filter(eligible=True).values_list(
        "admin_unit__parent__pcode", flat=True
    ):
        by_unit[pcode] = by_unit.get(pcode, 0) + 1
    if by_unit:
        district, eligible = max(by_unit.items(), key=lambda kv: kv[1])
        services.list_update(
            lst=lst,
            user=officer,
            quotas=[{"admin_unit": district, "max": max(1, eligible * 3 // 4)}],
        )
    first = lst.entries.filter(outcome=ListEntry.Outcome.INCLUDED).order_by("rank").first()
    if first is not None:
        services.decision_set(
            lst=lst,
            user=officer,
            household=Household.objects.get(pk=first.household_id),
            decision="exclude",
            reason="Received a winter kit from a partner NGO on 12 October (partner's distribution list).",
        )
    services.list_build(lst=lst, user=officer)
    services.list_lock(lst=lst, user=officer, reason="Checked with the camp management teams.")
    lst = BeneficiaryList.objects.get(pk=lst.pk)
    return {
        "list": lst,
        "included": lst.summary.get("included", 0),
        "considered": lst.summary.get("considered", 0),
    }

"""The targeting and cash the shelter demo builds on: a weighted shelter-vulnerability
model and the approved list "Shelter vulnerability, Ninewa 2026" (the 40 most vulnerable
households of Ninewa: prioritisation reads their scores), and the cash plan "Cash for
self-repair, Ninewa" on it — USD 3,000 in three tranches whose condition is a verified
shelter milestone, so each tranche is released by an inspection. Made through the
targeting and cash services; idempotent (nothing is added when the list exists)."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.cash.models import CashPlan
from sanad.programmes.models import Programme, Project
from sanad.registry.models import Household
from sanad.targeting.models import BeneficiaryList

LIST_NAME = "Shelter vulnerability, Ninewa 2026"
PLAN_NAME = "Cash for self-repair, Ninewa"
NINEWA = "IQG15"
PROJECT = "SHL-GFFO-2025-03"
CRITERIA = [
    ("Woman-headed household", "is_woman_headed", "is_true", None, 10),
    ("Child-headed household", "is_child_headed", "is_true", None, 10),
    ("Person with a disability", "has_disability", "is_true", None, 8),
    ("Older person alone", "is_older_person_alone", "is_true", None, 8),
    ("Chronic illness", "has_chronic_illness", "is_true", None, 4),
    ("Child under six", "members_0_5", "gte", 1, 3),
    ("Large household (7 or more)", "is_large", "is_true", None, 3),
]


def seed(*, users: dict[str, Any], today: datetime.date, **shared: Any) -> dict[str, Any]:
    from sanad.cash import services as cash
    from sanad.targeting import services as targeting

    officer = users.get("shelter.officer")
    approver = users.get("admin")
    project = Project.objects.filter(code=PROJECT).first()
    if officer is None or approver is None or project is None:
        return {}
    existing = BeneficiaryList.objects.filter(name=LIST_NAME).first()
    if existing is not None:
        return {"shelter_list": existing}
    if not Household.objects.filter(governorate__pcode=NINEWA).exists():
        return {}
    shelter = Programme.objects.get(code="SHELTER")
    rule = targeting.rule_create(
        user=officer,
        programme=shelter,
        name="Households in Ninewa (shelter)",
        description="Every registered household living in Ninewa; the score ranks them.",
        tree={
            "match": "all",
            "items": [{"field": "governorate", "operator": "eq", "value": NINEWA}],
        },
    )
    model = targeting.scoring_model_create(
        user=officer,
        programme=shelter,
        name="Shelter vulnerability 2026",
        kind="weighted",
        description="Points per vulnerability, used with the damage to prioritise repairs.",
    )
    version = targeting.scoring_version_weighted(
        model=model,
        user=officer,
        criteria=[
            {"label": label, "condition": {"field": f, "operator": op, "value": v}, "points": p}
            for label, f, op, v, p in CRITERIA
        ],
        note="First version",
    )
    lst = targeting.list_create(
        user=officer,
        name=LIST_NAME,
        programme=shelter,
        rule=rule,
        project=project,
        model_version=version,
        area=[NINEWA],
        quotas=[{"admin_unit": NINEWA, "max": 40}],
    )
    targeting.list_build(lst=lst, user=officer)
    targeting.list_lock(lst=lst, user=officer, reason="Checked with the engineers' visits.")
    targeting.list_approve(lst=BeneficiaryList.objects.get(pk=lst.pk), user=approver)
    lst = BeneficiaryList.objects.get(pk=lst.pk)
    plan = cash.plan_create(
        user=officer,
        name=PLAN_NAME,
        beneficiary_list=lst,
        project=project,
        modality=CashPlan.Modality.CASH,
        currency="USD",
        exchange_rate="1310",
        expires_on=min(project.end_date, today + datetime.timedelta(days=365)),
        amount="3000",
        tranches=3,
        condition=CashPlan.Condition.SHELTER_MILESTONE,
        condition_note="Tranche 1 on signing; each next tranche when the engineer verifies a milestone.",
        item_code="shelter_cash",
    )
    cash.plan_approve(user=approver, plan=plan)
    return {"shelter_list": lst, "shelter_cash_plan": plan}

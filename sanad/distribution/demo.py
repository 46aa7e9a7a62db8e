"""Distributions in the demo dataset (`sanad seed_demo`): the winter-kit round for Domiz 1
and Domiz 2 camps. Its beneficiary list is locked by the NFI officer and approved by the
administrator (the two-person rule); the plan reserves winter kits in the Duhok warehouse;
the Domiz 2 event took place three days ago and is closed and reconciled (a few kits
returned, one lost with its reason); the Domiz 1 event is today, open, with kits
dispatched and the first families checked in, ready for the distribution-day page.
A post-distribution monitoring sample is drawn from Domiz 2. Idempotent."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.distribution import services
from sanad.distribution.models import Plan
from sanad.geo.models import Place
from sanad.programmes.models import Programme
from sanad.registry.models import Household, Individual
from sanad.stock import services as stock_services
from sanad.stock.demo import winter_start
from sanad.stock.models import Kit, Warehouse
from sanad.targeting import selectors as targeting_selectors
from sanad.targeting import services as targeting

PLAN_NAME = "Winter kits, Domiz camps, round 1"
CAMPS = ("DHK-DMZ1", "DHK-DMZ2")
RULE_NAME = "Winter kits, Domiz camps"


def seed_distribution(*, admin: Any, officer: Any, warehouse_officer: Any) -> dict[str, Any] | None:
    if Plan.objects.filter(name=PLAN_NAME).exists():
        return None
    kit = Kit.objects.filter(code="winter_kit").first()
    duhok = Warehouse.objects.filter(code__iexact="WH-DHK").first()
    camps = {p.code: p for p in Place.objects.filter(code__in=CAMPS)}
    if kit is None or duhok is None or len(camps) < 2:
        return None
    for camp in camps.values():
        if not Household.objects.filter(place=camp, status="active").exists():
            return None  # a tiny demo registry (seed_demo --households 50)
    from sanad.targeting.models import Rule

    if Rule.objects.filter(name=RULE_NAME).exists():
        return None
    nfi = Programme.objects.get(code="NFI")
    today = timezone.localdate()
    season = winter_start(today)
    rule = targeting.rule_create(
        user=officer,
        programme=nfi,
        name=RULE_NAME,
        description="Every household living in Domiz 1 or Domiz 2 without a winter kit this season.",
        tree={
            "match": "all",
            "items": [
                {
                    "field": "place",
                    "operator": "in",
                    "value": [str(camps[c].public_id) for c in CAMPS],
                },
                {
                    "field": "received",
                    "operator": "is_false",
                    "value": {"what": "item", "code": "winter_kit", "since": season.isoformat()},
                },
            ],
        },
    )
    from sanad.programmes.models import Project

    project = Project.objects.get(code="NFI-ECHO-2026-01")
    lst = targeting.list_create(
        user=officer, name=PLAN_NAME, programme=nfi, rule=rule, project=project
    )
    targeting.list_build(lst=lst, user=officer)
    targeting.list_lock(lst=lst, user=officer, reason="Camp lists checked with the camp managers.")
    targeting.list_approve(lst=lst, user=admin, reason="Matches the camp population figures.")
    households = list(targeting_selectors.list_households(lst))
    at = {h.place_id for h in households}
    if not all(camps[c].pk in at for c in CAMPS):
        return None  # a tiny demo registry (seed_demo --households 50): no round to show
    # Enough kits for the list: assemble what the Duhok warehouse lacks (the demo's
    # receipts bring enough loose items for a few hundred more).
    from sanad.stock.selectors import available

    have = available(warehouse=duhok, item=kit.item, project=project)
    need = Decimal(len(households)) - have
    if need > 0:
        stock_services.kitting_record(
            user=warehouse_officer,
            warehouse=duhok,
            kit=kit,
            quantity=need,
            project=project,
            date=today - datetime.timedelta(days=5),
        )
    plan = services.plan_create(
        user=officer,
        name=PLAN_NAME,
        beneficiary_list=lst,
        kit=kit,
        project=project,
        warehouse=duhok,
        notes="Distribution points at the camp management offices, 09:00 to 14:00.",
    )
    services.plan_approve(user=officer, plan=plan)
    rng = random.Random(11)
    past = services.event_create(
        user=officer, plan=plan, place=camps["DHK-DMZ2"], date=today - datetime.timedelta(days=3)
    )
    current = services.event_create(user=officer, plan=plan, place=camps["DHK-DMZ1"], date=today)
    services.event_dispatch(user=warehouse_officer, event=past)
    expected = list(Household.objects.filter(pk__in=past.expected.values("household_id")))
    served = 0
    for household in expected:
        if rng.random() < 0.12:
            continue  # did not come
        head = Individual.objects.filter(household=household, relationship="head").first()
        if head is None:
            continue
        services.receipt_record(
            user=officer,
            event=past,
            household=household,
            collected_by=head,
            proof=rng.choice(("thumbprint", "thumbprint", "declared")),
            found_by=rng.choice(("qr", "qr", "qr", "search")),
            device="demo-tablet-1",
        )
        served += 1
    past.refresh_from_db()
    left = past.dispatched - past.distributed
    services.event_close(
        user=warehouse_officer,
        event=past,
        returned=max(left - 1, Decimal(0)),
        reason="One kit handed to the camp management office without a receipt; follow-up "
        "with the camp manager."
        if left >= 1
        else "",
    )
    services.event_dispatch(user=warehouse_officer, event=current)
    first = list(Household.objects.filter(pk__in=current.expected.values("household_id"))[:5])
    for household in first:
        head = Individual.objects.filter(household=household, relationship="head").first()
        if head is not None:
            services.receipt_record(
                user=officer,
                event=current,
                household=household,
                collected_by=head,
                proof="thumbprint",
                found_by="qr",
                device="demo-phone-2",
            )
    sample = None
    if served >= 10:  # a tiny demo registry serves too few to sample from both camps
        sample = services.sample_draw(user=officer, plan=plan, size=min(20, served), seed=2026)
    return {"plan": plan, "households": len(households), "served": served, "sample": sample}

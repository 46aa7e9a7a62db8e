"""Demo rehabilitation cases, made through the services from the validated assessments
of `demo_assessments`: houses opened for a contractor (for `demo_contracts` to tender),
one repaired directly and handed over to the family (certificate and ledger), one in
progress with its first milestone verified, and a family repairing its own house with
cash when the household holds a shelter cash entitlement (tranche 1 released on start,
tranche 2 after the verified milestone)."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.shelter.models import Assessment, RehabCase

RATE = "1310"


def _free(assessments: list[Any]) -> list[Assessment]:
    ids = [a.pk for a in assessments if getattr(a, "pk", None)]
    return list(
        Assessment.objects.filter(pk__in=ids, status="validated", case__isnull=True)
        .select_related("property", "household")
        .order_by("assessed_on", "pk")
    )


def seed(*, users: dict[str, Any], today: datetime.date, **shared: Any) -> dict[str, Any]:
    from sanad.shelter.selectors.cases import shelter_entitlements
    from sanad.shelter.services import cases as services
    from sanad.shelter.services import inspections

    officer = users.get("shelter.officer") or users["admin"]
    engineer = users.get("engineer") or users["admin"]
    rnd = shared.get("round")
    seeded = list(
        RehabCase.objects.filter(
            assessment_id__in=[a.pk for a in shared.get("assessments") or []]
        ).order_by("pk")
    )
    if seeded:  # seeded before
        return {
            "cases": seeded,
            "contractor_cases": [c for c in seeded if c.modality == "contractor"],
        }
    made: list[RehabCase] = []
    contractor_cases: list[RehabCase] = []
    if rnd is not None and getattr(rnd, "status", "") == "final":
        contractor_cases = services.case_create_from_round(
            user=officer,
            round=rnd,
            modality="contractor",
            data={"planned_start": today, "planned_end": today + datetime.timedelta(days=120)},
        )
        made += contractor_cases
    free = _free(list(shared.get("assessments") or []))

    def open_(assessment: Assessment, modality: str, **data: Any) -> RehabCase:
        data.setdefault("planned_start", today - datetime.timedelta(days=60))
        data.setdefault("planned_end", today + datetime.timedelta(days=60))
        if modality == "cash" and assessment.household_id:
            options = shelter_entitlements(assessment.household_id)
            if options:
                data["entitlement"] = options[0]
        case = services.case_create(
            user=officer, assessment=assessment, modality=modality, data=data
        )
        made.append(case)
        return case

    def inspect(case: RehabCase, kind: str, progress: Any, days_ago: int) -> Any:
        milestone = inspections.next_milestone(case) if kind == "milestone" else None
        return inspections.inspection_create(
            user=engineer,
            case=case,
            data={
                "kind": kind,
                "milestone": milestone,
                "inspected_on": today - datetime.timedelta(days=days_ago),
                "checklist": {"roof": "ok", "walls": "ok", "doors_windows": "ok"},
                "progress": progress,
                "result": "verified",
                "findings": "Works checked on site against the bill of quantities.",
                "sign_off": True,
            },
        )

    # A house repaired directly and handed over to the family.
    if free:
        done = open_(free.pop(0), "direct", planned_end=today - datetime.timedelta(days=5))
        services.case_start(user=officer, case=done, started_on=today - datetime.timedelta(days=50))
        inspect(done, "milestone", 40, 35)
        inspect(done, "milestone", 80, 20)
        inspect(done, "final", 100, 8)
        services.case_handover(
            user=officer,
            case=RehabCase.objects.get(pk=done.pk),
            data={
                "signed_by": "Head of household",
                "relationship": "Head of household",
                "handed_over_on": today - datetime.timedelta(days=5),
                "signed_on_paper": True,
                "exchange_rate": RATE,
            },
        )
    # A house in progress, its structural works verified.
    if free:
        going = open_(free.pop(0), "direct")
        services.case_start(
            user=officer, case=going, started_on=today - datetime.timedelta(days=30)
        )
        inspect(going, "milestone", 45, 10)
    # A family repairing its own house with cash in tranches (one holding a self-repair
    # entitlement, when the demo's cash plan made any).
    entitled = [a for a in free if a.household_id and shelter_entitlements(a.household_id)]
    if entitled or free:
        chosen = (entitled or free)[0]
        free.remove(chosen)
        family = open_(chosen, "cash")
        if family.entitlement_id is not None:
            services.case_start(
                user=officer, case=family, started_on=today - datetime.timedelta(days=25)
            )
            inspect(RehabCase.objects.get(pk=family.pk), "milestone", 35, 6)
    # Houses waiting for a contractor (tendered by demo_contracts).
    for assessment in free[:3]:
        contractor_cases.append(open_(assessment, "contractor"))
    return {"cases": made, "contractor_cases": contractor_cases}

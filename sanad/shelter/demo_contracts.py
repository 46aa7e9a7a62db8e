"""Demo data of the contracts part, made through the services: four contractors (one
suspended), the contractor-modality houses of the cases demo put to tender as one lot
per project and governorate, three bids each, evaluated and awarded to the recommended
bid; the contract's payment milestones set, signed, the first milestone certified a few
days late (with its penalty) and paid. A directly awarded contract for works in the Duhok
camps (no houses) is signed too, for the site-upgrades demo to use."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import Contract, Contractor, RehabCase, Tender

CONTRACTORS = [
    ("Al-Rafidain Construction Co.", "NIN-2019-0412", "Omar Khalil", "0770 412 5531", ["IQG15"]),
    ("Sinjar Builders Group", "NIN-2021-1187", "Khairi Elias", "0750 118 7702", ["IQG15"]),
    ("Zakho Engineering Services", "DUH-2018-0093", "Shivan Ahmed", "0750 093 4410", ["IQG09"]),
    ("Tigris Contracting", "NIN-2017-0671", "Yousif Hamad", "0780 671 2290", ["IQG15", "IQG09"]),
]
PROJECT = "SHL-GFFO-2025-03"
CAMPS_PROJECT = "SHL-ECHO-2026-02"


def _contractors(officer: Any) -> list[Contractor]:
    from sanad.shelter.services import contracts as services

    made = []
    for name, reg, contact, phone, govs in CONTRACTORS:
        existing = Contractor.objects.filter(name=name).first()
        if existing is not None:
            made.append(existing)
            continue
        made.append(
            services.contractor_create(
                user=officer,
                data={
                    "name": name,
                    "registration_number": reg,
                    "contact_name": contact,
                    "phone": phone,
                    "governorates": list(AdminUnit.objects.filter(pcode__in=govs)),
                },
            )
        )
    tigris = made[3]
    if tigris.status == Contractor.Status.ACTIVE:
        services.contractor_suspend(
            user=officer,
            contractor=tigris,
            reason="Workers' wages unpaid on a previous contract; under review.",
        )
    return made


def _run(
    officer: Any,
    contract: Contract,
    today: datetime.date,
    start: datetime.date,
    engineer: Any = None,
) -> None:
    """Milestones 40/40/20, signed at `start` (the houses' works start), the first
    certified five days late — after the engineer verified the structural works on
    every house — and paid."""
    from sanad.shelter.services import contracts as services
    from sanad.shelter.services import inspections

    end = contract.end_on or start + datetime.timedelta(days=120)
    span = max((end - start).days, 30)
    services.milestones_set(
        user=officer,
        contract=contract,
        milestones=[
            {
                "name": "Structural works (roofs, walls)",
                "percent": "40",
                "due_on": start + datetime.timedelta(days=span * 2 // 5),
            },
            {
                "name": "Finishing (doors, windows, plaster, wiring)",
                "percent": "40",
                "due_on": start + datetime.timedelta(days=span * 4 // 5),
            },
            {"name": "Completion and handover", "percent": "20", "due_on": end},
        ],
    )
    services.contract_sign(user=officer, contract=contract, signed_on=start)
    first = contract.milestones.order_by("sequence").first()
    if first is None:
        return
    reached = first.due_on + datetime.timedelta(days=5)
    if reached <= today - datetime.timedelta(days=3):
        for case in contract.cases.filter(status="in_progress").order_by("pk"):
            milestone = inspections.next_milestone(case)
            if engineer is None or milestone is None:
                break
            inspections.inspection_create(
                user=engineer,
                case=case,
                data={
                    "kind": "milestone",
                    "milestone": milestone,
                    "inspected_on": reached,
                    "checklist": {"roof": "ok", "walls": "ok", "doors_windows": "na"},
                    "progress": milestone.progress,
                    "result": "verified",
                    "findings": "Roof slab and walls rebuilt as in the bill of quantities.",
                    "sign_off": True,
                },
            )
        services.milestone_certify(user=officer, milestone=first, completed_on=reached)
        services.milestone_record_payment(
            user=officer,
            milestone=first,
            paid_on=reached + datetime.timedelta(days=3),
            reference=f"TRF-{contract.reference[-5:]}-1",
        )


def seed(*, users: dict[str, Any], today: datetime.date, **shared: Any) -> dict[str, Any]:
    from sanad.shelter.services import contracts as services

    officer = users.get("shelter.officer") or users["admin"]
    contractors = _contractors(officer)
    rafidain, sinjar, zakho, _tigris = contractors
    cases = [
        c
        for c in (shared.get("contractor_cases") or shared.get("cases") or [])
        if c.modality == RehabCase.Modality.CONTRACTOR
    ]
    lots: dict[tuple[int, int, str], list[RehabCase]] = defaultdict(list)
    for case in RehabCase.objects.filter(
        pk__in=[c.pk for c in cases], status=RehabCase.Status.OPEN, contract__isnull=True
    ).select_related("project", "governorate"):
        lots[(case.project_id, case.governorate_id, case.currency)].append(case)
    tenders: list[Tender] = []
    contracts: list[Contract] = []
    start = today - datetime.timedelta(days=70)
    for n, lot in enumerate(lots.values(), start=1):
        first = lot[0]
        tender = services.tender_create(
            user=officer,
            data={
                "title": f"Rehabilitation of {len(lot)} war-damaged houses, lot {n}",
                "project": first.project,
                "governorate": first.governorate,
                "description": "Roof slabs, walls, doors and windows, electrical and plumbing "
                "repairs according to each house's bill of quantities.",
                "closes_on": start - datetime.timedelta(days=10),
                "currency": first.currency,
            },
            cases=lot,
        )
        services.tender_open(
            user=officer, tender=tender, issued_on=start - datetime.timedelta(days=30)
        )
        estimate = tender.estimate
        for contractor, factor, days, score in (
            (rafidain, "0.94", 110, "82"),
            (sinjar, "0.89", 100, "64"),  # cheapest, below the technical pass mark
            (zakho, "1.02", 95, "91"),
        ):
            services.bid_record(
                user=officer,
                tender=tender,
                data={
                    "contractor": contractor,
                    "amount": (estimate * Decimal(factor)).quantize(Decimal("0.01")),
                    "duration_days": days,
                    "technical_score": score,
                },
            )
        services.tender_evaluate(user=officer, tender=tender)
        bid = services.recommended_bid(list(tender.bids.select_related("contractor")))
        if bid is None:
            continue
        contract = services.tender_award(
            user=officer,
            tender=tender,
            bid=bid,
            data={"start_on": start, "defects_liability_days": 180},
        )
        _run(officer, contract, today, start, users.get("engineer"))
        tenders.append(tender)
        contracts.append(contract)
    # The camps' works belong to the Duhok camps project.
    project = Project.objects.filter(code=CAMPS_PROJECT).first()
    duhok = AdminUnit.objects.filter(pcode="IQG09").first()
    if project is not None and duhok is not None:
        camp_works = services.contract_create(
            user=officer,
            data={
                "contractor": zakho,
                "project": project,
                "governorate": duhok,
                "value": "48500",
                "currency": "USD",
                "start_on": start,
                "end_on": today + datetime.timedelta(days=40),
                "defects_liability_days": 180,
            },
            reason="Framework agreement of the Duhok camps (winterisation works before the "
            "rains): the same contractor and unit prices as the 2024 tender.",
        )
        _run(officer, camp_works, today, start, users.get("engineer"))
        contracts.append(camp_works)
    for record in (*contractors, *tenders, *contracts):
        record.refresh_from_db()
    return {"contractors": contractors, "tenders": tenders, "contracts": contracts}

"""Building shelter records directly for the contracts tests: rehabilitation cases (with
the property and assessment they need) made with the ORM, contractors, and tenders or
contracts brought to a given stage through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sanad.programmes.models import Project
from sanad.shelter.models import Assessment, Contract, Contractor, Property, RehabCase, Tender
from sanad.shelter.services import contracts as services
from tests.factories import DUHOK, ProgrammeFactory, ProjectFactory, make_user, subdistrict_in

_n = iter(range(1, 10**9))


def shelter_project(programme: str = "SHELTER", **kwargs: Any) -> Project:
    return ProjectFactory(programme=ProgrammeFactory(code=programme), **kwargs)


def officer(governorates: tuple[str, ...] | None = (DUHOK,), programmes: Any = None) -> Any:
    """A programme officer (holds shelter.manage_contract)."""
    return make_user("programme_officer", governorates=governorates, programmes=programmes)


def make_case(
    *,
    project: Project,
    governorate: str = DUHOK,
    modality: str = RehabCase.Modality.CONTRACTOR,
    budget: Any = "5000.00",
    status: str = RehabCase.Status.OPEN,
    currency: str = "USD",
    engineer: Any = None,
    **kwargs: Any,
) -> RehabCase:
    """A rehabilitation case on a new property, from a validated assessment."""
    n = next(_n)
    unit = subdistrict_in(governorate)
    prop = Property.objects.create(
        address=f"House {n}, street {n % 7}",
        admin_unit=unit,
        governorate=unit.governorate,
        tenure=Property.Tenure.OWNER,
    )
    assessment = Assessment.objects.create(
        reference=f"SA-T-{n:05d}",
        property=prop,
        programme=project.programme,
        project=project,
        governorate=unit.governorate,
        assessed_on=datetime.date(2026, 1, 10),
        engineer=engineer or make_user("shelter_engineer"),
        damage="severe",
        occupants=5,
        covered_area_after_m2=Decimal("60"),
        boq_total=Decimal(str(budget)),
        currency=currency,
        status=Assessment.Status.VALIDATED,
    )
    return RehabCase.objects.create(
        reference=kwargs.pop("reference", f"SC-T-{n:05d}"),
        assessment=assessment,
        property=prop,
        programme=project.programme,
        project=project,
        governorate=unit.governorate,
        modality=modality,
        budget=Decimal(str(budget)),
        currency=currency,
        occupants_after=5,
        covered_area_after_m2=Decimal("60"),
        status=status,
        **kwargs,
    )


def make_contractor(name: str | None = None, **kwargs: Any) -> Contractor:
    n = next(_n)
    return Contractor.objects.create(name=name or f"Builder {n} Co.", **kwargs)


def make_tender(
    user: Any, project: Project, cases: list[RehabCase], governorate: str = DUHOK, **data: Any
) -> Tender:
    unit = subdistrict_in(governorate).governorate
    return services.tender_create(
        user=user,
        data={"title": "Lot 1", "project": project, "governorate": unit, **data},
        cases=cases,
    )


def evaluated_tender(
    user: Any, project: Project, cases: list[RehabCase], bids: list[tuple[Any, Any, Any]]
) -> Tender:
    """A tender with bids [(contractor, amount, technical score)], evaluated."""
    tender = make_tender(user, project, cases)
    services.tender_open(user=user, tender=tender, issued_on=datetime.date(2026, 2, 1))
    for contractor, amount, score in bids:
        services.bid_record(
            user=user,
            tender=tender,
            data={
                "contractor": contractor,
                "amount": amount,
                "technical_score": score,
                "duration_days": 90,
            },
        )
    return services.tender_evaluate(user=user, tender=tender)


def direct_contract(
    user: Any,
    project: Project,
    *,
    value: Any = "100000",
    cases: list[RehabCase] = (),  # type: ignore[assignment]
    governorate: str = DUHOK,
    milestones: list[tuple[str, Any, datetime.date]] | None = None,
    sign_on: datetime.date | None = None,
    **terms: Any,
) -> Contract:
    """A directly awarded contract, its milestones set and (if `sign_on`) signed."""
    contract = services.contract_create(
        user=user,
        data={
            "contractor": terms.pop("contractor", None) or make_contractor(),
            "project": project,
            "governorate": subdistrict_in(governorate).governorate,
            "value": value,
            **terms,
        },
        cases=list(cases),
        reason="Emergency repairs before winter",
    )
    if milestones is not None:
        services.milestones_set(
            user=user,
            contract=contract,
            milestones=[{"name": n, "percent": p, "due_on": d} for n, p, d in milestones],
        )
    if sign_on is not None:
        services.contract_sign(user=user, contract=contract, signed_on=sign_on)
    contract.refresh_from_db()
    return contract


FORTY_SIXTY = [
    ("Structural works", "40", datetime.date(2026, 3, 1)),
    ("Completion", "60", datetime.date(2026, 4, 1)),
]

"""Records for the works and overview tests. Upgrades and roads go through the services;
assessments, cases and contracts (other parts) are created directly with the ORM."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from sanad.camps.models import Allocation, Plot, Site
from sanad.programmes.models import Project
from sanad.shelter.models import (
    Assessment,
    Contract,
    ContractMilestone,
    Contractor,
    Property,
    RehabCase,
)
from sanad.shelter.models.works import RoadProject, SiteUpgrade
from sanad.shelter.services import works as services
from tests.camps.factories import make_site
from tests.factories import DUHOK, ProgrammeFactory, ProjectFactory, make_user, subdistrict_in

_n = itertools.count(1)
START = datetime.date(2025, 1, 1)


def shelter_project(code: str | None = None, programme: str = "SHELTER", **kwargs: Any) -> Project:
    kwargs.setdefault("start_date", START)
    kwargs.setdefault("end_date", datetime.date(2030, 12, 31))
    return ProjectFactory(
        programme=ProgrammeFactory(code=programme),
        code=code or f"SHL-T-{next(_n):04d}",
        **kwargs,
    )


def works_officer(governorates: tuple[str, ...] = (DUHOK,), programmes: Any = ("SHELTER",)) -> Any:
    return make_user("programme_officer", governorates=governorates, programmes=programmes)


def resident(site: Site, *, plot_code: str | None = None, governorate: str | None = None) -> Any:
    """A household living on the site now (on a new plot)."""
    from tests.registry.factories import make_household

    household = make_household(governorate=governorate or site.governorate.pcode, members=4)
    plot = Plot.objects.create(site=site, code=plot_code or f"P-{next(_n)}")
    Allocation.objects.create(site=site, plot=plot, household=household, started_on=START)
    return household


def make_upgrade(
    *,
    user: Any,
    site: Site | None = None,
    project: Project | None = None,
    start: bool = False,
    **data: Any,
) -> SiteUpgrade:
    site = site or make_site(governorate=DUHOK)
    values = {
        "kind": "sealing_off",
        "project": project or shelter_project(),
        "planned_households": 4,
        "budget": "8000",
        "currency": "USD",
        **data,
    }
    upgrade = services.upgrade_create(user=user, site=site, data=values)
    if start:
        services.upgrade_start(user=user, upgrade=upgrade, started_on=START)
    return upgrade


def make_road(
    *, user: Any, project: Project | None = None, start: bool = False, **data: Any
) -> RoadProject:
    from sanad.geo.models import AdminUnit

    values = {
        "name": f"Road {next(_n)}",
        "governorate": AdminUnit.objects.get(pcode=DUHOK),
        "project": project or shelter_project(),
        "length_m": "800",
        "surface": "gravel",
        "budget": "40000",
        **data,
    }
    road = services.road_create(user=user, data=values)
    if start:
        services.road_start(user=user, road=road, started_on=START)
    return road


def make_assessment(
    *,
    project: Project,
    governorate: str = DUHOK,
    status: str = Assessment.Status.VALIDATED,
    engineer: Any = None,
) -> Assessment:
    unit = subdistrict_in(governorate)
    prop = Property.objects.create(
        address=f"House {next(_n)}",
        admin_unit=unit,
        governorate=unit.governorate,
        tenure=Property.Tenure.OWNER,
    )
    return Assessment.objects.create(
        reference=f"SA-T-{next(_n):05d}",
        property=prop,
        programme=project.programme,
        project=project,
        governorate=unit.governorate,
        assessed_on=START,
        engineer=engineer or make_user("shelter_engineer"),
        damage="severe",
        occupants=5,
        status=status,
    )


def make_case(
    *,
    project: Project,
    governorate: str = DUHOK,
    modality: str = RehabCase.Modality.DIRECT,
    status: str = RehabCase.Status.OPEN,
    budget: Any = "5000",
    actual_cost: Any = None,
    area: Any = "40",
    occupants: int = 5,
    planned_end: datetime.date | None = None,
    below_standard: bool = False,
    currency: str = "USD",
) -> RehabCase:
    assessment = make_assessment(project=project, governorate=governorate)
    return RehabCase.objects.create(
        reference=f"SC-T-{next(_n):05d}",
        assessment=assessment,
        property=assessment.property,
        programme=project.programme,
        project=project,
        governorate=assessment.governorate,
        modality=modality,
        status=status,
        budget=Decimal(str(budget)),
        actual_cost=Decimal(str(actual_cost)) if actual_cost is not None else None,
        currency=currency,
        occupants_after=occupants,
        covered_area_after_m2=Decimal(str(area)),
        below_standard=below_standard,
        planned_end=planned_end,
    )


def make_contract(
    *, project: Project, governorate: str = DUHOK, status: str = Contract.Status.ACTIVE
) -> Contract:
    from sanad.geo.models import AdminUnit

    return Contract.objects.create(
        reference=f"SW-T-{next(_n):05d}",
        contractor=Contractor.objects.create(name=f"Builder {next(_n)}"),
        programme=project.programme,
        project=project,
        governorate=AdminUnit.objects.get(pcode=governorate),
        value=Decimal("100000"),
        status=status,
    )


def make_contract_milestone(
    contract: Contract, *, due_on: datetime.date, status: str = "pending", sequence: int = 1
) -> ContractMilestone:
    return ContractMilestone.objects.create(
        contract=contract,
        sequence=sequence,
        name=f"Milestone {sequence}",
        percent=Decimal("50"),
        due_on=due_on,
        status=status,
    )

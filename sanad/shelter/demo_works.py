"""Demo data of the works part (`sanad seed_demo`, after the camps demos and the other
shelter parts): critical-shelter upgrades on two Duhok camps — sealing-off kits under
way with the households reached written to the ledger, latrines completed, electrical
rewiring planned and already late — and camp roads: a gravel road in progress with
three progress reports, a completed concrete road and an access road in Ninewa planned
(under a works contract of the project when the contracts demo made one).

Everything goes through the services as the shelter officer. Deterministic; idempotent
(nothing is added when the project already has upgrades)."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.camps.models import Allocation, Site
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import Contract
from sanad.shelter.models.works import RoadProject, SiteUpgrade
from sanad.shelter.services import works as services

PROJECT = "SHL-ECHO-2026-02"


def _days(today: datetime.date, n: int) -> datetime.date:
    return today - datetime.timedelta(days=n)


def _sites_with_residents(limit: int = 2) -> list[Site]:
    """Duhok sites with the most households living there now."""
    from django.db.models import Count, Q

    return list(
        Site.objects.filter(governorate__pcode="IQG09")
        .annotate(n=Count("allocations", filter=Q(allocations__ended_on__isnull=True)))
        .filter(n__gt=0)
        .select_related("place")
        .order_by("-n", "place__name_en")[:limit]
    )


def _residents(site: Site, n: int, skip: int = 0) -> list[Any]:
    rows = (
        Allocation.objects.filter(site=site, ended_on__isnull=True, household__status="active")
        .select_related("household")
        .order_by("plot__code", "household__registration_id")[skip : skip + n]
    )
    return [a.household for a in rows]


def _contract(shared: dict[str, Any], project: Project) -> Contract | None:
    for contract in shared.get("contracts") or []:
        if (
            isinstance(contract, Contract)
            and contract.project_id == project.pk
            and contract.status != Contract.Status.TERMINATED
        ):
            return contract
    return None


def seed(*, users: dict[str, Any], today: datetime.date, **shared: Any) -> dict[str, Any]:
    project = Project.objects.filter(code=PROJECT).first()
    officer = users.get("shelter.officer") or users.get("admin")
    if project is None or officer is None:
        return {}
    existing = list(SiteUpgrade.objects.filter(project=project))
    if existing:
        return {"upgrades": existing, "roads": list(RoadProject.objects.filter(project=project))}
    sites = _sites_with_residents()
    upgrades: list[SiteUpgrade] = []
    roads: list[RoadProject] = []
    start = max(_days(today, 75), project.start_date)

    if sites:
        first = sites[0]
        second = sites[1] if len(sites) > 1 else first
        # Sealing-off kits before winter: under way, most households reached.
        kits = services.upgrade_create(
            user=officer,
            site=first,
            data={
                "kind": SiteUpgrade.Kind.SEALING_OFF,
                "project": project,
                "planned_households": 30,
                "budget": "9000",
                "currency": "USD",
                "planned_start": start,
                "planned_end": today + datetime.timedelta(days=20),
                "description": "Plastic sheeting, timber and fixings to seal tents and "
                "unfinished shelters before winter.",
            },
        )
        services.upgrade_start(user=officer, upgrade=kits, started_on=start)
        households = _residents(first, 20)
        for i in range(0, len(households), 5):
            services.upgrade_households_record(
                user=officer,
                upgrade=kits,
                households=households[i : i + 5],
                delivered_on=min(today, start + datetime.timedelta(days=7 + i * 2)),
            )
        upgrades.append(kits)

        # Latrines rehabilitated: finished.
        latrines = services.upgrade_create(
            user=officer,
            site=second,
            data={
                "kind": SiteUpgrade.Kind.LATRINES,
                "project": project,
                "planned_households": 8,
                "budget": "12000",
                "currency": "USD",
                "planned_start": start,
                "planned_end": _days(today, 20),
            },
        )
        services.upgrade_start(user=officer, upgrade=latrines, started_on=start)
        reached = _residents(second, 8, skip=20 if second == first else 0)
        if reached:
            services.upgrade_households_record(
                user=officer,
                upgrade=latrines,
                households=reached,
                delivered_on=_days(today, 25),
            )
            services.upgrade_complete(
                user=officer, upgrade=latrines, completed_on=_days(today, 24), spent="11640"
            )
        upgrades.append(latrines)

        # Electrical rewiring: still waiting for its start, past the planned end.
        upgrades.append(
            services.upgrade_create(
                user=officer,
                site=first,
                data={
                    "kind": SiteUpgrade.Kind.ELECTRICAL,
                    "project": project,
                    "planned_households": 40,
                    "budget": "16000",
                    "currency": "USD",
                    "planned_start": _days(today, 60),
                    "planned_end": _days(today, 5),
                    "description": "Replace exposed wiring and add breakers, blocks C and D.",
                },
            )
        )

        # Camp roads on the two sites.
        gravel = services.road_create(
            user=officer,
            data={
                "name": f"Main access road, {first.place.name_en}",
                "site": first,
                "project": project,
                "length_m": "1200",
                "width_m": "6",
                "surface": RoadProject.Surface.GRAVEL,
                "budget": "48000",
                "currency": "USD",
                "planned_start": start,
                "planned_end": _days(today, 3),
            },
        )
        services.road_start(user=officer, road=gravel, started_on=start)
        for days, done, spent in ((50, "300", "11000"), (30, "650", "25500"), (8, "800", "31000")):
            services.road_progress_report(
                user=officer,
                road=gravel,
                data={
                    "reported_on": max(start, _days(today, days)),
                    "length_done_m": done,
                    "spent_to_date": spent,
                    "note": "Sub-base compacted, gravel layer laid.",
                },
            )
        roads.append(gravel)
        concrete = services.road_create(
            user=officer,
            data={
                "name": f"Drainage-side road, {second.place.name_en}",
                "site": second,
                "project": project,
                "length_m": "350",
                "width_m": "4.5",
                "surface": RoadProject.Surface.CONCRETE,
                "budget": "26000",
                "currency": "USD",
                "planned_start": start,
                "planned_end": _days(today, 10),
            },
        )
        services.road_start(user=officer, road=concrete, started_on=start)
        services.road_progress_report(
            user=officer,
            road=concrete,
            data={
                "reported_on": _days(today, 40),
                "length_done_m": "200",
                "spent_to_date": "14000",
            },
        )
        services.road_complete(
            user=officer, road=concrete, completed_on=_days(today, 12), spent="25100"
        )
        roads.append(concrete)

    ninewa = AdminUnit.objects.filter(pcode="IQG15").first()
    if ninewa is not None:
        roads.append(
            services.road_create(
                user=officer,
                data={
                    "name": "Access road to the returnee neighbourhood, Bartella",
                    "governorate": ninewa,
                    "project": project,
                    "length_m": "2500",
                    "width_m": "7",
                    "surface": RoadProject.Surface.ASPHALT,
                    "budget": "210000",
                    "currency": "USD",
                    "contract": _contract(shared, project),
                    "planned_start": today + datetime.timedelta(days=15),
                    "planned_end": today + datetime.timedelta(days=120),
                },
            )
        )
    return {"upgrades": upgrades, "roads": roads}

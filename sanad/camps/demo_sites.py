"""Sites in the demo dataset (`sanad seed_demo`), the first of the camps demos:

- a site on every formal camp, informal site and collective centre of the demo places,
  with its managing agency, authority, capacity and, for informal sites and collective
  centres, the land tenure, eviction risk and shelters by type;
- plots on the Duhok camps (Domiz 1 and 2, Kabarto 1 and 2, Khanke, Sharya) and the
  registry's households living there allocated to them, arrivals spread over the last
  months and a few departures;
- six months of population computed from the registry for every site, and a count made
  on site at the Zakho riverside informal settlement;
- a consolidation of Kabarto 2 into Kabarto 1, approved and under way: households
  added from the site, destinations and dates set, a few already moved, one staying.

`seed(*, sites, users, today)` fills `sites` (by place code) and returns it; the other
camps demos receive it. Idempotent: sites that exist are reused, plots, allocations and
plans are only made the first time."""

from __future__ import annotations

import datetime
import random
from typing import Any

from sanad.accounts.models import Organisation
from sanad.camps.models import Allocation, ClosurePlan, Plot, Site
from sanad.camps.services import closure as closure_services
from sanad.camps.services import sites as services
from sanad.geo.models import Place
from sanad.registry.models import Household

# place code: (plots, sector letters, opened on)
CAMPS = {
    "DHK-DMZ1": (360, "ABCDEF", datetime.date(2012, 4, 1)),
    "DHK-DMZ2": (240, "ABCD", datetime.date(2014, 9, 1)),
    "DHK-KBR1": (200, "ABCD", datetime.date(2014, 8, 20)),
    "DHK-KBR2": (120, "AB", datetime.date(2014, 9, 10)),
    "DHK-KHN": (300, "ABCDE", datetime.date(2014, 8, 15)),
    "DHK-SHR": (180, "ABC", datetime.date(2014, 10, 1)),
}
CONSOLIDATE, INTO = "DHK-KBR2", "DHK-KBR1"
MONTHS = 6


def _org(acronym: str) -> Organisation | None:
    return Organisation.objects.filter(acronym=acronym).first()


def _site_profile(place: Place) -> dict[str, Any]:
    agency = _org("Harikar") if place.code.startswith("DHK") else _org("IOM")
    authority = _org("BRHA") if place.code.startswith("DHK") else _org("JCC")
    data: dict[str, Any] = {"managing_agency": agency, "authority": authority}
    if place.kind == Place.Kind.FORMAL_CAMP:
        plots, _sectors, opened = CAMPS.get(place.code, (150, "AB", datetime.date(2015, 1, 1)))
        data.update(capacity_plots=plots, capacity_shelters=plots, opened_on=opened)
        if place.status == Place.Status.CLOSED:
            data["closed_on"] = datetime.date(2024, 6, 30)
        data["tenure"] = Site.Tenure.PUBLIC
        data["shelter_types"] = {"tent": plots // 3, "caravan": plots - plots // 3}
    elif place.kind == Place.Kind.INFORMAL_SITE:
        data.update(
            capacity_shelters=60,
            tenure=Site.Tenure.PRIVATE,
            eviction_risk=Site.Risk.HIGH,
            shelter_types={"makeshift": 34, "tent": 18, "unfinished_building": 6},
            services_notes="Water trucking twice a week; no latrines on site; "
            "children walk 3 km to school.",
        )
    else:
        data.update(
            capacity_shelters=40,
            tenure=Site.Tenure.PUBLIC,
            eviction_risk=Site.Risk.MEDIUM,
            shelter_types={"classroom": 22, "unfinished_building": 8},
            services_notes="Shared latrines per floor; electricity from the public grid.",
        )
    return data


def _sites(admin: Any, sites: dict[str, Site]) -> dict[str, Site]:
    for place in Place.objects.filter(kind__in=services.SITE_KINDS).select_related(
        "admin_unit__governorate"
    ):
        existing = Site.objects.filter(place=place).first()
        if existing is None:
            existing = services.site_create(user=admin, place=place, data=_site_profile(place))
        sites.setdefault(place.code or str(place.public_id), existing)
    return sites


def _months_back(today: datetime.date, n: int) -> datetime.date:
    first = today.replace(day=1)
    for _ in range(n):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def _plots_and_allocations(
    manager: Any, sites: dict[str, Site], today: datetime.date, rnd: random.Random
) -> int:
    made = 0
    start = _months_back(today, MONTHS)
    for code, (count, sectors, _opened) in CAMPS.items():
        site = sites.get(code)
        if site is None or site.plots.exists():
            continue
        per_sector = max(1, count // len(sectors))
        for letter in sectors:
            services.plots_bulk_add(
                user=manager,
                site=site,
                codes=f"{letter}-1..{letter}-{per_sector}",
                sector=letter,
                kind=Plot.Kind.PLOT if code.startswith("DHK-DMZ") else Plot.Kind.SHELTER,
            )
        plots = list(site.plots.order_by("id"))
        households = list(
            Household.objects.filter(place=site.place, status=Household.Status.ACTIVE).order_by(
                "created_at"
            )[: len(plots)]
        )
        for n, (household, plot) in enumerate(zip(households, plots, strict=False)):
            # Most families have lived there for years; some arrived in the last months.
            if n % 5 == 0:
                started = start + datetime.timedelta(days=rnd.randrange(0, (today - start).days))
            else:
                started = datetime.date(2019, 1, 1) + datetime.timedelta(
                    days=rnd.randrange(0, 1500)
                )
            allocation = services.allocation_start(
                user=manager, site=site, household=household, plot=plot, started_on=started
            )
            made += 1
            if n % 17 == 3:
                left = max(started, today - datetime.timedelta(days=rnd.randrange(5, 150)))
                services.allocation_end(
                    user=manager,
                    allocation=allocation,
                    ended_on=left,
                    reason=rnd.choice(
                        [
                            "Returned to Sinjar",
                            "Moved to Duhok city (rented)",
                            "Family reunification",
                        ]
                    ),
                )
    return made


def _population(manager: Any, sites: dict[str, Site], today: datetime.date) -> None:
    for site in {s.pk: s for s in sites.values()}.values():
        for back in range(MONTHS, -1, -1):
            services.population_compute(site=site, month=_months_back(today, back))
    informal = Site.objects.filter(place__kind=Place.Kind.INFORMAL_SITE, governorate__pcode="IQG09")
    for site in informal[:1]:
        month = _months_back(today, 1)
        services.population_record_manual(
            user=manager,
            site=site,
            month=month,
            households=47,
            individuals=251,
            by_sex_age={
                "female": {"0-5": 24, "6-17": 38, "18-59": 55, "60+": 9},
                "male": {"0-5": 26, "6-17": 40, "18-59": 51, "60+": 8},
            },
            arrivals=3,
            departures=5,
        )


def _consolidation(manager: Any, sites: dict[str, Site], today: datetime.date) -> None:
    site, into = sites.get(CONSOLIDATE), sites.get(INTO)
    if site is None or into is None or ClosurePlan.objects.filter(site=site).exists():
        return
    plan = closure_services.closure_create(
        user=manager,
        site=site,
        kind=ClosurePlan.Kind.CONSOLIDATION,
        target_date=today + datetime.timedelta(days=60),
        reason="Kabarto 2 is half empty after returns to Sinjar; its families move to free "
        "plots in Kabarto 1 so that services can be concentrated there.",
    )
    closure_services.closure_households_add_from_site(user=manager, plan=plan)
    rows = list(plan.households.order_by("id"))
    for n, row in enumerate(rows):
        closure_services.closure_household_update(
            user=manager,
            row=row,
            destination=into.place,
            move_on=today + datetime.timedelta(days=7 * (n // 10) - 14),
        )
    closure_services.closure_transition(user=manager, plan=plan, to=ClosurePlan.Status.APPROVED)
    closure_services.closure_transition(user=manager, plan=plan, to=ClosurePlan.Status.IN_PROGRESS)
    for n, row in enumerate(rows[:12]):
        if n == 5:
            closure_services.closure_household_update(
                user=manager,
                row=row,
                status="staying",
                note="Household member in hospital in Duhok; will move after discharge.",
            )
        else:
            closure_services.closure_household_update(user=manager, row=row, status="moved")


def seed(
    *, sites: dict[str, Any], users: dict[str, Any], today: datetime.date, stdout: Any = None
) -> dict[str, Any]:
    """Seed the sites demo; `users` by demo user name (admin, camp.manager)."""
    admin = users.get("admin") or users.get("imo")
    manager = users.get("camp.manager") or admin
    if admin is None:
        return sites
    first_time = not Site.objects.exists()
    _sites(admin, sites)
    if not first_time and Allocation.objects.exists():
        return sites
    rnd = random.Random(9)
    made = _plots_and_allocations(manager, sites, today, rnd)
    _population(manager, sites, today)
    _consolidation(manager, sites, today)
    if stdout is not None:
        stdout.write(f"Camps: {len(sites)} sites, {made} households allocated to plots.")
    return sites

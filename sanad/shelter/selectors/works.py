"""Reads of site upgrades and road projects, always inside the user's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from sanad.camps.models import Allocation, Site
from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.programmes.models import Project
from sanad.shelter.models import MANAGE_WORKS, VIEW, Contract
from sanad.shelter.models.works import (
    RoadProgress,
    RoadProject,
    SiteUpgrade,
    UpgradeHousehold,
    WorkStatus,
)
from sanad.shelter.services._common import today

OPEN_WORKS = (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS)


def works_delayed_q(on: datetime.date | None = None) -> Q:
    """Upgrades and roads whose planned end has passed and that are not completed."""
    return Q(planned_end__lt=on or today(), status__in=OPEN_WORKS)


def _delayed(on: datetime.date) -> Case:
    return Case(
        When(works_delayed_q(on), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def upgrades_for(user: Any, permission: str | None = None) -> QuerySet[SiteUpgrade]:
    """The upgrades `user` may see, with `reached` (households) and `is_delayed`."""
    reached = (
        UpgradeHousehold.objects.filter(upgrade=OuterRef("pk"))
        .order_by()
        .values("upgrade")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        scoped(SiteUpgrade.objects.all(), user, permission or VIEW)
        .select_related("site__place", "project", "governorate", "contract")
        .annotate(
            reached=Coalesce(Subquery(reached, output_field=IntegerField()), Value(0)),
            is_delayed=_delayed(today()),
        )
    )


def upgrade_get(*, user: Any, public_id: Any, permission: str | None = None) -> SiteUpgrade:
    upgrade = upgrades_for(user, permission).filter(public_id=public_id).first()
    if upgrade is None:
        raise NotFound()
    return upgrade


def percent(part: Any, whole: Any) -> int:
    """A whole percentage, at most 100 (nothing planned: 0)."""
    if not whole:
        return 0
    return min(100, int(Decimal(part or 0) * 100 / Decimal(whole)))


def upgrade_progress(upgrade: SiteUpgrade) -> int:
    reached = getattr(upgrade, "reached", None)
    if reached is None:
        reached = upgrade.households.count()
    return percent(reached, upgrade.planned_households)


def households_reached(upgrade: SiteUpgrade) -> QuerySet[UpgradeHousehold]:
    return UpgradeHousehold.objects.filter(upgrade=upgrade).select_related(
        "household", "plot", "delivered_by"
    )


def residents_not_reached(upgrade: SiteUpgrade, limit: int = 500) -> list[Allocation]:
    """The site's current residents the upgrade has not reached yet (to tick)."""
    done = UpgradeHousehold.objects.filter(upgrade=upgrade).values("household_id")
    return list(
        Allocation.objects.filter(site_id=upgrade.site_id, ended_on__isnull=True)
        .exclude(household_id__in=done)
        .select_related("household", "plot")
        .order_by("plot__code", "household__registration_id")[:limit]
    )


def roads_for(user: Any, permission: str | None = None) -> QuerySet[RoadProject]:
    """The road projects `user` may see, with `is_delayed` and the last report's date."""
    last = RoadProgress.objects.filter(road=OuterRef("pk")).order_by("-reported_on", "-id")
    return (
        scoped(RoadProject.objects.all(), user, permission or VIEW)
        .select_related("site__place", "project", "governorate", "contract")
        .annotate(
            is_delayed=_delayed(today()),
            last_report_on=Subquery(last.values("reported_on")[:1]),
        )
    )


def road_get(*, user: Any, public_id: Any, permission: str | None = None) -> RoadProject:
    road = roads_for(user, permission).filter(public_id=public_id).first()
    if road is None:
        raise NotFound()
    return road


def road_reports(road: RoadProject) -> QuerySet[RoadProgress]:
    return RoadProgress.objects.filter(road=road).select_related("reported_by")


def sites_for_works(user: Any) -> QuerySet[Site]:
    """The sites where `user` may plan works."""
    return scoped(Site.objects.select_related("place"), user, MANAGE_WORKS).order_by(
        "place__name_en"
    )


def projects_for_works(user: Any) -> QuerySet[Project]:
    """Active or planned projects of the programmes `user` may plan works for."""
    return (
        scoped(Project.objects.select_related("programme"), user, MANAGE_WORKS)
        .exclude(status=Project.Status.CLOSED)
        .order_by("code")
    )


def contracts_for_works(user: Any) -> QuerySet[Contract]:
    return (
        scoped(Contract.objects.select_related("contractor", "project"), user, VIEW)
        .exclude(status=Contract.Status.TERMINATED)
        .order_by("-created_at")
    )

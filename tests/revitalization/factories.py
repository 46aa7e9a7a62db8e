"""Building revitalization records directly for tests (behaviour is tested through the
services). Every part's tests share these; a part may add its own `make_*` in its own
test module."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sanad.programmes.models import Programme
from sanad.revitalization.models import (
    Community,
    CommunityAssessment,
    Course,
    GrantCall,
    InfrastructureProject,
    ScoringCriterion,
    TrainingProvider,
)
from tests.factories import DUHOK, ProgrammeFactory, ProjectFactory, subdistrict_in, unit

_n = iter(range(1, 10**9))


def crp() -> Programme:
    return ProgrammeFactory(code="CRP")


def crp_project(**kwargs: Any) -> Any:
    return ProjectFactory(programme=crp(), **kwargs)


def make_community(*, governorate: str = DUHOK, **kwargs: Any) -> Community:
    n = next(_n)
    kwargs.setdefault("code", f"COM-T-{n:05d}")
    kwargs.setdefault("name", f"Community {n}")
    kwargs.setdefault("population", 5000)
    kwargs.setdefault("admin_unit", subdistrict_in(governorate))
    return Community.objects.create(programme=crp(), governorate=unit(governorate), **kwargs)


def make_assessment(*, community: Community | None = None, **kwargs: Any) -> CommunityAssessment:
    community = community or make_community()
    n = next(_n)
    kwargs.setdefault("reference", f"CBA-T-{n:05d}")
    kwargs.setdefault("held_on", datetime.date(2026, 3, 1))
    return CommunityAssessment.objects.create(
        community=community,
        programme=community.programme,
        governorate=community.governorate,
        **kwargs,
    )


def make_project(*, community: Community | None = None, **kwargs: Any) -> InfrastructureProject:
    community = community or make_community()
    n = next(_n)
    kwargs.setdefault("reference", f"INF-T-{n:05d}")
    kwargs.setdefault("title", f"Water network {n}")
    kwargs.setdefault("kind", "water_network")
    kwargs.setdefault("budget", Decimal("120000"))
    kwargs.setdefault("currency", "USD")
    kwargs.setdefault("exchange_rate", Decimal("1310"))
    return InfrastructureProject.objects.create(
        community=community,
        programme=community.programme,
        governorate=community.governorate,
        **kwargs,
    )


def make_call(
    *,
    governorate: str = DUHOK,
    criteria: tuple[tuple[str, str], ...] = (("Viability", "60"), ("Vulnerability", "40")),
    **kwargs: Any,
) -> GrantCall:
    n = next(_n)
    kwargs.setdefault("reference", f"GRC-T-{n:05d}")
    kwargs.setdefault("title", f"Small business grants {n}")
    kwargs.setdefault("project", crp_project())
    kwargs.setdefault("opens_on", datetime.date(2026, 2, 1))
    kwargs.setdefault("closes_on", datetime.date(2026, 3, 1))
    kwargs.setdefault("currency", "USD")
    kwargs.setdefault("exchange_rate", Decimal("1310"))
    kwargs.setdefault("amount_min", Decimal("1000"))
    kwargs.setdefault("amount_max", Decimal("5000"))
    kwargs.setdefault("budget", Decimal("50000"))
    call = GrantCall.objects.create(programme=crp(), governorate=unit(governorate), **kwargs)
    for order, (name, weight) in enumerate(criteria, start=1):
        ScoringCriterion.objects.create(call=call, order=order, name=name, weight=Decimal(weight))
    return call


def make_provider(**kwargs: Any) -> TrainingProvider:
    n = next(_n)
    kwargs.setdefault("name", f"Vocational centre {n}")
    kwargs.setdefault("kind", "vocational_centre")
    return TrainingProvider.objects.create(**kwargs)


def make_course(*, governorate: str = DUHOK, **kwargs: Any) -> Course:
    n = next(_n)
    kwargs.setdefault("reference", f"CRS-T-{n:05d}")
    kwargs.setdefault("title", f"Plumbing {n}")
    kwargs.setdefault("trade", "plumbing")
    kwargs.setdefault("provider", make_provider())
    kwargs.setdefault("starts_on", datetime.date(2026, 4, 1))
    kwargs.setdefault("ends_on", datetime.date(2026, 5, 31))
    kwargs.setdefault("planned_sessions", 10)
    kwargs.setdefault("capacity", 20)
    return Course.objects.create(programme=crp(), governorate=unit(governorate), **kwargs)

"""Demo scheduled exports: the mission's 4W of last month, shared (CSV with HXL
hashtags), on the 2nd of each month; and the quarterly donor report of an NFI demo
project. Made through the service as `user` (the demo's M&E viewer), so they run with
that person's reach. Idempotent: a schedule of the same name by the same person is left
as it is."""

from __future__ import annotations

from typing import Any

from sanad.core.context import acting_as
from sanad.reporting.models import ScheduledExport
from sanad.reporting.services.schedules import schedule_create

MONTHLY_4W = "Monthly 4W (shared, HXL)"
DONOR = "Quarterly donor report — %s"


def seed(*, user: Any) -> None:
    from sanad.programmes.models import Project

    wanted: list[dict[str, Any]] = [
        {
            "name": MONTHLY_4W,
            "kind": ScheduledExport.Kind.FOUR_W,
            "format": "hxl-csv",
            "frequency": ScheduledExport.Frequency.MONTHLY,
            "day_of_month": 2,
            "shared": True,
        }
    ]
    project = (
        Project.objects.filter(programme__code="NFI")
        .exclude(status=Project.Status.CLOSED)
        .order_by("code")
        .first()
    )
    if project is not None:
        wanted.append(
            {
                "name": DONOR % project.code,
                "kind": ScheduledExport.Kind.DONOR,
                "format": "xlsx",
                "frequency": ScheduledExport.Frequency.QUARTERLY,
                "day_of_month": 5,
                "project": project,
                "shared": True,
            }
        )
    with acting_as(user, source="command"):
        for data in wanted:
            if ScheduledExport.objects.filter(name=data["name"], created_by=user).exists():
                continue
            schedule_create(user=user, data=data)

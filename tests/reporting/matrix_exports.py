"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
exports part: the 3W/4W/5W exports page (GET, and POST starting a job) and scheduled
exports (list, new, edit, pause/resume):

    from tests.reporting.matrix_exports import exports_checks, exports_world
    # in the world fixture:   extras={"reporting_exports": exports_world(), ...}
    # in checks_for:          *exports_checks(role, w.extras["reporting_exports"],
    #                                         Check, can, allowed, HIDDEN),

A schedule belongs to the person who made it. The world holds one made by someone else:
a role with the export permission does not see it in the list and gets 404 on its pages
(edit, pause); holders of core.view_all_jobs (information management, who see every
job) see and may change every schedule. A role without the export permission gets 403
everywhere. The exports page's POST starts a job (302 to the job's page)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

EXPORT, ALL_JOBS = "reporting.export_reports", "core.view_all_jobs"
OTHERS = "Matrix schedule of someone else"


def exports_world() -> dict[str, Any]:
    from sanad.reporting.models import ScheduledExport
    from tests.factories import UserFactory

    schedule = ScheduledExport.objects.create(
        name=OTHERS,
        kind=ScheduledExport.Kind.FOUR_W,
        format="hxl-csv",
        frequency=ScheduledExport.Frequency.MONTHLY,
        day_of_month=2,
        next_run_on=datetime.date(2026, 5, 2),
        created_by=UserFactory(),
    )
    return {"schedule": schedule}


def exports_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    export, all_jobs = can(role, EXPORT), can(role, ALL_JOBS)
    url = lambda name, *args: reverse(f"reporting:{name}", args=args)  # noqa: E731
    other = world["schedule"].public_id
    others_page = {200} if export and all_jobs else ({404} if export else hidden)
    others_toggle = {302} if export and all_jobs else ({404} if export else hidden)
    return [
        Check("reporting:exports", "get", url("exports"), allowed(export)),
        Check(
            "reporting:exports post",
            "post",
            url("exports"),
            allowed(export, ok_codes={302}),
            {
                "start": "2026-01",
                "end": "2026-02",
                "format": "hxl-csv",
                "governorate": "",
                "programme": "",
                "project": "",
                "shared": "on",
                "key": f"matrix-{role}",
            },
        ),
        Check(
            "reporting:schedules",
            "get",
            url("schedules"),
            allowed(export),
            absent=None if all_jobs else OTHERS,
        ),
        Check("reporting:schedule_create", "get", url("schedule_create"), allowed(export)),
        Check(
            "reporting:schedule_create post",
            "post",
            url("schedule_create"),
            allowed(export, ok_codes={400}),
            {"name": "", "kind": "4w", "format": "pdf", "frequency": "monthly"},
        ),
        Check("reporting:schedule_edit other", "get", url("schedule_edit", other), others_page),
        Check(
            "reporting:schedule_toggle other",
            "post",
            url("schedule_toggle", other),
            others_toggle,
        ),
    ]

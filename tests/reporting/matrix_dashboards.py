"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
dashboards part: the mission overview (the page and a chart's CSV), a programme's
dashboard (in and out of the users' programme scope), "Refresh now" and the figures API:

    from tests.reporting.matrix_dashboards import dashboards_checks, dashboards_world
    # in the world fixture:   extras={"reporting_dashboards": dashboards_world(), ...}
    # in checks_for:          *dashboards_checks(role, w.extras["reporting_dashboards"],
    #                                            Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. The world records NFI deliveries
at a site in Duhok and at one in Erbil, and a Shelter delivery at another site in Duhok,
then refreshes the summary: the pages, the map's CSV and the API of a role that may see
figures (reporting.view_aggregates, or the ledger's assistance.view_assistance) name the
Duhok NFI site and neither of the others. The Shelter dashboard is out of the users'
programme scope: 404. Without either permission: 403 (404 for the Shelter dashboard is
also accepted). "Refresh now" (POST) needs reporting.manage_indicators and answers 302 to
the job's page."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

AGGREGATES, LEDGER = "reporting.view_aggregates", "assistance.view_assistance"
MANAGE = "reporting.manage_indicators"
SITE_IN = "Matrix Reach Site Duhok"
SITE_OUT_GOVERNORATE = "Matrix Reach Site Erbil"
SITE_OUT_PROGRAMME = "Matrix Reach Site Shelter"


def dashboards_world() -> dict[str, Any]:
    from sanad.assistance.services import assistance_record
    from sanad.reporting.services.summary import summary_refresh
    from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
    from tests.registry.factories import make_household

    admin = make_user("administrator")
    day = datetime.date.today() - datetime.timedelta(days=3)

    def delivery(governorate: str, site: str, programme: str) -> Any:
        place = PlaceFactory(name_en=site, admin_unit=subdistrict_in(governorate))
        household = make_household(governorate=governorate, members=2)
        return assistance_record(
            user=admin,
            household=household,
            programme=programme,
            kind="service",
            item="matrix_reach_item",
            delivered_on=day,
            place=place,
            source_type="matrix.dashboards",
            source_id=site,
        )

    records = {
        "in": delivery(DUHOK, SITE_IN, "NFI"),
        "out_governorate": delivery(ERBIL, SITE_OUT_GOVERNORATE, "NFI"),
        "out_programme": delivery(DUHOK, SITE_OUT_PROGRAMME, "SHELTER"),
    }
    summary_refresh()
    return records


def dashboards_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view = can(role, AGGREGATES) or can(role, LEDGER)
    manage = can(role, MANAGE)
    url = lambda name, *args: reverse(f"reporting:{name}", args=args)  # noqa: E731
    api = "/api/v1/reporting/figures/"
    checks: list[Any] = []
    for absent in (SITE_OUT_GOVERNORATE, SITE_OUT_PROGRAMME):
        checks += [
            Check("reporting:dashboard", "get", url("dashboard"), allowed(view), absent=absent),
            Check(
                "reporting:dashboard csv",
                "get",
                url("dashboard") + "?download=map",
                allowed(view),
                absent=absent,
            ),
            Check(
                "reporting:programme_dashboard in",
                "get",
                url("programme_dashboard", "NFI"),
                allowed(view),
                absent=absent,
            ),
            Check(
                "reporting-figures-list",
                "get",
                f"{api}?by=place",
                allowed(view),
                api=True,
                absent=absent,
            ),
        ]
    checks += [
        Check(
            "reporting:programme_dashboard out",
            "get",
            url("programme_dashboard", "SHELTER"),
            {404} if view else hidden,
        ),
        Check(
            "reporting:refresh",
            "post",
            url("refresh"),
            allowed(manage, ok_codes={302}),
            {"idempotency_key": "6f1c3c55-7a43-4d4e-9a3e-0c7d1e6f2a11"},
        ),
    ]
    return checks

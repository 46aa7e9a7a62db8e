"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for
indicators and targets: the indicator list, an indicator's page, defining and editing
one, activating and deactivating it, achieved against targets (page and CSV), and the
API (`reporting/indicators/`, `reporting/targets/`):

    from tests.reporting.matrix_indicators import indicators_checks, indicators_world
    # in the world fixture:   extras={"reporting_indicators": indicators_world(), ...}
    # in checks_for:          *indicators_checks(role, w.extras["reporting_indicators"],
    #                                            Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. The "in" indicator and project
belong to NFI, the "out" ones to SHELTER (out of the users' programme scope: 404 for a
role holding the permission, and absent from lists); the "wide" indicator has no
programme: every role with aggregate figures sees it, but only a role covering every
programme may change it (so 404 to edit it here). Writes are checked on out-of-scope
records only (404, nothing changes); tests/reporting checks the writes that succeed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse

AGGREGATES = "reporting.view_aggregates"
MANAGE = "reporting.manage_indicators"
CODE_IN, CODE_OUT, CODE_WIDE = "mtx_ind_in", "mtx_ind_out", "mtx_ind_wide"
PROJECT_IN, PROJECT_OUT = "MTX-IND-IN", "MTX-IND-OUT"


def indicators_world() -> dict[str, Any]:
    from sanad.programmes.models import Programme
    from sanad.reporting.models import Indicator
    from tests.factories import ActivityFactory, ProjectFactory, TargetFactory

    nfi = Programme.objects.get(code="NFI")
    shelter = Programme.objects.get(code="SHELTER")

    def indicator(code: str, programme: Any) -> Indicator:
        return Indicator.objects.create(
            code=code,
            name_en=f"Matrix {code}",
            definition="Households reached, for the matrix.",
            measure="households",
            programme=programme,
        )

    def project(code: str, programme: Any, indicator_code: str) -> Any:
        made = ProjectFactory(programme=programme, code=code)
        TargetFactory(
            activity=ActivityFactory(project=made),
            indicator=indicator_code,
            label=f"Target of {code}",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            value=Decimal("100"),
        )
        return made

    return {
        "in": indicator(CODE_IN, nfi),
        "out": indicator(CODE_OUT, shelter),
        "wide": indicator(CODE_WIDE, None),
        "project_in": project(PROJECT_IN, nfi, CODE_IN),
        "project_out": project(PROJECT_OUT, shelter, CODE_OUT),
    }


def indicators_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, AGGREGATES), can(role, MANAGE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"reporting:{name}", args=args)  # noqa: E731
    i_in, i_out, i_wide = (world[k].public_id for k in ("in", "out", "wide"))
    api = "/api/v1/reporting"
    return [
        Check("reporting:indicators", "get", url("indicators"), allowed(view), absent=CODE_OUT),
        Check(
            "reporting:indicators inactive",
            "get",
            url("indicators") + "?inactive=1&from=2026-01&to=2026-12",
            allowed(view),
            absent=CODE_OUT,
        ),
        Check(
            "reporting:indicator_detail in",
            "get",
            url("indicator_detail", i_in),
            allowed(view, denied=hidden),
            absent=PROJECT_OUT,
        ),
        Check(
            "reporting:indicator_detail wide",
            "get",
            url("indicator_detail", i_wide),
            allowed(view, denied=hidden),
        ),
        Check(
            "reporting:indicator_detail out",
            "get",
            url("indicator_detail", i_out),
            out404(view),
        ),
        Check("reporting:indicator_create", "get", url("indicator_create"), allowed(manage)),
        Check(
            "reporting:indicator_create out",
            "post",
            url("indicator_create"),
            allowed(manage, ok_codes={400}),
            {
                "code": "mtx_created_out",
                "name_en": "Out of scope",
                "definition": "Households of shelter.",
                "measure": "households",
                "programme": "SHELTER",
            },
        ),
        Check(
            "reporting:indicator_edit in",
            "get",
            url("indicator_edit", i_in),
            allowed(manage, denied=hidden),
        ),
        Check("reporting:indicator_edit out", "get", url("indicator_edit", i_out), out404(manage)),
        Check(
            "reporting:indicator_edit wide",
            "get",
            url("indicator_edit", i_wide),
            out404(manage),
        ),
        Check(
            "reporting:indicator_edit out-post",
            "post",
            url("indicator_edit", i_out),
            out404(manage),
            {
                "code": CODE_OUT,
                "name_en": "Changed",
                "definition": "Changed.",
                "measure": "households",
            },
        ),
        Check(
            "reporting:indicator_action out",
            "post",
            url("indicator_action", i_out, "deactivate"),
            out404(manage),
        ),
        Check(
            "reporting:targets",
            "get",
            url("targets"),
            allowed(view),
            absent=PROJECT_OUT,
        ),
        Check(
            "reporting:targets csv",
            "get",
            url("targets") + "?format=csv",
            allowed(view),
            absent=PROJECT_OUT,
        ),
        Check(
            "reporting-indicator-list",
            "get",
            f"{api}/indicators/",
            allowed(view),
            api=True,
            absent=CODE_OUT,
        ),
        Check(
            "reporting-target-list",
            "get",
            f"{api}/targets/",
            allowed(view),
            api=True,
            absent=PROJECT_OUT,
        ),
    ]

"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the donor
reports: the page listing the projects one may report on (GET, and the POST that starts
the report's job) and a project's preview:

    from tests.reporting.matrix_donor import donor_checks, donor_world
    # in the world fixture:   extras={"reporting_donor": donor_world(), ...}
    # in checks_for:          *donor_checks(role, w.extras["reporting_donor"],
    #                                       Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. The "in" project is an NFI one
and the "out" one a Shelter one. A role holding reporting.export_reports sees the "in"
project, previews it and starts its report (302 to the job page); the "out" one answers
404 and is not listed. A donor viewer sees only the projects their organisation funds:
the matrix user's organisation funds neither, so both answer 404 for them."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

EXPORT = "reporting.export_reports"
CODE_IN, CODE_OUT = "MTX-DONOR-IN", "MTX-DONOR-OUT"


def donor_world() -> dict[str, Any]:
    from tests.factories import ProgrammeFactory, ProjectFactory

    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    return {
        "in": ProjectFactory(
            programme=nfi, code=CODE_IN, title="Matrix donor in", start_date=start, end_date=end
        ),
        "out": ProjectFactory(
            programme=shelter,
            code=CODE_OUT,
            title="Matrix donor out",
            start_date=start,
            end_date=end,
        ),
    }


def donor_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    export = can(role, EXPORT)
    # Donor viewers reach only their organisation's projects (none in the matrix).
    reaches_in = export and role != "donor_viewer"
    p_in, p_out = world["in"].public_id, world["out"].public_id
    page = reverse("reporting:donor_reports")

    def post(public_id: Any) -> dict[str, str]:
        return {
            "project": str(public_id),
            "from": "2026-01",
            "to": "2026-02",
            "format": "xlsx",
            "shared": "on",
        }

    def preview(public_id: Any) -> str:
        url = reverse("reporting:donor_report_preview", args=[public_id])
        return f"{url}?from=2026-01&to=2026-02"

    return [
        Check("reporting:donor_reports", "get", page, allowed(export), absent=CODE_OUT),
        Check(
            "reporting:donor_reports in-post",
            "post",
            page,
            {302} if reaches_in else ({404} if export else hidden),
            post(p_in),
        ),
        Check(
            "reporting:donor_reports out-post",
            "post",
            page,
            {404} if export else hidden,
            post(p_out),
        ),
        Check(
            "reporting:donor_report_preview in",
            "get",
            preview(p_in),
            {200} if reaches_in else ({404} if export else hidden),
        ),
        Check(
            "reporting:donor_report_preview out",
            "get",
            preview(p_out),
            {404} if export else hidden,
        ),
    ]

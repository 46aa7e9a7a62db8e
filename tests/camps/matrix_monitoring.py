"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
camps monitoring pages and API (part B):

    from tests.camps.matrix_monitoring import monitoring_checks, monitoring_world
    # in _registry_world:   "camps_monitoring": monitoring_world(),
    # in checks_for:        *monitoring_checks(role, w.extras["camps_monitoring"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok. The round "in" is a draft on a Duhok site, the one
"out" a draft on an Erbil site. Writes are checked on out-of-scope records only (404 or
403, nothing changes); tests/camps checks the writes that succeed. Standards are not
scoped (reference data): everyone who sees sites sees them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MONITOR = "camps.view_site", "camps.record_monitoring"
MANAGE_SITE, STANDARDS = "camps.manage_site", "camps.manage_standards"
OUT_SITE = "Matrix camp outside"


def monitoring_world() -> dict[str, Any]:
    from sanad.camps.models import MonitoringRound, Standard
    from tests.camps.factories import make_site
    from tests.camps.monitoring_factories import make_round, months_ago
    from tests.factories import ERBIL

    site_in = make_site(name="Matrix camp inside")
    site_out = make_site(name=OUT_SITE, governorate=ERBIL)
    round_out = make_round(site_out, months_ago(1))
    MonitoringRound.objects.filter(pk=round_out.pk).update(status="submitted", gaps=2)
    round_out.refresh_from_db()
    return {
        "site_in": site_in,
        "site_out": site_out,
        "round_in": make_round(site_in, months_ago(1)),
        "round_out": round_out,
        "standard": Standard.objects.get(code="water_lpd"),
    }


def monitoring_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, monitor = can(role, VIEW), can(role, MONITOR)
    manage, standards = can(role, MANAGE_SITE), can(role, STANDARDS)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    r_in, r_out = world["round_in"].public_id, world["round_out"].public_id
    url = lambda name, *args: reverse(f"camps:{name}", args=args)  # noqa: E731
    api = "/api/v1/camps/"
    return [
        # --- rounds --------------------------------------------------------------------------
        Check("camps:round_list", "get", url("round_list"), allowed(view), absent=OUT_SITE),
        Check("camps:round_create", "get", url("round_create"), allowed(monitor)),
        Check("camps:round_detail in", "get", url("round_detail", r_in), hid(view)),
        Check("camps:round_detail out", "get", url("round_detail", r_out), out404(view)),
        Check("camps:round_edit in", "get", url("round_edit", r_in), hid(monitor)),
        Check("camps:round_edit out", "get", url("round_edit", r_out), out404(monitor)),
        Check(
            "camps:round_action out submit",
            "post",
            url("round_action", r_out, "submit"),
            out404(monitor),
            {},
        ),
        Check(
            "camps:round_action out reopen",
            "post",
            url("round_action", r_out, "reopen"),
            out404(manage),
            {"reopen-reason": "matrix"},
        ),
        # --- gaps --------------------------------------------------------------------------------
        Check("camps:gap_report", "get", url("gap_report"), allowed(view), absent=OUT_SITE),
        Check(
            "camps:gap_export",
            "post",
            url("gap_export"),
            allowed(view, ok_codes={302}),
            {"months": "3"},
        ),
        # --- standards ---------------------------------------------------------------------------
        Check("camps:standard_list", "get", url("standard_list"), allowed(view)),
        Check(
            "camps:standard_edit",
            "get",
            url("standard_edit", world["standard"].pk),
            allowed(standards),
        ),
        # --- API ---------------------------------------------------------------------------------
        Check(
            "camps-round-list",
            "get",
            f"{api}monitoring-rounds/",
            allowed(view),
            api=True,
            absent=OUT_SITE,
        ),
        Check(
            "camps-round-detail in",
            "get",
            f"{api}monitoring-rounds/{r_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "camps-round-detail out",
            "get",
            f"{api}monitoring-rounds/{r_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "camps-round-list create out",
            "post",
            f"{api}monitoring-rounds/",
            # The site outside is refused as a field error (nothing about it revealed).
            {400} if monitor else {403},
            {"site": str(world["site_out"].public_id), "month": "2020-01"},
            api=True,
        ),
        Check("camps-standard-list", "get", f"{api}standards/", allowed(view), api=True),
        Check(
            "camps-standard-detail",
            "get",
            f"{api}standards/{world['standard'].code}/",
            allowed(view),
            api=True,
        ),
    ]

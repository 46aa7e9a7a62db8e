"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
camps sites part: sites, the map, plots, population, closure plans, and their API.

    from tests.camps.matrix_sites import sites_checks, sites_world
    # in the world fixture:   extras={"camps_sites": sites_world(), ...}
    # in checks_for:          *sites_checks(role, w.extras["camps_sites"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok. The site "in" is a Duhok camp with a plot and a
closure plan; the site "outside" an Erbil camp with its own plan. Writes are checked on
out-of-scope records (404, nothing changes) and on the population job (302 to the job);
tests/camps checks the writes that succeed."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

VIEW, MANAGE_SITE, MANAGE_CLOSURE = "camps.view_site", "camps.manage_site", "camps.manage_closure"
SITE_OUT = "Matrix camp outside"
PLAN_OUT_SITE = SITE_OUT


def sites_world() -> dict[str, Any]:
    from sanad.camps.models import ClosurePlan, Plot
    from tests.camps.factories import make_site
    from tests.factories import ERBIL

    site_in = make_site(name="Matrix camp inside")
    site_out = make_site(name=SITE_OUT, governorate=ERBIL)
    Plot.objects.create(site=site_in, code="M-1")
    day = datetime.date(2026, 9, 1)
    plan_in = ClosurePlan.objects.create(site=site_in, kind="closure", target_date=day)
    plan_out = ClosurePlan.objects.create(site=site_out, kind="closure", target_date=day)
    return {"site_in": site_in, "site_out": site_out, "plan_in": plan_in, "plan_out": plan_out}


def sites_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE_SITE)
    closure = can(role, MANAGE_CLOSURE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"camps:{name}", args=args)  # noqa: E731
    s_in, s_out = world["site_in"].public_id, world["site_out"].public_id
    p_in, p_out = world["plan_in"].public_id, world["plan_out"].public_id
    api = "/api/v1/camps"
    return [
        # --- sites -----------------------------------------------------------------------
        Check("camps:site_list", "get", url("site_list"), allowed(view), absent=SITE_OUT),
        Check("camps:site_map", "get", url("site_map"), allowed(view), absent=SITE_OUT),
        Check("camps:site_create", "get", url("site_create"), allowed(manage)),
        Check(
            "camps:site_population_job",
            "post",
            url("site_population_job"),
            allowed(manage, ok_codes={302}),
            {"month": "2026-01"},
        ),
        Check("camps:site_detail in", "get", url("site_detail", s_in), hid(view)),
        Check("camps:site_detail out", "get", url("site_detail", s_out), out404(view)),
        Check("camps:site_edit in", "get", url("site_edit", s_in), hid(manage)),
        Check("camps:site_edit out", "get", url("site_edit", s_out), out404(manage)),
        Check(
            "camps:site_edit out post",
            "post",
            url("site_edit", s_out),
            out404(manage),
            {"capacity_plots": 1, "capacity_shelters": 1, "tenure": "public"},
        ),
        Check("camps:site_plots in", "get", url("site_plots", s_in), hid(view)),
        Check("camps:site_plots out", "get", url("site_plots", s_out), out404(view)),
        Check(
            "camps:site_plots out post",
            "post",
            url("site_plots", s_out),
            out404(view),
            {"action": "add_plots", "codes": "X-1", "kind": "plot", "capacity_people": 5},
        ),
        Check("camps:site_population in", "get", url("site_population", s_in), hid(view)),
        Check("camps:site_population out", "get", url("site_population", s_out), out404(view)),
        Check(
            "camps:site_population out post",
            "post",
            url("site_population", s_out),
            out404(view),
            {"action": "compute", "month": "2026-01"},
        ),
        # --- closure plans ---------------------------------------------------------------
        Check("camps:closure_list", "get", url("closure_list"), allowed(view), absent=SITE_OUT),
        Check("camps:closure_create", "get", url("closure_create"), allowed(closure)),
        Check(
            "camps:closure_create out",
            "get",
            f"{url('closure_create')}?site={s_out}",
            out404(closure),
        ),
        Check("camps:closure_detail in", "get", url("closure_detail", p_in), hid(view)),
        Check("camps:closure_detail out", "get", url("closure_detail", p_out), out404(view)),
        Check(
            "camps:closure_action out",
            "post",
            url("closure_action", p_out, "cancel"),
            out404(closure),
            {"reason": "matrix"},
        ),
        # --- API -------------------------------------------------------------------------
        Check("camps-site-list", "get", f"{api}/sites/", allowed(view), api=True, absent=SITE_OUT),
        Check("camps-site-detail in", "get", f"{api}/sites/{s_in}/", hid(view), api=True),
        Check("camps-site-detail out", "get", f"{api}/sites/{s_out}/", out404(view), api=True),
        Check(
            "camps-closure-list",
            "get",
            f"{api}/closures/",
            allowed(view),
            api=True,
            absent=SITE_OUT,
        ),
        Check("camps-closure-detail in", "get", f"{api}/closures/{p_in}/", hid(view), api=True),
        Check(
            "camps-closure-detail out", "get", f"{api}/closures/{p_out}/", out404(view), api=True
        ),
    ]

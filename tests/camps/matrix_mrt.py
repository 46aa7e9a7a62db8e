"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the camps
part D pages (MRT visits, hazards, priorities, trainings) and its API:

    from tests.camps.matrix_mrt import mrt_checks, mrt_world
    # in the world fixture:   extras={"camps_mrt": mrt_world(), ...}
    # in checks_for:          *mrt_checks(role, w.extras["camps_mrt"], Check, can, allowed, HIDDEN)

"in" records are on a Duhok informal site, "out" records on an Erbil one. Writes are
checked on out-of-scope records (404, nothing changes) and, in scope, with an empty form
(400 for who may write, 403 for who may not): tests/camps checks the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MRT, MANAGE_TRAINING = "camps.view_site", "camps.record_mrt", "camps.manage_training"
SITE_OUT, HAZARD_OUT, TRAINING_OUT = (
    "Matrix MRT site outside",
    "Matrix hazard outside",
    "Matrix training outside",
)
SITE_OUT_CODE = "MTX-MRT-OUT"


def mrt_world() -> dict[str, Any]:
    from tests.camps.mrt_factories import (
        make_hazard,
        make_informal_site,
        make_mitigation,
        make_training,
        make_visit,
    )
    from tests.factories import ERBIL

    site_in = make_informal_site(name="Matrix MRT site inside", code="MTX-MRT-IN")
    site_out = make_informal_site(governorate=ERBIL, name=SITE_OUT, code=SITE_OUT_CODE)
    visit_in, visit_out = make_visit(site_in), make_visit(site_out)
    hazard_in = make_hazard(site_in, visit=visit_in, description="Matrix hazard inside")
    hazard_out = make_hazard(site_out, visit=visit_out, description=HAZARD_OUT)
    make_mitigation(hazard_in)
    make_mitigation(hazard_out)
    return {
        "site_in": site_in,
        "site_out": site_out,
        "visit_in": visit_in,
        "visit_out": visit_out,
        "hazard_in": hazard_in,
        "hazard_out": hazard_out,
        "training_in": make_training(site_in, title="Matrix training inside"),
        "training_out": make_training(site_out, title=TRAINING_OUT),
    }


def mrt_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, mrt, train = can(role, VIEW), can(role, MRT), can(role, MANAGE_TRAINING)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"camps:{name}", args=args)  # noqa: E731
    v_in, v_out = world["visit_in"].public_id, world["visit_out"].public_id
    h_in, h_out = world["hazard_in"].public_id, world["hazard_out"].public_id
    t_in, t_out = world["training_in"].public_id, world["training_out"].public_id
    api = "/api/v1/camps"
    return [
        # --- visits ------------------------------------------------------------------------
        Check("camps:mrt_visit_list", "get", url("mrt_visit_list"), allowed(view), absent=SITE_OUT),
        Check("camps:mrt_visit_create", "get", url("mrt_visit_create"), allowed(mrt)),
        Check(
            "camps:mrt_visit_create post",
            "post",
            url("mrt_visit_create"),
            allowed(mrt, ok_codes={400}),
            {"site": world["site_out"].pk, "team": "Matrix", "visited_on": "2025-01-01"},
        ),
        Check("camps:mrt_visit_detail in", "get", url("mrt_visit_detail", v_in), hid(view)),
        Check("camps:mrt_visit_detail out", "get", url("mrt_visit_detail", v_out), out404(view)),
        # --- hazards -----------------------------------------------------------------------
        Check("camps:hazard_list", "get", url("hazard_list"), allowed(view), absent=HAZARD_OUT),
        Check("camps:hazard_create", "get", url("hazard_create"), allowed(mrt)),
        Check("camps:hazard_detail in", "get", url("hazard_detail", h_in), hid(view)),
        Check("camps:hazard_detail out", "get", url("hazard_detail", h_out), out404(view)),
        Check(
            "camps:hazard_action in",
            "post",
            url("hazard_action", h_in, "update_mitigation"),
            allowed(mrt, ok_codes={400}),
            {},
        ),
        Check(
            "camps:hazard_action out",
            "post",
            url("hazard_action", h_out, "close"),
            out404(view),
            {"close-reason": "matrix"},
        ),
        # --- priorities --------------------------------------------------------------------
        Check(
            "camps:site_priorities", "get", url("site_priorities"), allowed(view), absent=SITE_OUT
        ),
        # --- trainings ---------------------------------------------------------------------
        Check(
            "camps:training_list", "get", url("training_list"), allowed(view), absent=TRAINING_OUT
        ),
        Check("camps:training_create", "get", url("training_create"), allowed(train)),
        Check("camps:training_detail in", "get", url("training_detail", t_in), hid(view)),
        Check("camps:training_detail out", "get", url("training_detail", t_out), out404(view)),
        Check("camps:training_edit in", "get", url("training_edit", t_in), hid(train)),
        Check("camps:training_edit out", "get", url("training_edit", t_out), out404(train)),
        Check(
            "camps:training_participants in",
            "post",
            url("training_participants", t_in),
            allowed(train, ok_codes={400}),
            {},
        ),
        Check(
            "camps:training_participants out",
            "post",
            url("training_participants", t_out),
            out404(train),
            {"one-name": "Matrix", "one-sex": "female"},
        ),
        # --- API ---------------------------------------------------------------------------
        Check(
            "camps-hazard-list",
            "get",
            f"{api}/hazards/",
            allowed(view),
            api=True,
            absent=HAZARD_OUT,
        ),
        Check("camps-hazard-detail in", "get", f"{api}/hazards/{h_in}/", hid(view), api=True),
        Check("camps-hazard-detail out", "get", f"{api}/hazards/{h_out}/", out404(view), api=True),
        Check(
            "camps-mrt-visit-list",
            "get",
            f"{api}/mrt-visits/",
            allowed(view),
            api=True,
            absent=SITE_OUT_CODE,
        ),
        Check(
            "camps-mrt-visit-list post",
            "post",
            f"{api}/mrt-visits/",
            allowed(mrt, ok_codes={400}),
            {
                "site": str(world["site_out"].public_id),
                "team": "Matrix",
                "visited_on": "2025-01-01",
            },
            api=True,
        ),
        Check("camps-mrt-visit-detail in", "get", f"{api}/mrt-visits/{v_in}/", hid(view), api=True),
        Check(
            "camps-mrt-visit-detail out",
            "get",
            f"{api}/mrt-visits/{v_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "camps-training-list",
            "get",
            f"{api}/trainings/",
            allowed(view),
            api=True,
            absent=TRAINING_OUT,
        ),
        Check("camps-training-detail in", "get", f"{api}/trainings/{t_in}/", hid(view), api=True),
        Check(
            "camps-training-detail out",
            "get",
            f"{api}/trainings/{t_out}/",
            out404(view),
            api=True,
        ),
    ]

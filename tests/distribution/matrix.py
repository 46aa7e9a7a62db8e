"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
distribution pages:

    from tests.distribution.matrix import distribution_checks, distribution_world
    # in the world fixture:   extras={"distribution": distribution_world(), ...}
    # in registry_checks:     *distribution_checks(role, w.extras["distribution"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme. The plan "in" draws from a
Duhok warehouse (its event is at a Duhok camp, open, with one receipt and a monitoring
sample); the plan "outside" from an Erbil warehouse, its event in Erbil. Writes are
checked on out-of-scope records only (404, nothing changes); tests/distribution checks
the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanad.distribution import services
from sanad.distribution.models import Event, MonitoringSample, Plan
from sanad.registry.cards.pdf import qr_payload
from tests.factories import ERBIL, PlaceFactory, ProgrammeFactory, ProjectFactory, subdistrict_in

VIEW, MANAGE = "distribution.view_distribution", "distribution.manage_plan"
RECORD, CLOSE = "distribution.record_receipt", "distribution.close_event"


def distribution_world() -> dict[str, Any]:
    from sanad.geo.models import Place
    from sanad.stock import services as stock
    from tests.distribution.factories import distribution_world as make_world
    from tests.distribution.factories import open_event, record

    # Other matrix households live in the same sub-district and join the list.
    w = make_world(households=2, stocked=100)
    event_in = open_event(w)
    record(w, event_in, w.households[0])
    sample_in = services.sample_draw(user=w.officer, plan=w.plan, size=1, seed=1)

    erbil = subdistrict_in(ERBIL)
    depot = PlaceFactory(
        name_en="Matrix depot outside", admin_unit=erbil, kind=Place.Kind.WAREHOUSE_SITE
    )
    camp_out = PlaceFactory(name_en="Matrix camp outside", admin_unit=erbil)
    warehouse_out = stock.warehouse_create(
        user=w.admin, code="matrix-wh-out", name="Matrix warehouse outside", place=depot
    )
    plan_out = Plan.objects.create(
        name="Matrix plan outside",
        programme=w.programme,
        project=w.project,
        beneficiary_list=w.lst,
        kit=w.kit,
        warehouse=warehouse_out,
        status=Plan.Status.APPROVED,
    )
    event_out = Event.objects.create(
        plan=plan_out, place=camp_out, date=w.today, status=Event.Status.OPEN
    )
    sample_out = MonitoringSample.objects.create(plan=plan_out, size=1, seed=1)
    project_out = ProjectFactory(programme=ProgrammeFactory(code="SHELTER"))
    return {
        "plan_in": w.plan,
        "plan_out": plan_out,
        "event_in": event_in,
        "event_out": event_out,
        "sample_in": sample_in,
        "sample_out": sample_out,
        "project_in": w.project,
        "project_out": project_out,
        "household_in": w.households[1],
        "head_in": w.households[1].members.get(relationship="head"),
    }


def distribution_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    record, close = can(role, RECORD), can(role, CLOSE)
    projects = view and can(role, "programmes.view_programme")
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    p_in, p_out = world["plan_in"].public_id, world["plan_out"].public_id
    e_in, e_out = world["event_in"].public_id, world["event_out"].public_id
    s_in, s_out = world["sample_in"].public_id, world["sample_out"].public_id
    j_in, j_out = world["project_in"].public_id, world["project_out"].public_id
    household = world["household_in"]
    receipt = {
        "household": str(household.public_id),
        "collected_by": str(world["head_in"].public_id),
        "proof": "declared",
        "client_key": f"matrix-{role}",
    }
    url = lambda name, *args: reverse(f"distribution:{name}", args=args)  # noqa: E731
    return [
        # --- plans ---------------------------------------------------------------------
        Check(
            "distribution:plan_list",
            "get",
            url("plan_list"),
            allowed(view),
            absent="Matrix plan outside",
        ),
        Check("distribution:plan_create", "get", url("plan_create"), allowed(manage)),
        Check("distribution:plan_detail in", "get", url("plan_detail", p_in), hid(view)),
        Check("distribution:plan_detail out", "get", url("plan_detail", p_out), out404(view)),
        Check(
            "distribution:plan_transition out",
            "post",
            url("plan_transition", p_out),
            out404(view),
            {"to": "cancelled", "reason": "matrix"},
        ),
        Check("distribution:event_create in", "get", url("event_create", p_in), hid(manage)),
        Check("distribution:event_create out", "get", url("event_create", p_out), out404(manage)),
        Check(
            "distribution:sample_draw out",
            "post",
            url("sample_draw", p_out),
            out404(manage),
            {"size": "1"},
        ),
        # --- events --------------------------------------------------------------------
        Check("distribution:event_detail in", "get", url("event_detail", e_in), hid(view)),
        Check("distribution:event_detail out", "get", url("event_detail", e_out), out404(view)),
        Check(
            "distribution:event_dispatch out",
            "post",
            url("event_dispatch", e_out),
            out404(view),
            {},
        ),
        Check(
            "distribution:event_close out",
            "post",
            url("event_close", e_out),
            out404(close),
            {"returned": "0", "reason": "matrix"},
        ),
        Check(
            "distribution:event_cancel out",
            "post",
            url("event_cancel", e_out),
            out404(view),
            {"reason": "matrix"},
        ),
        Check("distribution:event_report in", "get", url("event_report", e_in), hid(view)),
        Check("distribution:event_report out", "get", url("event_report", e_out), out404(view)),
        # --- distribution day ----------------------------------------------------------
        Check("distribution:day in", "get", url("day", e_in), hid(record)),
        Check("distribution:day out", "get", url("day", e_out), out404(record)),
        Check("distribution:day_counter in", "get", url("day_counter", e_in), hid(record)),
        Check("distribution:day_counter out", "get", url("day_counter", e_out), out404(record)),
        Check(
            "distribution:day_search in",
            "get",
            url("day_search", e_in) + f"?q={household.registration_id}",
            hid(record),
        ),
        Check(
            "distribution:day_search out",
            "get",
            url("day_search", e_out) + f"?q={household.registration_id}",
            out404(record),
        ),
        Check(
            "distribution:day_household in",
            "get",
            url("day_household", e_in) + f"?token={qr_payload(household)}",
            hid(record),
        ),
        Check(
            "distribution:day_household out",
            "get",
            url("day_household", e_out) + f"?token={qr_payload(household)}",
            out404(record),
        ),
        Check(
            "distribution:day_receipt out",
            "post",
            url("day_receipt", e_out),
            out404(record),
            receipt,
        ),
        # --- reports and monitoring ----------------------------------------------------
        Check(
            "distribution:project_report in",
            "get",
            url("project_report", j_in),
            hid(projects),
            absent="Matrix camp outside",
        ),
        Check(
            "distribution:project_report out",
            "get",
            url("project_report", j_out),
            out404(view),
        ),
        Check(
            "distribution:report_export out",
            "post",
            url("report_export"),
            out404(view),
            {"target": "event", "id": str(e_out), "format": "xlsx"},
        ),
        Check("distribution:sample_detail in", "get", url("sample_detail", s_in), hid(view)),
        Check("distribution:sample_detail out", "get", url("sample_detail", s_out), out404(view)),
        Check(
            "distribution:sample_row out",
            "post",
            url("sample_row", s_out, 1),
            out404(manage),
            {"row1-outcome": "reached"},
        ),
    ]

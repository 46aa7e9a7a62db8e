"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
transport convoys part: the convoy list, creating a convoy from a movement, the plan
board and its writes (vehicles, planning, moves, ready / planning / cancel) and the API:

    from tests.transport.matrix_convoys import convoys_checks, convoys_world
    # in the world fixture:   extras={"transport_convoys": convoys_world(), ...}
    # in checks_for:          *convoys_checks(role, w.extras["transport_convoys"], Check, can,
    #                                         allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme, so every transport record is out
of their programme scope. "in" is a convoy in planning of an approved movement within
Duhok, "out" one within Erbil (both of the TRANSPORT programme). Reads and writes are
checked on the "out" convoy and movement: 404 for a role holding the permission, 403 (or
404) for one without it; the list never shows the "out" convoy; nothing changes.
tests/transport/test_convoys.py and test_convoy_pages.py check the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MANAGE = "transport.view_movement", "transport.manage_movement"
CONVOY_OUT = "CNV-MTX-OUT-00001"


def convoys_world() -> dict[str, Any]:
    from sanad.transport.models import ConvoyLoad, ConvoyVehicle, MovementHousehold
    from tests.factories import DUHOK, ERBIL
    from tests.transport.factories import (
        add_household,
        make_convoy,
        make_movement,
        make_place,
        make_vehicle,
    )

    def world(governorate: str, reference: str) -> dict[str, Any]:
        request = make_movement(
            origin=make_place(governorate=governorate),
            destination=make_place(governorate=governorate),
        )
        convoy = make_convoy(request, vehicles=("bus", "minibus"), reference=reference)
        cv = ConvoyVehicle.objects.filter(convoy=convoy).first()
        row = add_household(request, status=MovementHousehold.Status.PLANNED, members=2)
        load = ConvoyLoad.objects.create(
            convoy=convoy, movement_household=row, convoy_vehicle=cv, luggage_vehicle=cv
        )
        return {
            "movement": request,
            "convoy": convoy,
            "convoy_vehicle": cv,
            "load": load,
            "vehicle": make_vehicle("minibus", governorate=governorate),
        }

    inside, outside = world(DUHOK, "CNV-MTX-IN-00001"), world(ERBIL, CONVOY_OUT)
    return {f"{k}_in": v for k, v in inside.items()} | {f"{k}_out": v for k, v in outside.items()}


def convoys_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"transport:{name}", args=args)  # noqa: E731
    c_out = world["convoy_out"].public_id
    m_out = world["movement_out"].public_id
    cv_out = str(world["convoy_vehicle_out"].public_id)
    load_out = str(world["load_out"].public_id)
    api = "/api/v1/transport/convoys"
    return [
        Check("transport:convoy_list", "get", url("convoy_list"), allowed(view), absent=CONVOY_OUT),
        Check("transport:convoy_create out", "get", url("convoy_create", m_out), out404(manage)),
        Check(
            "transport:convoy_create out-post",
            "post",
            url("convoy_create", m_out),
            out404(manage),
            {"departs_on": "2026-12-01", "oversize_policy": "refuse"},
        ),
        Check("transport:convoy_detail out", "get", url("convoy_detail", c_out), out404(view)),
        Check(
            "transport:convoy_vehicles out-add",
            "post",
            url("convoy_vehicles", c_out),
            out404(manage),
            {"op": "add", "add-vehicle": str(world["vehicle_out"].public_id)},
        ),
        Check(
            "transport:convoy_vehicles out-remove",
            "post",
            url("convoy_vehicles", c_out),
            out404(manage),
            {"op": "remove", "veh-convoy_vehicle": cv_out},
        ),
        Check("transport:convoy_plan out", "post", url("convoy_plan", c_out), out404(manage)),
        Check(
            "transport:convoy_move out",
            "post",
            url("convoy_move", c_out),
            out404(manage),
            {"op": "move", "move-load": load_out, "move-convoy_vehicle": cv_out},
        ),
        Check(
            "transport:convoy_move out-remove",
            "post",
            url("convoy_move", c_out),
            out404(manage),
            {"op": "remove", "move-load": load_out},
        ),
        *[
            Check(
                f"transport:convoy_action out-{action}",
                "post",
                url("convoy_action", c_out, action),
                out404(manage),
                {"cancel-reason": "Matrix"},
            )
            for action in ("ready", "planning", "cancel")
        ],
        Check(
            "transport-convoy-list", "get", f"{api}/", allowed(view), api=True, absent=CONVOY_OUT
        ),
        Check("transport-convoy-detail out", "get", f"{api}/{c_out}/", out404(view), api=True),
    ]

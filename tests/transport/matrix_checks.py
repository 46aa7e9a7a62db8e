"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
transport checks part: the departure and arrival pages, ticks and scans, re-balancing,
departing, completing, incidents and the manifests:

    from tests.transport.matrix_checks import checks_checks, checks_world
    # in the world fixture:   extras={"transport_checks": checks_world(), ...}
    # in checks_for:          *checks_checks(role, w.extras["transport_checks"], Check, can,
    #                                        allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme, so every transport record is out
of their programme scope. "in" is a ready convoy of a movement within Duhok, "out" one
within Erbil (both of the TRANSPORT programme). Reads and writes are checked on the "out"
convoy: 404 for a role holding the permission, 403 (or 404) for one without it; nothing
changes. tests/transport checks the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MANAGE = "transport.view_movement", "transport.manage_movement"


def checks_world() -> dict[str, Any]:
    from sanad.transport.models import Convoy, ConvoyLoad, ConvoyVehicle, MovementHousehold
    from tests.factories import DUHOK, ERBIL
    from tests.transport.factories import add_household, make_convoy, make_movement, make_place

    def convoy(governorate: str) -> tuple[Any, Any]:
        request = make_movement(
            origin=make_place(governorate=governorate),
            destination=make_place(governorate=governorate),
        )
        c = make_convoy(request, status=Convoy.Status.READY)
        cv = ConvoyVehicle.objects.filter(convoy=c).first()
        row = add_household(request, status=MovementHousehold.Status.PLANNED, members=2)
        load = ConvoyLoad.objects.create(
            convoy=c, movement_household=row, convoy_vehicle=cv, luggage_vehicle=cv
        )
        return c, load

    convoy_in, load_in = convoy(DUHOK)
    convoy_out, load_out = convoy(ERBIL)
    return {
        "convoy_in": convoy_in,
        "load_in": load_in,
        "convoy_out": convoy_out,
        "load_out": load_out,
    }


def checks_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"transport:{name}", args=args)  # noqa: E731
    c_out = world["convoy_out"].public_id
    load_out = str(world["load_out"].public_id)
    reg_out = world["load_out"].movement_household.household.registration_id
    vehicle_out = world["load_out"].convoy_vehicle.public_id
    incident = {
        "kind": "other",
        "severity": "low",
        "occurred_at": "2026-01-01T10:00",
        "description": "Matrix",
        "people_affected": "0",
    }
    return [
        Check(
            "transport:convoy_departure out", "get", url("convoy_departure", c_out), out404(view)
        ),
        Check("transport:convoy_arrival out", "get", url("convoy_arrival", c_out), out404(view)),
        Check("transport:manifest_pdf out", "get", url("manifest_pdf", c_out), out404(view)),
        Check(
            "transport:manifest_pdf out-vehicle",
            "get",
            url("manifest_pdf", c_out) + f"?vehicle={vehicle_out}",
            out404(view),
        ),
        Check("transport:manifest_xlsx out", "get", url("manifest_xlsx", c_out), out404(view)),
        Check(
            "transport:convoy_check out",
            "post",
            url("convoy_check", c_out),
            out404(manage),
            {"action": "boarded", "load": load_out, "stage": "departure"},
        ),
        Check(
            "transport:convoy_check out-scan",
            "post",
            url("convoy_check", c_out),
            out404(manage),
            {"action": "scan", "code": reg_out, "stage": "departure"},
        ),
        Check(
            "transport:convoy_rebalance out", "post", url("convoy_rebalance", c_out), out404(manage)
        ),
        Check("transport:convoy_depart out", "post", url("convoy_depart", c_out), out404(manage)),
        Check(
            "transport:convoy_complete out", "post", url("convoy_complete", c_out), out404(manage)
        ),
        Check(
            "transport:incident_create out", "get", url("incident_create", c_out), out404(manage)
        ),
        Check(
            "transport:incident_create out-post",
            "post",
            url("incident_create", c_out),
            out404(manage),
            incident,
        ),
    ]

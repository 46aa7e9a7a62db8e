"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
transport fleet: vehicles, drivers, contractors and contracts, and their API:

    from tests.transport.matrix_fleet import fleet_checks, fleet_world
    # in the world fixture:   extras={"transport_fleet": fleet_world(), ...}
    # in checks_for:          *fleet_checks(role, w.extras["transport_fleet"], Check, can,
    #                                       allowed, HIDDEN),

Fleet records are scoped by governorate only (no programme). Matrix users are scoped to
Duhok (and the NFI programme): "in" records work in Duhok, "out" records in Erbil. List
pages must not show "out" records; detail, edit and action pages and the API of "out"
records answer 404 to roles that see (or manage) the fleet, and 403 or 404 to the others.
Writes are checked on out-of-scope records only (404, nothing changes); tests/transport
checks the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, FLEET = "transport.view_movement", "transport.manage_fleet"
PLATE_OUT, DRIVER_OUT, CONTRACTOR_OUT = "MTX-OUT-777", "Matrix driver outside", "Matrix Erbil Co"


def fleet_world() -> dict[str, Any]:
    import datetime

    from sanad.transport.models import TransportContract
    from tests.factories import DUHOK, ERBIL
    from tests.transport.factories import make_contractor, make_driver, make_vehicle

    contractor_in = make_contractor(governorate=DUHOK, name="Matrix Duhok Co")
    contractor_out = make_contractor(governorate=ERBIL, name=CONTRACTOR_OUT)

    def contract(contractor: Any, reference: str) -> TransportContract:
        return TransportContract.objects.create(
            contractor=contractor,
            reference=reference,
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            rate=100,
        )

    return {
        "contractor_in": contractor_in,
        "contractor_out": contractor_out,
        "contract_in": contract(contractor_in, "MTX-TRC-IN"),
        "contract_out": contract(contractor_out, "MTX-TRC-OUT"),
        "vehicle_in": make_vehicle(governorate=DUHOK, plate_number="MTX-IN-111"),
        "vehicle_out": make_vehicle(governorate=ERBIL, plate_number=PLATE_OUT),
        "driver_in": make_driver(governorate=DUHOK, name="Matrix driver inside"),
        "driver_out": make_driver(governorate=ERBIL, name=DRIVER_OUT),
    }


def fleet_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, fleet = can(role, VIEW), can(role, FLEET)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"transport:{name}", args=args)  # noqa: E731
    v_in, v_out = world["vehicle_in"].public_id, world["vehicle_out"].public_id
    d_in, d_out = world["driver_in"].public_id, world["driver_out"].public_id
    c_in, c_out = world["contractor_in"].public_id, world["contractor_out"].public_id
    k_out = world["contract_out"].public_id
    vehicle_post = {
        "kind": "bus",
        "plate_number": "Hacked 1",
        "seats": "40",
        "wheelchair_places": "0",
        "stretcher_places": "0",
        "luggage_m3": "1",
        "governorates": ["IQG11"],
    }
    api = "/api/v1/transport"
    return [
        # --- vehicles ------------------------------------------------------------------------
        Check(
            "transport:vehicle_list", "get", url("vehicle_list"), allowed(view), absent=PLATE_OUT
        ),
        Check("transport:vehicle_create", "get", url("vehicle_create"), allowed(fleet)),
        Check(
            "transport:vehicle_create out",
            "post",
            url("vehicle_create"),
            allowed(fleet, ok_codes={400}),
            vehicle_post,
        ),
        Check("transport:vehicle_detail in", "get", url("vehicle_detail", v_in), hid(view)),
        Check("transport:vehicle_detail out", "get", url("vehicle_detail", v_out), out404(view)),
        Check("transport:vehicle_edit in", "get", url("vehicle_edit", v_in), hid(fleet)),
        Check("transport:vehicle_edit out", "get", url("vehicle_edit", v_out), out404(fleet)),
        Check(
            "transport:vehicle_edit out-post",
            "post",
            url("vehicle_edit", v_out),
            out404(fleet),
            vehicle_post,
        ),
        Check(
            "transport:vehicle_action out-out-of-service",
            "post",
            url("vehicle_action", v_out, "out-of-service"),
            out404(fleet),
            {"out-reason": "Matrix"},
        ),
        Check(
            "transport:vehicle_action out-back-in-service",
            "post",
            url("vehicle_action", v_out, "back-in-service"),
            out404(fleet),
            {},
        ),
        # --- drivers -------------------------------------------------------------------------
        Check("transport:driver_list", "get", url("driver_list"), allowed(view), absent=DRIVER_OUT),
        Check("transport:driver_create", "get", url("driver_create"), allowed(fleet)),
        Check(
            "transport:driver_create out",
            "post",
            url("driver_create"),
            allowed(fleet, ok_codes={400}),
            {"name": "Hacked driver", "governorates": ["IQG11"]},
        ),
        Check("transport:driver_edit in", "get", url("driver_edit", d_in), hid(fleet)),
        Check("transport:driver_edit out", "get", url("driver_edit", d_out), out404(fleet)),
        Check(
            "transport:driver_edit out-post",
            "post",
            url("driver_edit", d_out),
            out404(fleet),
            {"name": "Hacked", "governorates": ["IQG09"]},
        ),
        # --- contractors and contracts -------------------------------------------------------
        Check(
            "transport:contractor_list",
            "get",
            url("contractor_list"),
            allowed(view),
            absent=CONTRACTOR_OUT,
        ),
        Check("transport:contractor_create", "get", url("contractor_create"), allowed(fleet)),
        Check(
            "transport:contractor_create out",
            "post",
            url("contractor_create"),
            allowed(fleet, ok_codes={400}),
            {"name": "Hacked Co", "governorates": ["IQG11"]},
        ),
        Check("transport:contractor_detail in", "get", url("contractor_detail", c_in), hid(view)),
        Check(
            "transport:contractor_detail out",
            "get",
            url("contractor_detail", c_out),
            out404(view),
        ),
        Check("transport:contractor_edit in", "get", url("contractor_edit", c_in), hid(fleet)),
        Check("transport:contractor_edit out", "get", url("contractor_edit", c_out), out404(fleet)),
        Check(
            "transport:contractor_edit out-post",
            "post",
            url("contractor_edit", c_out),
            out404(fleet),
            {"name": "Hacked", "governorates": ["IQG09"]},
        ),
        Check(
            "transport:contractor_action out-suspend",
            "post",
            url("contractor_action", c_out, "suspend"),
            out404(fleet),
            {"suspend-reason": "Matrix"},
        ),
        Check("transport:contract_create in", "get", url("contract_create", c_in), hid(fleet)),
        Check(
            "transport:contract_create out",
            "get",
            url("contract_create", c_out),
            out404(fleet),
        ),
        Check(
            "transport:contract_create out-post",
            "post",
            url("contract_create", c_out),
            out404(fleet),
            {
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "rate": "1",
                "rate_kind": "per_trip",
                "currency": "USD",
            },
        ),
        Check(
            "transport:contract_action out-end",
            "post",
            url("contract_action", k_out, "end"),
            out404(fleet),
            {},
        ),
        # --- API -----------------------------------------------------------------------------
        Check(
            "transport-vehicle-list",
            "get",
            f"{api}/vehicles/",
            allowed(view),
            api=True,
            absent=PLATE_OUT,
        ),
        Check("transport-vehicle-detail in", "get", f"{api}/vehicles/{v_in}/", hid(view), api=True),
        Check(
            "transport-vehicle-detail out",
            "get",
            f"{api}/vehicles/{v_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "transport-contractor-list",
            "get",
            f"{api}/contractors/",
            allowed(view),
            api=True,
            absent=CONTRACTOR_OUT,
        ),
        Check(
            "transport-contractor-detail in",
            "get",
            f"{api}/contractors/{c_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "transport-contractor-detail out",
            "get",
            f"{api}/contractors/{c_out}/",
            out404(view),
            api=True,
        ),
    ]

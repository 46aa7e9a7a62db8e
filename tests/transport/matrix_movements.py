"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
transport movements part: the list, the form, a request's page, its actions, export,
households, a household's pre-departure page, and the API:

    from tests.transport.matrix_movements import movements_checks, movements_world
    # in the world fixture:   extras={"transport_movements": movements_world(), ...}
    # in checks_for:          *movements_checks(role, w.extras["transport_movements"],
    #                                           Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. Movement requests belong to the
TRANSPORT programme, so both the "in" request (Duhok) and the "out" one (Erbil) are out
of the users' programme scope: their pages, export, households and API answer 404 for a
role holding the permission (403 or 404 for one without it), and the lists show neither.
Writes are checked on out-of-scope records only (404, nothing changes);
tests/transport checks the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MANAGE, APPROVE = (
    "transport.view_movement",
    "transport.manage_movement",
    "transport.approve_movement",
)
REF_IN, REF_OUT = "MOV-MTX-00001", "MOV-MTX-00002"


def movements_world() -> dict[str, Any]:
    from tests.factories import DUHOK, ERBIL
    from tests.transport.factories import add_household, make_movement, make_place

    def movement(governorate: str, reference: str, kind: str) -> Any:
        return make_movement(
            origin=make_place(governorate=governorate, kind=kind),
            destination=make_place(governorate=governorate),
            kind="border_reception" if kind == "border_point" else "relocation",
            status="approved",
            reference=reference,
        )

    movement_in = movement(DUHOK, REF_IN, "formal_camp")
    movement_out = movement(ERBIL, REF_OUT, "border_point")
    return {
        "movement_in": movement_in,
        "movement_out": movement_out,
        "row_in": add_household(movement_in, members=2, governorate=DUHOK),
        "row_out": add_household(movement_out, members=2, governorate=ERBIL),
        "origin_out": movement_out.origin,
        "destination_out": movement_out.destination,
    }


def movements_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage, approve = can(role, VIEW), can(role, MANAGE), can(role, APPROVE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"transport:{name}", args=args)  # noqa: E731
    m_in, m_out = world["movement_in"].public_id, world["movement_out"].public_id
    h_in, h_out = world["row_in"].public_id, world["row_out"].public_id
    registration_out = world["row_out"].household.registration_id
    actions = {
        "submit": ({}, manage),
        "approve": ({}, approve),
        "return": ({"return-reason": "Matrix"}, manage or approve),
        "cancel": ({"cancel-reason": "Matrix"}, manage or approve),
        "complete": ({"complete-reason": "Matrix"}, manage),
    }
    household_actions = {
        "declare": {
            "declare-declaration_on": "2026-01-02",
            "declare-method": "signed",
            "declare-consent_given": "on",
        },
        "luggage": {"luggage-luggage_m3": "9"},
        "passengers": {},
        "postpone": {"postpone-reason": "Matrix"},
        "withdraw": {"withdraw-reason": "Matrix"},
        "waiting": {},
    }
    api = "/api/v1/transport/movements"
    return [
        Check(
            "transport:movement_list",
            "get",
            url("movement_list"),
            allowed(view),
            absent=REF_OUT,
        ),
        Check(
            "transport:movement_list in",
            "get",
            url("movement_list"),
            allowed(view),
            absent=REF_IN,
        ),
        Check("transport:movement_create", "get", url("movement_create"), allowed(manage)),
        Check(
            "transport:movement_create out",
            "post",
            url("movement_create"),
            allowed(manage, ok_codes={400}),
            {
                "kind": "relocation",
                "origin": str(world["origin_out"].public_id),
                "destination": str(world["destination_out"].public_id),
                "requested_date": "2026-12-01",
            },
        ),
        Check("transport:movement_detail in", "get", url("movement_detail", m_in), out404(view)),
        Check("transport:movement_detail out", "get", url("movement_detail", m_out), out404(view)),
        Check("transport:movement_edit in", "get", url("movement_edit", m_in), out404(manage)),
        Check("transport:movement_edit out", "get", url("movement_edit", m_out), out404(manage)),
        Check(
            "transport:movement_edit out-post",
            "post",
            url("movement_edit", m_out),
            out404(manage),
            {"kind": "other", "requested_date": "2026-12-01"},
        ),
        Check("transport:movement_export in", "get", url("movement_export", m_in), out404(view)),
        Check("transport:movement_export out", "get", url("movement_export", m_out), out404(view)),
        Check(
            "transport:movement_household_add out",
            "post",
            url("movement_household_add", m_out),
            out404(manage),
            {"add-registration_id": registration_out},
        ),
        Check(
            "transport:movement_households_from_site out",
            "post",
            url("movement_households_from_site", m_out),
            out404(manage),
        ),
        Check(
            "transport:movement_border_register out",
            "get",
            url("movement_border_register", m_out),
            out404(manage),
        ),
        Check(
            "transport:movement_border_register out-post",
            "post",
            url("movement_border_register", m_out),
            out404(manage),
            {"head_given_name": "Matrix", "head_sex": "male", "head_age": "30"},
        ),
        *[
            Check(
                f"transport:movement_action out-{action}",
                "post",
                url("movement_action", m_out, action),
                out404(ok),
                data,
            )
            for action, (data, ok) in actions.items()
        ],
        Check(
            "transport:movement_household_detail in",
            "get",
            url("movement_household_detail", h_in),
            out404(view),
        ),
        Check(
            "transport:movement_household_detail out",
            "get",
            url("movement_household_detail", h_out),
            out404(view),
        ),
        *[
            Check(
                f"transport:movement_household_action out-{action}",
                "post",
                url("movement_household_action", h_out, action),
                out404(manage),
                data,
            )
            for action, data in household_actions.items()
        ],
        Check(
            "transport-movement-list",
            "get",
            f"{api}/",
            allowed(view),
            api=True,
            absent=REF_OUT,
        ),
        Check("transport-movement-detail in", "get", f"{api}/{m_in}/", out404(view), api=True),
        Check("transport-movement-detail out", "get", f"{api}/{m_out}/", out404(view), api=True),
    ]

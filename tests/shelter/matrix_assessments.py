"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
assessments part: damage assessments (list, form, page, correction, actions, photos),
the price catalogue (pages, prices, import, export), prioritisation rounds, and the
`shelter/assessments` and `shelter/price-items` API:

    from tests.shelter.matrix_assessments import assessments_checks, assessments_world
    # in the world fixture:   extras={"shelter_assessments": assessments_world(), ...}
    # in checks_for:          *assessments_checks(role, w.extras["shelter_assessments"],
    #                                             Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme: "in" records are NFI
assessments of a house in Duhok, "out" ones of a house in Erbil (the out round is of
the SHELTER programme: rounds are scoped by programme only). The catalogue is reference
data everyone with the view permission reads; its writes are checked with empty forms
(400 for who manages it, 403 for the others). Writes on records are checked on
out-of-scope records only (404, nothing changes); tests/shelter checks the writes that
succeed."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

VIEW, ASSESS = "shelter.view_shelter", "shelter.assess_damage"
MANAGE_CASE, CATALOGUE = "shelter.manage_case", "shelter.manage_catalogue"
ADDRESS_OUT, ROUND_OUT = "Matrix house outside, Erbil", "Matrix prioritisation outside"


def assessments_world() -> dict[str, Any]:
    from sanad.shelter.models import (
        Assessment,
        AssessmentPhoto,
        PriceItem,
        PriorityRound,
        Property,
        UnitPrice,
    )
    from tests.factories import (
        DUHOK,
        ERBIL,
        ProgrammeFactory,
        ProjectFactory,
        make_user,
        subdistrict_in,
    )

    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    project_in, project_out = ProjectFactory(programme=nfi), ProjectFactory(programme=shelter)
    engineer = make_user("shelter_engineer", username="matrix-shelter-engineer")
    today = datetime.date(2026, 1, 10)

    def assessment(gov: str, address: str, reference: str) -> Assessment:
        unit = subdistrict_in(gov)
        prop = Property.objects.create(
            address=address, admin_unit=unit, governorate=unit.governorate, tenure="owner"
        )
        return Assessment.objects.create(
            reference=reference,
            property=prop,
            programme=nfi,
            project=project_in,
            governorate=unit.governorate,
            assessed_on=today,
            engineer=engineer,
            damage="severe",
            occupants=4,
        )

    a_in = assessment(DUHOK, "Matrix house inside, Duhok", "SA-MATRIX-IN")
    a_out = assessment(ERBIL, ADDRESS_OUT, "SA-MATRIX-OUT")
    photo_out = AssessmentPhoto.objects.create(
        assessment=a_out, path=f"{a_out.public_id}/x.jpg", content_type="image/jpeg"
    )
    item = PriceItem.objects.create(
        code="MATRIX-01", name_en="Matrix item", component="walls", unit="m2"
    )
    UnitPrice.objects.create(
        item=item, valid_from=today, price="10.00", currency="USD", source="matrix"
    )

    def round_(programme: Any, project: Any, name: str) -> PriorityRound:
        return PriorityRound.objects.create(
            name=name,
            programme=programme,
            project=project,
            weight_damage=100,
            weight_vulnerability=0,
        )

    return {
        "assessment_in": a_in,
        "assessment_out": a_out,
        "photo_out": photo_out,
        "item": item,
        "round_in": round_(nfi, project_in, "Matrix prioritisation inside"),
        "round_out": round_(shelter, project_out, ROUND_OUT),
        "project_out": project_out,
        "unit_out": subdistrict_in(ERBIL),
    }


def assessments_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, assess, manage, catalogue = (
        can(role, VIEW),
        can(role, ASSESS),
        can(role, MANAGE_CASE),
        can(role, CATALOGUE),
    )
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"shelter:{name}", args=args)  # noqa: E731
    a_in, a_out = world["assessment_in"].public_id, world["assessment_out"].public_id
    r_in, r_out = world["round_in"].public_id, world["round_out"].public_id
    item = world["item"].public_id
    api = "/api/v1/shelter"
    form_out = {
        "project": str(world["assessment_in"].project_id),
        "assessed_on": "2026-01-10",
        "address": "Hacked",
        "admin_unit": world["unit_out"].pcode,
        "tenure": "owner",
        "damage": "minor",
        "boq-TOTAL_FORMS": "0",
        "boq-INITIAL_FORMS": "0",
    }
    return [
        # --- assessments --------------------------------------------------------------------
        Check(
            "shelter:assessment_list",
            "get",
            url("assessment_list"),
            allowed(view),
            absent=ADDRESS_OUT,
        ),
        Check("shelter:assessment_create", "get", url("assessment_create"), allowed(assess)),
        Check(
            "shelter:assessment_create out",
            "post",
            url("assessment_create"),
            allowed(assess, ok_codes={400}),
            form_out,
        ),
        Check("shelter:assessment_detail in", "get", url("assessment_detail", a_in), hid(view)),
        Check(
            "shelter:assessment_detail out",
            "get",
            url("assessment_detail", a_out),
            out404(view),
        ),
        Check("shelter:assessment_edit in", "get", url("assessment_edit", a_in), hid(assess)),
        Check("shelter:assessment_edit out", "get", url("assessment_edit", a_out), out404(assess)),
        Check(
            "shelter:assessment_edit out-post",
            "post",
            url("assessment_edit", a_out),
            out404(assess),
            form_out,
        ),
        Check(
            "shelter:assessment_photo out",
            "get",
            url("assessment_photo", a_out, world["photo_out"].pk),
            out404(view),
        ),
        *[
            Check(
                f"shelter:assessment_action out-{action}",
                "post",
                url("assessment_action", a_out, action),
                out404(ok),
                data,
            )
            for action, ok, data in (
                ("submit", assess, {}),
                ("validate", manage, {}),
                ("return", manage, {"return-reason": "Matrix"}),
                ("cancel", manage or assess, {"cancel-reason": "Matrix"}),
            )
        ],
        # --- catalogue ----------------------------------------------------------------------
        Check("shelter:catalogue", "get", url("catalogue"), allowed(view)),
        Check("shelter:price_item_create", "get", url("price_item_create"), allowed(catalogue)),
        Check(
            "shelter:price_item_create post-empty",
            "post",
            url("price_item_create"),
            allowed(catalogue, ok_codes={400}),
            {},
        ),
        Check("shelter:price_item_edit", "get", url("price_item_edit", item), allowed(view)),
        Check(
            "shelter:price_item_edit post-empty",
            "post",
            url("price_item_edit", item),
            allowed(catalogue, ok_codes={400}),
            {},
        ),
        Check(
            "shelter:price_set post-empty",
            "post",
            url("price_set", item),
            allowed(catalogue, ok_codes={400}),
            {},
        ),
        Check(
            "shelter:price_delete missing",
            "post",
            url("price_delete", item, 999999),
            allowed(catalogue, ok_codes={404}),
        ),
        Check("shelter:price_import", "get", url("price_import"), allowed(catalogue)),
        Check("shelter:price_export", "get", url("price_export"), allowed(view)),
        # --- prioritisation ---------------------------------------------------------------
        Check(
            "shelter:priority_list", "get", url("priority_list"), allowed(view), absent=ROUND_OUT
        ),
        Check("shelter:priority_create", "get", url("priority_create"), allowed(manage)),
        Check(
            "shelter:priority_create out",
            "post",
            url("priority_create"),
            allowed(manage, ok_codes={400}),
            {
                "project": str(world["project_out"].pk),
                "weight_damage": "100",
                "weight_vulnerability": "0",
            },
        ),
        Check("shelter:priority_detail in", "get", url("priority_detail", r_in), hid(view)),
        Check("shelter:priority_detail out", "get", url("priority_detail", r_out), out404(view)),
        *[
            Check(
                f"shelter:priority_action out-{action}",
                "post",
                url("priority_action", r_out, action),
                out404(manage),
                data,
            )
            for action, data in (
                ("select", {"selected": []}),
                ("weights", {"weights-weight_damage": "50", "weights-weight_vulnerability": "50"}),
                ("recompute", {}),
                ("finalise", {}),
            )
        ],
        # --- API ----------------------------------------------------------------------------
        Check(
            "shelter-assessment-list",
            "get",
            f"{api}/assessments/",
            allowed(view),
            api=True,
            absent=ADDRESS_OUT,
        ),
        Check(
            "shelter-assessment-detail in",
            "get",
            f"{api}/assessments/{a_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "shelter-assessment-detail out",
            "get",
            f"{api}/assessments/{a_out}/",
            out404(view),
            api=True,
        ),
        Check("shelter-price-item-list", "get", f"{api}/price-items/", allowed(view), api=True),
        Check(
            "shelter-price-item-detail",
            "get",
            f"{api}/price-items/{item}/",
            hid(view),
            api=True,
        ),
    ]

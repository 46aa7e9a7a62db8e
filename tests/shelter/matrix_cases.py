"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
rehabilitation cases, their handover, certificate, signature and defects, the
inspections and their photos, and the cases and inspections API:

    from tests.shelter.matrix_cases import cases_checks, cases_world
    # in the world fixture:   extras={"shelter_cases": cases_world(), ...}
    # in checks_for:          *cases_checks(role, w.extras["shelter_cases"], Check, can,
    #                                       allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme: "in" records are an NFI case in
Duhok, "out" records an NFI case in Erbil (governorate out). Writes are checked on
out-of-scope records only (404, nothing changes); tests/shelter checks the writes that
succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MANAGE, INSPECT = "shelter.view_shelter", "shelter.manage_case", "shelter.inspect_works"
CASE_OUT, INSPECTION_OUT = "SC-MATRIX-B-OUT", "SI-MATRIX-B-OUT"


def cases_world() -> dict[str, Any]:
    import datetime
    from decimal import Decimal

    from sanad.shelter.models import (
        Assessment,
        Defect,
        Inspection,
        InspectionPhoto,
        Property,
        RehabCase,
    )
    from tests.factories import (
        DUHOK,
        ERBIL,
        ProgrammeFactory,
        ProjectFactory,
        make_user,
        subdistrict_in,
    )

    nfi = ProgrammeFactory(code="NFI")
    project = ProjectFactory(programme=nfi)
    engineer = make_user("shelter_engineer")
    day = datetime.date(2026, 1, 10)

    def assessment(gov: str, suffix: str, unit: Any) -> Assessment:
        prop = Property.objects.create(
            address=f"Matrix house {suffix}",
            admin_unit=unit,
            governorate=unit.governorate,
            tenure="owner",
        )
        return Assessment.objects.create(
            reference=f"SA-MATRIX-B-{suffix}",
            property=prop,
            programme=nfi,
            project=project,
            governorate=unit.governorate,
            assessed_on=day,
            engineer=engineer,
            damage="severe",
            occupants=5,
            covered_area_after_m2=Decimal("60"),
            boq_total=Decimal("5000"),
            status="validated",
        )

    def case(gov: str, suffix: str) -> RehabCase:
        unit = subdistrict_in(gov)
        a = assessment(gov, suffix, unit)
        c = RehabCase.objects.create(
            reference=f"SC-MATRIX-B-{suffix}",
            assessment=a,
            property=a.property,
            programme=nfi,
            project=project,
            governorate=unit.governorate,
            modality="direct",
            budget=Decimal("5000"),
            occupants_after=5,
            covered_area_after_m2=Decimal("60"),
        )
        c.milestones.create(sequence=1, name="Completion", progress=100)
        return c

    case_in, case_out = case(DUHOK, "IN"), case(ERBIL, "OUT")

    def inspection(c: RehabCase, suffix: str) -> Inspection:
        return Inspection.objects.create(
            reference=f"SI-MATRIX-B-{suffix}",
            case=c,
            kind="progress",
            inspector=engineer,
            inspected_on=day,
            progress=Decimal("10"),
            result="noted",
        )

    inspection_in, inspection_out = inspection(case_in, "IN"), inspection(case_out, "OUT")
    photo_out = InspectionPhoto.objects.create(
        inspection=inspection_out,
        path=f"{inspection_out.public_id}/x.jpg",
        content_type="image/jpeg",
    )
    defect_out = Defect.objects.create(
        case=case_out, component="roof", description="Matrix leak", reported_on=day
    )
    return {
        "case_in": case_in,
        "case_out": case_out,
        "assessment_out": assessment(ERBIL, "OUT-FREE", subdistrict_in(ERBIL)),
        "inspection_in": inspection_in,
        "inspection_out": inspection_out,
        "photo_out": photo_out,
        "defect_out": defect_out,
    }


def cases_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage, inspect = can(role, VIEW), can(role, MANAGE), can(role, INSPECT)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"shelter:{name}", args=args)  # noqa: E731
    c_in, c_out = world["case_in"].public_id, world["case_out"].public_id
    i_in, i_out = world["inspection_in"].public_id, world["inspection_out"].public_id
    d_out = world["defect_out"].public_id
    a_out = world["assessment_out"].public_id
    api = "/api/v1/shelter"
    return [
        # --- cases ------------------------------------------------------------------------
        Check("shelter:case_list", "get", url("case_list"), allowed(view), absent=CASE_OUT),
        Check("shelter:case_create", "get", url("case_create"), allowed(manage)),
        Check(
            "shelter:case_create out-assessment",
            "get",
            url("case_create") + f"?assessment={a_out}",
            out404(manage),
        ),
        Check(
            "shelter:case_create out-assessment-post",
            "post",
            url("case_create") + f"?assessment={a_out}",
            out404(manage),
            {
                "modality": "direct",
                "occupants_after": "5",
                "covered_area_after_m2": "60",
                "budget": "1",
            },
        ),
        Check("shelter:case_detail in", "get", url("case_detail", c_in), hid(view)),
        Check("shelter:case_detail out", "get", url("case_detail", c_out), out404(view)),
        Check("shelter:case_edit out", "get", url("case_edit", c_out), out404(manage)),
        Check(
            "shelter:case_edit out-post",
            "post",
            url("case_edit", c_out),
            out404(manage),
            {"occupants_after": "1", "covered_area_after_m2": "1", "budget": "1"},
        ),
        *[
            Check(
                f"shelter:case_action out-{action}",
                "post",
                url("case_action", c_out, action),
                out404(manage),
                data,
            )
            for action, data in (
                ("start", {}),
                ("cancel", {"cancel-reason": "Matrix"}),
                ("close", {}),
                ("link", {"link-entitlement": "1"}),
            )
        ],
        Check("shelter:case_handover out", "get", url("case_handover", c_out), out404(manage)),
        Check(
            "shelter:case_handover out-post",
            "post",
            url("case_handover", c_out),
            out404(manage),
            {"signed_by": "Matrix", "handed_over_on": "2026-01-10", "signed_on_paper": "on"},
        ),
        Check("shelter:case_certificate out", "get", url("case_certificate", c_out), out404(view)),
        Check("shelter:case_signature out", "get", url("case_signature", c_out), out404(view)),
        Check(
            "shelter:defect_create out",
            "post",
            url("defect_create", c_out),
            out404(manage),
            {"defect-component": "roof", "defect-description": "Matrix"},
        ),
        Check(
            "shelter:defect_action out-fix",
            "post",
            url("defect_action", d_out, "fix"),
            out404(manage),
        ),
        Check(
            "shelter:defect_action out-verify",
            "post",
            url("defect_action", d_out, "verify"),
            out404(inspect),
        ),
        Check(
            "shelter:defect_action out-reopen",
            "post",
            url("defect_action", d_out, "reopen"),
            out404(inspect),
            {"reason": "Matrix"},
        ),
        # --- inspections --------------------------------------------------------------------
        Check(
            "shelter:inspection_list",
            "get",
            url("inspection_list"),
            allowed(view),
            absent=INSPECTION_OUT,
        ),
        Check(
            "shelter:inspection_create out",
            "get",
            url("inspection_create", c_out),
            out404(inspect),
        ),
        Check(
            "shelter:inspection_create out-post",
            "post",
            url("inspection_create", c_out),
            out404(inspect),
            {"kind": "progress", "inspected_on": "2026-01-10", "progress": "50", "result": "noted"},
        ),
        Check("shelter:inspection_detail in", "get", url("inspection_detail", i_in), hid(view)),
        Check(
            "shelter:inspection_detail out", "get", url("inspection_detail", i_out), out404(view)
        ),
        *[
            Check(
                f"shelter:inspection_action out-{action}",
                "post",
                url("inspection_action", i_out, action),
                out404(inspect),
            )
            for action in ("sign_off", "delete")
        ],
        Check(
            "shelter:inspection_photo out",
            "get",
            url("inspection_photo", world["photo_out"].pk),
            out404(view),
        ),
        # --- API ----------------------------------------------------------------------------
        Check(
            "shelter-case-list", "get", f"{api}/cases/", allowed(view), api=True, absent=CASE_OUT
        ),
        Check("shelter-case-detail in", "get", f"{api}/cases/{c_in}/", hid(view), api=True),
        Check("shelter-case-detail out", "get", f"{api}/cases/{c_out}/", out404(view), api=True),
        Check(
            "shelter-inspection-list",
            "get",
            f"{api}/inspections/",
            allowed(view),
            api=True,
            absent=INSPECTION_OUT,
        ),
        Check(
            "shelter-inspection-detail in",
            "get",
            f"{api}/inspections/{i_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "shelter-inspection-detail out",
            "get",
            f"{api}/inspections/{i_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "shelter-inspection-list post-out",
            "post",
            f"{api}/inspections/",
            allowed(inspect, ok_codes={400}),
            {"case": str(c_out), "kind": "progress", "progress": "10", "result": "noted"},
            api=True,
        ),
    ]

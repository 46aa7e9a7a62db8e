"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
training part: providers, courses (list, form, page, actions, finish, assessment),
enrolment (search, bulk, a trainee's page, actions, follow-ups), sessions, the
certificates and the attendance sheet, and the API:

    from tests.revitalization.matrix_training import training_checks, training_world
    # in the world fixture:   extras={"revitalization_training": training_world(), ...}
    # in checks_for:          *training_checks(role, w.extras["revitalization_training"],
    #                                          Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. Courses belong to the CRP
programme, so both the "in" course (Duhok) and the "out" one (Erbil) are out of the
users' programme scope: their pages, downloads and API answer 404 for a role holding the
permission (403 or 404 for one without it), and the lists show neither. Providers are
not scoped by place or programme: a role with the permission reaches them. Writes are
checked on out-of-scope records only (404, nothing changes); tests/revitalization checks
the writes that succeed."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

VIEW, TRAINING = "revitalization.view_revitalization", "revitalization.manage_training"
REF_IN, REF_OUT = "CRS-MTX-00001", "CRS-MTX-00002"
PROVIDER = "Matrix Vocational Centre"


def training_world() -> dict[str, Any]:
    from sanad.revitalization.models import (
        Attendance,
        Enrolment,
        PlacementFollowUp,
        TrainingSession,
    )
    from tests.factories import DUHOK, ERBIL
    from tests.registry.factories import make_household
    from tests.revitalization.factories import make_course, make_provider

    provider = make_provider(name=PROVIDER)
    day = datetime.date(2026, 4, 1)

    def course(governorate: str, reference: str) -> Any:
        made = make_course(
            governorate=governorate, reference=reference, provider=provider, status="running"
        )
        household = make_household(governorate=governorate, members=2)
        head = household.members.get(relationship="head")
        spouse = household.members.exclude(pk=head.pk).get()
        completed = Enrolment.objects.create(
            course=made,
            individual=head,
            household=household,
            enrolled_on=day,
            status="completed",
            certificate_number=f"CERT-{reference}-01",
            attendance_rate=100,
            completed_on=day,
        )
        enrolled = Enrolment.objects.create(
            course=made, individual=spouse, household=household, enrolled_on=day
        )
        session = TrainingSession.objects.create(course=made, number=1, held_on=day)
        Attendance.objects.create(session=session, enrolment=enrolled, present=True)
        placement = PlacementFollowUp.objects.create(
            enrolment=completed,
            followed_on=datetime.date(2026, 7, 1),
            months_after=3,
            outcome="employed",
        )
        return {
            "course": made,
            "completed": completed,
            "enrolled": enrolled,
            "placement": placement,
            "person": spouse,
        }

    return {
        "provider": provider,
        "in": course(DUHOK, REF_IN),
        "out": course(ERBIL, REF_OUT),
    }


def training_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, TRAINING)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"revitalization:{name}", args=args)  # noqa: E731
    c_in, c_out = world["in"]["course"].public_id, world["out"]["course"].public_id
    e_in = world["in"]["enrolled"].public_id
    e_out, done_out = world["out"]["enrolled"].public_id, world["out"]["completed"].public_id
    p_out = world["out"]["placement"].public_id
    provider = world["provider"].public_id
    api = "/api/v1/revitalization/courses"
    course_gets = (
        "course_edit",
        "course_finish",
        "course_assessment",
        "enrolment_create",
        "session_create",
        "course_certificates",
        "course_attendance_sheet",
    )
    course_posts = {
        "course_edit": {"title": "Matrix", "trade": "plumbing"},
        "course_finish": {},
        "course_assessment": {f"result_{e_out}": "pass"},
        "enrolment_create": {"individual": str(world["out"]["person"].public_id)},
        "enrolment_bulk": {"bulk-rule": "head"},
        "session_create": {"held_on": "2026-04-02", "hours": "4", "present": [str(e_out)]},
    }
    return [
        Check(
            "revitalization:course_list",
            "get",
            url("course_list"),
            allowed(view),
            absent=REF_OUT,
        ),
        Check(
            "revitalization:course_list in",
            "get",
            url("course_list"),
            allowed(view),
            absent=REF_IN,
        ),
        Check("revitalization:course_create", "get", url("course_create"), allowed(manage)),
        Check(
            "revitalization:course_create out",
            "post",
            url("course_create"),
            allowed(manage, ok_codes={400}),
            {
                "title": "Matrix course",
                "trade": "plumbing",
                "provider": str(provider),
                "governorate": "IQG11",
                "starts_on": "2026-04-01",
                "ends_on": "2026-05-01",
                "planned_sessions": "5",
                "capacity": "5",
                "min_attendance": "80",
            },
        ),
        Check("revitalization:course_detail in", "get", url("course_detail", c_in), out404(view)),
        Check("revitalization:course_detail out", "get", url("course_detail", c_out), out404(view)),
        *[
            Check(f"revitalization:{name} in", "get", url(name, c_in), out404(manage))
            for name in course_gets
        ],
        *[
            Check(f"revitalization:{name} out", "get", url(name, c_out), out404(manage))
            for name in course_gets
        ],
        *[
            Check(f"revitalization:{name} out-post", "post", url(name, c_out), out404(manage), data)
            for name, data in course_posts.items()
        ],
        *[
            Check(
                f"revitalization:course_action out-{action}",
                "post",
                url("course_action", c_out, action),
                out404(manage),
                data,
            )
            for action, data in (("start", {}), ("cancel", {"cancel-reason": "Matrix"}))
        ],
        Check(
            "revitalization:session_edit out",
            "get",
            url("session_edit", c_out, 1),
            out404(manage),
        ),
        Check(
            "revitalization:session_edit out-post",
            "post",
            url("session_edit", c_out, 1),
            out404(manage),
            {"held_on": "2026-04-01", "hours": "4", "present": []},
        ),
        Check(
            "revitalization:enrolment_detail in",
            "get",
            url("enrolment_detail", e_in),
            out404(view),
        ),
        Check(
            "revitalization:enrolment_detail out",
            "get",
            url("enrolment_detail", e_out),
            out404(view),
        ),
        Check(
            "revitalization:enrolment_certificate out",
            "get",
            url("enrolment_certificate", done_out),
            out404(manage),
        ),
        *[
            Check(
                f"revitalization:enrolment_action out-{action}",
                "post",
                url("enrolment_action", e_out, action),
                out404(manage),
                data,
            )
            for action, data in (("drop", {"drop-reason": "Matrix"}), ("reenrol", {}))
        ],
        Check(
            "revitalization:enrolment_placement_add out",
            "post",
            url("enrolment_placement_add", done_out),
            out404(manage),
            {
                "placement-followed_on": "2026-08-01",
                "placement-months_after": "4",
                "placement-outcome": "seeking",
            },
        ),
        Check(
            "revitalization:enrolment_placement_edit out",
            "get",
            url("enrolment_placement_edit", p_out),
            out404(manage),
        ),
        Check(
            "revitalization:enrolment_placement_edit out-post",
            "post",
            url("enrolment_placement_edit", p_out),
            out404(manage),
            {"followed_on": "2026-08-01", "months_after": "3", "outcome": "seeking"},
        ),
        Check("revitalization:provider_list", "get", url("provider_list"), allowed(view)),
        Check("revitalization:provider_create", "get", url("provider_create"), allowed(manage)),
        Check(
            "revitalization:provider_edit",
            "get",
            url("provider_edit", provider),
            allowed(manage),
        ),
        Check(
            "revitalization-course-list",
            "get",
            f"{api}/",
            allowed(view),
            api=True,
            absent=REF_OUT,
        ),
        Check("revitalization-course-detail in", "get", f"{api}/{c_in}/", out404(view), api=True),
        Check("revitalization-course-detail out", "get", f"{api}/{c_out}/", out404(view), api=True),
    ]

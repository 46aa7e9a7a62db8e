"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
governance part of revitalization: the programme dashboard and its CSV, community
centres (list, form, page, edit, visits, logging a complaint), social-cohesion
activities (list, form, page, edit, hold, participants, actions) and the API (centres,
activities, headline figures):

    from tests.revitalization.matrix_governance import governance_checks, governance_world
    # in the world fixture:   extras={"revitalization_governance": governance_world(), ...}
    # in checks_for:          *governance_checks(role, w.extras["revitalization_governance"],
    #                                            Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. Centres and activities belong to
the CRP programme, so both the "in" records (Duhok) and the "out" ones (Erbil) are out
of the users' programme scope: their pages and API answer 404 for a role holding the
permission (403 or 404 for one without it), lists and the dashboard show neither.
Writes are checked on out-of-scope records only (404, nothing changes);
tests/revitalization/test_governance*.py check the writes that succeed.

`make_centre` and `make_activity` build records directly (the part's tests use them too).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

VIEW, MANAGE = "revitalization.view_revitalization", "revitalization.manage_community"
LOG_CASE = "feedback.log_case"
CENTRE_IN, CENTRE_OUT = "Matrix centre Duhok", "Matrix centre Erbil"
COMMUNITY_OUT = "Matrix community Erbil"
REF_IN, REF_OUT = "SCA-MTX-00001", "SCA-MTX-00002"

_n = iter(range(1, 10**9))


def make_centre(*, community: Any = None, governorate: str | None = None, **kwargs: Any) -> Any:
    from sanad.feedback.models import Channel
    from sanad.revitalization.models import CommunityCentre
    from tests.revitalization.factories import make_community

    if community is None:
        community = make_community(**({"governorate": governorate} if governorate else {}))
    n = next(_n)
    if "channel" not in kwargs:
        kwargs["channel"] = Channel.objects.create(
            code=f"centre-test-{n}", name=f"Help desk {n}", kind="help_desk"
        )
    kwargs.setdefault("name", f"Centre {n}")
    return CommunityCentre.objects.create(
        community=community,
        programme=community.programme,
        governorate=community.governorate,
        **kwargs,
    )


def make_activity(*, community: Any = None, governorate: str | None = None, **kwargs: Any) -> Any:
    from sanad.revitalization.models import CohesionActivity
    from tests.revitalization.factories import make_community

    if community is None:
        community = make_community(**({"governorate": governorate} if governorate else {}))
    n = next(_n)
    kwargs.setdefault("reference", f"SCA-T-{n:05d}")
    kwargs.setdefault("kind", "civic")
    kwargs.setdefault("title", f"Town hall meeting {n}")
    kwargs.setdefault("held_on", datetime.date(2026, 6, 1))
    return CohesionActivity.objects.create(
        community=community,
        programme=community.programme,
        governorate=community.governorate,
        **kwargs,
    )


def governance_world() -> dict[str, Any]:
    from tests.factories import DUHOK, ERBIL
    from tests.registry.factories import make_household
    from tests.revitalization.factories import make_community

    community_in = make_community(governorate=DUHOK, name="Matrix community Duhok")
    community_out = make_community(governorate=ERBIL, name=COMMUNITY_OUT)
    activity_out = make_activity(
        community=community_out, reference=REF_OUT, status="held", kind="dialogue"
    )
    household = make_household(governorate=ERBIL, members=2)
    person = household.members.order_by("pk").first()
    activity_out.participants.add(person)
    return {
        "community_out": community_out,
        "centre_in": make_centre(community=community_in, name=CENTRE_IN),
        "centre_out": make_centre(community=community_out, name=CENTRE_OUT),
        "activity_in": make_activity(community=community_in, reference=REF_IN),
        "activity_out": activity_out,
        "planned_out": make_activity(community=community_out, reference="SCA-MTX-00003"),
        "person_out": person,
    }


def governance_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    log = view and can(role, LOG_CASE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"revitalization:{name}", args=args)  # noqa: E731
    c_in, c_out = world["centre_in"].public_id, world["centre_out"].public_id
    a_in, a_out = world["activity_in"].public_id, world["activity_out"].public_id
    p_out = world["planned_out"].public_id
    person = world["person_out"].public_id
    api = "/api/v1/revitalization"
    return [
        Check(
            "revitalization:dashboard",
            "get",
            url("dashboard"),
            allowed(view),
            absent=COMMUNITY_OUT,
        ),
        Check("revitalization:dashboard_csv", "get", url("dashboard_csv"), allowed(view)),
        Check(
            "revitalization:centre_list",
            "get",
            url("centre_list"),
            allowed(view),
            absent=CENTRE_OUT,
        ),
        Check(
            "revitalization:centre_list in",
            "get",
            url("centre_list"),
            allowed(view),
            absent=CENTRE_IN,
        ),
        Check("revitalization:centre_create", "get", url("centre_create"), allowed(manage)),
        Check(
            "revitalization:centre_create out",
            "post",
            url("centre_create"),
            allowed(manage, ok_codes={400}),
            {"name": "Matrix", "community": str(world["community_out"].public_id)},
        ),
        Check("revitalization:centre_detail in", "get", url("centre_detail", c_in), out404(view)),
        Check("revitalization:centre_detail out", "get", url("centre_detail", c_out), out404(view)),
        Check("revitalization:centre_edit out", "get", url("centre_edit", c_out), out404(manage)),
        Check(
            "revitalization:centre_edit out-post",
            "post",
            url("centre_edit", c_out),
            out404(manage),
            {"name": "Matrix"},
        ),
        Check(
            "revitalization:centre_visit out",
            "post",
            url("centre_visit", c_out),
            out404(manage),
            {"visit-day": "2026-06-01", "visit-visitors_female": "3"},
        ),
        Check(
            "revitalization:centre_case_create out",
            "get",
            url("centre_case_create", c_out),
            out404(log),
        ),
        Check(
            "revitalization:centre_case_create out-post",
            "post",
            url("centre_case_create", c_out),
            out404(log),
            {"category": "information", "description": "Matrix"},
        ),
        Check(
            "revitalization:activity_list",
            "get",
            url("activity_list"),
            allowed(view),
            absent=REF_OUT,
        ),
        Check(
            "revitalization:activity_list in",
            "get",
            url("activity_list"),
            allowed(view),
            absent=REF_IN,
        ),
        Check("revitalization:activity_create", "get", url("activity_create"), allowed(manage)),
        Check(
            "revitalization:activity_create out",
            "post",
            url("activity_create"),
            allowed(manage, ok_codes={400}),
            {
                "kind": "civic",
                "title": "Matrix",
                "community": str(world["community_out"].public_id),
                "held_on": "2026-06-01",
            },
        ),
        Check(
            "revitalization:activity_detail in", "get", url("activity_detail", a_in), out404(view)
        ),
        Check(
            "revitalization:activity_detail out", "get", url("activity_detail", a_out), out404(view)
        ),
        Check(
            "revitalization:activity_edit out", "get", url("activity_edit", a_out), out404(manage)
        ),
        Check(
            "revitalization:activity_edit out-post",
            "post",
            url("activity_edit", p_out),
            out404(manage),
            {"kind": "civic", "title": "Matrix", "held_on": "2026-06-01"},
        ),
        Check(
            "revitalization:activity_hold out", "get", url("activity_hold", p_out), out404(manage)
        ),
        Check(
            "revitalization:activity_hold out-post",
            "post",
            url("activity_hold", p_out),
            out404(manage),
            {"outcomes": "Matrix", "n_idp_female_18_59": "3", "n_host_male_18_59": "2"},
        ),
        Check(
            "revitalization:activity_participant_add out",
            "post",
            url("activity_participant_add", p_out),
            out404(manage),
            {"individual": str(person)},
        ),
        Check(
            "revitalization:activity_participant_remove out",
            "post",
            url("activity_participant_remove", a_out, person),
            out404(manage),
        ),
        *[
            Check(
                f"revitalization:activity_action out-{action}",
                "post",
                url("activity_action", target, action),
                out404(manage),
                {f"{action}-reason": "Matrix"},
            )
            for action, target in (("cancel", p_out), ("plan", a_out))
        ],
        Check(
            "revitalization-centre-list",
            "get",
            f"{api}/centres/",
            allowed(view),
            api=True,
            absent=CENTRE_OUT,
        ),
        Check(
            "revitalization-centre-detail in",
            "get",
            f"{api}/centres/{c_in}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-centre-detail out",
            "get",
            f"{api}/centres/{c_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-activity-list",
            "get",
            f"{api}/activities/",
            allowed(view),
            api=True,
            absent=REF_OUT,
        ),
        Check(
            "revitalization-activity-detail in",
            "get",
            f"{api}/activities/{a_in}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-activity-detail out",
            "get",
            f"{api}/activities/{a_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-headline-figures-list",
            "get",
            f"{api}/headline-figures/",
            allowed(view),
            api=True,
            absent=world["community_out"].code,
        ),
    ]

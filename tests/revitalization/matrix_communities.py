"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for part A of
the revitalization app: communities, assessments (their needs, resources, participation
and actions), infrastructure projects (actions, people benefiting, milestones, workers,
payments), contractors, and the API:

    from tests.revitalization.matrix_communities import communities_checks, communities_world
    # in the world fixture:   extras={"revitalization_communities": communities_world(), ...}
    # in checks_for:          *communities_checks(role, w.extras["revitalization_communities"],
    #                                             Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. Communities, assessments and
projects belong to the CRP programme, so both the "in" records (Duhok) and the "out"
ones (Erbil) are out of the users' programme scope: their pages, writes and API answer
404 for a role holding the permission (403 or 404 for one without it), and the lists
show neither. Contractors are not scoped (any role that may see the programme sees
them). Writes are checked on out-of-scope records only (404, nothing changes);
tests/revitalization checks the writes that succeed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse

VIEW, MANAGE = "revitalization.view_revitalization", "revitalization.manage_community"
NAME_IN, NAME_OUT = "Matrix community in", "Matrix community out"
REF_IN, REF_OUT = "CBA-MTX-00001", "CBA-MTX-00002"
PROJECT_IN, PROJECT_OUT = "INF-MTX-00001", "INF-MTX-00002"


def communities_world() -> dict[str, Any]:
    from sanad.revitalization.models import (
        CommunityResource,
        Contractor,
        Need,
        ProjectMilestone,
        ProjectWorker,
    )
    from tests.factories import DUHOK, ERBIL
    from tests.registry.factories import make_household
    from tests.revitalization.factories import make_assessment, make_community, make_project

    community_in = make_community(governorate=DUHOK, name=NAME_IN, code="COM-MTX-IN")
    community_out = make_community(governorate=ERBIL, name=NAME_OUT, code="COM-MTX-OUT")
    assessment_in = make_assessment(community=community_in, reference=REF_IN)
    assessment_out = make_assessment(community=community_out, reference=REF_OUT, status="completed")
    need_out = Need.objects.create(
        assessment=assessment_out, sector="water", description="Matrix need", votes=3, rank=1
    )
    resource_out = CommunityResource.objects.create(
        assessment=assessment_out, kind="land", description="Matrix land"
    )
    contractor = Contractor.objects.create(name="Matrix Builders")
    project_in = make_project(community=community_in, reference=PROJECT_IN)
    project_out = make_project(
        community=community_out,
        reference=PROJECT_OUT,
        status="in_progress",
        starts_on=datetime.date(2026, 1, 5),
        contractor=contractor,
    )
    milestone_out = ProjectMilestone.objects.create(
        project=project_out, order=1, name="Matrix stage", weight=Decimal("100")
    )
    household = make_household(governorate=ERBIL, members=1)
    person = household.members.first()
    worker_out = ProjectWorker.objects.create(
        project=project_out, individual=person, household=household, daily_rate=Decimal("20")
    )
    return {
        "community_in": community_in,
        "community_out": community_out,
        "assessment_in": assessment_in,
        "assessment_out": assessment_out,
        "need_out": need_out,
        "resource_out": resource_out,
        "contractor": contractor,
        "project_in": project_in,
        "project_out": project_out,
        "milestone_out": milestone_out,
        "worker_out": worker_out,
        "person_out": person,
    }


def communities_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"revitalization:{name}", args=args)  # noqa: E731
    c_in, c_out = world["community_in"].public_id, world["community_out"].public_id
    a_in, a_out = world["assessment_in"].public_id, world["assessment_out"].public_id
    p_in, p_out = world["project_in"].public_id, world["project_out"].public_id
    need, resource = world["need_out"].pk, world["resource_out"].pk
    milestone, worker = world["milestone_out"].pk, world["worker_out"].public_id
    contractor = world["contractor"].public_id
    area_out = world["community_out"].admin_unit.pcode
    assessment_actions = {
        "complete": {},
        "reopen": {"reopen-reason": "Matrix"},
        "cancel": {"cancel-reason": "Matrix"},
        "endorse": {
            "endorse-endorsed_by": "Matrix council",
            "endorse-endorsed_on": "2026-03-01",
            "endorse-endorsement_reference": "MTX-1",
        },
    }
    project_actions = {
        "endorse": {
            "endorse-endorsed_by": "Matrix council",
            "endorse-endorsed_on": "2026-03-01",
            "endorse-endorsement_reference": "MTX-1",
        },
        "start": {"start-starts_on": "2026-03-02"},
        "complete": {"complete-completed_on": "2026-03-03"},
        "handover": {
            "handover-handover_authority": "Matrix directorate",
            "handover-handover_on": "2026-03-04",
            "handover-handover_reference": "MTX-2",
        },
        "cancel": {"cancel-reason": "Matrix"},
    }
    api = "/api/v1/revitalization"
    return [
        # --- communities -------------------------------------------------------------
        Check(
            "revitalization:community_list",
            "get",
            url("community_list"),
            allowed(view),
            absent=NAME_OUT,
        ),
        Check(
            "revitalization:community_list in",
            "get",
            url("community_list"),
            allowed(view),
            absent=NAME_IN,
        ),
        Check("revitalization:community_create", "get", url("community_create"), allowed(manage)),
        Check(
            "revitalization:community_create out",
            "post",
            url("community_create"),
            allowed(manage, ok_codes={400}),
            {"name": "Matrix new", "admin_unit": area_out, "active": "on"},
        ),
        Check(
            "revitalization:community_detail in",
            "get",
            url("community_detail", c_in),
            out404(view),
        ),
        Check(
            "revitalization:community_detail out",
            "get",
            url("community_detail", c_out),
            out404(view),
        ),
        Check(
            "revitalization:community_edit in", "get", url("community_edit", c_in), out404(manage)
        ),
        Check(
            "revitalization:community_edit out-post",
            "post",
            url("community_edit", c_out),
            out404(manage),
            {"name": "Matrix renamed", "admin_unit": area_out, "active": "on"},
        ),
        # --- assessments -------------------------------------------------------------
        Check(
            "revitalization:assessment_list",
            "get",
            url("assessment_list"),
            allowed(view),
            absent=REF_OUT,
        ),
        Check(
            "revitalization:assessment_list in",
            "get",
            url("assessment_list"),
            allowed(view),
            absent=REF_IN,
        ),
        Check("revitalization:assessment_create", "get", url("assessment_create"), allowed(manage)),
        Check(
            "revitalization:assessment_create out",
            "post",
            url("assessment_create"),
            allowed(manage, ok_codes={400}),
            {"community": str(c_out), "held_on": "2026-03-01", "method": "votes"},
        ),
        Check(
            "revitalization:assessment_detail in",
            "get",
            url("assessment_detail", a_in),
            out404(view),
        ),
        Check(
            "revitalization:assessment_detail out",
            "get",
            url("assessment_detail", a_out),
            out404(view),
        ),
        Check(
            "revitalization:assessment_edit out",
            "get",
            url("assessment_edit", a_out),
            out404(manage),
        ),
        Check(
            "revitalization:assessment_edit out-post",
            "post",
            url("assessment_edit", a_out),
            out404(manage),
            {"held_on": "2026-03-01", "method": "scores"},
        ),
        Check(
            "revitalization:assessment_participation out",
            "post",
            url("assessment_participation", a_out),
            out404(manage),
            {"p_idp_female_1": "5"},
        ),
        Check(
            "revitalization:assessment_need_add out",
            "post",
            url("assessment_need_add", a_out),
            out404(manage),
            {"need-sector": "water", "need-description": "Matrix", "need-votes": "1"},
        ),
        Check(
            "revitalization:assessment_need_edit out",
            "get",
            url("assessment_need_edit", a_out, need),
            out404(manage),
        ),
        Check(
            "revitalization:assessment_need_remove out",
            "post",
            url("assessment_need_remove", a_out, need),
            out404(manage),
        ),
        Check(
            "revitalization:assessment_select_needs out",
            "post",
            url("assessment_select_needs", a_out),
            out404(manage),
            {"needs": [str(need)]},
        ),
        Check(
            "revitalization:assessment_resource_add out",
            "post",
            url("assessment_resource_add", a_out),
            out404(manage),
            {"resource-kind": "land", "resource-description": "Matrix"},
        ),
        Check(
            "revitalization:assessment_resource_remove out",
            "post",
            url("assessment_resource_remove", a_out, resource),
            out404(manage),
        ),
        *[
            Check(
                f"revitalization:assessment_action out-{action}",
                "post",
                url("assessment_action", a_out, action),
                out404(manage),
                data,
            )
            for action, data in assessment_actions.items()
        ],
        # --- infrastructure projects -------------------------------------------------
        Check(
            "revitalization:project_list",
            "get",
            url("project_list"),
            allowed(view),
            absent=PROJECT_OUT,
        ),
        Check(
            "revitalization:project_list in",
            "get",
            url("project_list"),
            allowed(view),
            absent=PROJECT_IN,
        ),
        Check("revitalization:project_create", "get", url("project_create"), allowed(manage)),
        Check(
            "revitalization:project_create out",
            "post",
            url("project_create"),
            allowed(manage, ok_codes={400}),
            {
                "title": "Matrix",
                "kind": "road",
                "community": str(c_out),
                "budget": "100",
                "currency": "USD",
                "exchange_rate": "1310",
            },
        ),
        Check("revitalization:project_detail in", "get", url("project_detail", p_in), out404(view)),
        Check(
            "revitalization:project_detail out", "get", url("project_detail", p_out), out404(view)
        ),
        Check("revitalization:project_edit in", "get", url("project_edit", p_in), out404(manage)),
        Check(
            "revitalization:project_edit out-post",
            "post",
            url("project_edit", p_out),
            out404(manage),
            {"title": "Matrix", "kind": "road", "budget": "1", "currency": "USD"},
        ),
        Check(
            "revitalization:project_population out",
            "post",
            url("project_population", p_out),
            out404(manage),
            {
                "population-population_served": "10",
                "population-estimation_method": "other",
                "population-estimation_note": "Matrix",
            },
        ),
        Check(
            "revitalization:project_milestones out",
            "get",
            url("project_milestones", p_out),
            out404(manage),
        ),
        Check(
            "revitalization:project_milestones out-post",
            "post",
            url("project_milestones", p_out),
            out404(manage),
            {"rows": "1", "m-0-name": "Matrix", "m-0-weight": "100"},
        ),
        Check(
            "revitalization:project_milestone_progress out",
            "post",
            url("project_milestone_progress", p_out, milestone),
            out404(manage),
            {f"m{milestone}-progress": "50"},
        ),
        Check(
            "revitalization:project_worker_add out",
            "post",
            url("project_worker_add", p_out),
            out404(manage),
            {"worker-individual": str(world["person_out"].public_id), "worker-daily_rate": "5"},
        ),
        Check(
            "revitalization:project_worker_toggle out",
            "post",
            url("project_worker_toggle", p_out, worker),
            out404(manage),
        ),
        Check(
            "revitalization:project_payment_add out",
            "post",
            url("project_payment_add", p_out),
            out404(manage),
            {
                "payment-worker": str(worker),
                "payment-period_start": "2026-02-01",
                "payment-period_end": "2026-02-05",
                "payment-days": "5",
                "payment-paid_on": "2026-02-06",
            },
        ),
        *[
            Check(
                f"revitalization:project_action out-{action}",
                "post",
                url("project_action", p_out, action),
                out404(manage),
                data,
            )
            for action, data in project_actions.items()
        ],
        # --- contractors (not scoped by governorate or programme) ---------------------
        Check("revitalization:contractor_list", "get", url("contractor_list"), allowed(view)),
        Check("revitalization:contractor_create", "get", url("contractor_create"), allowed(manage)),
        Check(
            "revitalization:contractor_detail",
            "get",
            url("contractor_detail", contractor),
            allowed(view, denied=hidden),
            absent=PROJECT_OUT,
        ),
        Check(
            "revitalization:contractor_edit",
            "get",
            url("contractor_edit", contractor),
            allowed(manage, denied=hidden),
        ),
        # --- API ---------------------------------------------------------------------
        Check(
            "revitalization-community-list",
            "get",
            f"{api}/communities/",
            allowed(view),
            api=True,
            absent=NAME_OUT,
        ),
        Check(
            "revitalization-community-detail in",
            "get",
            f"{api}/communities/{c_in}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-community-detail out",
            "get",
            f"{api}/communities/{c_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-project-list",
            "get",
            f"{api}/projects/",
            allowed(view),
            api=True,
            absent=PROJECT_OUT,
        ),
        Check(
            "revitalization-project-detail in",
            "get",
            f"{api}/projects/{p_in}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-project-detail out",
            "get",
            f"{api}/projects/{p_out}/",
            out404(view),
            api=True,
        ),
    ]

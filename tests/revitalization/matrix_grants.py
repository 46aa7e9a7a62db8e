"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
business-grant part of revitalization: calls (list, form, page, edit, criteria,
committee, ranking, selection, status actions), applications (list, entering one,
import and its template, page, actions), the committee's scoring pages, and the API
(grant calls, grant applications):

    from tests.revitalization.matrix_grants import grants_checks, grants_world
    # in the world fixture:   extras={"revitalization_grants": grants_world(), ...}
    # in checks_for:          *grants_checks(role, w.extras["revitalization_grants"],
    #                                        Check, can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. Calls and applications belong to
the CRP programme, so both the "in" call (Duhok) and the "out" one (Ninewa) are out of
the users' programme scope: their pages and API answer 404 for a role holding the
permission (403 or 404 for one without it), lists show neither. Writes are checked on
out-of-scope records only (404, nothing changes); tests/revitalization/test_grant_*.py
check the writes that succeed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse

VIEW, GRANTS, SCORE = (
    "revitalization.view_revitalization",
    "revitalization.manage_grants",
    "revitalization.score_application",
)
REF_IN, REF_OUT = "GRC-MTX-00001", "GRC-MTX-00002"
APP_IN, APP_OUT = "GRA-MTX-00001", "GRA-MTX-00002"


def _application(call: Any, reference: str, governorate: str) -> Any:
    from sanad.revitalization.models import GrantApplication
    from tests.registry.factories import make_household

    household = make_household(governorate=governorate, members=2)
    return GrantApplication.objects.create(
        reference=reference,
        call=call,
        household=household,
        applicant=household.members.get(relationship="head"),
        business_name=f"Matrix shop {reference}",
        sector="retail",
        business_kind="new",
        description="Matrix",
        requested_amount=Decimal("2000"),
        submitted_on=datetime.date(2026, 2, 10),
        status="eligible",
    )


def grants_world() -> dict[str, Any]:
    from sanad.revitalization.models import CommitteeMember
    from tests.factories import DUHOK, NINEWA, make_user
    from tests.revitalization.factories import make_call

    call_in = make_call(governorate=DUHOK, reference=REF_IN, status="scoring")
    call_out = make_call(governorate=NINEWA, reference=REF_OUT, status="scoring")
    member = make_user("grant_committee", programmes=("CRP",))
    return {
        "call_in": call_in,
        "call_out": call_out,
        "app_in": _application(call_in, APP_IN, DUHOK),
        "app_out": _application(call_out, APP_OUT, NINEWA),
        "member_out": CommitteeMember.objects.create(call=call_out, user=member),
        "criterion_out": call_out.criteria.first(),
    }


def grants_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, grants, score = can(role, VIEW), can(role, GRANTS), can(role, SCORE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    url = lambda name, *args: reverse(f"revitalization:{name}", args=args)  # noqa: E731
    c_in, c_out = world["call_in"].public_id, world["call_out"].public_id
    a_in, a_out = world["app_in"].public_id, world["app_out"].public_id
    member_out = world["member_out"]
    criterion_out = world["criterion_out"]
    call_actions = {
        "open": {},
        "close": {},
        "reopen": {"reopen-reason": "Matrix"},
        "unselect": {"cancel-reason": "Matrix"},
        "complete": {},
        "cancel": {"cancel-reason": "Matrix"},
    }
    application_actions = {
        "check": {},
        "override": {"override-to": "ineligible", "override-reason": "Matrix"},
        "withdraw": {"withdraw-reason": "Matrix"},
    }
    call_form = {
        "title": "Matrix call",
        "project": str(world["call_out"].project.public_id),
        "governorate": "IQG15",
        "opens_on": "2026-03-01",
        "closes_on": "2026-04-01",
        "currency": "USD",
        "exchange_rate": "1310",
        "amount_min": "1000",
        "amount_max": "5000",
        "budget": "50000",
        "tranches": "2",
        "min_age": "18",
        "quorum": "2",
    }
    calls_api, apps_api = (
        "/api/v1/revitalization/grant-calls",
        "/api/v1/revitalization/grant-applications",
    )
    checks = [
        Check("revitalization:call_list", "get", url("call_list"), allowed(view), absent=REF_OUT),
        Check("revitalization:call_list in", "get", url("call_list"), allowed(view), absent=REF_IN),
        Check("revitalization:call_create", "get", url("call_create"), allowed(grants)),
        Check(
            "revitalization:call_create out",
            "post",
            url("call_create"),
            allowed(grants, ok_codes={400}),
            call_form,
        ),
        Check("revitalization:call_detail in", "get", url("call_detail", c_in), out404(view)),
        Check("revitalization:call_detail out", "get", url("call_detail", c_out), out404(view)),
        Check("revitalization:call_edit out", "get", url("call_edit", c_out), out404(grants)),
        Check(
            "revitalization:call_edit out-post",
            "post",
            url("call_edit", c_out),
            out404(grants),
            call_form,
        ),
        Check(
            "revitalization:call_criteria out", "get", url("call_criteria", c_out), out404(grants)
        ),
        Check(
            "revitalization:call_criteria out-post",
            "post",
            url("call_criteria", c_out),
            out404(grants),
            {
                "criteria-TOTAL_FORMS": "1",
                "criteria-INITIAL_FORMS": "0",
                "criteria-0-name": "Matrix",
                "criteria-0-weight": "100",
                "criteria-0-max_score": "10",
            },
        ),
        Check(
            "revitalization:call_committee out",
            "get",
            url("call_committee", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:call_committee out-post",
            "post",
            url("call_committee", c_out),
            out404(grants),
            {"user": str(member_out.user.public_id), "role": "member"},
        ),
        Check(
            "revitalization:call_member_remove out",
            "post",
            url("call_member_remove", c_out, member_out.pk),
            out404(grants),
        ),
        Check("revitalization:call_ranking out", "get", url("call_ranking", c_out), out404(grants)),
        Check(
            "revitalization:call_ranking out-post",
            "post",
            url("call_ranking", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:call_selection out",
            "get",
            url("call_selection", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:call_selection out-post",
            "post",
            url("call_selection", c_out),
            out404(grants),
            {"reserve": "0", f"status_{a_out}": "selected"},
        ),
        *[
            Check(
                f"revitalization:call_action out-{action}",
                "post",
                url("call_action", c_out, action),
                out404(grants),
                data,
            )
            for action, data in call_actions.items()
        ],
        Check(
            "revitalization:application_create out",
            "get",
            url("application_create", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:application_create out-post",
            "post",
            url("application_create", c_out),
            out404(grants),
            {"applicant": str(world["app_out"].applicant.public_id), "business_name": "Matrix"},
        ),
        Check(
            "revitalization:application_import out",
            "get",
            url("application_import", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:application_import out-post",
            "post",
            url("application_import", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:application_import_template out",
            "get",
            url("application_import_template", c_out),
            out404(grants),
        ),
        Check(
            "revitalization:application_list",
            "get",
            url("application_list"),
            allowed(view),
            absent=APP_OUT,
        ),
        Check(
            "revitalization:application_list in",
            "get",
            url("application_list"),
            allowed(view),
            absent=APP_IN,
        ),
        Check(
            "revitalization:application_detail in",
            "get",
            url("application_detail", a_in),
            out404(view),
        ),
        Check(
            "revitalization:application_detail out",
            "get",
            url("application_detail", a_out),
            out404(view),
        ),
        *[
            Check(
                f"revitalization:application_action out-{action}",
                "post",
                url("application_action", a_out, action),
                out404(grants),
                data,
            )
            for action, data in application_actions.items()
        ],
        Check(
            "revitalization:scoring_list",
            "get",
            url("scoring_list"),
            allowed(score),
            absent=REF_OUT,
        ),
        Check("revitalization:scoring_call out", "get", url("scoring_call", c_out), out404(score)),
        Check(
            "revitalization:scoring_application out",
            "get",
            url("scoring_application", a_out),
            out404(score),
        ),
        Check(
            "revitalization:scoring_application out-post",
            "post",
            url("scoring_application", a_out),
            out404(score),
            {"step": "score", f"score_{criterion_out.pk}": "5"},
        ),
        Check(
            "revitalization-grant-call-list",
            "get",
            f"{calls_api}/",
            allowed(view),
            api=True,
            absent=REF_OUT,
        ),
        Check(
            "revitalization-grant-call-detail in",
            "get",
            f"{calls_api}/{c_in}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-grant-call-detail out",
            "get",
            f"{calls_api}/{c_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-grant-application-list",
            "get",
            f"{apps_api}/",
            allowed(view),
            api=True,
            absent=APP_OUT,
        ),
        Check(
            "revitalization-grant-application-detail in",
            "get",
            f"{apps_api}/{a_in}/",
            out404(view),
            api=True,
        ),
        Check(
            "revitalization-grant-application-detail out",
            "get",
            f"{apps_api}/{a_out}/",
            out404(view),
            api=True,
        ),
    ]
    return checks

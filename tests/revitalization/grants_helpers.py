"""Helpers of the business-grant tests: the officer and committee users, a call opened
through the services with its committee, households with an applicant of a chosen age,
applications, and a member's declaration and scores in one call."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sanad.revitalization.models import GrantApplication, GrantCall
from sanad.revitalization.services.grants import applications as app_services
from sanad.revitalization.services.grants import calls as call_services
from sanad.revitalization.services.grants import scoring
from tests.factories import DUHOK, make_user
from tests.registry.factories import make_household, member_data
from tests.revitalization.factories import crp, make_call

D = datetime.date
_n = iter(range(1, 10**9))


def officer(governorates: tuple[str, ...] = (DUHOK,)) -> Any:
    crp()
    return make_user("programme_officer", governorates=governorates, programmes=("CRP",))


def scorer(governorates: tuple[str, ...] = (DUHOK,), **kwargs: Any) -> Any:
    crp()
    return make_user("grant_committee", governorates=governorates, programmes=("CRP",), **kwargs)


def open_call(
    user: Any,
    *,
    members: int = 3,
    quorum: int = 2,
    status: str = "open",
    **kwargs: Any,
) -> tuple[GrantCall, list[Any]]:
    """A call (made by the factory, criteria Viability 60 / Vulnerability 40, each out
    of 10) with `members` committee users, opened through the services; `status`
    "scoring" closes it too (after the applications are made by the caller: use
    `close`)."""
    call = make_call(quorum=quorum, **kwargs)
    users = [scorer(username=f"scorer-{next(_n)}") for _ in range(members)]
    for i, member in enumerate(users):
        call_services.call_member_add(
            user=user, call=call, member=member, role="chair" if i == 0 else "member"
        )
    if status in ("open", "scoring"):
        call_services.call_transition(user=user, call=call, to="open")
    if status == "scoring":
        close(user, call)
    call.refresh_from_db()
    return call, users


def close(user: Any, call: GrantCall) -> GrantCall:
    call_services.call_transition(user=user, call=call, to="scoring")
    call.refresh_from_db()
    return call


BORN = D(1990, 3, 1)


def household(*, born: D = BORN, sex: str = "male", governorate: str = DUHOK, **data: Any) -> Any:
    """A household of two: the head (born `born`) and a spouse born 1992."""
    members = [
        member_data(relationship="head", sex=sex, date_of_birth=born, index=0),
        member_data(
            relationship="spouse",
            sex="female" if sex == "male" else "male",
            date_of_birth=D(1992, 1, 1),
            index=1,
        ),
    ]
    return make_household(governorate=governorate, members=members, **data)


def head(h: Any) -> Any:
    return h.members.get(relationship="head")


def apply(user: Any, call: GrantCall, applicant: Any = None, **kwargs: Any) -> GrantApplication:
    applicant = applicant or head(household())
    kwargs.setdefault("business_name", f"Shop {next(_n)}")
    kwargs.setdefault("sector", "retail")
    kwargs.setdefault("business_kind", "new")
    kwargs.setdefault("description", "A grocery shop in the market.")
    kwargs.setdefault("requested_amount", Decimal("3000"))
    kwargs.setdefault("jobs_planned", 1)
    return app_services.application_create(user=user, call=call, applicant=applicant, **kwargs)


def criteria(call: GrantCall) -> list[Any]:
    return list(call.criteria.order_by("order"))


def score(member: Any, application: GrantApplication, *values: Any) -> None:
    """The member declares no conflict and gives these scores, criterion by criterion."""
    application.refresh_from_db()
    scoring.application_declare(user=member, application=application, has_conflict=False)
    scoring.application_score(
        user=member,
        application=application,
        scores={
            c.pk: Decimal(str(v)) for c, v in zip(criteria(application.call), values, strict=False)
        },
    )

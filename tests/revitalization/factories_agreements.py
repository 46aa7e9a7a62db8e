"""A grants world for the agreement tests (part C): a CRP call in Duhok whose project
runs around today, selected applications made directly (part B's services choose them
in production), and the users who write, approve, sign, disburse and approve the cash
plan. Steps go through the services."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.cash import services as cash
from sanad.cash.models import CashPlan
from sanad.revitalization.models import (
    BusinessPlan,
    GrantAgreement,
    GrantApplication,
    GrantCall,
    GrantVisit,
)
from sanad.revitalization.services.grants import agreements as services
from sanad.revitalization.services.grants import visits
from tests.factories import DUHOK, make_user
from tests.registry.factories import make_household
from tests.revitalization.factories import crp_project, make_call, make_community

_n = itertools.count(1)
LINES = [
    {"item": "Sewing machine", "quantity": "2", "unit_cost": "800"},
    {"item": "Fabric stock", "quantity": "10", "unit_cost": "90"},
]  # 2,500 in all


@dataclass
class GrantsWorld:
    call: GrantCall
    officer: Any  # programme officer CRP Duhok: writes plans, signs, disburses, releases
    second: Any  # another programme officer: approves business plans and the cash plan
    viewer: Any  # M&E viewer: sees, writes nothing
    applications: list[GrantApplication] = field(default_factory=list)

    @property
    def today(self) -> datetime.date:
        return timezone.localdate()


def grants_world(*, applications: int = 2, tranches: int = 2, **call: Any) -> GrantsWorld:
    today = timezone.localdate()
    project = crp_project(
        start_date=today - datetime.timedelta(days=300),
        end_date=today + datetime.timedelta(days=700),
    )
    call.setdefault("project", project)
    call.setdefault("opens_on", today - datetime.timedelta(days=280))
    call.setdefault("closes_on", today - datetime.timedelta(days=250))
    call.setdefault("status", "selected")
    c = make_call(tranches=tranches, **call)
    scope = {"governorates": (DUHOK,), "programmes": ("CRP",)}
    w = GrantsWorld(
        call=c,
        officer=make_user("programme_officer", **scope),
        second=make_user("programme_officer", **scope),
        viewer=make_user("me_viewer", **scope),
    )
    community = make_community()
    for _i in range(applications):
        w.applications.append(selected_application(c, community=community))
    return w


def selected_application(
    call: GrantCall, *, status: str = "selected", **kwargs: Any
) -> GrantApplication:
    n = next(_n)
    household = make_household(governorate=call.governorate.pcode, members=3)
    head = household.members.get(relationship="head")
    kwargs.setdefault("reference", f"GRA-C-{n:05d}")
    kwargs.setdefault("business_name", f"Tailoring shop {n}")
    kwargs.setdefault("sector", "services")
    kwargs.setdefault("business_kind", "new")
    kwargs.setdefault("description", "A tailoring shop in the market.")
    kwargs.setdefault("requested_amount", Decimal("2500"))
    kwargs.setdefault("submitted_on", call.opens_on + datetime.timedelta(days=3))
    kwargs.setdefault("rank", n)
    return GrantApplication.objects.create(
        call=call, household=household, applicant=head, status=status, **kwargs
    )


def write_plan(w: GrantsWorld, application: GrantApplication, **kwargs: Any) -> BusinessPlan:
    values: dict[str, Any] = {
        "user": w.officer,
        "application": application,
        "summary": "Buy two machines and fabric; hire one tailor.",
        "budget_lines": LINES,
        "own_contribution": "300",
        "jobs_expected": 2,
        "revenue_band_expected": "medium",
    }
    values.update(kwargs)
    return services.business_plan_save(**values)


def approved_plan(w: GrantsWorld, application: GrantApplication, **kwargs: Any) -> BusinessPlan:
    plan = write_plan(w, application, **kwargs)
    return services.business_plan_approve(user=w.second, plan=plan)


def signed(
    w: GrantsWorld, application: GrantApplication, *, days_ago: int = 40, **kwargs: Any
) -> GrantAgreement:
    if not BusinessPlan.objects.filter(application=application, approved_at__isnull=False).exists():
        approved_plan(w, application)
    kwargs.setdefault("signed_on", w.today - datetime.timedelta(days=days_ago))
    kwargs.setdefault("witness", "Mukhtar of the village")
    return services.agreement_sign(user=w.officer, application=application, **kwargs)


def disbursed(w: GrantsWorld, *, approve: bool = True) -> CashPlan:
    """Every application signed, put in a cash plan, approved by the second officer."""
    for application in w.applications:
        application.refresh_from_db()
        if application.status == "selected":
            signed(w, application)
    plan = services.agreements_disburse(user=w.officer, call=w.call)
    if approve:
        plan = cash.plan_approve(user=w.second, plan=plan)
    return plan


def verify(
    w: GrantsWorld,
    agreement: GrantAgreement,
    tranche: int = 1,
    *,
    visited_on: datetime.date | None = None,
    spent: bool = True,
    operating: bool = True,
) -> GrantVisit:
    return visits.visit_record(
        user=w.officer,
        agreement=agreement,
        kind="verification",
        verifies_tranche=tranche,
        visited_on=visited_on or w.today,
        operating=operating,
        funds_used_as_planned=spent,
        notes="Machines bought and in use.",
    )

"""The communities and infrastructure demo: eight communities, five assessments (three
endorsed, one completed, one draft, a tie explained), six projects across their
statuses, cash-for-work workers paid through the ledger; a second run adds nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from sanad.assistance.models import AssistanceRecord
from sanad.assistance.selectors import people_reached
from sanad.revitalization import demo_communities
from sanad.revitalization.models import CommunityAssessment, InfrastructureProject, Need
from tests.factories import DUHOK, NINEWA, make_user
from tests.registry.factories import make_household
from tests.revitalization.factories import crp, crp_project

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_communities_assessments_and_projects_once():
    crp()
    crp_project(
        code="CRP-JPN-2026-01",
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2027, 2, 28),
    )
    admin = make_user("administrator", username="admin")
    officer = make_user(
        "programme_officer",
        governorates=(DUHOK, NINEWA),
        programmes=("CRP",),
        username="crp.officer",
    )
    lead = make_user(
        "programme_officer", governorates=(DUHOK, NINEWA), programmes=("CRP",), username="crp.lead"
    )
    for _ in range(14):
        make_household(governorate=NINEWA, members=2)
    for _ in range(4):
        make_household(governorate=DUHOK, members=2)
    users = {"admin": admin, "crp.officer": officer, "crp.lead": lead}
    counts = demo_communities.seed(admin=admin, users=users)
    assert counts["communities"] == 8 and counts["community assessments"] == 5
    statuses = sorted(CommunityAssessment.objects.values_list("status", flat=True))
    assert statuses == ["completed", "draft", "endorsed", "endorsed", "endorsed"]
    assert Need.objects.filter(rank_note__startswith="Tied with").count() >= 4
    projects = dict(
        InfrastructureProject.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    assert projects == {"handed_over": 2, "completed": 1, "in_progress": 2, "proposed": 1}
    handed = InfrastructureProject.objects.filter(status="handed_over")
    assert all(p.population_served and p.estimation_method and p.estimation_note for p in handed)
    ledger = AssistanceRecord.objects.filter(item="crp_cash_for_work")
    assert ledger.count() == counts["worker payments"] > 0
    assert people_reached(programme="CRP")["individuals"] == counts["cash-for-work workers"]
    assert demo_communities.seed(admin=admin, users=users) == counts

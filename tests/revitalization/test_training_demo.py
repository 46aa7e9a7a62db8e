"""The training demo: two providers, four courses in Duhok and Ninewa with registry
people as trainees, attendance, results, certificates written to the ledger and
placement follow-ups; made through the services, and a second run adds nothing."""

from __future__ import annotations

import datetime

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.revitalization import demo_training
from sanad.revitalization.models import Course, Enrolment, PlacementFollowUp
from tests.factories import DUHOK, NINEWA, ProjectFactory, make_user, subdistrict_in
from tests.registry.factories import HouseholdFactory, IndividualFactory
from tests.revitalization.factories import crp

pytestmark = pytest.mark.django_db
STATUSES = ("idp_in_camp", "returnee", "host_community", "idp_out_of_camp")


def _people(governorate: str, n: int) -> None:
    for i in range(n):
        household = HouseholdFactory(
            admin_unit=subdistrict_in(governorate), displacement_status=STATUSES[i % 4]
        )
        IndividualFactory(
            household=household,
            sex="female" if i % 2 else "male",
            date_of_birth=datetime.date(1995 + i % 10, 3, 1),
        )


def test_the_demo_makes_courses_at_every_stage_once():
    programme = crp()
    ProjectFactory(
        programme=programme,
        code="CRP-JPN-2026-01",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        status="active",
    )
    _people(DUHOK, 40)
    _people(NINEWA, 32)
    officer = make_user("programme_officer", governorates=(DUHOK, NINEWA), programmes=("CRP",))
    made = demo_training.seed(admin=make_user("administrator"), users={"crp.officer": officer})
    assert made["training providers"] == 2 and made["courses"] == 4
    assert made["trainees"] == 16 + 18 + 15 + 12
    statuses = dict(Course.objects.values_list("title", "status"))
    assert sorted(statuses.values()) == ["finished", "finished", "planned", "running"]
    certificates = Enrolment.objects.filter(status="completed")
    assert made["certificates"] == certificates.count() > 10
    assert Enrolment.objects.filter(status="not_completed").count() >= 4
    assert Enrolment.objects.filter(status="dropped_out").count() == 3
    assert set(Enrolment.objects.values_list("individual__sex", flat=True)) == {"female", "male"}
    assert (
        AssistanceRecord.objects.filter(source_type="revitalization.enrolment").count()
        == certificates.count()
    )
    assert made["placement follow-ups"] == PlacementFollowUp.objects.count() > 0
    electrical = Course.objects.get(trade="electrical")
    assert electrical.project is not None and electrical.project.code == "CRP-JPN-2026-01"
    again = demo_training.seed(admin=None, users={"crp.officer": officer})
    assert again == made
    assert Course.objects.count() == 4

"""The governance demo data: three centres with their visits and complaints, six
activities (four held, with registered participants in the ledger); a second run adds
nothing."""

from __future__ import annotations

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.feedback.models import Case
from sanad.revitalization import demo_governance
from sanad.revitalization.models import CentreVisitDay, CohesionActivity, CommunityCentre
from tests.factories import DUHOK, NINEWA, make_user, unit
from tests.registry.factories import make_household
from tests.revitalization.factories import crp, make_community

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_centres_visits_complaints_and_activities_once():
    crp()
    admin = make_user("administrator", username="admin")
    officer = make_user(
        "programme_officer",
        governorates=(DUHOK, NINEWA),
        programmes=("CRP",),
        username="crp.officer",
    )
    for _key, (_names, pcode, name, _ar, population) in demo_governance.COMMUNITIES.items():
        make_community(
            governorate=pcode[:5], name=name, admin_unit=unit(pcode), population=population
        )
    for governorate in (DUHOK, NINEWA, DUHOK, NINEWA):
        make_household(governorate=governorate, members=4)
    counts = demo_governance.seed(admin=admin, users={"admin": admin, "crp.officer": officer})
    assert counts["community centres"] == 3 and counts["complaints at centres"] == 7
    assert counts["social-cohesion activities"] == 6
    assert CommunityCentre.objects.filter(channel__kind="help_desk").count() == 3
    assert CentreVisitDay.objects.count() == counts["centre visit days"] > 60
    assert Case.objects.filter(sensitivity="normal", programme__code="CRP").count() == 7
    assert CohesionActivity.objects.filter(status="held").count() == 4
    # Registered participants join held activities only: each is in the ledger.
    ledger = AssistanceRecord.objects.filter(item="crp_social_cohesion")
    assert ledger.count() == counts["registered participants"] > 0
    again = demo_governance.seed(admin=admin, users={"admin": admin, "crp.officer": officer})
    assert set(again.values()) == {0}

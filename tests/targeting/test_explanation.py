"""The explanation of one household (each condition met or failed, its value, the score
broken down, the quota, the manual decision) and the appeal look-up."""

from __future__ import annotations

import datetime

import pytest

from sanad.assistance.services import assistance_record
from sanad.core.models import PersonalDataAccess
from sanad.registry.models import ShelterType
from sanad.targeting import selectors, services
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.targeting.conftest import (
    TODAY,
    all_of,
    any_of,
    built,
    cond,
    household,
    weighted_model,
    widow_with_children,
)

pytestmark = pytest.mark.django_db

SEASON = (TODAY - datetime.timedelta(days=45)).isoformat()
WINTER = all_of(
    cond("governorate", "eq", DUHOK),
    any_of(cond("critical_shelter", "is_true"), cond("shelter_type", "eq", "camp")),
    cond("received", "is_false", {"what": "item", "code": "winter_kit", "since": SEASON}),
)


@pytest.fixture
def winter(officer):
    kit = household(DUHOK, shelter_type=ShelterType.CAMP)
    assistance_record(
        user=make_user("administrator"),
        household=kit,
        programme="NFI",
        kind="in_kind",
        item="winter_kit",
        quantity=1,
        unit="kit",
        delivered_on=TODAY - datetime.timedelta(days=10),
        source_type="test",
        source_id="kit-1",
    )
    widow = widow_with_children(DUHOK, shelter_type=ShelterType.INFORMAL_SETTLEMENT)
    version = weighted_model(
        officer,
        [
            ("Woman-headed", cond("is_woman_headed", "is_true"), 10),
            ("Large", cond("is_large", "is_true"), 3),
        ],
    )
    lst = built(officer, WINTER, version=version)
    return lst, kit, widow


def explain(user, lst, hh):
    entry = selectors.entry_get(user=user, lst=lst, household_public_id=hh.public_id)
    return selectors.explanation(user=user, lst=lst, entry=entry)


def test_each_condition_says_whether_it_was_met_and_what_the_record_says(officer, winter):
    lst, kit, widow = winter
    data = explain(officer, lst, kit)
    conditions = [r for r in data["rows"] if not r["group"]]
    assert [r["met"] for r in conditions] == [True, False, True, False]
    assert conditions[2]["text"] == "Shelter type is Camp"
    assert conditions[3]["text"].startswith("has not received winter_kit (item or kit) since")
    assert conditions[3]["now_value"] == "has received"
    assert conditions[0]["now_value"] == "Duhok (IQG09)" or "Duhok" in conditions[0]["now_value"]
    assert data["rule_met"] is False
    assert data["entry"].get_outcome_display() == "Excluded: does not meet the rule"
    widow_data = explain(officer, lst, widow)
    assert widow_data["rule_met"] is True
    assert widow_data["entry"].included


def test_the_score_is_broken_down_by_criterion(officer, winter):
    lst, _kit, widow = winter
    score = explain(officer, lst, widow)["score"]
    assert score["kind"] == "weighted" and score["total"] == 10.0
    assert [(r["label"], r["met"], r["earned"]) for r in score["rows"]] == [
        ("Woman-headed", True, 10),
        ("Large", False, 0),
    ]


def test_the_explanation_page_shows_why_and_logs_the_view(officer, winter):
    lst, kit, widow = winter
    client = client_for(officer)
    page = client.get(f"/targeting/lists/{lst.public_id}/households/{kit.public_id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Excluded: does not meet the rule" in body
    assert body.count('data-testid="condition-row"') == 4
    assert "has received" in body
    assert (
        PersonalDataAccess.objects.filter(user=officer, purpose="targeting explanation").count()
        == 1
    )
    page = client.get(f"/targeting/lists/{lst.public_id}/households/{widow.public_id}/")
    assert 'data-testid="score-breakdown"' in page.content.decode()


def test_a_manual_decision_and_its_reason_are_part_of_the_explanation(officer, winter):
    lst, kit, _widow = winter
    services.decision_set(
        lst=lst,
        user=officer,
        household=kit,
        decision="include",
        reason="Kit was stolen; police report seen.",
    )
    services.list_build(lst=lst, user=officer)
    data = explain(officer, lst, kit)
    assert data["decision"].reason == "Kit was stolen; police report seen."
    page = client_for(officer).get(f"/targeting/lists/{lst.public_id}/households/{kit.public_id}/")
    assert "Kit was stolen; police report seen." in page.content.decode()


def test_the_appeal_look_up_finds_every_list_that_considered_the_household(officer, winter):
    lst, kit, _widow = winter
    hotline = make_user("hotline_operator", governorates=(DUHOK,))
    page = client_for(hotline).get(
        "/targeting/appeals/", {"registration_id": kit.registration_id.lower()}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert lst.name in body and "Excluded: does not meet the rule" in body
    assert f"/targeting/lists/{lst.public_id}/households/{kit.public_id}/" in body
    assert (
        client_for(hotline)
        .get(f"/targeting/lists/{lst.public_id}/households/{kit.public_id}/")
        .status_code
        == 200
    )


def test_the_appeal_look_up_shows_nothing_outside_the_users_governorates(officer, winter):
    officer_all = make_user("programme_officer", programmes=("NFI",))
    erbil = household(ERBIL)
    lst = built(officer_all, all_of(), name="Whole country")
    duhok_hotline = make_user("hotline_operator", governorates=(DUHOK,))
    assert selectors.appeal_lookup(user=duhok_hotline, registration_id=erbil.registration_id) == []
    erbil_hotline = make_user("hotline_operator", governorates=(ERBIL,))
    found = selectors.appeal_lookup(user=erbil_hotline, registration_id=erbil.registration_id)
    assert [e.list for e in found] == [lst]

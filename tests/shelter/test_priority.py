"""Prioritisation: damage points, vulnerability normalised across the round (reversed
for a proxy means test, 0 off the list, 100 when all equal), the weighted priority,
ties, the snapshot, ticks and the final mark."""

from __future__ import annotations

import datetime

import pytest

from sanad.core.errors import InvalidTransition, NotFound, ValidationFailed
from sanad.shelter.models import PriorityEntry, PriorityRound
from sanad.shelter.services import priority as services
from tests.factories import DUHOK, NINEWA
from tests.registry.factories import make_household
from tests.shelter.assessments_factories import (
    engineer_for,
    officer_for,
    scored_list,
    shelter_project,
    validated,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]
from tests.shelter.assessments_factories import photo_dir  # noqa: E402,F401

# --- the formula ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category,points", [("minor", 25), ("moderate", 50), ("severe", 75), ("destroyed", 100)]
)
def test_damage_points_are_the_category_points_out_of_four_times_100(category, points):
    assert services.damage_points(category) == points


def test_vulnerability_points_run_from_0_for_the_lowest_score_to_100_for_the_highest():
    points = services.vulnerability_points({"a": 10.0, "b": 20.0, "c": 40.0})
    assert points == {"a": 0.0, "b": pytest.approx(100 / 3), "c": 100.0}


def test_a_lower_score_is_more_vulnerable_when_the_model_says_so():
    points = services.vulnerability_points(
        {"a": 10.0, "b": 20.0, "c": 40.0}, lower_is_more_vulnerable=True
    )
    assert points == {"a": 100.0, "b": pytest.approx(200 / 3), "c": 0.0}


def test_a_household_not_on_the_list_gets_0_and_equal_scores_all_get_100():
    assert services.vulnerability_points({"a": 5.0, "b": 5.0, "c": None}) == {
        "a": 100.0,
        "b": 100.0,
        "c": 0.0,
    }
    assert services.vulnerability_points({"a": None}) == {"a": 0.0}


def test_priority_weighs_damage_and_vulnerability_points():
    assert (
        services.priority_of(weight_damage=60, weight_vulnerability=40, damage=75, vulnerability=50)
        == 65.0
    )
    assert (
        services.priority_of(
            weight_damage=70, weight_vulnerability=30, damage=25, vulnerability=100 / 3
        )
        == 27.5
    )


# --- rounds ---------------------------------------------------------------------------------


@pytest.fixture
def people():
    return engineer_for(), officer_for()


def _round(officer, project, lst=None, wd=60, wv=40):
    return services.priority_round_create(
        user=officer,
        data={
            "name": "Round 1",
            "project": project,
            "beneficiary_list": lst,
            "weight_damage": wd,
            "weight_vulnerability": wv,
        },
    )


def _rows(rnd):
    return list(
        PriorityEntry.objects.filter(round=rnd)
        .order_by("rank")
        .values_list(
            "assessment__household__registration_id",
            "damage_points",
            "vulnerability_score",
            "vulnerability_points",
            "priority",
            "rank",
        )
    )


def test_a_round_ranks_validated_houses_by_the_weighted_formula(people):
    engineer, officer = people
    project = shelter_project()
    poor, middle, better, unlisted = (make_household(governorate=NINEWA) for _ in range(4))
    validated(engineer, officer, project, household=poor, damage="moderate")
    validated(engineer, officer, project, household=middle, damage="severe")
    validated(engineer, officer, project, household=better, damage="destroyed")
    validated(engineer, officer, project, household=unlisted, damage="severe")
    lst = scored_list("SHELTER", {poor: 30.0, middle: 20.0, better: 10.0})
    rnd = _round(officer, project, lst)
    assert _rows(rnd) == [
        # poor: 0.6×50 + 0.4×100 = 70; better: 0.6×100 + 0 = 60; middle: 45 + 20 = 65
        (poor.registration_id, 50.0, 30.0, 100.0, 70.0, 1),
        (middle.registration_id, 75.0, 20.0, 50.0, 65.0, 2),
        (better.registration_id, 100.0, 10.0, 0.0, 60.0, 3),
        (unlisted.registration_id, 75.0, None, 0.0, 45.0, 4),
    ]
    assert rnd.computed_at is not None


def test_a_proxy_means_test_list_ranks_the_lowest_score_as_most_vulnerable(people):
    engineer, officer = people
    project = shelter_project()
    low, high = make_household(governorate=NINEWA), make_household(governorate=NINEWA)
    validated(engineer, officer, project, household=low, damage="severe")
    validated(engineer, officer, project, household=high, damage="severe")
    lst = scored_list("SHELTER", {low: 1.5, high: 9.0}, direction="low")
    rnd = _round(officer, project, lst, wd=50, wv=50)
    rows = _rows(rnd)
    assert [(r[0], r[3], r[4]) for r in rows] == [
        (low.registration_id, 100.0, 87.5),
        (high.registration_id, 0.0, 37.5),
    ]


def test_a_household_excluded_from_the_list_counts_as_not_on_it(people):
    engineer, officer = people
    project = shelter_project()
    on, off = make_household(governorate=NINEWA), make_household(governorate=NINEWA)
    validated(engineer, officer, project, household=on, damage="minor")
    validated(engineer, officer, project, household=off, damage="minor")
    lst = scored_list("SHELTER", {on: 12.0}, excluded=(off,))
    rows = _rows(_round(officer, project, lst))
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (on.registration_id, 12.0, 100.0),
        (off.registration_id, None, 0.0),
    ]


def test_ties_go_to_more_damage_then_to_the_earlier_assessment(people):
    engineer, officer = people
    project = shelter_project()
    today = datetime.date.today()
    late = validated(
        engineer, officer, project, damage="severe", assessed_on=today - datetime.timedelta(days=1)
    )
    early = validated(
        engineer, officer, project, damage="severe", assessed_on=today - datetime.timedelta(days=5)
    )
    worst = validated(engineer, officer, project, damage="destroyed")
    rnd = _round(officer, project, wd=100, wv=0)
    order = list(rnd.entries.order_by("rank").values_list("assessment_id", flat=True))
    assert order == [worst.pk, early.pk, late.pk]
    # Same priority, different damage: damage first.
    assert (
        services.rank_assessments([late, worst], {}, weight_damage=0, weight_vulnerability=100)[
            0
        ].assessment
        == worst
    )


def test_only_validated_assessments_of_the_project_without_a_case_are_ranked(people):
    engineer, officer = people
    project, other = shelter_project(), shelter_project()
    from tests.shelter.assessments_factories import assess

    kept = validated(engineer, officer, project)
    assess(engineer, project, submit=True)  # submitted, not validated
    validated(engineer, officer, other)
    rnd = _round(officer, project, wd=100, wv=0)
    assert list(rnd.entries.values_list("assessment_id", flat=True)) == [kept.pk]


def test_of_a_house_assessed_twice_only_the_latest_validated_assessment_is_ranked(people):
    engineer, officer = people
    project = shelter_project()
    first = validated(engineer, officer, project, damage="minor")
    from sanad.shelter.services import assessments
    from tests.shelter.assessments_factories import form_data, jpeg, make_item

    again = assessments.assessment_create(
        user=engineer,
        data={**form_data(project, damage="destroyed"), "property": first.property},
        boq=[{"item": make_item(), "quantity": 1}],
        photos=[jpeg()],
        submit=True,
    )
    assessments.assessment_validate(user=officer, assessment=again)
    rnd = _round(officer, project, wd=100, wv=0)
    assert list(rnd.entries.values_list("assessment_id", flat=True)) == [again.pk]


def test_an_officer_ranks_only_the_houses_in_their_governorates(people):
    engineer, officer = people
    project = shelter_project()
    validated(engineer, officer, project)
    duhok_engineer = engineer_for(DUHOK)
    duhok_officer = officer_for(DUHOK)
    validated(duhok_engineer, duhok_officer, project, governorate=DUHOK)
    rnd = _round(officer, project, wd=100, wv=0)
    assert rnd.entries.count() == 1
    assert rnd.entries.get().assessment.governorate.pcode == NINEWA


@pytest.mark.parametrize("wd,wv", [(60, 30), (70, 40), (101, -1)])
def test_the_weights_must_add_up_to_100(people, wd, wv):
    _engineer, officer = people
    with pytest.raises(ValidationFailed) as exc:
        _round(officer, shelter_project(), scored_list("SHELTER", {}), wd=wd, wv=wv)
    assert exc.value.code in ("weights_not_100", "bad_weights")


def test_a_vulnerability_weight_needs_an_approved_list(people):
    _engineer, officer = people
    project = shelter_project()
    with pytest.raises(ValidationFailed) as exc:
        _round(officer, project, None, wd=60, wv=40)
    assert exc.value.code == "list_required"
    draft = scored_list("SHELTER", {}, status="draft")
    with pytest.raises(ValidationFailed) as exc:
        _round(officer, project, draft)
    assert exc.value.code == "list_not_approved"


def test_the_rows_are_a_snapshot_until_the_round_is_ranked_again(people):
    engineer, officer = people
    project = shelter_project()
    validated(engineer, officer, project)
    rnd = _round(officer, project, wd=100, wv=0)
    validated(engineer, officer, project)
    assert rnd.entries.count() == 1
    services.priority_round_recompute(user=officer, round=rnd)
    assert rnd.entries.count() == 2


def test_ticks_are_kept_when_weights_change_and_the_round_becomes_final(people):
    engineer, officer = people
    project = shelter_project()
    a = validated(engineer, officer, project, damage="minor")
    validated(engineer, officer, project, damage="destroyed")
    rnd = _round(officer, project, wd=100, wv=0)
    with pytest.raises(ValidationFailed):
        services.priority_round_finalise(user=officer, round=rnd)
    entry = rnd.entries.get(assessment=a)
    services.priority_select(user=officer, round=rnd, selected=[entry.pk])
    lst = scored_list("SHELTER", {})
    services.priority_round_update(
        user=officer,
        round=rnd,
        data={"weight_damage": 50, "weight_vulnerability": 50, "beneficiary_list": lst},
    )
    assert list(rnd.entries.filter(selected=True).values_list("assessment_id", flat=True)) == [a.pk]
    services.priority_round_finalise(user=officer, round=rnd)
    rnd.refresh_from_db()
    assert rnd.status == PriorityRound.Status.FINAL
    with pytest.raises(InvalidTransition):
        services.priority_select(user=officer, round=rnd, selected=[])
    with pytest.raises(InvalidTransition):
        services.priority_round_recompute(user=officer, round=rnd)


def test_a_row_outside_the_officer_reach_cannot_be_ticked(people):
    engineer, officer = people
    project = shelter_project()
    validated(engineer, officer, project)
    validated(engineer_for(DUHOK), officer_for(DUHOK), project, governorate=DUHOK)
    from tests.factories import make_user

    national = make_user("programme_officer", programmes=("SHELTER",))
    rnd = _round(national, project, wd=100, wv=0)
    duhok_row = rnd.entries.get(assessment__governorate__pcode=DUHOK)
    with pytest.raises(NotFound):
        services.priority_select(user=officer, round=rnd, selected=[duhok_row.pk])

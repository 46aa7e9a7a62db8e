"""The indicator arithmetic against the camp standards (pure), and editing the
standards (a change applies to rounds submitted afterwards only)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanad.camps.models import MonitoringRound, Standard
from sanad.camps.services.monitoring import (
    INDICATORS,
    active_standards,
    gaps_count,
    indicators_compute,
    round_submit,
    standard_update,
)
from sanad.core.errors import PermissionDenied, ValidationFailed
from tests.camps.factories import make_site
from tests.camps.monitoring_factories import make_round, months_ago, round_values, standard
from tests.factories import DUHOK, make_user

MAX, MIN = Standard.Direction.AT_MOST, Standard.Direction.AT_LEAST


def one(code: str, direction: str, threshold: object, **values: object) -> dict:
    [result] = indicators_compute(round_values(**values), [standard(code, direction, threshold)])
    return result


# --- the seven defaults, exactly at their thresholds ------------------------------------------
@pytest.mark.django_db
def test_the_seven_default_standards_are_installed_in_order() -> None:
    assert [s.code for s in active_standards()] == [
        "people_per_latrine",
        "people_per_shower",
        "people_per_tap",
        "water_lpd",
        "covered_area_pp",
        "people_per_shelter",
        "health_post_km",
    ]
    assert set(INDICATORS) == {s.code for s in Standard.objects.all()}


@pytest.mark.django_db
def test_a_site_exactly_at_every_default_threshold_meets_them_all() -> None:
    results = indicators_compute(round_values(), active_standards())
    assert [(r["code"], r["value"], r["met"]) for r in results] == [
        ("people_per_latrine", 20.0, True),
        ("people_per_shower", 50.0, True),
        ("people_per_tap", 250.0, True),
        ("water_lpd", 15.0, True),
        ("covered_area_pp", 3.5, True),
        ("people_per_shelter", 5.0, True),
        ("health_post_km", 5.0, True),
    ]
    assert gaps_count(results) == 0


def test_exactly_20_people_per_latrine_meets_at_most_20() -> None:
    assert one("people_per_latrine", MAX, 20, individuals=400, latrines=20)["met"] is True


def test_one_person_more_than_20_per_latrine_is_a_gap() -> None:
    result = one("people_per_latrine", MAX, 20, individuals=401, latrines=20)
    assert result["met"] is False
    assert result["value"] == 20.05


def test_a_thousandth_over_the_threshold_is_a_gap_and_is_shown_rounded_up() -> None:
    # 20 001 people / 1 000 latrines = 20.001: strictly more than 20.
    result = one("people_per_latrine", MAX, 20, individuals=20001, latrines=1000)
    assert result["met"] is False
    assert result["value"] == 20.01  # never shown as "20.00" beside a gap


def test_a_value_just_under_an_at_most_threshold_meets_and_is_shown_rounded_up() -> None:
    # 19 999 / 1 000 = 19.999 → shown 20.00, which agrees with "meets ≤ 20".
    result = one("people_per_latrine", MAX, 20, individuals=19999, latrines=1000)
    assert result["met"] is True
    assert result["value"] == 20.0


def test_exactly_15_litres_a_person_meets_at_least_15() -> None:
    result = one("water_lpd", MIN, 15, water_litres_per_day=1500, individuals=100)
    assert result == {
        "code": "water_lpd",
        "name": "water_lpd",
        "value": 15.0,
        "threshold": 15.0,
        "direction": "min",
        "unit": "u",
        "met": True,
        "note": "",
    }


def test_a_thousandth_of_a_litre_short_of_15_is_a_gap_and_is_shown_rounded_down() -> None:
    # 14 999 l / 1 000 people = 14.999 l: less than 15.
    result = one("water_lpd", MIN, 15, water_litres_per_day=14999, individuals=1000)
    assert result["met"] is False
    assert result["value"] == 14.99


def test_more_water_than_the_standard_meets_it() -> None:
    assert one("water_lpd", MIN, 15, water_litres_per_day=1501, individuals=100)["met"] is True


def test_exactly_3_5_square_metres_a_person_meets_at_least_3_5() -> None:
    result = one("covered_area_pp", MIN, "3.5", covered_area_m2=Decimal("350.0"), individuals=100)
    assert (result["value"], result["met"]) == (3.5, True)


def test_3_49_square_metres_a_person_is_a_gap() -> None:
    result = one("covered_area_pp", MIN, "3.5", covered_area_m2=Decimal("349.0"), individuals=100)
    assert (result["value"], result["met"]) == (3.49, False)


def test_decimal_arithmetic_does_not_lose_a_boundary_to_floating_point() -> None:
    # In floating point 3.3 / 3 is 1.0999999999999999 (< 1.1); it is exactly 1.1.
    result = one("covered_area_pp", MIN, "1.1", covered_area_m2=Decimal("3.3"), individuals=3)
    assert (result["value"], result["met"]) == (1.1, True)


def test_exactly_250_people_per_tap_meets_and_251_does_not() -> None:
    assert one("people_per_tap", MAX, 250, individuals=1000, water_taps=4)["met"] is True
    assert one("people_per_tap", MAX, 250, individuals=1004, water_taps=4)["met"] is False


def test_exactly_50_people_per_shower_meets_and_more_does_not() -> None:
    assert one("people_per_shower", MAX, 50, individuals=500, showers=10)["met"] is True
    assert one("people_per_shower", MAX, 50, individuals=501, showers=10)["met"] is False


def test_exactly_5_people_per_shelter_meets_and_more_does_not() -> None:
    assert one("people_per_shelter", MAX, 5, individuals=500, shelters=100)["met"] is True
    result = one("people_per_shelter", MAX, 5, individuals=501, shelters=100)
    assert (result["value"], result["met"]) == (5.01, False)


def test_the_health_post_exactly_5_km_away_meets_and_5_1_km_does_not() -> None:
    assert one("health_post_km", MAX, 5, health_post_distance_km=Decimal("5.0"))["met"] is True
    result = one("health_post_km", MAX, 5, health_post_distance_km=Decimal("5.1"))
    assert (result["value"], result["met"]) == (5.1, False)


def test_a_health_post_on_the_site_is_zero_km_and_meets() -> None:
    assert one("health_post_km", MAX, 5, health_post_distance_km=Decimal("0"))["met"] is True


def test_an_unrecorded_health_post_distance_is_a_gap_with_a_note() -> None:
    result = one("health_post_km", MAX, 5, health_post_distance_km=None)
    assert result["met"] is False
    assert result["value"] is None
    assert "not recorded" in result["note"]


# --- zero denominators -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "field", "words"),
    [
        ("people_per_latrine", "latrines", "No working latrine"),
        ("people_per_shower", "showers", "No working shower"),
        ("people_per_tap", "water_taps", "No working water tap"),
        ("people_per_shelter", "shelters", "No occupied shelter"),
    ],
)
def test_no_facility_at_all_is_a_gap_with_a_clear_note_not_a_crash(
    code: str, field: str, words: str
) -> None:
    result = one(code, MAX, 20, **{field: 0})
    assert result["met"] is False
    assert result["value"] is None
    assert words in result["note"]


@pytest.mark.parametrize("code", ["water_lpd", "covered_area_pp"])
def test_nobody_living_on_the_site_is_a_gap_for_per_person_supplies(code: str) -> None:
    result = one(code, MIN, 1, individuals=0)
    assert (result["value"], result["met"]) == (None, False)
    assert "enter the population" in result["note"]


def test_nobody_living_on_a_site_with_latrines_is_zero_people_per_latrine() -> None:
    result = one("people_per_latrine", MAX, 20, individuals=0, latrines=5)
    assert (result["value"], result["met"]) == (0.0, True)


# --- what is computed ------------------------------------------------------------------------------
def test_an_edited_direction_reverses_the_comparison() -> None:
    assert one("people_per_latrine", MIN, 20, individuals=400, latrines=20)["met"] is True
    assert one("people_per_latrine", MIN, 21, individuals=400, latrines=20)["met"] is False


def test_a_standard_without_a_computation_is_left_out_and_order_is_kept() -> None:
    standards = [
        standard("water_lpd", MIN, 15),
        standard("something_else", MAX, 1),
        standard("people_per_latrine", MAX, 20),
    ]
    results = indicators_compute(round_values(), standards)
    assert [r["code"] for r in results] == ["water_lpd", "people_per_latrine"]


def test_results_keep_the_threshold_direction_and_unit_used() -> None:
    [r] = indicators_compute(
        round_values(), [standard("people_per_tap", MAX, "200.5", name="Per tap", unit="people")]
    )
    assert (r["name"], r["threshold"], r["direction"], r["unit"]) == (
        "Per tap",
        200.5,
        "max",
        "people",
    )
    assert r["met"] is False  # 250 per tap > 200.5


def test_gaps_count_counts_the_indicators_not_met() -> None:
    results = indicators_compute(
        round_values(latrines=0, water_litres_per_day=100),
        [
            standard("people_per_latrine", MAX, 20),
            standard("water_lpd", MIN, 15),
            standard("people_per_tap", MAX, 250),
        ],
    )
    assert gaps_count(results) == 2


# --- editing the standards ---------------------------------------------------------------------
@pytest.mark.django_db
def test_an_im_officer_changes_a_threshold_and_it_applies_to_later_rounds_only() -> None:
    imo = make_user("im_officer", governorates=(DUHOK,))
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    site = make_site()
    earlier = make_round(site, months_ago(1), individuals=1000, latrines=50)
    round_submit(user=enumerator, round_=earlier)
    latrine = Standard.objects.get(code="people_per_latrine")

    standard_update(user=imo, standard=latrine, data={"threshold": "15"})

    earlier.refresh_from_db()
    kept = next(r for r in earlier.results if r["code"] == "people_per_latrine")
    assert (kept["threshold"], kept["met"]) == (20.0, True)
    later = make_round(site, months_ago(0), individuals=1000, latrines=50)
    round_submit(user=enumerator, round_=later)
    applied = next(r for r in later.results if r["code"] == "people_per_latrine")
    assert (applied["threshold"], applied["met"]) == (15.0, False)


@pytest.mark.django_db
def test_a_standard_turned_off_is_not_computed_on_later_rounds() -> None:
    imo = make_user("im_officer", governorates=(DUHOK,))
    standard_update(
        user=imo, standard=Standard.objects.get(code="health_post_km"), data={"active": False}
    )
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    r = make_round(make_site(), health_post_distance_km=None)
    round_submit(user=enumerator, round_=r)
    assert "health_post_km" not in {x["code"] for x in r.results}
    assert r.gaps == 0


@pytest.mark.django_db
def test_a_camp_manager_may_not_edit_the_standards() -> None:
    manager = make_user("camp_manager", governorates=(DUHOK,))
    with pytest.raises(PermissionDenied):
        standard_update(
            user=manager, standard=Standard.objects.get(code="water_lpd"), data={"threshold": 10}
        )
    assert Standard.objects.get(code="water_lpd").threshold == Decimal("15.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"threshold": "-1"}, "threshold"),
        ({"threshold": "abc"}, "threshold"),
        ({"threshold": "1.234"}, "threshold"),
        ({"direction": "between"}, "direction"),
        ({"name": " "}, "name"),
    ],
)
def test_a_standard_refuses_invalid_values(data: dict, field: str) -> None:
    imo = make_user("im_officer")
    with pytest.raises(ValidationFailed) as caught:
        standard_update(user=imo, standard=Standard.objects.get(code="water_lpd"), data=data)
    assert field in caught.value.fields


@pytest.mark.django_db
def test_a_standard_change_is_in_the_audit_trail() -> None:
    from sanad.core.models import AuditEvent

    imo = make_user("im_officer")
    water = Standard.objects.get(code="water_lpd")
    standard_update(user=imo, standard=water, data={"threshold": "20", "direction": "min"})
    water.refresh_from_db()
    assert water.threshold == Decimal("20.00")
    assert AuditEvent.objects.filter(
        content_type__model="standard", object_pk=str(water.pk), action="update"
    ).exists()


@pytest.mark.django_db
def test_submitted_rounds_keep_results_when_a_standard_is_deleted_from_use() -> None:
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    Standard.objects.filter(code="water_lpd").update(active=False)
    r = MonitoringRound.objects.get(pk=r.pk)
    assert "water_lpd" in {x["code"] for x in r.results}

"""The post-distribution monitoring sample: random, stratified by event place, at least
one household per place, repeatable from its seed."""

from __future__ import annotations

import pytest

from sanad.core.errors import ValidationFailed
from sanad.distribution import services
from sanad.distribution.services.sample import allocate
from tests.distribution.factories import distribution_world, record
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db


def test_allocation_is_proportional_with_at_least_one_per_place():
    assert allocate({"a": 90, "b": 10}, 10) == {"a": 9, "b": 1}
    assert allocate({"a": 99, "b": 1}, 5) == {"a": 4, "b": 1}
    assert allocate({"a": 3, "b": 2}, 10) == {"a": 3, "b": 2}
    assert sum(allocate({"a": 7, "b": 5, "c": 1}, 6).values()) == 6


def _served_at_the_camp() -> tuple:
    w = distribution_world(households=6, stocked=8)
    services.plan_approve(user=w.officer, plan=w.plan)
    camp_event = services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=w.today)
    services.event_dispatch(user=w.officer, event=camp_event)
    for household in w.households:
        record(w, camp_event, household)
    return w, camp_event


def test_a_sample_draws_from_households_that_received_and_repeats_with_its_seed():
    w, _camp_event = _served_at_the_camp()
    sample = services.sample_draw(user=w.officer, plan=w.plan, size=3, seed=42)
    drawn = sorted(sample.rows.values_list("household_id", flat=True))
    assert len(drawn) == 3 and sample.seed == 42
    assert set(drawn) <= {h.pk for h in w.households}
    again = services.sample_draw(user=w.officer, plan=w.plan, size=3, seed=42)
    assert sorted(again.rows.values_list("household_id", flat=True)) == drawn
    auto = services.sample_draw(user=w.officer, plan=w.plan, size=2)
    assert auto.seed is not None and auto.rows.count() == 2


def test_a_sample_covers_every_place_with_receipts():
    w = distribution_world(households=5, stocked=6)
    services.plan_approve(user=w.officer, plan=w.plan)
    camp_event = services.event_create(
        user=w.officer, plan=w.plan, place=w.camp, date=w.today, households=w.households[:4]
    )
    village = PlaceFactory(admin_unit=w.camp.admin_unit, kind="village")
    village_event = services.event_create(
        user=w.officer, plan=w.plan, place=village, date=w.today, households=w.households[4:]
    )
    services.event_dispatch(user=w.officer, event=camp_event)
    services.event_dispatch(user=w.officer, event=village_event)
    for household in w.households[:4]:
        record(w, camp_event, household)
    record(w, village_event, w.households[4])
    sample = services.sample_draw(user=w.officer, plan=w.plan, size=2, seed=7)
    places = set(sample.rows.values_list("event__place_id", flat=True))
    assert places == {w.camp.pk, village.pk}
    with pytest.raises(ValidationFailed):
        services.sample_draw(user=w.officer, plan=w.plan, size=1)


def test_nothing_to_sample_before_any_receipt():
    w = distribution_world(households=1)
    with pytest.raises(ValidationFailed) as exc:
        services.sample_draw(user=w.officer, plan=w.plan, size=1)
    assert exc.value.code == "nothing_to_sample"


def test_a_follow_up_call_is_recorded_on_the_sampled_household():
    w, _camp_event = _served_at_the_camp()
    sample = services.sample_draw(user=w.officer, plan=w.plan, size=1, seed=1)
    row = sample.rows.get()
    services.sample_call_record(
        user=w.officer, row=row, outcome="reached", satisfied=True, notes="Heater works"
    )
    row.refresh_from_db()
    assert (row.outcome, row.satisfied, row.notes) == ("reached", True, "Heater works")
    services.sample_call_record(user=w.officer, row=row, outcome="not_reached", satisfied=True)
    row.refresh_from_db()
    assert row.satisfied is None  # nobody answered: nobody said they were satisfied
    with pytest.raises(ValidationFailed):
        services.sample_call_record(user=w.officer, row=row, outcome="maybe")


@pytest.mark.parametrize("seed", [-1, 2**62, 2**70, "abc"])
def test_a_seed_outside_the_stored_range_is_refused_with_a_sentence(seed):
    w, _camp_event = _served_at_the_camp()
    with pytest.raises(ValidationFailed) as error:
        services.sample_draw(user=w.officer, plan=w.plan, size=2, seed=seed)
    assert "seed" in error.value.fields
    assert not w.plan.samples.exists()

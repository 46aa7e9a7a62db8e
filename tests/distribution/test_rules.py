"""The rules of distribution day: the seasonal window, one seasonal kit per household
per season, a replacement kit only after the original, households not on the list
refused with the reason (and the refusal kept), merged households served as the
household they were merged into, and the alternate collector."""

from __future__ import annotations

import datetime

import pytest

from sanad.core.errors import ApplicationError, Conflict, ValidationFailed
from sanad.distribution import services
from sanad.distribution.models import Receipt, Refusal
from sanad.registry.models import Household
from sanad.stock import services as stock
from tests.distribution.factories import (
    distribution_world,
    head_of,
    make_kit,
    open_event,
    record,
    stock_kits,
)
from tests.factories import DUHOK
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


def test_a_winter_event_outside_the_season_window_is_refused():
    w = distribution_world(households=1)
    outside = w.season.ends_on + datetime.timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=outside)
    assert exc.value.code == "season_closed"
    assert "date" in exc.value.fields


def test_a_basic_kit_needs_no_season():
    w = distribution_world(households=1, kind="basic")
    later = w.season.ends_on + datetime.timedelta(days=1)
    event = services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=later)
    assert event.expected_households == 1


def test_a_household_gets_one_winter_kit_per_season_whatever_the_plan():
    w = distribution_world(households=1)
    event = open_event(w)
    record(w, event, w.households[0])
    # A second winter plan (another kit of the same kind) on the same list.
    other_kit = make_kit(user=w.admin, kind="winter")
    stock_kits(user=w.admin, warehouse=w.warehouse, kit=other_kit, project=w.project, quantity=1)
    plan2 = services.plan_create(
        user=w.officer,
        name="Second winter round",
        beneficiary_list=w.lst,
        kit=other_kit,
        project=w.project,
        warehouse=w.warehouse,
    )
    services.plan_approve(user=w.officer, plan=plan2)
    event2 = services.event_create(user=w.officer, plan=plan2, place=w.camp, date=w.today)
    services.event_dispatch(user=w.officer, event=event2)
    with pytest.raises(Conflict) as exc:
        record(w, event2, w.households[0])
    assert exc.value.code == "already_received_this_season"
    assert w.season.name in str(exc.value.message)
    assert Refusal.objects.filter(event=event2, code="already_received_this_season").exists()


def test_a_replacement_kit_needs_the_original_in_the_ledger():
    w = distribution_world(households=2, kind="basic")
    event = open_event(w)
    record(w, event, w.households[0])  # the first household received the basic kit
    replacement = make_kit(user=w.admin, kind="replacement", replaces=(w.kit,))
    stock_kits(user=w.admin, warehouse=w.warehouse, kit=replacement, project=w.project, quantity=2)
    plan2 = services.plan_create(
        user=w.officer,
        name="Replacements",
        beneficiary_list=w.lst,
        kit=replacement,
        project=w.project,
        warehouse=w.warehouse,
    )
    services.plan_approve(user=w.officer, plan=plan2)
    event2 = services.event_create(user=w.officer, plan=plan2, place=w.camp, date=w.today)
    services.event_dispatch(user=w.officer, event=event2)
    assert record(w, event2, w.households[0]).kit == replacement
    with pytest.raises(ValidationFailed) as exc:
        record(w, event2, w.households[1])
    assert exc.value.code == "no_original_kit"
    assert exc.value.params["refusal"] == "no_original_kit"


def test_a_household_not_on_the_list_is_refused_with_the_reason_and_the_refusal_kept():
    w = distribution_world(households=1)
    event = open_event(w)
    stranger = make_household(governorate=DUHOK, members=2)
    check = services.household_check(user=w.field, event=event, household=stranger)
    assert not check["ok"] and check["code"] == "not_on_list"
    assert stranger.registration_id in check["message"]
    with pytest.raises(ApplicationError) as exc:
        record(w, event, stranger)
    assert exc.value.code == "not_on_list"
    refusal = Refusal.objects.get(event=event, household=stranger)
    assert refusal.code == "not_on_list" and refusal.message == check["message"]
    assert not Receipt.objects.exists()


def test_a_closed_or_planned_event_refuses_receipts():
    w = distribution_world(households=1)
    services.plan_approve(user=w.officer, plan=w.plan)
    event = services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=w.today)
    with pytest.raises(Conflict) as exc:
        record(w, event, w.households[0])
    assert exc.value.code == "event_not_open"


def test_a_merged_household_is_served_as_the_household_it_was_merged_into():
    w = distribution_world(households=1)
    event = open_event(w)
    survivor = w.households[0]
    duplicate = make_household(governorate=DUHOK, members=2)
    Household.objects.filter(pk=duplicate.pk).update(status="merged", merged_into=survivor)
    duplicate.refresh_from_db()
    check = services.household_check(user=w.field, event=event, household=duplicate)
    assert check["ok"] and check["merged"] and check["household"] == survivor
    receipt = record(w, event, duplicate, collected_by=head_of(survivor))
    assert receipt.household == survivor


def test_an_inactive_household_is_refused():
    w = distribution_world(households=1)
    event = open_event(w)
    Household.objects.filter(pk=w.households[0].pk).update(status="inactive")
    w.households[0].refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        record(w, event, w.households[0])
    assert exc.value.code == "household_not_active"


def test_a_household_served_at_one_event_is_refused_at_another_event_of_the_plan():
    w = distribution_world(households=1, kind="basic")
    services.plan_approve(user=w.officer, plan=w.plan)
    first = services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=w.today)
    services.event_dispatch(user=w.officer, event=first)
    record(w, first, w.households[0])
    stock.receipt_record(
        user=w.admin,
        warehouse=w.warehouse,
        project=w.project,
        date=w.today,
        lines=[{"item": w.kit.item, "quantity": 1}],
    )
    second = services.event_create(
        user=w.officer, plan=w.plan, place=w.camp, date=w.today, households=w.households
    )
    services.event_dispatch(user=w.officer, event=second, quantity=1)
    with pytest.raises(Conflict) as exc:
        record(w, second, w.households[0])
    assert exc.value.code == "already_received"
    assert w.camp.name in str(exc.value.message)

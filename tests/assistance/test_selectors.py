"""Reading the ledger: a household's history, "has it received X since D", amounts,
and unique people reached."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.assistance.selectors import (
    has_received,
    household_history,
    people_reached,
    received_value,
)
from sanad.registry.models import Household, Individual
from tests.assistance.conftest import TODAY, days_ago, household_with_members
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def merge(household, into):
    Household.objects.filter(pk=household.pk).update(status="merged", merged_into=into)
    household.refresh_from_db()


def test_the_history_lists_every_programme_the_user_may_see_newest_first(
    deliver, household, shelter
):
    old = deliver(household=household, delivered_on=days_ago(40))
    new = deliver(household=household, delivered_on=days_ago(2))
    shelter_kit = deliver(household=household, programme=shelter, item="sealing_off_kit")
    admin = make_user("administrator")
    assert list(household_history(user=admin, household=household)) == [new, shelter_kit, old]
    nfi_only = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    assert list(household_history(user=nfi_only, household=household)) == [new, old]
    elsewhere = make_user("programme_officer", governorates=(ERBIL,), programmes=("NFI",))
    assert list(household_history(user=elsewhere, household=household)) == []


def test_the_history_includes_what_was_given_to_a_household_merged_into_it(deliver, household):
    duplicate = household_with_members(DUHOK)
    before = deliver(household=duplicate)
    merge(duplicate, household)
    after = deliver(household=household, delivered_on=days_ago(1))
    admin = make_user("administrator")
    assert list(household_history(user=admin, household=household)) == [after, before]
    # Asking about the merged one answers for the family it joined.
    assert list(household_history(user=admin, household=duplicate)) == [after, before]


def test_has_received_answers_by_item_kind_programme_and_date(deliver, household, erbil_household):
    deliver(household=household, item="winter_kit", delivered_on=days_ago(30))
    assert has_received(household=household, item="winter_kit", since=days_ago(60))
    assert not has_received(household=household, item="winter_kit", since=days_ago(20))
    assert has_received(household=household, kind="in_kind", since=days_ago(60))
    assert not has_received(household=household, kind="cash", since=days_ago(60))
    assert has_received(household=household, programme="NFI", since=days_ago(60))
    assert not has_received(household=household, programme="SHELTER", since=days_ago(60))
    assert not has_received(household=erbil_household, item="winter_kit", since=days_ago(60))


def test_has_received_sees_a_kit_given_to_the_duplicate_before_the_merge(deliver, household):
    duplicate = household_with_members(DUHOK)
    deliver(household=duplicate, item="winter_kit")
    merge(duplicate, household)
    assert has_received(household=household, item="winter_kit", since=days_ago(60))


def test_received_value_converts_at_the_rate_of_each_delivery(deliver, household):
    cash = {"kind": "cash", "item": "mpca", "quantity": None, "unit": ""}
    deliver(household=household, value="100", currency="USD", exchange_rate="1300", **cash)
    deliver(household=household, value="260000", currency="IQD", exchange_rate="1300", **cash)
    deliver(
        household=household,
        value="50",
        currency="USD",
        exchange_rate="1300",
        delivered_on=days_ago(400),
        **cash,
    )
    assert received_value(household=household, since=days_ago(60), currency="USD") == Decimal(
        "300.00"
    )
    assert received_value(household=household, since=days_ago(60), currency="IQD") == Decimal(
        "390000.00"
    )


def test_people_reached_counts_each_person_once(deliver, household, django_assert_num_queries):
    # household: a man (1980), a woman (1983), a girl and a boy; two kits and a person-level service.
    deliver(household=household, item="winter_kit")
    deliver(household=household, item="summer_kit")
    wife = household.members.get(relationship="spouse")
    deliver(individual=wife, kind="service", item="psychosocial_support", quantity=None, unit="")
    with django_assert_num_queries(1):
        result = people_reached()
    assert result["individuals"] == 4 and result["households"] == 1
    assert (result["female"], result["male"]) == (2, 2)
    assert result["by_age"]["18-59"] == 2 and result["by_age"]["6-17"] == 2


def test_a_delivery_to_one_person_counts_only_that_person(deliver, household):
    wife = household.members.get(relationship="spouse")
    deliver(individual=wife, kind="training", item="tailoring", quantity=None, unit="")
    result = people_reached()
    assert result["individuals"] == 1 and result["female"] == 1 and result["households"] == 1


def test_members_born_after_the_delivery_or_gone_before_it_are_not_counted(deliver, household):
    deliver(household=household, delivered_on=days_ago(10))
    # A baby born since the delivery.
    Individual.objects.create(
        household=household, relationship="son", sex="male", date_of_birth=days_ago(3)
    )
    # A son who left: recorded today, after the delivery, so he was there then.
    son = household.members.get(relationship="son", date_of_birth__year__lt=2026)
    Individual.objects.filter(pk=son.pk).update(status="left")
    assert people_reached()["individuals"] == 4
    # A member who left before the delivery (his record last changed before it).
    gone = household.members.get(relationship="daughter")
    Individual.objects.filter(pk=gone.pk).update(
        status="left",
        updated_at=datetime.datetime.combine(days_ago(20), datetime.time(12), tzinfo=datetime.UTC),
    )
    assert people_reached()["individuals"] == 3


def test_a_merged_household_counts_once_through_the_household_it_joined(deliver, household):
    duplicate = household_with_members(DUHOK, members=4)
    deliver(household=duplicate, item="winter_kit", delivered_on=days_ago(20))
    merge(duplicate, household)
    deliver(household=household, item="summer_kit", delivered_on=days_ago(5))
    result = people_reached()
    assert result["individuals"] == 4 and result["households"] == 1


def test_people_reached_is_narrowed_by_programme_period_place_and_scope(
    deliver, household, erbil_household, shelter
):
    deliver(household=household, delivered_on=days_ago(100))
    deliver(
        household=erbil_household,
        programme=shelter,
        item="sealing_off_kit",
        delivered_on=days_ago(5),
    )
    assert people_reached()["individuals"] == 6
    assert people_reached(programme="NFI")["individuals"] == 4
    assert people_reached(start=days_ago(50))["individuals"] == 2
    assert people_reached(end=days_ago(50))["individuals"] == 4
    assert people_reached(governorate=ERBIL)["individuals"] == 2
    duhok_viewer = make_user("me_viewer", governorates=(DUHOK,))
    assert people_reached(user=duhok_viewer)["individuals"] == 4
    donor = make_user("donor_viewer", programmes=("SHELTER",))  # aggregates only
    assert people_reached(user=donor)["individuals"] == 2
    nobody = make_user("field_enumerator")
    assert people_reached(user=nobody)["individuals"] == 0


def test_ages_are_taken_on_the_last_day_of_the_period(deliver):
    household = household_with_members(DUHOK, members=1)
    Individual.objects.filter(household=household).update(
        date_of_birth=TODAY.replace(year=TODAY.year - 18) + datetime.timedelta(days=5)
    )
    deliver(household=household, delivered_on=days_ago(1))
    assert people_reached(end=TODAY)["by_age"]["6-17"] == 1
    later = TODAY + datetime.timedelta(days=10)
    assert people_reached(end=later)["by_age"]["18-59"] == 1

"""Derived vulnerability flags and demographics, kept current by every write."""

from __future__ import annotations

import datetime

import pytest

from sanad.registry import services
from tests.registry.factories import make_household, member_data, registrar

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def born(years: int) -> datetime.date:
    """A date of birth that makes the person `years` old today (1 January has passed)."""
    return datetime.date(TODAY.year - years, 1, 1)


def person(relationship: str, sex: str, years: int, **extra):
    return member_data(relationship=relationship, sex=sex, date_of_birth=born(years), **extra)


def reload(household):
    household.refresh_from_db()
    return household


class TestFlags:
    def test_a_household_headed_by_an_adult_woman_is_woman_headed(self):
        household = make_household(members=[person("head", "female", 34), person("son", "male", 8)])
        assert household.is_woman_headed and not household.is_child_headed

    def test_a_household_headed_by_a_child_is_child_headed_not_woman_headed(self):
        household = make_household(
            members=[person("head", "female", 16), person("brother", "male", 12)]
        )
        assert household.is_child_headed and not household.is_woman_headed

    def test_an_older_person_living_alone_is_flagged(self):
        assert make_household(members=[person("head", "male", 67)]).is_older_person_alone
        assert not make_household(members=[person("head", "male", 59)]).is_older_person_alone
        couple = make_household(
            members=[person("head", "male", 70), person("spouse", "female", 66)]
        )
        assert not couple.is_older_person_alone

    def test_disability_follows_the_washington_group_cut_off(self):
        some = make_household(members=[person("head", "male", 40, wg_seeing=2, wg_walking=2)])
        assert not some.has_disability
        a_lot = make_household(members=[person("head", "male", 40, wg_cognition=3)])
        assert a_lot.has_disability
        cannot = make_household(members=[person("head", "male", 40, wg_selfcare=4)])
        assert cannot.has_disability and cannot.members.get().has_disability

    def test_an_unaccompanied_child_is_flagged(self):
        household = make_household(
            members=[
                person("head", "male", 40),
                person("other_relative", "female", 9, is_unaccompanied_or_separated=True),
            ]
        )
        assert household.has_unaccompanied_child

    def test_seven_members_make_a_large_household(self):
        assert not make_household(members=6).is_large
        assert make_household(members=7).is_large


class TestDemographics:
    def test_members_are_counted_by_sex_age_group_and_disability(self):
        household = make_household(
            members=[
                person("head", "female", 45),
                person("mother", "female", 72, wg_walking=3),
                person("son", "male", 4),
                person("son", "male", 17, wg_hearing=4),
                person("daughter", "female", 6),
            ]
        )
        demo = household.demographics
        assert demo["female"] == {"0-5": 0, "6-17": 1, "18-59": 1, "60+": 1}
        assert demo["male"] == {"0-5": 1, "6-17": 1, "18-59": 0, "60+": 0}
        assert demo["disability"]["female"]["60+"] == 1
        assert demo["disability"]["male"]["6-17"] == 1
        assert household.size == 5


class TestKeptCurrent:
    def test_flags_follow_an_edit_of_a_member(self):
        household = make_household(members=2)
        spouse = household.members.get(relationship="spouse")
        services.member_update(member=spouse, user=registrar(), data={"wg_seeing": 4})
        assert reload(household).has_disability
        services.member_update(member=spouse, user=registrar(), data={"wg_seeing": 1})
        assert not reload(household).has_disability

    def test_flags_follow_the_removal_of_members(self):
        household = make_household(
            members=[person("head", "male", 70), person("spouse", "female", 65)]
        )
        assert not household.is_older_person_alone
        wife = household.members.get(relationship="spouse")
        services.member_remove(
            member=wife, user=registrar(), status="deceased", reason="Died in March"
        )
        household = reload(household)
        assert household.is_older_person_alone and household.size == 1
        assert household.demographics["female"]["60+"] == 0

    def test_a_new_head_changes_who_heads_the_household(self):
        household = make_household(members=2, head_sex="male")
        old, spouse = (
            household.members.get(relationship="head"),
            household.members.get(relationship="spouse"),
        )
        services.member_remove(
            member=old, user=registrar(), status="left", reason="Works abroad", new_head=spouse
        )
        assert reload(household).is_woman_headed

    def test_adding_members_makes_a_household_large(self):
        household = make_household(members=6)
        services.member_add(household=household, user=registrar(), data=person("son", "male", 1))
        assert reload(household).is_large and household.size == 7

"""The summary of the ledger counts each person once, across programmes, places,
months and merged duplicates, and stays right as records arrive."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sanad.assistance.selectors import people_reached
from sanad.programmes.models import Programme
from sanad.registry.services.merge import household_merge, household_unmerge
from sanad.reporting.common import month_end, month_start, parse_age_groups
from sanad.reporting.models import MonthState, ReachCell
from sanad.reporting.selectors.figures import Filters, reach
from tests.factories import DUHOK, ERBIL, make_user

from .conftest import TODAY, days_ago, household_with_members


def whole_months() -> Filters:
    return Filters(start=month_start(days_ago(400)), end=month_end(TODAY))


def test_a_person_reached_by_three_programmes_counts_once(db, deliver, household, refresh):
    head = household.members.get(relationship="head")
    crp = Programme.objects.get(code="CRP")
    shelter = Programme.objects.get(code="SHELTER")
    deliver(household=household)  # the household's kit: its 4 members
    deliver(
        household=household,
        programme=shelter,
        kind="service",
        item="shelter_repair",
        quantity=None,
        unit="",
    )
    deliver(
        programme=crp,
        individual=head,
        kind="grant",
        item="mpca",
        quantity=None,
        unit="",
        value=Decimal("100"),
        currency="USD",
        exchange_rate=Decimal("1310"),
    )
    refresh()
    summary = reach(filters=whole_months())
    total = summary.total()
    assert total.people == 4
    assert total.households == 1
    by_programme = summary.by("programme")
    assert sorted(f.people for f in by_programme.values()) == [1, 4, 4]
    assert total.records == 3
    assert total.value_usd == Decimal("100.00")
    assert total.value_iqd == Decimal("131000.00")


def test_figures_match_the_ledgers_own_count_of_people_reached(
    db, deliver, household, erbil_household, refresh
):
    deliver(household=household)
    deliver(household=erbil_household, delivered_on=days_ago(40))
    deliver(individual=household.members.get(relationship="head"), item="solar_lamp")
    refresh()
    start, end = month_start(days_ago(400)), month_end(TODAY)
    expected = people_reached(start=start, end=end)
    total = reach(filters=Filters(start=start, end=end)).total()
    assert total.people == expected["individuals"] == 6
    assert total.households == expected["households"]
    assert total.female == expected["female"]
    assert total.male == expected["male"]
    assert total.by_age == expected["by_age"]
    assert total.by_sex_and_age == expected["by_sex_and_age"]


def test_disaggregation_by_sex_age_and_disability(db, deliver, refresh):
    household = household_with_members(DUHOK, members=4)
    child = household.members.filter(relationship__in=["son", "daughter"]).first()
    # A lot of difficulty walking: the Washington Group cut-off (derived by the registry).
    type(child).objects.filter(pk=child.pk).update(wg_walking=3, has_disability=True)
    deliver(household=household)
    refresh()
    total = reach(filters=whole_months()).total()
    assert total.people == 4
    assert total.with_disability == 1
    assert total.with_disability_by_sex[child.sex] == 1
    assert sum(total.by_age.values()) == 4
    assert total.by_age["18-59"] == 2
    assert total.children == 2
    assert sum(total.disability_by_sex_and_age[child.sex].values()) == 1


def test_age_groups_can_be_configured(db, deliver, household, refresh, settings):
    settings.SANAD_REPORTING_AGE_GROUPS = "0-17,18+"
    deliver(household=household)
    refresh()
    total = reach(filters=whole_months()).total()
    assert total.by_age == {"0-17": 2, "18+": 2}


def test_age_groups_that_leave_a_gap_are_refused():
    import pytest

    for bad in ("0-5,7-17,18+", "1-5,6+", "0-5,6-17", "0-5,60+,6-17"):
        with pytest.raises(ValueError):
            parse_age_groups(bad)


def test_merged_duplicates_are_counted_once(db, deliver, refresh, system_user):
    first = household_with_members(DUHOK, members=2)
    second = household_with_members(DUHOK, members=2)  # the same family registered again
    deliver(household=first)
    deliver(household=second, item="solar_lamp")
    refresh()
    assert reach(filters=whole_months()).total().people == 4

    pairs = list(zip(second.members.order_by("pk"), first.members.order_by("pk"), strict=True))
    snapshot = household_merge(
        survivor=first, duplicate=second, user=system_user, reason="same family", pairs=pairs
    )
    refresh()
    total = reach(filters=whole_months()).total()
    assert total.people == 2
    assert total.households == 1
    # The ledger's own count agrees.
    assert (
        people_reached(start=month_start(days_ago(400)), end=month_end(TODAY))["individuals"] == 2
    )

    household_unmerge(snapshot=snapshot, user=system_user, reason="two families after all")
    refresh()
    assert reach(filters=whole_months()).total().people == 4


def test_a_named_member_of_a_merged_duplicate_counts_as_the_person_kept(
    db, deliver, refresh, system_user
):
    first = household_with_members(DUHOK, members=2)
    second = household_with_members(DUHOK, members=2)
    head_two = second.members.get(relationship="head")
    deliver(household=first)
    deliver(individual=head_two, item="training", kind="training", quantity=None, unit="")
    refresh()
    assert reach(filters=whole_months()).total().people == 3
    pairs = list(zip(second.members.order_by("pk"), first.members.order_by("pk"), strict=True))
    household_merge(
        survivor=first, duplicate=second, user=system_user, reason="same family", pairs=pairs
    )
    refresh()
    assert reach(filters=whole_months()).total().people == 2
    assert (
        people_reached(start=month_start(days_ago(400)), end=month_end(TODAY))["individuals"] == 2
    )


def test_new_records_extend_the_month_and_a_rebuild_gives_the_same_figures(db, deliver, refresh):
    households = [household_with_members(DUHOK, members=3) for _ in range(3)]
    deliver(household=households[0])
    first = refresh()
    assert first.months_rebuilt
    deliver(household=households[1])
    deliver(household=households[2], item="solar_lamp")
    second = refresh()
    assert second.months_extended and not second.months_rebuilt
    extended = reach(filters=whole_months()).total()
    assert extended.people == 9 and extended.records == 3
    nothing = refresh()
    assert not nothing.months_rebuilt and not nothing.months_extended
    refresh(rebuild=True)
    rebuilt = reach(filters=whole_months()).total()
    assert rebuilt.as_dict() == extended.as_dict()


def test_a_record_committed_late_with_a_lower_id_rebuilds_its_month(db, deliver, refresh):
    households = [household_with_members(DUHOK, members=2) for _ in range(2)]
    late = deliver(household=households[0])
    deliver(household=households[1])
    refresh()
    # As if `late` had been committed after the refresh read the month: forget it.
    state = MonthState.objects.get(month=month_start(late.delivered_on))
    state.records -= 1
    state.save()
    result = refresh()
    assert result.months_rebuilt == [f"{late.delivered_on:%Y-%m}"]
    assert reach(filters=whole_months()).total().people == 4


def test_filters_select_governorate_period_programme_and_item(
    db, deliver, household, erbil_household, refresh
):
    deliver(household=household)
    deliver(household=erbil_household, item="solar_lamp", delivered_on=days_ago(70))
    refresh()
    duhok = reach(filters=Filters(governorate=DUHOK)).total()
    assert duhok.people == 4
    erbil = reach(filters=Filters(governorate=ERBIL)).total()
    assert erbil.people == 2
    lamps = reach(filters=Filters(items=("solar_lamp",))).total()
    assert lamps.people == 2
    recent = days_ago(10)
    month = reach(filters=Filters(start=month_start(recent), end=month_end(recent))).total()
    assert month.people == (6 if month_start(days_ago(70)) == month_start(recent) else 4)


def test_the_user_sees_only_the_figures_of_their_scope(
    db, deliver, household, erbil_household, refresh
):
    deliver(household=household)
    deliver(household=erbil_household)
    refresh()
    duhok_officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    assert reach(user=duhok_officer, filters=whole_months()).total().people == 4
    donor = make_user("donor_viewer", governorates=(ERBIL,), programmes=None)
    assert reach(user=donor, filters=whole_months()).total().people == 2
    stranger = make_user("field_enumerator")
    assert reach(user=stranger, filters=whole_months()).total().people == 0


def test_a_household_delivery_counts_members_born_by_then_not_babies_born_after(
    db, deliver, refresh
):
    from tests.registry.factories import IndividualFactory

    household = household_with_members(DUHOK, members=2)
    deliver(household=household, delivered_on=days_ago(40))
    IndividualFactory(
        household=household, relationship="son", sex="male", date_of_birth=days_ago(5)
    )
    refresh()
    assert reach(filters=whole_months()).total().people == 2
    assert ReachCell.objects.count() == 1
    assert month_start(datetime.date.today()) is not None


def test_the_command_refreshes_with_progress_and_says_what_it_did(db, deliver, household, capsys):
    from io import StringIO

    from django.core.management import call_command

    deliver(household=household)
    out = StringIO()
    call_command("reporting_refresh", stdout=out)
    assert "1 rebuilt" in out.getvalue()
    assert "summary: 100%" in capsys.readouterr().err
    out = StringIO()
    call_command("reporting_refresh", "--quiet", stdout=out)
    assert "0 rebuilt, 0 extended" in out.getvalue()
    assert reach(filters=whole_months()).total().people == 4


def test_the_refresh_job_reports_progress(db, deliver, household, system_user):
    from sanad.core.jobs import job_run, job_start

    deliver(household=household)
    job = job_start(kind="reporting.refresh", user=system_user, params={})
    done = job_run(job.pk)
    assert done.status == "succeeded", done.error
    assert done.result["months_rebuilt"]
    assert done.progress_done == done.progress_total > 0


def test_the_periodic_task_waits_for_its_interval(db, deliver, household, settings):
    from sanad.reporting.services.summary import summary_refresh_due

    settings.SANAD_REPORTING_REFRESH_SECONDS = 3600
    deliver(household=household)
    assert summary_refresh_due() == 1
    deliver(household=household, item="solar_lamp")
    assert summary_refresh_due() == 0  # refreshed a moment ago
    settings.SANAD_REPORTING_REFRESH_SECONDS = 0
    assert summary_refresh_due() == 1

"""Population month by month: computed from the registry, counted on site, the command
and the job."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from sanad.camps.models import PopulationCount
from sanad.camps.selectors.sites import population_series
from sanad.camps.services import sites as services
from sanad.core.errors import ValidationFailed
from sanad.registry.models import DisplacementMove
from tests.camps.sites_factories import allocate, household_on, make_site, manager, plot

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_population_counts_households_allocated_at_the_end_of_the_month():
    site = make_site()
    a = household_on(site, members=3)
    b = household_on(site, members=5)
    left = household_on(site, members=2)
    allocate(site, a, plot=plot(site, "A-1"), on=D(2026, 1, 10))
    allocate(site, b, on=D(2026, 2, 3))
    gone = allocate(site, left, on=D(2025, 12, 1))
    gone.ended_on = D(2026, 2, 20)
    gone.save()

    row = services.population_compute(site=site, month=D(2026, 2, 14))
    assert row.month == D(2026, 2, 1)
    assert row.source == PopulationCount.Source.REGISTRY
    assert (row.households, row.individuals) == (2, 8)
    assert row.arrivals == 1 and row.departures == 1
    january = services.population_compute(site=site, month=D(2026, 1, 1))
    assert (january.households, january.individuals, january.arrivals) == (2, 5, 1)


def test_individuals_are_broken_down_by_sex_and_age_from_the_household_demographics():
    site = make_site()
    household = household_on(site, members=4)
    allocate(site, household, on=D(2026, 1, 1))
    row = services.population_compute(site=site, month=D(2026, 1, 1))
    total = sum(n for groups in row.by_sex_age.values() for n in groups.values())
    assert total == 4
    assert set(row.by_sex_age) == {"female", "male"}
    assert set(row.by_sex_age["female"]) == {"0-5", "6-17", "18-59", "60+"}
    assert row.by_sex_age == {
        sex: {g: household.demographics.get(sex, {}).get(g, 0) for g in services.AGE_GROUPS}
        for sex in ("female", "male")
    }


def test_households_whose_current_place_is_the_site_count_even_without_an_allocation():
    site = make_site()
    household_on(site, members=2, place=site.place)
    today = datetime.date.today()
    row = services.population_compute(site=site, month=today)
    assert (row.households, row.individuals) == (1, 2)


def test_a_household_allocated_on_another_site_is_not_counted_by_its_place():
    site, other = make_site(), make_site()
    household = household_on(site, place=site.place)
    allocate(other, household, on=D(2020, 1, 1))
    assert services.population_compute(site=site, month=datetime.date.today()).households == 0


def test_registry_moves_into_and_out_of_the_place_are_arrivals_and_departures():
    site = make_site()
    household = household_on(site, members=2)
    unit = site.place.admin_unit
    DisplacementMove.objects.create(
        household=household,
        moved_on=D(2026, 3, 4),
        to_admin_unit=unit,
        to_place=site.place,
        displacement_status="idp_in_camp",
    )
    DisplacementMove.objects.create(
        household=household,
        moved_on=D(2026, 5, 9),
        to_admin_unit=unit,
        to_place=None,
        displacement_status="returnee",
    )
    march = services.population_compute(site=site, month=D(2026, 3, 1))
    may = services.population_compute(site=site, month=D(2026, 5, 1))
    assert (march.arrivals, march.departures) == (1, 0)
    assert (may.arrivals, may.departures) == (0, 1)


def test_moving_between_plots_of_the_same_site_is_neither_arrival_nor_departure():
    site = make_site()
    household = household_on(site)
    allocate(site, household, plot=plot(site, "A-1"), on=D(2025, 11, 1))
    services.allocation_start(
        user=manager(),
        site=site,
        household=household,
        plot=plot(site, "A-2"),
        started_on=D(2026, 2, 10),
    )
    row = services.population_compute(site=site, month=D(2026, 2, 1))
    assert (row.arrivals, row.departures, row.households) == (0, 0, 1)


def test_computing_again_updates_the_month_in_place():
    site = make_site()
    services.population_compute(site=site, month=D(2026, 1, 1))
    allocate(site, household_on(site, members=2), on=D(2026, 1, 2))
    row = services.population_compute(site=site, month=D(2026, 1, 1))
    assert PopulationCount.objects.filter(site=site).count() == 1
    assert row.individuals == 2


def test_a_count_made_on_site_is_kept_when_the_month_is_computed_again():
    site = make_site()
    services.population_record_manual(
        user=manager(),
        site=site,
        month=D(2026, 1, 1),
        households=10,
        individuals=52,
    )
    allocate(site, household_on(site), on=D(2026, 1, 2))
    row = services.population_compute(site=site, month=D(2026, 1, 1))
    assert (row.source, row.individuals) == (PopulationCount.Source.MANUAL, 52)
    forced = services.population_compute(site=site, month=D(2026, 1, 1), overwrite_manual=True)
    assert forced.source == PopulationCount.Source.REGISTRY


def test_a_manual_count_by_sex_and_age_must_add_up_to_the_people():
    site = make_site()
    with pytest.raises(ValidationFailed) as exc:
        services.population_record_manual(
            user=manager(),
            site=site,
            month="2026-02",
            households=2,
            individuals=10,
            by_sex_age={"female": {"18-59": 3}, "male": {"18-59": 3}},
        )
    assert "by_sex_age" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.population_record_manual(
            user=manager(), site=site, month="2026-02", households=5, individuals=2
        )


def test_the_series_runs_oldest_first():
    site = make_site()
    for month in (3, 1, 2):
        services.population_compute(site=site, month=D(2026, month, 1))
    assert [r.month.month for r in population_series(site)] == [1, 2, 3]
    assert [r.month.month for r in population_series(site, months=2)] == [2, 3]


def test_the_month_is_read_as_year_and_month():
    assert services.parse_month("2026-03") == D(2026, 3, 1)
    with pytest.raises(ValidationFailed):
        services.parse_month("March")


def test_the_command_computes_every_site_or_one_by_its_code():
    a, b = make_site(code="T-DMZ"), make_site()
    out = StringIO()
    call_command("camps_population", "--month", "2026-02", stdout=out)
    assert "2 site(s)" in out.getvalue()
    assert PopulationCount.objects.filter(month=D(2026, 2, 1)).count() == 2
    call_command("camps_population", "--month", "2026-03", "--site", "T-DMZ", stdout=StringIO())
    assert list(
        PopulationCount.objects.filter(month=D(2026, 3, 1)).values_list("site", flat=True)
    ) == [a.pk]
    assert b.pk


def test_the_job_computes_the_sites_the_user_manages():
    from sanad.camps import jobs_sites
    from sanad.core.jobs import job_run, job_start

    site = make_site()
    make_site(governorate="IQG11")  # Erbil: not this manager's
    user = manager()
    job = job_start(kind=jobs_sites.POPULATION, user=user, params={"month": "2026-04"})
    job = job_run(job.pk)
    assert job.result == {"month": "2026-04", "sites": 1}
    assert list(PopulationCount.objects.values_list("site", flat=True)) == [site.pk]

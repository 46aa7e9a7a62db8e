"""Sites, plots and allocations: the services."""

from __future__ import annotations

import datetime

import pytest

from sanad.camps.models import Allocation, Plot, Site
from sanad.camps.services import sites as services
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.geo.models import Place
from tests.camps.sites_factories import allocate, household_on, make_site, manager, plot
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_manager_registers_a_site_on_a_camp_and_its_governorate_is_the_places():
    user = manager()
    place = PlaceFactory(kind=Place.Kind.FORMAL_CAMP, admin_unit=subdistrict_in(DUHOK))
    site = services.site_create(user=user, place=place, data={"capacity_plots": 120})
    assert site.governorate.pcode == DUHOK
    assert site.capacity_plots == 120
    assert site.created_by == user


def test_a_village_cannot_become_a_site():
    place = PlaceFactory(kind=Place.Kind.VILLAGE, admin_unit=subdistrict_in(DUHOK))
    with pytest.raises(ValidationFailed) as exc:
        services.site_create(user=manager(), place=place)
    assert exc.value.code == "site_place_kind"


def test_a_place_is_registered_as_a_site_only_once():
    site = make_site()
    with pytest.raises(Conflict) as exc:
        services.site_create(user=make_user("im_officer"), place=site.place)
    assert exc.value.code == "site_exists"


def test_a_manager_cannot_register_a_site_outside_their_governorates():
    place = PlaceFactory(kind=Place.Kind.INFORMAL_SITE, admin_unit=subdistrict_in(ERBIL))
    with pytest.raises(PermissionDenied):
        services.site_create(user=manager(), place=place)
    assert not Site.objects.filter(place=place).exists()


def test_an_enumerator_cannot_register_sites():
    place = PlaceFactory(kind=Place.Kind.FORMAL_CAMP, admin_unit=subdistrict_in(DUHOK))
    with pytest.raises(PermissionDenied):
        services.site_create(user=make_user("field_enumerator", governorates=(DUHOK,)), place=place)


def test_site_update_changes_the_profile_and_refuses_a_closing_before_the_opening():
    site = make_site(opened_on=D(2015, 3, 1))
    user = manager()
    services.site_update(
        user=user,
        site=site,
        data={"eviction_risk": "high", "tenure": "private", "shelter_types": {"tent": 40}},
    )
    site.refresh_from_db()
    assert (site.eviction_risk, site.tenure, site.shelter_types) == (
        "high",
        "private",
        {"tent": 40},
    )
    with pytest.raises(ValidationFailed) as exc:
        services.site_update(user=user, site=site, data={"closed_on": D(2014, 1, 1)})
    assert "closed_on" in exc.value.fields


def test_a_range_of_plot_codes_is_expanded_keeping_zero_padding():
    assert services.plot_codes("A-1..A-3") == ["A-1", "A-2", "A-3"]
    assert services.plot_codes("B-08..10") == ["B-08", "B-09", "B-10"]
    assert services.plot_codes("C-1, C-7") == ["C-1", "C-7"]


def test_a_range_backwards_or_too_long_is_refused():
    with pytest.raises(ValidationFailed):
        services.plot_codes("A-9..A-1")
    with pytest.raises(ValidationFailed) as exc:
        services.plot_codes("A-1..A-5000")
    assert exc.value.code == "plot_too_many"


def test_bulk_adding_plots_skips_the_codes_the_site_already_has():
    site = make_site()
    user = manager()
    plot(site, "A-2")
    created = services.plots_bulk_add(user=user, site=site, codes="A-1..A-40", sector="A")
    assert len(created) == 39
    assert Plot.objects.filter(site=site).count() == 40


def test_allocating_a_household_ends_its_previous_allocation_that_day():
    site, other = make_site(), make_site()
    user = manager()
    household = household_on(site)
    first = allocate(other, household, on=D(2025, 6, 1))
    new = services.allocation_start(
        user=user, site=site, household=household, plot=plot(site), started_on=D(2026, 2, 1)
    )
    first.refresh_from_db()
    assert first.ended_on == D(2026, 2, 1)
    assert "Moved to" in first.end_reason
    assert new.ended_on is None and new.site == site


def test_an_occupied_plot_is_refused():
    site = make_site()
    user = manager()
    a = plot(site)
    allocate(site, household_on(site), plot=a)
    with pytest.raises(Conflict) as exc:
        services.allocation_start(
            user=user, site=site, household=household_on(site), plot=a, started_on=D(2026, 2, 1)
        )
    assert exc.value.code == "plot_occupied"


def test_a_household_outside_the_users_registry_reach_is_not_found():
    site = make_site()
    household = make_household(governorate=ERBIL, members=2)
    with pytest.raises(NotFound):
        services.allocation_start(
            user=manager(), site=site, household=household, started_on=D(2026, 2, 1)
        )
    assert not Allocation.objects.exists()


def test_an_allocation_cannot_start_before_the_current_one():
    site = make_site()
    household = household_on(site)
    allocate(site, household, on=D(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        services.allocation_start(
            user=manager(), site=site, household=household, started_on=D(2026, 2, 1)
        )


def test_a_plot_of_another_site_is_refused():
    site, other = make_site(), make_site()
    with pytest.raises(ValidationFailed):
        services.allocation_start(
            user=manager(),
            site=site,
            household=household_on(site),
            plot=plot(other),
            started_on=D(2026, 2, 1),
        )


def test_ending_an_allocation_frees_the_plot_and_cannot_be_done_twice():
    site = make_site()
    user = manager()
    a = plot(site)
    allocation = allocate(site, household_on(site), plot=a, on=D(2026, 1, 1))
    services.allocation_end(user=user, allocation=allocation, ended_on=D(2026, 4, 1), reason="Left")
    allocation.refresh_from_db()
    assert allocation.ended_on == D(2026, 4, 1)
    services.allocation_start(
        user=user, site=site, household=household_on(site), plot=a, started_on=D(2026, 4, 2)
    )
    with pytest.raises(Conflict):
        services.allocation_end(user=user, allocation=allocation, ended_on=D(2026, 4, 5))


def test_an_allocation_cannot_end_before_it_started():
    site = make_site()
    allocation = allocate(site, household_on(site), on=D(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        services.allocation_end(user=manager(), allocation=allocation, ended_on=D(2026, 2, 1))


def test_a_manager_of_another_governorate_cannot_allocate_on_the_site():
    site = make_site()
    with pytest.raises(PermissionDenied):
        services.allocation_start(
            user=manager((ERBIL,)),
            site=site,
            household=household_on(site),
            started_on=D(2026, 1, 1),
        )


def test_the_demo_makes_sites_plots_allocations_population_and_a_consolidation():
    from sanad.camps import demo_sites
    from sanad.camps.models import ClosurePlan, PopulationCount

    unit = subdistrict_in(DUHOK)
    places = {
        code: PlaceFactory(kind=Place.Kind.FORMAL_CAMP, code=code, name_en=code, admin_unit=unit)
        for code in ("DHK-KBR1", "DHK-KBR2")
    }
    informal = PlaceFactory(kind=Place.Kind.INFORMAL_SITE, code="DHK-IS-1", admin_unit=unit)
    for _n in range(4):
        make_household(governorate=DUHOK, members=3, place=places["DHK-KBR2"])
    make_household(governorate=DUHOK, members=2, place=places["DHK-KBR1"])
    users = {"admin": make_user("administrator"), "camp.manager": manager()}
    today = D(2026, 5, 20)
    sites = demo_sites.seed(sites={}, users=users, today=today)
    assert set(sites) == {"DHK-KBR1", "DHK-KBR2", "DHK-IS-1"}
    assert sites["DHK-IS-1"].eviction_risk == "high" and sites["DHK-IS-1"].place == informal
    assert Allocation.objects.filter(site=sites["DHK-KBR2"]).count() == 4
    assert PopulationCount.objects.filter(site=sites["DHK-KBR1"]).count() == 7
    plan = ClosurePlan.objects.get(site=sites["DHK-KBR2"])
    assert plan.status == "in_progress" and plan.households.count() >= 3
    again = demo_sites.seed(sites={}, users=users, today=today)
    assert set(again) == set(sites) and ClosurePlan.objects.count() == 1

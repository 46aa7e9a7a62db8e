"""The sites pages, as a camp manager uses them: the list with figures and filters, the
map, registering a site, its dashboard, plots and allocations, population, closure plans
(in English and in Arabic, right to left), and the API."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from sanad.camps.models import (
    Allocation,
    ClosureHousehold,
    ClosurePlan,
    Hazard,
    MonitoringRound,
    PopulationCount,
    Site,
    Ticket,
)
from sanad.core.models import Job
from sanad.geo.models import Place
from tests.camps.sites_factories import allocate, household_on, make_site, manager, plot
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

pytestmark = pytest.mark.django_db
D = datetime.date


def in_language(user: Any, lang: str) -> Client:
    user.preferred_language = lang
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def _figures(site: Site) -> None:
    PopulationCount.objects.create(
        site=site, month=D(2026, 1, 1), source="registry", households=100, individuals=512
    )
    PopulationCount.objects.create(
        site=site, month=D(2026, 2, 1), source="registry", households=110, individuals=560
    )
    Ticket.objects.create(
        number="CM-2026-000001", site=site, source="staff", title="Broken tap", category="water"
    )
    Ticket.objects.create(
        number="CM-2026-000002",
        site=site,
        source="staff",
        title="Fixed",
        category="water",
        status="verified",
    )
    Hazard.objects.create(
        site=site,
        kind="fire",
        description="Cables over tents",
        likelihood=4,
        impact=4,
        risk=16,
        assessed_on=D(2026, 2, 1),
    )
    MonitoringRound.objects.create(
        site=site,
        month=D(2026, 2, 1),
        status="submitted",
        gaps=2,
        results=[
            {
                "code": "latrine",
                "name": "People per latrine",
                "value": 31,
                "threshold": 20,
                "direction": "max",
                "unit": "people",
                "met": False,
            },
            {
                "code": "water",
                "name": "Water per person",
                "value": 18,
                "threshold": 15,
                "direction": "min",
                "unit": "l/day",
                "met": True,
            },
        ],
    )


def test_the_site_list_shows_each_sites_figures_and_hides_other_governorates():
    site = make_site(name="Domiz test")
    _figures(site)
    make_site(name="Erbil camp", governorate=ERBIL)
    web = client_for(manager())
    page = web.get("/camps/sites/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Domiz test" in html and "Erbil camp" not in html
    row = page.context["object_list"][0]
    assert (row.people, row.open_tickets, row.open_hazards, row.last_gaps) == (560, 1, 1, 2)


def test_the_site_list_filters_by_kind_and_status(django_assert_max_num_queries):
    make_site(name="Formal one")
    make_site(name="Informal one", kind=Place.Kind.INFORMAL_SITE)
    make_site(name="Closed one", closed_on=D(2025, 1, 1))
    web = client_for(manager())
    html = web.get("/camps/sites/?kind=informal_site").content.decode()
    assert "Informal one" in html and "Formal one" not in html
    html = web.get("/camps/sites/?status=closed").content.decode()
    assert "Closed one" in html and "Formal one" not in html
    for n in range(5):
        make_site(name=f"More {n}")
    with django_assert_max_num_queries(15):
        assert web.get("/camps/sites/").status_code == 200


def test_a_manager_registers_a_site_and_lands_on_its_dashboard():
    user = manager()
    place = PlaceFactory(
        kind=Place.Kind.FORMAL_CAMP, name_en="New camp", admin_unit=subdistrict_in(DUHOK)
    )
    web = client_for(user)
    assert web.get("/camps/sites/new/").status_code == 200
    answer = web.post(
        "/camps/sites/new/",
        {
            "place": place.pk,
            "capacity_plots": 40,
            "capacity_shelters": 0,
            "tenure": "public",
            "shelter_types": "tent: 30\ncaravan: 10",
        },
    )
    site = Site.objects.get(place=place)
    assert answer.status_code == 302 and answer["Location"] == f"/camps/sites/{site.public_id}/"
    assert site.shelter_types == {"tent": 30, "caravan": 10}
    page = web.get(answer["Location"])
    assert page.status_code == 200 and "New camp" in page.content.decode()


def test_the_site_form_shows_what_to_fix():
    web = client_for(manager())
    answer = web.post("/camps/sites/new/", {"capacity_plots": -1, "tenure": "public"})
    assert answer.status_code == 400


def test_editing_a_site_saves_its_profile():
    site = make_site()
    web = client_for(manager())
    assert web.get(f"/camps/sites/{site.public_id}/edit/").status_code == 200
    answer = web.post(
        f"/camps/sites/{site.public_id}/edit/",
        {
            "capacity_plots": 50,
            "capacity_shelters": 5,
            "tenure": "tribal",
            "eviction_risk": "medium",
        },
    )
    assert answer.status_code == 302
    site.refresh_from_db()
    assert (site.capacity_plots, site.tenure, site.eviction_risk) == (50, "tribal", "medium")


def test_the_dashboard_shows_population_gaps_tickets_and_hazards():
    site = make_site(name="Dashboard camp")
    _figures(site)
    page = client_for(manager()).get(f"/camps/sites/{site.public_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "560" in html and "People per latrine" in html and "Water per person" not in html
    assert "Broken tap" in html and "Cables over tents" in html
    assert 'id="population-data"' in html and "chart.umd.min.js" in html
    assert json.loads(page.context["d"]["chart"]["individuals"].__repr__()) == [512, 560]


def test_the_dashboard_is_right_to_left_in_arabic():
    site = make_site()
    _figures(site)
    html = in_language(manager(), "ar").get(f"/camps/sites/{site.public_id}/").content.decode()
    assert 'dir="rtl"' in html and "bootstrap.rtl.min.css" in html


def test_a_site_of_another_governorate_is_not_found_and_a_donor_is_refused():
    outside = make_site(governorate=ERBIL)
    assert client_for(manager()).get(f"/camps/sites/{outside.public_id}/").status_code == 404
    donor = make_user("donor_viewer")
    assert client_for(donor).get("/camps/sites/").status_code == 403


def test_the_map_lists_the_sites_with_coordinates_and_links_to_them(settings):
    settings.SANAD_MAP_TILES_URL = ""
    site = make_site(name="Mapped camp")
    Place.objects.filter(pk=site.place_id).update(lat=36.78, lon=42.88)
    _figures(site)
    nowhere = make_site(name="Nowhere camp")
    Place.objects.filter(pk=nowhere.place_id).update(lat=None, lon=None)
    page = client_for(manager()).get("/camps/sites/map/")
    html = page.content.decode()
    assert page.status_code == 200
    [point] = page.context["points"]
    assert (point["name"], point["population"], point["colour"]) == ("Mapped camp", 560, "red")
    assert point["url"] == f"/camps/sites/{site.public_id}/"
    assert page.context["missing"] == 1
    assert "leaflet.js" in html and "camps/map.js" in html and '"tiles": ""' in html


def test_plots_are_added_by_range_and_a_household_allocated_by_registration_id():
    site = make_site()
    user = manager()
    web = client_for(user)
    url = f"/camps/sites/{site.public_id}/plots/"
    assert (
        web.post(
            url, {"action": "add_plots", "codes": "B-1..B-4", "kind": "plot", "capacity_people": 5}
        ).status_code
        == 302
    )
    household = household_on(site)
    b2 = site.plots.get(code="B-2")
    answer = web.post(
        url,
        {
            "action": "allocate",
            "registration_id": household.registration_id.lower(),
            "plot": b2.pk,
            "started_on": "2026-03-01",
        },
    )
    assert answer.status_code == 302
    allocation = Allocation.objects.get(household=household)
    assert allocation.plot == b2
    page = web.get(url)
    assert household.registration_id in page.content.decode() and page.context["occupied"] == 1
    assert (
        web.post(
            url, {"action": "end", "allocation": allocation.pk, "ended_on": "2026-04-01"}
        ).status_code
        == 302
    )
    allocation.refresh_from_db()
    assert allocation.ended_on == D(2026, 4, 1)


def test_an_unknown_registration_id_is_shown_beside_the_field():
    site = make_site()
    answer = client_for(manager()).post(
        f"/camps/sites/{site.public_id}/plots/",
        {"action": "allocate", "registration_id": "SND-0000-0000", "started_on": "2026-03-01"},
    )
    assert answer.status_code == 400
    assert "registration id" in answer.content.decode()


def test_an_occupied_plot_is_not_offered_and_viewers_cannot_post():
    site = make_site()
    a = plot(site, "A-1")
    plot(site, "A-2")
    allocate(site, household_on(site), plot=a)
    page = client_for(manager()).get(f"/camps/sites/{site.public_id}/plots/")
    codes = [p.code for p in page.context["allocate_form"].fields["plot"].queryset]
    assert codes == ["A-2"]
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    web = client_for(viewer)
    assert web.get(f"/camps/sites/{site.public_id}/plots/").status_code == 200
    assert (
        web.post(f"/camps/sites/{site.public_id}/plots/", {"action": "add_plots"}).status_code
        == 403
    )


def test_the_population_page_computes_a_month_and_records_a_count():
    site = make_site()
    allocate(site, household_on(site, members=3), on=D(2026, 1, 1))
    web = client_for(manager())
    url = f"/camps/sites/{site.public_id}/population/"
    assert web.post(url, {"action": "compute", "month": "2026-02"}).status_code == 302
    assert PopulationCount.objects.get(site=site, month=D(2026, 2, 1)).individuals == 3
    form = {
        "action": "record",
        "month": "2026-03",
        "households": 2,
        "individuals": 7,
        "arrivals": 1,
        "departures": 0,
        "female_18-59": 4,
        "male_18-59": 3,
    }
    assert web.post(url, form).status_code == 302
    row = PopulationCount.objects.get(site=site, month=D(2026, 3, 1))
    assert (row.source, row.individuals, row.by_sex_age["female"]["18-59"]) == ("manual", 7, 4)
    bad = web.post(url, {**form, "female_18-59": 1})
    assert bad.status_code == 400 and "add up" in bad.content.decode()
    page = web.get(url)
    assert page.status_code == 200 and "2026-03" in page.content.decode()


def test_the_compute_button_starts_a_job_for_managers_only():
    make_site()
    answer = client_for(manager()).post("/camps/sites/population/compute/", {"month": "2026-02"})
    job = Job.objects.get(kind="camps.population")
    assert answer.status_code == 302 and str(job.public_id) in answer["Location"]
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    assert client_for(viewer).post("/camps/sites/population/compute/", {}).status_code == 403


def test_a_closure_plan_from_the_site_to_households_moved(settings):
    settings.SANAD_MOVEMENT_REQUESTER = ""
    site = make_site(name="Closing camp")
    destination = make_site(name="Receiving camp")
    user = manager()
    web = client_for(user)
    for n in range(2):
        allocate(site, household_on(site), plot=plot(site, f"A-{n}"))
    assert web.get(f"/camps/closures/new/?site={site.public_id}").status_code == 200
    answer = web.post(
        f"/camps/closures/new/?site={site.public_id}",
        {"kind": "consolidation", "target_date": "2026-09-01", "reason": "Merge with Receiving"},
    )
    plan = ClosurePlan.objects.get(site=site)
    assert answer["Location"] == f"/camps/closures/{plan.public_id}/"
    base = f"/camps/closures/{plan.public_id}"
    web.post(f"{base}/add_from_site/")
    assert plan.households.count() == 2
    for row in plan.households.all():
        p = f"row{row.pk}"
        web.post(
            f"{base}/update_household/",
            {
                "row": row.pk,
                f"{p}-destination": destination.place.pk,
                f"{p}-move_on": "2026-08-20",
                f"{p}-status": "planned",
            },
        )
    web.post(f"{base}/approve/")
    plan.refresh_from_db()
    assert plan.status == "approved"
    page = web.get(f"{base}/")
    html = page.content.decode()
    assert "Available when the transportation module exists." in html
    assert 'data-testid="request-movements"' in html
    web.post(f"{base}/start/")
    for row in plan.households.all():
        p = f"row{row.pk}"
        web.post(
            f"{base}/update_household/",
            {
                "row": row.pk,
                f"{p}-destination": destination.place.pk,
                f"{p}-move_on": "2026-08-20",
                f"{p}-status": "moved",
            },
        )
    assert set(plan.households.values_list("status", flat=True)) == {ClosureHousehold.Status.MOVED}
    web.post(f"{base}/done/")
    plan.refresh_from_db()
    assert plan.status == "done"
    assert not Allocation.objects.filter(site=site, ended_on__isnull=True).exists()
    listing = web.get("/camps/closures/")
    assert listing.status_code == 200 and "Closing camp" in listing.content.decode()


def test_cancelling_a_plan_without_a_reason_says_so():
    site = make_site()
    plan = ClosurePlan.objects.create(site=site, kind="closure", target_date=D(2026, 9, 1))
    web = client_for(manager())
    answer = web.post(f"/camps/closures/{plan.public_id}/cancel/", follow=True)
    assert "Give a reason" in answer.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_api_lists_sites_with_population_and_closures():
    site = make_site(name="API camp")
    _figures(site)
    make_site(governorate=ERBIL, name="API outside")
    ClosurePlan.objects.create(site=site, kind="closure", target_date=D(2026, 9, 1))
    api = api_client_for(manager())
    body = api.get("/api/v1/camps/sites/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["name"] for r in rows] == ["API camp"]
    assert rows[0]["population"] == 560 and rows[0]["open_hazards"] == 1
    detail = api.get(f"/api/v1/camps/sites/{site.public_id}/").json()
    assert [p["month"] for p in detail["population_series"]] == ["2026-01", "2026-02"]
    closures = api.get("/api/v1/camps/closures/").json()
    closures = closures["results"] if isinstance(closures, dict) else closures
    assert closures[0]["site_code"] == site.place.code

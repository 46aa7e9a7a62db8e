"""The works pages as people use them: planning an upgrade, ticking the residents it
reached, reporting road progress, the overview and a project's page with its download,
and the API; out-of-scope records answer 404 and list pages keep their query count."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from sanad.assistance.models import AssistanceRecord
from sanad.shelter.models.works import RoadProject, SiteUpgrade, UpgradeHousehold
from sanad.shelter.services import works as services
from tests.camps.factories import make_site
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.shelter.works_factories import (
    make_case,
    make_road,
    make_upgrade,
    resident,
    shelter_project,
    works_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return works_officer()


@pytest.fixture
def site():
    return make_site(governorate=DUHOK, name="Domiz 1")


@pytest.fixture
def project():
    return shelter_project("SHL-GFFO-PG")


def test_planning_an_upgrade_from_the_form(officer, site, project):
    client = client_for(officer)
    url = reverse("shelter:upgrade_create") + f"?site={site.public_id}"
    page = client.get(url)
    assert page.status_code == 200 and "Domiz 1" in page.content.decode()
    response = client.post(
        url,
        {
            "site": str(site.public_id),
            "kind": "windows_doors",
            "project": str(project.public_id),
            "planned_households": "12",
            "budget": "6000",
            "currency": "USD",
            "planned_end": "2026-12-31",
        },
    )
    upgrade = SiteUpgrade.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("shelter:upgrade_detail", args=[upgrade.public_id])
    assert (upgrade.kind, upgrade.planned_households) == ("windows_doors", 12)


def test_the_form_shows_the_services_refusal_beside_the_field(officer, site, project):
    response = client_for(officer).post(
        reverse("shelter:upgrade_create"),
        {
            "site": str(site.public_id),
            "kind": "latrines",
            "project": str(project.public_id),
            "planned_households": "3",
            "budget": "100",
            "currency": "USD",
            "planned_start": "2026-06-01",
            "planned_end": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "before the planned start" in response.content.decode()
    assert not SiteUpgrade.objects.exists()


def test_starting_and_ticking_residents_writes_the_ledger(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project)
    a, b = resident(site, plot_code="B-01"), resident(site, plot_code="B-02")
    client = client_for(officer)
    action = lambda name: reverse("shelter:upgrade_action", args=[upgrade.public_id, name])  # noqa: E731
    assert client.post(action("start"), {"start-started_on": "2026-02-01"}).status_code == 302
    page = client.get(reverse("shelter:upgrade_detail", args=[upgrade.public_id])).content.decode()
    assert a.registration_id in page and "B-02" in page
    response = client.post(
        action("reach"),
        {
            "reach-households": [str(a.public_id)],
            "reach-registration_ids": b.registration_id,
            "reach-delivered_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert UpgradeHousehold.objects.filter(upgrade=upgrade).count() == 2
    assert AssistanceRecord.objects.filter(source_type="shelter_upgrade").count() == 2
    page = client.get(reverse("shelter:upgrade_detail", args=[upgrade.public_id])).content.decode()
    assert "50 %" in page  # 2 of 4 planned


def test_a_refused_batch_shows_why_on_the_upgrade_page(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    response = client_for(officer).post(
        reverse("shelter:upgrade_action", args=[upgrade.public_id, "reach"]),
        {"reach-registration_ids": "NOPE-1", "reach-delivered_on": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "NOPE-1" in response.content.decode()


def test_reporting_road_progress_from_the_page(officer, project):
    road = make_road(user=officer, project=project, length_m="400", start=True)
    client = client_for(officer)
    response = client.post(
        reverse("shelter:road_action", args=[road.public_id, "progress"]),
        {
            "progress-reported_on": "2026-03-01",
            "progress-length_done_m": "100",
            "progress-spent_to_date": "9000",
        },
    )
    assert response.status_code == 302
    road.refresh_from_db()
    assert road.progress == 25
    page = client.get(reverse("shelter:road_detail", args=[road.public_id])).content.decode()
    assert "25 %" in page and "2026-03-01" in page


def test_planning_a_road_from_the_form(officer, project):
    response = client_for(officer).post(
        reverse("shelter:road_create"),
        {
            "name": "Main road block C",
            "governorate": DUHOK,
            "project": str(project.public_id),
            "length_m": "350",
            "surface": "concrete",
            "budget": "21000",
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    road = RoadProject.objects.get()
    assert (road.name, road.governorate.pcode) == ("Main road block C", DUHOK)


def test_the_lists_filter_delayed_works_and_keep_their_query_count(
    officer, site, project, django_assert_max_num_queries
):
    for n in range(3):
        make_upgrade(
            user=officer, site=site, project=project, planned_end=datetime.date(2026, 1, n + 1)
        )
        make_road(user=officer, project=project, planned_end=datetime.date(2026, 1, n + 1))
    make_upgrade(user=officer, site=site, project=project)
    client = client_for(officer)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("shelter:upgrade_list") + "?delayed=1")
    assert page.content.decode().count('data-testid="upgrade-row"') == 3
    with django_assert_max_num_queries(14):
        page = client.get(reverse("shelter:road_list") + f"?project={project.public_id}&delayed=1")
    assert page.content.decode().count('data-testid="road-row"') == 3


def test_an_upgrade_out_of_scope_is_not_found_and_cannot_be_started(officer, project):
    erbil_officer = works_officer(governorates=(ERBIL,))
    upgrade = make_upgrade(user=erbil_officer, site=make_site(governorate=ERBIL), project=project)
    client = client_for(officer)
    assert (
        client.get(reverse("shelter:upgrade_detail", args=[upgrade.public_id])).status_code == 404
    )
    response = client.post(
        reverse("shelter:upgrade_action", args=[upgrade.public_id, "start"]),
        {"start-started_on": "2026-02-01"},
    )
    assert response.status_code == 404
    upgrade.refresh_from_db()
    assert upgrade.status == "planned"


def test_a_viewer_sees_the_upgrade_without_the_forms(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    engineer = make_user("shelter_engineer", governorates=(DUHOK,), programmes=("SHELTER",))
    page = client_for(engineer).get(reverse("shelter:upgrade_detail", args=[upgrade.public_id]))
    assert page.status_code == 200
    assert 'data-testid="action-reach"' not in page.content.decode()
    response = client_for(engineer).post(
        reverse("shelter:upgrade_action", args=[upgrade.public_id, "complete"]), {}
    )
    assert response.status_code == 403


def test_the_overview_shows_each_project_with_links_to_filtered_lists(
    officer, site, project, django_assert_max_num_queries
):
    make_case(project=project, status="completed", budget="4000", area="40")
    make_case(project=project, status="in_progress", planned_end=datetime.date(2026, 1, 1))
    make_road(user=officer, project=project, planned_end=datetime.date(2026, 1, 1))
    other = shelter_project("SHL-OTHER")
    make_case(project=other, status="open")
    client = client_for(officer)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("shelter:home"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "SHL-GFFO-PG" in body and "SHL-OTHER" in body
    assert "4000.00 USD" in body and "100.00 USD" in body  # per house, per m²
    assert f"/shelter/roads/?project={project.public_id}&amp;delayed=1" in body


def test_the_project_page_breaks_figures_down_and_downloads_them(officer, project):
    make_case(project=project, status="completed", budget="3000", area="30", modality="cash")
    client = client_for(officer)
    page = client.get(reverse("shelter:project_detail", args=[project.public_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="by-governorate-row"' in body and 'data-testid="by-modality-row"' in body
    response = client.get(
        reverse("shelter:project_export", args=[project.public_id]) + "?format=csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "project" and rows[1][0].startswith("#")
    assert [r[1] for r in rows[2:]] == ["project", "governorate", "modality"]
    xlsx = client.get(reverse("shelter:project_export", args=[project.public_id]) + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_project_outside_the_users_programmes_is_not_found(officer):
    nfi = shelter_project("NFI-X", programme="NFI")
    assert (
        client_for(officer).get(reverse("shelter:project_detail", args=[nfi.public_id])).status_code
        == 404
    )


def test_the_api_lists_upgrades_roads_and_figures_in_scope(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    services.upgrade_households_record(user=officer, upgrade=upgrade, households=[resident(site)])
    make_road(user=officer, project=project)
    erbil_officer = works_officer(governorates=(ERBIL,))
    make_road(
        user=erbil_officer,
        project=project,
        name="Erbil road",
        governorate=None,
        site=make_site(governorate=ERBIL),
    )
    api = api_client_for(officer)
    upgrades = api.get("/api/v1/shelter/upgrades/").json()
    assert upgrades["results"][0]["households_reached"] == 1
    assert upgrades["results"][0]["progress"] == 25
    roads = api.get("/api/v1/shelter/roads/").json()
    assert [r["name"] for r in roads["results"]] != [] and "Erbil road" not in str(roads)
    figures = api.get(f"/api/v1/shelter/overview/?project={project.public_id}").json()
    assert figures[0]["code"] == "SHL-GFFO-PG"
    assert figures[0]["figures"]["roads"] == 1

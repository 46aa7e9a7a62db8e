"""The reporting dashboards: the mission overview and the programme pages count each
person once, follow the filters, stay within the user's scope, suppress small counts
for donors, give each chart's numbers as CSV, place the figures on a map, and start a
refresh of the summary."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from sanad.core.models import Job
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Programme
from sanad.reporting.common import add_months, month_start
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

from .conftest import TODAY, days_ago, household_with_members

URL = "/reporting/"


@pytest.fixture
def me(db: Any) -> Any:
    return make_user("im_officer", username="me-officer")


@pytest.fixture
def crp(db: Any) -> Programme:
    return Programme.objects.get(code="CRP")


def grant(deliver: Any, crp: Programme, **kwargs: Any) -> Any:
    values = {
        "programme": crp,
        "kind": "grant",
        "item": "business_grant",
        "quantity": None,
        "unit": "",
        "value": Decimal("500"),
        "currency": "USD",
        "exchange_rate": Decimal("1310"),
    }
    values.update(kwargs)
    return deliver(**values)


def get(user: Any, query: str = "", url: str = URL) -> Any:
    return client_for(user).get(url + query)


def chart(response: Any, key: str) -> dict[str, dict[str, Any]]:
    """{row label: {column key: value}} of one chart of the page."""
    found = next(c for c in response.context["charts"] if c.key == key)
    return {r["label"]: r["value"] for r in found.rows}


def read_csv(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- the numbers -----------------------------------------------------------------------------------
def test_a_household_reached_by_two_programmes_counts_once_in_the_total_and_once_in_each(
    db, deliver, household, crp, refresh, me
):
    deliver(household=household)  # an NFI kit: its 4 members
    grant(deliver, crp, household=household)  # and a CRP grant
    refresh()
    response = get(me)
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.people, total.households, total.records) == (4, 1, 2)
    assert total.value_usd == Decimal("500.00")
    by_programme = chart(response, "programme")
    assert by_programme["Non-Food Items"]["people"] == 4
    assert by_programme["Community Revitalization"]["people"] == 4
    html = response.content.decode()
    assert 'data-testid="figure-people">4<' in html
    assert "each person counted once however many programmes" in html.lower()
    assert "$500" in html


def test_the_headline_figures_and_the_table_disaggregate_by_sex_age_and_disability(
    db, deliver, household, refresh, me
):
    deliver(household=household)  # a man born 1980, a woman born 1983, a son and a daughter
    refresh()
    response = get(me)
    cards = {c["key"]: c for c in response.context["cards"]}
    assert cards["people"]["value"] == "4"
    assert cards["households"]["value"] == "1"
    assert cards["sex"]["parts"][0][1] == "2" and cards["sex"]["parts"][1][1] == "2"
    assert cards["children"]["value"] == "2"
    table = response.context["table"]
    assert table["labels"] == ["0-5", "6-17", "18-59", "60+"]
    women = table["rows"][0]
    assert women["cells"] == ["0", "1", "1", "0"] and women["total"] == "2"
    assert table["footer"][0]["total"] == "4"
    ages = chart(response, "sex_age")
    assert ages["18-59"] == {"female": 1, "male": 1, "female_disability": 0, "male_disability": 0}


def test_the_programme_page_counts_its_own_deliveries_by_activity_and_item(
    db, deliver, household, erbil_household, crp, activity, project, refresh, me
):
    deliver(household=household, project=project, activity=activity)
    deliver(household=erbil_household, item="solar_lamp", unit="piece")
    grant(deliver, crp, household=household)
    refresh()
    response = get(me, url=reverse("reporting:programme_dashboard", args=["NFI"]))
    assert response.status_code == 200
    assert response.context["total"].people == 6
    by_activity = chart(response, "activity")
    assert by_activity["1.1 Winter kits"]["people"] == 4
    assert by_activity["No activity recorded"]["people"] == 2
    by_item = chart(response, "item")
    assert by_item["Winter kit"]["people"] == 4 and by_item["Solar lamp"]["people"] == 2
    assert "programme" not in {c.key for c in response.context["charts"]}


def test_an_unknown_programme_is_not_found_and_one_out_of_scope_is_not_found_either(db):
    nfi_only = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    assert get(nfi_only, url="/reporting/programmes/NOPE/").status_code == 404
    assert get(nfi_only, url="/reporting/programmes/CRP/").status_code == 404
    assert get(nfi_only, url="/reporting/programmes/nfi/").status_code == 200


def test_a_user_without_the_permission_is_refused(db):
    enumerator = make_user("field_enumerator")
    assert get(enumerator).status_code == 403
    assert client_for(enumerator).get("/api/v1/reporting/figures/").status_code == 403


# --- filters -------------------------------------------------------------------------------------------
def test_filters_select_a_governorate_a_period_and_a_project(
    db, deliver, household, erbil_household, project, refresh, me
):
    long_ago = days_ago(200)
    deliver(household=household, delivered_on=long_ago, project=project)
    deliver(household=erbil_household)
    refresh()
    assert get(me).context["total"].people == 6
    assert get(me, f"?governorate={ERBIL}").context["total"].people == 2
    assert get(me, f"?governorate={DUHOK.lower()}").context["total"].people == 4
    month = f"{long_ago:%Y-%m}"
    assert get(me, f"?from={month}&to={month}").context["total"].people == 4
    this_month = f"{TODAY:%Y-%m}"
    assert get(me, f"?from={this_month}&to={this_month}").context["total"].people == 2
    assert get(me, f"?project={project.public_id}").context["total"].people == 4
    assert get(me, "?programme=CRP").context["total"].people == 0


def test_the_default_period_is_the_last_twelve_months(db, deliver, household, refresh, me):
    deliver(household=household, delivered_on=add_months(month_start(TODAY), -12))
    refresh()
    response = get(me)
    start, end = response.context["period"]
    assert end.month == TODAY.month
    assert start == add_months(month_start(TODAY), -11)
    assert response.context["total"].people == 0
    assert response.context["values"]["from"] == f"{start:%Y-%m}"


def test_district_choices_follow_the_governorate_chosen(db, me):
    without = get(me)
    assert without.context["choices"]["districts"] == []
    assert re.search(r'<select id="filter-district"[^>]* disabled>', without.content.decode())
    duhok = get(me, f"?governorate={DUHOK}")
    codes = {code for code, _name in duhok.context["choices"]["districts"]}
    expected = set(
        AdminUnit.objects.filter(level=2, parent__pcode=DUHOK).values_list("pcode", flat=True)
    )
    assert codes == expected and codes
    # The districts of every governorate, for the list to follow a change without reloading.
    assert set(duhok.context["choices"]["districts_by_governorate"]) >= {DUHOK, ERBIL}


def test_sites_and_projects_offered_are_those_with_deliveries_in_scope(
    db, deliver, household, erbil_household, project, refresh
):
    camp = PlaceFactory(name_en="Kabarto Test Camp", admin_unit=subdistrict_in(DUHOK))
    erbil_camp = PlaceFactory(name_en="Erbil Test Camp", admin_unit=subdistrict_in(ERBIL))
    deliver(household=household, place=camp, project=project)
    deliver(household=erbil_household, place=erbil_camp)
    refresh()
    duhok_user = make_user("me_viewer", governorates=(DUHOK,))
    choices = get(duhok_user).context["choices"]
    assert [name for _k, name in choices["sites"]] == ["Kabarto Test Camp"]
    assert [key for key, _n in choices["projects"]] == [str(project.public_id)]
    assert [code for code, _n in choices["governorates"]] == [DUHOK]
    response = get(duhok_user, f"?place={camp.public_id}")
    assert response.context["total"].people == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2026-13", "Write the month as YYYY-MM"),
        ("?from=last+year", "Write the month as YYYY-MM"),
        ("?from=2026-06&to=2026-01", "The period ends before it starts"),
        ("?to=2026-03-15", "end the period on the last day of a month"),
    ],
)
def test_a_bad_period_is_explained_on_the_page(db, me, query, message):
    response = get(me, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="filter-error"' in html
    assert message in html
    assert 'data-testid="headline-cards"' not in html


# --- scope and suppression -------------------------------------------------------------------------
def test_a_duhok_user_does_not_see_erbil_numbers(db, deliver, household, erbil_household, refresh):
    erbil_camp = PlaceFactory(name_en="Erbil Only Camp", admin_unit=subdistrict_in(ERBIL))
    deliver(household=household)
    deliver(household=erbil_household, place=erbil_camp)
    refresh()
    duhok_user = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    response = get(duhok_user)
    assert response.context["total"].people == 4
    assert "Erbil Only Camp" not in response.content.decode()
    assert set(chart(response, "governorate")) == {"Duhok"}
    assert get(duhok_user, f"?governorate={ERBIL}").context["total"].people == 0
    api = client_for(duhok_user).get("/api/v1/reporting/figures/?by=place").json()
    assert api["total"]["people"] == 4
    assert "Erbil Only Camp" not in str(api)


def test_a_donor_sees_small_counts_suppressed_on_the_page_in_charts_and_on_the_map(
    db, deliver, household, erbil_household, refresh
):
    deliver(household=household)  # 4 people: below 5
    deliver(household=erbil_household)  # 2 people
    refresh()
    donor = make_user("donor_viewer")
    response = get(donor)
    html = response.content.decode()
    assert 'data-testid="suppression-note"' in html
    cards = {c["key"]: c["value"] for c in response.context["cards"]}
    assert cards["people"] == "6"
    assert cards["households"] == "<5"
    assert cards["children"] == "<5"
    governorates = chart(response, "governorate")
    assert governorates["Duhok"]["people"] is None and governorates["Erbil"]["people"] is None
    data = response.context["chart_data"]["governorate"]["series"][0]["data"]
    assert data == [None, None]
    for row in response.context["map"]["units"]:
        assert row["values"]["people"] is None and row["texts"]["people"] == "<5"
    # Inside the mission the same numbers are shown.
    inside = get(make_user("im_officer"))
    assert chart(inside, "governorate")["Duhok"]["people"] == 4


# --- CSV -----------------------------------------------------------------------------------------------
def test_each_chart_downloads_its_numbers_as_csv_with_a_bom_and_the_same_filters(
    db, deliver, household, erbil_household, crp, refresh, me
):
    deliver(household=household)
    deliver(household=erbil_household)
    grant(deliver, crp, household=household)
    refresh()
    response = get(me, f"?governorate={DUHOK}&download=programme")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Code",
        "Programme",
        "Unique people",
        "Households",
        "Deliveries",
        "Value (USD)",
    ]
    assert ["NFI", "Non-Food Items", "4", "1", "1", "0.00"] in rows
    assert ["CRP", "Community Revitalization", "4", "1", "1", "500.00"] in rows
    for key in ("month", "sex_age", "district", "value_month", "map"):
        assert get(me, f"?governorate={DUHOK}&download={key}").status_code == 200, key
    assert get(me, "?download=governorate").status_code == 200
    assert get(me, "?download=nonsense").status_code == 404
    months = read_csv(get(me, "?download=month"))
    assert len(months) == 1 + 12


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(
    db, deliver, household, refresh, me
):
    evil = PlaceFactory(name_en='=HYPERLINK("http://x")', code="", admin_unit=subdistrict_in(DUHOK))
    deliver(household=household, place=evil, item="-cmd", unit="@unit")
    refresh()
    rows = read_csv(get(me, "?download=map"))
    names = [r[1] for r in rows]
    assert '\'=HYPERLINK("http://x")' in names
    items = read_csv(get(me, "?download=item", url="/reporting/programmes/NFI/"))
    assert items[1][0] == "'-cmd"


def test_a_donors_csv_has_small_counts_suppressed(db, deliver, household, erbil_household, refresh):
    deliver(household=household)
    deliver(household=erbil_household)
    refresh()
    donor = make_user("donor_viewer")
    rows = read_csv(get(donor, "?download=governorate"))
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["Duhok"][2] == "<5" and by_name["Erbil"][2] == "<5"
    ages = read_csv(get(donor, "?download=sex_age"))
    assert all(cell in {"0", "<5", "–"} for row in ages[1:] for cell in row[2:])


# --- the map -------------------------------------------------------------------------------------------
def test_the_map_places_governorates_at_their_centroids_then_districts_and_sites(
    db, deliver, household, erbil_household, refresh, me
):
    camp = PlaceFactory(name_en="Mapped Camp", admin_unit=subdistrict_in(DUHOK), lat=36.8, lon=43.0)
    nowhere = PlaceFactory(
        name_en="Unmapped Site", admin_unit=subdistrict_in(DUHOK), lat=None, lon=None
    )
    deliver(household=household, place=camp)
    deliver(household=household, place=nowhere, item="solar_lamp")
    deliver(household=erbil_household)
    refresh()
    response = get(me)
    the_map = response.context["map"]
    assert the_map["level"] == "governorate"
    units = {u["code"]: u for u in the_map["units"]}
    duhok = AdminUnit.objects.get(pcode=DUHOK)
    assert (units[DUHOK]["lat"], units[DUHOK]["lon"]) == (duhok.lat, duhok.lon)
    assert units[DUHOK]["values"]["people"] == 4 and units[ERBIL]["values"]["people"] == 2
    places = {p["name"]: p for p in the_map["places"]}
    assert places["Mapped Camp"]["located"] and not places["Unmapped Site"]["located"]
    points = response.context["map_points"]
    assert {p["name"] for p in points["places"]} == {"Mapped Camp"}
    html = response.content.decode()
    assert "Unmapped Site" in html.split('data-testid="map-table"')[1]
    assert 'data-testid="no-coordinates"' in html
    district = subdistrict_in(DUHOK).parent
    filtered = get(me, f"?governorate={DUHOK}").context["map"]
    assert filtered["level"] == "district"
    assert [u["code"] for u in filtered["units"]] == [district.pcode]
    assert filtered["units"][0]["lat"] == district.lat


# --- freshness and refresh ------------------------------------------------------------------------
def test_the_page_says_how_fresh_the_figures_are(db, deliver, household, refresh, me):
    deliver(household=household)
    refresh()
    deliver(household=household, item="solar_lamp")
    html = get(me).content.decode()
    assert "Figures as of" in html
    assert "1 delivery recorded since is not counted yet." in html


def test_refresh_now_starts_the_job_and_shows_its_progress(db, me):
    html = get(me).content.decode()
    assert 'data-testid="refresh"' in html
    key = "0b0c4a4e-9c2f-4c1e-8d1e-3c6e2d1a0f11"
    response = client_for(me).post(reverse("reporting:refresh"), {"idempotency_key": key})
    job = Job.objects.get(kind="reporting.refresh")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.public_id])
    again = client_for(me).post(reverse("reporting:refresh"), {"idempotency_key": key})
    assert again["Location"] == response["Location"]
    assert Job.objects.filter(kind="reporting.refresh").count() == 1


def test_only_those_who_manage_indicators_may_refresh(db):
    officer = make_user("programme_officer")
    assert 'data-testid="refresh"' not in get(officer).content.decode()
    assert client_for(officer).post(reverse("reporting:refresh")).status_code == 403
    assert not Job.objects.filter(kind="reporting.refresh").exists()
    assert client_for(make_user("im_officer")).get(reverse("reporting:refresh")).status_code == 405


# --- cost -----------------------------------------------------------------------------------------------
def test_the_page_reads_the_summary_in_a_bounded_number_of_queries(
    db, deliver, refresh, crp, me, django_assert_max_num_queries
):
    for i in range(3):
        place = PlaceFactory(admin_unit=subdistrict_in(DUHOK if i % 2 else ERBIL))
        h = household_with_members(DUHOK if i % 2 else ERBIL, members=3)
        deliver(household=h, place=place)
        grant(deliver, crp, household=h, delivered_on=days_ago(40 * i))
    refresh()
    client = client_for(me)
    client.get(URL)  # warm the per-process caches (attribute sets)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"{URL}?governorate={DUHOK}&download=map").status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get("/reporting/programmes/CRP/").status_code == 200
    for _i in range(6):
        place = PlaceFactory(admin_unit=subdistrict_in(ERBIL))
        deliver(household=household_with_members(ERBIL, members=2), place=place)
    refresh()
    client.get(URL)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200

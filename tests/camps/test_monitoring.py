"""Monthly monitoring rounds: starting one (one per site and month, the population
pre-filled), editing a draft, submitting (indicators and gaps), reopening by a manager,
the gaps matrix by site and month, its XLSX export, and the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sanad.camps.models import Allocation, MonitoringRound, PopulationCount
from sanad.camps.selectors.monitoring import gaps_matrix, months_ending, round_list
from sanad.camps.services.monitoring import (
    round_create,
    round_reopen,
    round_submit,
    round_update,
)
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tests.camps.factories import make_site
from tests.camps.monitoring_factories import AT_THRESHOLD, make_round, months_ago, this_month
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def enumerator():
    return make_user("field_enumerator", governorates=(DUHOK,))


@pytest.fixture
def manager():
    return make_user("camp_manager", governorates=(DUHOK,))


# --- starting a round ------------------------------------------------------------------------
def test_a_new_round_takes_the_population_counted_for_its_month(enumerator) -> None:
    site = make_site()
    PopulationCount.objects.create(
        site=site, month=months_ago(1), source="manual", households=310, individuals=1540
    )
    PopulationCount.objects.create(
        site=site, month=this_month(), source="manual", households=320, individuals=1600
    )
    r = round_create(user=enumerator, site=site, month=this_month(), data={"latrines": 80})
    assert (r.households, r.individuals, r.latrines) == (320, 1600, 80)
    assert r.status == MonitoringRound.Status.DRAFT


def test_without_a_count_for_the_month_the_latest_earlier_count_is_used(enumerator) -> None:
    site = make_site()
    PopulationCount.objects.create(
        site=site, month=months_ago(3), source="registry", households=100, individuals=500
    )
    r = round_create(user=enumerator, site=site, month=months_ago(1))
    assert (r.households, r.individuals) == (100, 500)


def test_without_any_count_the_households_allocated_on_the_site_are_used(enumerator) -> None:
    site = make_site()
    today = datetime.date.today()
    living = [make_household(governorate=DUHOK, members=n) for n in (3, 5)]
    gone = make_household(governorate=DUHOK, members=4)
    for h in living:
        Allocation.objects.create(site=site, household=h, started_on=months_ago(2))
    Allocation.objects.create(
        site=site, household=gone, started_on=months_ago(2), ended_on=months_ago(1)
    )
    r = round_create(user=enumerator, site=site, month=this_month())
    assert r.households == 2
    assert r.individuals == sum(h.size for h in living) == 8
    assert today >= r.month


def test_the_population_entered_replaces_the_pre_filled_one(enumerator) -> None:
    site = make_site()
    PopulationCount.objects.create(
        site=site, month=this_month(), source="registry", households=10, individuals=50
    )
    r = round_create(
        user=enumerator, site=site, month=this_month(), data={"individuals": 62, "households": 12}
    )
    assert (r.households, r.individuals) == (12, 62)


def test_the_month_is_stored_as_its_first_day(enumerator) -> None:
    r = round_create(user=enumerator, site=make_site(), month=this_month().replace(day=17))
    assert r.month == this_month()


def test_a_site_has_one_round_a_month(enumerator) -> None:
    site = make_site()
    first = round_create(user=enumerator, site=site, month=this_month())
    with pytest.raises(Conflict) as caught:
        round_create(user=enumerator, site=site, month=this_month().replace(day=20))
    assert caught.value.code == "round_exists"
    assert caught.value.params["public_id"] == str(first.public_id)
    assert round_create(user=enumerator, site=site, month=months_ago(1)).pk != first.pk


def test_a_round_cannot_be_recorded_for_a_month_not_yet_started(enumerator) -> None:
    next_month = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationFailed) as caught:
        round_create(user=enumerator, site=make_site(), month=next_month)
    assert caught.value.code == "round_future_month"


def test_a_round_cannot_be_recorded_after_the_site_closed(enumerator) -> None:
    site = make_site(closed_on=months_ago(2))
    with pytest.raises(ValidationFailed) as caught:
        round_create(user=enumerator, site=site, month=months_ago(1))
    assert caught.value.code == "round_site_closed"
    assert round_create(user=enumerator, site=site, month=months_ago(2)).pk


def test_a_site_outside_the_users_governorates_is_not_found(enumerator) -> None:
    with pytest.raises(NotFound):
        round_create(user=enumerator, site=make_site(governorate=ERBIL), month=this_month())


def test_a_role_without_monitoring_cannot_start_a_round() -> None:
    for role in ("maintenance_team", "im_officer"):
        with pytest.raises(PermissionDenied):
            round_create(
                user=make_user(role, governorates=(DUHOK,)), site=make_site(), month=this_month()
            )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"latrines": -1}, "latrines"),
        ({"latrines": "2.5"}, "latrines"),
        ({"water_taps": "many"}, "water_taps"),
        ({"covered_area_m2": "-0.1"}, "covered_area_m2"),
        ({"health_post_distance_km": "far"}, "health_post_distance_km"),
        ({"latrines": 3_000_000_000}, "latrines"),
    ],
)
def test_invalid_counts_are_refused_beside_their_field(enumerator, data: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        round_create(user=enumerator, site=make_site(), month=this_month(), data=data)
    assert field in caught.value.fields
    assert not MonitoringRound.objects.exists()


def test_an_unknown_field_is_refused(enumerator) -> None:
    with pytest.raises(ValidationFailed) as caught:
        round_create(user=enumerator, site=make_site(), month=this_month(), data={"gaps": 0})
    assert caught.value.code == "round_unknown_field"


# --- editing and submitting --------------------------------------------------------------------
def test_a_draft_is_edited_and_the_change_is_audited(enumerator) -> None:
    from sanad.core.models import AuditEvent

    r = make_round(make_site())
    round_update(user=enumerator, round_=r, data={"latrines": 44, "notes": " two blocked "})
    r.refresh_from_db()
    assert (r.latrines, r.notes) == (44, "two blocked")
    event = AuditEvent.objects.filter(
        content_type__model="monitoringround", object_pk=str(r.pk), action="update"
    ).first()
    assert event is not None and "latrines" in event.changes


def test_an_empty_distance_means_not_recorded(enumerator) -> None:
    r = make_round(make_site())
    round_update(user=enumerator, round_=r, data={"health_post_distance_km": ""})
    r.refresh_from_db()
    assert r.health_post_distance_km is None


def test_submitting_computes_the_indicators_and_counts_the_gaps(enumerator) -> None:
    r = make_round(make_site(), latrines=40, water_litres_per_day=14000)  # 25 pp, 14 l
    round_submit(user=enumerator, round_=r)
    r.refresh_from_db()
    assert r.status == MonitoringRound.Status.SUBMITTED
    assert r.submitted_at is not None
    failing = {x["code"]: x["value"] for x in r.results if not x["met"]}
    assert failing == {"people_per_latrine": 25.0, "water_lpd": 14.0}
    assert r.gaps == 2
    assert len(r.results) == 7


def test_a_round_at_every_threshold_is_submitted_without_gaps(enumerator) -> None:
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    assert r.gaps == 0
    assert all(x["met"] for x in r.results)


def test_a_round_without_population_cannot_be_submitted(enumerator) -> None:
    r = make_round(make_site(), individuals=0)
    with pytest.raises(ValidationFailed) as caught:
        round_submit(user=enumerator, round_=r)
    assert caught.value.code == "round_no_population"
    assert MonitoringRound.objects.get(pk=r.pk).status == "draft"


def test_a_submitted_round_cannot_be_edited_nor_submitted_again(enumerator) -> None:
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    with pytest.raises(InvalidTransition):
        round_update(user=enumerator, round_=r, data={"latrines": 1})
    with pytest.raises(InvalidTransition):
        round_submit(user=enumerator, round_=r)
    assert MonitoringRound.objects.get(pk=r.pk).latrines == AT_THRESHOLD["latrines"]


def test_a_stale_copy_of_a_submitted_round_cannot_be_edited(enumerator) -> None:
    r = make_round(make_site())
    stale = MonitoringRound.objects.get(pk=r.pk)
    round_submit(user=enumerator, round_=r)
    with pytest.raises(InvalidTransition):
        round_update(user=enumerator, round_=stale, data={"latrines": 1})


def test_an_enumerator_of_another_governorate_cannot_submit() -> None:
    r = make_round(make_site())
    with pytest.raises(NotFound):
        round_submit(user=make_user("field_enumerator", governorates=(ERBIL,)), round_=r)


# --- reopening ----------------------------------------------------------------------------------------
def test_a_manager_reopens_a_submitted_round_with_a_reason(enumerator, manager) -> None:
    r = make_round(make_site(), latrines=10)
    round_submit(user=enumerator, round_=r)
    round_reopen(user=manager, round_=r, reason="Latrines in block C were not counted")
    r.refresh_from_db()
    assert r.status == "draft"
    assert (r.results, r.gaps, r.submitted_at) == ([], 0, None)
    history = list(MonitoringRound.STATUS_MACHINE.history(r).order_by("at", "pk"))
    assert [(t.from_state, t.to_state) for t in history] == [
        ("draft", "submitted"),
        ("submitted", "draft"),
    ]
    assert history[-1].reason == "Latrines in block C were not counted"
    assert history[-1].by == manager
    round_update(user=enumerator, round_=r, data={"latrines": 50})
    round_submit(user=enumerator, round_=r)
    assert r.gaps == 0


def test_reopening_needs_a_reason(enumerator, manager) -> None:
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    with pytest.raises(ValidationFailed):
        round_reopen(user=manager, round_=r, reason="  ")
    assert MonitoringRound.objects.get(pk=r.pk).status == "submitted"


def test_an_enumerator_cannot_reopen_a_round(enumerator) -> None:
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    with pytest.raises(PermissionDenied):
        round_reopen(user=enumerator, round_=r, reason="mistake")


def test_a_draft_cannot_be_reopened(manager) -> None:
    with pytest.raises(InvalidTransition):
        round_reopen(user=manager, round_=make_round(make_site()), reason="x")


# --- the list and the gaps matrix -------------------------------------------------------------------
def test_the_round_list_filters_by_site_month_and_gaps(enumerator) -> None:
    a, b = make_site(), make_site()
    with_gap = make_round(a, months_ago(1), latrines=1)
    round_submit(user=enumerator, round_=with_gap)
    without = make_round(b, months_ago(1))
    round_submit(user=enumerator, round_=without)
    draft = make_round(a, this_month(), latrines=1)
    make_round(make_site(governorate=ERBIL), this_month())
    assert set(round_list(user=enumerator)) == {with_gap, without, draft}
    assert set(round_list(user=enumerator, filters={"gaps": "1"})) == {with_gap}
    assert set(round_list(user=enumerator, filters={"site": str(a.public_id)})) == {with_gap, draft}
    month = months_ago(1).strftime("%Y-%m")
    assert set(round_list(user=enumerator, filters={"month": month})) == {with_gap, without}
    assert not round_list(user=enumerator, filters={"month": "not-a-month"}).exists()
    assert not round_list(user=enumerator, filters={"site": "nope"}).exists()


def test_months_ending_counts_back_across_a_new_year() -> None:
    assert months_ending(datetime.date(2025, 2, 14), 4) == [
        datetime.date(2024, 11, 1),
        datetime.date(2024, 12, 1),
        datetime.date(2025, 1, 1),
        datetime.date(2025, 2, 1),
    ]


def test_the_gaps_matrix_shows_each_site_and_month_with_the_failing_indicators(
    enumerator,
) -> None:
    a = make_site(name="Alpha camp")
    b = make_site(name="Bravo camp")
    make_site(name="Erbil camp", governorate=ERBIL)
    make_site(name="Closed camp", closed_on=months_ago(5))
    old, new = months_ago(1), this_month()
    r1 = make_round(a, old, latrines=40)  # 25 per latrine
    round_submit(user=enumerator, round_=r1)
    r2 = make_round(a, new)
    round_submit(user=enumerator, round_=r2)
    make_round(b, new)  # a draft: not counted as monitored

    matrix = gaps_matrix(user=enumerator, months=[new, old])

    assert matrix["months"] == [old, new]
    assert [str(row["site"]) for row in matrix["rows"]] == ["Alpha camp", "Bravo camp"]
    alpha, bravo = matrix["rows"]
    assert [c["state"] for c in alpha["cells"]] == ["submitted", "submitted"]
    assert [c["gaps"] for c in alpha["cells"]] == [1, 0]
    [failing] = alpha["cells"][0]["failing"]
    assert (failing["code"], failing["value"], failing["threshold"]) == (
        "people_per_latrine",
        25.0,
        20.0,
    )
    assert [c["state"] for c in bravo["cells"]] == ["missing", "draft"]
    assert matrix["totals"] == [
        {"month": old, "monitored": 1, "with_gaps": 1, "missing": 1},
        {"month": new, "monitored": 1, "with_gaps": 0, "missing": 1},
    ]


def test_the_gaps_matrix_filters_by_governorate_within_the_users_reach() -> None:
    admin = make_user("administrator")
    make_site(name="In Duhok")
    make_site(name="In Erbil", governorate=ERBIL)
    names = lambda m: [str(r["site"]) for r in m["rows"]]  # noqa: E731
    assert names(gaps_matrix(user=admin, months=[this_month()])) == ["In Duhok", "In Erbil"]
    assert names(gaps_matrix(user=admin, months=[this_month()], governorate=ERBIL)) == ["In Erbil"]
    duhok_only = make_user("camp_manager", governorates=(DUHOK,))
    assert names(gaps_matrix(user=duhok_only, months=[this_month()], governorate=ERBIL)) == []


def test_a_site_opened_after_the_months_shown_is_left_out(enumerator) -> None:
    make_site(name="New camp", opened_on=this_month() + datetime.timedelta(days=40))
    assert gaps_matrix(user=enumerator, months=[this_month()])["rows"] == []


# --- the export job ------------------------------------------------------------------------------------------
def test_the_gaps_export_writes_one_row_per_site_and_month_with_hxl_tags(enumerator) -> None:
    from sanad.camps.exports_monitoring import GAPS_EXPORT
    from sanad.core.jobs import job_result_file, job_run, job_start

    site = make_site(name="Alpha camp")
    make_site(name="Hidden", governorate=ERBIL)
    r = make_round(site, this_month(), water_litres_per_day=10000)
    round_submit(user=enumerator, round_=r)
    job = job_start(
        kind=GAPS_EXPORT,
        user=enumerator,
        params={"months": [months_ago(1).strftime("%Y-%m"), this_month().strftime("%Y-%m")]},
    )
    job = job_run(job.pk)
    assert job.status == "succeeded", job.error
    assert job.result["rows"] == 2
    rows = list(load_workbook(job_result_file(job)).active.iter_rows(values_only=True))
    headers, tags, first, second = rows
    assert tags[:6] == (
        "#adm1+code",
        "#adm1+name",
        "#loc+code",
        "#loc+name",
        "#date+month",
        "#status",
    )
    assert first[3] == "Alpha camp" and first[5] == "Not monitored"
    assert second[4] == this_month().strftime("%Y-%m")
    assert second[8] == 1
    assert second[9] == "Water per person per day"
    water = headers.index("Water per person per day")
    assert second[water : water + 3] == (10.0, 15.0, "no")


def test_a_role_without_view_cannot_start_the_gaps_export() -> None:
    from sanad.camps.exports_monitoring import GAPS_EXPORT
    from sanad.core.jobs import job_start

    with pytest.raises(PermissionDenied):
        job_start(kind=GAPS_EXPORT, user=make_user("vendor_staff"), params={})


# --- API ------------------------------------------------------------------------------------------------------
def test_the_api_lists_rounds_in_scope_with_their_results(enumerator) -> None:
    r = make_round(make_site(), latrines=10)
    round_submit(user=enumerator, round_=r)
    make_round(make_site(governorate=ERBIL))
    answer = api_client_for(enumerator).get("/api/v1/camps/monitoring-rounds/")
    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert row["id"] == str(r.public_id)
    assert row["gaps"] == 1
    assert row["month"] == this_month().strftime("%Y-%m")
    latrine = next(x for x in row["results"] if x["code"] == "people_per_latrine")
    assert (latrine["value"], latrine["met"]) == (100.0, False)
    assert (
        api_client_for(enumerator).get("/api/v1/camps/monitoring-rounds/?gaps=1").json()["count"]
        == 1
    )


def test_the_api_creates_a_draft_round(enumerator) -> None:
    site = make_site()
    answer = api_client_for(enumerator).post(
        "/api/v1/camps/monitoring-rounds/",
        {
            "site": str(site.public_id),
            "month": this_month().strftime("%Y-%m"),
            "individuals": 900,
            "latrines": 45,
            "covered_area_m2": "3150.5",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["individuals"], body["latrines"]) == ("draft", 900, 45)
    assert Decimal(body["covered_area_m2"]) == Decimal("3150.5")
    again = api_client_for(enumerator).post(
        "/api/v1/camps/monitoring-rounds/",
        {"site": str(site.public_id), "month": this_month().strftime("%Y-%m")},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "round_exists"


def test_the_api_refuses_a_round_on_a_site_out_of_scope(enumerator) -> None:
    answer = api_client_for(enumerator).post(
        "/api/v1/camps/monitoring-rounds/",
        {"site": str(make_site(governorate=ERBIL).public_id), "month": "2020-01"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "site_not_found"


def test_the_api_lists_the_standards_by_code(enumerator) -> None:
    answer = api_client_for(enumerator).get("/api/v1/camps/standards/")
    assert answer.status_code == 200
    assert len(answer.json()) == 7
    one = api_client_for(enumerator).get("/api/v1/camps/standards/water_lpd/").json()
    assert (one["direction"], one["threshold"]) == ("min", "15.00")


# --- demo -------------------------------------------------------------------------------------------------------
def test_the_demo_seeds_months_of_rounds_with_gaps_and_a_reopened_round() -> None:
    from sanad.camps.demo_monitoring import seed
    from sanad.geo.models import Place

    manager = make_user("camp_manager", governorates=(DUHOK,))
    sites = {
        "DHK-DMZ1": make_site(code="DHK-DMZ1", name="Domiz 1"),
        "DHK-KHN": make_site(code="DHK-KHN", name="Khanke"),
        "DHK-IS-014": make_site(code="DHK-IS-014", kind=Place.Kind.INFORMAL_SITE),
        "ERB-X": make_site(code="ERB-X", governorate=ERBIL),
    }
    for site in sites.values():
        PopulationCount.objects.create(
            site=site, month=months_ago(5), source="registry", households=400, individuals=2000
        )
    summary = seed(sites=sites, users={"camp.manager": manager}, today=datetime.date.today())
    assert summary["rounds"] >= 9
    assert not MonitoringRound.objects.filter(site=sites["ERB-X"]).exists()
    submitted = MonitoringRound.objects.filter(status="submitted")
    assert submitted.filter(gaps__gt=0).exists()
    assert submitted.filter(site=sites["DHK-IS-014"], gaps__gte=3).exists()
    reopened = MonitoringRound.objects.get(site=sites["DHK-DMZ1"], month=months_ago(1))
    assert reopened.status == "submitted"
    assert [
        t.to_state for t in MonitoringRound.STATUS_MACHINE.history(reopened).order_by("pk")
    ] == [
        "submitted",
        "draft",
        "submitted",
    ]
    again = seed(sites=sites, users={"camp.manager": manager}, today=datetime.date.today())
    assert again["rounds"] == 0

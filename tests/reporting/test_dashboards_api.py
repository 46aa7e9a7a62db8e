"""The figures API (/api/v1/reporting/figures/): the total and the groups of the figures
the dashboards show, within the caller's scope, suppressed for donors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sanad.programmes.models import Programme
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

from .conftest import TODAY, days_ago

API = "/api/v1/reporting/figures/"


@pytest.fixture
def reached(db, deliver, household, erbil_household, project, activity, refresh) -> dict:
    camp = PlaceFactory(name_en="Api Test Camp", admin_unit=subdistrict_in(DUHOK))
    deliver(household=household, place=camp, project=project, activity=activity)
    deliver(household=erbil_household, delivered_on=days_ago(70))
    deliver(
        household=household,
        programme=Programme.objects.get(code="CRP"),
        kind="grant",
        item="business_grant",
        quantity=None,
        unit="",
        value=Decimal("250"),
        currency="USD",
        exchange_rate=Decimal("1310"),
    )
    refresh()
    return {"camp": camp, "project": project, "activity": activity}


def call(user: Any, query: str = "") -> Any:
    return api_client_for(user).get(API + query)


def test_the_api_gives_the_total_and_the_groups_by_programme(reached):
    response = call(make_user("im_officer"), "?by=programme")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"filters", "total", "groups", "as_of", "pending"}
    assert body["total"]["people"] == 6 and body["total"]["households"] == 2
    assert body["total"]["value_usd"] == "250.00"
    assert body["total"]["by_sex_and_age"]["female"]["18-59"] == 2
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["NFI"]["people"] == 6 and groups["NFI"]["label"] == "Non-Food Items"
    assert groups["CRP"]["people"] == 4
    assert body["filters"]["by"] == "programme"
    assert body["filters"]["from"] and body["filters"]["to"] == f"{TODAY:%Y-%m}"
    assert body["pending"] == 0 and body["as_of"]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("governorate", {DUHOK: 4, ERBIL: 2}),
        ("month", None),
        ("project", None),
        ("activity", None),
        ("item", {"winter_kit": 6, "business_grant": 4}),
        ("place", None),
        ("district", None),
    ],
)
def test_the_api_groups_by_each_dimension(reached, by, expected):
    body = call(make_user("im_officer"), f"?by={by}").json()
    groups = {g["key"]: g["people"] for g in body["groups"]}
    if expected is not None:
        assert groups == expected
    if by == "project":
        assert groups == {str(reached["project"].public_id): 4, "": 6}
    if by == "place":
        assert groups[str(reached["camp"].public_id)] == 4
    if by == "month":
        assert sorted(groups) == list(groups)  # months in order
        assert sum(groups.values()) >= 6


def test_the_api_follows_the_filters(reached):
    user = make_user("im_officer")
    assert call(user, f"?governorate={ERBIL}").json()["total"]["people"] == 2
    assert call(user, f"?place={reached['camp'].public_id}").json()["total"]["people"] == 4
    assert call(user, "?programme=CRP").json()["total"]["people"] == 4
    month = f"{days_ago(70):%Y-%m}"
    body = call(user, f"?from={month}&to={month}").json()
    assert body["filters"]["from"] == month and body["total"]["people"] == 2
    assert call(user, f"?project={reached['project'].public_id}").json()["total"]["people"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [("?by=colour", "by"), ("?from=2026-13", "from"), ("?from=2026-05&to=2026-01", "to")],
)
def test_bad_parameters_answer_400_with_the_error_shape(db, query, field):
    response = call(make_user("im_officer"), query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"] and error["message"]


def test_a_donor_gets_small_counts_as_null_with_the_threshold(reached):
    body = call(make_user("donor_viewer"), "?by=governorate").json()
    assert body["total"]["people"] == 6
    assert body["total"]["households"] is None and body["total"]["suppressed_below"] == 5
    groups = {g["key"]: g for g in body["groups"]}
    assert groups[DUHOK]["people"] is None and groups[ERBIL]["people"] is None
    assert groups[DUHOK]["records"] == 2  # deliveries are not counts of people


def test_the_api_is_scoped_and_refused_without_the_permission(reached):
    duhok = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    body = call(duhok, "?by=governorate").json()
    assert body["total"]["people"] == 4
    assert [g["key"] for g in body["groups"]] == [DUHOK]
    response = call(make_user("field_enumerator"))
    assert response.status_code == 403 and "error" in response.json()


def test_the_api_answers_in_a_bounded_number_of_queries(reached, django_assert_max_num_queries):
    client = api_client_for(make_user("im_officer"))
    client.get(API)  # warm the per-process caches (attribute sets)
    for by in ("place", "programme", "activity"):
        with django_assert_max_num_queries(12):
            assert client.get(f"{API}?by={by}").status_code == 200

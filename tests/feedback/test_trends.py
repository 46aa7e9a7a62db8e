"""The trends of feedback cases: counts by category, governorate, programme and month;
days to respond (median, 90th percentile); the share answered in time; satisfaction;
loops closed. The page draws charts from the same numbers and each table downloads as
CSV; restricted cases count only for those allowed to see them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sanad.feedback.selectors.cases import _percentile, case_trends
from sanad.programmes.models import Programme
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.feedback.factories import make_case

pytestmark = pytest.mark.django_db


def _answered(days: float, *, late: bool = False, **kwargs: Any) -> Any:
    received = kwargs.pop("received_at", timezone.now() - datetime.timedelta(days=40))
    responded = received + datetime.timedelta(days=days)
    due = responded + datetime.timedelta(days=-1 if late else 1)
    return make_case(
        received_at=received, responded_at=responded, due_at=due, status="responded", **kwargs
    )


def _world() -> None:
    nfi = Programme.objects.get(code="NFI")
    shelter = Programme.objects.get(code="SHELTER")
    _answered(1, programme=nfi)
    _answered(2, programme=nfi)
    _answered(3, programme=shelter, late=True)
    _answered(10, late=True, category="information")
    closed = _answered(4, category="positive")
    closed.status, closed.loop_closed, closed.satisfaction = "closed", True, 5
    closed.save()
    unconfirmed = _answered(5)
    unconfirmed.status, unconfirmed.loop_closed, unconfirmed.satisfaction = "closed", False, 2
    unconfirmed.save()
    make_case(governorate=ERBIL, category="information")
    make_case(category="sea")
    make_case(category="complaint_conduct")


def _period() -> dict[str, Any]:
    today = timezone.localdate()
    return {"date_from": today - datetime.timedelta(days=90), "date_to": today}


def test_the_trends_count_and_time_the_answers() -> None:
    _world()
    me = make_user("me_viewer")
    t = case_trends(user=me, **_period())
    assert t["total"] == 7  # not the abuse report nor the conduct complaint
    categories = {r["key"]: r["count"] for r in t["by_category"]}
    assert categories == {"complaint_assistance": 4, "information": 2, "positive": 1}
    governorates = {r["key"]: r["count"] for r in t["by_governorate"]}
    assert governorates == {DUHOK: 6, ERBIL: 1}
    programmes = {r["key"]: r["count"] for r in t["by_programme"]}
    assert programmes == {"NFI": 2, "SHELTER": 1, "": 4}
    assert sum(r["count"] for r in t["by_month"]) == 7
    assert t["responded"] == 6
    assert t["median_days"] == 3.5  # 1, 2, 3, 4, 5, 10
    assert t["p90_days"] == 7.5
    assert t["in_time_share"] == round(4 / 6, 3)
    assert t["satisfaction"] == 3.5
    assert t["closed"] == 2 and t["loop_closed_share"] == 0.5


def test_the_trends_filter_by_programme_governorate_and_dates() -> None:
    _world()
    me = make_user("me_viewer")
    assert case_trends(user=me, programme="NFI", **_period())["total"] == 2
    assert case_trends(user=me, governorate=ERBIL, **_period())["total"] == 1
    today = timezone.localdate()
    recent = case_trends(user=me, date_from=today, date_to=today)
    assert recent["total"] == 1  # only the Erbil case was received today


def test_scoped_users_count_only_their_governorates() -> None:
    _world()
    duhok = make_user("camp_manager", governorates=(DUHOK,))
    assert case_trends(user=duhok, **_period())["total"] == 6


def test_restricted_cases_count_for_the_people_who_handle_them() -> None:
    _world()
    focal = make_user("psea_focal_point")
    categories = {r["key"]: r["count"] for r in case_trends(user=focal, **_period())["by_category"]}
    assert categories["sea"] == 1 and "complaint_conduct" not in categories
    manager = make_user("feedback_manager")
    categories = {
        r["key"]: r["count"] for r in case_trends(user=manager, **_period())["by_category"]
    }
    assert categories["complaint_conduct"] == 1 and "sea" not in categories


def test_the_page_draws_charts_and_each_table_downloads_as_csv(
    django_assert_max_num_queries: Any,
) -> None:
    _world()
    web = client_for(make_user("me_viewer"))
    with django_assert_max_num_queries(20):
        page = web.get("/feedback/trends/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "vendor/chartjs/chart.umd.min.js" in text and "feedback/trends.js" in text
    assert 'id="trends-data"' in text and 'data-testid="trends-table-category"' in text
    csv = web.get("/feedback/trends/", {"format": "csv", "table": "category"})
    assert csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert (
        rows[0] == "Code,Name,Cases" and "complaint_assistance,Complaint about assistance,4" in rows
    )
    summary = web.get("/feedback/trends/", {"format": "csv", "table": "summary"}).content
    assert b"median_days,3.5" in summary
    months = web.get("/feedback/trends/", {"format": "csv", "table": "month"}).content.decode()
    assert len(months.splitlines()) >= 2


def test_the_trends_page_in_arabic_reads_right_to_left() -> None:
    _world()
    user = make_user("me_viewer", preferred_language="ar")
    page = client_for(user).get("/feedback/trends/").content.decode()
    assert 'dir="rtl"' in page


def test_percentiles_interpolate_between_values() -> None:
    assert _percentile([], 0.5) is None
    assert _percentile([4.0], 0.9) == 4.0
    assert _percentile([1, 2, 3, 4], 0.5) == 2.5

"""An M&E officer in headless Chromium opens the mission dashboard, filters a
governorate and a quarter, and sees the unique people by programme (a household reached
by two programmes counted once in the total, once in each); the charts' canvases and the
map draw without a JavaScript error. The same page in Arabic on a 390 px phone reads
right to left and fits the screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]

PHONE_WIDTH = 390


def _quarter_before(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    from sanad.reporting.common import add_months, month_end

    this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = add_months(this_quarter, -3)
    return start, month_end(add_months(start, 2))


@pytest.fixture
def world(transactional_db: Any, live_server: Any) -> Any:
    from sanad.assistance.services import assistance_record
    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units
    from sanad.reporting.services.summary import summary_refresh
    from tests.assistance.conftest import household_with_members
    from tests.factories import (
        DUHOK,
        ERBIL,
        PlaceFactory,
        ProgrammeFactory,
        make_user,
        subdistrict_in,
    )

    load_admin_units(AdminUnit)  # a transactional test's flush removed them
    for code in ("NFI", "SHELTER", "CCCM", "TRANSPORT", "CWC", "CRP"):
        ProgrammeFactory(code=code)
    admin = make_user("administrator", username="reporting-admin")
    today = datetime.date.today()
    start, end = _quarter_before(today)
    in_quarter = start + datetime.timedelta(days=20)
    camp = PlaceFactory(
        name_en="Domiz Test Camp", admin_unit=subdistrict_in(DUHOK), lat=36.78, lon=42.87
    )
    reached = household_with_members(DUHOK, members=4)
    later = household_with_members(DUHOK, members=3)
    erbil = household_with_members(ERBIL, members=2)
    n = iter(range(100))

    def deliver(household: Any, programme: str, on: datetime.date, **kw: Any) -> None:
        values = {"kind": "in_kind", "item": "winter_kit", "quantity": 1, "unit": "kit"}
        values.update(kw)
        assistance_record(
            user=admin,
            household=household,
            programme=programme,
            delivered_on=on,
            source_type="browser.reporting",
            source_id=f"r-{next(n)}",
            **values,
        )

    deliver(reached, "NFI", in_quarter, place=camp)
    deliver(
        reached,
        "CRP",
        in_quarter,
        kind="grant",
        item="business_grant",
        quantity=None,
        unit="",
        value=Decimal("400"),
        currency="USD",
        exchange_rate=Decimal("1310"),
    )
    deliver(later, "NFI", today)  # outside the quarter
    deliver(erbil, "NFI", in_quarter)  # outside the governorate
    summary_refresh()

    class World:
        officer = make_user("me_viewer", username="me.officer", full_name="M&E Officer")
        quarter = (start, end)

    return World


def _watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", "")
            else None
        ),
    )
    return errors


def _charts_drawn(page: Any) -> int:
    """How many canvases hold a Chart.js chart with a drawn size."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).filter(
            c => window.Chart && window.Chart.getChart(c) && c.width > 0 && c.height > 0
        ).length"""
    )


def test_an_me_officer_filters_the_mission_dashboard_and_sees_unique_people(
    world, live_server, page
):
    from tests.factories import DUHOK, PASSWORD

    base = live_server.url
    errors = _watch_errors(page)
    sign_in(page, base, world.officer.username, PASSWORD)
    page.goto(f"{base}/reporting/")
    assert page.get_by_test_id("dashboard-title").inner_text() == "Mission overview"
    assert page.get_by_test_id("figure-people").inner_text() == "9"  # every household

    # A governorate: the district list follows it without reloading the page.
    page.select_option("#filter-governorate", DUHOK)
    assert page.is_enabled("#filter-district")
    assert page.locator("#filter-district option").count() > 1
    start, end = world.quarter
    page.fill("#filter-from", f"{start:%Y-%m}")
    page.fill("#filter-to", f"{end:%Y-%m}")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(f"**governorate={DUHOK}**")
    assert page.get_by_test_id("figure-people").inner_text() == "4"
    assert page.get_by_test_id("figure-households").inner_text() == "1"

    # Unique people by programme: the household counted once in each programme.
    page.get_by_test_id("chart-programme").locator("summary").click()
    rows = page.get_by_test_id("table-programme").locator("tbody tr")
    by_programme = {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").first.inner_text()
        for i in range(rows.count())
    }
    assert by_programme == {"Non-Food Items": "4", "Community Revitalization": "4"}

    # The charts and the map are drawn.
    page.wait_for_function(
        "() => document.querySelectorAll('#dashboard-map .leaflet-interactive').length >= 2"
    )
    assert _charts_drawn(page) == page.locator("canvas[data-chart]").count() >= 5
    assert page.get_by_test_id("map-legend").is_visible()
    page.select_option("#map-figure", "value_usd")
    assert "Value (USD)" in page.get_by_test_id("map-legend").inner_text()
    assert "Domiz Test Camp" in page.get_by_test_id("map-table").inner_text()
    shot(page, "reporting-mission-dashboard")
    assert not errors, errors


def test_the_dashboard_in_arabic_fits_a_phone(world, live_server, phone):
    from tests.factories import DUHOK, PASSWORD

    base = live_server.url
    errors = _watch_errors(phone)
    sign_in(phone, base, world.officer.username, PASSWORD)
    phone.goto(f"{base}/reporting/")
    # The language switch sits in the collapsed menu on a phone: submit its form.
    with phone.expect_navigation():
        phone.evaluate(
            "() => { const s = document.getElementById('language-select');"
            " s.value = 'ar'; s.form.submit(); }"
        )
    start, end = world.quarter
    phone.goto(f"{base}/reporting/?governorate={DUHOK}&from={start:%Y-%m}&to={end:%Y-%m}")
    assert phone.evaluate("document.documentElement.dir") == "rtl"
    phone.wait_for_function(
        "() => document.querySelectorAll('#dashboard-map .leaflet-interactive').length >= 2"
    )
    assert _charts_drawn(phone) >= 5
    assert phone.get_by_test_id("figure-people").inner_text() == "4"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1
    shot(phone, "reporting-mission-dashboard-phone-ar")
    assert not errors, errors

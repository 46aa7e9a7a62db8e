"""A new user's first visit, in headless Chromium: sign in, dashboard, Arabic, places,
API docs, a phone screen. Screenshots go to test-artifacts/."""

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]


def test_signing_in_shows_the_dashboard_in_english(page, live_server, demo_data):
    sign_in(page, live_server.url, "admin")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_test_id("places-total").inner_text().strip() != "0"
    assert shot(page, "dashboard-en").stat().st_size > 10_000


def test_switching_to_arabic_flips_the_layout_right_to_left(page, live_server, demo_data):
    sign_in(page, live_server.url, "imo")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert "لوحة المعلومات" in page.content()
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand["x"] > 640  # the brand moved to the right-hand side
    shot(page, "dashboard-ar")
    page.reload()
    assert page.locator("html").get_attribute("dir") == "rtl"  # remembered


def test_switching_to_kurdish_is_right_to_left_too(page, live_server, demo_data):
    sign_in(page, live_server.url, "camp.manager")
    with page.expect_navigation():
        page.select_option("#language-select", "ckb")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ckb"
    assert page.locator("html").get_attribute("dir") == "rtl"
    shot(page, "dashboard-ckb")


def test_browsing_places_by_governorate(page, live_server, demo_data):
    sign_in(page, live_server.url, "imo")
    page.goto(f"{live_server.url}/places/?governorate=IQG09")
    rows = page.locator("#list-results tbody tr")
    assert rows.count() >= 10
    assert "Domiz 1" in page.locator("#list-results").inner_text()
    assert "Baharka" not in page.locator("#list-results").inner_text()
    shot(page, "places-duhok")


def test_a_scoped_user_does_not_see_places_outside_their_governorate(page, live_server, demo_data):
    sign_in(page, live_server.url, "camp.manager")  # Duhok only
    page.goto(f"{live_server.url}/places/?q=Baharka")
    assert "Baharka" not in page.locator("#list-results").inner_text()


def test_the_api_documentation_page_renders_offline(page, live_server, demo_data):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=20000)
    assert "Sanad API" in page.locator(".swagger-ui .info").inner_text()
    assert all(r.startswith(live_server.url) or r.startswith("data:") for r in requests)
    shot(page, "api-docs")


def test_the_dashboard_fits_a_phone_screen_in_arabic(phone, live_server, demo_data):
    sign_in(phone, live_server.url, "nfi.officer")
    assert not phone.locator("#language-select").is_visible()  # folded into the menu on a phone
    phone.click(".navbar-toggler")
    phone.wait_for_selector("#nav.show")
    with phone.expect_navigation():
        phone.select_option("#language-select", "ar")
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("dir") == "rtl"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # no horizontal scrolling
    shot(phone, "dashboard-phone-ar")
    phone.click(".navbar-toggler")
    phone.wait_for_selector("#nav.show")
    shot(phone, "menu-phone-ar")

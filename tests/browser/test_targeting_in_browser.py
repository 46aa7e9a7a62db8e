"""Targeting in headless Chromium: a programme officer builds a rule with the builder
(no code), sees the live preview, and saves it; the demo list waits for approval; the
builder works on a phone in Arabic. Screenshots go to test-artifacts/."""

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]


def test_a_rule_is_built_in_the_browser_with_a_live_preview(page, live_server, demo_data):
    from sanad.targeting.models import Rule

    sign_in(page, live_server.url, "nfi.officer")
    page.goto(f"{live_server.url}/targeting/rules/new/")
    page.fill("#id_name", "Tents in Duhok, no kit yet")
    builder = page.get_by_test_id("rule-builder")
    # Condition 1: governorate is Duhok.
    builder.locator("[data-role=add-condition]").first.click()
    row = builder.get_by_test_id("condition").nth(0)
    row.locator("select[data-role=field]").select_option("governorate")
    row = builder.get_by_test_id("condition").nth(0)
    row.locator("select").nth(2).select_option("IQG09")
    # A group: any of (shelter type is camp, critical shelter).
    builder.locator("[data-role=add-group]").first.click()
    group = builder.get_by_test_id("group").nth(1)
    inner = group.get_by_test_id("condition").nth(0)
    inner.locator("select[data-role=field]").select_option("shelter_type")
    inner = group.get_by_test_id("condition").nth(0)
    inner.locator("select").nth(2).select_option("camp")
    group.locator("[data-role=add-condition]").click()
    second = group.get_by_test_id("condition").nth(1)
    second.locator("select[data-role=field]").select_option("critical_shelter")
    # Condition 3: has not received a winter kit in the last 3 months.
    builder.locator("[data-role=add-condition]").first.click()
    ledger = builder.get_by_test_id("condition").nth(3)
    ledger.locator("select[data-role=field]").select_option("received")
    ledger = builder.get_by_test_id("condition").nth(3)
    ledger.locator("select[data-role=operator]").select_option("is_false")
    ledger = builder.get_by_test_id("condition").nth(3)
    ledger.locator("input[type=text]").fill("winter_kit")
    ledger.locator("input[type=number]").fill("3")
    page.get_by_test_id("preview-button").click()
    page.wait_for_selector("[data-testid=preview-total]")
    total = int(page.get_by_test_id("preview-total").inner_text())
    assert total > 0
    shot(page, "targeting-rule-builder")
    with page.expect_navigation():
        page.get_by_test_id("rule-save").click()
    rule = Rule.objects.get(name="Tents in Duhok, no kit yet")
    assert rule.tree == {
        "match": "all",
        "items": [
            {"field": "governorate", "operator": "eq", "value": "IQG09"},
            {
                "match": "any",
                "items": [
                    {"field": "shelter_type", "operator": "eq", "value": "camp"},
                    {"field": "critical_shelter", "operator": "is_true", "value": None},
                ],
            },
            {
                "field": "received",
                "operator": "is_false",
                "value": {"what": "item", "code": "winter_kit", "months": 3},
            },
        ],
    }
    # The saved rule opens in the builder as it was built.
    assert page.get_by_test_id("condition").count() == 4


def test_the_demo_list_waits_for_a_second_person(page, live_server, demo_data):
    from sanad.targeting.models import BeneficiaryList

    lst = BeneficiaryList.objects.get(name="Winter kits Duhok 2026")
    sign_in(page, live_server.url, "nfi.officer")
    page.goto(f"{live_server.url}/targeting/lists/{lst.public_id}/")
    assert page.get_by_test_id("two-person").is_visible()
    shot(page, "targeting-list-locked")
    page.goto(f"{live_server.url}/targeting/lists/{lst.public_id}/households/")
    first = page.get_by_test_id("explain-link").first
    with page.expect_navigation():
        first.click()
    assert page.get_by_test_id("condition-row").count() == 4
    shot(page, "targeting-explanation")


def test_the_rule_builder_fits_a_phone_in_arabic(phone, live_server, demo_data):
    from sanad.accounts.models import User
    from sanad.targeting.models import Rule

    User.objects.filter(username="nfi.officer").update(preferred_language="ar")
    rule = Rule.objects.get(name="Winter kits Duhok 2026")
    sign_in(phone, live_server.url, "nfi.officer")
    phone.goto(f"{live_server.url}/targeting/rules/{rule.public_id}/")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.get_by_test_id("condition").count() == 4
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    shot(phone, "targeting-rule-phone-ar")

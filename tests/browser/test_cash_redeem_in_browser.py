"""The vendor's phone page in headless Chromium at phone size (390×844): the cashier
types a voucher's code (lower case, without dashes), sees its balance, adds two items
(prices from the contract), confirms with a double tap — one sale — and sees the new
balance; then scans the next voucher's QR code with the (fake) camera, decoded in the
page by jsQR. Also in Arabic (right to left). Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.conftest import ARGS, own_chromium, shot, sign_in
from tests.browser.test_distribution_day_in_browser import _y4m_of_qr

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db: Any, live_server: Any) -> Any:
    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units
    from tests.cash.factories import cash_world

    load_admin_units(AdminUnit)  # a transactional test's flush removed them
    return cash_world(households=2, allowed_categories=["bedding", "hygiene"])


def _phone(pw_browser: Any, *, locale: str = "en-GB") -> Any:
    context = pw_browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        permissions=["camera"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_a_cashier_sells_two_items_once_and_sees_the_new_balance(
    world, live_server, tmp_path, browser
):
    from sanad.cash.models import Redemption
    from sanad.cash.services._common import code_display
    from tests.factories import PASSWORD

    w = world
    second = code_display(w.code(1))
    video = _y4m_of_qr(second, tmp_path / "voucher.y4m")
    args = [
        *ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    redeem_url = f"{live_server.url}/cash/redeem/"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with own_chromium(browser, args) as browser:
        context, page = _phone(browser)
        sign_in(page, live_server.url, w.cashier.username, PASSWORD, lands="/cash/redeem/")
        page.goto(redeem_url)
        assert w.vendor.name in page.get_by_test_id("redeem-vendor").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "cash-redeem-phone-en")

        # 1. Type the code as a person would: lower case, no dashes.
        page.get_by_test_id("redeem-code").fill(w.code(0).lower())
        page.get_by_test_id("redeem-check").click()
        page.get_by_test_id("redeem-sale").wait_for()
        assert page.get_by_test_id("redeem-balance").inner_text() == "50,000 IQD"

        # 2. Two items: the price comes from the contract when the item is chosen.
        first_line = page.get_by_test_id("redeem-line").nth(0)
        first_line.get_by_test_id("redeem-item").select_option(w.blanket.code)
        assert first_line.get_by_test_id("redeem-price").input_value() == "12000"
        first_line.get_by_test_id("redeem-quantity").fill("2")
        page.get_by_test_id("redeem-add-line").click()
        second_line = page.get_by_test_id("redeem-line").nth(1)
        second_line.get_by_test_id("redeem-item").select_option(w.soap.code)
        second_line.get_by_test_id("redeem-quantity").fill("3")
        assert page.get_by_test_id("redeem-total").inner_text() == "28,500 IQD"
        assert page.get_by_test_id("redeem-after").inner_text() == "21,500 IQD"
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "cash-redeem-sale-en")

        # 3. A double tap on Confirm: one sale.
        page.get_by_test_id("redeem-confirm").dblclick()
        done = page.get_by_test_id("redeem-done")
        done.wait_for()
        assert "21,500 IQD" in page.get_by_test_id("redeem-new-balance").inner_text()
        shot(page, "cash-redeem-paid-en")
        sales = Redemption.objects.filter(voucher__code=w.code(0))
        assert sales.count() == 1 and sales.get().amount == Decimal("28500")
        assert w.voucher(0).balance == Decimal("21500")

        # 4. The next voucher by its QR code.
        page.get_by_test_id("redeem-next").click()
        page.get_by_test_id("redeem-scan").click()
        page.get_by_test_id("redeem-sale").wait_for()
        assert page.get_by_test_id("redeem-voucher-code").inner_text() == second
        assert page.get_by_test_id("redeem-balance").inner_text() == "50,000 IQD"
        context.close()

        # 5. Arabic, right to left, still fits the phone.
        w.cashier.preferred_language = "ar"
        w.cashier.save(update_fields=["preferred_language"])
        context, page = _phone(browser, locale="ar-IQ")
        sign_in(page, live_server.url, w.cashier.username, PASSWORD, lands="/cash/redeem/")
        page.goto(redeem_url)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "cash-redeem-phone-ar")
        page.get_by_test_id("redeem-code").fill(w.code(0))
        page.get_by_test_id("redeem-check").click()
        page.get_by_test_id("redeem-sale").wait_for()
        page.get_by_test_id("redeem-line").nth(0).get_by_test_id("redeem-item").select_option(
            w.blanket.code
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "cash-redeem-sale-ar")
        context.close()

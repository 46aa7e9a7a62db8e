"""A transport officer's phone (390×844) in headless Chromium: at the departure of a
convoy, households are marked boarded by typing their registration ids in the scan box,
two are marked no-show, the convoy is re-balanced and departs; at the destination the
families are checked in (a tick and a typed id) and the convoy completed.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]

PHONE_WIDTH = 390


@pytest.fixture
def transport(transactional_db: Any, live_server: Any, settings: Any) -> None:
    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units

    load_admin_units(AdminUnit)
    settings.SANAD_TRANSPORT_PLAN_SECONDS = 1.0


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1


def test_an_officer_checks_a_convoy_out_and_in_on_a_phone(transport, live_server, browser):
    from sanad.transport.models import Convoy, ConvoyLoad, MovementHousehold, MovementRequest
    from tests.factories import PASSWORD, make_user
    from tests.transport.test_checks import ready_convoy, reg

    officer = make_user("transport_officer", full_name="Transport Officer")
    convoy, loads = ready_convoy(
        households=4, members=4, vehicles=("minibus", "minibus"), placement=[0, 0, 1, 1]
    )
    base = live_server.url
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, base, officer.username, PASSWORD)
        page.goto(f"{base}/transport/convoys/{convoy.public_id}/departure/")
        assert page.get_by_test_id("count-planned").inner_text() == "4"
        assert page.get_by_test_id("rebalance-box").is_hidden()

        # Two families board: their registration ids typed in the scan box.
        for load in loads[:2]:
            page.get_by_test_id("scan-code").fill(reg(load))
            page.get_by_test_id("scan-submit").click()
            card = page.get_by_test_id(f"load-{reg(load)}")
            page.wait_for_function(
                "id => document.querySelector(`[data-testid='load-${id}']`).dataset.status"
                " === 'boarded'",
                arg=reg(load),
            )
            note = page.get_by_test_id("check-note").inner_text()
            assert load.convoy_vehicle.vehicle.plate_number in note
            assert card.get_by_test_id("btn-boarded").is_disabled()
        # A card that is not on this movement is refused with a sentence.
        page.get_by_test_id("scan-code").fill("SND-XXXX-0000")
        page.get_by_test_id("scan-submit").click()
        page.get_by_test_id("check-note").filter(has_text="not on this movement").wait_for()

        # Two families do not show up.
        for load in loads[2:]:
            page.get_by_test_id(f"load-{reg(load)}").get_by_test_id("btn-no_show").click()
            page.wait_for_function(
                "id => document.querySelector(`[data-testid='load-${id}']`).dataset.status"
                " === 'no_show'",
                arg=reg(load),
            )
        assert page.get_by_test_id("count-boarded").inner_text() == "2"
        assert page.get_by_test_id("count-no_show").inner_text() == "2"
        assert page.get_by_test_id("count-planned").inner_text() == "0"
        assert _fits(page)
        shot(page, "transport-departure-phone")

        # Re-balance: the no-shows leave the convoy; the others keep their vehicles.
        page.get_by_test_id("rebalance-box").wait_for()
        page.get_by_test_id("rebalance").click()
        page.locator(".alert", has_text="Re-balanced").wait_for()
        assert page.get_by_test_id(f"load-{reg(loads[2])}").count() == 0
        for load in loads[2:]:
            row = MovementHousehold.objects.get(pk=load.movement_household_id)
            assert row.status == MovementHousehold.Status.POSTPONED

        # Depart: the arrival page opens.
        page.get_by_test_id("depart").click()
        page.wait_for_url(f"{base}/transport/convoys/{convoy.public_id}/arrival/")
        convoy.refresh_from_db()
        assert convoy.status == Convoy.Status.DEPARTED
        assert convoy.request.status == MovementRequest.Status.IN_PROGRESS

        # Arrival: one family by its button, the other by its typed id.
        page.get_by_test_id(f"load-{reg(loads[0])}").get_by_test_id("btn-arrived").click()
        page.wait_for_function(
            "id => document.querySelector(`[data-testid='load-${id}']`).dataset.status"
            " === 'arrived'",
            arg=reg(loads[0]),
        )
        page.get_by_test_id("scan-code").fill(reg(loads[1]).lower())
        page.get_by_test_id("scan-submit").click()
        page.get_by_test_id("check-note").filter(has_text="handed over").wait_for()
        assert page.get_by_test_id("count-arrived").inner_text() == "2"
        assert _fits(page)
        shot(page, "transport-arrival-phone")
        for load in loads[:2]:
            assert ConvoyLoad.objects.get(pk=load.pk).status == ConvoyLoad.Status.ARRIVED

        page.reload()
        page.get_by_test_id("handed-over").wait_for()
        page.get_by_test_id("complete").click()
        page.locator(".alert", has_text="arrived.").first.wait_for()
        convoy.refresh_from_db()
        assert convoy.status == Convoy.Status.ARRIVED
        assert _fits(page)
    finally:
        context.close()

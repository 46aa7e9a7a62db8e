"""A camp manager's phone (390×844) in headless Chromium: this month's monitoring round of
a site (too few latrines: a gap against the standard of 20 people per latrine), then a
maintenance ticket from raising to closing — triaged and assigned by the manager, the
work recorded with a photo by the maintenance team, verified by the manager.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]

PHONE_WIDTH = 390


@pytest.fixture
def world(transactional_db: Any, live_server: Any, settings: Any, tmp_path: Any) -> Any:
    from django.apps import apps

    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units
    from tests.camps.factories import make_site
    from tests.factories import DUHOK, make_user

    load_admin_units(AdminUnit)  # a transactional test's flush removed them
    # ... and the camp standards the data migration loaded.
    importlib.import_module("sanad.camps.migrations.0002_standards").forwards(apps, None)
    settings.SANAD_CAMPS_PHOTO_DIR = tmp_path / "camps-photos"

    class World:
        manager = make_user("camp_manager", governorates=(DUHOK,), full_name="Camp Manager")
        fixer = make_user("maintenance_team", governorates=(DUHOK,), full_name="Fixer Team")
        site = make_site(name="Bajed Kandala Test")

    return World


def _phone(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1


def _png(path: Any) -> Any:
    from PIL import Image

    Image.new("RGB", (64, 48), (40, 120, 200)).save(path, "PNG")
    return path


def test_a_monitoring_round_on_a_phone_shows_the_latrine_gap(world, live_server, browser):
    from sanad.camps.models import MonitoringRound
    from tests.factories import PASSWORD

    base = live_server.url
    context, page = _phone(browser)
    sign_in(page, base, world.manager.username, PASSWORD)
    page.goto(f"{base}/camps/monitoring/new/?site={world.site.public_id}")
    form = page.get_by_test_id("round-form")
    assert form.locator("select[name=site]").input_value() == str(world.site.public_id)
    for label, value in (
        ("People living on the site", "100"),
        ("Households living on the site", "20"),
        ("Latrines (working)", "4"),  # 100 / 4 = 25 people a latrine: more than 20
        ("Showers (working)", "2"),
        ("Water taps (working)", "1"),
        ("Water supplied (litres a day)", "2000"),
        ("Covered shelter area (m²)", "400"),
        ("Shelters occupied", "20"),
        ("Distance to the health post (km)", "2"),
    ):
        form.get_by_label(label, exact=True).fill(value)
    assert _fits(page)
    shot(page, "camps-round-form-phone")
    form.get_by_role("button", name="Save as draft").click()

    round_ = MonitoringRound.objects.get(site=world.site)
    page.wait_for_url(f"{base}/camps/monitoring/{round_.public_id}/")
    assert "1 gap" in page.get_by_test_id("round-preview").inner_text()
    page.get_by_test_id("round-submit").click()
    page.get_by_test_id("round-gaps").wait_for()
    assert page.get_by_test_id("round-status").inner_text() == "Submitted"
    assert (
        "1 indicator does not meet its standard" in page.get_by_test_id("round-gaps").inner_text()
    )
    latrine = page.locator('[data-testid="indicator-table"] tr[data-code="people_per_latrine"]')
    assert "table-danger" in (latrine.get_attribute("class") or "")
    assert latrine.locator("[data-gap]").inner_text().strip() == "Gap"
    assert "25" in latrine.locator("td").nth(1).inner_text()
    others = page.locator('[data-testid="indicator-table"] tr[data-code]')
    assert others.count() == 7
    assert page.locator('[data-testid="indicator-table"] [data-gap]').count() == 1
    assert _fits(page)
    shot(page, "camps-round-gap-phone")
    round_.refresh_from_db()
    assert round_.status == "submitted" and round_.gaps == 1
    context.close()


def test_a_ticket_is_raised_assigned_done_with_a_photo_and_verified(
    world, live_server, browser, tmp_path
):
    from sanad.camps.models import Ticket
    from tests.factories import PASSWORD

    base = live_server.url
    manager_context, page = _phone(browser)
    sign_in(page, base, world.manager.username, PASSWORD)

    # 1. The camp manager raises it on the site.
    page.goto(f"{base}/camps/tickets/new/?site={world.site.public_id}")
    form = page.get_by_test_id("ticket-form")
    assert form.locator("select[name=site]").input_value() == str(world.site.public_id)
    form.get_by_label("What is wrong").fill("The tap at block B leaks")
    form.get_by_label("Details").fill("Water runs all night beside tent B-12.")
    assert _fits(page)
    form.get_by_test_id("ticket-save").click()
    ticket = Ticket.objects.get(site=world.site)
    page.wait_for_url(f"{base}/camps/tickets/{ticket.public_id}/")
    assert page.get_by_test_id("ticket-status").inner_text() == "New"

    # 2. Triage (priority and category), then assign to the maintenance team's member.
    page.locator("#id_triage-priority").select_option("high")
    page.locator("#id_triage-category").select_option("water")
    page.get_by_test_id("ticket-triage").click()
    page.locator(".alert", has_text="The ticket is triaged").wait_for()
    assert page.get_by_test_id("ticket-status").inner_text() == "Triaged"
    page.locator("#id_assign-assignee").select_option(world.fixer.username)
    page.get_by_test_id("ticket-assign").click()
    page.locator(".alert", has_text="The ticket is assigned.").wait_for()
    assert page.get_by_test_id("ticket-status").inner_text() == "Assigned"
    assigned = page.locator("dt", has_text="Assigned to").locator("xpath=following-sibling::dd[1]")
    # The pages name a user by get_full_name() (first/last name, never filled in) before
    # the username, not by the user's full_name: accept either.
    assert assigned.inner_text().strip() in (world.fixer.full_name, world.fixer.username)

    # 3. The maintenance team records the work with a photo (its own phone).
    fixer_context, fixer = _phone(browser)
    sign_in(fixer, base, world.fixer.username, PASSWORD)
    fixer.goto(f"{base}/camps/tickets/{ticket.public_id}/")
    work = fixer.get_by_test_id("ticket-work-form")
    work.get_by_role("textbox", name="Work done").fill("Replaced the tap's washer; no more leak.")
    work.locator('input[type="file"]').set_input_files(str(_png(tmp_path / "fixed.png")))
    work.locator("[data-photo-preview] img").wait_for()  # the page shows what was chosen
    assert _fits(fixer)
    shot(fixer, "camps-ticket-work-phone")
    fixer.get_by_test_id("ticket-work-save").click()
    fixer.locator(".alert", has_text="The work is recorded").wait_for()
    assert fixer.get_by_test_id("ticket-status").inner_text() == "Work done, awaiting verification"
    photo = fixer.get_by_test_id("work-photos").locator("img")
    assert photo.count() == 1
    photo.scroll_into_view_if_needed()  # loading="lazy"
    photo.evaluate("img => img.decode()")  # served to the team that took it
    assert photo.evaluate("img => img.naturalWidth") == 64
    assert fixer.get_by_test_id("ticket-verify").count() == 0  # a manager checks it
    fixer_context.close()

    # 4. The camp manager checks the work and closes the ticket.
    page.reload()
    assert "Replaced the tap's washer" in page.get_by_test_id("ticket-work").inner_text()
    page.get_by_test_id("ticket-verify").click()
    page.locator(".alert", has_text="The work is verified and the ticket closed.").wait_for()
    assert page.get_by_test_id("ticket-status").inner_text() == "Verified and closed"
    verified = page.get_by_test_id("ticket-work").locator("xpath=..").inner_text()
    assert any(
        f"Verified by {who}" in verified
        for who in (world.manager.full_name, world.manager.username)
    )
    assert _fits(page)
    shot(page, "camps-ticket-verified-phone")
    ticket.refresh_from_db()
    assert ticket.status == "verified" and ticket.photos.filter(stage="work_done").count() == 1
    manager_context.close()

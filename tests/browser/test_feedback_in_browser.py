"""The hotline's intake form in headless Chromium: an operator logs an abuse report, is
told it went to the PSEA focal points and no longer sees it in the case list; a PSEA
focal point (another browser context) finds it in the list, opens it and acknowledges
it. A normal case logged by the same operator stays in the operator's list.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db: Any, live_server: Any) -> Any:
    from django.apps import apps

    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units
    from tests.factories import make_user
    from tests.feedback.factories import make_channel

    load_admin_units(AdminUnit)  # a transactional test's flush removed them
    # ... and the response standards the data migration loaded (deadlines of a case).
    importlib.import_module("sanad.feedback.migrations.0002_response_standards").forwards(
        apps, None
    )

    class World:
        hotline = make_user("hotline_operator", full_name="Sara Hotline")
        psea = make_user("psea_focal_point", full_name="Noor Focal")
        channel = make_channel("hotline", name="Hotline 80069")

    return World


def _context(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _log_case(page: Any, base: str, *, category: str, channel: str, description: str) -> None:
    page.goto(f"{base}/feedback/cases/new/")
    form = page.get_by_test_id("case-form")
    form.get_by_role("radio", name=category).check()
    form.get_by_label("Came through").select_option(channel)
    form.get_by_label("What the person said").fill(description)
    form.get_by_test_id("case-save").click()
    page.wait_for_load_state()


def test_an_abuse_report_goes_to_the_psea_focal_point_only(world, live_server, browser):
    from sanad.feedback.models import Case
    from tests.factories import PASSWORD

    base = live_server.url
    sea_text = "A distributor asked for favours in exchange for the kit."
    normal_text = "The blankets in the kit were torn."

    # 1. The hotline operator logs the abuse report.
    context, page = _context(browser)
    sign_in(page, base, world.hotline.username, PASSWORD)
    _log_case(
        page,
        base,
        category="Sexual exploitation or abuse",
        channel=world.channel.code,
        description=sea_text,
    )
    page.wait_for_url(f"{base}/feedback/cases/new/")
    sea = Case.objects.get(description=sea_text)
    assert sea.sensitivity == "psea"
    alert = page.locator(".alert", has_text="PSEA focal points")
    assert sea.reference in alert.inner_text()
    assert "you will not see it again" in alert.inner_text()
    shot(page, "feedback-psea-sent")

    # 2. A normal case stays with the hotline: its page opens after saving.
    _log_case(
        page,
        base,
        category="Complaint about assistance",
        channel=world.channel.code,
        description=normal_text,
    )
    normal = Case.objects.get(description=normal_text)
    page.wait_for_url(f"{base}/feedback/cases/{normal.public_id}/")
    assert page.get_by_test_id("case-description").inner_text() == normal_text

    # 3. The hotline's list shows the normal case, not the abuse report.
    page.goto(f"{base}/feedback/cases/")
    table = page.get_by_test_id("case-table")
    assert table.get_by_role("link", name=normal.reference).count() == 1
    assert table.get_by_role("link", name=sea.reference).count() == 0
    assert sea_text[:30] not in page.content()
    # ... nor may the operator open it by its address.
    response = page.goto(f"{base}/feedback/cases/{sea.public_id}/")
    assert response is not None and response.status == 404
    context.close()

    # 4. The PSEA focal point finds it, opens it and acknowledges it.
    context, page = _context(browser)
    sign_in(page, base, world.psea.username, PASSWORD)
    page.goto(f"{base}/feedback/cases/")
    table = page.get_by_test_id("case-table")
    table.get_by_role("link", name=sea.reference).click()
    page.wait_for_url(f"{base}/feedback/cases/{sea.public_id}/")
    assert page.get_by_test_id("case-description").inner_text() == sea_text
    assert page.get_by_test_id("case-restricted").is_visible()
    assert page.get_by_test_id("case-status").inner_text() == "New"
    page.get_by_role("button", name="Acknowledge").click()
    page.locator(".alert", has_text="The case is acknowledged.").wait_for()
    assert page.get_by_test_id("case-status").inner_text() == "Acknowledged"
    assert page.get_by_test_id("case-acknowledge").count() == 0
    shot(page, "feedback-psea-acknowledged")
    sea.refresh_from_db()
    assert sea.status == "acknowledged" and sea.acknowledged_at is not None
    context.close()

"""A grant committee member's phone (390×844) in headless Chromium: from *My scoring*,
they open the call's worklist and an application, declare that they have no conflict
of interest, score every criterion and see their weighted total; a second application
they declare a conflict on shows no score form (back on the worklist). The same pages in Arabic fit the screen.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]

PHONE_WIDTH = 390


@pytest.fixture
def grants(transactional_db: Any, live_server: Any) -> None:
    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units

    load_admin_units(AdminUnit)


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1


def test_a_committee_member_declares_and_scores_on_a_phone(grants, live_server, browser):
    from sanad.revitalization.models import ConflictDeclaration, Score
    from tests.factories import PASSWORD
    from tests.revitalization.grants_helpers import apply, close, criteria, officer, open_call

    user = officer()
    call, members = open_call(user)
    first_app, second_app = apply(user, call), apply(user, call, business_name="Bakery")
    close(user, call)
    member = members[0]
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
        sign_in(page, base, member.username, PASSWORD)
        page.goto(f"{base}/revitalization/grants/scoring/")
        page.get_by_text(call.reference).first.click()
        page.get_by_text(first_app.reference).first.click()
        page.get_by_test_id("declaration-form").wait_for()
        assert page.get_by_test_id("score-form").count() == 0
        page.check("input[name=conflict][value=no]")
        page.get_by_test_id("declare").click()
        page.get_by_test_id("score-form").wait_for()
        viability, vulnerability = criteria(call)
        page.fill(f"[name=score_{viability.pk}]", "8.5")
        page.fill(f"[name=score_{vulnerability.pk}]", "6")
        page.get_by_test_id("score-save").click()
        page.wait_for_load_state()
        page.goto(f"{base}/revitalization/grants/scoring/applications/{first_app.public_id}/")
        # 8.5/10 × 60 + 6/10 × 40
        assert page.get_by_test_id("my-total").inner_text() == "75.00"
        assert _fits(page)
        shot(page, "revitalization-scored-phone")
        assert Score.objects.filter(application=first_app, member__user=member).count() == 2

        # A conflict on the second application: no score form, the reason kept.
        page.goto(f"{base}/revitalization/grants/scoring/applications/{second_app.public_id}/")
        page.check("input[name=conflict][value=yes]")
        page.fill("[name=note]", "The applicant is my cousin")
        page.get_by_test_id("declare").click()
        page.wait_for_url(f"{base}/revitalization/grants/scoring/calls/{call.public_id}/")
        page.goto(f"{base}/revitalization/grants/scoring/applications/{second_app.public_id}/")
        page.get_by_test_id("conflict-declared").wait_for()
        assert page.get_by_test_id("score-form").count() == 0
        assert ConflictDeclaration.objects.get(
            application=second_app, member__user=member
        ).has_conflict

        # The same page in Arabic, right to left, fits the phone.
        page.goto(f"{base}/revitalization/grants/scoring/")
        # The language switch sits in the collapsed menu on a phone: submit its form.
        with page.expect_navigation():
            page.evaluate(
                "() => { const s = document.getElementById('language-select');"
                " s.value = 'ar'; s.form.submit(); }"
            )
        page.goto(f"{base}/revitalization/grants/scoring/applications/{first_app.public_id}/")
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert _fits(page)
        shot(page, "revitalization-scored-phone-ar")
    finally:
        context.close()

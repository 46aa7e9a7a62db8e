"""A shelter engineer's phone (390×844) in headless Chromium: a damage assessment of a
registered family's house made on site (checklist, a photo, a bill of quantities priced
from the Duhok catalogue) and submitted for validation; then, on a family's shelter cash
case already started (tranche 1 paid on signing), the inspection that verifies the first
milestone and, signed off on the spot, releases the family's second tranche.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = [pytest.mark.browser]

PHONE_WIDTH = 390


@pytest.fixture
def shelter(transactional_db: Any, live_server: Any, settings: Any, tmp_path: Any) -> Any:
    """Admin units reloaded (a transactional test's flush removed them) and the shelter
    photos in a temporary folder."""
    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units

    load_admin_units(AdminUnit)
    settings.SANAD_SHELTER_PHOTO_DIR = tmp_path / "shelter-photos"
    return settings.SANAD_SHELTER_PHOTO_DIR


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


def _states_values(states: dict[str, str]) -> dict[str, str]:
    labels = {"Partly damaged": "partial", "Destroyed or missing": "destroyed"}
    return {component: labels[state] for component, state in states.items()}


def test_an_engineer_assesses_a_house_on_a_phone_with_a_photo_and_a_bill_of_quantities(
    shelter, live_server, browser, tmp_path
):
    from sanad.shelter.models import COMPONENTS, Assessment, AssessmentPhoto
    from sanad.shelter.services._common import PHOTOS
    from tests.factories import DUHOK, PASSWORD
    from tests.registry.factories import make_household
    from tests.shelter.assessments_factories import (
        add_price,
        engineer_for,
        make_item,
        shelter_project,
    )

    engineer = engineer_for(DUHOK, full_name="Shelter Engineer")
    project = shelter_project(title="Duhok house repairs")
    # A national price and a dearer Duhok one: the house is in Duhok, so Duhok's counts.
    item = make_item("RF-01", price="20.00", component="roof", unit="m2", name="Roof slab")
    add_price(item, "25.50", governorate=DUHOK)
    household = make_household(governorate=DUHOK, members=5)

    base = live_server.url
    context, page = _phone(browser)
    sign_in(page, base, engineer.username, PASSWORD)
    page.goto(f"{base}/shelter/assessments/new/")
    form = page.get_by_test_id("assessment-form")

    # The family and the project.
    form.get_by_label("Household registration id").fill(household.registration_id)
    form.get_by_label("Project").select_option(str(project.pk))
    # The house.
    form.get_by_role("textbox", name="Address", exact=True).fill("House 7, Nakhla street")
    form.get_by_label("Sub-district").select_option(household.admin_unit.pcode)
    form.get_by_role("radio", name="Owner", exact=True).check()
    form.get_by_role("checkbox", name="Title deed (tapu)").check()
    # The damage: the category and every component of the checklist.
    form.get_by_role("radio", name="Severe", exact=True).check()
    checklist = form.get_by_test_id("checklist")
    states = dict.fromkeys(COMPONENTS, "Partly damaged") | {"roof": "Destroyed or missing"}
    for component, state in states.items():
        row = checklist.locator("li").filter(has=page.locator(f"input[name=c_{component}]"))
        row.get_by_role("radio", name=state, exact=True).check()
    # People and living space: 40 m² for 5 people, 8 m² each (the standard is 3.5).
    form.get_by_label("People living there").fill("5")
    form.get_by_label("Covered living space after the works (m²)").fill("40")
    # A photo of the damage, previewed before it is sent.
    form.locator("input[name=photos]").set_input_files(str(_png(tmp_path / "roof.png")))
    form.locator("[data-photo-preview] img").wait_for()
    # One line of the bill of quantities.
    form.locator("select[name='boq-0-item']").select_option("RF-01")
    form.locator("input[name='boq-0-quantity']").fill("12.5")
    assert _fits(page)
    shot(page, "shelter-assessment-form-phone")

    form.get_by_test_id("assessment-submit").click()
    # The form's own address matches any /assessments/<x>/ pattern: wait for the message.
    page.locator(".alert", has_text="is submitted for validation").wait_for()
    assessment = Assessment.objects.get(project=project)
    assert page.url == f"{base}/shelter/assessments/{assessment.public_id}/"

    heading = page.get_by_role("heading", level=1).inner_text()
    assert assessment.reference.startswith("SA-") and assessment.reference in heading
    total = Decimal("12.5") * Decimal("25.50")  # the Duhok price, not the national one
    assert total == Decimal("318.75")
    assert page.get_by_test_id("boq-total").inner_text().strip() == "318.75 USD"
    boq_row = page.get_by_test_id("boq-table").locator("tbody tr")
    assert boq_row.count() == 1 and "25.50" in boq_row.inner_text()
    assert page.get_by_test_id("assessment-status").inner_text() == "Submitted"
    photo = page.get_by_test_id("photos").locator("img")
    assert photo.count() == 1
    photo.scroll_into_view_if_needed()  # loading="lazy"
    photo.evaluate("img => img.decode()")  # served back to the engineer who took it
    assert photo.evaluate("img => img.naturalWidth") == 64
    assert _fits(page)
    shot(page, "shelter-assessment-submitted-phone")

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.household == household and assessment.engineer == engineer
    assert assessment.boq_total == total and assessment.currency == "USD"
    assert assessment.damage == "severe" and assessment.occupants == 5
    assert assessment.components == _states_values(states)
    assert assessment.property.tenure == "owner"
    assert assessment.property.documents == ["title_deed"]
    stored = AssessmentPhoto.objects.get(assessment=assessment)
    assert PHOTOS.absolute(stored.path).is_file()
    assert str(PHOTOS.absolute(stored.path)).startswith(str(shelter))
    context.close()


def test_a_verified_milestone_inspection_on_a_phone_releases_the_familys_second_tranche(
    shelter, live_server, browser, tmp_path
):
    from sanad.cash import services as cash
    from sanad.cash.models import TrancheRelease
    from sanad.core.errors import Conflict
    from sanad.shelter.models import COMPONENTS, CaseMilestone, Inspection
    from tests.cash.test_transfers import template
    from tests.factories import PASSWORD
    from tests.shelter.cases_factories import case_world, started

    w = case_world(cash=True, tranches=3, households=1)
    case = started(w, modality="cash")  # the agreement signed: tranche 1 released
    entitlement = w.entitlement()
    assert entitlement.released_tranches == 1
    assert TrancheRelease.objects.filter(entitlement=entitlement, tranche=1).exists()
    fsp = template(w.cash)
    with pytest.raises(Conflict) as refused:
        cash.payment_list_create(user=w.cash.finance, plan=w.plan, tranche=2, template=fsp)
    assert refused.value.code == "tranche_not_released"
    first = CaseMilestone.objects.get(case=case, sequence=1)
    assert first.releases_tranche == 2 and first.status == "pending"

    base = live_server.url
    context, page = _phone(browser)
    sign_in(page, base, w.engineer.username, PASSWORD)
    page.goto(f"{base}/shelter/cases/{case.public_id}/")
    page.get_by_test_id("case-inspect").click()
    page.wait_for_url(f"{base}/shelter/cases/{case.public_id}/inspect/")
    form = page.get_by_test_id("inspection-form")
    form.get_by_label("Kind").select_option("milestone")
    form.get_by_label("Milestone verified").select_option(str(first.pk))
    form.get_by_label("Progress of the works (%)").fill("35")
    for component, check in (
        ("Roof", "Done to standard"),
        ("Walls", "Done to standard"),
        ("Electrical", "Not part of the works"),
    ):
        # The choices are buttons (Bootstrap's btn-check): tap the label.
        form.get_by_role("group", name=component, exact=True).locator("label").filter(
            has_text=check
        ).click()
    form.locator("label", has_text="Verified: the work is done to standard").click()
    assert form.locator("input[name=result][value=verified]").is_checked()
    form.get_by_label("Findings").fill("Walls up to the lintel; roof slab poured.")
    form.locator("input[name=photos]").set_input_files(str(_png(tmp_path / "walls.png")))
    form.locator("[data-photo-preview] img").wait_for()
    form.get_by_label("Sign the report off now (I am the inspector)").check()
    assert _fits(page)
    shot(page, "shelter-inspection-form-phone")

    form.get_by_test_id("inspection-save").click()
    page.locator(".alert", has_text="tranche 2 is released").wait_for()
    inspection = Inspection.objects.get(case=case)
    assert page.url == f"{base}/shelter/inspections/{inspection.public_id}/"
    assert page.get_by_test_id("inspection-status").inner_text() == "Signed off"
    assert page.get_by_test_id("inspection-result").inner_text() == (
        "Verified: the work is done to standard"
    )
    assert _fits(page)
    shot(page, "shelter-inspection-signed-phone")

    # The case page: milestone 1 verified, its tranche released.
    page.goto(f"{base}/shelter/cases/{case.public_id}/")
    row = page.get_by_test_id("milestone-row").first
    assert "Verified" in row.inner_text() and inspection.reference in row.inner_text()
    assert row.get_by_test_id("tranche-released").is_visible()
    assert (
        "2 of 3 tranches released" in page.locator("dd", has_text="tranches released").inner_text()
    )
    assert _fits(page)
    shot(page, "shelter-case-milestone-verified-phone")
    context.close()

    inspection.refresh_from_db()
    assert inspection.status == "signed_off" and inspection.result == "verified"
    assert inspection.photos.count() == 1
    # Components left alone keep the form's "not part of the works".
    assert inspection.checklist == dict.fromkeys(COMPONENTS, "na") | {"roof": "ok", "walls": "ok"}
    first.refresh_from_db()
    assert first.status == "verified" and first.inspection_id == inspection.pk
    entitlement.refresh_from_db()
    assert entitlement.released_tranches == 2
    assert TrancheRelease.objects.filter(entitlement=entitlement, tranche=2).exists()
    assert not TrancheRelease.objects.filter(entitlement=entitlement, tranche=3).exists()
    payment_list = cash.payment_list_create(
        user=w.cash.finance, plan=w.plan, tranche=2, template=fsp
    )
    assert list(payment_list.payments.values_list("entitlement", flat=True)) == [entitlement.pk]

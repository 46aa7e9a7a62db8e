"""The space standard: at least 3.5 m² of covered living space per person after the
works, flagged otherwise; checked again when the occupants or the area change; shown
on the case list's filter and the case page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanad.shelter.services import cases as services
from tests.conftest import client_for
from tests.shelter.cases_factories import case_world, open_case, photo_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]


@pytest.mark.parametrize(
    "area, people, per_person, flagged",
    [("17.5", 5, "3.50", False), ("17", 5, "3.40", True), ("60", 5, "12.00", False)],
)
def test_the_space_per_person_is_kept_and_flagged_below_3_5_m2(area, people, per_person, flagged):
    w = case_world()
    case = open_case(w, covered_area_after_m2=area, occupants_after=people)
    assert str(case.space_per_person) == per_person
    assert case.below_standard is flagged


def test_changing_the_occupants_or_the_area_checks_the_standard_again():
    w = case_world()
    case = open_case(w, covered_area_after_m2="17.5", occupants_after=5)
    assert not case.below_standard
    case = services.case_update(user=w.officer, case=case, data={"occupants_after": 6})
    assert case.below_standard and str(case.space_per_person) == "2.92"
    case = services.case_update(user=w.officer, case=case, data={"covered_area_after_m2": "21"})
    assert not case.below_standard and str(case.space_per_person) == "3.50"


def test_the_case_takes_the_assessments_figures_unless_given():
    w = case_world()
    assessment = w.assessment(0, occupants=4, area="12")
    case = services.case_create(user=w.officer, assessment=assessment, modality="direct")
    assert (case.occupants_after, case.covered_area_after_m2) == (4, 12)
    assert case.below_standard and str(case.space_per_person) == "3.00"


def test_the_list_filters_houses_below_the_standard_and_the_page_shows_the_badge():
    w = case_world()
    low = open_case(w, covered_area_after_m2="17", occupants_after=5, index=0)
    ok = open_case(w, covered_area_after_m2="17.5", occupants_after=5, index=1)
    client = client_for(w.officer)
    page = client.get(reverse("shelter:case_list") + "?below_standard=1").content.decode()
    assert low.reference in page and ok.reference not in page
    detail = client.get(reverse("shelter:case_detail", args=[low.public_id])).content.decode()
    assert 'data-testid="below-standard"' in detail
    detail = client.get(reverse("shelter:case_detail", args=[ok.public_id])).content.decode()
    assert 'data-testid="below-standard"' not in detail

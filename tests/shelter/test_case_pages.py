"""The case and inspection pages: the list with its filters in a fixed number of
queries, opening a case, the phone-sized inspection form with photos, the handover
signed on the screen and its certificate, defects; records out of scope are not found."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from sanad.shelter.models import Inspection, PriorityEntry, PriorityRound, RehabCase
from tests.conftest import client_for
from tests.factories import ERBIL, make_user
from tests.shelter.cases_factories import (  # noqa: F401
    case_world,
    complete,
    handover,
    jpeg_upload,
    open_case,
    photo_dir,
    signature_data_url,
    started,
    today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]


def test_the_case_list_filters_and_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    w = case_world(households=3)
    late = open_case(
        w,
        index=0,
        planned_start=today() - datetime.timedelta(days=60),
        planned_end=today() - datetime.timedelta(days=1),
    )
    on_time = open_case(w, index=1)
    open_case(w, index=2, modality="contractor")
    client = client_for(w.officer)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("shelter:case_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert late.reference in body and on_time.reference in body
    body = client.get(reverse("shelter:case_list") + "?delayed=1").content.decode()
    assert late.reference in body and on_time.reference not in body
    assert 'data-testid="case-delayed"' in body
    body = client.get(
        reverse("shelter:case_list") + f"?modality=contractor&project={w.project.public_id}"
    ).content.decode()
    assert late.reference not in body and body.count('data-testid="case-row"') == 1


def test_a_case_of_another_governorate_is_not_found():
    w = case_world()
    case = open_case(w)
    outsider = make_user("programme_officer", governorates=(ERBIL,), programmes=("NFI",))
    client = client_for(outsider)
    assert client.get(reverse("shelter:case_detail", args=[case.public_id])).status_code == 404
    assert case.reference not in client.get(reverse("shelter:case_list")).content.decode()


def test_an_officer_opens_a_case_from_an_assessment():
    w = case_world()
    assessment = w.assessment(0, boq_total="3000")
    client = client_for(w.officer)
    url = reverse("shelter:case_create") + f"?assessment={assessment.public_id}"
    page = client.get(url)
    assert page.status_code == 200 and assessment.reference in page.content.decode()
    response = client.post(
        url,
        {
            "modality": "direct",
            "occupants_after": "5",
            "covered_area_after_m2": "40",
            "budget": "3000",
            "planned_start": today().isoformat(),
            "planned_end": (today() + datetime.timedelta(days=60)).isoformat(),
        },
    )
    case = RehabCase.objects.get(assessment=assessment)
    assert response.status_code == 302 and response.url.endswith(f"{case.public_id}/")
    page = client.get(response.url).content.decode()
    assert 'data-testid="milestone-row"' in page and 'data-testid="case-start"' in page


def test_an_officer_opens_the_cases_of_a_final_round_in_one_go():
    w = case_world(households=2)
    rnd = PriorityRound.objects.create(
        name="Round A", programme=w.project.programme, project=w.project, status="final"
    )
    for rank in (1, 2):
        PriorityEntry.objects.create(
            round=rnd,
            assessment=w.assessment(rank - 1),
            damage_points=50,
            vulnerability_points=50,
            priority=50,
            rank=rank,
            selected=True,
        )
    client = client_for(w.officer)
    url = reverse("shelter:case_create") + f"?round={rnd.public_id}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"modality": "contractor"})
    assert response.status_code == 302
    assert RehabCase.objects.filter(modality="contractor").count() == 2


def test_the_engineer_inspects_on_a_phone_sized_form_with_photos_and_signs_off():
    w = case_world()
    case = started(w)
    client = client_for(w.engineer)
    url = reverse("shelter:inspection_create", args=[case.public_id])
    page = client.get(url).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    milestone = case.milestones.get(sequence=1)
    data = {
        "kind": "milestone",
        "milestone": str(milestone.pk),
        "inspected_on": today().isoformat(),
        "progress": "40",
        "result": "verified",
        "findings": "Walls rebuilt, roof slab cast.",
        "sign_off": "on",
        "photos": [jpeg_upload("one.jpg"), jpeg_upload("two.jpg")],
        **{f"check_{c}": "ok" for c in ("roof", "walls")},
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection = Inspection.objects.get(case=case)
    assert inspection.status == "signed_off" and inspection.photos.count() == 2
    milestone.refresh_from_db()
    assert milestone.status == "verified"
    photo = inspection.photos.first()
    shown = client.get(reverse("shelter:inspection_photo", args=[photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    outsider = make_user("shelter_engineer", governorates=(ERBIL,), programmes=("NFI",))
    assert (
        client_for(outsider).get(reverse("shelter:inspection_photo", args=[photo.pk])).status_code
        == 404
    )


def test_a_draft_inspection_is_signed_off_from_its_page():
    w = case_world()
    case = started(w)
    from tests.shelter.cases_factories import inspect

    draft = inspect(w, case, sign_off=False)
    client = client_for(w.engineer)
    page = client.get(reverse("shelter:inspection_detail", args=[draft.public_id])).content
    assert b'data-testid="inspection-sign-off"' in page
    response = client.post(reverse("shelter:inspection_action", args=[draft.public_id, "sign_off"]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed_off"


def test_the_family_signs_the_handover_on_the_screen_and_gets_a_certificate():
    w = case_world()
    case = complete(w, started(w))
    client = client_for(w.officer)
    url = reverse("shelter:case_handover", args=[case.public_id])
    page = client.get(url).content.decode()
    assert "signature.js" in page and "<script>" not in page
    response = client.post(
        url,
        {
            "signed_by": "Amina Hassan",
            "relationship": "Wife of the head",
            "handed_over_on": today().isoformat(),
            "actual_cost": "4100",
            "exchange_rate": "1310",
            "signature": signature_data_url(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == "handed_over" and case.handover_signature
    detail = client.get(reverse("shelter:case_detail", args=[case.public_id])).content.decode()
    assert 'data-testid="ledger-record"' in detail and case.certificate_number in detail
    signature = client.get(reverse("shelter:case_signature", args=[case.public_id]))
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"
    pdf = client.get(reverse("shelter:case_certificate", args=[case.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content[:4] == b"%PDF"


def test_a_handover_without_a_signature_says_what_to_do():
    w = case_world()
    case = complete(w, started(w))
    response = client_for(w.officer).post(
        reverse("shelter:case_handover", args=[case.public_id]),
        {"signed_by": "Amina", "handed_over_on": today().isoformat(), "exchange_rate": "1310"},
    )
    assert response.status_code == 400
    assert b'data-testid="error-signature"' in response.content


def test_defects_are_reported_and_verified_from_the_case_page():
    w = case_world()
    case = handover(w, complete(w, started(w)))
    officer, engineer = client_for(w.officer), client_for(w.engineer)
    response = officer.post(
        reverse("shelter:defect_create", args=[case.public_id]),
        {"defect-component": "roof", "defect-description": "Leak in the kitchen"},
    )
    assert response.status_code == 302
    defect = case.defects.get()
    officer.post(reverse("shelter:defect_action", args=[defect.public_id, "fix"]))
    engineer.post(reverse("shelter:defect_action", args=[defect.public_id, "verify"]))
    defect.refresh_from_db()
    assert defect.status == "verified"


def test_starting_a_case_and_an_error_on_the_page():
    w = case_world()
    case = open_case(w, modality="contractor")
    client = client_for(w.officer)
    response = client.post(
        reverse("shelter:case_action", args=[case.public_id, "start"]), follow=True
    )
    assert "contract" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"
    direct = open_case(w, index=1)
    client.post(reverse("shelter:case_action", args=[direct.public_id, "start"]))
    direct.refresh_from_db()
    assert direct.status == "in_progress"


def test_the_case_can_be_edited_with_its_milestones():
    w = case_world()
    case = open_case(w)
    client = client_for(w.officer)
    url = reverse("shelter:case_edit", args=[case.public_id])
    assert client.get(url).status_code == 200
    data = {
        "occupants_after": "6",
        "covered_area_after_m2": "18",
        "budget": "5000",
        "ms-TOTAL_FORMS": "2",
        "ms-INITIAL_FORMS": "0",
        "ms-0-name": "Walls and roof",
        "ms-0-progress": "60",
        "ms-1-name": "Completion",
        "ms-1-progress": "100",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    case.refresh_from_db()
    assert case.below_standard and case.occupants_after == 6
    assert list(case.milestones.values_list("name", flat=True)) == ["Walls and roof", "Completion"]


def test_the_inspection_list_shows_drafts_to_sign_off():
    w = case_world()
    case = started(w)
    from tests.shelter.cases_factories import inspect

    draft = inspect(w, case, sign_off=False)
    page = client_for(w.engineer).get(reverse("shelter:inspection_list") + "?status=draft&mine=1")
    assert page.status_code == 200 and draft.reference in page.content.decode()

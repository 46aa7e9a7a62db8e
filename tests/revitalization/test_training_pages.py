"""The training pages as people use them: the course list and its filters, creating a
course, enrolling from a registry search or a beneficiary list, recording a session's
attendance, the assessment results, finishing, certificates and the attendance sheet,
placement follow-up, providers, and the API; out-of-scope courses answer 404."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from sanad.core.models import PersonalDataAccess
from sanad.revitalization.models import Attendance, Course, Enrolment, TrainingSession
from sanad.revitalization.services import training as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user, unit
from tests.revitalization.factories import make_course, make_provider
from tests.revitalization.training_helpers import (
    D,
    adult,
    course_with,
    hold_sessions,
    household_of,
    officer,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"revitalization:{name}", args=args)


def test_the_course_list_shows_courses_in_scope_with_counts_and_filters(
    django_assert_max_num_queries,
):
    user = officer()
    plumbing, _rows = course_with(user, 3, reference="CRS-IN-00001", title="Plumbing")
    tailoring = make_course(reference="CRS-IN-00002", title="Tailoring", trade="tailoring")
    make_course(governorate=ERBIL, reference="CRS-OUT-00001")
    for n in range(4):
        make_course(reference=f"CRS-IN-1000{n}")
    client = client_for(user)
    with django_assert_max_num_queries(12):
        page = client.get(url("course_list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "CRS-IN-00001" in body and "CRS-IN-00002" in body and "CRS-OUT-00001" not in body
    assert "3 / 20" in body and "New course" in body
    by_trade = client.get(url("course_list"), {"trade": "tailoring"}).content.decode()
    assert tailoring.reference in by_trade and plumbing.reference not in by_trade
    by_provider = client.get(
        url("course_list"), {"provider": str(plumbing.provider.public_id)}
    ).content.decode()
    assert plumbing.reference in by_provider and tailoring.reference not in by_provider
    searched = client.get(url("course_list"), {"q": "Tailor"}).content.decode()
    assert tailoring.reference in searched and plumbing.reference not in searched
    assert (
        "CRS-IN-00001" not in client.get(url("course_list"), {"status": "running"}).content.decode()
    )


def test_a_viewer_sees_courses_without_buttons_or_names():
    user = officer()
    course, _rows = course_with(user, 1, reference="CRS-IN-00009")
    viewer = make_user("me_viewer", governorates=(DUHOK,), programmes=("CRP",))
    client = client_for(viewer)
    body = client.get(url("course_list")).content.decode()
    assert "CRS-IN-00009" in body and "New course" not in body
    assert client.get(url("course_create")).status_code == 403
    detail = client.get(url("course_detail", course.public_id)).content.decode()
    assert "name hidden" in detail and "Record a session" not in detail
    assert client.get(url("course_attendance_sheet", course.public_id)).status_code == 403


def test_an_out_of_scope_course_answers_404():
    user = officer()
    course = make_course(governorate=ERBIL)
    client = client_for(user)
    for name in ("course_detail", "course_edit", "enrolment_create", "session_create"):
        assert client.get(url(name, course.public_id)).status_code == 404


def test_creating_a_course_from_the_form():
    user = officer()
    provider = make_provider(name="Duhok Vocational Centre")
    client = client_for(user)
    assert client.get(url("course_create")).status_code == 200
    answer = client.post(
        url("course_create"),
        {
            "title": "Plumbing for returnees",
            "trade": "plumbing",
            "provider": str(provider.public_id),
            "governorate": DUHOK,
            "starts_on": "2026-04-01",
            "ends_on": "2026-05-31",
            "planned_sessions": "12",
            "capacity": "15",
            "min_attendance": "75",
            "final_assessment": "on",
        },
    )
    assert answer.status_code == 302
    course = Course.objects.get(title="Plumbing for returnees")
    assert course.min_attendance == 75 and course.final_assessment
    bad = client.post(url("course_create"), {"title": "", "governorate": ERBIL})
    assert bad.status_code == 400


def test_enrolling_from_a_registry_search():
    user = officer()
    course = make_course(capacity=1)
    person = adult(household_of(("female", D(1996, 2, 2))))
    household = person.household
    client = client_for(user)
    found = client.get(url("enrolment_create", course.public_id), {"q": household.registration_id})
    body = found.content.decode()
    assert found.status_code == 200 and household.registration_id in body
    answer = client.post(
        url("enrolment_create", course.public_id), {"individual": str(person.public_id)}
    )
    assert answer.status_code == 302
    assert Enrolment.objects.filter(course=course, individual=person).exists()
    full = client.post(
        url("enrolment_create", course.public_id), {"individual": str(adult().public_id)}
    )
    assert full.status_code == 400 and "The course is full" in full.content.decode()


def test_a_child_found_in_the_search_is_shown_as_not_eligible():
    user = officer()
    course = make_course(starts_on=D(2026, 4, 1))
    household = household_of(("male", D(1980, 1, 1)), ("male", D(2014, 1, 1)))
    body = (
        client_for(user)
        .get(url("enrolment_create", course.public_id), {"q": household.registration_id})
        .content.decode()
    )
    assert "trainees must be at least 15" in body


def test_enrolling_from_a_beneficiary_list_page():
    from tests.shelter.assessments_factories import scored_list

    user = officer()
    course = make_course(capacity=1)
    lst = scored_list(
        "CRP",
        {household_of(("male", D(1990, 1, 1))): 2.0, household_of(("male", D(1991, 1, 1))): 1.0},
    )
    client = client_for(user)
    assert lst.name in client.get(url("enrolment_create", course.public_id)).content.decode()
    answer = client.post(
        url("enrolment_bulk", course.public_id),
        {"bulk-beneficiary_list": str(lst.public_id), "bulk-rule": "head"},
        follow=True,
    )
    assert "1 left out: the course is full" in answer.content.decode()
    assert course.enrolments.count() == 1


def test_recording_a_session_with_the_attendance_checkboxes():
    user = officer()
    course, rows = course_with(user, 3)
    client = client_for(user)
    form = client.get(url("session_create", course.public_id))
    body = form.content.decode()
    assert form.status_code == 200 and body.count('data-testid="present-box"') == 3
    assert "checked" not in body.split('data-testid="attendance-list"')[1].split("</ul>")[0]
    answer = client.post(
        url("session_create", course.public_id),
        {
            "held_on": "2026-04-01",
            "hours": "4",
            "topic": "Tools",
            "present": [str(rows[0].public_id), str(rows[2].public_id)],
        },
    )
    assert answer.status_code == 302
    session = TrainingSession.objects.get(course=course)
    assert set(
        Attendance.objects.filter(session=session, present=True).values_list(
            "enrolment_id", flat=True
        )
    ) == {rows[0].pk, rows[2].pk}
    failed = client.post(
        url("session_create", course.public_id),
        {"held_on": "2030-01-01", "hours": "4", "present": [str(rows[1].public_id)]},
    )
    assert failed.status_code == 400
    assert TrainingSession.objects.filter(course=course).count() == 1
    edit = client.post(
        url("session_edit", course.public_id, 1),
        {"held_on": "2026-04-01", "hours": "3", "present": [str(rows[1].public_id)]},
    )
    assert edit.status_code == 302
    assert list(
        Attendance.objects.filter(session=session, present=True).values_list(
            "enrolment_id", flat=True
        )
    ) == [rows[1].pk]


def test_assessment_finish_certificates_and_sheet_from_the_pages():
    from openpyxl import load_workbook

    user = officer()
    course, rows = course_with(user, 2)
    hold_sessions(user, course, [[True, True], [True, False]])
    client = client_for(user)
    assessment = client.post(
        url("course_assessment", course.public_id),
        {f"result_{rows[0].public_id}": "pass", f"result_{rows[1].public_id}": "pass"},
    )
    assert assessment.status_code == 302
    preview = client.get(url("course_finish", course.public_id)).content.decode()
    assert "1 will complete, 1 will not." in preview and "attendance 50% &lt; 80%" in preview
    finished = client.post(url("course_finish", course.public_id), follow=True)
    assert "1 completed" in finished.content.decode()
    rows[0].refresh_from_db()
    pdf = client.get(url("course_certificates", course.public_id))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    single = client.get(url("enrolment_certificate", rows[0].public_id))
    assert single.status_code == 200 and single.content.startswith(b"%PDF")
    assert rows[0].certificate_number in single["Content-Disposition"]
    assert client.get(url("enrolment_certificate", rows[1].public_id)).status_code == 404
    sheet = client.get(url("course_attendance_sheet", course.public_id))
    workbook = load_workbook(io.BytesIO(sheet.content))
    values = list(workbook.active.iter_rows(values_only=True))
    trainee_rows = [r for r in values if r and r[0] in (1, 2)]
    assert len(trainee_rows) == 2 and trainee_rows[1][7:9] == (1, 0)
    assert PersonalDataAccess.objects.filter(action="export").count() == 3


def test_a_certificate_prints_arabic_names():
    user = officer()
    course, rows = course_with(user, 1, final_assessment=False)
    hold_sessions(user, course, [[True]])
    services.course_finish(user=user, course=course)
    from sanad.revitalization.exports_training import certificates_pdf

    rows[0].refresh_from_db()
    data = certificates_pdf(course=course, enrolments=[rows[0]])
    assert data.startswith(b"%PDF") and len(data) > 5000


def test_dropping_out_and_following_up_from_the_trainee_page():
    user = officer()
    course, rows = course_with(user, 2, final_assessment=False)
    client = client_for(user)
    page = client.get(url("enrolment_detail", rows[1].public_id))
    assert page.status_code == 200 and "Drop out" in page.content.decode()
    refused = client.post(url("enrolment_action", rows[1].public_id, "drop"), {"drop-reason": ""})
    assert refused.status_code == 400
    client.post(url("enrolment_action", rows[1].public_id, "drop"), {"drop-reason": "Job"})
    rows[1].refresh_from_db()
    assert rows[1].status == "dropped_out"
    hold_sessions(user, course, [[True]])
    services.course_finish(user=user, course=course)
    answer = client.post(
        url("enrolment_placement_add", rows[0].public_id),
        {
            "placement-followed_on": "2026-07-01",
            "placement-months_after": "3",
            "placement-outcome": "self_employed",
            "placement-uses_skills": "yes",
            "placement-monthly_income_iqd": "300000",
        },
    )
    assert answer.status_code == 302
    placement = rows[0].placements.get()
    edit = client.post(
        url("enrolment_placement_edit", placement.public_id),
        {"followed_on": "2026-07-02", "months_after": "3", "outcome": "employed"},
    )
    assert edit.status_code == 302
    placement.refresh_from_db()
    assert placement.outcome == "employed" and placement.uses_skills is None
    detail = client.get(url("course_detail", course.public_id)).content.decode()
    assert "Job placement" in detail and "100.0%" in detail


def test_providers_are_listed_registered_and_edited():
    user = officer()
    make_provider(name="Zakho Institute")
    client = client_for(user)
    assert "Zakho Institute" in client.get(url("provider_list")).content.decode()
    answer = client.post(
        url("provider_create"), {"name": "Mosul NGO", "kind": "ngo", "active": "on"}
    )
    assert answer.status_code == 302
    from sanad.revitalization.models import TrainingProvider

    provider = TrainingProvider.objects.get(name="Mosul NGO")
    client.post(url("provider_edit", provider.public_id), {"name": "Mosul NGO", "kind": "ngo"})
    provider.refresh_from_db()
    assert not provider.active


def test_starting_and_cancelling_from_the_course_page():
    user = officer()
    course, _rows = course_with(user, 1)
    client = client_for(user)
    client.post(url("course_action", course.public_id, "start"), {"start-reason": ""})
    course.refresh_from_db()
    assert course.status == "running"
    refused = client.post(url("course_action", course.public_id, "cancel"), {"cancel-reason": ""})
    assert refused.status_code == 400
    client.post(url("course_action", course.public_id, "cancel"), {"cancel-reason": "Funding"})
    course.refresh_from_db()
    assert course.status == "cancelled"


def test_the_api_lists_courses_in_scope_with_counts(django_assert_max_num_queries):
    user = officer()
    course, _rows = course_with(user, 2, final_assessment=False)
    hold_sessions(user, course, [[True, False]])
    services.course_finish(user=user, course=course)
    make_course(governorate=ERBIL, reference="CRS-OUT-00002")
    client = api_client_for(user)
    with django_assert_max_num_queries(8):
        answer = client.get("/api/v1/revitalization/courses/")
    data = answer.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["reference"] for r in rows] == [course.reference]
    assert rows[0]["enrolled"] == 2 and rows[0]["completed"] == 1
    assert rows[0]["sessions_held"] == 1 and rows[0]["governorate"] == DUHOK
    detail = client.get(f"/api/v1/revitalization/courses/{course.public_id}/")
    assert detail.status_code == 200
    out = Course.objects.get(reference="CRS-OUT-00002")
    assert client.get(f"/api/v1/revitalization/courses/{out.public_id}/").status_code == 404
    assert unit(DUHOK).pcode == DUHOK

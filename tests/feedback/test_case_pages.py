"""The case pages as the hotline and the feedback team use them: the intake form (on
a phone, in Arabic), a case from an inbound message in one click, the warning after
logging an abuse report, the list with its filters and overdue cases highlighted, a
case's page and its actions, the export, the response deadlines."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sanad.feedback.models import Case, ResponseStandard
from sanad.feedback.services import cases as services
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user, subdistrict_in
from tests.feedback.factories import make_case, make_channel, make_contact, make_inbound
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Any:
    return make_user("hotline_operator", governorates=(DUHOK,))


@pytest.fixture
def manager() -> Any:
    return make_user("feedback_manager", governorates=(DUHOK,))


def _form(**extra: Any) -> dict[str, Any]:
    data = {
        "channel": make_channel("hotline").code,
        "category": "complaint_assistance",
        "description": "The tent leaks.",
        "caller_name": "Layla",
        "caller_phone": "0750 123 4567",
        "preferred_response": "call",
        "admin_unit": DUHOK,
    }
    data.update(extra)
    return data


def test_the_operator_logs_a_call_and_lands_on_the_case(operator: Any) -> None:
    web = client_for(operator)
    page = web.get("/feedback/cases/new/")
    assert page.status_code == 200 and b'data-testid="case-form"' in page.content
    saved = web.post("/feedback/cases/new/", _form())
    case = Case.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/feedback/cases/{case.public_id}/"
    assert case.caller_phone == "+9647501234567" and case.governorate.pcode == DUHOK
    detail = web.get(saved["Location"]).content.decode()
    assert case.reference in detail and "The tent leaks." in detail


def test_the_intake_form_says_what_to_fix(operator: Any) -> None:
    web = client_for(operator)
    refused = web.post("/feedback/cases/new/", _form(description="", caller_phone="12"))
    assert refused.status_code == 400
    assert b"Write down what the person said." in refused.content
    refused = web.post("/feedback/cases/new/", _form(caller_phone="12"))
    assert refused.status_code == 400 and b"Iraqi mobile number" in refused.content
    erbil = web.post("/feedback/cases/new/", _form(admin_unit="IQG11"))
    assert erbil.status_code == 400  # not among the choices of a Duhok operator
    assert not Case.objects.exists()


def test_the_intake_form_works_in_arabic_right_to_left(operator: Any) -> None:
    operator.preferred_language = "ar"
    operator.save(update_fields=["preferred_language"])
    page = client_for(operator).get("/feedback/cases/new/").content.decode()
    assert 'dir="rtl"' in page and 'name="viewport"' in page


def test_a_message_becomes_a_case_in_one_click(operator: Any) -> None:
    contact = make_contact(name="Ahmad")
    message = make_inbound(contact, "Nobody fixed the latrine.")
    web = client_for(operator)
    form = web.get("/feedback/cases/new/", {"message": str(message.public_id)})
    assert form.status_code == 200 and b"Nobody fixed the latrine." in form.content
    saved = web.post(
        "/feedback/cases/new/", {"message": str(message.public_id), "category": "information"}
    )
    assert saved.status_code == 302
    message.refresh_from_db()
    assert message.case is not None and message.case.description == "Nobody fixed the latrine."
    again = web.get("/feedback/cases/new/", {"message": str(message.public_id)})
    assert again.status_code == 302 and str(message.case.public_id) in again["Location"]


def test_a_message_out_of_reach_cannot_become_a_case(operator: Any) -> None:
    message = make_inbound(make_contact(governorate=ERBIL))
    web = client_for(operator)
    assert web.get("/feedback/cases/new/", {"message": str(message.public_id)}).status_code == 404


def test_after_logging_an_abuse_report_the_operator_is_told_it_went_to_the_focal_points(
    operator: Any,
) -> None:
    web = client_for(operator)
    saved = web.post("/feedback/cases/new/", _form(category="sea"), follow=True)
    case = Case.objects.get()
    assert saved.redirect_chain[-1][0] == "/feedback/cases/new/"
    text = saved.content.decode()
    assert "PSEA focal points" in text and case.reference in text
    assert web.get(f"/feedback/cases/{case.public_id}/").status_code == 404


def test_the_list_filters_and_highlights_overdue_cases(
    operator: Any, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    late = make_case(
        received_at=now - datetime.timedelta(days=20), due_at=now - datetime.timedelta(days=1)
    )
    fresh = make_case(
        category="information",
        received_at=now,
        due_at=now + datetime.timedelta(days=5),
        acknowledge_due_at=now + datetime.timedelta(hours=5),
    )
    for _ in range(10):
        make_case(received_at=now, due_at=now + datetime.timedelta(days=5))
    make_case(governorate=ERBIL, description="Erbil only")
    web = client_for(operator)
    with django_assert_max_num_queries(15):
        page = web.get("/feedback/cases/").content.decode()
    assert page.count('data-overdue="1"') == 1 and late.reference in page
    assert "Erbil only" not in page
    overdue = web.get("/feedback/cases/", {"overdue": "on"}).content.decode()
    assert late.reference in overdue and fresh.reference not in overdue
    info = web.get("/feedback/cases/", {"category": "information"}).content.decode()
    assert fresh.reference in info and late.reference not in info
    nothing = web.get("/feedback/cases/", {"status": "nonsense"}).content.decode()
    assert "No case matches." in nothing


def test_the_household_filter_lists_the_cases_of_one_family(operator: Any) -> None:
    household = make_household(governorate=DUHOK)
    theirs = make_case(household=household)
    other = make_case()
    page = client_for(operator).get("/feedback/cases/", {"household": str(household.public_id)})
    text = page.content.decode()
    assert theirs.reference in text and other.reference not in text
    assert household.registration_id in text


def test_a_manager_handles_a_case_from_its_page_to_a_closed_loop(
    operator: Any, manager: Any
) -> None:
    case = services.case_log(
        user=operator,
        data={
            "channel": make_channel("hotline"),
            "category": "complaint_assistance",
            "description": "Missing jerrycans.",
            "admin_unit": subdistrict_in(DUHOK),
        },
    )
    web = client_for(manager)
    url = f"/feedback/cases/{case.public_id}/"
    page = web.get(url).content.decode()
    assert 'data-testid="case-acknowledge"' in page and 'data-testid="case-respond"' in page
    from sanad.core.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(object_public_id=str(case.public_id)).exists()
    assert web.post(url + "acknowledge/").status_code == 302
    assign = web.post(url + "assign/", {"assign-assignee": str(operator.public_id)})
    assert assign.status_code == 302
    case.refresh_from_db()
    assert case.status == "assigned" and case.assignee == operator
    web.post(url + "note/", {"note-kind": "call", "note-text": "Called the family."})
    web.post(url + "respond/", {"respond-response": "Jerrycans on Monday."})
    refused = web.post(url + "close/", {"close-loop_closed": "no"}, follow=True)
    assert "could not confirm" in refused.content.decode()
    web.post(url + "close/", {"close-loop_closed": "yes", "close-satisfaction": "5"})
    case.refresh_from_db()
    assert case.status == "closed" and case.loop_closed and case.satisfaction == 5
    assert case.notes.filter(kind="call").exists()
    page = web.get(url).content.decode()
    assert 'data-testid="case-reopen"' in page
    assert web.post(url + "unknown/").status_code == 404


def test_someone_without_the_permission_to_see_cases_gets_a_403() -> None:
    case = make_case()
    reader = make_user("me_viewer")
    web = client_for(reader)
    assert web.get("/feedback/cases/").status_code == 403
    assert web.get(f"/feedback/cases/{case.public_id}/").status_code == 403
    assert web.post(f"/feedback/cases/{case.public_id}/acknowledge/").status_code == 403
    assert client_for(make_user("warehouse_officer")).get("/feedback/cases/new/").status_code == 403


def test_recategorising_as_abuse_sends_the_manager_back_to_the_list(manager: Any) -> None:
    case = make_case()
    web = client_for(manager)
    moved = web.post(
        f"/feedback/cases/{case.public_id}/recategorise/",
        {"recategorise-category": "sea", "recategorise-reason": "Abuse was described."},
        follow=True,
    )
    assert moved.redirect_chain[-1][0] == "/feedback/cases/"
    assert "no longer see it" in moved.content.decode()
    assert web.get(f"/feedback/cases/{case.public_id}/").status_code == 404


def test_an_exclusion_appeal_shows_the_lists_that_considered_the_household(manager: Any) -> None:
    household = make_household(governorate=DUHOK)
    case = make_case(category="exclusion_appeal", household=household)
    page = client_for(manager).get(f"/feedback/cases/{case.public_id}/").content.decode()
    assert 'data-testid="case-appeal"' in page
    assert 'data-testid="case-household"' in page


def test_the_export_starts_a_job(operator: Any, django_capture_on_commit_callbacks: Any) -> None:
    make_case(caller_name="Secret Name", caller_phone="+9647501112222")
    web = client_for(operator)
    with django_capture_on_commit_callbacks(execute=True):
        started = web.post("/feedback/cases/export/", {"status": "new"})
    assert started.status_code == 302 and "/jobs/" in started["Location"]
    from pathlib import Path

    from django.conf import settings
    from openpyxl import load_workbook

    from sanad.core.models import Job, PersonalDataAccess

    job = Job.objects.get(kind="feedback.cases_export")
    assert job.status == "succeeded" and job.result["rows"] == 1
    sheet = load_workbook(
        Path(settings.JOB_FILES_DIR) / str(job.public_id) / job.result_file
    ).active
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    assert "Secret Name" not in cells and "1112222" not in cells and "#complaint+id" in cells
    assert PersonalDataAccess.objects.filter(action="export").exists()
    assert web.get("/feedback/cases/export/").status_code == 405


def test_response_deadlines_are_edited_by_the_manager(manager: Any, operator: Any) -> None:
    assert client_for(operator).get("/feedback/standards/").status_code == 403
    web = client_for(manager)
    page = web.get("/feedback/standards/")
    assert page.status_code == 200
    data = {}
    for s in ResponseStandard.objects.all():
        data[f"{s.category}_hours"] = s.acknowledge_hours
        data[f"{s.category}_days"] = s.respond_days
    data["sea_days"] = 2
    for category in (
        "information",
        "assistance",
        "complaint_assistance",
        "complaint_conduct",
        "sea",
        "positive",
        "data_correction",
        "exclusion_appeal",
    ):
        data.setdefault(f"{category}_hours", 24)
        data.setdefault(f"{category}_days", 7)
    saved = web.post("/feedback/standards/", data)
    assert saved.status_code == 302
    assert ResponseStandard.objects.get(category="sea").respond_days == 2
    data["sea_hours"] = 0
    assert web.post("/feedback/standards/", data).status_code == 400

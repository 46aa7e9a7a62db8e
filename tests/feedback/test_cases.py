"""The complaints and feedback mechanism through its services: logging a case from
any channel (deadlines from the response standards, anonymous, from a message), an
abuse report routed to the focal points at once, the life of a case to a closed loop,
and the escalation of overdue cases."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from sanad.accounts.models import Organisation
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.feedback.models import Case, CaseNote, Message, ResponseStandard
from sanad.feedback.selectors.cases import case_list
from sanad.feedback.services import cases as services
from tests.factories import DUHOK, ERBIL, make_user, subdistrict_in, unit
from tests.feedback.factories import make_case, make_channel, make_contact, make_inbound
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


def _log(user: Any, **data: Any) -> Case:
    data.setdefault("channel", make_channel("hotline"))
    data.setdefault("category", "complaint_assistance")
    data.setdefault("description", "The kit had no blankets.")
    data.setdefault("admin_unit", subdistrict_in(DUHOK))
    return services.case_log(user=user, data=data)


@pytest.fixture
def operator() -> Any:
    return make_user("hotline_operator", governorates=(DUHOK,), email="op@example.org")


@pytest.fixture
def manager() -> Any:
    return make_user("feedback_manager", governorates=(DUHOK,), email="mgr@example.org")


# --- logging ----------------------------------------------------------------------------------
def test_a_logged_case_takes_its_deadlines_from_the_response_standard(operator: Any) -> None:
    standard = ResponseStandard.objects.get(category="complaint_assistance")
    received = timezone.now() - datetime.timedelta(hours=1)
    case = _log(operator, received_at=received, caller_phone="0750 123 4567")
    assert case.status == "new" and case.sensitivity == "normal"
    assert case.governorate.pcode == DUHOK
    assert case.acknowledge_due_at == received + datetime.timedelta(
        hours=standard.acknowledge_hours
    )
    assert case.due_at == received + datetime.timedelta(days=standard.respond_days)
    assert case.caller_phone == "+9647501234567"
    assert case.reference.startswith("FB-") and case.created_by == operator


def test_an_anonymous_case_keeps_nothing_that_identifies_the_person(operator: Any) -> None:
    household = make_household(governorate=DUHOK)
    case = _log(
        operator,
        anonymous=True,
        caller_name="Layla",
        caller_phone="07501234567",
        household=household,
        contact=make_contact(),
        caller_sex="female",
    )
    assert case.anonymous
    assert (case.caller_name, case.caller_phone) == ("", "")
    assert case.household is None and case.contact is None and case.individual is None
    assert case.caller_sex == "female"  # kept for disaggregation only


def test_a_case_outside_the_operators_governorates_is_refused(operator: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        _log(operator, admin_unit=subdistrict_in(ERBIL))
    assert err.value.code == "outside_scope"


def test_someone_without_the_permission_cannot_log_a_case() -> None:
    with pytest.raises(PermissionDenied):
        _log(make_user("warehouse_officer"))


def test_a_case_needs_a_description_and_a_category(operator: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        _log(operator, description="  ")
    assert "description" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        _log(operator, category="gossip")
    assert "category" in err.value.fields


def test_a_case_made_from_an_inbound_message_takes_its_text_contact_and_links_it(
    operator: Any,
) -> None:
    contact = make_contact(name="Ahmad")
    message = make_inbound(contact, "Nobody came to fix the tent.")
    case = services.case_log(
        user=operator,
        data={"category": "complaint_assistance", "channel": None},
        message=message,
    )
    message.refresh_from_db()
    assert message.case == case
    assert case.description == "Nobody came to fix the tent."
    assert case.contact == contact and case.channel == message.channel
    assert case.governorate.pcode == DUHOK and case.caller_phone == contact.phone
    with pytest.raises(Conflict):
        services.case_log(user=operator, data={"category": "information"}, message=message)


def test_an_abuse_report_is_routed_to_the_focal_points_by_email_without_details(
    operator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    focal = make_user("psea_focal_point", governorates=(DUHOK,), email="psea@example.org")
    make_user("psea_focal_point", governorates=(ERBIL,), email="erbil-psea@example.org")
    make_user("administrator", email="admin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        case = _log(operator, category="sea", description="A guard asked for favours.")
    assert case.sensitivity == "psea"
    assert CaseNote.objects.filter(case=case, kind="routed").exists()
    assert [m.to for m in mail.outbox] == [[focal.email]]
    body = mail.outbox[0].subject + mail.outbox[0].body
    assert case.reference in body and str(case.public_id) in body
    assert "guard" not in body and "favours" not in body
    # The operator who logged it no longer finds it.
    assert not case_list(user=operator).filter(pk=case.pk).exists()


# --- the life of a case ------------------------------------------------------------------------
def test_a_case_goes_from_acknowledged_to_a_closed_loop(operator: Any, manager: Any) -> None:
    case = _log(operator)
    case = services.case_acknowledge(user=manager, case=case)
    assert case.status == "acknowledged" and case.acknowledged_at is not None
    case = services.case_assign(user=manager, case=case, assignee=operator)
    assert case.status == "assigned" and case.assignee == operator
    case = services.case_respond(user=operator, case=case, response="A new kit is on its way.")
    assert case.status == "responded" and case.responded_at is not None
    with pytest.raises(ValidationFailed) as err:
        services.case_close(user=operator, case=case, loop_closed=False)
    assert err.value.code == "closing_note_required"
    case = services.case_close(user=operator, case=case, loop_closed=True, satisfaction=4)
    case.refresh_from_db()
    assert case.status == "closed" and case.loop_closed is True and case.satisfaction == 4
    with pytest.raises(ValidationFailed):
        services.case_reopen(user=manager, case=case, reason="")
    case = services.case_reopen(user=manager, case=case, reason="The kit never arrived.")
    assert case.status == "acknowledged" and case.closed_at is None
    assert CaseNote.objects.filter(case=case, text__contains="never arrived").exists()


def test_answering_a_new_case_acknowledges_it_first(operator: Any) -> None:
    case = services.case_respond(user=operator, case=_log(operator), response="Next Tuesday.")
    assert case.status == "responded" and case.acknowledged_at is not None


def test_a_case_cannot_be_closed_before_it_is_answered(operator: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.case_close(user=operator, case=_log(operator), loop_closed=True)
    assert err.value.code == "not_responded"


def test_a_case_is_assigned_only_to_someone_who_can_see_it(operator: Any, manager: Any) -> None:
    case = _log(operator)
    erbil = make_user("hotline_operator", governorates=(ERBIL,))
    with pytest.raises(ValidationFailed) as err:
        services.case_assign(user=manager, case=case, assignee=erbil)
    assert err.value.code == "assignee_cannot_see"
    conduct = _log(operator, category="complaint_conduct")
    with pytest.raises(ValidationFailed):
        services.case_assign(user=manager, case=conduct, assignee=operator)
    assert services.case_assign(user=manager, case=conduct, team="HR").team == "HR"


def test_a_referral_names_the_organisation_and_what_was_passed_on(
    operator: Any, manager: Any
) -> None:
    org = Organisation.objects.create(name="Protection partner", kind="partner_ngo")
    case = _log(operator)
    with pytest.raises(ValidationFailed):
        services.case_refer(user=manager, case=case, organisation=org, note="")
    case = services.case_refer(user=manager, case=case, organisation=org, note="Legal aid.")
    assert case.status == "referred" and case.referred_to == org


def test_an_impossible_transition_is_refused(operator: Any, manager: Any) -> None:
    case = services.case_acknowledge(user=manager, case=_log(operator))
    with pytest.raises(InvalidTransition):
        services.case_acknowledge(user=manager, case=case)


def test_someone_who_cannot_see_a_case_cannot_change_it(operator: Any) -> None:
    case = _log(operator, category="complaint_conduct")
    with pytest.raises(NotFound):
        services.case_acknowledge(user=operator, case=case)
    erbil_manager = make_user("feedback_manager", governorates=(ERBIL,))
    with pytest.raises(NotFound):
        services.case_note_add(user=erbil_manager, case=_log(operator), text="x")
    viewer = make_user("camp_manager", governorates=(DUHOK,))
    normal = _log(operator)
    from sanad.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=viewer).update(role="im_officer")
    viewer.forget_scope()
    with pytest.raises(NotFound):  # im officers do not even see cases (trends only)
        services.case_acknowledge(user=viewer, case=normal)


def test_recategorising_as_abuse_routes_the_case_and_the_user_loses_sight_of_it(
    operator: Any, manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    focal = make_user("psea_focal_point", governorates=(DUHOK,), email="psea@example.org")
    case = _log(operator)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_recategorise(
            user=manager, case=case, category="sea", reason="The caller described abuse."
        )
    assert case.sensitivity == "psea"
    assert CaseNote.objects.filter(case=case, kind="routed").exists()
    assert CaseNote.objects.filter(case=case, kind="recategorised").exists()
    assert [m.to for m in mail.outbox] == [[focal.email]]
    assert not case_list(user=manager).filter(pk=case.pk).exists()
    assert case_list(user=focal).filter(pk=case.pk).exists()


def test_notes_and_calls_are_added_in_order(operator: Any) -> None:
    case = _log(operator)
    services.case_note_add(user=operator, case=case, text="Called, no answer.", kind="call")
    services.case_note_add(user=operator, case=case, text="Called again.", kind="call")
    assert list(case.notes.values_list("text", flat=True)) == [
        "Called, no answer.",
        "Called again.",
    ]


# --- escalation ---------------------------------------------------------------------------------
def test_overdue_cases_are_escalated_once_per_level(
    operator: Any, manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    late = make_case(
        received_at=now - datetime.timedelta(days=30),
        due_at=now - datetime.timedelta(days=1),
        acknowledge_due_at=now - datetime.timedelta(days=28),
        assignee=operator,
        status="assigned",
    )
    unacknowledged = make_case(
        received_at=now - datetime.timedelta(days=3),
        due_at=now + datetime.timedelta(days=5),
        acknowledge_due_at=now - datetime.timedelta(hours=1),
    )
    on_time = make_case(received_at=now, due_at=now + datetime.timedelta(days=5))
    answered = make_case(
        received_at=now - datetime.timedelta(days=30),
        due_at=now - datetime.timedelta(days=1),
        status="responded",
        responded_at=now - datetime.timedelta(days=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_escalate_overdue(now=now) == 2
    late.refresh_from_db()
    unacknowledged.refresh_from_db()
    assert late.escalation_level == 2 and unacknowledged.escalation_level == 1
    assert on_time.escalation_level == 0
    answered.refresh_from_db()
    assert answered.escalation_level == 0
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == sorted(["op@example.org", "mgr@example.org", "mgr@example.org"])
    assert all(late.description not in m.body for m in mail.outbox)
    assert late.notes.filter(kind="escalated").count() == 1
    # Again at the same moment: nothing new. A week later the late case goes one level
    # up, and the other two are now past their answer deadline.
    assert services.cases_escalate_overdue(now=now) == 0
    assert services.cases_escalate_overdue(now=now + datetime.timedelta(days=7, hours=1)) == 3
    late.refresh_from_db()
    unacknowledged.refresh_from_db()
    assert (late.escalation_level, unacknowledged.escalation_level) == (3, 2)


def test_escalation_of_an_abuse_report_mails_only_the_focal_points(
    manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    focal = make_user("psea_focal_point", governorates=(DUHOK,), email="psea@example.org")
    now = timezone.now()
    make_case(
        category="sea",
        received_at=now - datetime.timedelta(days=9),
        due_at=now - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_escalate_overdue(now=now) == 1
    assert [m.to for m in mail.outbox] == [[focal.email]]


def test_response_standards_are_edited_by_channel_managers_only(
    manager: Any, operator: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.response_standards_update(user=operator, values={"sea": (2, 3)})
    assert services.response_standards_update(user=manager, values={"sea": (2, 3)}) == 1
    assert ResponseStandard.objects.get(category="sea").respond_days == 3
    with pytest.raises(ValidationFailed):
        services.response_standards_update(user=manager, values={"sea": (0, 3)})


def test_a_message_linked_to_a_case_is_unchanged_when_the_case_is_refused(operator: Any) -> None:
    message = make_inbound(make_contact(governorate=ERBIL))
    with pytest.raises(ValidationFailed):
        services.case_log(user=operator, data={"category": "information"}, message=message)
    assert Message.objects.get(pk=message.pk).case_id is None
    assert unit(ERBIL).pcode == ERBIL

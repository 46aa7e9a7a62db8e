"""Vocational training rules: who may be enrolled, capacity, attendance recorded all or
nothing, the attendance rate, completion (each path), certificate numbers, the ledger
written once, and a trainee who also worked cash-for-work counted once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.assistance.selectors import people_reached
from sanad.assistance.services import assistance_record
from sanad.core.errors import Conflict, NotFound, ValidationFailed
from sanad.registry.services import household_set_status
from sanad.revitalization.models import Attendance, Course, Enrolment, TrainingSession
from sanad.revitalization.selectors import training as selectors
from sanad.revitalization.services import training as services
from tests.factories import DUHOK, ERBIL, make_user
from tests.revitalization.factories import crp_project, make_community, make_course, make_provider
from tests.revitalization.training_helpers import (
    D,
    adult,
    course_with,
    hold_sessions,
    household_of,
    officer,
)

pytestmark = pytest.mark.django_db


# --- providers and courses ----------------------------------------------------------------


def test_a_provider_is_registered_once_whatever_the_case():
    user = officer()
    provider = services.provider_create(
        user=user, name="Duhok Vocational Centre", kind="vocational_centre", phone="0750 123 4567"
    )
    assert provider.phone == "+9647501234567"
    with pytest.raises(ValidationFailed) as exc:
        services.provider_create(user=user, name="duhok vocational centre", kind="ngo")
    assert "name" in exc.value.fields


def test_a_course_is_created_planned_with_a_reference_in_the_officers_governorate():
    from tests.factories import unit

    user = officer()
    community = make_community()
    course = services.course_create(
        user=user,
        title="Plumbing for returnees",
        trade="plumbing",
        provider=make_provider(),
        governorate=unit(DUHOK),
        community=community,
        starts_on=D(2026, 4, 1),
        ends_on=D(2026, 5, 31),
        planned_sessions=12,
        capacity=15,
        project=crp_project(start_date=D(2026, 1, 1), end_date=D(2026, 12, 31)),
    )
    assert course.status == "planned" and course.reference.startswith("CRS-")
    assert course.min_attendance == Decimal("80") and course.final_assessment


def test_a_course_outside_the_scope_or_the_project_dates_is_refused():
    from tests.factories import unit

    user = officer()
    values = {
        "title": "Tailoring",
        "trade": "tailoring",
        "provider": make_provider(),
        "starts_on": D(2026, 4, 1),
        "ends_on": D(2026, 5, 31),
        "planned_sessions": 10,
        "capacity": 10,
    }
    with pytest.raises(ValidationFailed) as exc:
        services.course_create(user=user, governorate=unit(ERBIL), **values)
    assert "governorate" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.course_create(
            user=user,
            governorate=unit(DUHOK),
            project=crp_project(start_date=D(2026, 5, 1), end_date=D(2026, 12, 31)),
            community=make_community(governorate=ERBIL),
            **values,
        )
    assert {"project", "community"} <= set(exc.value.fields)


def test_places_cannot_drop_below_the_trainees_enrolled():
    user = officer()
    course, _rows = course_with(user, 3)
    with pytest.raises(ValidationFailed) as exc:
        services.course_update(user=user, course=course, capacity=2)
    assert "capacity" in exc.value.fields
    services.course_update(user=user, course=course, capacity=3, venue="Hall B")
    course.refresh_from_db()
    assert course.capacity == 3 and course.venue == "Hall B"


def test_a_user_without_the_course_in_scope_gets_not_found():
    user = officer()
    course = make_course(governorate=ERBIL)
    with pytest.raises(NotFound):
        services.course_start(user=user, course=course)


# --- enrolment ----------------------------------------------------------------------------


def test_a_person_aged_15_on_the_start_may_enrol_but_not_a_younger_one():
    user = officer()
    course = make_course(starts_on=D(2026, 4, 1))
    household = household_of(
        ("male", D(1980, 1, 1)),
        ("female", D(2011, 4, 1)),  # 15 on the start day
        ("male", D(2011, 4, 2)),  # 14 on the start day
    )
    fifteen = household.members.get(date_of_birth=D(2011, 4, 1))
    fourteen = household.members.get(date_of_birth=D(2011, 4, 2))
    assert services.enrolment_create(user=user, course=course, individual=fifteen).status == (
        "enrolled"
    )
    with pytest.raises(Conflict) as exc:
        services.enrolment_create(user=user, course=course, individual=fourteen)
    assert exc.value.code == "not_eligible" and "at least 15" in str(exc.value.message)


def test_a_person_cannot_be_enrolled_twice_on_a_course():
    user = officer()
    course = make_course()
    person = adult()
    services.enrolment_create(user=user, course=course, individual=person)
    with pytest.raises(Conflict) as exc:
        services.enrolment_create(user=user, course=course, individual=person)
    assert exc.value.code == "already_enrolled"
    assert Enrolment.objects.filter(course=course).count() == 1


def test_a_member_of_an_inactive_household_cannot_be_enrolled():
    user = officer()
    course = make_course()
    person = adult()
    household_set_status(
        user=make_user("administrator"),
        household=person.household,
        status="inactive",
        reason="Left",
    )
    person.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.enrolment_create(user=user, course=course, individual=person)
    assert "not active" in str(exc.value.message)


def test_a_person_living_in_another_governorate_is_not_enrolled():
    user = officer((DUHOK, ERBIL))
    course = make_course()
    with pytest.raises(Conflict) as exc:
        services.enrolment_create(user=user, course=course, individual=adult(governorate=ERBIL))
    assert "another governorate" in str(exc.value.message)


def test_a_full_course_refuses_with_a_clear_message_and_a_drop_out_frees_the_place():
    user = officer()
    course, rows = course_with(user, 2, capacity=2)
    with pytest.raises(Conflict) as exc:
        services.enrolment_create(user=user, course=course, individual=adult())
    assert exc.value.code == "course_full" and "2 of 2 places" in str(exc.value.message)
    services.enrolment_drop_out(user=user, enrolment=rows[0], reason="Found a job")
    newcomer = services.enrolment_create(user=user, course=course, individual=adult())
    with pytest.raises(Conflict) as exc:
        services.enrolment_reenrol(user=user, enrolment=rows[0])
    assert exc.value.code == "course_full"
    services.enrolment_drop_out(user=user, enrolment=newcomer, reason="Moved away")
    assert services.enrolment_reenrol(user=user, enrolment=rows[0]).status == "enrolled"


def test_a_drop_out_needs_a_reason():
    user = officer()
    _course, rows = course_with(user, 1)
    with pytest.raises(ValidationFailed):
        services.enrolment_drop_out(user=user, enrolment=rows[0], reason=" ")


def test_bulk_enrolment_from_a_list_takes_heads_or_young_members_and_stops_at_capacity():
    from tests.shelter.assessments_factories import scored_list

    user = officer()
    course = make_course(capacity=4, starts_on=D(2026, 4, 1))
    young = household_of(
        ("male", D(1960, 1, 1)), ("female", D(2000, 1, 1)), ("male", D(2004, 1, 1))
    )
    other = household_of(("female", D(1995, 1, 1)), ("male", D(2015, 1, 1)))
    far = household_of(("male", D(1990, 1, 1)), governorate=ERBIL)
    last = household_of(("male", D(1999, 1, 1)), ("female", D(2001, 1, 1)))
    lst = scored_list("CRP", {young: 9.0, other: 8.0, far: 7.0, last: 6.0})
    counts = services.enrolment_bulk(user=user, course=course, beneficiary_list=lst, rule="youth")
    # 18 to 35 on the start: two of `young`, the head of `other`, then one place for
    # the two of `last`.
    assert counts["enrolled"] == 4 and counts["no_place"] == 1
    assert counts["other_governorate"] == 1
    assert "1 left out: the course is full" in services.bulk_message(counts)
    with pytest.raises(Conflict) as exc:
        services.enrolment_bulk(user=user, course=course, beneficiary_list=lst, rule="head")
    assert exc.value.code == "course_full"


def test_bulk_enrolment_of_heads_skips_people_already_on_the_course():
    from tests.shelter.assessments_factories import scored_list

    user = officer()
    course = make_course(capacity=10)
    first = household_of(("female", D(1985, 1, 1)))
    second = household_of(("male", D(1970, 1, 1)), ("male", D(2000, 1, 1)))
    services.enrolment_create(user=user, course=course, individual=adult(first))
    lst = scored_list("CRP", {first: 2.0, second: 1.0})
    counts = services.enrolment_bulk(user=user, course=course, beneficiary_list=lst, rule="head")
    assert counts["enrolled"] == 1 and counts["already"] == 1
    assert set(course.enrolments.values_list("individual__relationship", flat=True)) == {"head"}


def test_bulk_enrolment_refuses_a_list_not_approved_and_enrols_nobody():
    from tests.shelter.assessments_factories import scored_list

    user = officer()
    course = make_course()
    lst = scored_list("CRP", {household_of(("male", D(1990, 1, 1))): 1.0}, status="draft")
    with pytest.raises(Conflict):
        services.enrolment_bulk(user=user, course=course, beneficiary_list=lst, rule="head")
    assert not course.enrolments.exists()


# --- sessions and attendance --------------------------------------------------------------


def test_the_first_session_starts_the_course_and_marks_everyone_enrolled():
    user = officer()
    course, rows = course_with(user, 3)
    session = services.session_record(
        user=user, course=course, held_on=D(2026, 4, 1), present=[rows[0], rows[2]], topic="Pipes"
    )
    course.refresh_from_db()
    assert course.status == "running" and session.number == 1
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    assert marks == {rows[0].pk: True, rows[1].pk: False, rows[2].pk: True}
    second = services.session_record(user=user, course=course, held_on=D(2026, 4, 2), present=[])
    assert second.number == 2


def test_attendance_is_recorded_all_or_nothing():
    user = officer()
    course, rows = course_with(user, 2)
    stranger = course_with(user, 1)[1][0]
    with pytest.raises(ValidationFailed) as exc:
        services.session_record(
            user=user, course=course, held_on=D(2026, 4, 1), present=[rows[0], stranger]
        )
    assert "present" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.session_record(
            user=user, course=course, held_on=D(2026, 4, 1), present=[rows[0]], hours="99"
        )
    assert not TrainingSession.objects.filter(course=course).exists()
    assert not Attendance.objects.filter(enrolment__course=course).exists()
    course.refresh_from_db()
    assert course.status == "planned"


def test_a_session_cannot_be_in_the_future_or_before_the_course_starts():
    user = officer()
    course, rows = course_with(user, 1, starts_on=D(2026, 4, 1))
    for day in (D(2026, 3, 31), datetime.date.today() + datetime.timedelta(days=2)):
        with pytest.raises(ValidationFailed) as exc:
            services.session_record(user=user, course=course, held_on=day, present=rows)
        assert "held_on" in exc.value.fields


def test_a_session_is_corrected_later_and_a_trainee_enrolled_since_gets_a_mark():
    user = officer()
    course, rows = course_with(user, 2)
    session = services.session_record(
        user=user, course=course, held_on=D(2026, 4, 1), present=[rows[0]]
    )
    late = services.enrolment_create(user=user, course=course, individual=adult())
    services.session_update(
        user=user, session=session, held_on=D(2026, 4, 2), present=[rows[1], late], topic="Fix"
    )
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    assert marks == {rows[0].pk: False, rows[1].pk: True, late.pk: True}
    session.refresh_from_db()
    assert session.held_on == D(2026, 4, 2) and session.topic == "Fix"


def test_the_attendance_rate_is_present_over_sessions_held():
    assert selectors.attendance_rate(5, 8) == Decimal("62.50")
    assert selectors.attendance_rate(0, 0) is None
    assert selectors.percent_text(Decimal("62.50")) == "62.5"
    assert selectors.percent_text(Decimal("80.00")) == "80"
    user = officer()
    course, rows = course_with(user, 2)
    hold_sessions(user, course, [[True, True], [True, False], [False, False]])
    trainees = {t.pk: t for t in selectors.course_trainees(course)}
    assert trainees[rows[0].pk].rate == Decimal("66.67")
    assert trainees[rows[1].pk].rate == Decimal("33.33")


# --- completion ---------------------------------------------------------------------------


def _finished_course(user, *, final_assessment=True):
    """Four trainees: attends all and passes; attends all and fails; attends all with no
    result; attends half and passes; a fifth drops out."""
    course, rows = course_with(user, 5, final_assessment=final_assessment)
    services.enrolment_drop_out(user=user, enrolment=rows[4], reason="Moved to Erbil")
    hold_sessions(
        user,
        course,
        [[True, True, True, True]] * 2 + [[True, True, True, False]] * 2,
    )
    if final_assessment:
        services.assessment_record(
            user=user, course=course, results={rows[0]: True, rows[1]: False, rows[3]: True}
        )
    return course, rows


def _reason(enrolment):
    return Enrolment.STATUS_MACHINE.history(enrolment).order_by("-at", "-pk").first().reason


def test_finishing_decides_every_trainee_with_the_reason():
    user = officer()
    course, rows = _finished_course(user)
    counts = services.course_finish(user=user, course=course)
    assert counts == {"completed": 1, "not_completed": 3, "dropped_out": 1}
    for row in rows:
        row.refresh_from_db()
    assert rows[0].status == "completed" and rows[0].certificate_number
    assert rows[0].attendance_rate == Decimal("100.00")
    assert rows[0].completed_on == D(2026, 4, 4)
    assert _reason(rows[1]) == "final assessment not passed"
    assert _reason(rows[2]) == "no result recorded"
    assert rows[3].status == "not_completed" and _reason(rows[3]) == "attendance 50% < 80%"
    assert rows[4].status == "dropped_out"
    course.refresh_from_db()
    assert course.status == "finished"


def test_without_a_final_assessment_attendance_alone_decides():
    user = officer()
    course, _rows = _finished_course(user, final_assessment=False)
    counts = services.course_finish(user=user, course=course)
    assert counts["completed"] == 3 and counts["not_completed"] == 1


def test_a_course_is_finished_only_when_running_with_sessions():
    user = officer()
    course, _rows = course_with(user, 1)
    with pytest.raises(Conflict) as exc:
        services.course_finish(user=user, course=course)
    assert exc.value.code == "course_not_running"
    services.course_start(user=user, course=course)
    with pytest.raises(Conflict) as exc:
        services.course_finish(user=user, course=course)
    assert exc.value.code == "no_sessions"


def test_a_late_pass_gives_the_certificate_after_the_finish():
    user = officer()
    course, rows = _finished_course(user)
    services.course_finish(user=user, course=course)
    counts = services.assessment_record(user=user, course=course, results={rows[2]: True})
    assert counts == {"changed": 1, "completed": 1}
    rows[2].refresh_from_db()
    assert rows[2].status == "completed"
    assert rows[2].certificate_number.endswith("-02")
    with pytest.raises(Conflict):
        services.assessment_record(user=user, course=course, results={rows[0]: False})


def test_certificate_numbers_follow_the_course_reference_and_are_unique():
    user = officer()
    course, _rows = _finished_course(user, final_assessment=False)
    services.course_finish(user=user, course=course)
    numbers = sorted(
        Enrolment.objects.filter(course=course, status="completed").values_list(
            "certificate_number", flat=True
        )
    )
    assert numbers == [f"CERT-{course.reference}-{n:02d}" for n in (1, 2, 3)]


def test_a_completion_writes_the_ledger_once_even_when_decided_again():
    user = officer()
    course, rows = _finished_course(user, final_assessment=False)
    services.course_finish(user=user, course=course)
    again = services.enrolment_complete(user=user, enrolment=rows[0])
    assert again.status == "completed"
    records = AssistanceRecord.objects.filter(
        source_type="revitalization.enrolment", source_id=str(rows[0].public_id)
    )
    assert records.count() == 1
    record = records.get()
    assert record.kind == "training" and record.item == "crp_vocational_training"
    assert record.individual_id == rows[0].individual_id
    assert record.programme.code == "CRP" and record.governorate.pcode == DUHOK
    assert AssistanceRecord.objects.filter(source_type="revitalization.enrolment").count() == 3


def test_a_refused_ledger_write_finishes_nothing():
    user = officer()
    course, rows = _finished_course(user, final_assessment=False)
    person = rows[0].individual
    household_set_status(
        user=make_user("administrator"), household=person.household, status="inactive", reason="x"
    )
    with pytest.raises(Conflict) as exc:
        services.course_finish(user=user, course=course)
    assert exc.value.code == "ledger_refused"
    course.refresh_from_db()
    assert course.status == "running"
    assert not Enrolment.objects.filter(course=course, status="completed").exists()
    assert not AssistanceRecord.objects.filter(source_type="revitalization.enrolment").exists()


def test_a_trainee_also_in_cash_for_work_is_counted_once_by_people_reached():
    user = officer()
    course, rows = _finished_course(user, final_assessment=False)
    services.course_finish(user=user, course=course)
    trainee = rows[0].individual
    assistance_record(
        user=user,
        individual=trainee,
        programme="CRP",
        kind="cash",
        item="crp_cash_for_work",
        value=Decimal("150000"),
        currency="IQD",
        exchange_rate=Decimal("1310"),
        delivered_on=D(2026, 6, 1),
        admin_unit=trainee.household.admin_unit,
        source_type="revitalization.worker_payment",
        source_id="test-payment-1",
        permission=None,
    )
    reached = people_reached(programme="CRP")
    assert reached["individuals"] == 3  # three completions, the worker among them


# --- placement ----------------------------------------------------------------------------


def test_placement_is_followed_up_for_graduates_and_summarised_by_sex():
    user = officer()
    course, rows = course_with(
        user, 4, sexes=("male", "female", "female", "male"), final_assessment=False
    )
    hold_sessions(user, course, [[True, True, True, False]])
    services.course_finish(user=user, course=course)
    with pytest.raises(Conflict):
        services.placement_record(
            user=user,
            enrolment=rows[3],
            followed_on=D(2026, 7, 1),
            months_after=3,
            outcome="employed",
        )
    services.placement_record(
        user=user,
        enrolment=rows[0],
        followed_on=D(2026, 7, 1),
        months_after=3,
        outcome="employed",
        employer="Zakho Plumbing",
        uses_skills=True,
        monthly_income_iqd=450000,
    )
    services.placement_record(
        user=user, enrolment=rows[1], followed_on=D(2026, 7, 1), months_after=3, outcome="seeking"
    )
    services.placement_record(
        user=user,
        enrolment=rows[2],
        followed_on=D(2026, 7, 2),
        months_after=3,
        outcome="self_employed",
        uses_skills=True,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.placement_record(
            user=user,
            enrolment=rows[0],
            followed_on=D(2026, 7, 3),
            months_after=3,
            outcome="employed",
        )
    assert "months_after" in exc.value.fields
    summary = selectors.placement_summary(course)
    assert summary["completed"] == 3 and summary["followed"] == 3 and summary["working"] == 2
    assert summary["working_pct"] == Decimal("66.7")
    assert summary["by_sex"]["female"]["working"] == 1
    assert summary["by_sex"]["female"]["working_pct"] == Decimal("50.0")
    assert summary["by_sex"]["male"]["working_pct"] == Decimal("100.0")
    assert summary["average_income_iqd"] == 450000


def test_an_unreachable_trainee_has_no_employer_or_income():
    user = officer()
    course, rows = course_with(user, 1, final_assessment=False)
    hold_sessions(user, course, [[True]])
    services.course_finish(user=user, course=course)
    with pytest.raises(ValidationFailed) as exc:
        services.placement_record(
            user=user,
            enrolment=rows[0],
            followed_on=D(2026, 7, 1),
            months_after=3,
            outcome="unreachable",
            monthly_income_iqd=1000,
        )
    assert "outcome" in exc.value.fields


def test_cancelling_needs_a_reason_and_closes_enrolment():
    user = officer()
    course, _rows = course_with(user, 1)
    with pytest.raises(ValidationFailed):
        services.course_cancel(user=user, course=course, reason="")
    services.course_cancel(user=user, course=course, reason="Provider closed")
    course.refresh_from_db()
    assert course.status == Course.Status.CANCELLED
    with pytest.raises(Conflict) as exc:
        services.enrolment_create(user=user, course=course, individual=adult())
    assert exc.value.code == "course_closed"

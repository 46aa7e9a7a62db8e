"""Sessions of a course and the attendance at each: recorded in one go (the session and
a mark for every trainee enrolled), corrected later while the course runs. Recording the
first session of a planned course starts it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.revitalization.models import TRAINING, Attendance, Course, Enrolment, TrainingSession
from sanad.revitalization.services._common import actor, require
from sanad.revitalization.services.training._base import (
    COURSE,
    clean_text,
    decimal,
    lock_course,
    not_future,
    parse_date,
)

ENROLMENT = Enrolment.Status


def _ids(values: Iterable[Any]) -> set[int]:
    return {int(getattr(v, "pk", v)) for v in values}


def _session_values(
    course: Course, *, held_on: Any, topic: Any, hours: Any
) -> tuple[datetime.date, str, Decimal]:
    errors: dict[str, list[str]] = {}
    day = None
    try:
        day = not_future(parse_date(held_on, "held_on"), "held_on")
        if day < course.starts_on:
            raise field_error(
                "held_on",
                _(
                    "The course starts on %(date)s: a session cannot be held before. Change "
                    "the course's start first."
                )
                % {"date": course.starts_on.isoformat()},
                "held_before_start",
            )
    except ValidationFailed as exc:
        errors.update({k: list(v) for k, v in exc.fields.items()})
    text = ""
    try:
        text = clean_text(topic, "topic", max_length=200)
    except ValidationFailed as exc:
        errors.update({k: list(v) for k, v in exc.fields.items()})
    length = Decimal(4)
    try:
        length = decimal(
            4 if hours in (None, "") else hours,
            "hours",
            low=Decimal("0.5"),
            high=Decimal(12),
            step="0.1",
        )
    except ValidationFailed as exc:
        errors.update({k: list(v) for k, v in exc.fields.items()})
    if errors:
        raise ValidationFailed(fields=errors)
    assert day is not None
    return day, text, length


def _check_roll(present: set[int], roll: set[int]) -> None:
    if present - roll:
        raise field_error(
            "present",
            _("Only trainees on this session's roll can be marked present. Reload the page."),
            "not_on_roll",
        )


def session_record(
    *,
    user: Any,
    course: Course,
    held_on: datetime.date | str,
    present: Iterable[Any],
    topic: str = "",
    hours: Decimal | int | str = 4,
) -> TrainingSession:
    """Record a session (numbered next) and the attendance of every trainee enrolled:
    present if in `present` (enrolments or their pks), absent otherwise. All or
    nothing. A planned course starts with its first session."""
    require(user, TRAINING, course)
    chosen = _ids(present)
    with transaction.atomic():
        locked = lock_course(course)
        if locked.status not in (COURSE.PLANNED, COURSE.RUNNING):
            raise Conflict(
                _("Sessions are recorded while the course is planned or running."),
                code="course_closed",
            )
        day, text, length = _session_values(locked, held_on=held_on, topic=topic, hours=hours)
        roll = list(
            Enrolment.objects.filter(course=locked, status=ENROLMENT.ENROLLED).values_list(
                "pk", flat=True
            )
        )
        if not roll:
            raise Conflict(
                _("Enrol the trainees before recording a session."), code="course_no_trainees"
            )
        _check_roll(chosen, set(roll))
        if locked.status == COURSE.PLANNED:
            Course.STATUS_MACHINE.transition(
                locked,
                to=COURSE.RUNNING,
                by=user,
                reason=_("The first session was recorded."),
            )
        last = TrainingSession.objects.filter(course=locked).aggregate(n=Max("number"))["n"]
        session = TrainingSession.objects.create(
            course=locked,
            number=(last or 0) + 1,
            held_on=day,
            topic=text,
            hours=length,
            recorded_by=actor(user),
        )
        Attendance.objects.bulk_create(
            [Attendance(session=session, enrolment_id=pk, present=pk in chosen) for pk in roll]
        )
    course.status = locked.status
    return session


def session_update(
    *,
    user: Any,
    session: TrainingSession,
    held_on: datetime.date | str,
    present: Iterable[Any],
    topic: str = "",
    hours: Decimal | int | str = 4,
) -> TrainingSession:
    """Correct a session of a running course: its date, topic, hours and the marks of
    everyone on its roll (trainees enrolled now, and whoever already has a mark on it);
    a trainee enrolled since gets a mark too. All or nothing."""
    require(user, TRAINING, session)
    chosen = _ids(present)
    with transaction.atomic():
        locked = lock_course(session.course)
        if locked.status != COURSE.RUNNING:
            raise Conflict(
                _("Attendance can be corrected while the course runs, not once it is %(s)s.")
                % {"s": locked.get_status_display().lower()},
                code="course_not_running",
            )
        row = TrainingSession.objects.select_for_update().get(pk=session.pk)
        day, text, length = _session_values(locked, held_on=held_on, topic=topic, hours=hours)
        marks = {
            a.enrolment_id: a for a in Attendance.objects.select_for_update().filter(session=row)
        }
        roll = set(marks) | set(
            Enrolment.objects.filter(Q(course=locked, status=ENROLMENT.ENROLLED)).values_list(
                "pk", flat=True
            )
        )
        _check_roll(chosen, roll)
        row.held_on, row.topic, row.hours = day, text, length
        row.save(update_fields=["held_on", "topic", "hours"])
        changed = [a for pk, a in marks.items() if a.present != (pk in chosen)]
        for a in changed:
            a.present = a.enrolment_id in chosen
        Attendance.objects.bulk_update(changed, ["present"])
        Attendance.objects.bulk_create(
            [
                Attendance(session=row, enrolment_id=pk, present=pk in chosen)
                for pk in sorted(roll - set(marks))
            ]
        )
    return row

"""Finishing a course: completion decided for every trainee still enrolled.

A trainee completes when their attendance rate (sessions present out of sessions held)
is at least the course's minimum and, when the course has a final assessment, a pass is
recorded. Otherwise they did not complete, and the reason is recorded with the change of
status ("attendance 62% < 80%", "final assessment not passed", "no result recorded").
Trainees who dropped out stay dropped out.

A completion gets a certificate number CERT-<course reference>-NN (NN counts the
course's certificates) and writes the assistance ledger (kind "training", item
"crp_vocational_training", the trainee, the course's donor project, where the course was
given) in the same transaction: a retried finish writes nothing twice, and an
enrolment completed already is returned as it is."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, Conflict
from sanad.revitalization.models import TRAINING, Attendance, Course, Enrolment, TrainingSession
from sanad.revitalization.selectors.training import (
    attendance_rate,
    completion_decision,
    percent_text,
)
from sanad.revitalization.services._common import require, today
from sanad.revitalization.services.training._base import COURSE, lock_course, stamp

ENROLMENT = Enrolment.Status
SOURCE_TYPE = "revitalization.enrolment"
ITEM = "crp_vocational_training"


def _next_certificate(course: Course) -> str:
    numbers = [
        int(str(n).rsplit("-", 1)[1])
        for n in Enrolment.objects.filter(
            course=course, certificate_number__isnull=False
        ).values_list("certificate_number", flat=True)
        if str(n).rsplit("-", 1)[-1].isdigit()
    ]
    return f"CERT-{course.reference}-{max(numbers, default=0) + 1:02d}"


def _last_session_day(course: Course) -> datetime.date:
    day = (
        TrainingSession.objects.filter(course=course)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return min(day or course.ends_on, today())


def _ledger(user: Any, course: Course, enrolment: Enrolment) -> Any:
    from sanad.assistance.services import assistance_record

    where = course.community.admin_unit if course.community is not None else course.governorate
    try:
        return assistance_record(
            user=user,
            individual=enrolment.individual,
            programme=course.programme,
            project=course.project,
            kind="training",
            item=ITEM,
            delivered_on=enrolment.completed_on or today(),
            admin_unit=where,
            source_type=SOURCE_TYPE,
            source_id=str(enrolment.public_id),
            description=f"{course.reference} {course.title}"[:200],
            permission=None,
        )
    except ApplicationError as exc:
        details = "; ".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(
            exc.message
        )
        raise Conflict(
            _("The completion of %(name)s cannot be recorded in the assistance ledger: %(details)s")
            % {
                "name": enrolment.individual.full_name_en or enrolment.individual.full_name_ar,
                "details": details,
            },
            code="ledger_refused",
        ) from exc


def _decide(user: Any, course: Course, enrolment: Enrolment, held: int) -> Enrolment:
    """Decide one enrolled trainee (inside the caller's transaction, course locked)."""
    present = Attendance.objects.filter(enrolment=enrolment, present=True).count()
    rate = attendance_rate(present, held)
    ok, reasons = completion_decision(
        rate=rate,
        min_attendance=course.min_attendance,
        final_assessment=course.final_assessment,
        assessment_passed=enrolment.assessment_passed,
    )
    enrolment.attendance_rate = rate
    stamp(enrolment, user)
    if not ok:
        Enrolment.STATUS_MACHINE.transition(
            enrolment,
            to=ENROLMENT.NOT_COMPLETED,
            by=user,
            reason="; ".join(reasons),
            extra_updates=("attendance_rate", "updated_by"),
        )
        return enrolment
    enrolment.certificate_number = _next_certificate(course)
    enrolment.completed_on = _last_session_day(course)
    reason = _("attendance %(rate)s%% ≥ %(min)s%%") % {
        "rate": percent_text(rate),
        "min": percent_text(course.min_attendance),
    }
    if course.final_assessment:
        reason += "; " + _("final assessment passed")
    Enrolment.STATUS_MACHINE.transition(
        enrolment,
        to=ENROLMENT.COMPLETED,
        by=user,
        reason=reason,
        extra_updates=("attendance_rate", "certificate_number", "completed_on", "updated_by"),
    )
    _ledger(user, course, enrolment)
    return enrolment


def course_finish(*, user: Any, course: Course) -> dict[str, int]:
    """Running → finished: completion decided for every trainee still enrolled (see the
    module's docstring), all in one transaction. At least one session must have been
    held. Returns {"completed", "not_completed", "dropped_out"}."""
    require(user, TRAINING, course)
    with transaction.atomic():
        locked = lock_course(course)
        if locked.status != COURSE.RUNNING:
            raise Conflict(
                _("Only a running course can be finished: this one is %(status)s.")
                % {"status": locked.get_status_display().lower()},
                code="course_not_running",
            )
        held = TrainingSession.objects.filter(course=locked).count()
        if not held:
            raise Conflict(
                _("Record the sessions held before finishing the course."),
                code="no_sessions",
            )
        counts = {"completed": 0, "not_completed": 0, "dropped_out": 0}
        rows = (
            Enrolment.objects.select_for_update(of=("self",))
            .filter(course=locked)
            .select_related("individual")
            .order_by("id")
        )
        for row in rows:
            if row.status == ENROLMENT.ENROLLED:
                _decide(user, locked, row, held)
            counts[row.status] = counts.get(row.status, 0) + 1
        stamp(locked, user)
        Course.STATUS_MACHINE.transition(
            locked, to=COURSE.FINISHED, by=user, extra_updates=("updated_by",)
        )
    course.status = locked.status
    return {k: counts[k] for k in ("completed", "not_completed", "dropped_out")}


def redecide(*, user: Any, course: Course, enrolment: Enrolment) -> Enrolment:
    """Decide again a trainee of a finished course who did not complete (a result
    recorded late): back to enrolled, then decided. Inside the caller's transaction."""
    if enrolment.status != ENROLMENT.NOT_COMPLETED:
        return enrolment
    Enrolment.STATUS_MACHINE.transition(
        enrolment,
        to=ENROLMENT.ENROLLED,
        by=user,
        reason=_("Completion decided again after a result was recorded."),
    )
    held = TrainingSession.objects.filter(course=course).count()
    return _decide(user, course, enrolment, held)


def enrolment_complete(*, user: Any, enrolment: Enrolment) -> Enrolment:
    """Decide the completion of one trainee of a finished course: one still enrolled, or
    one who did not complete (decided again, after a result was corrected). An
    enrolment already completed is returned as it is (its certificate and ledger
    record are not made twice); a trainee who dropped out stays dropped out."""
    require(user, TRAINING, enrolment)
    with transaction.atomic():
        course = lock_course(enrolment.course)
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("individual")
            .get(pk=enrolment.pk)
        )
        if row.status in (ENROLMENT.COMPLETED, ENROLMENT.DROPPED_OUT):
            return row
        if course.status != COURSE.FINISHED:
            raise Conflict(
                _("Completion is decided when the course is finished."),
                code="course_not_finished",
            )
        if row.status == ENROLMENT.NOT_COMPLETED:
            return redecide(user=user, course=course, enrolment=row)
        held = TrainingSession.objects.filter(course=course).count()
        return _decide(user, course, row, held)

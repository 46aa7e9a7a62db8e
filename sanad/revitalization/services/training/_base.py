"""Helpers of the training services: parsing what people typed, the user's reach over a
governorate of the programme, locking a course."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, field_error
from sanad.core.scoping import grants_for
from sanad.geo.models import AdminUnit
from sanad.revitalization.models import TRAINING, Course
from sanad.revitalization.services._common import PROGRAMME, actor, today

COURSE = Course.Status
OPEN = (COURSE.PLANNED, COURSE.RUNNING)


def clean_text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise field_error(field, _("Fill in this field."), f"{field}_required")
    if len(text) > max_length:
        raise field_error(
            field,
            _("Shorten this to %(n)d characters.") % {"n": max_length},
            f"{field}_too_long",
        )
    return text


def parse_date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if value in (None, ""):
        raise field_error(field, _("Enter a date."), f"{field}_required")
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from exc


def not_future(day: datetime.date, field: str) -> datetime.date:
    if day > today():
        raise field_error(
            field,
            _("The date %(date)s is in the future: record it once it has happened.")
            % {"date": day.isoformat()},
            f"{field}_in_future",
        )
    return day


def whole(value: Any, field: str, *, low: int, high: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise field_error(field, _("Enter a whole number."), f"invalid_{field}") from exc
    if not low <= n <= high:
        raise field_error(
            field,
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            f"{field}_out_of_range",
        )
    return n


def decimal(value: Any, field: str, *, low: Decimal, high: Decimal, step: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise field_error(field, _("Enter a number."), f"invalid_{field}") from exc
    if not number.is_finite() or not low <= number <= high:
        raise field_error(
            field,
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            f"{field}_out_of_range",
        )
    return number.quantize(Decimal(step))


def reaches_governorate(user: Any, governorate: AdminUnit) -> bool:
    """Whether the user's TRAINING grants cover a governorate of the programme (for a
    course not saved yet, which `can_reach` cannot test)."""
    return any(
        (grant.all_governorates or governorate.pcode in grant.governorates)
        and (grant.all_programmes or PROGRAMME in grant.programmes)
        for grant in grants_for(user, TRAINING)
    )


def lock_course(course: Course) -> Course:
    """The course row, locked until the transaction ends: enrolments, sessions and the
    finish of one course queue behind each other."""
    return (
        Course.objects.select_for_update(of=("self",))
        .select_related("governorate")
        .get(pk=course.pk)
    )


def require_open(course: Course, what: str = "") -> None:
    if course.status not in OPEN:
        raise Conflict(
            _("The course is %(status)s: %(what)s only while it is planned or running.")
            % {
                "status": course.get_status_display().lower(),
                "what": what or _("this can be done"),
            },
            code="course_closed",
        )


def stamp(obj: Any, user: Any, *, created: bool = False) -> None:
    who = actor(user)
    if created:
        obj.created_by = who
    obj.updated_by = who

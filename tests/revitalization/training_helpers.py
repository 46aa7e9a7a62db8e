"""Helpers of the training tests: the officer, households with members of chosen ages,
a course with trainees enrolled and sessions recorded through the services."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.revitalization.models import Course, Enrolment
from sanad.revitalization.services import training as services
from tests.factories import DUHOK, make_user
from tests.registry.factories import make_household, member_data
from tests.revitalization.factories import crp, make_course

D = datetime.date


def officer(governorates: tuple[str, ...] = (DUHOK,)) -> Any:
    crp()
    return make_user("programme_officer", governorates=governorates, programmes=("CRP",))


def household_of(*ages: tuple[str, datetime.date], governorate: str = DUHOK, **kwargs: Any) -> Any:
    """A household whose members are (sex, date of birth); the first is the head."""
    members = [
        member_data(
            relationship="head" if i == 0 else "other_relative",
            sex=sex,
            date_of_birth=born,
            index=i,
        )
        for i, (sex, born) in enumerate(ages)
    ]
    return make_household(governorate=governorate, members=members, **kwargs)


def adult(household: Any = None, *, sex: str = "male", governorate: str = DUHOK) -> Any:
    """The head (born 1995) of a new household, or of `household`."""
    household = household or household_of((sex, D(1995, 6, 1)), governorate=governorate)
    return household.members.get(relationship="head")


def course_with(
    user: Any, trainees: int = 3, *, sexes: tuple[str, ...] = (), **kwargs: Any
) -> tuple[Course, list[Enrolment]]:
    course = make_course(**kwargs)
    rows = []
    for i in range(trainees):
        sex = sexes[i] if i < len(sexes) else ("female" if i % 2 else "male")
        rows.append(
            services.enrolment_create(
                user=user,
                course=course,
                individual=adult(sex=sex, governorate=kwargs.get("governorate", DUHOK)),
            )
        )
    return course, rows


def hold_sessions(
    user: Any, course: Course, marks: list[list[bool]], *, start: datetime.date | None = None
) -> None:
    """One session per row of `marks`: marks[s][i] is whether trainee i (enrolled order)
    was present at session s."""
    start = start or course.starts_on
    enrolled = list(course.enrolments.filter(status="enrolled").order_by("id"))
    for s, row in enumerate(marks):
        services.session_record(
            user=user,
            course=course,
            held_on=start + datetime.timedelta(days=s),
            present=[e for e, here in zip(enrolled, row, strict=False) if here],
            topic=f"Session {s + 1}",
        )

"""Sessions: record one with the attendance of every trainee (a phone-sized form, a
checkbox per trainee, none ticked at first), and correct it later."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from sanad.revitalization.forms.training import SessionForm
from sanad.revitalization.models import TRAINING, Course, TrainingSession
from sanad.revitalization.selectors import training as selectors
from sanad.revitalization.services import training as services
from sanad.revitalization.services._common import today
from sanad.revitalization.views.training._base import course_of, lookup, page, run, to_course


def _form_page(
    request: HttpRequest, course: Course, form: SessionForm, session: TrainingSession | None
) -> HttpResponse:
    visible = selectors.visible_household_ids(request.user, (e.household_id for e in form.roll))
    chosen = (
        set(form["present"].value() or [])
        if form.is_bound
        else {str(e.public_id) for e in form.roll if getattr(e, "marked", False)}
    )
    rows = [
        {
            "enrolment": e,
            "value": str(e.public_id),
            "checked": str(e.public_id) in chosen,
            "show_name": e.household_id in visible,
            "dropped": e.status != e.Status.ENROLLED,
        }
        for e in form.roll
    ]
    number = session.number if session else len(selectors.course_sessions(course)) + 1
    return page(
        request,
        "session_form.html",
        {
            "course": course,
            "form": form,
            "session": session,
            "rows": rows,
            "ticked": sum(1 for r in rows if r["checked"]),
            "number": number,
        },
        form=form,
    )


@login_required
def session_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    course = course_of(request, public_id, TRAINING)
    if course.status not in (Course.Status.PLANNED, Course.Status.RUNNING):
        return redirect("revitalization:course_detail", public_id=course.public_id)
    roll = selectors.session_roll(course)
    form = SessionForm(request.POST or None, roll=roll, initial={"held_on": today(), "hours": 4})
    if request.method == "POST" and form.is_valid():
        session = run(
            form,
            lambda: services.session_record(
                user=request.user, course=course, **form.service_data()
            ),
        )
        if session is not None:
            present = sum(1 for _e in form.service_data()["present"])
            return to_course(
                request,
                course,
                _("Session %(n)d is recorded: %(present)d of %(all)d present.")
                % {"n": session.number, "present": present, "all": len(roll)},
            )
    return _form_page(request, course, form, None)


@login_required
def session_edit(request: HttpRequest, public_id: Any, number: int) -> HttpResponse:
    session = lookup(
        request, selectors.session_get, TRAINING, course_public_id=public_id, number=number
    )
    course = course_of(request, public_id, TRAINING)
    roll = selectors.session_roll(course, session)
    form = SessionForm(
        request.POST or None,
        roll=roll,
        initial={"held_on": session.held_on, "topic": session.topic, "hours": session.hours},
    )
    if request.method == "POST" and form.is_valid():
        saved = run(
            form,
            lambda: services.session_update(
                user=request.user, session=session, **form.service_data()
            ),
        )
        if saved is not None:
            return to_course(
                request, course, _("Session %(n)d is corrected.") % {"n": saved.number}
            )
    return _form_page(request, course, form, session)

"""Enrolment: search the registry and enrol a person, enrol from an approved
beneficiary list, a trainee's page (attendance, result, certificate, history), drop out
and re-enrol, job placement follow-ups."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.scoping import can_reach, has_permission
from sanad.registry.models import Individual
from sanad.revitalization.forms.training import (
    BulkEnrolForm,
    EnrolForm,
    OptionalReasonForm,
    PlacementForm,
    ReasonForm,
)
from sanad.revitalization.models import TRAINING, VIEW, Course, Enrolment
from sanad.revitalization.selectors import training as selectors
from sanad.revitalization.services import training as services
from sanad.revitalization.services._common import today
from sanad.revitalization.views.training._base import (
    TEMPLATES,
    can_manage,
    course_of,
    lookup,
    page,
    run,
    to_course,
)

STATUS = Course.Status
ENROLMENT = Enrolment.Status


def _name(individual: Individual) -> str:
    return individual.full_name_en or individual.full_name_ar


def _enrol_page(
    request: HttpRequest,
    course: Course,
    *,
    bulk: BulkEnrolForm | None = None,
    error: str = "",
) -> HttpResponse:
    user = request.user
    query = request.GET.get("q", "").strip()
    lists = selectors.beneficiary_lists_for(user)
    bulk = bulk or BulkEnrolForm(prefix="bulk", lists=lists)
    taken = selectors.places_taken(course)
    failed = bool(error) or bool(bulk.is_bound and bulk.errors)
    return render(
        request,
        TEMPLATES + "enrol.html",
        {
            "course": course,
            "query": query,
            "candidates": selectors.enrolment_candidates(user=user, course=course, query=query)
            if query
            else [],
            "can_search": has_permission(user, selectors.REGISTRY_VIEW),
            "lists": lists,
            "bulk": bulk,
            "taken": taken,
            "left": max(course.capacity - taken, 0),
            "error": error,
            "min_age": selectors.MIN_AGE,
        },
        status=400 if failed else 200,
    )


@login_required
def enrolment_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    """GET: search the registry (`?q=` registration id, name, phone or document); POST:
    enrol the person chosen (`individual` = their public id)."""
    course = course_of(request, public_id, TRAINING)
    if request.method != "POST":
        return _enrol_page(request, course)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        return _enrol_page(request, course, error=_("Choose a person from the search results."))
    person = (
        Individual.objects.select_related("household")
        .filter(public_id=form.cleaned_data["individual"])
        .first()
    )
    if person is None or not can_reach(request.user, person.household, selectors.REGISTRY_VIEW):
        return _enrol_page(request, course, error=_("Choose a person from the search results."))
    try:
        services.enrolment_create(user=request.user, course=course, individual=person)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        return _enrol_page(request, course, error=str(exc.message))
    messages.success(request, _("%(name)s is enrolled.") % {"name": _name(person)})
    query = request.POST.get("q", "")
    url = request.path + (f"?q={query}" if query else "")
    return redirect(url)


@login_required
@require_POST
def enrolment_bulk(request: HttpRequest, public_id: Any) -> HttpResponse:
    course = course_of(request, public_id, TRAINING)
    form = BulkEnrolForm(
        request.POST, prefix="bulk", lists=selectors.beneficiary_lists_for(request.user)
    )
    if form.is_valid():
        counts = run(
            form,
            lambda: services.enrolment_bulk(
                user=request.user,
                course=course,
                beneficiary_list=form.cleaned_data["beneficiary_list"],
                rule=form.cleaned_data["rule"],
            ),
        )
        if counts is not None:
            if counts["no_place"]:
                messages.warning(request, services.bulk_message(counts))
                return to_course(request, course)
            return to_course(request, course, services.bulk_message(counts))
    return _enrol_page(request, course, bulk=form)


def _enrolment_page(
    request: HttpRequest, enrolment: Enrolment, forms: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    course = enrolment.course
    manage = can_manage(request, enrolment)
    forms = forms or {}
    forms.setdefault("drop", ReasonForm(prefix="drop"))
    forms.setdefault("reenrol", OptionalReasonForm(prefix="reenrol"))
    if "placement" not in forms:
        forms["placement"] = PlacementForm(
            prefix="placement", initial={"followed_on": today(), "months_after": 3}
        )
    held = selectors.course_sessions(course)
    marks = selectors.enrolment_attendance(enrolment)
    enrolment.present_count = sum(1 for _s, m in marks if m)  # type: ignore[attr-defined]
    last = list(selectors.enrolment_history(enrolment))
    selectors.decorate_trainee(enrolment, course, len(held), last[-1] if last else None)
    show_name = can_reach(user, enrolment.household, selectors.REGISTRY_VIEW)
    open_ = course.status in (STATUS.PLANNED, STATUS.RUNNING)
    completed = enrolment.status == ENROLMENT.COMPLETED
    failed = any(f.is_bound and f.errors for f in forms.values())
    return render(
        request,
        TEMPLATES + "enrolment_detail.html",
        {
            "enrolment": enrolment,
            "course": course,
            "person": enrolment.individual,
            "show_name": show_name,
            "marks": marks,
            "history": last,
            "placements": list(enrolment.placements.order_by("followed_on", "pk")),
            "can_drop": manage and open_ and enrolment.status == ENROLMENT.ENROLLED,
            "can_reenrol": manage and open_ and enrolment.status == ENROLMENT.DROPPED_OUT,
            "can_follow": manage and completed,
            "can_certificate": manage and completed,
            "min_text": selectors.percent_text(course.min_attendance),
            "forms": forms,
        },
        status=400 if failed else 200,
    )


def _enrolment(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Enrolment:
    return lookup(request, selectors.enrolment_get, permission or VIEW, public_id=public_id)


@login_required
def enrolment_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _enrolment_page(request, _enrolment(request, public_id))


ACTIONS: dict[str, Any] = {"drop": ReasonForm, "reenrol": OptionalReasonForm}


@login_required
@require_POST
def enrolment_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    """Drop out (with a reason) or re-enrol a trainee."""
    if action not in ACTIONS:
        raise Http404
    enrolment = _enrolment(request, public_id, TRAINING)
    form = ACTIONS[action](request.POST, prefix=action)
    if form.is_valid():
        reason = form.cleaned_data.get("reason") or ""
        call = (
            (
                lambda: services.enrolment_drop_out(
                    user=request.user, enrolment=enrolment, reason=reason
                )
            )
            if action == "drop"
            else (
                lambda: services.enrolment_reenrol(
                    user=request.user, enrolment=enrolment, reason=reason
                )
            )
        )
        if run(form, call) is not None:
            messages.success(
                request,
                (
                    _("%(name)s dropped out.")
                    if action == "drop"
                    else _("%(name)s is enrolled again.")
                )
                % {"name": _name(enrolment.individual)},
            )
            return redirect("revitalization:enrolment_detail", public_id=enrolment.public_id)
    return _enrolment_page(request, _enrolment(request, public_id), {action: form})


@login_required
@require_POST
def enrolment_placement_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    enrolment = _enrolment(request, public_id, TRAINING)
    form = PlacementForm(request.POST, prefix="placement")
    if form.is_valid():
        saved = run(
            form,
            lambda: services.placement_record(
                user=request.user, enrolment=enrolment, **form.service_data()
            ),
        )
        if saved is not None:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("revitalization:enrolment_detail", public_id=enrolment.public_id)
    return _enrolment_page(request, _enrolment(request, public_id), {"placement": form})


@login_required
def enrolment_placement_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    placement = lookup(request, selectors.placement_get, TRAINING, public_id=public_id)
    form = PlacementForm(request.POST or None, initial=PlacementForm.initial_of(placement))
    if request.method == "POST" and form.is_valid():
        saved = run(
            form,
            lambda: services.placement_update(
                user=request.user, placement=placement, **form.service_data()
            ),
        )
        if saved is not None:
            messages.success(request, _("The follow-up is saved."))
            return redirect(
                "revitalization:enrolment_detail", public_id=placement.enrolment.public_id
            )
    return page(
        request,
        "placement_form.html",
        {"form": form, "placement": placement, "enrolment": placement.enrolment},
        form=form,
    )

"""Community centres (list, register, edit, a centre's page with its visits per day and
the cases logged there, logging a complaint) and social-cohesion activities (list,
plan, edit, a page with the participation grid and registered participants, record as
held, cancel, back to planned). Pages only adapt: the rules are in
`revitalization.services.governance`."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.feedback.models import LOG_CASE
from sanad.geo.models import AdminUnit
from sanad.registry.models import Individual
from sanad.revitalization.forms.governance import (
    ActivityForm,
    CentreCaseForm,
    CentreForm,
    HoldForm,
    ParticipantForm,
    ReasonForm,
    VisitDayForm,
    apply_errors,
)
from sanad.revitalization.models import (
    MANAGE,
    VIEW,
    CohesionActivity,
    CommunityCentre,
)
from sanad.revitalization.selectors import governance as selectors
from sanad.revitalization.services import governance as services
from sanad.revitalization.services._common import today

ACTIVITY = CohesionActivity.Status


def _lookup(request: HttpRequest, getter: Any, public_id: Any, permission: str) -> Any:
    require_permission(request, permission)
    try:
        return getter(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _can_manage(request: HttpRequest, obj: Any = None) -> bool:
    if not has_permission(request.user, MANAGE):
        return False
    return obj is None or can_reach(request.user, obj, MANAGE)


def _save(form: Any, call: Any) -> Any:
    """Run a service with the form's data; its refusal goes back on the form (None)."""
    try:
        return call(form.service_data())
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
    return None


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    return render(
        request,
        f"revitalization/governance/{template}",
        {"form": form, **context},
        status=400 if form.errors else 200,
    )


def _message(exc: ApplicationError) -> str:
    """The sentences of a refusal, for a message at the top of the page."""
    if not exc.fields:
        return str(exc.message)
    return " ".join(
        str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms])
    )


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value or ""))
    except ValueError:
        return None


def _governorates() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en")


# --- centres ----------------------------------------------------------------------------------


class CentreListView(ScopedListView):
    model = CommunityCentre
    permission = VIEW
    template_name = "revitalization/governance/centre_list.html"
    search_fields = ("name", "community__name", "services")
    sort_fields = {"name": "name", "community": "community__name", "visits": "visits_30"}
    default_sort = "name"
    filters: dict[str, str]

    def get_base_queryset(self) -> QuerySet[CommunityCentre]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("governorate", "open")}
        qs = selectors.centres_visible(self.request.user)
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["open"] in ("1", "0"):
            qs = qs.filter(active=f["open"] == "1")
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            governorates=_governorates(),
            can_manage=_can_manage(self.request),
            search_placeholder=_("Name, community or service"),
        )
        return ctx


@login_required
def centre_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    form = CentreForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        centre = _save(form, lambda d: services.centre_create(user=request.user, **d))
        if centre is not None:
            messages.success(request, _("%(name)s is registered.") % {"name": centre.name})
            return redirect("revitalization:centre_detail", public_id=centre.public_id)
    return _form_page(request, "centre_form.html", form, centre=None)


@login_required
def centre_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    centre = _lookup(request, selectors.centre_get, public_id, MANAGE)
    form = CentreForm(
        request.POST or None,
        user=request.user,
        current=centre,
        initial=CentreForm.initial_of(centre),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda d: services.centre_update(user=request.user, centre=centre, **d))
        if saved is not None:
            messages.success(request, _("The centre is saved."))
            return redirect("revitalization:centre_detail", public_id=centre.public_id)
    return _form_page(request, "centre_form.html", form, centre=centre)


def _day_param(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _centre_page(
    request: HttpRequest,
    centre: CommunityCentre,
    visit_form: VisitDayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = _can_manage(request, centre)
    if manage and visit_form is None:
        day = _day_param(request.GET.get("day")) or today()
        row = selectors.centre_visit_day(centre, day)
        initial: dict[str, Any] = {"day": day}
        if row is not None:
            initial.update(
                visitors_female=row.visitors_female,
                visitors_male=row.visitors_male,
                information_requests=row.information_requests,
                referrals=row.referrals,
            )
        visit_form = VisitDayForm(initial=initial, prefix="visit")
    return render(
        request,
        "revitalization/governance/centre_detail.html",
        {
            "centre": centre,
            "visits": selectors.centre_visits(centre),
            "cases": list(selectors.centre_cases(user, centre)[:50]),
            "activities": list(
                selectors.activities_visible(user).filter(centre=centre).order_by("-held_on")[:10]
            ),
            "can_manage": manage,
            "can_log": has_permission(user, LOG_CASE) and centre.active,
            "visit_form": visit_form,
        },
        status=status,
    )


@login_required
def centre_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _centre_page(request, _lookup(request, selectors.centre_get, public_id, VIEW))


@login_required
@require_POST
def centre_visit(request: HttpRequest, public_id: Any) -> HttpResponse:
    centre = _lookup(request, selectors.centre_get, public_id, MANAGE)
    form = VisitDayForm(request.POST, prefix="visit")
    if form.is_valid():
        row = _save(
            form,
            lambda d: services.centre_visits_record(user=request.user, centre=centre, **d),
        )
        if row is not None:
            messages.success(
                request, _("The visits of %(day)s are saved.") % {"day": row.day.isoformat()}
            )
            return redirect("revitalization:centre_detail", public_id=centre.public_id)
    return _centre_page(request, centre, visit_form=form, status=400)


@login_required
def centre_case_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, LOG_CASE)
    centre = _lookup(request, selectors.centre_get, public_id, VIEW)
    form = CentreCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = _save(
            form, lambda d: services.centre_case_log(user=request.user, centre=centre, **d)
        )
        if link is not None:
            messages.success(
                request,
                _("The case %(reference)s is logged at %(centre)s.")
                % {"reference": link.case.reference, "centre": centre.name},
            )
            return redirect("revitalization:centre_detail", public_id=centre.public_id)
    return _form_page(request, "case_form.html", form, centre=centre)


# --- activities -------------------------------------------------------------------------------


class ActivityListView(ScopedListView):
    model = CohesionActivity
    permission = VIEW
    template_name = "revitalization/governance/activity_list.html"
    search_fields = ("reference", "title", "community__name", "facilitators")
    sort_fields = {"date": "held_on", "reference": "reference", "status": "status"}
    default_sort = "-date"
    filters: dict[str, str]

    def get_base_queryset(self) -> QuerySet[CohesionActivity]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("kind", "status", "governorate", "community")
        }
        qs = selectors.activities_visible(self.request.user)
        if f["kind"] in CohesionActivity.Kind.values:
            qs = qs.filter(kind=f["kind"])
        if f["status"] in ACTIVITY.values:
            qs = qs.filter(status=f["status"])
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["community"]:
            qs = qs.filter(community__code=f["community"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        from sanad.core.scoping import scoped
        from sanad.revitalization.models import Community

        ctx.update(
            filters=self.filters,
            kinds=CohesionActivity.Kind.choices,
            statuses=ACTIVITY.choices,
            governorates=_governorates(),
            communities=scoped(Community.objects.all(), self.request.user, VIEW).order_by("name"),
            can_manage=_can_manage(self.request),
            search_placeholder=_("Reference, title, community or facilitator"),
        )
        return ctx


def _to_activity(
    request: HttpRequest, activity: CohesionActivity, message: str = ""
) -> HttpResponse:
    if message:
        messages.success(request, message)
    return redirect("revitalization:activity_detail", public_id=activity.public_id)


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    initial: dict[str, Any] = {"held_on": today()}
    centre_id = _uuid(request.GET.get("centre"))
    if centre_id is not None:
        centre = selectors.centres_visible(request.user).filter(public_id=centre_id).first()
        if centre is not None:
            initial.update(centre=centre, community=centre.community)
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = _save(form, lambda d: services.activity_create(user=request.user, **d))
        if activity is not None:
            return _to_activity(
                request,
                activity,
                _("The activity %(reference)s is planned.") % {"reference": activity.reference},
            )
    return _form_page(request, "activity_form.html", form, activity=None)


@login_required
def activity_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _lookup(request, selectors.activity_get, public_id, MANAGE)
    form = ActivityForm(
        request.POST or None,
        user=request.user,
        current=activity,
        initial=ActivityForm.initial_of(activity),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form, lambda d: services.activity_update(user=request.user, activity=activity, **d)
        )
        if saved is not None:
            return _to_activity(request, activity, _("The activity is saved."))
    return _form_page(request, "activity_form.html", form, activity=activity)


def _activity_page(
    request: HttpRequest,
    activity: CohesionActivity,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = _can_manage(request, activity)
    forms = forms or {}
    query = request.GET.get("q", "").strip()
    candidates: list[Individual] = []
    participants = list(selectors.activity_participants(activity))
    if manage and activity.status != ACTIVITY.CANCELLED:
        forms.setdefault("cancel", ReasonForm(prefix="cancel"))
        forms.setdefault("plan", ReasonForm(prefix="plan"))
        if query:
            taken = {p.pk for p in participants}
            candidates = [
                c
                for c in selectors.participant_candidates(request.user, query)
                if c.pk not in taken
            ]
    return render(
        request,
        "revitalization/governance/activity_detail.html",
        {
            "activity": activity,
            "grid": selectors.participation_grid(activity),
            "participants": participants,
            "history": list(selectors.status_history(activity)[:20]),
            "can_manage": manage,
            "forms": forms,
            "query": query,
            "candidates": candidates,
            "searched": bool(query),
        },
        status=status,
    )


@login_required
def activity_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _activity_page(request, _lookup(request, selectors.activity_get, public_id, VIEW))


@login_required
def activity_hold(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _lookup(request, selectors.activity_get, public_id, MANAGE)
    counts = selectors.participation_grid(activity)["counts"]
    form = HoldForm(request.POST or None, counts=counts, initial={"outcomes": activity.outcomes})
    if activity.status != ACTIVITY.PLANNED:
        messages.error(request, _("Only a planned activity can be recorded as held."))
        return _to_activity(request, activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_hold(
                user=request.user,
                activity=activity,
                outcomes=form.cleaned_data["outcomes"],
                participation=form.participation(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _to_activity(
                request,
                activity,
                _("The activity %(reference)s is recorded as held.")
                % {"reference": activity.reference},
            )
    return _form_page(
        request,
        "activity_hold.html",
        form,
        activity=activity,
        participants=list(selectors.activity_participants(activity)),
    )


@login_required
@require_POST
def activity_participant_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _lookup(request, selectors.activity_get, public_id, MANAGE)
    form = ParticipantForm(request.POST)
    individual = None
    if form.is_valid():
        from sanad.registry.selectors import individuals_visible_to

        individual = (
            individuals_visible_to(request.user)
            .filter(public_id=form.cleaned_data["individual"])
            .first()
        )
    if individual is None:
        messages.error(request, _("Choose a registered person of a household you can see."))
        return _to_activity(request, activity)
    try:
        services.activity_participant_add(
            user=request.user, activity=activity, individual=individual
        )
    except ApplicationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            _("%(name)s (%(household)s) is a participant.")
            % {
                "name": individual.full_name_en or individual.full_name_ar,
                "household": individual.household.registration_id,
            },
        )
    return _to_activity(request, activity)


@login_required
@require_POST
def activity_participant_remove(
    request: HttpRequest, public_id: Any, individual: Any
) -> HttpResponse:
    activity = _lookup(request, selectors.activity_get, public_id, MANAGE)
    person = activity.participants.filter(public_id=individual).first()
    if person is None:
        raise Http404
    try:
        services.activity_participant_remove(
            user=request.user, activity=activity, individual=person
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The participant is removed."))
    return _to_activity(request, activity)


ACTIVITY_ACTIONS = {"cancel": ACTIVITY.CANCELLED, "plan": ACTIVITY.PLANNED}


@login_required
@require_POST
def activity_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIVITY_ACTIONS:
        raise Http404
    activity = _lookup(request, selectors.activity_get, public_id, MANAGE)
    form = ReasonForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            services.activity_transition(
                user=request.user,
                activity=activity,
                to=ACTIVITY_ACTIONS[action],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            message = (
                _("The activity is cancelled.")
                if action == "cancel"
                else _("The activity is planned again.")
            )
            return _to_activity(request, activity, message)
    activity = _lookup(request, selectors.activity_get, public_id, VIEW)
    return _activity_page(request, activity, {action: form}, status=400)

"""Site upgrades (plan, start, record the households reached, complete) and camp roads
(plan, start, report progress, complete). Pages only adapt: the rules are in
`shelter.services.works`."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.models import Site
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.programmes.models import Project
from sanad.shelter.forms.works import (
    CancelForm,
    CompleteForm,
    ProgressForm,
    ReachedForm,
    RoadForm,
    StartForm,
    UpgradeForm,
    apply_errors,
)
from sanad.shelter.models import MANAGE_WORKS, VIEW
from sanad.shelter.models.works import RoadProject, SiteUpgrade, WorkStatus
from sanad.shelter.selectors import works as selectors
from sanad.shelter.services import works as services
from sanad.shelter.services._common import today


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


def _project_param(request: HttpRequest) -> Project | None:
    value = request.GET.get("project") or ""
    if not _is_uuid(value):
        return None
    return scoped(Project.objects.all(), request.user, VIEW).filter(public_id=value).first()


def _site_param(request: HttpRequest, permission: str) -> Site | None:
    value = request.GET.get("site") or ""
    if not _is_uuid(value):
        return None
    return (
        scoped(Site.objects.select_related("place"), request.user, permission)
        .filter(public_id=value)
        .first()
    )


def _common_filters(view: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """project (public id), governorate (P-code), status, delayed=1."""
    get = view.request.GET
    view.filters = f = {k: get.get(k, "") for k in ("project", "governorate", "status", "delayed")}
    view.project = _project_param(view.request)
    if f["project"]:
        qs = qs.filter(project=view.project) if view.project else qs.none()
    if f["governorate"]:
        qs = qs.filter(governorate__pcode=f["governorate"])
    if f["status"] in WorkStatus.values:
        qs = qs.filter(status=f["status"])
    if f["delayed"] == "1":
        qs = qs.filter(selectors.works_delayed_q())
    return qs


def _common_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "statuses": WorkStatus.choices,
        "projects": scoped(Project.objects.all(), user, VIEW).order_by("code"),
        "can_manage": has_permission(user, MANAGE_WORKS),
    }


# --- site upgrades ---------------------------------------------------------------------------


class UpgradeListView(ScopedListView):
    model = SiteUpgrade
    template_name = "shelter/works/upgrade_list.html"
    filters: dict[str, str]
    project: Project | None
    site: Site | None
    search_fields = ("site__place__name_en", "site__place__code", "description")
    sort_fields = {
        "site": "site__place__name_en",
        "kind": "kind",
        "end": "planned_end",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[SiteUpgrade]:
        qs = _common_filters(self, selectors.upgrades_for(self.request.user))
        kind = self.request.GET.get("kind", "")
        self.filters["kind"] = kind
        if kind in SiteUpgrade.Kind.values:
            qs = qs.filter(kind=kind)
        self.site = _site_param(self.request, VIEW)
        self.filters["site"] = self.request.GET.get("site", "")
        if self.filters["site"]:
            qs = qs.filter(site=self.site) if self.site else qs.none()
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            _common_context(self.request),
            filters=self.filters,
            project=self.project,
            site=self.site,
            kinds=SiteUpgrade.Kind.choices,
            search_placeholder=_("Site or description"),
        )
        for upgrade in ctx["object_list"]:
            upgrade.progress_pct = selectors.upgrade_progress(upgrade)
        return ctx


def _done(request: HttpRequest, obj: Any, message: str, name: str) -> HttpResponse:
    messages.success(request, message)
    if has_permission(request.user, VIEW) and can_reach(request.user, obj, VIEW):
        return redirect(f"shelter:{name}_detail", public_id=obj.public_id)
    return redirect(f"shelter:{name}_list")


@login_required
def upgrade_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_WORKS)
    site = _site_param(request, MANAGE_WORKS)
    initial: dict[str, Any] = {"site": site.public_id} if site else {}
    form = UpgradeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            upgrade = services.upgrade_create(
                user=request.user, site=form.cleaned_data["site"], data=form.service_data()
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(
                request,
                upgrade,
                _("The upgrade is planned: %(what)s.") % {"what": upgrade},
                "upgrade",
            )
    return render(
        request,
        "shelter/works/upgrade_form.html",
        {"form": form, "upgrade": None},
        status=400 if form.errors else 200,
    )


def _upgrade(request: HttpRequest, public_id: Any, permission: str = VIEW) -> SiteUpgrade:
    require_permission(request, permission)
    try:
        return selectors.upgrade_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def upgrade_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    upgrade = _upgrade(request, public_id, MANAGE_WORKS)
    initial = {
        "kind": upgrade.kind,
        "project": upgrade.project.public_id,
        "planned_households": upgrade.planned_households,
        "budget": upgrade.budget,
        "currency": upgrade.currency,
        "spent": upgrade.spent,
        "contract": upgrade.contract.public_id if upgrade.contract else None,
        "planned_start": upgrade.planned_start,
        "planned_end": upgrade.planned_end,
        "description": upgrade.description,
    }
    form = UpgradeForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            upgrade = services.upgrade_update(
                user=request.user, upgrade=upgrade, data=form.service_data()
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(request, upgrade, _("The upgrade is saved."), "upgrade")
    return render(
        request,
        "shelter/works/upgrade_form.html",
        {"form": form, "upgrade": upgrade},
        status=400 if form.errors else 200,
    )


def _upgrade_page(
    request: HttpRequest,
    upgrade: SiteUpgrade,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE_WORKS) and can_reach(user, upgrade, MANAGE_WORKS)
    forms = forms or {}
    residents = (
        selectors.residents_not_reached(upgrade)
        if manage and upgrade.status == WorkStatus.IN_PROGRESS
        else []
    )
    if manage:
        forms.setdefault("start", StartForm(initial={"started_on": today()}, prefix="start"))
        forms.setdefault(
            "complete",
            CompleteForm(
                initial={"completed_on": today(), "spent": upgrade.spent}, prefix="complete"
            ),
        )
        forms.setdefault("cancel", CancelForm(prefix="cancel"))
        forms.setdefault(
            "reach",
            ReachedForm(residents=residents, initial={"delivered_on": today()}, prefix="reach"),
        )
    return render(
        request,
        "shelter/works/upgrade_detail.html",
        {
            "upgrade": upgrade,
            "progress": selectors.upgrade_progress(upgrade),
            "reached": list(selectors.households_reached(upgrade)),
            "residents": residents,
            "can_manage": manage,
            "forms": forms,
        },
        status=status,
    )


@login_required
def upgrade_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _upgrade_page(request, _upgrade(request, public_id))


UPGRADE_ACTIONS = ("start", "reach", "complete", "cancel")


@login_required
@require_POST
def upgrade_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in UPGRADE_ACTIONS:
        raise Http404
    upgrade = _upgrade(request, public_id, MANAGE_WORKS)
    user = request.user
    form: Any
    if action == "reach":
        residents = selectors.residents_not_reached(upgrade)
        form = ReachedForm(request.POST, residents=residents, prefix=action)
    else:
        form = {"start": StartForm, "complete": CompleteForm, "cancel": CancelForm}[action](
            request.POST, prefix=action
        )
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "start":
                services.upgrade_start(user=user, upgrade=upgrade, started_on=d["started_on"])
                message = _("The upgrade is started.")
            elif action == "reach":
                created = services.upgrade_households_record(
                    user=user,
                    upgrade=upgrade,
                    households=list(d.get("households") or []),
                    registration_ids=form.registration_id_list(),
                    delivered_on=d["delivered_on"],
                )
                message = _("%(n)d households recorded as reached.") % {"n": len(created)}
            elif action == "complete":
                services.upgrade_complete(
                    user=user, upgrade=upgrade, completed_on=d["completed_on"], spent=d.get("spent")
                )
                message = _("The upgrade is completed.")
            else:
                services.upgrade_cancel(user=user, upgrade=upgrade, reason=d["reason"])
                message = _("The upgrade is cancelled.")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(request, upgrade, message, "upgrade")
    upgrade = _upgrade(request, public_id)
    return _upgrade_page(request, upgrade, {action: form}, status=400)


# --- camp roads ------------------------------------------------------------------------------


class RoadListView(ScopedListView):
    model = RoadProject
    template_name = "shelter/works/road_list.html"
    filters: dict[str, str]
    project: Project | None
    search_fields = ("name", "site__place__name_en")
    sort_fields = {
        "name": "name",
        "length": "length_m",
        "progress": "progress",
        "end": "planned_end",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[RoadProject]:
        return _common_filters(self, selectors.roads_for(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            _common_context(self.request),
            filters=self.filters,
            project=self.project,
            search_placeholder=_("Road or site"),
        )
        return ctx


def _road(request: HttpRequest, public_id: Any, permission: str = VIEW) -> RoadProject:
    require_permission(request, permission)
    try:
        return selectors.road_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def road_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_WORKS)
    site = _site_param(request, MANAGE_WORKS)
    initial: dict[str, Any] = {"site": site.public_id} if site else {}
    form = RoadForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            road = services.road_create(user=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(request, road, _("The road %(name)s is planned.") % {"name": road}, "road")
    return render(
        request,
        "shelter/works/road_form.html",
        {"form": form, "road": None},
        status=400 if form.errors else 200,
    )


@login_required
def road_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    road = _road(request, public_id, MANAGE_WORKS)
    initial = {
        "name": road.name,
        "site": road.site.public_id if road.site else None,
        "governorate": road.governorate.pcode,
        "project": road.project.public_id,
        "length_m": road.length_m,
        "width_m": road.width_m,
        "surface": road.surface,
        "budget": road.budget,
        "currency": road.currency,
        "contract": road.contract.public_id if road.contract else None,
        "planned_start": road.planned_start,
        "planned_end": road.planned_end,
    }
    form = RoadForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            road = services.road_update(user=request.user, road=road, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(request, road, _("The road is saved."), "road")
    return render(
        request,
        "shelter/works/road_form.html",
        {"form": form, "road": road},
        status=400 if form.errors else 200,
    )


def _road_page(
    request: HttpRequest, road: RoadProject, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE_WORKS) and can_reach(user, road, MANAGE_WORKS)
    forms = forms or {}
    if manage:
        forms.setdefault("start", StartForm(initial={"started_on": today()}, prefix="start"))
        forms.setdefault(
            "progress",
            ProgressForm(
                initial={
                    "reported_on": today(),
                    "length_done_m": road.length_done_m,
                    "spent_to_date": road.spent,
                },
                prefix="progress",
            ),
        )
        forms.setdefault(
            "complete",
            CompleteForm(initial={"completed_on": today(), "spent": road.spent}, prefix="complete"),
        )
        forms.setdefault("cancel", CancelForm(prefix="cancel"))
    return render(
        request,
        "shelter/works/road_detail.html",
        {
            "road": road,
            "reports": list(selectors.road_reports(road)),
            "progress": int(road.progress),
            "can_manage": manage,
            "forms": forms,
        },
        status=status,
    )


@login_required
def road_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _road_page(request, _road(request, public_id))


ROAD_ACTIONS = ("start", "progress", "complete", "cancel")


@login_required
@require_POST
def road_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ROAD_ACTIONS:
        raise Http404
    road = _road(request, public_id, MANAGE_WORKS)
    user = request.user
    form_class = {
        "start": StartForm,
        "progress": ProgressForm,
        "complete": CompleteForm,
        "cancel": CancelForm,
    }[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "start":
                services.road_start(user=user, road=road, started_on=d["started_on"])
                message = _("The road works are started.")
            elif action == "progress":
                services.road_progress_report(user=user, road=road, data=d)
                message = _("Progress recorded.")
            elif action == "complete":
                services.road_complete(
                    user=user, road=road, completed_on=d["completed_on"], spent=d.get("spent")
                )
                message = _("The road is completed.")
            else:
                services.road_cancel(user=user, road=road, reason=d["reason"])
                message = _("The road project is cancelled.")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(request, road, message, "road")
    road = _road(request, public_id)
    return _road_page(request, road, {action: form}, status=400)

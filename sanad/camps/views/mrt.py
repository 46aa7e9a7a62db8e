"""Informal sites: Mobile Response Team visits, hazards with their mitigation actions,
and the prioritised list of sites. Phone-first pages: MRT teams record in the field."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.forms.mrt import (
    CloseForm,
    HazardForm,
    MitigationForm,
    MitigationUpdateForm,
    ReassessForm,
    VisitForm,
    apply_errors,
)
from sanad.camps.models import MANAGE_TRAINING, MRT, VIEW, Hazard, Mitigation, MrtVisit, Site
from sanad.camps.selectors import mrt as selectors
from sanad.camps.services import mrt as services
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.geo.models import Place

# --- shared ----------------------------------------------------------------------------------


def allowed(request: HttpRequest, obj: Any, permission: str) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def url_or_empty(name: str, *args: Any) -> str:
    """The URL of a page another part of the app provides ("" while it does not exist)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def mrt_tabs(request: HttpRequest) -> list[tuple[str, str, str]]:
    tabs = [
        ("visits", _("MRT visits"), reverse("camps:mrt_visit_list")),
        ("hazards", _("Hazards"), reverse("camps:hazard_list")),
        ("priorities", _("Priority sites"), reverse("camps:site_priorities")),
        ("trainings", _("Trainings"), reverse("camps:training_list")),
    ]
    return [(key, str(label), url) for key, label, url in tabs]


def page(request: HttpRequest, tab: str, **context: Any) -> dict[str, Any]:
    return {"tab": tab, "tabs": mrt_tabs(request), **context}


def as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _site_from_query(request: HttpRequest, permission: str) -> Site | None:
    public_id = as_uuid(request.GET.get("site", ""))
    if public_id is None:
        return None
    return (
        scoped(Site.objects.select_related("place"), request.user, permission)
        .filter(public_id=public_id)
        .first()
    )


def _bands() -> list[tuple[str, str]]:
    return [(band, str(label)) for band, label in services.BAND_LABELS.items()]


# --- visits ----------------------------------------------------------------------------------
class VisitListView(ScopedListView):
    model = MrtVisit
    permission = VIEW
    template_name = "camps/mrt/visit_list.html"
    search_fields = ("team", "deployment", "site__place__name_en", "site__place__code")
    sort_fields = {"visited_on": "visited_on", "site": "site__place__name_en", "team": "team"}
    default_sort = "-visited_on"

    def get_base_queryset(self) -> QuerySet[MrtVisit]:
        return MrtVisit.objects.select_related("site__place")

    def get_queryset(self) -> QuerySet[MrtVisit]:
        qs = super().get_queryset()
        self.site = _site_from_query(self.request, VIEW)
        if self.site is not None:
            qs = qs.filter(site=self.site)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page(
                self.request,
                "visits",
                site=self.site,
                can_record=has_permission(self.request.user, MRT),
                search_placeholder=_("Site, team or deployment"),
            )
        )
        return ctx


@login_required
def visit_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MRT)
    site = _site_from_query(request, MRT)
    initial: dict[str, Any] = {"visited_on": timezone.localdate()}
    if site is not None:
        initial.update(site=site, eviction_risk="", tenure="")
    form = VisitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(
                user=request.user, site=form.cleaned_data["site"], data=form.service_data()
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The visit is recorded. Assess any hazard the team saw."))
            return redirect("camps:mrt_visit_detail", public_id=visit.public_id)
    return render(
        request,
        "camps/mrt/visit_form.html",
        page(request, "visits", form=form, site=site),
        status=400 if form.errors else 200,
    )


@login_required
def visit_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    visit = selectors.visit_get(user=request.user, public_id=public_id)
    hazards: list[Any] = list(selectors.hazards_visible(request.user).filter(visit=visit))
    for hazard in hazards:
        hazard.band = services.risk_band(hazard.risk)
    site = visit.site
    return render(
        request,
        "camps/mrt/visit_detail.html",
        page(
            request,
            "visits",
            visit=visit,
            site=site,
            hazards=hazards,
            shelters=[
                (str(services.SHELTER_TYPE_LABELS.get(k, k)), n)
                for k, n in (site.shelter_types or {}).items()
            ],
            can_record=allowed(request, site, MRT),
            site_url=url_or_empty("camps:site_detail", site.public_id),
        ),
    )


# --- hazards ---------------------------------------------------------------------------------
class HazardListView(ScopedListView):
    model = Hazard
    permission = VIEW
    template_name = "camps/mrt/hazard_list.html"
    search_fields = ("description", "site__place__name_en", "site__place__code")
    sort_fields = {
        "risk": "risk",
        "assessed_on": "assessed_on",
        "site": "site__place__name_en",
        "kind": "kind",
    }
    default_sort = "-risk"

    def get_base_queryset(self) -> QuerySet[Hazard]:
        return selectors.hazards_visible(self.request.user)

    def get_queryset(self) -> QuerySet[Hazard]:
        qs = super().get_queryset()
        get = self.request.GET
        self.site = _site_from_query(self.request, VIEW)
        if self.site is not None:
            qs = qs.filter(site=self.site)
        if get.get("kind") in Hazard.Kind.values:
            qs = qs.filter(kind=get["kind"])
        if get.get("band") in services.BAND_RANGES:
            qs = selectors.hazards_in_band(qs, get["band"])
        self.status = get.get("status", "open" if "status" not in get else "")
        if self.status in Hazard.Status.values:
            qs = qs.filter(status=self.status)
        if get.get("overdue") == "1":
            qs = qs.filter(overdue_actions__gt=0)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        for hazard in ctx["object_list"]:
            hazard.band = services.risk_band(hazard.risk)
        get = self.request.GET
        ctx.update(
            page(
                self.request,
                "hazards",
                site=self.site,
                kinds=Hazard.Kind.choices,
                kind=get.get("kind", ""),
                bands=_bands(),
                band=get.get("band", ""),
                statuses=Hazard.Status.choices,
                status=self.status,
                overdue=get.get("overdue") == "1",
                can_record=has_permission(self.request.user, MRT),
                search_placeholder=_("Site or description"),
            )
        )
        return ctx


@login_required
def hazard_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MRT)
    site = _site_from_query(request, MRT)
    visit: MrtVisit | None = None
    visit_id = as_uuid(request.GET.get("visit", ""))
    if visit_id is not None:
        visit = selectors.visits_visible(request.user, MRT).filter(public_id=visit_id).first()
        if visit is not None:
            site = visit.site
    initial: dict[str, Any] = {"assessed_on": timezone.localdate()}
    if visit is not None:
        initial["assessed_on"] = visit.visited_on
    if site is not None:
        initial["site"] = site
    form = HazardForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["site"]
        try:
            hazard = services.hazard_assess(
                user=request.user,
                site=chosen,
                data=form.service_data(),
                visit=visit if visit is not None and visit.site_id == chosen.pk else None,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The hazard is recorded with a risk of %(risk)s. Plan what will reduce it.")
                % {"risk": hazard.risk},
            )
            return redirect("camps:hazard_detail", public_id=hazard.public_id)
    return render(
        request,
        "camps/mrt/hazard_form.html",
        page(request, "hazards", form=form, site=site, visit=visit),
        status=400 if form.errors else 200,
    )


def _hazard_page(
    request: HttpRequest, hazard: Hazard, status: int = 200, **forms: Any
) -> HttpResponse:
    today = timezone.localdate()
    mitigations: list[Any] = list(selectors.mitigations_of(hazard))
    for m in mitigations:
        m.overdue = services.mitigation_overdue(m, today)
        m.next_statuses = sorted(services.MITIGATION_MACHINE.allowed(m.status))
    can_record = allowed(request, hazard, MRT)
    is_open = hazard.status == Hazard.Status.OPEN
    labels = dict(Mitigation.Status.choices)
    for m in mitigations:
        m.next_choices = [(s, labels[s]) for s in m.next_statuses]
    return render(
        request,
        "camps/mrt/hazard_detail.html",
        page(
            request,
            "hazards",
            hazard=hazard,
            band=services.risk_band(hazard.risk),
            mitigations=mitigations,
            history=list(services.HAZARD_MACHINE.history(hazard)),
            can_record=can_record and is_open,
            reassess_form=forms.get("reassess_form")
            or ReassessForm(
                initial={
                    "likelihood": hazard.likelihood,
                    "impact": hazard.impact,
                    "assessed_on": today,
                },
                prefix="reassess",
            ),
            mitigation_form=forms.get("mitigation_form") or MitigationForm(prefix="mitigation"),
            close_form=forms.get("close_form") or CloseForm(prefix="close"),
            update_error=forms.get("update_error", ""),
            site_url=url_or_empty("camps:site_detail", hazard.site.public_id),
        ),
        status=status,
    )


@login_required
def hazard_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    hazard = selectors.hazard_get(user=request.user, public_id=public_id)
    return _hazard_page(request, hazard)


HAZARD_ACTIONS = ("reassess", "add_mitigation", "update_mitigation", "close")


@login_required
@require_POST
def hazard_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    require_permission(request, VIEW)
    hazard = selectors.hazard_get(user=request.user, public_id=public_id)
    if action not in HAZARD_ACTIONS:
        raise Http404
    require_permission(request, MRT)
    user = request.user
    done = redirect("camps:hazard_detail", public_id=hazard.public_id)
    try:
        if action == "reassess":
            form = ReassessForm(request.POST, prefix="reassess")
            if not form.is_valid():
                return _hazard_page(request, hazard, 400, reassess_form=form)
            try:
                services.hazard_reassess(user=user, hazard=hazard, data=dict(form.cleaned_data))
            except ValidationFailed as exc:
                apply_errors(form, exc)
                return _hazard_page(request, hazard, 400, reassess_form=form)
            messages.success(request, _("The hazard is scored again."))
        elif action == "add_mitigation":
            mform = MitigationForm(request.POST, prefix="mitigation")
            if not mform.is_valid():
                return _hazard_page(request, hazard, 400, mitigation_form=mform)
            try:
                services.mitigation_add(user=user, hazard=hazard, data=dict(mform.cleaned_data))
            except ValidationFailed as exc:
                apply_errors(mform, exc)
                return _hazard_page(request, hazard, 400, mitigation_form=mform)
            messages.success(request, _("The action is planned."))
        elif action == "update_mitigation":
            uform = MitigationUpdateForm(request.POST)
            mitigation = (
                hazard.mitigations.filter(pk=uform.data.get("mitigation") or 0).first()
                if str(uform.data.get("mitigation", "")).isdigit()
                else None
            )
            if not uform.is_valid() or mitigation is None:
                return _hazard_page(
                    request, hazard, 400, update_error=_("Choose an action and its new status.")
                )
            try:
                services.mitigation_update(
                    user=user,
                    mitigation=mitigation,
                    data={
                        "status": uform.cleaned_data["status"],
                        "note": uform.cleaned_data["note"],
                    },
                )
            except ValidationFailed as exc:
                return _hazard_page(request, hazard, 400, update_error=str(exc.message))
            hazard.refresh_from_db()
            if hazard.status == Hazard.Status.MITIGATED:
                messages.success(request, _("Every action is done: the hazard is mitigated."))
            else:
                messages.success(request, _("The action is updated."))
        else:
            cform = CloseForm(request.POST, prefix="close")
            if not cform.is_valid():
                return _hazard_page(request, hazard, 400, close_form=cform)
            services.hazard_close(user=user, hazard=hazard, reason=cform.cleaned_data["reason"])
            messages.success(request, _("The hazard is closed as mitigated."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return done


# --- priorities ------------------------------------------------------------------------------
@login_required
def site_priorities(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    get = request.GET
    kind = get.get("kind", "")
    if kind not in Place.Kind.values:
        kind = ""
    sort = get.get("sort", "-score")
    rows = selectors.site_priorities(user=request.user, kind=kind, sort=sort)
    site_kinds = [
        (k, label)
        for k, label in Place.Kind.choices
        if k in ("formal_camp", "informal_site", "collective_centre")
    ]
    return render(
        request,
        "camps/mrt/priorities.html",
        page(
            request,
            "priorities",
            rows=rows,
            kind=kind,
            kinds=site_kinds,
            sort=sort if sort.lstrip("-") in selectors.PRIORITY_SORTS else "-score",
            formula=selectors.FORMULA,
            bands=dict(services.BAND_LABELS),
            can_record=has_permission(request.user, MRT),
            can_train=has_permission(request.user, MANAGE_TRAINING),
            today=datetime.date.today(),
        ),
    )

"""The monitoring pages: the rounds (list, start, edit, submit, reopen), a round's
indicators against the standards, the gaps report (site × month) with its XLSX export,
and the standards. Views only adapt: the rules are in `camps.services.monitoring`.

A round or site outside the user's scope is a 404 that reveals nothing; a page the
role has no permission for is a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.forms.monitoring import (
    GapFilterForm,
    ReopenForm,
    RoundCreateForm,
    RoundFilterForm,
    RoundForm,
    StandardForm,
    apply_errors,
)
from sanad.camps.models import (
    MANAGE_SITE,
    MANAGE_STANDARDS,
    MONITOR,
    VIEW,
    MonitoringRound,
    Standard,
)
from sanad.camps.selectors import monitoring as selectors
from sanad.camps.services import monitoring as services
from sanad.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission

PAGE_SIZE = 50


def _round_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> MonitoringRound:
    require_permission(request, permission)
    try:
        return selectors.round_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _may(request: HttpRequest, obj: Any, permission: str) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def _nav(request: HttpRequest, tab: str) -> dict[str, Any]:
    return {
        "tab": tab,
        "can_monitor": has_permission(request.user, MONITOR),
        "can_standards": has_permission(request.user, MANAGE_STANDARDS),
    }


def _service_errors(form: Any, exc: ApplicationError) -> None:
    if isinstance(exc, ValidationFailed):
        apply_errors(form, exc)
    else:
        form.add_error(None, str(exc.message))


# --- rounds ---------------------------------------------------------------------------------
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    form = RoundFilterForm(request.GET or None, sites=selectors.sites_visible_to(request.user))
    if form.is_bound and not form.is_valid():
        qs = MonitoringRound.objects.none()
        filters: dict[str, Any] = {}
    else:
        filters = form.filters() if form.is_bound else {}
        qs = selectors.round_list(user=request.user, filters=filters)
        search = (form.cleaned_data.get("q") or "").strip() if form.is_bound else ""
        for term in search.split()[:5]:
            qs = qs.filter(
                Q(site__place__name_en__icontains=term)
                | Q(site__place__name_ar__icontains=term)
                | Q(site__place__code__icontains=term)
            )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "camps/monitoring/round_list.html",
        {
            **_nav(request, "rounds"),
            "form": form,
            "page_obj": page,
            "rounds": page.object_list,
            "total_count": page.paginator.count,
            "querystring": params.urlencode(),
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _create_initial(request: HttpRequest, sites: Any) -> dict[str, Any]:
    """?site=&month= pre-fill: the population of the month and last round's counts."""
    initial: dict[str, Any] = {
        "month": request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    }
    site_id = request.GET.get("site")
    site = None
    if site_id:
        try:
            site = sites.filter(public_id=site_id).first()
        except (ValueError, ValidationError):  # a malformed id is simply not pre-filled
            site = None
        if site is not None:
            initial["site"] = site.public_id
    month = selectors.parse_month(initial["month"])
    if site is not None and month is not None:
        previous = selectors.previous_round(site=site, month=month)
        if previous is not None:
            for name in services.ROUND_FIELDS:
                if name not in ("notes", "individuals", "households"):
                    initial[name] = getattr(previous, name)
        initial.update(selectors.population_at(site=site, month=month))
        initial["_site"] = site
        initial["_previous"] = previous
    return initial


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MONITOR)
    sites = selectors.sites_visible_to(request.user, MONITOR)
    initial = _create_initial(request, sites) if request.method != "POST" else {}
    site, previous = initial.pop("_site", None), initial.pop("_previous", None)
    if site is not None and initial.get("month"):
        month = selectors.parse_month(initial["month"])
        existing = MonitoringRound.objects.filter(site=site, month=month).first() if month else None
        if existing is not None:
            messages.info(request, _("This site already has a round for this month."))
            return redirect("camps:round_detail", public_id=existing.public_id)
    data = request.POST if request.method == "POST" else None
    form = RoundCreateForm(data, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(
                user=request.user,
                site=form.cleaned_data["site"],
                month=form.cleaned_data["month"],
                data=form.service_data(creating=True),
            )
        except Conflict as exc:
            if exc.code == "round_exists":
                messages.info(request, str(exc.message))
                return redirect("camps:round_detail", public_id=exc.params["public_id"])
            _service_errors(form, exc)
        except ApplicationError as exc:
            _service_errors(form, exc)
        else:
            if request.POST.get("then") == "submit":
                return _submit(request, round_)
            messages.success(
                request, _("The round is saved as a draft. Check the numbers, then submit it.")
            )
            return redirect("camps:round_detail", public_id=round_.public_id)
    return render(
        request,
        "camps/monitoring/round_form.html",
        {**_nav(request, "new"), "form": form, "round": None, "site": site, "previous": previous},
        status=400 if form.errors else 200,
    )


@login_required
def round_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    round_ = _round_for(request, public_id)
    draft = round_.status == MonitoringRound.Status.DRAFT
    results = (
        round_.results
        if not draft
        else services.indicators_compute(round_, services.active_standards())
    )
    labels = dict(MonitoringRound.Status.choices)
    history = list(MonitoringRound.STATUS_MACHINE.history(round_))
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    can_edit = draft and _may(request, round_, MONITOR)
    return render(
        request,
        "camps/monitoring/round_detail.html",
        {
            **_nav(request, "rounds"),
            "round": round_,
            "site": round_.site,
            "results": results,
            "preview": draft,
            "preview_gaps": services.gaps_count(results),
            "can_edit": can_edit,
            "can_reopen": not draft and _may(request, round_, MANAGE_SITE),
            "reopen_form": ReopenForm(prefix="reopen"),
            "history": history,
            "values": [
                (
                    getattr(MonitoringRound._meta.get_field(name), "verbose_name", name),
                    getattr(round_, name),
                )
                for name in services.ROUND_FIELDS
                if name != "notes"
            ],
        },
    )


@login_required
def round_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    round_ = _round_for(request, public_id, MONITOR)
    if round_.status != MonitoringRound.Status.DRAFT:
        messages.warning(
            request,
            _("This round is submitted: a manager must reopen it before it can be changed."),
        )
        return redirect("camps:round_detail", public_id=round_.public_id)
    initial = {name: getattr(round_, name) for name in services.ROUND_FIELDS}
    form = RoundForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        for key in ("individuals", "households"):
            if data.get(key) is None:
                data[key] = 0
        try:
            services.round_update(user=request.user, round_=round_, data=data)
        except ApplicationError as exc:
            _service_errors(form, exc)
        else:
            if request.POST.get("then") == "submit":
                return _submit(request, round_)
            messages.success(request, _("The round is saved."))
            return redirect("camps:round_detail", public_id=round_.public_id)
    return render(
        request,
        "camps/monitoring/round_form.html",
        {**_nav(request, "rounds"), "form": form, "round": round_, "site": round_.site},
        status=400 if form.errors else 200,
    )


def _submit(request: HttpRequest, round_: MonitoringRound) -> HttpResponse:
    try:
        services.round_submit(user=request.user, round_=round_)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if round_.gaps:
            messages.warning(
                request,
                translation.ngettext(
                    "The round is submitted: %(n)d indicator does not meet its standard.",
                    "The round is submitted: %(n)d indicators do not meet their standards.",
                    round_.gaps,
                )
                % {"n": round_.gaps},
            )
        else:
            messages.success(request, _("The round is submitted: every standard is met."))
    return redirect("camps:round_detail", public_id=round_.public_id)


def _error_text(exc: ApplicationError) -> str:
    texts = [
        str(m)
        for msgs in (exc.fields or {}).values()
        for m in (msgs if isinstance(msgs, list | tuple) else [msgs])
    ]
    return " ".join(texts) if texts else str(exc.message)


@login_required
@require_POST
def round_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ("submit", "reopen"):
        raise Http404
    round_ = _round_for(request, public_id, MONITOR if action == "submit" else MANAGE_SITE)
    if action == "submit":
        return _submit(request, round_)
    form = ReopenForm(request.POST, prefix="reopen")
    if not form.is_valid():
        messages.error(request, _("Give a reason for reopening the round."))
        return redirect("camps:round_detail", public_id=round_.public_id)
    try:
        services.round_reopen(user=request.user, round_=round_, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The round is a draft again: correct it and submit it."))
    return redirect("camps:round_detail", public_id=round_.public_id)


# --- gaps ---------------------------------------------------------------------------------------
def _gap_params(request: HttpRequest, source: Any) -> tuple[GapFilterForm, list[Any], str | None]:
    from sanad.geo.models import AdminUnit
    from sanad.geo.selectors import governorates_within

    governorates = AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("pcode")
    reach = governorates_within(request.user, VIEW)
    if reach is not None:
        governorates = governorates.filter(pcode__in=sorted(reach))
    form = GapFilterForm(source or None, governorates=governorates)
    until, count, governorate = timezone.localdate().replace(day=1), 6, None
    if form.is_bound and form.is_valid():
        until = form.cleaned_data.get("until") or until
        count = form.cleaned_data.get("months") or 6
        unit = form.cleaned_data.get("governorate")
        governorate = unit.pcode if unit else None
    return form, selectors.months_ending(until, count), governorate


@login_required
def gap_report(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    form, months, governorate = _gap_params(request, request.GET)
    matrix = selectors.gaps_matrix(user=request.user, months=months, governorate=governorate)
    return render(
        request,
        "camps/monitoring/gap_report.html",
        {
            **_nav(request, "gaps"),
            "form": form,
            "matrix": matrix,
            "export_months": [m.strftime("%Y-%m") for m in months],
            "governorate": governorate or "",
        },
    )


@login_required
@require_POST
def gap_export(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    from sanad.camps.exports_monitoring import GAPS_EXPORT
    from sanad.core.jobs import job_start

    _form, months, governorate = _gap_params(request, request.POST)
    job = job_start(
        kind=GAPS_EXPORT,
        user=request.user,
        params={
            "months": [m.strftime("%Y-%m") for m in months],
            "governorate": governorate or "",
            "language": translation.get_language() or "en",
        },
    )
    messages.success(request, _("The export is being prepared: download it when it is ready."))
    return redirect("core:job_detail", public_id=job.public_id)


# --- standards ------------------------------------------------------------------------------------
@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW)
    return render(
        request,
        "camps/monitoring/standard_list.html",
        {**_nav(request, "standards"), "standards": list(selectors.standards_all())},
    )


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_permission(request, MANAGE_STANDARDS)
    standard = get_object_or_404(Standard, pk=pk)
    form = StandardForm(request.POST if request.method == "POST" else None, instance=standard)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fresh = Standard.objects.get(pk=standard.pk)  # the form wrote onto `standard`
        try:
            services.standard_update(user=request.user, standard=fresh, data=data)
        except ApplicationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The standard is saved. It applies to rounds submitted from now on."),
            )
            return redirect("camps:standard_list")
    return render(
        request,
        "camps/monitoring/standard_form.html",
        {**_nav(request, "standards"), "form": form, "standard": standard},
        status=400 if form.errors else 200,
    )

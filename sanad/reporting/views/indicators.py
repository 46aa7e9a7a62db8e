"""Indicator pages: the list with each indicator's figure for the filters and its
definition beside it, an indicator's page (by month and by governorate, the targets that
use it), defining and editing indicators, and achieved against targets per donor project
(with its CSV). Pages only adapt: the rules are in `reporting.services.indicators`, the
figures in `reporting.selectors.indicators`. Someone outside the mission (a donor
viewer) sees small counts of people suppressed."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.assistance.models import AssistanceKind
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.programmes.models import Project
from sanad.reporting import periods
from sanad.reporting.forms_indicators import (
    IndicatorForm,
    ReportFilterForm,
    TargetFilterForm,
    apply_errors,
)
from sanad.reporting.models import AGGREGATES, MANAGE_INDICATORS, Indicator, Measure
from sanad.reporting.selectors import indicators as selectors
from sanad.reporting.selectors.figures import Filters, freshness
from sanad.reporting.services import indicators as services
from sanad.reporting.suppression import outside_mission, threshold

TEMPLATES = "reporting/indicators/"


def _filters(request: HttpRequest, form: Any) -> Filters:
    """The report's filters from the query string; a refusal goes on the form and the
    default period is used."""
    try:
        return periods.filters_from(request.GET)
    except ValidationFailed as exc:
        apply_errors(form, exc)
        clean = request.GET.copy()
        clean.pop("from", None)
        clean.pop("to", None)
        return periods.filters_from(clean)


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    """The filters' form, showing the period counted (the last 12 months unless chosen)."""
    start, end = periods.default_period()
    data = request.GET.copy()
    if not data.get("from"):
        data["from"] = f"{start:%Y-%m}"
    if not data.get("to"):
        data["to"] = f"{end:%Y-%m}"
    return ReportFilterForm(data, user=request.user)


def _common(request: HttpRequest) -> dict[str, Any]:
    return {
        "outside": outside_mission(request.user),
        "min_cell": threshold(),
        "freshness": freshness(),
        "can_manage": has_permission(request.user, MANAGE_INDICATORS),
        "querystring": request.GET.urlencode(),
    }


def _chart_value(value: Any) -> Any:
    return None if value is None else float(value)


# --- the list ----------------------------------------------------------------------------------
@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, AGGREGATES)
    form = _filter_form(request)
    filters = _filters(request, form)
    ctx = _common(request)
    show_inactive = ctx["can_manage"] and request.GET.get("inactive") == "1"
    indicators = selectors.indicators_visible(request.user)
    if not show_inactive:
        indicators = indicators.filter(active=True)
    rows = selectors.indicator_rows(user=request.user, filters=filters, indicators=list(indicators))
    return render(
        request,
        TEMPLATES + "list.html",
        {
            **ctx,
            "form": form,
            "filters": filters,
            "rows": rows,
            "show_inactive": show_inactive,
        },
        status=400 if form.errors else 200,
    )


# --- one indicator -----------------------------------------------------------------------------
def _lookup(request: HttpRequest, public_id: Any, *, manage: bool = False) -> Indicator:
    require_permission(request, MANAGE_INDICATORS if manage else AGGREGATES)
    try:
        return selectors.indicator_get(user=request.user, public_id=public_id, manage=manage)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def indicator_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    indicator = _lookup(request, public_id)
    form = _filter_form(request)
    filters = _filters(request, form)
    [row] = selectors.indicator_rows(user=request.user, filters=filters, indicators=[indicator])
    breakdown = selectors.indicator_breakdown(
        indicator=indicator, filters=filters, user=request.user
    )
    targets = selectors.target_progress(user=request.user, indicator=indicator.code)
    chart = {
        "label": row.name,
        "months": {
            "labels": [m["month"].strftime("%Y-%m") for m in breakdown["months"]],
            "values": [_chart_value(m["value"]) for m in breakdown["months"]],
        },
        "governorates": {
            "labels": [g["governorate"].name for g in breakdown["governorates"]],
            "values": [_chart_value(g["value"]) for g in breakdown["governorates"]],
        },
    }
    ctx = _common(request)
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            **ctx,
            "indicator": indicator,
            "row": row,
            "form": form,
            "filters": filters,
            "months": breakdown["months"],
            "governorates": breakdown["governorates"],
            "targets": targets,
            "chart": chart,
            "is_module": indicator.measure == Measure.MODULE,
            "kind_labels": [
                AssistanceKind(k).label for k in indicator.kinds or [] if k in AssistanceKind.values
            ],
            "metric_label": selectors.metric_label(indicator),
            "metric_definition": selectors.metric_definition(indicator),
            "may_edit": ctx["can_manage"] and can_reach(request.user, indicator, MANAGE_INDICATORS),
        },
        status=400 if form.errors else 200,
    )


# --- defining ---------------------------------------------------------------------------------
def _save(form: IndicatorForm, call: Any) -> Any:
    try:
        return call(form.service_data())
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
    return None


def _form_page(request: HttpRequest, form: IndicatorForm, indicator: Any) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "form.html",
        {"form": form, "indicator": indicator},
        status=400 if form.errors else 200,
    )


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_INDICATORS)
    form = IndicatorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        made = _save(form, lambda d: services.indicator_create(user=request.user, data=d))
        if made is not None:
            messages.success(request, _("The indicator %(code)s is defined.") % {"code": made.code})
            return redirect("reporting:indicator_detail", public_id=made.public_id)
    return _form_page(request, form, None)


@login_required
def indicator_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    indicator = _lookup(request, public_id, manage=True)
    form = IndicatorForm(
        request.POST or None, user=request.user, initial=IndicatorForm.initial_of(indicator)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda d: services.indicator_update(user=request.user, indicator=indicator, data=d),
        )
        if saved is not None:
            messages.success(request, _("The indicator is saved."))
            return redirect("reporting:indicator_detail", public_id=indicator.public_id)
    return _form_page(request, form, indicator)


@login_required
@require_POST
def indicator_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    indicator = _lookup(request, public_id, manage=True)
    call = {
        "deactivate": services.indicator_deactivate,
        "activate": services.indicator_activate,
    }.get(action)
    if call is None:
        raise Http404
    try:
        call(user=request.user, indicator=indicator)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        if indicator.active:
            messages.success(request, _("The indicator is active again."))
        else:
            messages.success(
                request,
                _("The indicator is inactive: it is left out of lists and reports."),
            )
    return redirect("reporting:indicator_detail", public_id=indicator.public_id)


# --- achieved against targets -----------------------------------------------------------------
def _target_rows(request: HttpRequest, form: TargetFilterForm) -> list[Any]:
    get = request.GET
    start = end = None
    try:
        if get.get("from"):
            start = periods.parse_month(get["from"], field="from")
        if get.get("to"):
            end = periods.parse_month(get["to"], field="to", end=True)
        if start and end and end < start:
            periods.parse_period(get["from"], get["to"])
    except ValidationFailed as exc:
        apply_errors(form, exc)
        start = end = None
    programme = (get.get("programme") or "").strip().upper() or None
    project: Any = None
    if get.get("project"):
        project = (
            selectors.projects_for_reports(request.user)
            .filter(public_id=periods._uuid(get["project"]))
            .first()
        ) or Project(pk=-1)
    return selectors.target_progress(
        user=request.user, project=project, programme=programme, start=start, end=end
    )


def _number(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    require_permission(request, AGGREGATES)
    form = TargetFilterForm(request.GET or None, user=request.user)
    rows = _target_rows(request, form)
    if request.GET.get("format") == "csv":
        return _targets_csv(rows)
    return render(
        request,
        TEMPLATES + "targets.html",
        {
            **_common(request),
            "form": form,
            "groups": selectors.group_by_project(rows),
            "period_from": request.GET.get("from", ""),
            "period_to": request.GET.get("to", ""),
        },
        status=400 if form.errors else 200,
    )


def _targets_csv(rows: list[Any]) -> HttpResponse:
    """The table as CSV: aggregates only (no names of people), suppressed as on the page."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="targets-{timezone.localdate().isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "project",
            "donor",
            "programme",
            "activity",
            "indicator",
            "label",
            "period_start",
            "period_end",
            "target",
            "achieved",
            "percentage",
            "unit",
            "definition",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.project.code,
                str(r.project.donor) if r.project.donor_id else "",
                r.project.programme.code,
                r.activity.code,
                r.target.indicator,
                r.label,
                r.period_start.isoformat(),
                r.period_end.isoformat(),
                _number(r.target_value),
                "suppressed" if r.suppressed else _number(r.achieved),
                _number(r.percentage),
                r.unit,
                r.definition,
            ]
        )
    return response


__all__ = [
    "indicator_action",
    "indicator_create",
    "indicator_detail",
    "indicator_edit",
    "indicator_list",
    "targets",
]

"""The reporting dashboards: the mission overview (/reporting/) and one per programme
(/reporting/programmes/<code>/), with their filters, headline figures, disaggregation,
charts, map, CSV downloads of each chart's numbers, and the "Refresh now" button.

Every figure of a page comes from one `reach(user=…, filters=…)` (one read of the
summary's cells); groups are `Summary.by(…)` of that one read. What the page shows is
built by `sanad.reporting.selectors.dashboard`; these views read the request, check the
permissions, and render the page or a chart's CSV file."""

from __future__ import annotations

import csv
import datetime
import uuid
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.reporting.common import add_months, month_end, month_start
from sanad.reporting.models import MANAGE_INDICATORS
from sanad.reporting.periods import default_period, filters_from
from sanad.reporting.selectors.dashboard import (
    PROGRAMME_CODES,
    Chart,
    chart_config,
    csv_rows,
    dashboard_charts,
    disaggregation,
    filter_choices,
    headline_cards,
    map_chart,
    map_config,
    map_data,
    map_points,
    may_see_figures,
    programme_in_reach,
)
from sanad.reporting.selectors.figures import Filters, freshness, reach
from sanad.reporting.suppression import outside_mission, threshold

REFRESH_JOB = "reporting.refresh"


def _require_figures(request: HttpRequest) -> None:
    if not may_see_figures(request.user):
        raise DjangoPermissionDenied


# --- filters -------------------------------------------------------------------------------------
def _quick_periods(request: HttpRequest) -> list[dict[str, Any]]:
    """Links to common periods (last 3 and 12 months, this year, the last four quarters),
    keeping the other filters."""
    today = timezone.localdate()
    this_month = month_start(today)
    periods = [
        (_("Last 3 months"), add_months(this_month, -2), this_month),
        (_("Last 12 months"), add_months(this_month, -11), this_month),
        (_("This year"), datetime.date(today.year, 1, 1), this_month),
    ]
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    for i in range(4):
        start = add_months(quarter_start, -3 * i)
        q = (start.month - 1) // 3 + 1
        label = _("Q%(q)s %(year)s") % {"q": q, "year": start.year}
        periods.append((label, start, add_months(start, 2)))
    params = request.GET.copy()
    for name in ("from", "to", "download"):
        params.pop(name, None)
    current = (request.GET.get("from") or "", request.GET.get("to") or "")
    default = default_period()
    out = []
    for label, start, end in periods:
        params["from"], params["to"] = f"{start:%Y-%m}", f"{end:%Y-%m}"
        active = current == (params["from"], params["to"]) or (
            current == ("", "") and (start, month_end(end)) == default
        )
        out.append({"label": label, "query": params.urlencode(), "active": active})
    return out


# --- CSV ----------------------------------------------------------------------------------------------
def chart_csv(chart: Chart, *, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 (Arabic, Kurdish) correctly with a BOM
    writer = csv.writer(response)
    for row in csv_rows(chart):
        writer.writerow(row)
    return response


# --- pages -------------------------------------------------------------------------------------------
def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("download", None)
    return params.urlencode()


def _render_dashboard(request: HttpRequest, *, programme: Any = None) -> HttpResponse:
    user = request.user
    code = programme.code if programme is not None else None
    outside = outside_mission(user)
    error: ValidationFailed | None = None
    try:
        filters = filters_from(request.GET)
    except ValidationFailed as exc:
        error = exc
        start, end = default_period()
        filters = Filters(start=start, end=end)
    if code:
        filters = replace(filters, programme=code)
    context: dict[str, Any] = {
        "programme": programme,
        "outside": outside,
        "min_cell": threshold(),
        "values": {
            "from": request.GET.get("from") or f"{filters.start:%Y-%m}",
            "to": request.GET.get("to") or f"{filters.end:%Y-%m}",
            "governorate": filters.governorate or "",
            "district": filters.district or "",
            "place": request.GET.get("place") or "",
            "project": request.GET.get("project") or "",
            "programme": (request.GET.get("programme") or "").strip().upper(),
        },
        "choices": filter_choices(user, filters, code),
        "quick_periods": _quick_periods(request),
        "querystring": _querystring(request),
        "freshness": freshness(),
        "can_refresh": has_permission(user, MANAGE_INDICATORS),
        "refresh_key": str(uuid.uuid4()),
        "error": error,
        "period": (filters.start, filters.end),
    }
    if error is not None:
        context["error_messages"] = _error_messages(error)
        return render(request, "reporting/dashboard.html", context, status=400)

    summary = reach(user=user, filters=filters)
    total = summary.total()
    charts = dashboard_charts(summary, filters, total, outside=outside, programme=code)
    download = request.GET.get("download")
    the_map = map_data(summary, filters, outside)
    if download:
        found: Chart | None = (
            map_chart(the_map)
            if download == "map"
            else next((c for c in charts if c.key == download), None)
        )
        if found is None:
            raise Http404(_("There is no such chart on this page."))
        name = (
            f"sanad-{(code or 'mission').lower()}-{found.key}"
            f"-{filters.start:%Y-%m}-{filters.end:%Y-%m}.csv"
        )
        return chart_csv(found, name=name)
    context.update(
        total=total,
        cards=headline_cards(total, outside),
        table=disaggregation(total, outside),
        charts=charts,
        chart_data={c.key: c.chart_data() for c in charts},
        chart_config=chart_config(),
        map=the_map,
        map_points=map_points(the_map),
        map_config=map_config(),
        map_figures=[
            ("people", _("Unique people")),
            ("households", _("Households")),
            ("value_usd", _("Value (USD)")),
        ],
        empty=not len(summary),
    )
    return render(request, "reporting/dashboard.html", context)


def _error_messages(exc: ValidationFailed) -> list[str]:
    fields = getattr(exc, "fields", None) or {}
    out: list[str] = []
    for messages_ in fields.values():
        for m in messages_ if isinstance(messages_, (list, tuple)) else [messages_]:
            if str(m) not in out:
                out.append(str(m))
    return out or [str(exc.message)]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The mission overview: every programme in the user's scope."""
    _require_figures(request)
    return _render_dashboard(request)


@login_required
def programme_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """One programme's dashboard; a programme outside the user's scope is a 404."""
    from sanad.programmes.models import Programme

    _require_figures(request)
    code = (code or "").upper()
    if code not in PROGRAMME_CODES or not programme_in_reach(request.user, code):
        raise Http404
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise Http404
    return _render_dashboard(request, programme=programme)


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Start bringing the summary up to date (a job with progress) and show the job."""
    from sanad.core.jobs import job_start

    if not has_permission(request.user, MANAGE_INDICATORS):
        raise DjangoPermissionDenied
    key = _refresh_key(request.POST.get("idempotency_key"))
    try:
        job = job_start(
            kind=REFRESH_JOB,
            user=request.user,
            params={},
            idempotency_key=key,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("reporting:dashboard")
    messages.info(request, _("The figures are being refreshed: this page shows the progress."))
    return redirect("core:job_detail", public_id=job.public_id)


def _refresh_key(text: str | None) -> str | None:
    try:
        return f"{REFRESH_JOB}:{uuid.UUID(str(text or '').strip())}"
    except ValueError:
        return None

"""The programme's dashboard (/revitalization/): the three headline figures with their
methods and breakdowns, summary tiles, filters (period, governorate, donor project) and
the figures as CSV. The numbers come from `revitalization.selectors.dashboard`."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sanad.core.views import require_permission
from sanad.revitalization.forms.governance import DashboardFilterForm
from sanad.revitalization.models import VIEW
from sanad.revitalization.selectors import dashboard as selectors
from sanad.revitalization.services._common import today


def _figures(request: HttpRequest) -> tuple[DashboardFilterForm, dict[str, Any], dict[str, Any]]:
    require_permission(request, VIEW)
    form = DashboardFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    figures = selectors.headline_figures(user=request.user, **filters)
    tiles = selectors.summary_tiles(user=request.user, **filters)
    return form, figures, tiles


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, figures, tiles = _figures(request)
    return render(
        request,
        "revitalization/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "people": figures["people"],
            "benefiting": figures["benefiting"],
            "reached": figures["communities"],
            "tiles": tiles,
            "querystring": request.GET.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The figures and their breakdowns as CSV (no names of people)."""
    _form, figures, tiles = _figures(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="revitalization-figures-{today().isoformat()}.csv"'
    )
    writer = csv.writer(response)
    filters = figures["filters"]
    writer.writerow(["# filters", "from", filters.start or "", "to", filters.end or ""])
    writer.writerow(
        [
            "# filters",
            "governorate",
            filters.pcode or "",
            "project",
            filters.project.code if filters.project else "",
        ]
    )
    for row in selectors.figures_rows(figures, tiles):
        writer.writerow(row)
    return response

"""The shelter home page (figures per project), a project's page (the same figures by
governorate and by modality) and its download as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission
from sanad.shelter.models import VIEW
from sanad.shelter.selectors import overview as selectors
from sanad.shelter.services._common import today


def _require_view(request: HttpRequest) -> None:
    if not has_permission(request.user, VIEW):
        raise DjangoPermissionDenied


class Links:
    """Links from a figure to the filtered list behind it (query names shared by the
    shelter lists: project, governorate, modality, status, delayed=1,
    below_standard=1). A list not installed yet gives no link."""

    def __init__(self, **base: Any) -> None:
        self.base = {k: v for k, v in base.items() if v not in (None, "")}
        self._cache: dict[str, str] = {}

    def url(self, name: str, **params: Any) -> str:
        if name not in self._cache:
            try:
                self._cache[name] = reverse(f"shelter:{name}")
            except NoReverseMatch:
                self._cache[name] = ""
        path = self._cache[name]
        if not path:
            return ""
        query = {**self.base, **{k: v for k, v in params.items() if v not in (None, "")}}
        return f"{path}?{urlencode(query)}" if query else path

    def figures(self) -> dict[str, str]:
        return {
            "assessed": self.url("assessment_list", status="validated"),
            "cases": self.url("case_list"),
            "cases_open": self.url("case_list", status="open"),
            "cases_in_progress": self.url("case_list", status="in_progress"),
            "cases_completed": self.url("case_list", status="completed"),
            "cases_handed_over": self.url("case_list", status="handed_over"),
            "cases_delayed": self.url("case_list", delayed=1),
            "below_standard": self.url("case_list", below_standard=1),
            "milestones_late": self.url("contract_list", delayed=1),
            "upgrades": self.url("upgrade_list"),
            "upgrades_delayed": self.url("upgrade_list", delayed=1),
            "roads": self.url("road_list"),
            "roads_delayed": self.url("road_list", delayed=1),
        }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    rows = [
        {
            "project": project,
            "f": figures,
            "links": Links(project=project.public_id).figures(),
        }
        for project, figures in selectors.overview(user=request.user)
    ]
    return render(request, "shelter/overview/home.html", {"rows": rows, "today": today()})


def _project(request: HttpRequest, public_id: Any) -> Any:
    _require_view(request)
    try:
        return selectors.project_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def project_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = _project(request, public_id)
    data = selectors.project_breakdown(user=request.user, project=project)
    pid = project.public_id
    return render(
        request,
        "shelter/overview/project.html",
        {
            "project": project,
            "total_rows": [
                {"label": project.code, "f": data["total"], "links": Links(project=pid).figures()}
            ],
            "gov_rows": [
                {
                    "label": unit.name,
                    "f": f,
                    "links": Links(project=pid, governorate=unit.pcode).figures(),
                }
                for unit, f in data["governorates"]
            ],
            "mod_rows": [
                {"label": label, "f": f, "links": Links(project=pid, modality=value).figures()}
                for value, label, f in data["modalities"]
            ],
            "today": today(),
        },
    )


@login_required
def project_export(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The project's figures as CSV (`?format=csv`, the default) or XLSX, with HXL tags."""
    project = _project(request, public_id)
    data = selectors.project_breakdown(user=request.user, project=project)
    headers, tags, rows = selectors.export_rows(project=project, breakdown=data)
    fmt = request.GET.get("format", "csv")
    name = f"shelter-{project.code}-{today().isoformat()}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "figures"
        for row in (headers, tags, *rows):
            sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if fmt != "csv":
        raise Http404
    text = io.StringIO()
    writer = csv.writer(text)
    for row in (headers, tags, *rows):
        writer.writerow(row)
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response

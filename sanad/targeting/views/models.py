"""Scoring models and their versions: weighted criteria built like rule conditions, or a
proxy-means-test coefficients table uploaded as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.targeting import fields, scoring, selectors, services
from sanad.targeting.forms import ModelForm, PmtVersionForm, WeightedVersionForm, apply_errors
from sanad.targeting.models import MANAGE_MODEL, VIEW, ScoringModel
from sanad.targeting.views.common import builder_context, found, parse_json


class ModelListView(ScopedListView):
    model = ScoringModel
    template_name = "targeting/model_list.html"
    search_fields = ("name", "description")
    sort_fields = {"name": "name", "programme": "programme__code", "kind": "kind"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[ScoringModel]:
        return ScoringModel.objects.select_related("programme").annotate(
            version_count=Count("versions")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, MANAGE_MODEL)
        return ctx


@login_required
def model_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_MODEL)
    form = ModelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            model = services.scoring_model_create(
                user=request.user,
                programme=data["programme"],
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The model was created. Add its first version."))
            return redirect("targeting:version_create", public_id=model.public_id)
    return render(
        request, "targeting/model_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def model_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    model = found(selectors.model_get, user=request.user, public_id=public_id)
    versions = []
    for version in selectors.model_versions(model):
        row: dict[str, Any] = {"version": version}
        if model.kind == ScoringModel.Kind.WEIGHTED:
            row["criteria"] = [
                {"label": c.label, "text": c.leaf.describe(), "points": c.points}
                for c in scoring.criteria_of(version)
            ]
        else:
            row["coefficients"] = list(version.coefficients.all())
            row["variables"] = {
                v["code"]: fields.variable_label(v["code"]) for v in version.variables
            }
        versions.append(row)
    return render(
        request,
        "targeting/model_detail.html",
        {
            "model": model,
            "versions": versions,
            "can_manage": has_permission(request.user, MANAGE_MODEL)
            and can_reach(request.user, model, MANAGE_MODEL),
        },
    )


@login_required
def version_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_MODEL)
    model = found(
        selectors.model_get, user=request.user, public_id=public_id, permission=MANAGE_MODEL
    )
    weighted = model.kind == ScoringModel.Kind.WEIGHTED
    latest = model.latest_version
    errors: dict[str, Any] = {}
    if weighted:
        form: Any = WeightedVersionForm(
            request.POST or None,
            initial={"threshold": latest.threshold if latest else None},
        )
    else:
        form = PmtVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if weighted:
                version = services.scoring_version_weighted(
                    model=model,
                    user=request.user,
                    criteria=parse_json(data["criteria"], []),
                    threshold=data["threshold"],
                    note=data["note"],
                )
            else:
                upload = data["file"]
                version = services.scoring_version_pmt(
                    model=model,
                    user=request.user,
                    content=upload.read(),
                    filename=upload.name,
                    threshold=data["threshold"],
                    note=data["note"],
                )
        except ValidationFailed as exc:
            errors = apply_errors(form, exc)
            for message in exc.fields.get("file", [])[1:10] if not weighted else []:
                form.add_error("file", str(message))
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Version %(n)s was saved.") % {"n": version.number})
            return redirect("targeting:model_detail", public_id=model.public_id)
    criteria = parse_json(form.data.get("criteria"), None) if form.is_bound and weighted else None
    if criteria is None and weighted:
        criteria = latest.criteria if latest else []
    return render(
        request,
        "targeting/version_form.html",
        {
            "model": model,
            "form": form,
            "weighted": weighted,
            "variables": fields.variables_ui() if not weighted else [],
            **builder_context(criteria=criteria, errors=errors),
        },
        status=400 if form.errors else 200,
    )


@login_required
def coefficients_template(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_MODEL)
    response = HttpResponse(
        scoring.coefficients_template_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="pmt-coefficients-template.csv"'
    return response

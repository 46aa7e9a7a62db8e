"""Damage assessments: the list (filters: status, damage, governorate, project, below
the space standard), the engineer's phone-sized form (new, re-assessment of a house,
correction of a draft or returned one), the assessment's page with the checklist, the
bill of quantities, photos and the space check, its actions (submit, validate, return,
cancel) and its photos (served only to who may see the assessment)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.geo.selectors import governorates
from sanad.shelter.forms.assessments import (
    AssessmentForm,
    ReasonForm,
    apply_errors,
    boq_formset,
    projects_for,
)
from sanad.shelter.models import (
    ASSESS,
    COMPONENTS,
    MANAGE_CASE,
    VIEW,
    Assessment,
    Property,
)
from sanad.shelter.models.common import Component, ComponentState, DamageCategory
from sanad.shelter.selectors import assessments as selectors
from sanad.shelter.services import assessments as services
from sanad.shelter.services._common import PHOTOS, min_space, today

STATUS = Assessment.Status


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


class AssessmentListView(ScopedListView):
    model = Assessment
    permission = VIEW
    template_name = "shelter/assessments/list.html"
    search_fields = ("reference", "property__address", "household__registration_id")
    sort_fields = {
        "reference": "reference",
        "assessed": "assessed_on",
        "damage": "damage",
        "status": "status",
        "cost": "boq_total",
    }
    default_sort = "-assessed"

    def get_base_queryset(self) -> QuerySet[Assessment]:
        qs = selectors.assessments_for(self.request.user)
        self.filters = f = {
            k: self.request.GET.get(k, "")
            for k in ("status", "damage", "governorate", "project", "below_standard", "mine")
        }
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["damage"] in DamageCategory.values:
            qs = qs.filter(damage=f["damage"])
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["project"]:
            key = _uuid(f["project"])
            qs = qs.filter(project__public_id=key) if key else qs.none()
        if f["below_standard"] == "1":
            qs = qs.filter(selectors.below_standard_q())
        if f["mine"] == "1":
            qs = qs.filter(engineer_id=self.request.user.pk)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        for a in ctx["object_list"]:
            a.below_standard = a.space_pp is not None and a.space_pp < min_space()
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            damages=DamageCategory.choices,
            governorates=governorates(),
            projects=projects_for(user, VIEW),
            can_assess=has_permission(user, ASSESS),
            search_placeholder=_("Reference, address or registration id"),
            min_space=min_space(),
        )
        return ctx


def _render_form(
    request: HttpRequest,
    form: AssessmentForm,
    boq: Any,
    *,
    assessment: Assessment | None = None,
    prop: Property | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "shelter/assessments/form.html",
        {
            "form": form,
            "boq": boq,
            "assessment": assessment,
            "property": prop,
            "photos": list(assessment.photos.all()) if assessment else [],
        },
        status=400 if (form.errors or boq.total_error_count()) and status == 200 else status,
    )


def _property_param(request: HttpRequest) -> Property | None:
    key = _uuid(request.GET.get("property") or request.POST.get("property_id") or "")
    if key is None:
        return None
    prop = (
        scoped(Property.objects.select_related("admin_unit"), request.user, ASSESS)
        .filter(public_id=key)
        .first()
    )
    if prop is None:
        raise Http404
    return prop


def _after_save(request: HttpRequest, assessment: Assessment, submitted: bool) -> HttpResponse:
    if submitted:
        messages.success(
            request,
            _("Assessment %(reference)s is submitted for validation.")
            % {"reference": assessment.reference},
        )
    else:
        messages.success(
            request,
            _("Assessment %(reference)s is saved as a draft.")
            % {"reference": assessment.reference},
        )
    return redirect("shelter:assessment_detail", public_id=assessment.public_id)


@login_required
def assessment_create(request: HttpRequest) -> HttpResponse:
    """A new assessment; `?property=<id>` re-assesses a house already recorded."""
    require_permission(request, ASSESS)
    prop = _property_param(request)
    initial: dict[str, Any] = {"assessed_on": today()}
    if prop is not None:
        last = prop.assessments.order_by("-assessed_on", "-id").first()
        if last is not None:
            initial.update(AssessmentForm.initial_from(last))
            initial["assessed_on"] = today()
    form = AssessmentForm(
        (request.POST if request.method == "POST" else None),
        (request.FILES if request.method == "POST" else None),
        user=request.user,
        initial=initial,
    )
    boq = boq_formset(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form_ok, boq_ok = form.is_valid(), boq.is_valid()
        if form_ok and boq_ok:
            submit = request.POST.get("submit") == "1"
            data = form.service_data()
            if prop is not None:
                data["property"] = prop
            try:
                assessment = services.assessment_create(
                    user=request.user,
                    data=data,
                    boq=boq.lines(),
                    photos=form.cleaned_data.get("photos") or [],
                    submit=submit,
                )
            except ValidationFailed as exc:
                apply_errors(form, exc, boq=boq)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                return _after_save(request, assessment, submit)
    return _render_form(request, form, boq, prop=prop)


def _assessment_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Assessment:
    require_permission(request, permission)
    try:
        return selectors.assessment_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


@login_required
def assessment_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = _assessment_for(request, public_id, ASSESS)
    if assessment.status not in services.EDITABLE:
        messages.info(request, _("Only a draft or returned assessment can be changed."))
        return redirect("shelter:assessment_detail", public_id=assessment.public_id)
    form = AssessmentForm(
        (request.POST if request.method == "POST" else None),
        (request.FILES if request.method == "POST" else None),
        user=request.user,
        initial=AssessmentForm.initial_from(assessment),
    )
    boq = boq_formset(
        (request.POST if request.method == "POST" else None), lines=list(assessment.boq.all())
    )
    if request.method == "POST":
        form_ok, boq_ok = form.is_valid(), boq.is_valid()
        if form_ok and boq_ok:
            submit = request.POST.get("submit") == "1"
            remove = [int(x) for x in request.POST.getlist("remove_photo") if x.isdigit()]
            try:
                assessment = services.assessment_update(
                    user=request.user,
                    assessment=assessment,
                    data=form.service_data(),
                    boq=boq.lines(),
                    photos=form.cleaned_data.get("photos") or [],
                    remove_photos=remove,
                    submit=submit,
                )
            except ValidationFailed as exc:
                apply_errors(form, exc, boq=boq)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                return _after_save(request, assessment, submit)
    return _render_form(request, form, boq, assessment=assessment, prop=assessment.property)


def _history(assessment: Assessment) -> list[Any]:
    labels = dict(STATUS.choices)
    rows = list(Assessment.STATUS_MACHINE.history(assessment).order_by("-id"))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


def _case_links(request: HttpRequest, assessment: Assessment) -> dict[str, str]:
    user = request.user
    out: dict[str, str] = {}
    case = selectors.case_of(assessment)
    try:
        if case is not None and has_permission(user, VIEW) and can_reach(user, case, VIEW):
            out["case_url"] = reverse("shelter:case_detail", kwargs={"public_id": case.public_id})
            out["case_reference"] = case.reference
        elif (
            case is None
            and assessment.status == STATUS.VALIDATED
            and has_permission(user, MANAGE_CASE)
            and can_reach(user, assessment, MANAGE_CASE)
        ):
            out["open_case_url"] = (
                reverse("shelter:case_create") + f"?assessment={assessment.public_id}"
            )
    except NoReverseMatch:  # the cases pages are not installed
        pass
    return out


@login_required
def assessment_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = _assessment_for(request, public_id)
    return _render_detail(request, assessment)


def _render_detail(
    request: HttpRequest,
    assessment: Assessment,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    personal_record_viewed(
        user=user, obj=assessment.property, purpose="damage assessment", route=request.path
    )
    assess = has_permission(user, ASSESS) and can_reach(user, assessment, ASSESS)
    manage = has_permission(user, MANAGE_CASE) and can_reach(user, assessment, MANAGE_CASE)
    forms: dict[str, Any] = {}
    if assess and assessment.status in services.EDITABLE:
        forms["edit"] = True
        forms["submit"] = True
    if manage and assessment.status == STATUS.SUBMITTED:
        forms["validate"] = True
        forms["return"] = bound.get("return") or ReasonForm(prefix="return")
    if services.may_cancel(user, assessment):
        forms["cancel"] = bound.get("cancel") or ReasonForm(prefix="cancel")
    per_person, below = services.space_of(assessment)
    states = dict(ComponentState.choices)
    checklist = [
        {
            "component": Component(c).label,
            "state": (assessment.components or {}).get(c, ""),
            "label": states.get((assessment.components or {}).get(c, ""), "—"),
        }
        for c in COMPONENTS
    ]
    return render(
        request,
        "shelter/assessments/detail.html",
        {
            "assessment": assessment,
            "prop": assessment.property,
            "lines": list(assessment.boq.all()),
            "photos": list(assessment.photos.all()),
            "checklist": checklist,
            "per_person": per_person,
            "below_standard": below,
            "min_space": min_space(),
            "forms": forms,
            "can_reassess": has_permission(user, ASSESS)
            and can_reach(user, assessment.property, ASSESS)
            and assessment.status != STATUS.DRAFT,
            "others": list(selectors.property_assessments(assessment, user)[:10]),
            "history": _history(assessment),
            "household_url": _household_url(user, assessment),
            **_case_links(request, assessment),
        },
        status=status,
    )


def _household_url(user: Any, assessment: Assessment) -> str:
    household = assessment.household
    if household is None or not has_permission(user, "registry.view_household"):
        return ""
    if not can_reach(user, household, "registry.view_household"):
        return ""
    try:
        return reverse("registry:household_detail", kwargs={"public_id": household.public_id})
    except NoReverseMatch:
        return ""


ACTIONS = ("submit", "validate", "return", "cancel")


@login_required
@require_POST
def assessment_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    user = request.user
    if action == "submit":
        permission = ASSESS
    elif action == "cancel":
        permission = MANAGE_CASE if has_permission(user, MANAGE_CASE) else ASSESS
    else:
        permission = MANAGE_CASE
    assessment = _assessment_for(request, public_id, permission)
    form: Any = None
    try:
        if action == "submit":
            services.assessment_submit(user=user, assessment=assessment)
            messages.success(request, _("The assessment is submitted for validation."))
        elif action == "validate":
            services.assessment_validate(user=user, assessment=assessment)
            messages.success(request, _("The assessment is validated."))
        else:
            form = ReasonForm(request.POST, prefix=action)
            if form.is_valid():
                service = (
                    services.assessment_return if action == "return" else services.assessment_cancel
                )
                service(user=user, assessment=assessment, reason=form.cleaned_data["reason"])
                messages.success(
                    request,
                    _("The assessment is returned to the engineer.")
                    if action == "return"
                    else _("The assessment is cancelled."),
                )
    except ValidationFailed as exc:
        if form is None:
            for msgs in exc.fields.values():
                for m in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    messages.error(request, str(m))
            if not exc.fields:
                messages.error(request, str(exc.message))
        else:
            apply_errors(form, exc)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    if form is not None and form.errors:
        assessment = _assessment_for(request, public_id)
        return _render_detail(request, assessment, bound={action: form}, status=400)
    return redirect("shelter:assessment_detail", public_id=assessment.public_id)


@login_required
def assessment_photo(request: HttpRequest, public_id: Any, photo_id: int) -> FileResponse:
    require_permission(request, VIEW)
    try:
        photo = selectors.photo_get(user=request.user, public_id=public_id, photo_id=photo_id)
        path = PHOTOS.absolute(photo.path)
    except (NotFound, ValueError) as exc:
        raise Http404 from exc
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{photo.pk}{path.suffix}"'
    return response

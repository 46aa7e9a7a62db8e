"""Community assessment pages: list, create, edit, and the assessment's page where the
officer records who took part, the needs (ranked as they are entered), the resources,
completes it, chooses the needs for projects and records the endorsement. The rules are
in `revitalization.services.communities`."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.revitalization.forms.communities import (
    AssessmentForm,
    EndorseForm,
    NeedForm,
    ParticipationForm,
    ReasonForm,
    ResourceForm,
    SelectNeedsForm,
    cell_name,
)
from sanad.revitalization.models import (
    MANAGE,
    VIEW,
    CommunityAssessment,
    CommunityResource,
)
from sanad.revitalization.selectors import communities as selectors
from sanad.revitalization.services import communities as services
from sanad.revitalization.services._common import today
from sanad.revitalization.services.infrastructure import need_endorsed
from sanad.revitalization.views.communities._base import (
    get_assessment,
    get_community,
    service_error,
)
from sanad.revitalization.views.communities.communities import governorate_choices

STATUS = CommunityAssessment.Status


class AssessmentListView(ScopedListView):
    model = CommunityAssessment
    template_name = "revitalization/communities/assessment_list.html"
    search_fields = ("reference", "community__name", "community__code", "venue")
    sort_fields = {"reference": "reference", "held": "held_on", "status": "status"}
    default_sort = "-held"
    filters: dict[str, str]

    def get_base_queryset(self) -> QuerySet[CommunityAssessment]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("status", "governorate", "community")}
        qs = selectors.assessments_visible(self.request.user)
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["community"]:
            qs = qs.filter(community__code=f["community"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            governorates=governorate_choices(),
            can_manage=has_permission(self.request.user, MANAGE),
            search_placeholder=_("Reference, community or venue"),
        )
        return ctx


def _to_detail(
    request: HttpRequest, assessment: CommunityAssessment, message: str = ""
) -> HttpResponse:
    if message:
        messages.success(request, message)
    if can_reach(request.user, assessment, VIEW):
        return redirect("revitalization:assessment_detail", public_id=assessment.public_id)
    return redirect("revitalization:assessment_list")


@login_required
def assessment_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    initial: dict[str, Any] = {"held_on": today(), "method": CommunityAssessment.Method.VOTES}
    if request.GET.get("community"):
        # A wrong id only loses the preset.
        with contextlib.suppress(Http404, ValidationError, ValueError):
            initial["community"] = get_community(
                request, request.GET["community"], MANAGE
            ).public_id
    form = AssessmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(user=request.user, **form.service_data())
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(
                request,
                assessment,
                _("Assessment %(ref)s is created: record who took part and the needs.")
                % {"ref": assessment.reference},
            )
    return render(
        request,
        "revitalization/communities/assessment_form.html",
        {"form": form, "assessment": None},
        status=400 if form.errors else 200,
    )


@login_required
def assessment_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    initial = {
        name: getattr(assessment, name)
        for name in ("held_on", "venue", "facilitators", "method", "summary")
    }
    form = AssessmentForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_update(
                user=request.user, assessment=assessment, **form.service_data()
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(request, assessment, _("The assessment is saved."))
    return render(
        request,
        "revitalization/communities/assessment_form.html",
        {"form": form, "assessment": assessment},
        status=400 if form.errors else 200,
    )


def _participation_initial(assessment: CommunityAssessment) -> dict[str, int]:
    return {
        cell_name(row.group, row.sex, row.age_band): row.count
        for row in assessment.participation.all()
    }


def _page(
    request: HttpRequest,
    assessment: CommunityAssessment,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE) and can_reach(user, assessment, MANAGE)
    draft = assessment.status == STATUS.DRAFT
    needs = selectors.assessment_needs(assessment)
    forms = forms or {}
    forms.setdefault("participation", ParticipationForm(initial=_participation_initial(assessment)))
    forms.setdefault("need", NeedForm(prefix="need", method=assessment.method))
    forms.setdefault("resource", ResourceForm(prefix="resource"))
    forms.setdefault("reopen", ReasonForm(prefix="reopen"))
    forms.setdefault("cancel", ReasonForm(prefix="cancel"))
    forms.setdefault("endorse", EndorseForm(prefix="endorse", initial={"endorsed_on": today()}))
    forms.setdefault(
        "select",
        SelectNeedsForm(needs=needs, initial={"needs": [str(n.pk) for n in needs if n.selected]}),
    )
    endorsed = assessment.status == STATUS.ENDORSED
    for need in needs:
        need.can_make_project = (  # type: ignore[attr-defined]
            manage and endorsed and need_endorsed(need) and not need.open_projects  # type: ignore[attr-defined]
        )
    return render(
        request,
        "revitalization/communities/assessment_detail.html",
        {
            "assessment": assessment,
            "community": assessment.community,
            "grid": selectors.participation_grid(assessment),
            "needs": needs,
            "resources": list(assessment.resources.all()),
            "history": list(selectors.assessment_history(assessment)),
            "can_manage": manage,
            "can_edit": manage and draft,
            "can_complete": manage and draft,
            "can_reopen": manage and assessment.status == STATUS.COMPLETED,
            "can_select": manage and assessment.status == STATUS.COMPLETED,
            "can_endorse": manage and assessment.status == STATUS.COMPLETED,
            "can_cancel": manage and assessment.status in (STATUS.DRAFT, STATUS.COMPLETED),
            "selected_count": sum(1 for n in needs if n.selected),
            "forms": forms,
        },
        status=status,
    )


@login_required
def assessment_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _page(request, get_assessment(request, public_id))


@login_required
@require_POST
def assessment_participation(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    form = ParticipationForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_participation_set(
                user=request.user, assessment=assessment, counts=form.counts()
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(request, assessment, _("Who took part is saved."))
    if form.errors and not form.non_field_errors():
        form.add_error(
            None, _("Some numbers are not valid: nothing was saved. Correct the marked cells.")
        )
    return _page(request, assessment, {"participation": form}, status=400)


@login_required
@require_POST
def assessment_need_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    form = NeedForm(request.POST, prefix="need", method=assessment.method)
    if form.is_valid():
        try:
            need = services.need_add(
                user=request.user, assessment=assessment, **form.service_data()
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(
                request,
                assessment,
                _("“%(need)s” is listed; the needs are ranked again.") % {"need": need.description},
            )
    return _page(request, assessment, {"need": form}, status=400)


@login_required
def assessment_need_edit(request: HttpRequest, public_id: Any, pk: int) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    try:
        need = selectors.need_get(assessment=assessment, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    initial = {
        "sector": need.sector,
        "description": need.description,
        "votes": need.votes,
        "scores": ", ".join(str(s) for s in need.scores or []),
        "estimated_cost": need.estimated_cost,
    }
    form = NeedForm(request.POST or None, method=assessment.method, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(user=request.user, need=need, **form.service_data())
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(
                request, assessment, _("The need is saved; the needs are ranked again.")
            )
    return render(
        request,
        "revitalization/communities/need_form.html",
        {"form": form, "assessment": assessment, "need": need},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def assessment_need_remove(request: HttpRequest, public_id: Any, pk: int) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    try:
        need = selectors.need_get(assessment=assessment, pk=pk)
        services.need_remove(user=request.user, need=need)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return _to_detail(request, assessment)
    return _to_detail(request, assessment, _("The need is removed; the others are ranked again."))


@login_required
@require_POST
def assessment_resource_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    form = ResourceForm(request.POST, prefix="resource")
    if form.is_valid():
        try:
            services.resource_add(user=request.user, assessment=assessment, **form.cleaned_data)
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(request, assessment, _("The resource is recorded."))
    return _page(request, assessment, {"resource": form}, status=400)


@login_required
@require_POST
def assessment_resource_remove(request: HttpRequest, public_id: Any, pk: int) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    resource = CommunityResource.objects.filter(assessment=assessment, pk=pk).first()
    if resource is None:
        raise Http404
    try:
        services.resource_remove(user=request.user, resource=resource)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return _to_detail(request, assessment)
    return _to_detail(request, assessment, _("The resource is removed."))


@login_required
@require_POST
def assessment_select_needs(request: HttpRequest, public_id: Any) -> HttpResponse:
    assessment = get_assessment(request, public_id, MANAGE)
    needs = selectors.assessment_needs(assessment)
    form = SelectNeedsForm(request.POST, needs=needs)
    if form.is_valid():
        try:
            chosen = services.assessment_select_needs(
                user=request.user,
                assessment=assessment,
                needs=[int(pk) for pk in form.cleaned_data["needs"]],
            )
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return _to_detail(
                request,
                assessment,
                _("%(n)d needs are chosen for projects.") % {"n": len(chosen)},
            )
    return _page(request, assessment, {"select": form}, status=400)


ACTIONS = {
    "complete": None,
    "reopen": ReasonForm,
    "cancel": ReasonForm,
    "endorse": EndorseForm,
}


@login_required
@require_POST
def assessment_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    assessment = get_assessment(request, public_id, MANAGE)
    form_class = ACTIONS[action]
    form: Any = form_class(request.POST, prefix=action) if form_class else None
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        user = request.user
        try:
            if action == "complete":
                services.assessment_complete(user=user, assessment=assessment)
            elif action == "reopen":
                services.assessment_reopen(user=user, assessment=assessment, reason=data["reason"])
            elif action == "cancel":
                services.assessment_cancel(user=user, assessment=assessment, reason=data["reason"])
            else:
                services.assessment_endorse(user=user, assessment=assessment, **data)
        except ApplicationError as exc:
            if form is None or (not exc.fields and exc.status_code not in (403, 404)):
                if exc.status_code in (403, 404):
                    raise
                # A refusal of the action itself (not of a value typed): said on the page.
                messages.error(request, str(exc.message))
                return _to_detail(request, assessment)
            service_error(form, exc)
        else:
            text = {
                "complete": _("The assessment is completed and its needs ranked."),
                "reopen": _("The assessment is a draft again."),
                "cancel": _("The assessment is cancelled."),
                "endorse": _(
                    "The endorsement is recorded: projects can be made from the chosen needs."
                ),
            }[action]
            return _to_detail(request, assessment, text)
    return _page(request, get_assessment(request, public_id), {action: form}, status=400)

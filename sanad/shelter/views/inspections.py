"""Inspections: the list (drafts to sign off first), the phone-sized form with the
checklist and photos, the report page with its sign-off, and the photos (served only
to who may see the case)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.shelter.forms.cases import InspectionForm, InspectionPhotosForm, apply_errors
from sanad.shelter.models import INSPECT, VIEW, Inspection, RehabCase
from sanad.shelter.selectors import cases as selectors
from sanad.shelter.services import inspections as services
from sanad.shelter.services._common import PHOTOS, today
from sanad.shelter.views.cases import _case_for


class InspectionListView(ScopedListView):
    model = Inspection
    permission = VIEW
    template_name = "shelter/inspections/list.html"
    search_fields = ("reference", "case__reference", "case__property__address")
    sort_fields = {"date": "inspected_on", "reference": "reference", "status": "status"}
    default_sort = "-date"

    def get_base_queryset(self) -> QuerySet[Inspection]:
        qs = selectors.inspections_for(self.request.user)
        self.filters = f = {k: self.request.GET.get(k, "") for k in ("status", "kind", "mine")}
        if f["status"] in Inspection.Status.values:
            qs = qs.filter(status=f["status"])
        if f["kind"] in Inspection.Kind.values:
            qs = qs.filter(kind=f["kind"])
        if f["mine"] == "1":
            qs = qs.filter(inspector_id=self.request.user.pk)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=Inspection.Status.choices,
            kinds=Inspection.Kind.choices,
            search_placeholder=_("Inspection or case reference, address"),
        )
        return ctx


@login_required
def inspection_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id, INSPECT)
    if case.status not in (RehabCase.Status.IN_PROGRESS, RehabCase.Status.HANDED_OVER):
        messages.info(
            request,
            _("Works are inspected while the case is in progress, defects after the handover."),
        )
        return redirect("shelter:case_detail", public_id=case.public_id)
    next_milestone = services.next_milestone(case)
    kind = (
        Inspection.Kind.DEFECTS
        if case.status == RehabCase.Status.HANDED_OVER
        else (Inspection.Kind.MILESTONE if next_milestone else Inspection.Kind.FINAL)
    )
    form = InspectionForm(
        request.POST or None,
        case=case,
        initial={
            "kind": kind,
            "milestone": next_milestone.pk if next_milestone else None,
            "inspected_on": today(),
            "progress": case.progress,
        },
    )
    photos = InspectionPhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and photos.is_valid():
        try:
            inspection = services.inspection_create(
                user=request.user,
                case=case,
                data=form.service_data(),
                photos=photos.cleaned_data.get("photos") or [],
            )
        except ValidationFailed as exc:
            if "photos" in exc.fields:
                apply_errors(photos, exc)
            else:
                apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            if inspection.status == Inspection.Status.SIGNED_OFF:
                messages.success(request, _signed_message(inspection))
            else:
                messages.success(
                    request,
                    _("Inspection %(ref)s is saved as a draft: sign it off when it is final.")
                    % {"ref": inspection.reference},
                )
            return redirect("shelter:inspection_detail", public_id=inspection.public_id)
    return render(
        request,
        "shelter/inspections/form.html",
        {"case": case, "form": form, "photos": photos},
        status=400 if (form.errors or photos.errors) else 200,
    )


def _signed_message(inspection: Inspection) -> str:
    ms = inspection.milestone
    if inspection.kind == Inspection.Kind.MILESTONE and ms is not None:
        if inspection.result == Inspection.Result.VERIFIED:
            if ms.releases_tranche and inspection.case.modality == RehabCase.Modality.CASH:
                return _(
                    "Signed off: milestone “%(name)s” is verified and tranche %(n)d is released."
                ) % {"name": ms.name, "n": ms.releases_tranche}
            return _("Signed off: milestone “%(name)s” is verified.") % {"name": ms.name}
        return _("Signed off: milestone “%(name)s” is not verified, so nothing is released.") % {
            "name": ms.name
        }
    if inspection.kind == Inspection.Kind.FINAL and inspection.result == Inspection.Result.VERIFIED:
        return _("Signed off: the works are completed. The house can be handed over.")
    return _("Inspection %(ref)s is signed off.") % {"ref": inspection.reference}


def _inspection_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Inspection:
    require_permission(request, permission)
    try:
        return selectors.inspection_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


@login_required
def inspection_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    inspection = _inspection_for(request, public_id)
    user = request.user
    own_draft = (
        inspection.status == Inspection.Status.DRAFT
        and inspection.inspector_id == user.pk
        and has_permission(user, INSPECT)
        and can_reach(user, inspection, INSPECT)
    )
    from sanad.shelter.models import Component

    labels, checks = dict(Component.choices), dict(Inspection.Check.choices)
    checklist = [
        (labels.get(c, c), state, checks.get(state, state))
        for c, state in (inspection.checklist or {}).items()
    ]
    return render(
        request,
        "shelter/inspections/detail.html",
        {
            "inspection": inspection,
            "case": inspection.case,
            "checklist": checklist,
            "photos": list(inspection.photos.all()),
            "own_draft": own_draft,
        },
    )


@login_required
@require_POST
def inspection_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ("sign_off", "delete"):
        raise Http404
    inspection = _inspection_for(request, public_id, INSPECT)
    case_id = inspection.case.public_id
    try:
        if action == "sign_off":
            inspection = services.inspection_sign_off(user=request.user, inspection=inspection)
            messages.success(request, _signed_message(inspection))
        else:
            services.inspection_delete_draft(user=request.user, inspection=inspection)
            messages.success(request, _("The draft is deleted."))
            return redirect("shelter:case_detail", public_id=case_id)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("shelter:inspection_detail", public_id=inspection.public_id)


@login_required
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    require_permission(request, VIEW)
    try:
        photo = selectors.photo_get(user=request.user, pk=pk)
        path = PHOTOS.absolute(photo.path)
    except (NotFound, ValueError) as exc:
        raise Http404 from exc
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

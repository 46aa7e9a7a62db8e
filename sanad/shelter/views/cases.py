"""Rehabilitation cases: the list (delays and the space standard flagged), opening one
from a validated assessment or in bulk from a final prioritisation, its page with the
milestones, inspections, handover, defects and ledger record, and the actions its
status allows; the handover signed on the phone and the completion certificate PDF."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.shelter.forms.cases import (
    CaseEditForm,
    CaseForm,
    DefectFixForm,
    DefectForm,
    EntitlementForm,
    HandoverForm,
    MilestoneFormSet,
    ReasonForm,
    RoundCasesForm,
    StartForm,
    apply_errors,
    milestone_rows,
)
from sanad.shelter.models import (
    INSPECT,
    MANAGE_CASE,
    VIEW,
    Assessment,
    PriorityRound,
    RehabCase,
)
from sanad.shelter.selectors import cases as selectors
from sanad.shelter.services import cases as services
from sanad.shelter.services._common import PHOTOS, min_space, today

STATUS = RehabCase.Status


def _uuid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


class CaseListView(ScopedListView):
    model = RehabCase
    permission = VIEW
    template_name = "shelter/cases/list.html"
    search_fields = (
        "reference",
        "household__registration_id",
        "property__address",
        "assessment__reference",
    )
    sort_fields = {
        "reference": "reference",
        "status": "status",
        "progress": "progress",
        "end": "planned_end",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[RehabCase]:
        qs = selectors.cases_for(self.request.user)
        self.filters = f = {
            k: self.request.GET.get(k, "")
            for k in ("status", "modality", "project", "governorate", "delayed", "below_standard")
        }
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        if f["modality"] in RehabCase.Modality.values:
            qs = qs.filter(modality=f["modality"])
        if f["project"]:
            pid = _uuid(f["project"])
            qs = qs.filter(Q(project__public_id=pid) if pid else Q(project__code=f["project"]))
        if f["governorate"]:
            qs = qs.filter(governorate__pcode=f["governorate"])
        if f["delayed"] == "1":
            qs = qs.filter(selectors.delayed_q())
        if f["below_standard"] == "1":
            qs = qs.filter(below_standard=True)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from sanad.geo.models import AdminUnit
        from sanad.programmes.models import Project

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            filters=self.filters,
            statuses=STATUS.choices,
            modalities=RehabCase.Modality.choices,
            projects=scoped(Project.objects.all(), user).order_by("code"),
            governorates=AdminUnit.objects.filter(level=1).order_by("name_en"),
            can_open=has_permission(user, MANAGE_CASE),
            search_placeholder=_("Reference, registration id or address"),
        )
        return ctx


# --- opening ------------------------------------------------------------------------------


def _assessment_param(request: HttpRequest) -> Assessment | None:
    pid = _uuid(request.GET.get("assessment"))
    if not pid:
        return None
    assessment = (
        scoped(Assessment.objects.all(), request.user, MANAGE_CASE)
        .select_related("property", "household", "project")
        .filter(public_id=pid)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def _round_param(request: HttpRequest) -> PriorityRound | None:
    pid = _uuid(request.GET.get("round"))
    if not pid:
        return None
    rnd = (
        scoped(PriorityRound.objects.all(), request.user, MANAGE_CASE)
        .select_related("project")
        .filter(public_id=pid)
        .first()
    )
    if rnd is None:
        raise Http404
    return rnd


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    """`?assessment=<id>`: open the case of one house; `?round=<id>`: open the cases of
    the houses ticked in a final prioritisation; neither: choose an assessment."""
    require_permission(request, MANAGE_CASE)
    rnd = _round_param(request)
    if rnd is not None:
        return _create_from_round(request, rnd)
    assessment = _assessment_param(request)
    if assessment is None:
        return render(
            request,
            "shelter/cases/pick.html",
            {"assessments": selectors.open_assessments_for(request.user, MANAGE_CASE)},
        )
    existing = RehabCase.objects.filter(assessment=assessment).first()
    if existing is not None:
        messages.info(request, _("This assessment already has case %(ref)s.") % {"ref": existing})
        return redirect("shelter:case_detail", public_id=existing.public_id)
    entitlements = selectors.shelter_entitlements(assessment.household_id)
    form = CaseForm(
        request.POST or None,
        entitlements=entitlements,
        initial={
            "occupants_after": assessment.occupants or None,
            "covered_area_after_m2": assessment.covered_area_after_m2,
            "budget": assessment.boq_total,
            "entitlement": entitlements[0].pk if len(entitlements) == 1 else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                user=request.user,
                assessment=assessment,
                modality=form.cleaned_data["modality"],
                data=form.service_data(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Case %(ref)s is open. Check its milestones before the works start.")
                % {"ref": case.reference},
            )
            return redirect("shelter:case_detail", public_id=case.public_id)
    return render(
        request,
        "shelter/cases/form.html",
        {"form": form, "assessment": assessment, "entitlements": entitlements},
        status=400 if form.errors else 200,
    )


def _create_from_round(request: HttpRequest, rnd: PriorityRound) -> HttpResponse:
    entries = list(
        rnd.entries.filter(selected=True)
        .select_related("assessment__property", "assessment__household")
        .order_by("rank")
    )
    form = RoundCasesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "modality"}
        try:
            created = services.case_create_from_round(
                user=request.user, round=rnd, modality=form.cleaned_data["modality"], data=data
            )
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
            for msgs in exc.fields.values():
                for m in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    form.add_error(None, str(m))
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("%(n)d cases are open for %(round)s.") % {"n": len(created), "round": rnd.name},
            )
            return redirect("shelter:case_list")
    return render(
        request,
        "shelter/cases/from_round.html",
        {"form": form, "round": rnd, "entries": entries},
        status=400 if form.errors else 200,
    )


# --- the case page ------------------------------------------------------------------------


def _case_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> RehabCase:
    require_permission(request, permission)
    try:
        return selectors.case_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _history(case: RehabCase) -> list[Any]:
    labels = dict(STATUS.choices)
    rows = list(RehabCase.STATUS_MACHINE.history(case))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


@login_required
def case_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id)
    return _render_detail(request, case)


def _render_detail(
    request: HttpRequest, case: RehabCase, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    manage = has_permission(user, MANAGE_CASE) and can_reach(user, case, MANAGE_CASE)
    inspect = has_permission(user, INSPECT) and can_reach(user, case, INSPECT)
    forms: dict[str, Any] = {}
    if manage and case.status == STATUS.OPEN:
        forms["start"] = bound.get("start") or StartForm(
            prefix="start", initial={"started_on": today()}
        )
        if case.modality == RehabCase.Modality.CASH:
            entitlements = selectors.shelter_entitlements(case.household_id, exclude_case=case)
            forms["link"] = bound.get("link") or EntitlementForm(
                prefix="link",
                entitlements=entitlements,
                initial={"entitlement": case.entitlement_id},
            )
    if manage and RehabCase.STATUS_MACHINE.can(case, STATUS.CANCELLED):
        forms["cancel"] = bound.get("cancel") or ReasonForm(prefix="cancel")
    if manage and case.status == STATUS.HANDED_OVER:
        forms["defect"] = bound.get("defect") or DefectForm(prefix="defect")
        forms["close"] = True
    milestones = list(case.milestones.select_related("inspection", "verified_by"))
    releases = selectors.tranche_releases(case)
    for m in milestones:
        tranche = m.releases_tranche
        m.release = releases.get(tranche) if tranche else None  # type: ignore[attr-defined]
    defects = list(case.defects.select_related("verified_by"))
    for d in defects:
        d.fix_form = DefectFixForm(  # type: ignore[attr-defined]
            prefix=f"fix-{d.pk}", initial={"fixed_on": today()}
        )
        d.reopen_form = ReasonForm(  # type: ignore[attr-defined]
            prefix=f"reopen-{d.pk}"
        )
    inspections = list(
        case.inspections.select_related("milestone", "inspector").prefetch_related("photos")
    )
    return render(
        request,
        "shelter/cases/detail.html",
        {
            "case": case,
            "forms": forms,
            "manage": manage,
            "inspect": inspect,
            "is_delayed": selectors.is_delayed(case),
            "milestones": milestones,
            "tranche_1": releases.get(1),
            "inspections": inspections,
            "defects": defects,
            "ledger": selectors.ledger_record(case),
            "history": _history(case),
            "min_space": min_space(),
            "can_inspect_now": inspect and case.status in (STATUS.IN_PROGRESS, STATUS.HANDED_OVER),
            "can_edit": manage and case.status in services.LIVE,
            "can_handover": manage and case.status == STATUS.COMPLETED,
        },
        status=status,
    )


@login_required
def case_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id, MANAGE_CASE)
    if case.status not in services.LIVE:
        raise Http404
    form = CaseEditForm(request.POST or None, initial=CaseEditForm.initial_of(case))
    milestones_editable = case.status in (STATUS.OPEN, STATUS.IN_PROGRESS) and not (
        case.milestones.exclude(status="pending").exists()
    )
    initial = list(
        case.milestones.values("name", "progress", "releases_tranche", "due_on").order_by(
            "sequence"
        )
    )
    formset = (
        MilestoneFormSet(request.POST or None, prefix="ms", initial=initial)
        if milestones_editable
        else None
    )
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            from django.db import transaction

            with transaction.atomic():
                services.case_update(user=request.user, case=case, data=form.cleaned_data)
                if formset is not None:
                    services.case_milestones_set(
                        user=request.user, case=case, milestones=milestone_rows(formset)
                    )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The case is saved."))
            return redirect("shelter:case_detail", public_id=case.public_id)
    return render(
        request,
        "shelter/cases/edit.html",
        {"case": case, "form": form, "formset": formset},
        status=400 if form.errors else 200,
    )


CASE_ACTIONS = ("start", "cancel", "close", "link")


@login_required
@require_POST
def case_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise Http404
    case = _case_for(request, public_id, MANAGE_CASE)
    user = request.user
    form: Any = None
    try:
        if action == "start":
            form = StartForm(request.POST, prefix="start")
            if form.is_valid():
                services.case_start(
                    user=user, case=case, started_on=form.cleaned_data.get("started_on")
                )
                messages.success(
                    request,
                    _("The works started.")
                    + (
                        " " + _("Tranche 1 is released: it can be paid.")
                        if case.modality == RehabCase.Modality.CASH
                        else ""
                    ),
                )
        elif action == "cancel":
            form = ReasonForm(request.POST, prefix="cancel")
            if form.is_valid():
                services.case_cancel(user=user, case=case, reason=form.cleaned_data["reason"])
                messages.success(request, _("The case is cancelled."))
        elif action == "close":
            services.case_close(user=user, case=case)
            messages.success(request, _("The case is closed."))
        elif action == "link":
            entitlements = selectors.shelter_entitlements(case.household_id, exclude_case=case)
            form = EntitlementForm(request.POST, prefix="link", entitlements=entitlements)
            if form.is_valid():
                services.case_link_entitlement(
                    user=user, case=case, entitlement=form.cleaned_data["entitlement"]
                )
                messages.success(request, _("The cash entitlement is linked."))
    except ValidationFailed as exc:
        if form is None:
            messages.error(request, str(exc.message))
        else:
            apply_errors(form, exc)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("shelter:case_detail", public_id=case.public_id)
    if form is not None and form.errors:
        case = _case_for(request, public_id)
        return _render_detail(request, case, bound={action: form}, status=400)
    return redirect("shelter:case_detail", public_id=case.public_id)


# --- handover and certificate -----------------------------------------------------------------


@login_required
def case_handover(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id, MANAGE_CASE)
    if case.status != STATUS.COMPLETED:
        messages.info(request, _("The house is handed over once the works are completed."))
        return redirect("shelter:case_detail", public_id=case.public_id)
    form = HandoverForm(
        request.POST or None,
        initial={"handed_over_on": today(), "actual_cost": case.actual_cost},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_handover(user=request.user, case=case, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The house is handed over: completion certificate %(n)s.")
                % {"n": case.certificate_number},
            )
            return redirect("shelter:case_detail", public_id=case.public_id)
    return render(
        request,
        "shelter/cases/handover.html",
        {"case": case, "form": form, "needs_rate": case.modality != RehabCase.Modality.CASH},
        status=400 if form.errors else 200,
    )


@login_required
def case_signature(request: HttpRequest, public_id: Any) -> FileResponse:
    case = _case_for(request, public_id)
    if not case.handover_signature:
        raise Http404
    try:
        path = PHOTOS.absolute(case.handover_signature)
    except ValueError as exc:
        raise Http404 from exc
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def certificate_pdf(case: RehabCase) -> bytes:
    """The completion certificate as PDF, laid out by WeasyPrint with the vendored
    Arabic-capable fonts (Arabic and Kurdish names shaped); the signature embedded."""
    import base64

    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from sanad.registry.cards.pdf import FONT_DIR, _fetcher, font_faces

    signature = ""
    if case.handover_signature:
        try:
            content = PHOTOS.absolute(case.handover_signature).read_bytes()
            signature = "data:image/png;base64," + base64.b64encode(content).decode()
        except (OSError, ValueError):
            signature = ""
    html = render_to_string(
        "shelter/cases/certificate_pdf.html",
        {
            "case": case,
            "milestones": list(case.milestones.all()),
            "signature": signature,
            "fonts": font_faces(),
            "rtl": translation.get_language_bidi(),
            "lang": translation.get_language(),
            "printed_on": today(),
        },
    )
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher())
    return bytes(document.write_pdf())


@login_required
def case_certificate(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id)
    if not case.certificate_number:
        raise Http404
    response = HttpResponse(certificate_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.certificate_number}.pdf"'
    return response


# --- defects --------------------------------------------------------------------------------


@login_required
@require_POST
def defect_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id, MANAGE_CASE)
    form = DefectForm(request.POST, prefix="defect")
    if form.is_valid():
        try:
            services.defect_report(user=request.user, case=case, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("shelter:case_detail", public_id=case.public_id)
        else:
            messages.success(request, _("The defect is recorded."))
            return redirect("shelter:case_detail", public_id=case.public_id)
    return _render_detail(request, case, bound={"defect": form}, status=400)


DEFECT_ACTIONS = {"fix": MANAGE_CASE, "verify": INSPECT, "reopen": INSPECT}


@login_required
@require_POST
def defect_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in DEFECT_ACTIONS:
        raise Http404
    permission = DEFECT_ACTIONS[action]
    require_permission(request, permission)
    try:
        defect = selectors.defect_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc
    try:
        if action == "fix":
            form = DefectFixForm(request.POST, prefix=f"fix-{defect.pk}")
            fixed_on = form.cleaned_data.get("fixed_on") if form.is_valid() else None
            services.defect_fix(user=request.user, defect=defect, fixed_on=fixed_on)
            messages.success(request, _("The defect is marked fixed: an inspector checks it."))
        elif action == "verify":
            services.defect_verify(user=request.user, defect=defect)
            messages.success(request, _("The repair of the defect is verified."))
        else:
            reason = request.POST.get(f"reopen-{defect.pk}-reason", "")
            services.defect_reopen(user=request.user, defect=defect, reason=reason)
            messages.success(request, _("The defect is open again."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("shelter:case_detail", public_id=defect.case.public_id)

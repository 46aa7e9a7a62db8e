"""Grant-application pages: the list, entering one (find the applicant in the
registry, then the form), the import (template, upload, the list of problems or the
job's progress), an application's page with its eligibility checks and the officer's
actions (check again, override with a reason, withdraw)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError
from sanad.core.listing import ScopedListView
from sanad.core.models import Job
from sanad.core.scoping import has_permission
from sanad.registry.models import Household, Individual
from sanad.registry.selectors import households_matching, members_ordered
from sanad.revitalization.forms.grants import (
    ApplicantSearchForm,
    ApplicationForm,
    ImportForm,
    OverrideForm,
    ReasonForm,
)
from sanad.revitalization.models import (
    GRANTS,
    VIEW,
    BusinessSector,
    GrantApplication,
    GrantCall,
)
from sanad.revitalization.selectors import grants as selectors
from sanad.revitalization.services._common import today
from sanad.revitalization.services.grants import applications as services
from sanad.revitalization.services.grants import imports
from sanad.revitalization.views.grants._common import (
    form_error,
    get_application,
    get_call,
    may,
    refuse,
    to_application,
)

APP = GrantApplication.Status
SEARCH_LIMIT = 20


class ApplicationListView(ScopedListView):
    model = GrantApplication
    permission = VIEW
    template_name = "revitalization/grants/application_list.html"
    search_fields = ("reference", "business_name", "household__registration_id")
    sort_fields = {
        "reference": "reference",
        "submitted": "submitted_on",
        "amount": "requested_amount",
        "score": "total_score",
        "rank": "rank",
        "status": "status",
    }
    default_sort = "-submitted"
    filters: dict[str, str]
    call: GrantCall | None = None

    def get_base_queryset(self) -> QuerySet[GrantApplication]:
        get = self.request.GET
        self.filters = f = {k: get.get(k, "") for k in ("call", "status", "sector")}
        qs = selectors.applications_visible(self.request.user)
        if f["call"]:
            self.call = (
                selectors.calls_visible(self.request.user).filter(reference=f["call"]).first()
            )
            qs = qs.filter(call=self.call) if self.call is not None else qs.none()
        if f["status"] in APP.values:
            qs = qs.filter(status=f["status"])
        if f["sector"] in BusinessSector.values:
            qs = qs.filter(sector=f["sector"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            filters=self.filters,
            statuses=APP.choices,
            sectors=BusinessSector.choices,
            call=self.call,
            calls=list(
                selectors.calls_visible(self.request.user)
                .order_by("-opens_on")
                .values_list("reference", "title")[:100]
            ),
        )
        return ctx


# --- entering an application ---------------------------------------------------------
def _candidates(call: GrantCall, query: str) -> list[Any]:
    """Active households of the call's governorate matching the search, each with its
    current members (numbered as on the household's page) and their ages."""
    if not query.strip():
        return []
    base = Household.objects.filter(
        governorate=call.governorate_id, status=Household.Status.ACTIVE
    ).select_related("admin_unit")
    found: list[Any] = list(
        households_matching(base, query)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=members_ordered().filter(status=Individual.Status.ACTIVE),
                to_attr="current",
            )
        )
        .order_by("registration_id")[:SEARCH_LIMIT]
    )
    day = today()
    for household in found:
        for number, member in enumerate(household.current, start=1):  # type: ignore[attr-defined]
            member.number = number  # type: ignore[attr-defined]
            member.age = selectors.age_on(member, day)  # type: ignore[attr-defined]
            member.old_enough = member.age >= call.min_age  # type: ignore[attr-defined]
    return found


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(str(text)))
    except (ValueError, TypeError):
        return ""


def _applicant(call: GrantCall, public_id: str) -> Individual | None:
    ident = _uuid(public_id)
    if not ident:
        return None
    return (
        Individual.objects.select_related("household__admin_unit")
        .filter(public_id=ident, household__governorate=call.governorate_id)
        .first()
    )


@login_required
def application_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    call = get_call(request, public_id, GRANTS)
    source = request.POST if request.method == "POST" else request.GET
    applicant = _applicant(call, source.get("applicant", ""))
    search = ApplicantSearchForm(request.GET or None)
    query = request.GET.get("q", "").strip()
    form = None
    if applicant is not None:
        initial = {"submitted_on": today(), "jobs_planned": 0}
        community = services.community_for(call, applicant.household)
        if community is not None:
            initial["community"] = community.public_id
        phone = applicant.phone
        if phone:
            initial["phone"] = phone
        form = ApplicationForm(
            request.POST if request.method == "POST" else None, call=call, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                application = services.application_create(
                    user=request.user, call=call, applicant=applicant, **form.service_data()
                )
            except ApplicationError as exc:
                form_error(form, exc, {"applicant": "__all__"})
            else:
                return to_application(
                    request,
                    application,
                    _("Application %(ref)s is submitted.") % {"ref": application.reference},
                )
    elif request.method == "POST":
        messages.error(request, _("Choose the applicant from the registry first."))
    return render(
        request,
        "revitalization/grants/application_form.html",
        {
            "call": call,
            "search": search,
            "query": query,
            "households": _candidates(call, query) if applicant is None else [],
            "applicant": applicant,
            "applicant_age": selectors.age_on(applicant, today()) if applicant else None,
            "form": form,
            "is_open": call.status == GrantCall.Status.OPEN,
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- import -------------------------------------------------------------------------------
@login_required
def application_import_template(request: HttpRequest, public_id: Any) -> HttpResponse:
    call = get_call(request, public_id, GRANTS)
    response = HttpResponse(
        imports.import_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{call.reference}-applications-template.xlsx"'
    )
    return response


def _job_of(request: HttpRequest, call: GrantCall, public_id: str) -> Job | None:
    ident = _uuid(public_id)
    if not ident:
        return None
    job = Job.objects.filter(
        public_id=ident, kind=imports.JOB_KIND, created_by_id=request.user.pk
    ).first()
    if job is None or (job.params or {}).get("call") != str(call.public_id):
        return None
    return job


@login_required
def application_import(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Upload the file; a small file is imported at once (or its problems listed),
    a large one goes to a background job whose progress and result this page shows."""
    call = get_call(request, public_id, GRANTS)
    form = ImportForm(request.POST or None, request.FILES or None)
    result: imports.ImportResult | None = None
    job = _job_of(request, call, request.GET.get("job", ""))
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            path = imports.save_upload(uploaded)
            outcome = imports.applications_import_submit(
                user=request.user,
                call=call,
                path=Path(path),
                name=uploaded.name,
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            if isinstance(outcome, Job):
                return redirect(f"{request.path}?job={outcome.public_id}")
            result = outcome
            if result.ok:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d application is imported.",
                        "%(n)d applications are imported.",
                        len(result.created),
                    )
                    % {"n": len(result.created)},
                )
                return redirect(f"{_list_url()}?call={call.reference}&sort=-submitted")
    errors = result.errors if result is not None else []
    job_errors: list[dict[str, Any]] = []
    if job is not None and job.is_finished:
        job_errors = list((job.result or {}).get("errors") or [])
    return render(
        request,
        "revitalization/grants/application_import.html",
        {
            "call": call,
            "form": form,
            "errors": errors,
            "job": job,
            "job_errors": job_errors,
            "error_count": len(errors) + len(job_errors),
            "sync_rows": imports.SYNC_ROWS,
            "columns": imports.COLUMNS,
            "required": imports.REQUIRED,
            "is_open": call.status == GrantCall.Status.OPEN,
        },
        status=400 if form.errors or errors else 200,
    )


def _list_url() -> str:
    from django.urls import reverse

    return reverse("revitalization:application_list")


# --- an application --------------------------------------------------------------------
def _application_page(
    request: HttpRequest,
    application: GrantApplication,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    call = application.call
    manage = may(request, GRANTS, application)
    forms = forms or {}
    forms.setdefault("override", OverrideForm(prefix="override"))
    forms.setdefault("withdraw", ReasonForm(prefix="withdraw"))
    checking = call.status in (GrantCall.Status.OPEN, GrantCall.Status.SCORING)
    checks = application.eligibility or []
    labels = dict(CHECK_LABELS)
    personal_record_viewed(
        user=request.user, obj=application, purpose="grant application", route=request.path
    )
    return render(
        request,
        "revitalization/grants/application_detail.html",
        {
            "application": application,
            "call": call,
            "checks": [(labels.get(c.get("check"), c.get("check")), c) for c in checks],
            "vulnerabilities": selectors.vulnerability_labels(application.household),
            "applicant_age": selectors.age_on(application.applicant, application.submitted_on),
            "history": list(selectors.application_history(application)),
            "can_manage": manage,
            "can_check": manage and checking and application.status in services.OVERRIDABLE,
            "can_withdraw": manage
            and GrantApplication.STATUS_MACHINE.can(application, APP.WITHDRAWN),
            "waiting": max(call.quorum - application.scorers, 0)
            if application.status == APP.ELIGIBLE and application.rank is None
            else 0,
            "can_see_ranking": manage,
            "can_see_household": has_permission(request.user, "registry.view_household"),
            "forms": forms,
        },
        status=status,
    )


CHECK_LABELS = (
    ("household_active", gettext_lazy("Active household and member")),
    ("age", gettext_lazy("Age")),
    ("displacement_status", gettext_lazy("Displacement status")),
    ("sector", gettext_lazy("Sector")),
    ("amount", gettext_lazy("Amount")),
    ("community", gettext_lazy("Community")),
    ("one_per_household", gettext_lazy("One application per household")),
    ("no_earlier_grant", gettext_lazy("No earlier business grant")),
    ("override", gettext_lazy("Officer's decision")),
)


@login_required
def application_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _application_page(request, get_application(request, public_id))


@login_required
@require_POST
def application_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ("check", "override", "withdraw"):
        raise Http404
    application = get_application(request, public_id, GRANTS)
    if action == "check":
        try:
            services.application_check_eligibility(user=request.user, application=application)
        except ApplicationError as exc:
            refuse(request, exc)
            return redirect("revitalization:application_detail", public_id=application.public_id)
        return to_application(
            request,
            application,
            _("The eligibility checks ran: the application is %(status)s.")
            % {"status": application.get_status_display()},
        )
    form: Any = (OverrideForm if action == "override" else ReasonForm)(request.POST, prefix=action)
    if form.is_valid():
        try:
            if action == "override":
                services.application_override(
                    user=request.user,
                    application=application,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                )
            else:
                services.application_withdraw(
                    user=request.user, application=application, reason=form.cleaned_data["reason"]
                )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            text = (
                _("The application is now %(status)s.")
                % {"status": application.get_status_display()}
                if action == "override"
                else _("The application is withdrawn.")
            )
            return to_application(request, application, text)
    return _application_page(
        request, get_application(request, public_id), {action: form}, status=400
    )

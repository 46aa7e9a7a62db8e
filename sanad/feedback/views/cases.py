"""The case pages: the list (filters, overdue highlighted), the intake form of the
hotline (also from an inbound message), a case's page with its actions, the export
job, the trends (charts, tables, CSV) and the response standards.

Every case is looked up through `cases_for` (selectors): an id the user may not know of
is a 404 that reveals nothing, whatever the reason."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.feedback.forms.cases import (
    ACTION_FORMS,
    AssignForm,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    NoteForm,
    ReasonForm,
    RecategoriseForm,
    ReferForm,
    RespondForm,
    StandardsForm,
    apply_errors,
)
from sanad.feedback.models import (
    LOG_CASE,
    MANAGE_CASE,
    MANAGE_CHANNEL,
    VIEW_CASE,
    VIEW_TRENDS,
    Case,
    Message,
    Sensitivity,
)
from sanad.feedback.selectors import cases as selectors
from sanad.feedback.selectors.sensitivity import messages_visible
from sanad.feedback.services import cases as services

PAGE_SIZE = 50


def _case_for(request: HttpRequest, public_id: Any, permission: str = VIEW_CASE) -> Case:
    require_permission(request, permission)
    try:
        return selectors.case_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _nav(request: HttpRequest, tab: str) -> dict[str, Any]:
    user = request.user
    return {
        "tab": tab,
        "can_view": has_permission(user, VIEW_CASE),
        "can_log": has_permission(user, LOG_CASE),
        "can_trends": has_permission(user, VIEW_TRENDS),
        "can_standards": has_permission(user, MANAGE_CHANNEL),
    }


# --- list ------------------------------------------------------------------------------------
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW_CASE)
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    qs = selectors.case_list(user=request.user, filters=filters)
    paginator = Paginator(qs.order_by("-received_at", "-pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    household = None
    if filters.get("household"):
        from sanad.registry.selectors import households_visible_to

        household = (
            households_visible_to(request.user).filter(public_id=filters["household"]).first()
        )
    return render(
        request,
        "feedback/cases/list.html",
        {
            **_nav(request, "cases"),
            "form": form,
            "page_obj": page,
            "cases": page.object_list,
            "total_count": paginator.count,
            "querystring": params.urlencode(),
            "household": household,
            "filters": filters,
        },
    )


# --- intake ----------------------------------------------------------------------------------
def _message_for(request: HttpRequest, public_id: Any) -> Message | None:
    """The inbound message a case is made from, if the user may see it in the inbox."""
    if not public_id:
        return None
    from sanad.core.scoping import scoped

    qs = scoped(Message.objects.select_related("contact", "channel"), request.user)
    qs = messages_visible(request.user, qs).filter(direction=Message.Direction.IN)
    try:
        found = qs.filter(public_id=public_id).first()
    except (ValueError, ValidationFailed):
        found = None
    if found is None:
        raise Http404
    return found


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, LOG_CASE)
    message = _message_for(
        request, request.POST.get("message") or request.GET.get("message") or None
    )
    if message is not None and message.case is not None:
        messages.info(request, _("This message is already a case."))
        if selectors.case_is_visible(request.user, message.case):
            return redirect("feedback:case_detail", public_id=message.case.public_id)
    data = request.POST if request.method == "POST" else None
    initial = {}
    if request.GET.get("category"):
        initial["category"] = request.GET["category"]
    if request.GET.get("beneficiary_list"):
        initial["beneficiary_list"] = request.GET["beneficiary_list"]
    form = CaseForm(data, user=request.user, message=message, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_log(user=request.user, data=form.service_data(), message=message)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            response = _after_log(request, case)
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(back)  # e.g. back to the inbox thread the case came from
            return response
    return render(
        request,
        "feedback/cases/form.html",
        {**_nav(request, "new"), "form": form, "message": message},
        status=400 if form.errors else 200,
    )


def _after_log(request: HttpRequest, case: Case) -> HttpResponse:
    if case.sensitivity == Sensitivity.PSEA and not selectors.case_is_visible(request.user, case):
        messages.warning(
            request,
            _(
                "Case %(reference)s was sent to the PSEA focal points, who will follow it up. "
                "For the person's safety you will not see it again: give them the reference "
                "if they ask."
            )
            % {"reference": case.reference},
        )
        return redirect("feedback:case_create")
    if not selectors.case_is_visible(request.user, case):
        messages.success(
            request,
            _("Case %(reference)s is recorded and went to the people who handle it.")
            % {"reference": case.reference},
        )
        return redirect("feedback:case_create")
    messages.success(request, _("Case %(reference)s is recorded.") % {"reference": case.reference})
    return redirect("feedback:case_detail", public_id=case.public_id)


# --- one case ----------------------------------------------------------------------------------
def _action_forms(request: HttpRequest, case: Case) -> dict[str, Any]:
    allowed = Case.STATUS_MACHINE.allowed(case.status)
    forms: dict[str, Any] = {"note": NoteForm(prefix="note")}
    if case.status == Case.Status.NEW:
        forms["acknowledge"] = True
    if "assigned" in allowed:
        forms["assign"] = AssignForm(
            prefix="assign",
            users=selectors.assignable_users(user=request.user, case=case),
            initial={"team": case.team},
        )
    if "referred" in allowed:
        forms["refer"] = ReferForm(prefix="refer")
    if case.status in services.OPEN_STATUSES:
        forms["respond"] = RespondForm(prefix="respond")
    if case.status == Case.Status.RESPONDED:
        forms["close"] = CloseForm(prefix="close")
    if case.status == Case.Status.CLOSED:
        forms["reopen"] = ReasonForm(prefix="reopen")
    forms["recategorise"] = RecategoriseForm(
        prefix="recategorise", initial={"category": case.category}
    )
    return forms


@login_required
def case_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for(request, public_id)
    personal_record_viewed(user=request.user, obj=case, purpose="feedback case", route=request.path)
    manage = selectors.case_can_manage(request.user, case)
    labels = dict(Case.Status.choices)
    history = list(Case.STATUS_MACHINE.history(case))
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    household_url = ""
    if case.household is not None and has_permission(request.user, "registry.view_household"):
        household_url = reverse(
            "registry:household_detail", kwargs={"public_id": case.household.public_id}
        )
    return render(
        request,
        "feedback/cases/detail.html",
        {
            **_nav(request, "cases"),
            "case": case,
            "manage": manage,
            "forms": _action_forms(request, case) if manage else {},
            "notes": list(selectors.case_notes(case)),
            "history": history,
            "case_messages": list(selectors.case_messages(user=request.user, case=case)),
            "household_url": household_url,
            "appeal": selectors.appeal_context(user=request.user, case=case),
            "restricted": case.sensitivity != Sensitivity.NORMAL,
            # A string, not an import: camps sits above feedback (ADR 0008).
            "can_raise_ticket": has_permission(request.user, "camps.raise_ticket"),
        },
    )


@login_required
@require_POST
def case_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    case = _case_for(request, public_id)
    if action not in ACTION_FORMS:
        raise Http404
    require_permission(request, MANAGE_CASE)
    form_class = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action if action != "acknowledge" else None}
    if form_class is AssignForm:
        kwargs["users"] = selectors.assignable_users(user=request.user, case=case)
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("feedback:case_detail", public_id=case.public_id)
    try:
        services.case_transition(
            user=request.user,
            case=case,
            action=action,
            data=form.service_data(),  # type: ignore[attr-defined]
        )
    except ApplicationError as exc:
        fields = getattr(exc, "fields", {}) or {}
        texts = [
            str(m)
            for msgs in fields.values()
            for m in (msgs if isinstance(msgs, list | tuple) else [msgs])
        ]
        for text in texts or [str(exc.message)]:
            messages.error(request, text)
        return redirect("feedback:case_detail", public_id=case.public_id)
    if not selectors.case_is_visible(request.user, case):
        messages.warning(
            request,
            _(
                "Case %(reference)s now goes to the people who handle this category; you no "
                "longer see it."
            )
            % {"reference": case.reference},
        )
        return redirect("feedback:case_list")
    messages.success(request, DONE.get(action, _("Saved.")))
    return redirect("feedback:case_detail", public_id=case.public_id)


def _done() -> dict[str, Any]:
    from django.utils.translation import gettext_lazy

    return {
        "acknowledge": gettext_lazy("The case is acknowledged."),
        "assign": gettext_lazy("The case is assigned."),
        "refer": gettext_lazy("The case is referred."),
        "respond": gettext_lazy("The answer is recorded."),
        "close": gettext_lazy("The case is closed."),
        "reopen": gettext_lazy("The case is open again."),
        "note": gettext_lazy("The note is added."),
        "recategorise": gettext_lazy("The category is changed."),
    }


DONE = _done()


# --- export ---------------------------------------------------------------------------------------
@login_required
@require_POST
def case_export(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW_CASE)
    from sanad.core.jobs import job_start
    from sanad.feedback.jobs_cases import CASES_EXPORT

    form = CaseFilterForm(request.POST, user=request.user)
    filters = {k: str(v) for k, v in form.filters().items() if k in selectors.FILTERS}
    job = job_start(
        kind=CASES_EXPORT,
        user=request.user,
        params={"filters": filters, "language": translation.get_language() or "en"},
    )
    messages.success(request, _("The export is being prepared: download it when it is ready."))
    return redirect("core:job_detail", public_id=job.public_id)


# --- trends -----------------------------------------------------------------------------------------
def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


TABLES = ("summary", "category", "governorate", "programme", "month")


@login_required
def case_trends(request: HttpRequest) -> HttpResponse:
    require_permission(request, VIEW_TRENDS)
    today = timezone.localdate()
    date_to = _date(request.GET.get("date_to"), today)
    date_from = _date(
        request.GET.get("date_from"), (date_to - datetime.timedelta(days=364)).replace(day=1)
    )
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    programme = request.GET.get("programme") or None
    governorate = request.GET.get("governorate") or None
    trends = selectors.case_trends(
        user=request.user,
        date_from=date_from,
        date_to=date_to,
        programme=programme,
        governorate=governorate,
    )
    if request.GET.get("format") == "csv":
        return _trends_csv(trends, request.GET.get("table") or "category")
    filter_form = CaseFilterForm(
        {"programme": programme or "", "governorate": governorate or ""}, user=request.user
    )
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("table", None)
    chart_data = {
        key: {
            "labels": [r["label"] or r["key"] or "—" for r in trends[f"by_{key}"]],
            "counts": [r["count"] for r in trends[f"by_{key}"]],
        }
        for key in ("category", "governorate", "programme", "month")
    }
    return render(
        request,
        "feedback/cases/trends.html",
        {
            **_nav(request, "trends"),
            "trends": trends,
            "chart_data": chart_data,
            "filter_form": filter_form,
            "date_from": date_from,
            "date_to": date_to,
            "querystring": params.urlencode(),
            "tables": [
                ("category", _("By category"), trends["by_category"]),
                ("month", _("By month"), trends["by_month"]),
                ("governorate", _("By governorate"), trends["by_governorate"]),
                ("programme", _("By programme"), trends["by_programme"]),
            ],
        },
    )


def _trends_csv(trends: dict[str, Any], table: str) -> HttpResponse:
    if table not in TABLES:
        table = "category"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"feedback-trends-{table}-{trends['date_from']}-{trends['date_to']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 (Arabic, Kurdish) correctly with a BOM
    writer = csv.writer(response)
    if table == "summary":
        writer.writerow([_("Measure"), _("Value")])
        for key in (
            "total",
            "open",
            "overdue",
            "responded",
            "median_days",
            "p90_days",
            "in_time_share",
            "satisfaction",
            "closed",
            "loop_closed_share",
        ):
            value = trends[key]
            writer.writerow([key, "" if value is None else value])
        return response
    writer.writerow([_("Code"), _("Name"), _("Cases")])
    for row in trends[f"by_{table}"]:
        writer.writerow([row["key"], row["label"], row["count"]])
    return response


# --- response standards ------------------------------------------------------------------------------
@login_required
def response_standards(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CHANNEL)
    form = StandardsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.response_standards_update(user=request.user, values=form.values())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)s deadlines changed. New cases use them; open cases keep theirs.")
                % {"n": changed},
            )
            return redirect("feedback:response_standards")
    return render(
        request,
        "feedback/cases/standards.html",
        {**_nav(request, "standards"), "form": form},
        status=400 if form.errors else 200,
    )

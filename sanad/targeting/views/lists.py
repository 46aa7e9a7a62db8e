"""Beneficiary lists: create and edit a draft, build it, lock it, approve it (another
person), close it; its households with filters; why one household is in or out; the
appeal look-up; exports for field verification."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_data_exported, personal_record_viewed
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.jobs import job_start
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.registry.models import Household
from sanad.targeting import build as building
from sanad.targeting import compiler, exports, jobs, selectors, services
from sanad.targeting.forms import (
    AppealForm,
    DecisionForm,
    ExportForm,
    ListForm,
    TransitionForm,
    apply_errors,
    quotas_text,
)
from sanad.targeting.models import (
    APPROVE,
    EXPORT,
    MANAGE,
    VIEW,
    BeneficiaryList,
    ListEntry,
    ManualDecision,
)
from sanad.targeting.views.common import found

STATUS = BeneficiaryList.Status


def inline_max() -> int:
    """Builds over more households than this run as a background job."""
    return int(getattr(settings, "SANAD_TARGETING_INLINE_MAX", 50_000))


class ListListView(ScopedListView):
    model = BeneficiaryList
    template_name = "targeting/list_list.html"
    search_fields = ("name", "rule__name", "project__code")
    sort_fields = {
        "name": "name",
        "programme": "programme__code",
        "status": "status",
        "created": "created_at",
        "built": "built_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[BeneficiaryList]:
        return selectors.lists_all()

    def get_queryset(self) -> QuerySet[BeneficiaryList]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in STATUS.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, MANAGE)
        ctx["statuses"] = STATUS.choices
        ctx["status"] = self.request.GET.get("status", "")
        ctx["search_placeholder"] = _("List, rule or project")
        return ctx


def _list(request: HttpRequest, public_id: Any, permission: str = VIEW) -> BeneficiaryList:
    return found(selectors.list_get, user=request.user, public_id=public_id, permission=permission)


def _form_args(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "rule": data["rule"],
        "project": data.get("project"),
        "activity": data.get("activity"),
        "model_version": data.get("model_version"),
        "area": data.get("area") or [],
        "quotas": data.get("quotas") or [],
    }


@login_required
def list_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    initial = {"rule": request.GET.get("rule", "")}
    form = ListForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lst = services.list_create(
                user=request.user,
                programme=form.cleaned_data["programme"],
                **_form_args(form.cleaned_data),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The list was created as a draft. Build it to see who is on it.")
            )
            return redirect("targeting:list_detail", public_id=lst.public_id)
    return render(
        request,
        "targeting/list_form.html",
        {"form": form, "list": None},
        status=400 if form.errors else 200,
    )


@login_required
def list_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE)
    lst = _list(request, public_id, MANAGE)
    if lst.status != STATUS.DRAFT:
        messages.error(
            request, _("Only a draft list can be changed. Reopen it first (with a reason).")
        )
        return redirect("targeting:list_detail", public_id=lst.public_id)
    initial = {
        "name": lst.name,
        "programme": lst.programme.code,
        "project": lst.project.public_id if lst.project is not None else None,
        "activity": lst.activity.public_id if lst.activity is not None else None,
        "rule": lst.rule.public_id,
        "model_version": (lst.model_version.public_id if lst.model_version is not None else None),
        "area": list(lst.area.values_list("pcode", flat=True)),
        "quotas": quotas_text(lst),
    }
    form = ListForm(request.POST or None, user=request.user, initial=initial)
    form.fields["programme"].disabled = True
    if request.method == "POST" and form.is_valid():
        args = _form_args(form.cleaned_data)
        try:
            services.list_update(lst=lst, user=request.user, **args)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The list was saved. Build it again to see the effect."))
            return redirect("targeting:list_detail", public_id=lst.public_id)
    return render(
        request,
        "targeting/list_form.html",
        {"form": form, "list": lst},
        status=400 if form.errors else 200,
    )


def _actions(request: HttpRequest, lst: BeneficiaryList) -> dict[str, Any]:
    user = request.user
    manage = has_permission(user, MANAGE) and can_reach(user, lst, MANAGE)
    approve = has_permission(user, APPROVE) and can_reach(user, lst, APPROVE)
    locker = lst.locked_by_id is not None and lst.locked_by_id == user.pk
    status = lst.status
    return {
        "can_manage": manage,
        "can_edit": manage and status == STATUS.DRAFT,
        "can_build": manage and status == STATUS.DRAFT,
        "can_lock": manage and status == STATUS.DRAFT and lst.built_at is not None,
        "can_cancel": manage and status == STATUS.DRAFT,
        "can_reopen": manage and status == STATUS.LOCKED,
        "can_approve": approve and status == STATUS.LOCKED and not locker,
        "waiting_for_other": approve and status == STATUS.LOCKED and locker,
        "can_close": (approve or manage) and status in (STATUS.APPROVED, STATUS.IN_USE),
        "can_export": has_permission(user, EXPORT) and lst.built_at is not None,
        "can_decide": manage and status == STATUS.DRAFT,
    }


@login_required
def list_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    lst = _list(request, public_id)
    actions = _actions(request, lst)
    labels = dict(STATUS.choices)
    history = list(selectors.list_history(lst))
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    decisions = list(
        ManualDecision.objects.filter(list=lst)
        .filter(pk__in=_decisions_in_scope(request, lst))
        .select_related("household", "created_by", "updated_by")
        .order_by("-updated_at")[:200]
    )
    summary = lst.summary or {}
    arabic = (get_language() or "en").split("-")[0] in {"ar", "ckb"}
    for row in summary.get("by_governorate", []):
        row["name"] = row.get("name_ar") if arabic and row.get("name_ar") else row.get("name_en")
    outcome_labels = {o.name.lower(): o.label for o in ListEntry.Outcome}
    outcome_values = {o.name.lower(): o.value for o in ListEntry.Outcome}
    tree = lst.rule_tree or lst.rule.tree
    return render(
        request,
        "targeting/list_detail.html",
        {
            "list": lst,
            "summary": summary,
            "outcomes": [
                {
                    "code": outcome_values.get(code),
                    "label": outcome_labels.get(code, code),
                    "count": n,
                }
                for code, n in sorted((summary.get("by_outcome") or {}).items())
            ],
            "outline": compiler.outline(tree) if tree else [],
            "criteria": lst.criteria_used,
            "area": list(lst.area.order_by("pcode")),
            "quotas": list(lst.quotas.select_related("admin_unit", "place")),
            "history": history,
            "decisions": decisions,
            "decision_form": DecisionForm() if actions["can_decide"] else None,
            "export_form": ExportForm() if actions["can_export"] else None,
            **actions,
        },
    )


def _decisions_in_scope(request: HttpRequest, lst: BeneficiaryList) -> Any:
    from sanad.core.scoping import scoped

    return scoped(ManualDecision.objects.filter(list=lst), request.user, VIEW).values("pk")


def _run_or_queue(
    request: HttpRequest, lst: BeneficiaryList, *, lock: bool, reason: str = ""
) -> HttpResponse:
    """Build (or lock) now when the list is small; a background job otherwise."""
    considered = building.universe(lst=lst, user=request.user, include_ids=[]).count()
    if considered > inline_max():
        job = job_start(
            kind=jobs.BUILD,
            user=request.user,
            params={"list": str(lst.public_id), "lock": lock, "reason": reason},
            title=(_("Lock %(name)s") if lock else _("Build %(name)s")) % {"name": lst.name},
        )
        messages.info(
            request,
            _("%(n)s households to evaluate: this runs in the background.")
            % {"n": f"{considered:,}"},
        )
        return redirect("core:job_detail", public_id=job.public_id)
    if lock:
        services.list_lock(lst=lst, user=request.user, reason=reason)
        messages.success(request, _("The list is locked. Another person must now approve it."))
    else:
        services.list_build(lst=lst, user=request.user)
        messages.success(
            request,
            _("Built: %(included)s of %(considered)s households are on the list.")
            % {
                "included": lst.summary.get("included", 0),
                "considered": lst.summary.get("considered", 0),
            },
        )
    return redirect("targeting:list_detail", public_id=lst.public_id)


@login_required
@require_POST
def list_build(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE)
    lst = _list(request, public_id, MANAGE)
    try:
        return _run_or_queue(request, lst, lock=False)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("targeting:list_detail", public_id=lst.public_id)


@login_required
@require_POST
def list_transition(request: HttpRequest, public_id: Any) -> HttpResponse:
    lst = _list(request, public_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the list."))
        return redirect("targeting:list_detail", public_id=lst.public_id)
    to, reason = form.cleaned_data["to"], form.cleaned_data.get("reason") or ""
    needed = APPROVE if to == STATUS.APPROVED else MANAGE
    if to == STATUS.CLOSED and has_permission(request.user, APPROVE):
        needed = APPROVE
    if not (has_permission(request.user, needed) and can_reach(request.user, lst, needed)):
        raise DjangoPermissionDenied
    try:
        if to == STATUS.LOCKED:
            return _run_or_queue(request, lst, lock=True, reason=reason)
        services.list_transition(lst=lst, user=request.user, to=to, reason=reason)
    except ApplicationError as exc:
        if exc.code == "same_person":
            raise DjangoPermissionDenied(str(exc.message)) from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The list is now “%(status)s”.") % {"status": lst.get_status_display()},
        )
    return redirect("targeting:list_detail", public_id=lst.public_id)


@login_required
@require_POST
def decision_set(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE)
    lst = _list(request, public_id, MANAGE)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else ''}: {errors[0]}"
            )
        return redirect("targeting:list_detail", public_id=lst.public_id)
    data = form.cleaned_data
    try:
        services.decision_set(
            lst=lst,
            user=request.user,
            household=data["household"],
            decision=data["decision"],
            reason=data["reason"],
        )
        if _small(request, lst):
            services.list_build(lst=lst, user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Recorded, with its reason. The list shows it from this build on.")
        )
    return redirect("targeting:list_detail", public_id=lst.public_id)


def _small(request: HttpRequest, lst: BeneficiaryList) -> bool:
    return building.universe(lst=lst, user=request.user, include_ids=[]).count() <= inline_max()


@login_required
@require_POST
def decision_remove(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE)
    lst = _list(request, public_id, MANAGE)
    try:
        services.decision_remove(
            lst=lst, user=request.user, household=request.POST.get("household", "")
        )
        if _small(request, lst):
            services.list_build(lst=lst, user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The decision by hand was removed."))
    return redirect("targeting:list_detail", public_id=lst.public_id)


# --- the households of a list ---------------------------------------------------------------
class EntryListView(ScopedListView):
    model = ListEntry
    template_name = "targeting/entry_list.html"
    template_partial = "targeting/_entry_table.html"
    sort_fields = {
        "rank": "rank",
        "score": "score",
        "registration_id": "household__registration_id",
        "size": "size",
    }
    default_sort = "rank"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and has_permission(request.user, VIEW):
            self.list = _list(request, kwargs["public_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[ListEntry]:
        return ListEntry.objects.filter(list=self.list).select_related(
            "household", "governorate", "place"
        )

    def get_queryset(self) -> QuerySet[ListEntry]:
        qs = super().get_queryset()
        show = self.request.GET.get("show", "included")
        if show == "included":
            qs = qs.filter(included=True)
        elif show == "excluded":
            qs = qs.filter(included=False)
        elif show == "manual":
            qs = qs.filter(outcome__in=[ListEntry.Outcome.MANUAL_IN, ListEntry.Outcome.MANUAL_OUT])
        outcome = self.request.GET.get("outcome", "")
        if outcome.isdigit() and int(outcome) in ListEntry.Outcome.values:
            qs = qs.filter(outcome=int(outcome))
        governorate = self.request.GET.get("governorate", "")
        if governorate:
            qs = qs.filter(governorate__pcode=governorate)
        search = self.request.GET.get("q", "").strip().upper()
        if search:
            qs = qs.filter(household__registration_id__startswith=search)
        if self.sort in ("", "rank"):
            if show == "included":
                qs = qs.order_by("rank", "household_id")
            else:
                qs = qs.order_by("-included", "rank", "-score", "household_id")
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        page = list(ctx["object_list"])
        ids = [e.household_id for e in page]
        heads = selectors.heads_for(ids)
        decisions = selectors.decisions_for(self.list, ids)
        for e in page:
            e.head = heads.get(e.household_id)
            e.decision = decisions.get(e.household_id)
        ctx.update(
            list=self.list,
            object_list=page,
            show=self.request.GET.get("show", "included"),
            outcome=self.request.GET.get("outcome", ""),
            outcomes=ListEntry.Outcome.choices,
            governorate=self.request.GET.get("governorate", ""),
            governorates=(self.list.summary or {}).get("by_governorate", []),
            has_search=True,
            search=self.request.GET.get("q", ""),
            search_placeholder=_("Registration id"),
        )
        return ctx


@login_required
def explanation(request: HttpRequest, public_id: Any, household: Any) -> HttpResponse:
    """Why this household is in or out: the page an appeal is answered from."""
    require_permission(request, VIEW)
    lst = _list(request, public_id)
    entry = found(selectors.entry_get, user=request.user, lst=lst, household_public_id=household)
    data = selectors.explanation(user=request.user, lst=lst, entry=entry)
    if data["household"] is not None:
        personal_record_viewed(
            user=request.user,
            obj=data["household"],
            purpose="targeting explanation",
            route=request.path,
        )
    return render(
        request,
        "targeting/explanation.html",
        {
            "list": lst,
            **data,
            "outcome_label": dict(ListEntry.Outcome.choices).get(entry.outcome, entry.outcome),
            "can_view_household": has_permission(request.user, "registry.view_household"),
        },
    )


@login_required
def appeal(request: HttpRequest) -> HttpResponse:
    """Find a household by its registration id and the lists that considered it."""
    require_permission(request, VIEW)
    form = AppealForm(request.GET or None)
    entries: list[ListEntry] | None = None
    if form.is_bound and form.is_valid():
        entries = selectors.appeal_lookup(
            user=request.user, registration_id=form.cleaned_data["registration_id"]
        )
    return render(
        request,
        "targeting/appeal.html",
        {"form": form, "entries": entries, "outcome_labels": dict(ListEntry.Outcome.choices)},
    )


@login_required
@require_POST
def list_export(request: HttpRequest, public_id: Any) -> HttpResponse:
    """XLSX or PDF straight away for a small list; a background job for a large one.
    Either way logged as an export of personal data."""
    require_permission(request, EXPORT)
    lst = _list(request, public_id)
    form = ExportForm(request.POST)
    if not form.is_valid() or lst.built_at is None:
        messages.error(
            request, _("Choose a format and which households to export (the list must be built).")
        )
        return redirect("targeting:list_detail", public_id=lst.public_id)
    fmt, which = form.cleaned_data["format"], form.cleaned_data["which"]
    entries = exports.entries_for_export(user=request.user, lst=lst, which=which)
    total = entries.count()
    if total > exports.DIRECT_LIMIT[fmt]:
        job = job_start(
            kind=jobs.EXPORT_KIND,
            user=request.user,
            params={
                "list": str(lst.public_id),
                "format": fmt,
                "which": which,
                "language": get_language() or "en",
            },
            title=_("Export %(name)s (%(format)s)") % {"name": lst.name, "format": fmt.upper()},
        )
        return redirect("core:job_detail", public_id=job.public_id)
    name = exports.filename(lst, fmt, which)
    if fmt == "xlsx":
        import io

        buffer = io.BytesIO()
        count = exports.write_xlsx(lst=lst, entries=entries, target=buffer)
        data = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, count = exports.write_pdf(lst=lst, entries=entries)
        content_type = "application/pdf"
    personal_data_exported(
        user=request.user,
        model=Household,
        purpose=f"beneficiary list {fmt} ({which})",
        route=request.path,
        record_count=count,
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Care-and-maintenance tickets: the list (overdue highlighted), raising one (also from
a residents' feedback case), its page with the actions its status allows, and its
photos (served only to who may see the ticket)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.forms.tickets import (
    AssignForm,
    FromCaseForm,
    ReasonForm,
    TicketForm,
    TriageForm,
    WorkForm,
    apply_errors,
)
from sanad.camps.models import (
    MANAGE_TICKET,
    RAISE_TICKET,
    VIEW,
    WORK_TICKET,
    Asset,
    Site,
    Ticket,
)
from sanad.camps.selectors import tickets as selectors
from sanad.camps.services import ticket_photos
from sanad.camps.services import tickets as services
from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission

STATUS = Ticket.Status


def tabs(request: HttpRequest, current: str) -> dict[str, Any]:
    user = request.user
    items = [("tickets", _("Maintenance tickets"), reverse("camps:ticket_list"))]
    items.append(("assets", _("Infrastructure"), reverse("camps:asset_list")))
    items.append(("schedules", _("Preventive maintenance"), reverse("camps:schedule_list")))
    return {"maint_tabs": items if has_permission(user, VIEW) else [], "maint_tab": current}


def _site_param(request: HttpRequest, permission: str) -> Site | None:
    value = request.GET.get("site") or ""
    if not value:
        return None
    try:
        return (
            scoped(Site.objects.select_related("place"), request.user, permission)
            .filter(public_id=value)
            .first()
        )
    except Exception:  # not a UUID
        return None


class TicketListView(ScopedListView):
    model = Ticket
    template_name = "camps/tickets/list.html"
    search_fields = ("number", "title", "site__place__name_en", "asset__code", "case_reference")
    sort_fields = {
        "number": "number",
        "due": "due_at",
        "priority": "priority",
        "status": "status",
        "raised": "created_at",
    }
    default_sort = "due"

    def get_base_queryset(self) -> QuerySet[Ticket]:
        """The selector's scoped tickets with the page's filters (the list view scopes
        them once more, harmlessly)."""
        qs = selectors.tickets_for(self.request.user)
        self.filters = f = {
            k: self.request.GET.get(k, "")
            for k in ("site", "status", "priority", "category", "overdue", "mine", "open")
        }
        self.site = _site_param(self.request, VIEW)
        if f["site"]:
            qs = qs.filter(site=self.site) if self.site else qs.none()
        if f["status"] in STATUS.values:
            qs = qs.filter(status=f["status"])
        elif f["open"] != "0":
            qs = qs.filter(status__in=services.OPEN_STATUSES)
        if f["priority"] in Ticket.Priority.values:
            qs = qs.filter(priority=f["priority"])
        if f["category"] in Ticket.Category.values:
            qs = qs.filter(category=f["category"])
        if f["overdue"] == "1":
            qs = qs.filter(selectors.overdue_q())
        if f["mine"] == "1":
            qs = qs.filter(assignee_id=self.request.user.pk)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            tabs(self.request, "tickets"),
            filters=self.filters,
            site=self.site,
            statuses=STATUS.choices,
            priorities=Ticket.Priority.choices,
            categories=Ticket.Category.choices,
            sites=scoped(Site.objects.select_related("place"), user).order_by("place__name_en"),
            can_raise=has_permission(user, RAISE_TICKET),
            search_placeholder=_("Number, problem, site, asset or case"),
        )
        return ctx


def _done(request: HttpRequest, ticket: Ticket, message: str, fallback: str = "") -> HttpResponse:
    messages.success(request, message)
    if has_permission(request.user, VIEW) and can_reach(request.user, ticket, VIEW):
        return redirect("camps:ticket_detail", public_id=ticket.public_id)
    return redirect(fallback or "camps:ticket_list")


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, RAISE_TICKET)
    site = _site_param(request, RAISE_TICKET)
    initial: dict[str, Any] = {}
    asset_param = request.GET.get("asset") or ""
    if site is not None and asset_param:
        asset = (
            Asset.objects.filter(site=site, public_id__in=[asset_param]).first()
            if _is_uuid(asset_param)
            else None
        )
        if asset is not None:
            initial["asset"] = asset.public_id
            initial["category"] = services._category_of(asset)
    form = TicketForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        permission=RAISE_TICKET,
        site=site,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_raise(
                user=request.user,
                site=form.cleaned_data["site"],
                data=form.service_data(),
                source=form.cleaned_data["source"],
                asset=form.cleaned_data.get("asset"),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(
                request,
                ticket,
                _("Ticket %(number)s is raised. It is due by %(due)s.")
                % {"number": ticket.number, "due": _fmt(ticket.due_at)},
            )
    return render(
        request,
        "camps/tickets/form.html",
        {**tabs(request, "tickets"), "form": form, "site": site},
        status=400 if form.errors else 200,
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _fmt(value: Any) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


@login_required
def ticket_from_case(request: HttpRequest, case_id: Any) -> HttpResponse:
    require_permission(request, RAISE_TICKET)
    try:
        case = services.visible_case(user=request.user, case_public_id=case_id)
    except NotFound as exc:
        raise Http404 from exc
    case_url = reverse("feedback:case_detail", kwargs={"public_id": case.public_id})
    personal_record_viewed(
        user=request.user, obj=case, purpose="maintenance ticket from case", route=request.path
    )
    existing = services.ticket_for_case(case.public_id)
    if existing is not None:
        messages.info(
            request,
            _("This case already has maintenance ticket %(number)s.") % {"number": existing.number},
        )
        if has_permission(request.user, VIEW) and can_reach(request.user, existing, VIEW):
            return redirect("camps:ticket_detail", public_id=existing.public_id)
        return redirect(case_url)
    site = services.site_of_case(case)
    if site is not None and not can_reach(request.user, site, RAISE_TICKET):
        site = None
    form = FromCaseForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        permission=RAISE_TICKET,
        site=site,
        initial={"title": services.neutral_title(case)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_from_case(
                user=request.user,
                case_public_id=case.public_id,
                site=form.cleaned_data["site"],
                data=form.service_data(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            messages.warning(request, str(exc.message))
            return redirect(case_url)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return _done(
                request,
                ticket,
                _("Ticket %(number)s is raised from case %(reference)s.")
                % {"number": ticket.number, "reference": case.reference},
                fallback=case_url,
            )
    return render(
        request,
        "camps/tickets/from_case.html",
        {
            **tabs(request, "tickets"),
            "form": form,
            "case": case,
            "case_url": case_url,
            "site": site,
        },
        status=400 if form.errors else 200,
    )


def _ticket_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Ticket:
    require_permission(request, permission)
    try:
        return services.ticket_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _history(ticket: Ticket) -> list[Any]:
    labels = dict(STATUS.choices)
    rows = list(Ticket.STATUS_MACHINE.history(ticket).select_related("by"))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


@login_required
def ticket_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    ticket = _ticket_for(request, public_id)
    return _render_detail(request, ticket)


def _render_detail(
    request: HttpRequest, ticket: Ticket, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    manage = has_permission(user, MANAGE_TICKET) and can_reach(user, ticket, MANAGE_TICKET)
    bound = bound or {}
    forms: dict[str, Any] = {}
    if manage and ticket.status in (STATUS.NEW, STATUS.TRIAGED, STATUS.ASSIGNED):
        forms["triage"] = bound.get("triage") or TriageForm(
            prefix="triage", initial={"priority": ticket.priority, "category": ticket.category}
        )
        forms["assign"] = bound.get("assign") or AssignForm(
            prefix="assign",
            users=services.assignable_users(ticket=ticket),
            initial={
                "team": ticket.team,
                "contractor": ticket.contractor_id,
                "assignee": ticket.assignee.username if ticket.assignee else None,
            },
        )
    if manage and ticket.status in (STATUS.NEW, STATUS.TRIAGED):
        forms["reject"] = bound.get("reject") or ReasonForm(prefix="reject")
    if ticket.status == STATUS.ASSIGNED and services.may_record_work(user, ticket):
        forms["work"] = bound.get("work") or WorkForm(prefix="work")
    worker = (
        services.work_recorded_by(ticket)
        if ticket.status in (STATUS.DONE, STATUS.VERIFIED)
        else None
    )
    if manage and ticket.status == STATUS.DONE:
        forms["send_back"] = bound.get("send_back") or ReasonForm(prefix="send_back")
        forms["check"] = True
        forms["verify"] = worker is None or worker.pk != user.pk
    photos = list(ticket.photos.all())
    case_url = ""
    if ticket.case_public_id and has_permission(user, "feedback.view_case"):
        case_url = reverse("feedback:case_detail", kwargs={"public_id": ticket.case_public_id})
    return render(
        request,
        "camps/tickets/detail.html",
        {
            **tabs(request, "tickets"),
            "ticket": ticket,
            "is_overdue": selectors.is_overdue(ticket),
            "forms": forms,
            "manage": manage,
            "worker": worker,
            "problem_photos": [p for p in photos if p.stage == "problem"],
            "work_photos": [p for p in photos if p.stage == "work_done"],
            "history": _history(ticket),
            "case_url": case_url,
        },
        status=status,
    )


ACTIONS = ("triage", "assign", "work", "verify", "send_back", "reject")


@login_required
@require_POST
def ticket_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    permission = WORK_TICKET if action == "work" else MANAGE_TICKET
    if action == "work" and not has_permission(request.user, WORK_TICKET):
        permission = MANAGE_TICKET
    ticket = _ticket_for(request, public_id, permission)
    user = request.user
    form: Any = None
    try:
        if action == "triage":
            form = TriageForm(request.POST, prefix="triage")
            if form.is_valid():
                services.ticket_triage(user=user, ticket=ticket, **form.cleaned_data)
                messages.success(
                    request, _("The ticket is triaged; the due time follows the priority.")
                )
        elif action == "assign":
            form = AssignForm(
                request.POST, prefix="assign", users=services.assignable_users(ticket=ticket)
            )
            if form.is_valid():
                services.ticket_assign(user=user, ticket=ticket, **form.cleaned_data)
                messages.success(request, _("The ticket is assigned."))
        elif action == "work":
            form = WorkForm(request.POST, request.FILES, prefix="work")
            if form.is_valid():
                services.ticket_record_work(
                    user=user,
                    ticket=ticket,
                    work_done=form.cleaned_data["work_done"],
                    photos=form.cleaned_data["photos"],
                )
                messages.success(
                    request,
                    _("The work is recorded. A manager will check it and close the ticket."),
                )
        elif action == "verify":
            services.ticket_verify(user=user, ticket=ticket)
            messages.success(request, _("The work is verified and the ticket closed."))
        elif action in ("send_back", "reject"):
            form = ReasonForm(request.POST, prefix=action)
            if form.is_valid():
                service = (
                    services.ticket_send_back if action == "send_back" else services.ticket_reject
                )
                service(user=user, ticket=ticket, reason=form.cleaned_data["reason"])
                messages.success(
                    request,
                    _("The ticket is sent back to the team.")
                    if action == "send_back"
                    else _("The ticket is rejected."),
                )
    except ValidationFailed as exc:
        if form is None:
            messages.error(request, str(exc.message))
        else:
            apply_errors(form, exc)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("camps:ticket_detail", public_id=ticket.public_id)
    if form is not None and form.errors:
        ticket = _ticket_for(request, public_id)
        return _render_detail(request, ticket, bound={action: form}, status=400)
    return redirect("camps:ticket_detail", public_id=ticket.public_id)


@login_required
def ticket_photo(request: HttpRequest, public_id: Any) -> FileResponse:
    require_permission(request, VIEW)
    try:
        photo = selectors.photo_get(user=request.user, public_id=public_id)
        path = ticket_photos.absolute(photo.path)
    except (NotFound, ValueError) as exc:
        raise Http404 from exc
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{photo.public_id}.{path.suffix[1:]}"'
    return response

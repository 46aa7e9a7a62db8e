"""Community sessions: focus group discussions, awareness sessions, participatory theatre
and community meetings: the list, recording one, its page, and raising a campaign from
its findings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.feedback.forms.comms import SessionForm, apply_errors
from sanad.feedback.models import (
    MANAGE_CAMPAIGN,
    MANAGE_SESSION,
    VIEW_CAMPAIGN,
    CommunitySession,
    Topic,
)
from sanad.feedback.selectors import comms as selectors
from sanad.feedback.services import sessions as services
from sanad.feedback.services.sessions import AGE_GROUPS, participants_total
from sanad.feedback.views.comms import allowed, found, page, session_permission


def session_for(
    request: HttpRequest, public_id: Any, permission: str | None = None
) -> CommunitySession:
    permission = permission or session_permission(request.user)
    require_permission(request, permission)
    return found(
        selectors.session_get, user=request.user, public_id=public_id, permission=permission
    )


class SessionListView(ScopedListView):
    model = CommunitySession
    template_name = "feedback/comms/session_list.html"
    search_fields = ("title", "facilitators", "place__name_en", "admin_unit__name_en")
    sort_fields = {"held_on": "held_on", "title": "title", "kind": "kind"}
    default_sort = "-held_on"

    def get_permission(self) -> str:
        return session_permission(self.request.user)

    def get_base_queryset(self) -> QuerySet[CommunitySession]:
        return CommunitySession.objects.select_related("place", "admin_unit", "programme")

    def get_queryset(self) -> QuerySet[CommunitySession]:
        qs = super().get_queryset()
        kind = self.request.GET.get("kind", "")
        if kind in CommunitySession.Kind.values:
            qs = qs.filter(kind=kind)
        topic = self.request.GET.get("topic", "")
        if topic in Topic.values:
            qs = qs.filter(topic=topic)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        for session in ctx["object_list"]:
            session.total = participants_total(session.participants)
        ctx.update(
            page(
                self.request,
                "sessions",
                can_manage=has_permission(self.request.user, MANAGE_SESSION),
                kinds=CommunitySession.Kind.choices,
                kind=self.request.GET.get("kind", ""),
                topics=Topic.choices,
                topic=self.request.GET.get("topic", ""),
                search_placeholder=_("Title, facilitator or place"),
            )
        )
        return ctx


def _form_page(
    request: HttpRequest, form: SessionForm, session: CommunitySession | None = None
) -> HttpResponse:
    return render(
        request,
        "feedback/comms/session_form.html",
        page(request, "sessions", form=form, session=session, age_groups=AGE_GROUPS),
        status=400 if form.errors else 200,
    )


@login_required
def session_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_SESSION)
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(user=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The session is recorded."))
            return redirect("feedback:session_detail", public_id=session.public_id)
    return _form_page(request, form)


@login_required
def session_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    session = session_for(request, public_id, MANAGE_SESSION)
    form = SessionForm(request.POST or None, user=request.user, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(user=request.user, session=session, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The session is saved."))
            return redirect("feedback:session_detail", public_id=session.public_id)
    return _form_page(request, form, session)


@login_required
def session_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    session = session_for(request, public_id)
    counts = session.participants or {}
    labels = {"female": _("Women and girls"), "male": _("Men and boys")}
    rows = []
    for sex in ("female", "male"):
        cells = [int((counts.get(sex) or {}).get(age, 0) or 0) for age in AGE_GROUPS]
        rows.append((str(labels[sex]), cells, sum(cells)))
    column_totals = [sum(r[1][i] for r in rows) for i in range(len(AGE_GROUPS))]
    campaigns = list(
        selectors.campaigns_visible(request.user).filter(session=session)
        if has_permission(request.user, VIEW_CAMPAIGN)
        else []
    )
    return render(
        request,
        "feedback/comms/session_detail.html",
        page(
            request,
            "sessions",
            session=session,
            age_groups=AGE_GROUPS,
            participant_rows=rows,
            column_totals=column_totals,
            total=sum(column_totals),
            attendees=list(session.attendees.select_related("household").order_by("pk")),
            campaigns=campaigns,
            can_manage=allowed(request, session, MANAGE_SESSION),
            can_raise=has_permission(request.user, MANAGE_CAMPAIGN),
        ),
    )


@login_required
@require_POST
def session_campaign(request: HttpRequest, public_id: Any) -> HttpResponse:
    session = session_for(request, public_id)
    require_permission(request, MANAGE_CAMPAIGN)
    try:
        campaign = services.session_raise_campaign(user=request.user, session=session)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("feedback:session_detail", public_id=session.public_id)
    messages.success(
        request, _("A draft campaign to the same place is ready: write its texts and send it.")
    )
    return redirect("feedback:campaign_edit", public_id=campaign.public_id)

"""Campaigns: the list, writing one (texts per language and the audience, with a live
count of who it reaches), its report (delivery figures, refreshing while it sends) and
the actions schedule, send now and cancel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.feedback.forms.comms import (
    TEXT_DIR,
    AudienceForm,
    CampaignForm,
    CancelForm,
    ScheduleForm,
    apply_errors,
)
from sanad.feedback.models import MANAGE_CAMPAIGN, VIEW_CAMPAIGN, Campaign, Language
from sanad.feedback.selectors import comms as selectors
from sanad.feedback.services import campaigns as services
from sanad.feedback.views.comms import allowed, found, page

STATUS = Campaign.Status
ACTIONS = ("schedule", "send", "cancel")


def campaign_for(request: HttpRequest, public_id: Any, permission: str = VIEW_CAMPAIGN) -> Campaign:
    require_permission(request, permission)
    return found(
        selectors.campaign_get, user=request.user, public_id=public_id, permission=permission
    )


class CampaignListView(ScopedListView):
    model = Campaign
    permission = VIEW_CAMPAIGN
    template_name = "feedback/comms/campaign_list.html"
    search_fields = ("name",)
    sort_fields = {
        "name": "name",
        "status": "status",
        "send_at": "send_at",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.select_related("programme", "channel")

    def get_queryset(self) -> QuerySet[Campaign]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in STATUS.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page(
                self.request,
                "campaigns",
                can_manage=has_permission(self.request.user, MANAGE_CAMPAIGN),
                statuses=STATUS.choices,
                status=self.request.GET.get("status", ""),
                search_placeholder=_("Name of the campaign"),
            )
        )
        return ctx


def _form_page(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None = None
) -> HttpResponse:
    return render(
        request,
        "feedback/comms/campaign_form.html",
        page(
            request,
            "campaigns",
            form=form,
            campaign=campaign,
            text_fields=[(form[f"text_{lang}"], d) for lang, d in TEXT_DIR.items()],
        ),
        status=400 if form.errors else 200,
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CAMPAIGN)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(user=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The campaign is saved as a draft. Check who it reaches, then send it.")
            )
            return redirect("feedback:campaign_detail", public_id=campaign.public_id)
    return _form_page(request, form)


@login_required
def campaign_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    campaign = campaign_for(request, public_id, MANAGE_CAMPAIGN)
    if campaign.status not in (STATUS.DRAFT, STATUS.SCHEDULED):
        messages.error(request, _("A campaign can be changed only before it is sent."))
        return redirect("feedback:campaign_detail", public_id=campaign.public_id)
    form = CampaignForm(request.POST or None, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(user=request.user, campaign=campaign, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("feedback:campaign_detail", public_id=campaign.public_id)
    return _form_page(request, form, campaign)


def _audience_labels(campaign: Campaign) -> list[tuple[str, str]]:
    """The audience in words, for the report."""
    from sanad.geo.models import AdminUnit, Place
    from sanad.registry.models import DisplacementStatus, ShelterType
    from sanad.targeting.selectors import lists_all

    audience = campaign.audience or {}
    rows: list[tuple[str, str]] = []
    if audience.get("beneficiary_list"):
        lst = lists_all().filter(public_id=audience["beneficiary_list"]).first()
        rows.append((_("Beneficiary list"), lst.name if lst else "—"))
    if audience.get("governorates"):
        names = AdminUnit.objects.filter(pcode__in=audience["governorates"])
        rows.append((_("Governorates"), ", ".join(u.name for u in names)))
    if audience.get("places"):
        places = Place.objects.filter(public_id__in=audience["places"])
        rows.append((_("Camps and places"), ", ".join(p.name for p in places)))
    if audience.get("displacement_statuses"):
        labels = dict(DisplacementStatus.choices)
        rows.append(
            (
                _("Displacement status"),
                ", ".join(str(labels.get(v, v)) for v in audience["displacement_statuses"]),
            )
        )
    if audience.get("shelter_types"):
        labels = dict(ShelterType.choices)
        rows.append(
            (
                _("Shelter type"),
                ", ".join(str(labels.get(v, v)) for v in audience["shelter_types"]),
            )
        )
    if audience.get("languages"):
        languages: dict[str, Any] = dict(Language.choices)
        rows.append(
            (_("Languages"), ", ".join(str(languages.get(v, v)) for v in audience["languages"]))
        )
    if audience.get("include_contacts_outside_registry"):
        rows.append((_("People outside the registry"), _("included")))
    if not rows:
        rows.append((_("Households"), _("every active household you work with")))
    return [(str(k), str(v)) for k, v in rows]


@login_required
def campaign_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    campaign = campaign_for(request, public_id)
    report = services.campaign_report(campaign)
    campaign.refresh_from_db()
    manage = allowed(request, campaign, MANAGE_CAMPAIGN)
    context = page(
        request,
        "campaigns",
        campaign=campaign,
        report=report,
        live=campaign.status in (STATUS.QUEUING, STATUS.SENDING),
    )
    if request.headers.get("HX-Request"):
        return render(request, "feedback/comms/_campaign_report.html", context)
    preview = None
    if campaign.status in (STATUS.DRAFT, STATUS.SCHEDULED):
        preview = services.campaign_audience_preview(campaign=campaign)
    texts = [
        (label, getattr(campaign, f"text_{code}"), TEXT_DIR[code], code)
        for code, label in Language.choices
    ]
    context.update(
        can_manage=manage,
        can_edit=manage and campaign.status in (STATUS.DRAFT, STATUS.SCHEDULED),
        can_send=manage and campaign.status in (STATUS.DRAFT, STATUS.SCHEDULED),
        can_cancel=manage and STATUS.CANCELLED in Campaign.STATUS_MACHINE.allowed(campaign.status),
        preview=preview,
        texts=texts,
        audience_rows=_audience_labels(campaign),
        schedule_form=ScheduleForm(initial={"send_at": campaign.send_at}),
        cancel_form=CancelForm(),
    )
    return render(request, "feedback/comms/campaign_detail.html", context)


@login_required
@require_GET
def campaign_preview(request: HttpRequest) -> HttpResponse:
    """The counts of who an audience reaches (the campaign form asks as it changes)."""
    require_permission(request, MANAGE_CAMPAIGN)
    form = AudienceForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "feedback/comms/_preview.html",
            {"errors": [str(e) for errs in form.errors.values() for e in errs]},
        )
    texts = {lang: request.GET.get(f"text_{lang}", "") for lang in TEXT_DIR}
    try:
        preview = services.campaign_audience_preview(
            audience=form.audience(), texts=texts, user=request.user
        )
    except ApplicationError as exc:
        return render(request, "feedback/comms/_preview.html", {"errors": [str(exc.message)]})
    return render(request, "feedback/comms/_preview.html", {"preview": preview})


@login_required
@require_POST
def campaign_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    campaign = campaign_for(request, public_id, MANAGE_CAMPAIGN)
    if not allowed(request, campaign, MANAGE_CAMPAIGN):
        raise DjangoPermissionDenied
    back = redirect("feedback:campaign_detail", public_id=campaign.public_id)
    try:
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the day and time to send the campaign."))
                return back
            campaign = services.campaign_schedule(
                user=request.user, campaign=campaign, send_at=form.cleaned_data["send_at"]
            )
            messages.success(request, _("The campaign will be sent at the time chosen."))
        elif action == "send":
            campaign = services.campaign_send_now(user=request.user, campaign=campaign)
            messages.success(
                request,
                _("The messages are being queued; the figures below update as they are sent."),
            )
        else:
            cancel = CancelForm(request.POST)
            if not cancel.is_valid():
                messages.error(request, _("Say why the campaign is cancelled."))
                return back
            campaign = services.campaign_cancel(
                user=request.user, campaign=campaign, reason=cancel.cleaned_data["reason"]
            )
            messages.success(request, _("The campaign is cancelled; nothing more is sent."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return back

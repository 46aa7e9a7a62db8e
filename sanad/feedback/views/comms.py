"""The two-way inbox and contacts: threads by contact (the latest first, unread counts),
a thread with its reply box and a "make a case" button per message received, the
contact list, a contact's page (consent, opt-out and back in) and adding a contact.

Also what the communication pages share: permission checks, look-ups inside the
user's scope (an id outside it is a 404 that reveals nothing) and the tabs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.feedback.forms.comms import ContactForm, OptInForm, ReplyForm, apply_errors
from sanad.feedback.models import (
    LOG_CASE,
    MANAGE_CONTACT,
    MANAGE_SESSION,
    REPLY,
    VIEW_CAMPAIGN,
    VIEW_CASE,
    VIEW_INBOX,
    Contact,
    Message,
)
from sanad.feedback.selectors import comms as selectors
from sanad.feedback.services import contacts as contact_services

THREAD_LIMIT = 300


# --- shared ----------------------------------------------------------------------------------


def allowed(request: HttpRequest, obj: Any, permission: str) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def found(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def url_or_empty(name: str, *args: Any) -> str:
    """The URL of a page another part of the app provides ("" while it does not exist)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def session_permission(user: Any) -> str:
    """Sessions are seen with view_campaign; those who record them (camp managers) see
    them with manage_session."""
    return VIEW_CAMPAIGN if has_permission(user, VIEW_CAMPAIGN) else MANAGE_SESSION


def comms_tabs(request: HttpRequest) -> list[tuple[str, str, str]]:
    """The tabs of the communication pages the user may open."""
    user = request.user
    tabs: list[tuple[str, Any, str]] = []
    if has_permission(user, VIEW_INBOX):
        tabs += [
            ("inbox", _("Inbox"), reverse("feedback:inbox")),
            ("contacts", _("Contacts"), reverse("feedback:contact_list")),
        ]
    if has_permission(user, VIEW_CASE):
        url = url_or_empty("feedback:case_list")
        if url:
            tabs.append(("cases", _("Cases"), url))
    if has_permission(user, VIEW_CAMPAIGN):
        tabs.append(("campaigns", _("Campaigns"), reverse("feedback:campaign_list")))
    if has_permission(user, VIEW_CAMPAIGN) or has_permission(user, MANAGE_SESSION):
        tabs.append(("sessions", _("Community sessions"), reverse("feedback:session_list")))
    if has_permission(user, VIEW_CAMPAIGN):
        url = url_or_empty("feedback:channel_list")
        if url:
            tabs.append(("channels", _("Channels"), url))
    return [(key, str(label), url) for key, label, url in tabs]


def page(request: HttpRequest, tab: str, **context: Any) -> dict[str, Any]:
    return {"tab": tab, "tabs": comms_tabs(request), **context}


def contact_for(request: HttpRequest, public_id: Any, permission: str = VIEW_INBOX) -> Contact:
    require_permission(request, permission)
    return found(
        selectors.contact_get, user=request.user, public_id=public_id, permission=permission
    )


# --- inbox ------------------------------------------------------------------------------------
class InboxView(ScopedListView):
    model = Contact
    permission = VIEW_INBOX
    template_name = "feedback/comms/inbox.html"
    search_fields = ("phone", "name")

    def get_base_queryset(self) -> QuerySet[Contact]:
        return selectors.inbox_threads(
            self.request.user, unread_only=self.request.GET.get("unread") == "1"
        )

    def get_queryset(self) -> QuerySet[Contact]:
        # The threads are already scoped; keep their order (the latest conversation first).
        qs = super().get_queryset()
        return qs.order_by("-last_message_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page(
                self.request,
                "inbox",
                unread=self.request.GET.get("unread") == "1",
                search_placeholder=_("Phone or name"),
            )
        )
        return ctx


def _reply_to(visible: list[Message]) -> Message | None:
    for message in reversed(visible):
        if message.direction == Message.Direction.IN:
            return message
    return None


@login_required
def thread(request: HttpRequest, public_id: Any) -> HttpResponse:
    contact = contact_for(request, public_id)
    can_reply = allowed(request, contact, REPLY)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if not can_reply:
            raise DjangoPermissionDenied
        if form.is_valid():
            from sanad.feedback.services.outbox import message_queue

            visible = list(selectors.thread_messages(request.user, contact))
            try:
                message_queue(
                    contact=contact,
                    text=form.cleaned_data["text"],
                    user=request.user,
                    reply_to=_reply_to(visible),
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The reply is queued; the outbox sends it now."))
                return redirect("feedback:thread", public_id=contact.public_id)
    qs = selectors.thread_messages(request.user, contact)
    total = qs.count()
    thread_messages = list(qs[max(0, total - THREAD_LIMIT) :])
    personal_record_viewed(user=request.user, obj=contact, purpose="inbox", route=request.path)
    if contact.unread and request.method == "GET":
        contact_services.contact_thread_read(contact=contact, user=request.user)
    case_ids = {m.case_id for m in thread_messages if m.case_id}
    visible_cases: set[int] = set()
    if case_ids:
        from sanad.feedback.selectors.sensitivity import cases_for

        visible_cases = set(
            cases_for(request.user).filter(pk__in=case_ids).values_list("pk", flat=True)
        )
    may, reason = contact_services.contact_may_receive(contact)
    return render(
        request,
        "feedback/comms/thread.html",
        page(
            request,
            "inbox",
            contact=contact,
            thread_messages=thread_messages,
            earlier=max(0, total - THREAD_LIMIT),
            visible_cases=visible_cases,
            form=form if can_reply else None,
            may_receive=may,
            refusal=reason,
            can_log_case=has_permission(request.user, LOG_CASE),
            case_create_url=url_or_empty("feedback:case_create"),
        ),
        status=400 if form.errors else 200,
    )


# --- contacts ---------------------------------------------------------------------------------
class ContactListView(ScopedListView):
    model = Contact
    permission = VIEW_INBOX
    template_name = "feedback/comms/contact_list.html"
    search_fields: tuple[str, ...] = ("name",)
    sort_fields = {"name": "name", "phone": "phone", "last": "last_message_at"}
    default_sort = "-last"

    def get_base_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.select_related("governorate", "place")

    def get_queryset(self) -> QuerySet[Contact]:
        query = self.request.GET.get("q", "").strip()
        digits = "".join(ch for ch in query.translate(_DIGITS) if ch.isdigit())
        if len(digits) >= 4:
            # A phone number typed any way (07…, +964 7…, with spaces): match on its digits.
            self.search_fields = ()
            qs = super().get_queryset().filter(phone__contains=digits.lstrip("0")[-10:])
            self.search = query
            self.search_fields = type(self).search_fields
        else:
            qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status == "opted_out":
            qs = qs.filter(opted_out_at__isnull=False)
        elif status == "active":
            qs = qs.filter(opted_out_at__isnull=True)
        source = self.request.GET.get("source", "")
        if source in Contact.Source.values:
            qs = qs.filter(source=source)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page(
                self.request,
                "contacts",
                can_manage=has_permission(self.request.user, MANAGE_CONTACT),
                sources=Contact.Source.choices,
                source=self.request.GET.get("source", ""),
                status=self.request.GET.get("status", ""),
                search_placeholder=_("Phone or name"),
            )
        )
        return ctx


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@login_required
def contact_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_CONTACT)
    form = ContactForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_services.contact_create(user=request.user, data=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The contact is saved."))
            return redirect("feedback:contact_detail", public_id=contact.public_id)
    return render(
        request,
        "feedback/comms/contact_form.html",
        page(request, "contacts", form=form),
        status=400 if form.errors else 200,
    )


@login_required
def contact_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    contact = contact_for(request, public_id)
    personal_record_viewed(user=request.user, obj=contact, purpose="contact", route=request.path)
    may, reason = contact_services.contact_may_receive(contact)
    consent = None
    if contact.household_id:
        from sanad.registry.models import Consent

        consent = Consent.objects.filter(
            household_id=contact.household_id, purpose=Consent.Purpose.COMMUNICATION
        ).first()
    household_url = ""
    if contact.household is not None and has_permission(request.user, "registry.view_household"):
        household_url = url_or_empty("registry:household_detail", contact.household.public_id)
    recent = list(selectors.thread_messages(request.user, contact).order_by("-created_at")[:5])
    return render(
        request,
        "feedback/comms/contact_detail.html",
        page(
            request,
            "contacts",
            contact=contact,
            may_receive=may,
            refusal=reason,
            consent=consent,
            household_url=household_url,
            recent=recent,
            cases=list(selectors.contact_cases(request.user, contact)[:10]),
            can_manage=allowed(request, contact, MANAGE_CONTACT),
            opt_in_form=OptInForm(),
        ),
    )


@login_required
@require_POST
def contact_opt_out(request: HttpRequest, public_id: Any) -> HttpResponse:
    contact = contact_for(request, public_id, MANAGE_CONTACT)
    try:
        contact_services.contact_opt_out(contact=contact, via="staff", user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Nothing more will be sent to this person."))
    return redirect("feedback:contact_detail", public_id=contact.public_id)


@login_required
@require_POST
def contact_opt_in(request: HttpRequest, public_id: Any) -> HttpResponse:
    contact = contact_for(request, public_id, MANAGE_CONTACT)
    form = OptInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the person agreed to receive messages again."))
        return redirect("feedback:contact_detail", public_id=contact.public_id)
    try:
        contact_services.contact_opt_in(
            contact=contact,
            user=request.user,
            consent_recorded_on=form.cleaned_data["consent_recorded_on"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The person will receive messages again."))
    return redirect("feedback:contact_detail", public_id=contact.public_id)

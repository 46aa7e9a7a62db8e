"""Writes of the complaints and feedback mechanism: logging a case from any channel,
its life (acknowledge, assign, refer, respond, close, reopen, notes, a new category)
and the escalation of overdue cases.

Every write reaches the case through `cases_for(user, MANAGE_CASE)`, so a restricted
case (an abuse report, a conduct complaint) cannot be touched — or even found — by
someone who may not know it exists. A sexual exploitation or abuse report is routed to
the PSEA focal points the moment it is logged (a note on the case and an e-mail that
says nothing but the reference and a link)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.accounts.roles import ROLE_PERMISSIONS, Role
from sanad.core.errors import Conflict, NotFound, PermissionDenied, field_error
from sanad.core.scoping import has_permission
from sanad.feedback.models import (
    HANDLE_PSEA,
    LOG_CASE,
    MANAGE_CASE,
    MANAGE_CHANNEL,
    SENSITIVITY_OF_CATEGORY,
    VIEW_CASE,
    Case,
    CaseNote,
    Category,
    Channel,
    Message,
    ResponseStandard,
    Sensitivity,
)
from sanad.feedback.selectors.sensitivity import cases_for
from sanad.geo.models import AdminUnit
from sanad.geo.selectors import governorates_within

logger = logging.getLogger(__name__)

STATUS = Case.Status
OPEN_STATUSES = (STATUS.NEW, STATUS.ACKNOWLEDGED, STATUS.ASSIGNED, STATUS.REFERRED)
# Escalation levels: 1 = not acknowledged in time, 2 = not answered in time, then one
# more level for each further week without an answer (capped).
LEVEL_ACK, LEVEL_RESPOND, LEVEL_MAX = 1, 2, 5
ESCALATE_EVERY = datetime.timedelta(days=7)
# Fallback when a category has no response standard (the data migration adds them all).
DEFAULT_ACK_HOURS, DEFAULT_RESPOND_DAYS = 48, 14

PERSON_FIELDS = (
    "contact",
    "household",
    "individual",
    "caller_name",
    "caller_phone",
)


# --- helpers -------------------------------------------------------------------------------


def _governorate_of(unit: AdminUnit | None) -> AdminUnit | None:
    if unit is None:
        return None
    if unit.level == AdminUnit.Level.GOVERNORATE:
        return unit
    return unit.governorate


def deadlines(category: str, received_at: datetime.datetime) -> tuple[Any, Any]:
    """(acknowledge by, respond by) of a case of `category` received at `received_at`."""
    standard = ResponseStandard.objects.filter(category=category).first()
    ack_hours = standard.acknowledge_hours if standard else DEFAULT_ACK_HOURS
    respond_days = standard.respond_days if standard else DEFAULT_RESPOND_DAYS
    return (
        received_at + datetime.timedelta(hours=ack_hours),
        received_at + datetime.timedelta(days=respond_days),
    )


def _users_with(permissions: Iterable[str]) -> Any:
    """Active users holding (through a current role assignment) every one of `permissions`."""
    wanted = set(permissions)
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if wanted <= set(perms)]
    today = timezone.localdate()
    current = Q(role_assignments__expires_on__isnull=True) | Q(
        role_assignments__expires_on__gte=today
    )
    return (
        get_user_model()
        .objects.filter(current, is_active=True, role_assignments__role__in=roles)
        .distinct()
        .order_by("pk")
    )


def _who_can_see(case: Case, candidates: Iterable[Any]) -> list[Any]:
    return [u for u in candidates if cases_for(u).filter(pk=case.pk).exists()]


def case_link(case: Case) -> str:
    path = reverse("feedback:case_detail", kwargs={"public_id": case.public_id})
    return getattr(settings, "SANAD_BASE_URL", "").rstrip("/") + path


def _mail(users: Iterable[Any], subject: Any, body: Any, case: Case) -> None:
    """One e-mail per person, in their language. Only the reference and a link: the
    content of a case never leaves Sanad by e-mail."""
    for user in users:
        if not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            params = {"reference": case.reference, "link": case_link(case)}
            try:
                send_mail(
                    str(subject) % params,
                    str(body) % params,
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
            except Exception:  # pragma: no cover - the mail server is the outside world
                logger.exception("feedback: e-mail about case %s failed", case.reference)


def _notify_focal_points(case_pk: int) -> None:
    case = Case.objects.filter(pk=case_pk).first()
    if case is None:
        return
    focal_points = _who_can_see(case, _users_with([HANDLE_PSEA, MANAGE_CASE]))
    _mail(
        focal_points,
        _lazy("Sanad: a report for the PSEA focal points (%(reference)s)"),
        _lazy(
            "A report for the PSEA focal points was logged in Sanad: %(reference)s.\n"
            "Open it there (sign in first): %(link)s\n"
        ),
        case,
    )


def _lazy(text: str) -> Any:
    from django.utils.translation import gettext_lazy

    return gettext_lazy(text)


def _route_psea(case: Case, user: Any) -> None:
    CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.ROUTED,
        text=_("Routed to the PSEA focal points."),
        author=user if getattr(user, "pk", None) else None,
    )
    transaction.on_commit(lambda: _notify_focal_points(case.pk))


def _reach(user: Any, case: Case, permission: str = MANAGE_CASE) -> Case:
    """The case again, as `user` may act on it with `permission`; a case they may not
    see is not found, one they see but may not change is refused."""
    found = cases_for(user, permission).filter(pk=case.pk).select_for_update(of=("self",)).first()
    if found is None:
        if cases_for(user, VIEW_CASE).filter(pk=case.pk).exists():
            raise PermissionDenied(
                _("Your role does not allow you to change this case."), code="cannot_manage_case"
            )
        raise NotFound()
    return found


def _now_or(value: Any, field: str) -> datetime.datetime:
    now = timezone.now()
    if value is None:
        return now
    if value > now + datetime.timedelta(minutes=5):
        raise field_error(field, _("This date and time is in the future."), "in_future")
    return value


# --- logging a case -------------------------------------------------------------------------
def case_log(*, user: Any, data: dict[str, Any], message: Message | None = None) -> Case:
    """Record a case. `data`: channel, category, programme, place or admin_unit,
    anonymous, contact or household/individual, caller_name, caller_phone, caller_sex,
    caller_age_group, description, preferred_response, received_at, beneficiary_list.
    From an inbound `message`, the contact, channel, text and time default to the
    message's, and the message is linked to the case."""
    if not has_permission(user, LOG_CASE):
        raise PermissionDenied()
    data = dict(data)
    with transaction.atomic():
        if message is not None:
            message = Message.objects.select_for_update().get(pk=message.pk)
            if message.direction != Message.Direction.IN:
                raise field_error(
                    "message", _("Only a received message can become a case."), "not_inbound"
                )
            if message.case_id is not None:
                raise Conflict(_("This message is already a case."), code="message_already_a_case")
            data.setdefault("contact", message.contact)
            if not data.get("channel"):
                data["channel"] = message.channel
            if not (data.get("description") or "").strip():
                data["description"] = message.text
            if not data.get("received_at"):
                data["received_at"] = message.created_at
        case = _build(user, data)
        case.save()
        if message is not None:
            Message.objects.filter(pk=message.pk).update(case=case)
        if case.sensitivity == Sensitivity.PSEA:
            _route_psea(case, user)
    return case


def _build(user: Any, data: dict[str, Any]) -> Case:
    category = data.get("category") or ""
    if category not in Category.values:
        raise field_error("category", _("Choose the category of the case."), "category_required")
    channel = data.get("channel")
    if not isinstance(channel, Channel):
        raise field_error(
            "channel", _("Choose the channel the case came through."), "channel_required"
        )
    if not channel.active:
        raise field_error(
            "channel", _("This channel is no longer in use: choose another."), "channel_inactive"
        )
    description = (data.get("description") or "").strip()
    if not description:
        raise field_error(
            "description", _("Write down what the person said."), "description_required"
        )
    received_at = _now_or(data.get("received_at"), "received_at")
    anonymous = bool(data.get("anonymous"))

    person: dict[str, Any] = {name: data.get(name) for name in PERSON_FIELDS}
    if anonymous:
        # Nothing that identifies the person is kept, not even a phone to answer on.
        person = {"contact": None, "household": None, "individual": None}
        person.update(caller_name="", caller_phone="")
    else:
        phone = (person.get("caller_phone") or "").strip()
        if phone:
            from sanad.core.text import normalise_phone

            try:
                phone = normalise_phone(phone)
            except ValueError:
                raise field_error(
                    "caller_phone",
                    _("Write an Iraqi mobile number, such as 0750 123 4567."),
                    "invalid_phone",
                ) from None
        person["caller_phone"] = phone
        person["caller_name"] = (person.get("caller_name") or "").strip()
        contact = person.get("contact")
        if contact is not None and not person["caller_phone"]:
            person["caller_phone"] = contact.phone
        if person.get("individual") is not None and person.get("household") is None:
            person["household"] = person["individual"].household
        household = person.get("household")
        if household is not None:
            from sanad.registry.selectors import households_visible_to

            if not households_visible_to(user).filter(pk=household.pk).exists():
                raise field_error(
                    "household", _("This household is not in your scope."), "household_out_of_scope"
                )

    place = data.get("place")
    admin_unit = data.get("admin_unit") or (place.admin_unit if place is not None else None)
    household = person.get("household")
    if place is None and admin_unit is None and household is not None:
        place, admin_unit = household.place, household.admin_unit
    contact = person.get("contact")
    governorate = _governorate_of(admin_unit)
    if governorate is None and household is not None:
        governorate = household.governorate
    if governorate is None and contact is not None:
        governorate = contact.governorate
    reach = governorates_within(user, LOG_CASE)
    if reach is not None and (governorate is None or governorate.pcode not in reach):
        message = (
            _("Choose the place: your role covers only some governorates.")
            if governorate is None
            else _("You cannot log a case in %(place)s: your role covers other governorates.")
            % {"place": governorate.name}
        )
        raise field_error("admin_unit", message, "outside_scope")
    programme = data.get("programme")
    if programme is not None:
        from sanad.core.scoping import grants_for

        grants = grants_for(user, LOG_CASE)
        if not any(g.all_programmes or programme.code in g.programmes for g in grants):
            raise field_error(
                "programme",
                _("You cannot log a case for this programme: your role covers others."),
                "programme_out_of_scope",
            )
    beneficiary_list = (
        data.get("beneficiary_list") if category == Category.EXCLUSION_APPEAL else None
    )
    ack_due, due = deadlines(category, received_at)
    return Case(
        channel=channel,
        category=category,
        sensitivity=SENSITIVITY_OF_CATEGORY.get(category, Sensitivity.NORMAL),
        programme=programme,
        place=place,
        admin_unit=admin_unit,
        governorate=governorate,
        anonymous=anonymous,
        beneficiary_list=beneficiary_list,
        caller_sex=data.get("caller_sex") or "",
        caller_age_group=data.get("caller_age_group") or "",
        description=description,
        preferred_response=data.get("preferred_response") or Case.PreferredResponse.CALL,
        received_at=received_at,
        acknowledge_due_at=ack_due,
        due_at=due,
        created_by=user if getattr(user, "pk", None) else None,
        updated_by=user if getattr(user, "pk", None) else None,
        **person,
    )


# --- the life of a case ------------------------------------------------------------------------
def _note(case: Case, user: Any, text: str, kind: str = CaseNote.Kind.NOTE) -> CaseNote:
    return CaseNote.objects.create(
        case=case, kind=kind, text=text, author=user if getattr(user, "pk", None) else None
    )


def _move(case: Case, user: Any, to: str, reason: str = "", extra: Iterable[str] = ()) -> Case:
    case.updated_by = user if getattr(user, "pk", None) else None
    Case.STATUS_MACHINE.transition(
        case, to=to, by=user, reason=reason, extra_updates=[*extra, "updated_by"]
    )
    return case


def case_acknowledge(*, user: Any, case: Case) -> Case:
    with transaction.atomic():
        case = _reach(user, case)
        case.acknowledged_at = case.acknowledged_at or timezone.now()
        return _move(case, user, STATUS.ACKNOWLEDGED, extra=["acknowledged_at"])


def case_assign(*, user: Any, case: Case, assignee: Any = None, team: str = "") -> Case:
    team = (team or "").strip()
    if assignee is None and not team:
        raise field_error("assignee", _("Choose a person or write a team."), "assignee_required")
    with transaction.atomic():
        case = _reach(user, case)
        if (
            assignee is not None
            and not cases_for(assignee, MANAGE_CASE).filter(pk=case.pk).exists()
        ):
            raise field_error(
                "assignee",
                _("%(name)s cannot see or handle this case: choose someone else.")
                % {"name": str(assignee)},
                "assignee_cannot_see",
            )
        case.assignee = assignee
        case.team = team
        case.acknowledged_at = case.acknowledged_at or timezone.now()
        reason = str(assignee) if assignee is not None else team
        return _move(
            case,
            user,
            STATUS.ASSIGNED,
            reason=reason,
            extra=["assignee", "team", "acknowledged_at"],
        )


def case_refer(*, user: Any, case: Case, organisation: Any, note: str = "") -> Case:
    if organisation is None:
        raise field_error(
            "organisation", _("Choose the organisation the case goes to."), "organisation_required"
        )
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("Write what was passed on and why."), "referral_note_required")
    with transaction.atomic():
        case = _reach(user, case)
        case.referred_to = organisation
        case.referral_note = note
        case.acknowledged_at = case.acknowledged_at or timezone.now()
        return _move(
            case,
            user,
            STATUS.REFERRED,
            reason=str(organisation),
            extra=["referred_to", "referral_note", "acknowledged_at"],
        )


def case_respond(
    *, user: Any, case: Case, response: str, responded_at: datetime.datetime | None = None
) -> Case:
    response = (response or "").strip()
    if not response:
        raise field_error(
            "response", _("Write the answer given to the person."), "response_required"
        )
    responded_at = _now_or(responded_at, "responded_at")
    with transaction.atomic():
        case = _reach(user, case)
        if responded_at < case.received_at:
            raise field_error(
                "responded_at",
                _("The answer cannot come before the case was received."),
                "before_received",
            )
        if case.status == STATUS.NEW:
            case.acknowledged_at = case.acknowledged_at or responded_at
            _move(case, user, STATUS.ACKNOWLEDGED, extra=["acknowledged_at"])
        case.response = response
        case.responded_at = responded_at
        return _move(case, user, STATUS.RESPONDED, extra=["response", "responded_at"])


def case_close(
    *,
    user: Any,
    case: Case,
    loop_closed: bool,
    closing_note: str = "",
    satisfaction: int | None = None,
) -> Case:
    closing_note = (closing_note or "").strip()
    if not loop_closed and not closing_note:
        raise field_error(
            "closing_note",
            _("Say why the person could not confirm the answer (not reachable, refused…)."),
            "closing_note_required",
        )
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise field_error("satisfaction", _("Satisfaction is from 1 to 5."), "invalid_satisfaction")
    with transaction.atomic():
        case = _reach(user, case)
        if case.status != STATUS.RESPONDED:
            raise field_error(
                "loop_closed",
                _("Record the answer given before closing the case."),
                "not_responded",
            )
        case.loop_closed = bool(loop_closed)
        case.closing_note = closing_note
        case.satisfaction = satisfaction
        case.closed_at = timezone.now()
        return _move(
            case,
            user,
            STATUS.CLOSED,
            reason=closing_note,
            extra=["loop_closed", "closing_note", "satisfaction", "closed_at"],
        )


def case_reopen(*, user: Any, case: Case, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the case is opened again."), "reason_required")
    with transaction.atomic():
        case = _reach(user, case)
        if case.status != STATUS.CLOSED:
            raise field_error("reason", _("Only a closed case can be opened again."), "not_closed")
        case.closed_at = None
        case.loop_closed = None
        _note(case, user, _("Opened again: %(reason)s") % {"reason": reason})
        return _move(
            case, user, STATUS.ACKNOWLEDGED, reason=reason, extra=["closed_at", "loop_closed"]
        )


def case_note_add(*, user: Any, case: Case, text: str, kind: str = CaseNote.Kind.NOTE) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Write the note."), "note_required")
    if kind not in (CaseNote.Kind.NOTE, CaseNote.Kind.CALL):
        raise field_error("kind", _("Choose a note or a call."), "invalid_note_kind")
    with transaction.atomic():
        case = _reach(user, case)
        return _note(case, user, text, kind)


def case_recategorise(*, user: Any, case: Case, category: str, reason: str = "") -> Case:
    """A new category, hence perhaps a new sensitivity: the user may lose sight of the
    case (an abuse report goes to the focal points and is routed like a new one)."""
    if category not in Category.values:
        raise field_error("category", _("Choose the new category."), "category_required")
    reason = (reason or "").strip()
    with transaction.atomic():
        case = _reach(user, case)
        if category == case.category:
            raise field_error("category", _("The case already has this category."), "same_category")
        old = case.get_category_display()
        case.category = category
        case.sensitivity = SENSITIVITY_OF_CATEGORY.get(category, Sensitivity.NORMAL)
        fields = ["category", "sensitivity", "updated_by"]
        if case.responded_at is None:
            case.acknowledge_due_at, case.due_at = deadlines(category, case.received_at)
            fields += ["acknowledge_due_at", "due_at"]
        case.updated_by = user if getattr(user, "pk", None) else None
        case.save(update_fields=[*fields, "updated_at"])
        text = _("Category changed from “%(old)s” to “%(new)s”.") % {
            "old": old,
            "new": case.get_category_display(),
        }
        _note(case, user, f"{text} {reason}".strip(), CaseNote.Kind.RECATEGORISED)
        if case.sensitivity == Sensitivity.PSEA:
            _route_psea(case, user)
    return case


ACTIONS = ("acknowledge", "assign", "refer", "respond", "close", "reopen", "note", "recategorise")


def case_transition(*, user: Any, case: Case, action: str, data: dict[str, Any]) -> Any:
    """One entry for the pages and the API: `action` with its fields in `data`."""
    if action == "acknowledge":
        return case_acknowledge(user=user, case=case)
    if action == "assign":
        return case_assign(
            user=user, case=case, assignee=data.get("assignee"), team=data.get("team", "")
        )
    if action == "refer":
        return case_refer(
            user=user, case=case, organisation=data.get("organisation"), note=data.get("note", "")
        )
    if action == "respond":
        return case_respond(
            user=user,
            case=case,
            response=data.get("response", ""),
            responded_at=data.get("responded_at"),
        )
    if action == "close":
        return case_close(
            user=user,
            case=case,
            loop_closed=bool(data.get("loop_closed")),
            closing_note=data.get("closing_note", ""),
            satisfaction=data.get("satisfaction"),
        )
    if action == "reopen":
        return case_reopen(user=user, case=case, reason=data.get("reason", ""))
    if action == "note":
        return case_note_add(
            user=user,
            case=case,
            text=data.get("text", ""),
            kind=data.get("kind") or CaseNote.Kind.NOTE,
        )
    if action == "recategorise":
        return case_recategorise(
            user=user, case=case, category=data.get("category", ""), reason=data.get("reason", "")
        )
    raise field_error("action", _("Unknown action."), "unknown_action")


# --- escalation --------------------------------------------------------------------------------
def escalation_level_due(case: Case, now: datetime.datetime) -> int:
    """The level a case should be at `now` (0: on time)."""
    level = 0
    if case.status in OPEN_STATUSES:
        if case.due_at is not None and now > case.due_at:
            weeks = int((now - case.due_at) / ESCALATE_EVERY)
            level = min(LEVEL_RESPOND + weeks, LEVEL_MAX)
        elif (
            case.acknowledged_at is None
            and case.acknowledge_due_at is not None
            and now > case.acknowledge_due_at
        ):
            level = LEVEL_ACK
    return level


def cases_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Raise the escalation level of every overdue case (not acknowledged in time, or
    not answered in time), with a note and an e-mail to the assignee and the managers
    who may see it. Idempotent: a case is escalated once per level."""
    now = now or timezone.now()
    candidates = Case.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(due_at__lt=now) | Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
    )
    escalated = 0
    managers: list[Any] | None = None
    for case in candidates.select_related("assignee").iterator():
        level = escalation_level_due(case, now)
        if level <= case.escalation_level:
            continue
        with transaction.atomic():
            changed = Case.objects.filter(
                pk=case.pk, escalation_level=case.escalation_level
            ).update(escalation_level=level, escalated_at=now)
            if not changed:
                continue
            text = (
                _("Not acknowledged in time: escalated.")
                if level == LEVEL_ACK
                else _("Not answered in time: escalated (level %(level)s).") % {"level": level}
            )
            _note(case, None, text, CaseNote.Kind.ESCALATED)
            case.escalation_level = level
            if managers is None:
                managers = list(_users_with([MANAGE_CASE, MANAGE_CHANNEL])) + list(
                    _users_with([MANAGE_CASE, HANDLE_PSEA])
                )
            people = {u.pk: u for u in managers}
            if case.assignee is not None and case.assignee.is_active:
                people[case.assignee.pk] = case.assignee
            recipients = _who_can_see(case, people.values())
            transaction.on_commit(partial(_mail_escalation, case.pk, recipients))
        escalated += 1
    return escalated


def _mail_escalation(case_pk: int, recipients: list[Any]) -> None:
    case = Case.objects.filter(pk=case_pk).first()
    if case is None:
        return
    _mail(
        recipients,
        _lazy("Sanad: case %(reference)s is overdue"),
        _lazy(
            "Case %(reference)s has not been answered in time and was escalated.\n"
            "Open it in Sanad (sign in first): %(link)s\n"
        ),
        case,
    )


# --- response standards ------------------------------------------------------------------------
def response_standards_update(*, user: Any, values: dict[str, tuple[int, int]]) -> int:
    """Set the deadlines per category: {category: (acknowledge hours, respond days)}.
    New cases use them; existing cases keep the deadlines they were given."""
    if not has_permission(user, MANAGE_CHANNEL):
        raise PermissionDenied()
    changed = 0
    with transaction.atomic():
        for category, (hours, days) in values.items():
            if category not in Category.values:
                continue
            if hours is None or days is None or int(hours) < 1 or int(days) < 1:
                raise field_error(
                    category, _("Give at least 1 hour and 1 day."), "invalid_standard"
                )
            standard, created = ResponseStandard.objects.get_or_create(
                category=category,
                defaults={"acknowledge_hours": int(hours), "respond_days": int(days)},
            )
            if created or (standard.acknowledge_hours, standard.respond_days) != (
                int(hours),
                int(days),
            ):
                standard.acknowledge_hours, standard.respond_days = int(hours), int(days)
                standard.save()
                changed += 1
    return changed


# Shown to the person who logged or re-categorised a case they can no longer see.
ROLE_OF_SENSITIVITY = {
    Sensitivity.PSEA: Role.PSEA_FOCAL_POINT,
    Sensitivity.MANAGERS: Role.FEEDBACK_MANAGER,
}

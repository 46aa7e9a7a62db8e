"""Care-and-maintenance tickets: raise (by staff, from an inspection, from a residents'
feedback case, from a preventive schedule), triage, assign, record the work with
photos, verify (a second person) or send back, reject.

new → triaged → assigned → done → verified (closed); new/triaged → rejected;
done → assigned (sent back with a reason). The due time follows the priority
(urgent 24 h, high 3 days, normal 7 days, low 30 days) from when the ticket was raised.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.camps.models import (
    MANAGE_TICKET,
    RAISE_TICKET,
    WORK_TICKET,
    Asset,
    Condition,
    Site,
    Ticket,
    TicketPhoto,
)
from sanad.camps.services import ticket_photos
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    field_error,
)
from sanad.core.scoping import can_reach, has_permission, scoped

Status = Ticket.Status
Priority = Ticket.Priority
OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.DONE)
# Overdue means the work is not done yet: a ticket awaiting verification is not late.
WORK_PENDING = (Status.NEW, Status.TRIAGED, Status.ASSIGNED)
DUE_AFTER: dict[str, datetime.timedelta] = {
    Priority.URGENT: datetime.timedelta(hours=24),
    Priority.HIGH: datetime.timedelta(days=3),
    Priority.NORMAL: datetime.timedelta(days=7),
    Priority.LOW: datetime.timedelta(days=30),
}
MAX_PHOTOS = 10


def due_at_for(priority: str, raised_at: datetime.datetime) -> datetime.datetime:
    return raised_at + DUE_AFTER.get(priority, DUE_AFTER[Priority.NORMAL])


def _require(user: Any, obj: Any, permission: str) -> None:
    """Role, then scope: a record out of reach is not found, one within reach but not
    for this role is refused."""
    if not has_permission(user, permission):
        raise PermissionDenied(code="permission_denied")
    if not can_reach(user, obj, permission):
        raise NotFound()


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _next_number(year: int) -> str:
    prefix = f"CM-{year}-"
    last = (
        Ticket.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def _choice(data: dict[str, Any], field: str, choices: Any, default: str | None = None) -> str:
    value = str(data.get(field) or default or "")
    if value not in choices.values:
        raise field_error(field, _("Choose a value from the list."), f"invalid_{field}")
    return value


def _clean_photos(photos: Iterable[Any] | None) -> list[ticket_photos.CleanPhoto]:
    uploads = [p for p in (photos or []) if p]
    if len(uploads) > MAX_PHOTOS:
        raise field_error(
            "photos",
            _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS},
            "too_many_photos",
        )
    return [ticket_photos.clean_photo(p) for p in uploads]


def _save_photos(
    ticket: Ticket, photos: list[ticket_photos.CleanPhoto], stage: str, user: Any, written: list
) -> None:
    for photo in photos:
        relative = ticket_photos.store(ticket.public_id, photo)
        written.append(relative)
        TicketPhoto.objects.create(
            ticket=ticket,
            stage=stage,
            path=relative,
            content_type=photo.content_type,
            taken_by=user if getattr(user, "pk", None) else None,
        )


def _create(
    *,
    user: Any,
    site: Site,
    title: str,
    description: str,
    category: str,
    priority: str,
    source: str,
    asset: Asset | None = None,
    photos: list[ticket_photos.CleanPhoto] = (),  # type: ignore[assignment]
    **extra: Any,
) -> Ticket:
    """Insert a ticket with the next free number (a concurrent insert of the same
    number is retried), its problem photos written once the row exists."""
    now = timezone.now()
    written: list[str] = []
    try:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    ticket = Ticket.objects.create(
                        number=_next_number(timezone.localdate().year),
                        site=site,
                        asset=asset,
                        source=source,
                        title=title,
                        description=description,
                        category=category,
                        priority=priority,
                        due_at=due_at_for(priority, now),
                        created_by=user if getattr(user, "pk", None) else None,
                        **extra,
                    )
                    _save_photos(ticket, list(photos), TicketPhoto.Stage.PROBLEM, user, written)
                    return ticket
            except IntegrityError:
                if extra.get("case_public_id") or extra.get("schedule"):
                    raise  # once per case or per schedule date: not a numbering race
                ticket_photos.remove(written)
                written.clear()
        raise Conflict(_("Could not number the ticket. Try again."), code="ticket_number_busy")
    except BaseException:
        ticket_photos.remove(written)
        raise


def _text(data: dict[str, Any], field: str, *, required: bool, max_length: int) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        labels = {"title": _("Say what is wrong.")}
        raise field_error(
            field, labels.get(field, _("This field is required.")), f"{field}_required"
        )
    if len(value) > max_length:
        raise field_error(
            field,
            _("Shorten this to %(n)d characters.") % {"n": max_length},
            f"{field}_too_long",
        )
    return value


def ticket_raise(
    *,
    user: Any,
    site: Site,
    data: dict[str, Any],
    source: str = Ticket.Source.STAFF,
    asset: Asset | None = None,
) -> Ticket:
    """Raise a ticket on a site (optionally on one of its assets), with the problem's
    photos (`data["photos"]`, optional). `data["asset_condition"]` records the asset's
    condition as found."""
    _require(user, site, RAISE_TICKET)
    if source not in (Ticket.Source.STAFF, Ticket.Source.INSPECTION):
        raise field_error("source", _("Choose staff or inspection."), "invalid_source")
    if asset is not None and asset.site_id != site.pk:
        raise field_error("asset", _("The asset is on another site."), "asset_other_site")
    title = _text(data, "title", required=True, max_length=200)
    description = _text(data, "description", required=False, max_length=5000)
    category = _choice(
        data, "category", Ticket.Category, default=_category_of(asset) or Ticket.Category.OTHER
    )
    priority = _choice(data, "priority", Priority, default=Priority.NORMAL)
    condition = data.get("asset_condition") or ""
    if condition and condition not in Condition.values:
        raise field_error(
            "asset_condition", _("Choose a value from the list."), "invalid_condition"
        )
    photos = _clean_photos(data.get("photos"))
    with transaction.atomic():
        ticket = _create(
            user=user,
            site=site,
            title=title,
            description=description,
            category=category,
            priority=priority,
            source=source,
            asset=asset,
            photos=photos,
        )
        if asset is not None and condition and condition != asset.condition:
            asset.condition = condition
            asset.save(update_fields=["condition", "updated_at"])
    return ticket


_CATEGORY_OF_KIND: dict[str, str] = {
    Asset.Kind.ELECTRICAL: Ticket.Category.ELECTRICITY,
    Asset.Kind.LIGHTING: Ticket.Category.ELECTRICITY,
    Asset.Kind.WATER_POINT: Ticket.Category.WATER,
    Asset.Kind.TAP: Ticket.Category.WATER,
    Asset.Kind.PIPE: Ticket.Category.WATER,
    Asset.Kind.LATRINE: Ticket.Category.SANITATION,
    Asset.Kind.SHOWER: Ticket.Category.SANITATION,
    Asset.Kind.ROAD: Ticket.Category.ROADS,
    Asset.Kind.DRAINAGE: Ticket.Category.ROADS,
}


def _category_of(asset: Asset | None) -> str | None:
    if asset is None:
        return None
    return _CATEGORY_OF_KIND.get(asset.kind, Ticket.Category.OTHER)


def category_for_asset_kind(kind: str) -> str:
    return _CATEGORY_OF_KIND.get(kind, Ticket.Category.OTHER)


# --- from a residents' feedback case ----------------------------------------------------


def visible_case(*, user: Any, case_public_id: Any) -> Any:
    """The feedback case as `user` may see it (through feedback's one filter), else
    NotFound: an abuse report is never found by someone who may not know of it."""
    from sanad.feedback.selectors import cases_for

    case = (
        cases_for(user).filter(public_id=case_public_id).select_related("place").first()
        if case_public_id
        else None
    )
    if case is None:
        raise NotFound()
    return case


def ticket_for_case(case_public_id: Any) -> Ticket | None:
    return Ticket.objects.filter(case_public_id=case_public_id).first()


def site_of_case(case: Any) -> Site | None:
    if case.place_id is None:
        return None
    return Site.objects.filter(place_id=case.place_id).first()


def neutral_title(case: Any) -> str:
    return _("Maintenance requested through feedback case %(reference)s") % {
        "reference": case.reference
    }


def _already(ticket: Ticket) -> Conflict:
    return Conflict(
        _("This case already has maintenance ticket %(number)s. Open it instead.")
        % {"number": ticket.number},
        code="case_has_ticket",
        params={"ticket": ticket.number, "public_id": str(ticket.public_id)},
    )


def ticket_from_case(
    *,
    user: Any,
    case_public_id: Any,
    site: Site | None = None,
    data: dict[str, Any] | None = None,
) -> Ticket:
    """Turn a resident's complaint into a ticket. The case is read through
    `feedback.selectors.cases_for(user)` (NotFound when the user may not see it); the
    ticket gets a neutral title unless one is given, and the case's own words (personal
    data) only when `data["copy_description"]` is true: the user confirmed it on the
    form. One ticket per case; a note on the case says which ticket, when the user may
    write notes on it."""
    data = dict(data or {})
    if not has_permission(user, RAISE_TICKET):
        raise PermissionDenied(code="permission_denied")
    case = visible_case(user=user, case_public_id=case_public_id)
    existing = ticket_for_case(case.public_id)
    if existing is not None:
        raise _already(existing)
    site = site or site_of_case(case)
    if site is None:
        raise field_error(
            "site",
            _("The case is not about a known site. Choose the site of the repair."),
            "site_required",
        )
    if not can_reach(user, site, RAISE_TICKET):
        raise field_error("site", _("You cannot raise tickets on this site."), "site_out_of_reach")
    asset = data.get("asset")
    if asset is not None and asset.site_id != site.pk:
        raise field_error("asset", _("The asset is on another site."), "asset_other_site")
    title = _text(data, "title", required=False, max_length=200) or neutral_title(case)
    description = _text(data, "description", required=False, max_length=5000)
    if data.get("copy_description"):
        description = "\n\n".join(x for x in (description, case.description or "") if x)
    category = _choice(data, "category", Ticket.Category, default=_category_of(asset) or "other")
    priority = _choice(data, "priority", Priority, default=Priority.NORMAL)
    photos = _clean_photos(data.get("photos"))
    with transaction.atomic():
        try:
            ticket = _create(
                user=user,
                site=site,
                title=title,
                description=description,
                category=category,
                priority=priority,
                source=Ticket.Source.FEEDBACK,
                asset=asset,
                photos=photos,
                case_public_id=case.public_id,
                case_reference=case.reference,
            )
        except IntegrityError:
            existing = ticket_for_case(case.public_id)
            raise _already(existing) if existing else Conflict() from None
        _note_on_case(user, case, ticket)
    return ticket


def _note_on_case(user: Any, case: Any, ticket: Ticket) -> None:
    from sanad.feedback.services.cases import case_note_add

    text = _("Maintenance ticket %(number)s raised on %(site)s.") % {
        "number": ticket.number,
        "site": ticket.site,
    }
    # Who may raise tickets but not write on the case: the ticket keeps the link anyway.
    with contextlib.suppress(PermissionDenied, NotFound):
        case_note_add(user=user, case=case, text=text)


# --- the workflow -----------------------------------------------------------------------


def ticket_triage(
    *, user: Any, ticket: Ticket, priority: str, category: str, reason: str = ""
) -> Ticket:
    """Set the priority and category; the due time follows the new priority."""
    _require(user, ticket, MANAGE_TICKET)
    priority = _choice({"priority": priority}, "priority", Priority)
    category = _choice({"category": category}, "category", Ticket.Category)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status not in (Status.NEW, Status.TRIAGED, Status.ASSIGNED):
            raise InvalidTransition(
                _("Only an open ticket whose work is not done yet can be triaged."),
                code="ticket_not_triageable",
            )
        ticket.priority, ticket.category = priority, category
        ticket.due_at = due_at_for(priority, ticket.created_at)
        fields = ["priority", "category", "due_at", "updated_by"]
        ticket.updated_by = user if getattr(user, "pk", None) else None
        if ticket.status == Status.NEW:
            Ticket.STATUS_MACHINE.transition(
                ticket, to=Status.TRIAGED, by=user, reason=reason, extra_updates=fields
            )
        else:
            ticket.save(update_fields=[*fields, "updated_at"])
    return ticket


def assignable_users(*, ticket: Ticket) -> list[Any]:
    """Active users who may work on the ticket (work_ticket within its site's reach)."""
    from django.contrib.auth import get_user_model

    from sanad.accounts.roles import ROLE_PERMISSIONS

    roles = [r for r, perms in ROLE_PERMISSIONS.items() if WORK_TICKET in perms]
    users = (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role__in=roles)
        .distinct()
        .order_by("username")
    )
    return [u for u in users if can_reach(u, ticket, WORK_TICKET)]


def ticket_assign(
    *,
    user: Any,
    ticket: Ticket,
    team: str = "",
    contractor: Any = None,
    assignee: Any = None,
) -> Ticket:
    """Give the work to a team (by name), a contractor organisation and/or one person
    holding `work_ticket` on the site. A new ticket is triaged as it stands."""
    _require(user, ticket, MANAGE_TICKET)
    team = (team or "").strip()
    if len(team) > 120:
        raise field_error(
            "team", _("Shorten this to %(n)d characters.") % {"n": 120}, "team_too_long"
        )
    if not (team or contractor or assignee):
        raise field_error(
            "team", _("Name the team, the contractor or the person to do the work."), "nobody"
        )
    if assignee is not None and not can_reach(assignee, ticket, WORK_TICKET):
        raise field_error(
            "assignee",
            _("This person may not work on tickets of this site. Choose someone else."),
            "assignee_cannot_work",
        )
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status == Status.NEW:
            Ticket.STATUS_MACHINE.transition(ticket, to=Status.TRIAGED, by=user)
        if ticket.status not in (Status.TRIAGED, Status.ASSIGNED):
            raise InvalidTransition(
                _("Only a triaged or assigned ticket can be (re)assigned."),
                code="ticket_not_assignable",
            )
        ticket.team, ticket.contractor, ticket.assignee = team, contractor, assignee
        ticket.updated_by = user if getattr(user, "pk", None) else None
        who = ", ".join(str(x) for x in (assignee, team, contractor) if x)
        Ticket.STATUS_MACHINE.transition(
            ticket,
            to=Status.ASSIGNED,
            by=user,
            reason=_("Assigned to %(who)s.") % {"who": who},
            extra_updates=["team", "contractor", "assignee", "updated_by"],
        )
    return ticket


def may_record_work(user: Any, ticket: Ticket) -> bool:
    """Managers of the ticket; its assignee; or, when no one person is named, a member
    of a maintenance role within the site's reach."""
    if has_permission(user, MANAGE_TICKET) and can_reach(user, ticket, MANAGE_TICKET):
        return True
    if not (has_permission(user, WORK_TICKET) and can_reach(user, ticket, WORK_TICKET)):
        return False
    return ticket.assignee_id is None or ticket.assignee_id == getattr(user, "pk", None)


def ticket_record_work(
    *, user: Any, ticket: Ticket, work_done: str, photos: Iterable[Any] | None
) -> Ticket:
    """Record what was done, with at least one photo of the result; the ticket then
    waits for a manager's verification."""
    if not (has_permission(user, WORK_TICKET) or has_permission(user, MANAGE_TICKET)):
        raise PermissionDenied(code="permission_denied")
    if not (can_reach(user, ticket, WORK_TICKET) or can_reach(user, ticket, MANAGE_TICKET)):
        raise NotFound()
    if not may_record_work(user, ticket):
        raise PermissionDenied(
            _("This ticket is assigned to someone else."), code="not_the_assignee"
        )
    work_done = (work_done or "").strip()
    if not work_done:
        raise field_error("work_done", _("Say what was done."), "work_done_required")
    cleaned = _clean_photos(photos)
    if not cleaned:
        raise field_error(
            "photos",
            _("Add at least one photo of the work done."),
            "work_photo_required",
        )
    written: list[str] = []
    try:
        with transaction.atomic():
            ticket = _locked(ticket)
            if ticket.status != Status.ASSIGNED:
                raise InvalidTransition(
                    _("Work can be recorded only on an assigned ticket."),
                    code="ticket_not_assigned",
                )
            ticket.work_done, ticket.done_at = work_done, timezone.now()
            ticket.updated_by = user if getattr(user, "pk", None) else None
            _save_photos(ticket, cleaned, TicketPhoto.Stage.WORK_DONE, user, written)
            Ticket.STATUS_MACHINE.transition(
                ticket,
                to=Status.DONE,
                by=user,
                extra_updates=["work_done", "done_at", "updated_by"],
            )
    except BaseException:
        ticket_photos.remove(written)
        raise
    return ticket


def work_recorded_by(ticket: Ticket) -> Any:
    """Who recorded the latest work on the ticket (None if nobody yet)."""
    last = (
        Ticket.STATUS_MACHINE.history(ticket).filter(to_state=Status.DONE).order_by("-id").first()
    )
    return last.by if last else None


def ticket_verify(*, user: Any, ticket: Ticket) -> Ticket:
    """Close the ticket after checking the work; never by who recorded it. The asset
    is back in good condition."""
    _require(user, ticket, MANAGE_TICKET)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != Status.DONE:
            raise InvalidTransition(
                _("Only a ticket whose work is recorded can be verified."),
                code="ticket_not_done",
            )
        worker = work_recorded_by(ticket)
        if worker is not None and worker.pk == getattr(user, "pk", None):
            raise PermissionDenied(
                _("Someone other than who recorded the work must verify it."),
                code="same_person",
            )
        ticket.verified_by, ticket.verified_at = user, timezone.now()
        Ticket.STATUS_MACHINE.transition(
            ticket, to=Status.VERIFIED, by=user, extra_updates=["verified_by", "verified_at"]
        )
        if ticket.asset_id is not None:
            asset = Asset.objects.select_for_update().get(pk=ticket.asset_id)
            if asset.condition != Condition.GOOD:
                asset.condition = Condition.GOOD
                asset.save(update_fields=["condition", "updated_at"])
    return ticket


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give a reason."), "reason_required")
    return reason


def ticket_send_back(*, user: Any, ticket: Ticket, reason: str) -> Ticket:
    """The work is not right: back to the team, with what to fix."""
    _require(user, ticket, MANAGE_TICKET)
    reason = _reason(reason)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != Status.DONE:
            raise InvalidTransition(
                _("Only a ticket whose work is recorded can be sent back."),
                code="ticket_not_done",
            )
        ticket.done_at = None
        Ticket.STATUS_MACHINE.transition(
            ticket, to=Status.ASSIGNED, by=user, reason=reason, extra_updates=["done_at"]
        )
    return ticket


def ticket_reject(*, user: Any, ticket: Ticket, reason: str) -> Ticket:
    """Not a maintenance job (a duplicate, not our infrastructure, …)."""
    _require(user, ticket, MANAGE_TICKET)
    reason = _reason(reason)
    with transaction.atomic():
        ticket = _locked(ticket)
        if not Ticket.STATUS_MACHINE.can(ticket, Status.REJECTED):
            raise InvalidTransition(
                _("Only a new or triaged ticket can be rejected."), code="ticket_not_rejectable"
            )
        Ticket.STATUS_MACHINE.transition(ticket, to=Status.REJECTED, by=user, reason=reason)
    return ticket


def ticket_get(*, user: Any, public_id: Any, permission: str | None = None) -> Ticket:
    ticket = (
        scoped(Ticket.objects.all(), user, permission)
        .select_related("site__place", "asset", "contractor", "assignee", "verified_by")
        .filter(public_id=public_id)
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket

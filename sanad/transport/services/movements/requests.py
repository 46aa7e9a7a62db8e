"""Movement requests: create, change (while a draft), and their status: draft →
submitted → approved (by an approver who did not submit it) → in progress (a convoy
left) → completed; returned to draft with a reason; cancelled with a reason unless a
convoy already left."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Project
from sanad.transport.models import (
    APPROVE,
    MANAGE,
    Convoy,
    ConvoyLoad,
    MovementHousehold,
    MovementKind,
    MovementRequest,
)
from sanad.transport.services._common import (
    PROGRAMME,
    actor,
    next_reference,
    programme,
    require,
)
from sanad.transport.services.movements._helpers import (
    REQUEST,
    clean_text,
    governorates_of,
    parse_date,
    reaches,
    require_any,
)

HOUSEHOLD = MovementHousehold.Status
CONVOY = Convoy.Status
EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "origin",
        "destination",
        "destination_admin_unit",
        "requested_date",
        "project",
        "notes",
    }
)
LEFT = (CONVOY.DEPARTED, CONVOY.ARRIVED)
OPEN_CONVOY = (CONVOY.PLANNING, CONVOY.READY)


def _values(
    user: Any,
    *,
    kind: Any,
    origin: Any,
    destination: Any,
    destination_admin_unit: Any,
    requested_date: Any,
    project: Any,
    notes: Any,
    permission: str | None,
    current: MovementRequest | None = None,
) -> tuple[dict[str, Any], list[AdminUnit]]:
    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in MovementKind.values:
        problem("kind", _("Choose the kind of movement."))
    if not isinstance(origin, Place):
        problem("origin", _("Choose the place the households leave from."))
        origin = None
    elif origin.status != Place.Status.OPEN and (current is None or current.origin_id != origin.pk):
        problem("origin", _("This place is closed. Choose an open place."))
    if destination in ("",):
        destination = None
    if destination is not None and not isinstance(destination, Place):
        problem("destination", _("Choose the destination place from the list."))
        destination = None
    if destination is not None:
        if destination.status != Place.Status.OPEN and (
            current is None or current.destination_id != destination.pk
        ):
            problem("destination", _("This place is closed. Choose an open place."))
        if origin is not None and destination.pk == origin.pk:
            problem("destination", _("The destination cannot be the place the households leave."))
    area = destination_admin_unit if destination_admin_unit not in ("",) else None
    if area is not None and (
        not isinstance(area, AdminUnit) or area.level == AdminUnit.Level.GOVERNORATE
    ):
        problem(
            "destination_admin_unit",
            _("Choose a district or sub-district: a governorate is too large a destination."),
        )
        area = None
    if destination is None and area is None and "destination" not in errors:
        problem(
            "destination",
            _("Give the destination: a place, or the district or sub-district families go to."),
        )
    day: datetime.date | None = None
    try:
        day = parse_date("requested_date", requested_date)
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            errors.setdefault(field, []).extend(messages)
    if project in ("",):
        project = None
    if project is not None and (
        not isinstance(project, Project) or project.programme.code != PROGRAMME
    ):
        problem("project", _("Choose a project of the transportation programme."))
    elif project is not None and project.status == Project.Status.CLOSED:
        problem("project", _("This project is closed. Choose an open project."))
    try:
        text = clean_text(notes, "notes", 4000)
    except ValidationFailed as exc:
        problem("notes", str(exc.message))
        text = ""
    if errors:
        raise ValidationFailed(fields=errors)
    assert origin is not None
    governorates = governorates_of(origin, destination, area)
    if permission is not None and not reaches(user, governorates, permission):
        raise field_error(
            "origin",
            _(
                "You cannot plan movements from or to these places: your role covers other "
                "governorates or programmes."
            ),
            "movement_out_of_scope",
        )
    return {
        "kind": kind,
        "origin": origin,
        "destination": destination,
        "destination_admin_unit": area,
        "requested_date": day,
        "project": project,
        "notes": text,
    }, governorates


def movement_create(
    *,
    user: Any,
    kind: str,
    origin: Place,
    destination: Place | None = None,
    destination_admin_unit: AdminUnit | None = None,
    requested_date: datetime.date,
    project: Project | None = None,
    notes: str = "",
    source: str = MovementRequest.Source.MANUAL,
    source_ref: str = "",
    permission: str | None = MANAGE,
) -> MovementRequest:
    """A draft movement request (reference MOV-YYYY-NNNNN). `permission=None` is for
    another module that checked its own permission (a camp closure plan)."""
    if permission is not None:
        require(user, permission)
    values, governorates = _values(
        user,
        kind=kind,
        origin=origin,
        destination=destination,
        destination_admin_unit=destination_admin_unit,
        requested_date=requested_date,
        project=project,
        notes=notes,
        permission=permission,
    )
    if source not in MovementRequest.Source.values:
        raise field_error("source", _("Choose where the request comes from."), "invalid_source")
    who = actor(user)
    for attempt in range(3):
        try:
            with transaction.atomic():
                request = MovementRequest.objects.create(
                    reference=next_reference(MovementRequest, "MOV"),
                    programme=programme(),
                    source=source,
                    source_ref=str(source_ref or "")[:64],
                    created_by=who,
                    updated_by=who,
                    **values,
                )
                request.governorates.set(governorates)
            return request
        except IntegrityError:
            # Someone took the same reference at the same moment: take the next one.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def movement_update(*, user: Any, request: MovementRequest, **fields: Any) -> MovementRequest:
    """Change a draft request: kind, origin, destination, destination area, requested
    date, project, notes (fields left out keep their value)."""
    require(user, MANAGE, request)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        message = _("These fields cannot be changed here: %(names)s.") % {
            "names": ", ".join(sorted(unknown))
        }
        raise ValidationFailed(message, code="unknown_fields")
    with transaction.atomic():
        request = MovementRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != REQUEST.DRAFT:
            raise Conflict(
                _("Only a draft request can be changed: return it to draft first."),
                code="movement_not_draft",
            )
        current = {name: getattr(request, name) for name in EDITABLE_FIELDS}
        current.update(fields)
        values, governorates = _values(user, permission=MANAGE, current=request, **current)
        for name, value in values.items():
            setattr(request, name, value)
        request.updated_by = actor(user)
        request.save()
        request.governorates.set(governorates)
    return request


def _undeclared(request: MovementRequest) -> list[str]:
    rows = (
        request.households.exclude(status=HOUSEHOLD.WITHDRAWN)
        .select_related("household")
        .order_by("id")
    )
    return [r.household.registration_id for r in rows if not (r.declared and r.consent_given)]


def _submit_checks(request: MovementRequest) -> None:
    if not request.households.exclude(status=HOUSEHOLD.WITHDRAWN).exists():
        raise Conflict(
            _("Add the households to move before submitting the request."),
            code="movement_empty",
        )
    missing = _undeclared(request)
    if missing:
        shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        message = ngettext(
            "%(n)d household has no voluntary movement declaration or no consent yet "
            "(%(ids)s): record them before submitting.",
            "%(n)d households have no voluntary movement declaration or no consent yet "
            "(%(ids)s): record them before submitting.",
            len(missing),
        ) % {"n": len(missing), "ids": shown}
        raise Conflict(message, code="movement_undeclared")


def _cancel_convoys(user: Any, request: MovementRequest, reason: str) -> None:
    """Cancel the request's convoys still being planned: loads deleted, households
    that were in them back to waiting."""
    for convoy in Convoy.objects.select_for_update().filter(
        request=request, status__in=OPEN_CONVOY
    ):
        ConvoyLoad.objects.filter(convoy=convoy).delete()
        Convoy.STATUS_MACHINE.transition(convoy, to=CONVOY.CANCELLED, by=user, reason=reason)
    for row in request.households.filter(status=HOUSEHOLD.PLANNED):
        MovementHousehold.STATUS_MACHINE.transition(
            row,
            to=HOUSEHOLD.WAITING,
            by=user,
            reason=_("The movement request was cancelled."),
        )


def movement_transition(
    *, user: Any, request: MovementRequest, to: str, reason: str = ""
) -> MovementRequest:
    """Move a request to `to`:

    - submitted (MANAGE): at least one household, every household not withdrawn has its
      declaration and consent;
    - approved (APPROVE): by someone other than who submitted it (`same_person`);
    - draft (returned, APPROVE or MANAGE): with the reason;
    - cancelled (MANAGE or APPROVE): with the reason; refused once a convoy left
      (`convoy_departed`); convoys still planned are cancelled with it;
    - in_progress (MANAGE): a convoy of it left;
    - completed (MANAGE): no household in a convoy or on the way; households still
      waiting or postponed stay behind, which needs a reason.
    """
    reason = str(reason or "").strip()
    if to == REQUEST.APPROVED:
        require(user, APPROVE, request)
    elif to in (REQUEST.DRAFT, REQUEST.CANCELLED):
        require_any(user, (MANAGE, APPROVE), request)
    else:
        require(user, MANAGE, request)
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    given = request
    with transaction.atomic():
        request = MovementRequest.objects.select_for_update().get(pk=request.pk)
        extra: list[str] = []
        if to == REQUEST.SUBMITTED and request.status == REQUEST.DRAFT:
            _submit_checks(request)
            request.submitted_by = actor(user)
            extra.append("submitted_by")
        elif to == REQUEST.APPROVED and request.status == REQUEST.SUBMITTED:
            if request.submitted_by_id is not None and request.submitted_by_id == getattr(
                user, "pk", None
            ):
                raise Conflict(
                    _(
                        "You submitted this request: someone else who may approve movements "
                        "must approve it."
                    ),
                    code="same_person",
                )
            request.approved_by = actor(user)
            request.approved_at = timezone.now()
            extra += ["approved_by", "approved_at"]
        elif to == REQUEST.DRAFT and request.status == REQUEST.SUBMITTED:
            request.approved_by = None
            request.approved_at = None
            extra += ["approved_by", "approved_at"]
        elif to == REQUEST.CANCELLED and request.status in (
            REQUEST.DRAFT,
            REQUEST.SUBMITTED,
            REQUEST.APPROVED,
        ):
            if request.convoys.filter(status__in=LEFT).exists():
                raise Conflict(
                    _("A convoy of this request has already left: it can no longer be cancelled."),
                    code="convoy_departed",
                )
            if reason:
                _cancel_convoys(user, request, reason)
        elif to == REQUEST.IN_PROGRESS and request.status == REQUEST.APPROVED:
            if not request.convoys.filter(status__in=LEFT).exists():
                raise Conflict(
                    _("The request is in progress once one of its convoys has left."),
                    code="no_convoy_departed",
                )
        elif to == REQUEST.COMPLETED and request.status in (REQUEST.APPROVED, REQUEST.IN_PROGRESS):
            rows = request.households
            moving = rows.filter(status__in=(HOUSEHOLD.PLANNED, HOUSEHOLD.DEPARTED)).count()
            if moving:
                raise Conflict(
                    ngettext(
                        "%(n)d household is in a convoy or on the way: finish its convoy first.",
                        "%(n)d households are in a convoy or on the way: finish their convoys "
                        "first.",
                        moving,
                    )
                    % {"n": moving},
                    code="households_moving",
                )
            behind = rows.filter(status__in=(HOUSEHOLD.WAITING, HOUSEHOLD.POSTPONED)).count()
            if behind and not reason:
                message = ngettext(
                    "%(n)d household has not moved: say why the request is completed without it.",
                    "%(n)d households have not moved: say why the request is completed without "
                    "them.",
                    behind,
                ) % {"n": behind}
                raise ValidationFailed(
                    message, code="reason_required", fields={"reason": [message]}
                )
        request.updated_by = actor(user)
        extra.append("updated_by")
        MovementRequest.STATUS_MACHINE.transition(
            request, to=to, by=user, reason=reason, extra_updates=extra
        )
    for name in ("status", *extra):
        setattr(given, name, getattr(request, name))
    return given


def movement_complete_if_done(*, user: Any, request: MovementRequest) -> bool:
    """Complete a request in progress once every household arrived or was withdrawn
    (the arrival check calls it); True when it did."""
    request.refresh_from_db(fields=["status"])
    if request.status != REQUEST.IN_PROGRESS:
        return False
    rows = request.households
    if (
        not rows.exists()
        or rows.exclude(status__in=(HOUSEHOLD.ARRIVED, HOUSEHOLD.WITHDRAWN)).exists()
    ):
        return False
    MovementRequest.STATUS_MACHINE.transition(
        request,
        to=REQUEST.COMPLETED,
        by=user,
        reason=_("Every household arrived or was withdrawn."),
    )
    return True

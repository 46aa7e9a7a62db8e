"""The households on a movement request: added from the registry (by registration id,
every household living on the origin site, a camp closure plan) or registered at the
border with a minimal record; their declaration, consent, luggage and note; their
passengers' fitness to travel and needs; postponed, withdrawn or back to waiting."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.camps.models import Allocation, Site
from sanad.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
    field_error,
)
from sanad.core.scoping import can_reach, has_permission
from sanad.registry.derive import age_on
from sanad.registry.models import Household, Individual
from sanad.transport.models import (
    MANAGE,
    Convoy,
    ConvoyLoad,
    DeclarationMethod,
    Fitness,
    MovementHousehold,
    MovementRequest,
    Passenger,
)
from sanad.transport.services._common import actor, require, today
from sanad.transport.services.movements._helpers import (
    OPEN_REQUEST,
    REQUEST,
    clean_text,
    luggage_default,
    parse_date,
    parse_volume,
)
from sanad.transport.services.movements.requests import movement_complete_if_done

ROW = MovementHousehold.Status
REGISTRY_VIEW = "registry.view_household"
REGISTRY_MANAGE = "registry.manage_household"
# Households join a request being prepared or carried out; a submitted one waits for
# its approval unchanged.
ADDABLE = (REQUEST.DRAFT, REQUEST.APPROVED, REQUEST.IN_PROGRESS)
# Before departure, the declaration, luggage and fitness can be recorded or corrected.
BEFORE_DEPARTURE = (ROW.WAITING, ROW.PLANNED, ROW.POSTPONED)
OLDER_AGE = 60
NEED_FLAGS = ("is_older", "has_disability", "late_pregnancy", "unaccompanied_child")
BORDER_RELATIONSHIPS = frozenset(Individual.Relationship.values)


def _lock_request(request: MovementRequest) -> MovementRequest:
    return MovementRequest.objects.select_for_update().get(pk=request.pk)


def _lock_row(row: MovementHousehold) -> MovementHousehold:
    return (
        MovementHousehold.objects.select_for_update()
        .select_related("household", "request")
        .get(pk=row.pk)
    )


def _addable(request: MovementRequest) -> None:
    if request.status == REQUEST.SUBMITTED:
        raise Conflict(
            _("The request is waiting for approval: return it to draft to change its households."),
            code="movement_submitted",
        )
    if request.status not in ADDABLE:
        raise Conflict(
            _("This request is %(status)s: no household can be added to it.")
            % {"status": request.get_status_display().lower()},
            code="movement_closed",
        )


def other_open_row(household: Household, request: MovementRequest) -> MovementHousehold | None:
    """The household's place on another request still running, if any (not completed or
    cancelled, and the household not arrived or withdrawn there)."""
    return (
        MovementHousehold.objects.filter(household=household, request__status__in=OPEN_REQUEST)
        .exclude(request=request)
        .exclude(status__in=(ROW.ARRIVED, ROW.WITHDRAWN))
        .select_related("request")
        .first()
    )


def _movable(household: Household, request: MovementRequest) -> None:
    """Refuse a household that cannot be moved: not active in the registry, or already
    on another request still running, or already on this one."""
    if household.status == Household.Status.MERGED:
        survivor = household.merged_into.registration_id if household.merged_into else "?"
        raise Conflict(
            _("Household %(id)s was merged into %(survivor)s: add %(survivor)s instead.")
            % {"id": household.registration_id, "survivor": survivor},
            code="household_merged",
        )
    if household.status != Household.Status.ACTIVE:
        raise Conflict(
            _("Household %(id)s is %(status)s in the registry: only active households move.")
            % {"id": household.registration_id, "status": household.get_status_display().lower()},
            code="household_not_active",
        )
    if MovementHousehold.objects.filter(request=request, household=household).exists():
        raise Conflict(
            _("Household %(id)s is already on this request.") % {"id": household.registration_id},
            code="household_already_added",
        )
    other = other_open_row(household, request)
    if other is not None:
        raise Conflict(
            _("Household %(id)s is already on movement request %(ref)s: withdraw it there first.")
            % {"id": household.registration_id, "ref": other.request.reference},
            code="household_on_other_movement",
        )


def _passengers(
    row: MovementHousehold, members: Iterable[Individual], on: datetime.date
) -> list[Passenger]:
    """A passenger per active member with the needs the registry knows: older (60+ on the
    requested date), disability, unaccompanied or separated child. Late pregnancy is the
    officer's to tick."""
    return [
        Passenger(
            movement_household=row,
            individual=m,
            is_older=m.date_of_birth is not None and age_on(m.date_of_birth, on) >= OLDER_AGE,
            has_disability=m.has_disability,
            unaccompanied_child=m.is_unaccompanied_or_separated,
        )
        for m in members
        if m.status == Individual.Status.ACTIVE
    ]


def _create_row(
    *,
    user: Any,
    request: MovementRequest,
    household: Household,
    closure_row_id: int | None = None,
    registered_at_border: bool = False,
    luggage_m3: Decimal | None = None,
) -> MovementHousehold:
    members = list(household.members.filter(status=Individual.Status.ACTIVE).order_by("id"))
    if not members:
        raise Conflict(
            _("Household %(id)s has no member left in the registry.")
            % {"id": household.registration_id},
            code="household_empty",
        )
    who = actor(user)
    row = MovementHousehold.objects.create(
        request=request,
        household=household,
        closure_row_id=closure_row_id,
        registered_at_border=registered_at_border,
        luggage_m3=luggage_m3 if luggage_m3 is not None else luggage_default(len(members)),
        created_by=who,
        updated_by=who,
    )
    Passenger.objects.bulk_create(_passengers(row, members, request.requested_date))
    return row


def movement_household_add(
    *,
    user: Any,
    request: MovementRequest,
    household: Household,
    closure_row_id: int | None = None,
    permission: str | None = MANAGE,
) -> MovementHousehold:
    """Put a registry household on the request, with a passenger per member (needs
    filled in from the registry) and its luggage estimated (persons × the setting).
    Refused for a household not active (merged: the message names the survivor) or
    already on another request still running (the message names it).
    `permission=None`: the caller (a camp closure plan) checked its own permission."""
    if permission is not None:
        require(user, permission, request)
        if not (has_permission(user, REGISTRY_VIEW) and can_reach(user, household, REGISTRY_VIEW)):
            message = _("No household with this registration id is within your reach.")
            raise NotFound(
                message, code="household_not_found", fields={"registration_id": [message]}
            )
    with transaction.atomic():
        request = _lock_request(request)
        _addable(request)
        # Two officers adding the same family to two requests at once: the second waits.
        household = (
            Household.objects.select_for_update(of=("self",))
            .select_related("merged_into")
            .get(pk=household.pk)
        )
        _movable(household, request)
        return _create_row(
            user=user, request=request, household=household, closure_row_id=closure_row_id
        )


def movement_household_add_by_id(
    *, user: Any, request: MovementRequest, registration_id: str
) -> MovementHousehold:
    """`movement_household_add` for the household with this registration id."""
    require(user, MANAGE, request)
    key = str(registration_id or "").strip().upper()
    if not key:
        raise field_error(
            "registration_id",
            _("Enter the household's registration id."),
            "registration_id_required",
        )
    household = Household.objects.filter(registration_id=key).first()
    if household is None:
        message = _("No household with this registration id is within your reach.")
        raise NotFound(message, code="household_not_found", fields={"registration_id": [message]})
    return movement_household_add(user=user, request=request, household=household)


def origin_site(request: MovementRequest) -> Site | None:
    """The camps site on the request's origin place, if any."""
    return Site.objects.filter(place_id=request.origin_id).first()


def movement_households_from_site(*, user: Any, request: MovementRequest) -> int:
    """Add every household living on the origin site now (current allocations) that is
    not on the request yet; households that cannot move (not active, on another
    request still running) are left out. Returns how many were added."""
    require(user, MANAGE, request)
    site = origin_site(request)
    if site is None:
        raise Conflict(
            _("The origin is not a camp or site with allocations: add households one by one."),
            code="origin_not_a_site",
        )
    with transaction.atomic():
        request = _lock_request(request)
        _addable(request)
        present = set(request.households.values_list("household_id", flat=True))
        wanted = [
            hh
            for hh in Allocation.objects.filter(site=site, ended_on__isnull=True)
            .order_by("plot__code", "id")
            .values_list("household_id", flat=True)
            if hh not in present
        ]
        taken = set(
            MovementHousehold.objects.filter(
                household_id__in=wanted, request__status__in=OPEN_REQUEST
            )
            .exclude(request=request)
            .exclude(status__in=(ROW.ARRIVED, ROW.WITHDRAWN))
            .values_list("household_id", flat=True)
        )
        households = {
            h.pk: h
            for h in Household.objects.select_for_update().filter(
                pk__in=[h for h in wanted if h not in taken], status=Household.Status.ACTIVE
            )
        }
        members: dict[int, list[Individual]] = {}
        for m in Individual.objects.filter(
            household_id__in=list(households), status=Individual.Status.ACTIVE
        ).order_by("id"):
            members.setdefault(m.household_id, []).append(m)
        who = actor(user)
        order = [h for h in wanted if h in households and members.get(h)]
        MovementHousehold.objects.bulk_create(
            [
                MovementHousehold(
                    request=request,
                    household=households[h],
                    luggage_m3=luggage_default(len(members[h])),
                    created_by=who,
                    updated_by=who,
                )
                for h in order
            ]
        )
        rows = MovementHousehold.objects.filter(request=request, household_id__in=order)
        passengers: list[Passenger] = []
        for row in rows:
            passengers.extend(_passengers(row, members[row.household_id], request.requested_date))
        Passenger.objects.bulk_create(passengers)
    return len(order)


def _before_departure(row: MovementHousehold) -> None:
    if row.status not in BEFORE_DEPARTURE:
        raise Conflict(
            _("This household is %(status)s: its details can no longer change.")
            % {"status": row.get_status_display().lower()},
            code="household_not_editable",
        )
    if row.request.status not in OPEN_REQUEST:
        raise Conflict(
            _("The request is %(status)s: its households can no longer change.")
            % {"status": row.request.get_status_display().lower()},
            code="movement_closed",
        )


def movement_household_declare(
    *,
    user: Any,
    row: MovementHousehold,
    declaration_on: Any,
    method: str,
    witness: str = "",
    consent_given: bool,
) -> MovementHousehold:
    """Record the voluntary movement declaration (date not in the future; how: signed,
    thumbprint, or verbal before a named witness) and whether the household consents to
    sharing the manifest with the driver and the destination."""
    require(user, MANAGE, row)
    day = parse_date("declaration_on", declaration_on)
    assert day is not None
    errors: dict[str, list[str]] = {}
    if day > today():
        errors["declaration_on"] = [_("This date is in the future.")]
    if method not in DeclarationMethod.values:
        errors["method"] = [_("Choose how the declaration was made.")]
    witness = str(witness or "").strip()
    if method == DeclarationMethod.VERBAL and not witness:
        errors["witness"] = [_("A verbal declaration needs the name of its witness.")]
    if len(witness) > 120:
        errors["witness"] = [_("Keep the name under %(n)d characters.") % {"n": 120}]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        row = _lock_row(row)
        _before_departure(row)
        row.declaration_on = day
        row.declaration_method = method
        row.declaration_witness = witness
        row.consent_given = bool(consent_given)
        row.updated_by = actor(user)
        row.save()
    return row


def movement_household_update(
    *, user: Any, row: MovementHousehold, luggage_m3: Any = None, note: str | None = None
) -> MovementHousehold:
    """Change the household's luggage volume (m³) or note (left out: unchanged)."""
    require(user, MANAGE, row)
    volume = parse_volume("luggage_m3", luggage_m3) if luggage_m3 not in (None, "") else None
    text = clean_text(note, "note", 300) if note is not None else None
    with transaction.atomic():
        row = _lock_row(row)
        _before_departure(row)
        if volume is not None:
            row.luggage_m3 = volume
        if text is not None:
            row.note = text
        row.updated_by = actor(user)
        row.save()
    return row


def passengers_assess(
    *, user: Any, row: MovementHousehold, passengers: list[dict[str, Any]]
) -> list[Passenger]:
    """Record fitness to travel and needs of the household's passengers, all or nothing.
    Each dict: `passenger` (a Passenger or its pk) and any of fitness, is_older,
    has_disability, late_pregnancy, unaccompanied_child, note. Returns the passengers
    not fit to travel (the household should then be postponed: families are never
    split)."""
    require(user, MANAGE, row)
    with transaction.atomic():
        row = _lock_row(row)
        _before_departure(row)
        own = {
            p.pk: p for p in Passenger.objects.select_for_update().filter(movement_household=row)
        }
        errors: dict[str, list[str]] = {}
        changed: list[Passenger] = []
        seen: set[int] = set()
        for i, data in enumerate(passengers):
            ref = data.get("passenger")
            pk = getattr(ref, "pk", ref)
            try:
                passenger = own[int(pk)]  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                errors[f"passengers.{i}.passenger"] = [
                    _("This person is not a passenger of the household.")
                ]
                continue
            if passenger.pk in seen:
                errors[f"passengers.{i}.passenger"] = [_("This passenger is given twice.")]
                continue
            seen.add(passenger.pk)
            if "fitness" in data:
                fitness = str(data.get("fitness") or "")
                if fitness not in Fitness.values:
                    errors[f"passengers.{i}.fitness"] = [_("Choose the fitness to travel.")]
                    continue
                if fitness != passenger.fitness:
                    passenger.fitness = fitness
                    passenger.assessed_on = today() if fitness != Fitness.NOT_ASSESSED else None
                    passenger.assessed_by = actor(user) if fitness != Fitness.NOT_ASSESSED else None
            for flag in NEED_FLAGS:
                if flag in data:
                    setattr(passenger, flag, bool(data[flag]))
            if "note" in data:
                note = str(data.get("note") or "").strip()
                if len(note) > 300:
                    errors[f"passengers.{i}.note"] = [
                        _("Keep the note under %(n)d characters.") % {"n": 300}
                    ]
                    continue
                passenger.note = note
            passenger.updated_by = actor(user)
            changed.append(passenger)
        if errors:
            raise ValidationFailed(fields=errors)
        for passenger in changed:
            passenger.save()
    return [p for p in own.values() if p.fitness == Fitness.NOT_FIT]


def movement_household_transition(
    *, user: Any, row: MovementHousehold, to: str, reason: str = ""
) -> MovementHousehold:
    """Postpone (a passenger not fit, a no-show…), withdraw (the family chose not to
    move) or put back to waiting, with the reason. A household leaving a convoy still
    being planned or boarding loses its place in it."""
    require(user, MANAGE, row)
    reason = str(reason or "").strip()
    if to not in (ROW.POSTPONED, ROW.WITHDRAWN, ROW.WAITING):
        raise ValidationFailed(
            _("Choose postponed, withdrawn or waiting."), code="invalid_household_status"
        )
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    given = row
    with transaction.atomic():
        row = _lock_row(row)
        if row.request.status not in OPEN_REQUEST:
            raise Conflict(
                _("The request is %(status)s: its households can no longer change.")
                % {"status": row.request.get_status_display().lower()},
                code="movement_closed",
            )
        if to == ROW.WAITING and row.status in (ROW.WITHDRAWN, ROW.POSTPONED):
            other = other_open_row(row.household, row.request)
            if other is not None:
                raise Conflict(
                    _("Household %(id)s is now on movement request %(ref)s.")
                    % {"id": row.household.registration_id, "ref": other.request.reference},
                    code="household_on_other_movement",
                )
        if to in (ROW.POSTPONED, ROW.WITHDRAWN, ROW.WAITING):
            ConvoyLoad.objects.filter(
                movement_household=row,
                convoy__status__in=(Convoy.Status.PLANNING, Convoy.Status.READY),
            ).delete()
        row.updated_by = actor(user)
        MovementHousehold.STATUS_MACHINE.transition(
            row, to=to, by=user, reason=reason, extra_updates=["updated_by"]
        )
        if to == ROW.WITHDRAWN:
            movement_complete_if_done(user=user, request=row.request)
    given.status = row.status
    return given

"""Departure: ticks and scans, re-balancing after no-shows, departing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanad.core.errors import Conflict, NotFound, ValidationFailed
from sanad.transport.models import (
    MANAGE,
    Convoy,
    ConvoyLoad,
    MovementHousehold,
    MovementRequest,
)
from sanad.transport.services._common import actor, require
from sanad.transport.services.checks._base import (
    CHECK_ACTIONS,
    HOUSEHOLD,
    LOAD,
    STAGES,
    _locked,
    _reg,
    _remove_no_shows,
    _status_is,
)
from sanad.transport.services.checks.arrival import _arrive

# --- departure and arrival checks ------------------------------------------------------------


def convoy_check(*, user: Any, convoy: Convoy, load: ConvoyLoad, action: str) -> ConvoyLoad:
    """Tick a household: boarded, no-show or undo (back to not checked) while the
    convoy is ready; arrived while it is on the way (with the handover). Ticking what is
    already so changes nothing."""
    require(user, MANAGE, convoy)
    if action not in CHECK_ACTIONS:
        message = _("Choose boarded, no-show, undo or arrived.")
        raise ValidationFailed(message, code="check_action", fields={"action": [message]})
    with transaction.atomic():
        convoy = _locked(convoy)
        if action == "arrived":
            _status_is(convoy, Convoy.Status.DEPARTED, _("households are checked in on arrival"))
        else:
            _status_is(convoy, Convoy.Status.READY, _("boarding is checked while it is ready"))
        try:
            load = (
                ConvoyLoad.objects.select_for_update(of=("self",))
                .select_related("movement_household__household", "convoy_vehicle__vehicle")
                .get(pk=load.pk, convoy=convoy)
            )
        except ConvoyLoad.DoesNotExist as exc:
            raise NotFound(
                _("This household is not in convoy %(ref)s.") % {"ref": convoy.reference},
                code="load_not_in_convoy",
            ) from exc
        if action == "arrived":
            return _arrive(user=user, convoy=convoy, load=load)
        target = {"boarded": LOAD.BOARDED, "no_show": LOAD.NO_SHOW, "undo": LOAD.PLANNED}[action]
        if load.status == target:
            return load
        if load.status == LOAD.ARRIVED:
            raise Conflict(_("This household has already arrived."), code="load_arrived")
        if target == LOAD.BOARDED:
            load.boarded_at, load.boarded_by = timezone.now(), actor(user)
        else:
            load.boarded_at, load.boarded_by = None, None
        ConvoyLoad.STATUS_MACHINE.transition(
            load, to=target, by=actor(user), extra_updates=("boarded_at", "boarded_by")
        )
    return load


def _find_load(convoy: Convoy, code: str) -> ConvoyLoad:
    from sanad.registry.cards.pdf import token_from_scan

    raw = str(code or "").strip()
    if not raw:
        message = _("Scan the household card or type the registration id.")
        raise ValidationFailed(message, code="scan_empty", fields={"code": [message]})
    token = token_from_scan(raw)
    match = Q(household__card_token=token) | Q(household__registration_id__iexact=raw)
    row = (
        MovementHousehold.objects.filter(request_id=convoy.request_id)
        .filter(match)
        .select_related("household")
        .first()
    )
    load = (
        ConvoyLoad.objects.filter(convoy=convoy, movement_household=row).first()
        if row is not None
        else None
    )
    if load is not None:
        return load
    if row is None:
        message = _(
            "No household of convoy %(ref)s has this card or registration id (%(code)s): "
            "it is not on this movement. Do not let it board."
        ) % {"ref": convoy.reference, "code": raw[:40]}
    else:
        other = (
            ConvoyLoad.objects.filter(movement_household=row)
            .exclude(convoy=convoy)
            .select_related("convoy")
            .order_by("-id")
            .first()
        )
        if other is not None:
            message = _(
                "Household %(id)s is not in convoy %(ref)s: it travels with convoy %(other)s."
            ) % {
                "id": row.household.registration_id,
                "ref": convoy.reference,
                "other": other.convoy,
            }
        else:
            message = _(
                "Household %(id)s is on this movement but not in convoy %(ref)s (%(status)s)."
            ) % {
                "id": row.household.registration_id,
                "ref": convoy.reference,
                "status": row.get_status_display(),
            }
    raise NotFound(message, code="not_in_convoy", fields={"code": [message]})


def convoy_scan(*, user: Any, convoy: Convoy, code: str, stage: str) -> ConvoyLoad:
    """A household card scanned (`SND1:<token>`) or a registration id typed: the
    household is marked boarded (departure) or arrived (arrival). A household that is
    not in this convoy is refused with a sentence saying so."""
    require(user, MANAGE, convoy)
    if stage not in STAGES:
        message = _("Choose departure or arrival.")
        raise ValidationFailed(message, code="scan_stage", fields={"stage": [message]})
    load = _find_load(convoy, code)
    return convoy_check(
        user=user,
        convoy=convoy,
        load=load,
        action="boarded" if stage == "departure" else "arrived",
    )


def convoy_rebalance(*, user: Any, convoy: Convoy) -> dict[str, Any]:
    """Take the no-shows out of a ready convoy and re-solve the plan for the others,
    keeping each where it is unless a move is needed. Returns {removed: [registration
    ids], moved: [{registration_id, from, to}], summary: the plan summary}."""
    from sanad.transport.services import convoys as convoy_services

    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = _locked(convoy)
        _status_is(convoy, Convoy.Status.READY, _("only a ready convoy is re-balanced"))
        if not ConvoyLoad.objects.filter(convoy=convoy, status=LOAD.NO_SHOW).exists():
            raise Conflict(
                _("No household is marked no-show: there is nothing to re-balance."),
                code="no_no_show",
            )
        before = {
            load.pk: load.convoy_vehicle
            for load in ConvoyLoad.objects.filter(convoy=convoy).select_related(
                "convoy_vehicle__vehicle"
            )
        }
        removed = _remove_no_shows(user=user, convoy=convoy)
        summary = convoy_services.convoy_plan(user=user, convoy=convoy, keep_current=True)
        moved = []
        for load in ConvoyLoad.objects.filter(convoy=convoy).select_related(
            "convoy_vehicle__vehicle", "movement_household__household"
        ):
            old = before.get(load.pk)
            if old is not None and load.convoy_vehicle_id != old.pk:
                moved.append(
                    {
                        "registration_id": _reg(load),
                        "from": old.vehicle.plate_number,
                        "to": load.convoy_vehicle.vehicle.plate_number
                        if load.convoy_vehicle
                        else "",
                    }
                )
    return {"removed": removed, "moved": moved, "summary": summary}


def convoy_depart(*, user: Any, convoy: Convoy) -> Convoy:
    """The convoy leaves: every household must be boarded or marked no-show (no-shows
    are removed and postponed); boarded households are departed and the movement
    request in progress."""
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = _locked(convoy)
        _status_is(convoy, Convoy.Status.READY, _("only a ready convoy can depart"))
        pending = ConvoyLoad.objects.filter(convoy=convoy, status=LOAD.PLANNED).count()
        if pending:
            message = ngettext(
                "%(n)d household is neither boarded nor marked no-show: check it first.",
                "%(n)d households are neither boarded nor marked no-show: check them first.",
                pending,
            ) % {"n": pending}
            raise Conflict(message, code="households_pending", params={"pending": pending})
        if not ConvoyLoad.objects.filter(convoy=convoy, status=LOAD.BOARDED).exists():
            raise Conflict(
                _("No household has boarded: the convoy cannot depart. Cancel it instead."),
                code="nobody_boarded",
            )
        _remove_no_shows(user=user, convoy=convoy)
        for load in ConvoyLoad.objects.filter(convoy=convoy, status=LOAD.BOARDED).select_related(
            "movement_household"
        ):
            row = load.movement_household
            if row.status != HOUSEHOLD.DEPARTED:
                MovementHousehold.STATUS_MACHINE.transition(
                    row, to=HOUSEHOLD.DEPARTED, by=actor(user)
                )
        convoy.departed_at = timezone.now()
        Convoy.STATUS_MACHINE.transition(
            convoy, to=Convoy.Status.DEPARTED, by=actor(user), extra_updates=("departed_at",)
        )
        request = MovementRequest.objects.select_for_update().get(pk=convoy.request_id)
        if request.status == MovementRequest.Status.APPROVED:
            MovementRequest.STATUS_MACHINE.transition(
                request, to=MovementRequest.Status.IN_PROGRESS, by=actor(user)
            )
    return convoy

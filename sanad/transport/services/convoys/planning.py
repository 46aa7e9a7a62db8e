"""Planning a convoy with the planner, and adjusting the plan by hand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, field_error
from sanad.transport import planner
from sanad.transport.models import (
    MANAGE,
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    MovementHousehold,
)
from sanad.transport.selectors import convoys as selectors
from sanad.transport.selectors.movements import movement_ready_households
from sanad.transport.services._common import actor, require
from sanad.transport.services.convoys._base import (
    OPEN,
    back_to_waiting,
    changeable,
    locked,
)

# --- planning --------------------------------------------------------------------------------


def _ready_households(convoy: Convoy) -> list[MovementHousehold]:
    """The movement's households ready to plan that are in no open convoy yet."""
    qs = movement_ready_households(convoy.request)
    busy = ConvoyLoad.objects.filter(convoy__status__in=OPEN).values("movement_household_id")
    return list(
        qs.filter(status=MovementHousehold.Status.WAITING)
        .exclude(pk__in=busy)
        .exclude(pk__in=ConvoyLoad.objects.filter(convoy=convoy).values("movement_household_id"))
    )


def _plan_error(exc: Any) -> Conflict:
    """The planner's refusal as the service's: same code and sentence (which names the
    households by registration id)."""
    return Conflict(
        getattr(exc, "message", None) or str(exc), code=getattr(exc, "code", "plan_failed")
    )


def convoy_plan(*, user: Any, convoy: Convoy, keep_current: bool = False) -> dict[str, Any]:
    """Plan (or re-plan) the convoy with the planner and write the placements.

    In planning, the movement's ready households that are in no open convoy join it
    first. Once ready (re-balance after no-shows), only its own loads that are not
    no-shows are re-planned, keeping the current placements where possible
    (`keep_current` is implied). Pinned placements are always kept. Returns the plan
    summary, also stored on the convoy."""
    require(user, MANAGE, convoy)
    who = actor(user)
    original = convoy
    with transaction.atomic():
        convoy = locked(convoy)
        changeable(convoy)
        rebalance = convoy.status == Convoy.Status.READY
        keep_current = keep_current or rebalance
        vehicles = list(selectors.convoy_vehicles(convoy))
        if not vehicles:
            raise Conflict(_("Add vehicles to the convoy before planning it."), code="no_vehicles")
        if not rebalance:
            ConvoyLoad.objects.bulk_create(
                [
                    ConvoyLoad(
                        convoy=convoy, movement_household=row, created_by=who, updated_by=who
                    )
                    for row in _ready_households(convoy)
                ]
            )
        loads = [
            load
            for load in selectors.convoy_loads(convoy)
            if load.status != ConvoyLoad.Status.NO_SHOW
        ]
        if not loads:
            raise Conflict(
                _(
                    "No household is ready to plan: each needs its declaration, consent and "
                    "every passenger's fitness to travel."
                ),
                code="nothing_to_plan",
            )
        data = selectors.planning_input(convoy, loads, vehicles)
        slot_keys = {cv.pk for cv in vehicles}
        placed = {
            load.movement_household_id: load.convoy_vehicle_id
            for load in loads
            if load.convoy_vehicle_id in slot_keys
        }
        pinned = {k: v for k, v in placed.items() if _load_of(loads, k).pinned}
        pinned_luggage = {k: data.luggage[k] for k in pinned if data.luggage.get(k) in slot_keys}
        try:
            result = planner.plan(
                data.families,
                data.slots,
                oversize=convoy.oversize_policy,
                current=placed if keep_current and placed else None,
                pinned=pinned or None,
                pinned_luggage=pinned_luggage or None,
                time_limit=float(settings.SANAD_TRANSPORT_PLAN_SECONDS),
                label=data.label,
                slot_label=data.slot_label,
            )
        except planner.PlanError as exc:
            raise _plan_error(exc) from exc
        changed = []
        for load in loads:
            key = load.movement_household_id
            cv = result.assignment.get(key)
            if cv is None:
                continue
            lug = result.luggage.get(key) or cv
            if (load.convoy_vehicle_id, load.luggage_vehicle_id) != (cv, lug):
                load.convoy_vehicle_id, load.luggage_vehicle_id = cv, lug
                load.updated_by = who
                changed.append(load)
        ConvoyLoad.objects.bulk_update(changed, ["convoy_vehicle", "luggage_vehicle", "updated_by"])
        for load in loads:
            row = load.movement_household
            if row.status == MovementHousehold.Status.WAITING:
                MovementHousehold.STATUS_MACHINE.transition(
                    row,
                    to=MovementHousehold.Status.PLANNED,
                    by=user,
                    reason=_("Planned in convoy %(ref)s") % {"ref": convoy.reference},
                )
        families = {f.key: f for f in data.families}
        dedicated = {k: list(v) for k, v in (result.dedicated or {}).items() if v}
        summary = {
            "vehicles_used": len(result.used),
            "lower_bound": result.lower_bound,
            "households": len(data.families),
            "passengers": sum(f.seats + f.wheelchairs + f.stretchers for f in data.families),
            "seats_needed": sum(f.seats for f in data.families),
            "status": result.status,
            "seconds": round(float(result.seconds), 2),
            "moved": result.moved if keep_current else 0,
            "dedicated": sorted(data.rows[k].household.registration_id for k in dedicated),
            "own_vehicles": {str(k): v for k, v in dedicated.items() if k in families},
        }
        convoy.plan_summary = summary
        convoy.planned_at = timezone.now()
        convoy.updated_by = who
        convoy.save(update_fields=["plan_summary", "planned_at", "updated_by", "updated_at"])
    original.plan_summary, original.planned_at = convoy.plan_summary, convoy.planned_at
    return {k: v for k, v in summary.items() if k != "own_vehicles"}


def _load_of(loads: list[ConvoyLoad], key: int) -> ConvoyLoad:
    return next(load for load in loads if load.movement_household_id == key)


# --- manual adjustment -----------------------------------------------------------------------


def _load_in(convoy: Convoy, load: ConvoyLoad) -> ConvoyLoad:
    locked = (
        ConvoyLoad.objects.select_for_update(of=("self",)).filter(pk=load.pk, convoy=convoy).first()
    )
    if locked is None:
        raise Conflict(_("This household is no longer in the convoy."), code="load_gone")
    return locked


def _problem_key(p: Any) -> tuple[Any, ...]:
    return (p.code, p.slot, frozenset(p.families or ()))


def convoy_load_move(
    *,
    user: Any,
    load: ConvoyLoad,
    convoy_vehicle: ConvoyVehicle,
    luggage_vehicle: ConvoyVehicle | None = None,
) -> ConvoyLoad:
    """Move a household (and its luggage: by default with it when it rode with it) to
    another vehicle of the convoy. Checked with the planner's rules; a move that breaks
    one is refused with the planner's sentence. The placement is pinned."""
    convoy = load.convoy
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = locked(convoy)
        changeable(convoy)
        load = _load_in(convoy, load)
        if load.status == ConvoyLoad.Status.NO_SHOW:
            raise Conflict(
                _("This household did not show up: it cannot be placed."), code="load_no_show"
            )
        for field, cv in (("convoy_vehicle", convoy_vehicle), ("luggage_vehicle", luggage_vehicle)):
            if cv is not None and cv.convoy_id != convoy.pk:
                raise field_error(field, _("Choose a vehicle of this convoy."), "vehicle_not_in")
        if luggage_vehicle is None:
            with_it = load.luggage_vehicle_id in (None, load.convoy_vehicle_id)
            luggage_vehicle = convoy_vehicle if with_it else load.luggage_vehicle
        owned = selectors.own_vehicles(convoy)
        if load.movement_household_id in owned:
            raise Conflict(
                _(
                    "This household has vehicles of its own: it cannot be moved by hand. "
                    "Change the vehicles and plan again."
                ),
                code="household_has_own_vehicles",
            )
        vehicles = list(selectors.convoy_vehicles(convoy))
        loads = list(selectors.convoy_loads(convoy))
        before = selectors.planning_input(convoy, loads, vehicles)
        old = {_problem_key(p) for p in selectors.plan_problems(before)}
        for other in loads:
            if other.pk == load.pk:
                other.convoy_vehicle_id = convoy_vehicle.pk
                other.luggage_vehicle_id = luggage_vehicle.pk if luggage_vehicle else None
        after = selectors.planning_input(convoy, loads, vehicles)
        new = [p for p in selectors.plan_problems(after) if _problem_key(p) not in old]
        if new:
            raise Conflict(new[0].message, code=new[0].code)
        load.convoy_vehicle = convoy_vehicle
        load.luggage_vehicle = luggage_vehicle
        load.pinned = True
        load.updated_by = actor(user)
        load.save(
            update_fields=[
                "convoy_vehicle",
                "luggage_vehicle",
                "pinned",
                "updated_by",
                "updated_at",
            ]
        )
    return load


def convoy_load_unpin(*, user: Any, load: ConvoyLoad) -> ConvoyLoad:
    """Let the planner move this household again."""
    convoy = load.convoy
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = locked(convoy)
        changeable(convoy)
        load = _load_in(convoy, load)
        load.pinned = False
        load.updated_by = actor(user)
        load.save(update_fields=["pinned", "updated_by", "updated_at"])
    return load


def convoy_load_remove(*, user: Any, load: ConvoyLoad) -> None:
    """Take a household out of the convoy: it waits for another convoy."""
    convoy = load.convoy
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = locked(convoy)
        changeable(convoy)
        load = _load_in(convoy, load)
        if load.status == ConvoyLoad.Status.BOARDED:
            raise Conflict(
                _("This household has boarded: undo the boarding check first."),
                code="load_boarded",
            )
        row = load.movement_household
        load.delete()
        back_to_waiting(user, row, _("Taken out of convoy %(ref)s") % {"ref": convoy.reference})

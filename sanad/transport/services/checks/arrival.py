"""Arrival: checking households in with the handover, and completing the convoy."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, Conflict
from sanad.transport.models import (
    MANAGE,
    Convoy,
    ConvoyLoad,
    Incident,
    MovementHousehold,
    MovementKind,
    MovementRequest,
)
from sanad.transport.services._common import actor, require, today
from sanad.transport.services.checks._base import (
    HOUSEHOLD,
    LEDGER_SOURCE,
    LOAD,
    _locked,
    _reg,
    _status_is,
)

# --- arrival and handover --------------------------------------------------------------------


def _item(request: MovementRequest) -> str:
    with translation.override("en"):
        return "Transport: " + str(MovementKind(request.kind).label)


def _arrive(*, user: Any, convoy: Convoy, load: ConvoyLoad) -> ConvoyLoad:
    """Inside convoy_check's transaction, the convoy and the load locked."""
    if load.status == LOAD.ARRIVED:
        return load
    if load.status != LOAD.BOARDED:
        raise Conflict(
            _("Household %(id)s did not board this convoy: it cannot arrive with it.")
            % {"id": _reg(load)},
            code="load_not_boarded",
        )
    day = today()
    row = MovementHousehold.objects.select_for_update().get(pk=load.movement_household_id)
    request = MovementRequest.objects.select_related(
        "destination__admin_unit", "destination_admin_unit", "project"
    ).get(pk=convoy.request_id)
    household = load.movement_household.household
    try:
        done = _handover(user=user, request=request, row=row, household=household, day=day)
    except ApplicationError as exc:
        raise Conflict(
            _("The arrival of household %(id)s could not be recorded: %(why)s")
            % {"id": household.registration_id, "why": exc.message},
            code=exc.code,
        ) from exc
    load.arrived_at, load.arrived_by = timezone.now(), actor(user)
    ConvoyLoad.STATUS_MACHINE.transition(
        load, to=LOAD.ARRIVED, by=actor(user), extra_updates=("arrived_at", "arrived_by")
    )
    row.arrived_on = day
    row.handover = "; ".join(done)[:300]
    MovementHousehold.STATUS_MACHINE.transition(
        row, to=HOUSEHOLD.ARRIVED, by=actor(user), extra_updates=("arrived_on", "handover")
    )
    load.movement_household = row
    return load


def _handover(
    *, user: Any, request: MovementRequest, row: MovementHousehold, household: Any, day: Any
) -> list[str]:
    from sanad.assistance.services import assistance_record
    from sanad.camps.models import Allocation, ClosureHousehold, Site
    from sanad.camps.services.closure import closure_household_update
    from sanad.camps.services.sites import allocation_start
    from sanad.geo.models import Place
    from sanad.registry.models import DisplacementStatus, ShelterType
    from sanad.registry.services.households import household_move

    done: list[str] = []
    destination = request.destination
    # (1) the destination site takes the household in.
    site = Site.objects.filter(place=destination).first() if destination else None
    if site is not None and destination is not None:
        if not Allocation.objects.filter(
            site=site, household=household, ended_on__isnull=True
        ).exists():
            allocation_start(
                user=user, site=site, household=household, started_on=day, permission=None
            )
        done.append(_("allocated on %(site)s") % {"site": destination.name})
    # (2) the registry records the move.
    in_camp = destination is not None and destination.kind == Place.Kind.FORMAL_CAMP
    where: dict[str, Any] = (
        {"to_place": destination}
        if destination is not None
        else {"to_admin_unit": request.destination_admin_unit}
    )
    household_move(
        household=household,
        user=user,
        moved_on=day,
        # IDPs brought to a camp are IDPs in camp; refugees stay refugees.
        displacement_status=DisplacementStatus.IDP_IN_CAMP
        if in_camp and household.displacement_status != DisplacementStatus.SYRIAN_REFUGEE
        else household.displacement_status,
        shelter_type=ShelterType.CAMP if in_camp else household.shelter_type,
        notes=_("Moved by movement %(ref)s") % {"ref": request.reference},
        check_permission=False,
        **where,
    )
    done.append(
        _("registry: moved to %(where)s")
        % {"where": destination.name if destination else request.destination_admin_unit}
    )
    # (3) the camp closure plan's row, when it came from one.
    if row.closure_row_id:
        try:
            closure_household_update(
                user=user,
                row=ClosureHousehold(pk=row.closure_row_id),
                status="moved",
                move_on=day,
                permission=None,
            )
        except ApplicationError as exc:
            done.append(_("closure plan not updated: %(why)s") % {"why": exc.message})
        except ClosureHousehold.DoesNotExist:
            done.append(_("closure plan not updated: its row no longer exists"))
        else:
            done.append(_("closure plan: moved"))
    # (4) the assistance ledger (its source key makes a repeat a no-op).
    people = row.passengers.count()
    assistance_record(
        user=user,
        household=household,
        programme="TRANSPORT",
        project=request.project,
        kind="transport",
        item=_item(request),
        quantity=people,
        unit="person",
        delivered_on=day,
        place=destination,
        admin_unit=destination.admin_unit if destination else request.destination_admin_unit,
        source_type=LEDGER_SOURCE,
        source_id=str(row.pk),
        permission=None,
    )
    done.append(_("ledger: transport of %(n)d people") % {"n": people})
    return done


def missing_households(convoy: Convoy) -> tuple[list[str], list[str]]:
    """Households that boarded and are not checked in on arrival: (all of them, those
    no "missing" incident names yet), by registration id."""
    boarded = list(
        ConvoyLoad.objects.filter(convoy=convoy, status=LOAD.BOARDED).values_list(
            "movement_household_id", "movement_household__household__registration_id"
        )
    )
    named = set(
        Incident.households.through.objects.filter(
            incident__convoy=convoy, incident__kind=Incident.Kind.MISSING
        ).values_list("movementhousehold_id", flat=True)
    )
    ids = sorted(str(reg) for _pk, reg in boarded)
    return ids, sorted(str(reg) for pk, reg in boarded if pk not in named)


def convoy_complete(*, user: Any, convoy: Convoy, reason: str = "") -> Convoy:
    """The convoy arrived: every boarded household is checked in, or a "missing"
    incident names those who are not. The movement request completes when every one
    of its households arrived or was withdrawn."""
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = _locked(convoy)
        _status_is(convoy, Convoy.Status.DEPARTED, _("only a convoy on the way can arrive"))
        _all, uncovered = missing_households(convoy)
        if uncovered:
            message = _(
                "Not checked in: %(ids)s. Check them in, or record an incident of kind "
                "“Passenger missing” naming them, then complete."
            ) % {"ids": ", ".join(uncovered)}
            raise Conflict(message, code="households_not_arrived", params={"ids": uncovered})
        convoy.arrived_at = timezone.now()
        Convoy.STATUS_MACHINE.transition(
            convoy,
            to=Convoy.Status.ARRIVED,
            by=actor(user),
            reason=str(reason or "").strip(),
            extra_updates=("arrived_at",),
        )
        request = MovementRequest.objects.select_for_update().get(pk=convoy.request_id)
        open_rows = request.households.exclude(status__in=(HOUSEHOLD.ARRIVED, HOUSEHOLD.WITHDRAWN))
        if (
            request.status in (MovementRequest.Status.IN_PROGRESS, MovementRequest.Status.APPROVED)
            and request.households.filter(status=HOUSEHOLD.ARRIVED).exists()
            and not open_rows.exists()
        ):
            MovementRequest.STATUS_MACHINE.transition(
                request, to=MovementRequest.Status.COMPLETED, by=actor(user)
            )
    return convoy

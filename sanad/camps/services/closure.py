"""Closing or consolidating a site: the plan (draft → approved → in_progress → done, or
cancelled), the households to move with their destination and date, and their
movement requests to the transportation module when it exists
(`settings.SANAD_MOVEMENT_REQUESTER`, a dotted path to a callable
`requester(*, user, plan, rows) -> {ClosureHousehold pk: reference}`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sanad.camps.models import MANAGE_CLOSURE, Allocation, ClosureHousehold, ClosurePlan, Site
from sanad.camps.services.sites import REGISTRY_VIEW, actor, require
from sanad.core.errors import Conflict, NotFound, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import AdminUnit, Place
from sanad.registry.models import Household

PLAN = ClosurePlan.Status
ROW = ClosureHousehold.Status
EDITABLE = (PLAN.DRAFT, PLAN.APPROVED, PLAN.IN_PROGRESS)
# How a household's row may move (staying can go back to planned if the family changes
# its mind).
ROW_NEXT: dict[str, set[str]] = {
    ROW.PLANNED: {ROW.REQUESTED, ROW.MOVED, ROW.STAYING},
    ROW.REQUESTED: {ROW.MOVED, ROW.STAYING, ROW.PLANNED},
    ROW.STAYING: {ROW.PLANNED},
    ROW.MOVED: set(),
}


def movement_requests_available() -> bool:
    return bool(getattr(settings, "SANAD_MOVEMENT_REQUESTER", ""))


def _editable(plan: ClosurePlan) -> None:
    if plan.status not in EDITABLE:
        message = _("This plan is %(status)s: its households can no longer change.") % {
            "status": plan.get_status_display()
        }
        raise Conflict(message, code="closure_not_editable")


def closure_create(
    *,
    user: Any,
    site: Site,
    kind: str,
    target_date: datetime.date,
    reason: str = "",
) -> ClosurePlan:
    """A draft plan to close or consolidate a site."""
    require(user, site, MANAGE_CLOSURE)
    errors: dict[str, list[str]] = {}
    if kind not in ClosurePlan.Kind.values:
        errors["kind"] = [_("Choose closure or consolidation.")]
    if not isinstance(target_date, datetime.date):
        errors["target_date"] = [_("Give the target date.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if ClosurePlan.objects.filter(site=site, status__in=EDITABLE).exists():
        message = _("This site already has a plan under way: finish or cancel it first.")
        raise Conflict(message, code="closure_exists")
    return ClosurePlan.objects.create(
        site=site,
        kind=kind,
        target_date=target_date,
        reason=str(reason or "").strip(),
        created_by=actor(user),
        updated_by=actor(user),
    )


def closure_households_add_from_site(*, user: Any, plan: ClosurePlan) -> int:
    """Add every household currently allocated on the site (not yet in the plan);
    returns how many were added."""
    require(user, plan, MANAGE_CLOSURE)
    _editable(plan)
    with transaction.atomic():
        present = set(plan.households.values_list("household_id", flat=True))
        rows = [
            ClosureHousehold(plan=plan, household_id=hh)
            for hh in Allocation.objects.filter(site_id=plan.site_id, ended_on__isnull=True)
            .order_by("plot__code", "id")
            .values_list("household_id", flat=True)
            if hh not in present
        ]
        ClosureHousehold.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def closure_household_add(
    *, user: Any, plan: ClosurePlan, registration_id: str
) -> ClosureHousehold:
    """Add one household by its registration id (it must be within the user's registry
    reach)."""
    require(user, plan, MANAGE_CLOSURE)
    _editable(plan)
    household = Household.objects.filter(
        registration_id=str(registration_id or "").strip().upper()
    ).first()
    if (
        household is None
        or not has_permission(user, REGISTRY_VIEW)
        or not can_reach(user, household, REGISTRY_VIEW)
    ):
        message = _("No household with this registration id is within your reach.")
        raise NotFound(message, code="household_not_found", fields={"registration_id": [message]})
    row, created = ClosureHousehold.objects.get_or_create(plan=plan, household=household)
    if not created:
        message = _("Household %(id)s is already in the plan.") % {"id": household.registration_id}
        raise Conflict(message, code="closure_household_exists")
    return row


def closure_household_update(
    *,
    user: Any,
    row: ClosureHousehold,
    destination: Place | None = None,
    destination_admin_unit: AdminUnit | None = None,
    move_on: datetime.date | None = None,
    status: str | None = None,
    note: str = "",
    permission: str | None = MANAGE_CLOSURE,
) -> ClosureHousehold:
    """Set where and when a household moves, and its status: planned → requested →
    moved, or staying (with the reason in the note). Moved ends its allocation on the
    site on the day it moved.

    `permission=None` is for the transportation module, which checked its own
    permission: a household that arrived is marked moved on its closure plan."""
    row = ClosureHousehold.objects.select_related(
        "plan__site", "destination", "destination_admin_unit"
    ).get(pk=row.pk)
    plan = row.plan
    if permission is not None:
        require(user, plan, permission)
    _editable(plan)
    note = str(note or "").strip()
    errors: dict[str, list[str]] = {}
    if len(note) > 300:
        errors["note"] = [_("Keep the note under %(n)d characters.") % {"n": 300}]
    if destination is not None and destination.pk == plan.site.place_id:
        errors["destination"] = [_("The destination cannot be the site being closed.")]
    if move_on is not None and not isinstance(move_on, datetime.date):
        errors["move_on"] = [_("Give a date.")]
    new_status = status or row.status
    if new_status != row.status:
        if new_status not in ROW_NEXT.get(row.status, set()):
            errors["status"] = [
                _("A household cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": row.get_status_display(),
                    "to": dict(ROW.choices).get(new_status, new_status),
                }
            ]
        if new_status in (ROW.REQUESTED, ROW.MOVED) and plan.status == PLAN.DRAFT:
            errors["status"] = [_("Approve the plan before households are moved.")]
    if new_status == ROW.STAYING and not note:
        errors["note"] = [_("Say why the household is staying.")]
    final_dest = destination if destination is not None else row.destination
    final_area = (
        destination_admin_unit if destination_admin_unit is not None else row.destination_admin_unit
    )
    if new_status == ROW.MOVED and final_dest is None and final_area is None:
        errors["destination"] = [_("Give where the household moved to.")]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        row = ClosureHousehold.objects.select_for_update().get(pk=row.pk)
        if destination is not None:
            row.destination = destination
        if destination_admin_unit is not None:
            row.destination_admin_unit = destination_admin_unit
        if move_on is not None:
            row.move_on = move_on
        row.status = new_status
        row.note = note
        row.save()
        if new_status == ROW.MOVED:
            day = row.move_on or datetime.date.today()
            for allocation in Allocation.objects.select_for_update().filter(
                site_id=plan.site_id, household_id=row.household_id, ended_on__isnull=True
            ):
                allocation.ended_on = max(day, allocation.started_on)
                allocation.end_reason = _("Moved out: %(kind)s of the site") % {
                    "kind": plan.get_kind_display().lower()
                }
                allocation.updated_by = actor(user)
                allocation.save(
                    update_fields=["ended_on", "end_reason", "updated_by", "updated_at"]
                )
    return row


def closure_transition(*, user: Any, plan: ClosurePlan, to: str, reason: str = "") -> ClosurePlan:
    """draft → approved (every household to move has a destination) → in_progress →
    done (no household still planned or requested); cancelled (with a reason) from any
    of them."""
    require(user, plan, MANAGE_CLOSURE)
    plan.refresh_from_db()
    rows = plan.households.all()
    if to == PLAN.APPROVED:
        if not rows.exists():
            raise Conflict(
                _("Add the households to move before approving the plan."),
                code="closure_empty",
            )
        missing = rows.filter(
            status=ROW.PLANNED, destination__isnull=True, destination_admin_unit__isnull=True
        ).count()
        if missing:
            raise Conflict(
                _("%(n)d households have no destination yet: give each one before approving.")
                % {"n": missing},
                code="closure_destination_missing",
            )
    if to == PLAN.DONE:
        pending = rows.filter(status__in=(ROW.PLANNED, ROW.REQUESTED)).count()
        if pending:
            raise Conflict(
                _("%(n)d households have not moved yet: mark them moved or staying first.")
                % {"n": pending},
                code="closure_households_pending",
            )
    ClosurePlan.STATUS_MACHINE.transition(plan, to=to, by=user, reason=str(reason or "")[:300])
    return plan


def closure_movement_requests(*, user: Any, plan: ClosurePlan) -> int:
    """Ask the transportation module for movement requests for the planned households
    that have a destination and a date; they become "requested". Returns how many."""
    require(user, plan, MANAGE_CLOSURE)
    if not movement_requests_available():
        raise Conflict(
            _("Movement requests are available when the transportation module exists."),
            code="transport_unavailable",
        )
    if plan.status not in (PLAN.APPROVED, PLAN.IN_PROGRESS):
        raise Conflict(
            _("Approve the plan before requesting movements."), code="closure_not_approved"
        )
    rows = list(
        plan.households.filter(status=ROW.PLANNED, move_on__isnull=False)
        .exclude(destination__isnull=True, destination_admin_unit__isnull=True)
        .select_related("household", "destination", "destination_admin_unit")
    )
    if not rows:
        raise Conflict(
            _("No planned household has both a destination and a date yet."),
            code="closure_nothing_to_request",
        )
    requester = import_string(settings.SANAD_MOVEMENT_REQUESTER)
    with transaction.atomic():
        refs = requester(user=user, plan=plan, rows=rows) or {}
        for row in rows:
            ClosureHousehold.objects.filter(pk=row.pk, status=ROW.PLANNED).update(
                status=ROW.REQUESTED, movement_request_ref=str(refs.get(row.pk, ""))[:40]
            )
    return len(rows)

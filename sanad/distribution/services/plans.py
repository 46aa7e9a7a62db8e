"""Distribution plans: draft → approved (kits reserved in the warehouse) → closed, or
cancelled (what is still reserved goes back to available stock).

Why reserve at approval: a plan promises kits to the households of a list. Reserving
them then (not on distribution day) means two plans cannot both count on the same
kits, and the warehouse sees at once what is promised. The reservation is taken by the
stock ledger's conditional update, so two approvals at the same moment cannot reserve
more than the warehouse holds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.distribution.models import MANAGE, Event, Plan
from sanad.distribution.services._common import fmt, quantity, require, text
from sanad.programmes.models import Project
from sanad.stock import selectors as stock_selectors
from sanad.stock import services as stock
from sanad.stock.models import Kit, Warehouse
from sanad.targeting import selectors as targeting
from sanad.targeting import services as targeting_services
from sanad.targeting.models import BeneficiaryList

PLAN_REFERENCE = "distribution.plan"
_USABLE_LISTS = (BeneficiaryList.Status.APPROVED, BeneficiaryList.Status.IN_USE)


def plan_create(
    *,
    user: Any,
    name: str,
    beneficiary_list: BeneficiaryList,
    kit: Kit,
    project: Project,
    warehouse: Warehouse,
    quantity_per_household: Decimal | int | str = 1,
    notes: str = "",
) -> Plan:
    """A draft plan: which list, which kit from which warehouse, charged to which project.
    The list must be approved (or already in use: several plans may serve one list);
    the project must belong to the list's programme, so that what the plan delivers
    counts for the programme that targeted the families."""
    if not has_permission(user, MANAGE):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    name = text(name, "name", limit=200, required=True)
    notes = text(notes, "notes")
    qty = quantity(quantity_per_household, "quantity_per_household")
    if beneficiary_list.status not in _USABLE_LISTS:
        errors["beneficiary_list"] = [
            _("Choose an approved list: this one is “%(status)s”.")
            % {"status": beneficiary_list.get_status_display()}
        ]
    if not kit.active:
        errors["kit"] = [_("This kit is no longer active: choose an active kit.")]
    if project.programme_id != beneficiary_list.programme_id:
        errors["project"] = [
            _("Project %(code)s belongs to another programme than the list (%(programme)s).")
            % {"code": project.code, "programme": beneficiary_list.programme.code}
        ]
    if not warehouse.active:
        errors["warehouse"] = [_("This warehouse is closed: choose an active warehouse.")]
    if errors:
        raise ValidationFailed(fields=errors)
    actor = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        plan = Plan.objects.create(
            name=name,
            programme_id=beneficiary_list.programme_id,
            project=project,
            beneficiary_list=beneficiary_list,
            kit=kit,
            quantity_per_household=qty,
            warehouse=warehouse,
            notes=notes,
            created_by=actor,
            updated_by=actor,
        )
        # Scope is the warehouse's governorate × the list's programme: known only once
        # the row exists, and checked by the one mechanism (rolled back if out of reach).
        if not can_reach(user, plan, MANAGE):
            raise PermissionDenied(
                _("Your role does not reach the programme or the warehouse of this plan.")
            )
    return plan


def plan_households_count(plan: Plan) -> int:
    return targeting.list_households(plan.beneficiary_list, require_approved=False).count()


def plan_approve(*, user: Any, plan: Plan) -> Plan:
    """Reserve the kits for every household on the list (households × kits per
    household) and mark the list as used. The approver may be the planner: the list
    had its two-person approval already."""
    require(user, plan, MANAGE)
    with transaction.atomic():
        plan = (
            Plan.objects.select_for_update()
            .select_related("kit__item", "warehouse", "project", "beneficiary_list")
            .get(pk=plan.pk)
        )
        if plan.status != Plan.Status.DRAFT:
            Plan.STATUS_MACHINE.transition(plan, to=Plan.Status.APPROVED, by=user)  # raises
        if plan.beneficiary_list.status not in _USABLE_LISTS:
            raise Conflict(
                _("The list “%(list)s” is no longer approved (“%(status)s”).")
                % {
                    "list": plan.beneficiary_list.name,
                    "status": plan.beneficiary_list.get_status_display(),
                },
                code="list_not_approved",
            )
        households = plan_households_count(plan)
        if households == 0:
            raise Conflict(
                _("The list has no households: there is nothing to reserve."), code="empty_list"
            )
        needed = (plan.quantity_per_household * households).quantize(Decimal("0.01"))
        try:
            stock.stock_reserve(
                user=user,
                warehouse=plan.warehouse,
                item=plan.kit.item,
                project=plan.project,
                quantity=needed,
                reference_type=PLAN_REFERENCE,
                reference_id=str(plan.public_id),
            )
        except Conflict as exc:
            available = _available(plan)
            raise Conflict(
                _(
                    "Not enough %(kit)s in %(warehouse)s for project %(project)s: the plan "
                    "needs %(needed)s for %(households)d households, %(available)s are "
                    "available, %(short)s are missing. Receive or assemble more kits, or "
                    "transfer them from another warehouse."
                )
                % {
                    "kit": plan.kit.name,
                    "warehouse": plan.warehouse.name,
                    "project": plan.project.code,
                    "needed": fmt(needed),
                    "households": households,
                    "available": fmt(available),
                    "short": fmt(max(needed - available, Decimal(0))),
                },
                code="insufficient_stock",
                params={
                    "needed": fmt(needed),
                    "available": fmt(available),
                    "short": fmt(max(needed - available, Decimal(0))),
                },
            ) from exc
        plan.reserved = needed
        plan.approved_by = user if getattr(user, "pk", None) else None
        plan.approved_at = timezone.now()
        Plan.STATUS_MACHINE.transition(
            plan,
            to=Plan.Status.APPROVED,
            by=user,
            extra_updates=("reserved", "approved_by", "approved_at"),
        )
        targeting_services.list_mark_used(
            lst=plan.beneficiary_list, user=user, used_by="distribution", permission=None
        )
    return plan


def _available(plan: Plan) -> Decimal:
    """What the warehouse has free for the plan's kit and project now (for the
    message: the reservation itself is decided by the stock ledger's update)."""
    return Decimal(
        stock_selectors.available(
            warehouse=plan.warehouse, item=plan.kit.item, project=plan.project
        )
    )


def release_reservation(*, user: Any, plan: Plan) -> None:
    """Give back what the plan still holds (inside the caller's transaction, the plan
    row locked)."""
    if plan.reserved > 0:
        stock.stock_release(
            user=user,
            warehouse=plan.warehouse,
            item=plan.kit.item,
            project=plan.project,
            quantity=plan.reserved,
            reference_type=PLAN_REFERENCE,
            reference_id=str(plan.public_id),
        )
        plan.reserved = Decimal(0)


def plan_cancel(*, user: Any, plan: Plan, reason: str) -> Plan:
    """Cancel a plan: its planned events are cancelled and the kits still reserved go
    back to available stock. A plan with an open event is refused: kits are out with a
    distribution team and must be reconciled by closing the event first."""
    require(user, plan, MANAGE)
    reason = text(reason, "reason", required=True)
    from sanad.distribution.services.events import event_cancel

    with transaction.atomic():
        plan = (
            Plan.objects.select_for_update()
            .select_related("kit__item", "warehouse", "project")
            .get(pk=plan.pk)
        )
        if not Plan.STATUS_MACHINE.can(plan, Plan.Status.CANCELLED):
            Plan.STATUS_MACHINE.transition(plan, to=Plan.Status.CANCELLED, by=user, reason=reason)
        open_events = plan.events.filter(status=Event.Status.OPEN).count()
        if open_events:
            raise Conflict(
                _(
                    "%(n)d event(s) of this plan are open, with kits in the field. Close "
                    "them (reconciling the kits) before cancelling the plan."
                )
                % {"n": open_events},
                code="events_open",
            )
        for event in plan.events.filter(status=Event.Status.PLANNED):
            event_cancel(user=user, event=event, reason=reason)
        release_reservation(user=user, plan=plan)
        Plan.STATUS_MACHINE.transition(
            plan, to=Plan.Status.CANCELLED, by=user, reason=reason, extra_updates=("reserved",)
        )
    return plan


def plan_close(*, user: Any, plan: Plan) -> Plan:
    """Close an approved plan once every event is closed or cancelled; kits reserved
    but never dispatched are released."""
    require(user, plan, MANAGE)
    with transaction.atomic():
        plan = (
            Plan.objects.select_for_update()
            .select_related("kit__item", "warehouse", "project")
            .get(pk=plan.pk)
        )
        if not Plan.STATUS_MACHINE.can(plan, Plan.Status.CLOSED):
            Plan.STATUS_MACHINE.transition(plan, to=Plan.Status.CLOSED, by=user)  # raises
        live = plan.events.filter(status__in=(Event.Status.PLANNED, Event.Status.OPEN)).count()
        if live:
            raise Conflict(
                _(
                    "%(n)d event(s) of this plan are still planned or open. Close or cancel "
                    "them before closing the plan."
                )
                % {"n": live},
                code="events_not_closed",
            )
        release_reservation(user=user, plan=plan)
        Plan.STATUS_MACHINE.transition(
            plan, to=Plan.Status.CLOSED, by=user, extra_updates=("reserved",)
        )
    return plan

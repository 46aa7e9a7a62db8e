"""Distribution events: planned → open (kits dispatched to it) → closed (reconciled), or
cancelled.

Reconciliation, kept on the event in kits: dispatched = distributed + returned + lost.
`dispatched` grows with each dispatch from the plan's reservation, `distributed` with
each receipt (F() updates, so concurrent receipts never lose one), `returned` is what
the team brings back at closing (it goes back into the warehouse's stock) and `lost` is
the rest, which needs a reason.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach
from sanad.distribution.models import CLOSE, MANAGE, Event, Expected, Plan
from sanad.distribution.services._common import (
    fmt,
    quantity,
    require,
    require_any,
    season_closed_message,
    season_on,
    text,
)
from sanad.geo.models import Place
from sanad.registry.models import Household
from sanad.stock import services as stock
from sanad.targeting import selectors as targeting

logger = logging.getLogger(__name__)

EVENT_REFERENCE = "distribution.event"
# Places where households live (Household.place): an event there serves its residents.
# Elsewhere (a village, an office, a warehouse site) it serves the out-of-camp
# households of the place's admin unit.
RESIDENTIAL = (Place.Kind.FORMAL_CAMP, Place.Kind.INFORMAL_SITE, Place.Kind.COLLECTIVE_CENTRE)


def _notify_households(event: Event) -> None:
    """Tell the expected households where and when to come, by SMS in each one's
    language, through the communication module's service named by the setting
    `SANAD_HOUSEHOLD_MESSENGER` (distribution does not import that module). Called once
    the event's transaction commits; a failure to message is logged and never undoes or
    blocks the event."""
    path = getattr(settings, "SANAD_HOUSEHOLD_MESSENGER", "")
    if not path:
        return
    try:
        notify = import_string(path)
        ids = list(event.expected.values_list("household_id", flat=True))
        place, day = event.place, event.date

        def text() -> str:
            name = (
                place.name_ar
                if get_language() in {"ar", "ckb"} and place.name_ar
                else place.name_en
            )
            return _(
                "Distribution on %(date)s at %(place)s. Please come with your household "
                "card. If you cannot come, send someone on your household's list."
            ) % {"date": day.isoformat(), "place": name}

        notify(household_ids=ids, text_for=text)
    except Exception:  # the event stands; the notice can be sent again as a campaign
        logger.exception("could not notify the households of event %s", event.pk)


def _households_at(plan: Plan, place: Place) -> Any:
    listed = targeting.list_households(plan.beneficiary_list, require_approved=False)
    if place.kind in RESIDENTIAL:
        where = Q(place=place)
    else:
        unit = place.admin_unit
        within = (
            Q(admin_unit=unit) | Q(admin_unit__parent=unit) | Q(admin_unit__parent__parent=unit)
        )
        where = Q(place=place) | (Q(place__isnull=True) & within)
    return listed.filter(where)


def _taken(plan: Plan) -> Any:
    """Households already expected at another live (not cancelled) event of the plan."""
    return (
        Expected.objects.filter(event__plan=plan)
        .exclude(event__status=Event.Status.CANCELLED)
        .values("household_id")
    )


def event_create(
    *,
    user: Any,
    plan: Plan,
    place: Place,
    date: datetime.date,
    households: Iterable[Household] | None = None,
) -> Event:
    """Schedule an event of a plan. The households expected are the list's households
    living at `place` (for a village or another non-residential place: out of camp in
    its admin unit) that no other live event of the plan expects — or the households
    given (a mop-up event), which must be on the list. A seasonal kit's event must fall
    inside a season window of its kind."""
    require(user, plan, MANAGE)
    if plan.status not in (Plan.Status.DRAFT, Plan.Status.APPROVED):
        raise Conflict(
            _("This plan is “%(status)s”: no more events can be added.")
            % {"status": plan.get_status_display()},
            code="plan_not_open",
        )
    if not isinstance(date, datetime.date):
        message = _("Give the date of the distribution.")
        raise ValidationFailed(message, fields={"date": [message]})
    kit = plan.kit
    if kit.seasonal and season_on(kind=kit.kind, day=date) is None:
        message = season_closed_message(kit, date)
        raise ValidationFailed(message, code="season_closed", fields={"date": [message]})

    if households is None:
        chosen = list(
            _households_at(plan, place).exclude(pk__in=_taken(plan)).values_list("pk", flat=True)
        )
        if not chosen:
            message = _(
                "No household of the list that is not already expected at another event "
                "lives at %(place)s. Choose another place, or choose the households."
            ) % {"place": place.name}
            raise ValidationFailed(message, fields={"place": [message]})
    else:
        given = {h.pk: h for h in households}
        listed = set(
            targeting.list_households(plan.beneficiary_list, require_approved=False)
            .filter(pk__in=list(given))
            .values_list("pk", flat=True)
        )
        missing = [given[pk].registration_id for pk in given if pk not in listed]
        if missing:
            message = _("These households are not on the plan's list: %(ids)s.") % {
                "ids": ", ".join(sorted(missing))
            }
            raise ValidationFailed(message, fields={"households": [message]})
        if not given:
            message = _("Choose at least one household.")
            raise ValidationFailed(message, fields={"households": [message]})
        chosen = sorted(given)

    actor = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        event = Event.objects.create(
            plan=plan,
            place=place,
            date=date,
            expected_households=len(chosen),
            created_by=actor,
            updated_by=actor,
        )
        if not can_reach(user, event, MANAGE):
            raise PermissionDenied(_("Your role does not reach %(place)s.") % {"place": place})
        Expected.objects.bulk_create(
            [Expected(event=event, household_id=pk) for pk in chosen], batch_size=2000
        )
        transaction.on_commit(lambda: _notify_households(event))
    return event


def event_dispatch(
    *, user: Any, event: Event, quantity: Decimal | int | str | None = None
) -> Event:
    """Send kits from the plan's reservation to the event (a stock dispatch referencing
    the event). By default what the expected households need; called again with a
    quantity to top up. The first dispatch opens the event. Beyond what the plan still
    has reserved, kits come from the warehouse's available stock. The programme officer
    who manages the plan or the warehouse officer who loads the truck may do it."""
    require_any(user, event, (MANAGE, "stock.record_movement"))
    qty_given = quantity
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("plan").get(pk=event.pk)
        plan = (
            Plan.objects.select_for_update()
            .select_related("kit__item", "warehouse", "project")
            .get(pk=event.plan_id)
        )
        if event.status not in (Event.Status.PLANNED, Event.Status.OPEN):
            raise Conflict(
                _("This event is “%(status)s”: kits can no longer be dispatched to it.")
                % {"status": event.get_status_display()},
                code="event_not_open",
            )
        if plan.status != Plan.Status.APPROVED:
            raise Conflict(
                _("Approve the plan first: kits are dispatched from its reservation."),
                code="plan_not_approved",
            )
        if qty_given is None or qty_given == "":
            qty = (event.expected_households * plan.quantity_per_household) - event.dispatched
            if qty <= 0:
                message = _(
                    "The kits for the expected households were dispatched already. "
                    "Give the number of kits to add."
                )
                raise ValidationFailed(message, fields={"quantity": [message]})
        else:
            qty = _quantity(qty_given)
        from_reservation = min(qty, plan.reserved)
        extra = qty - from_reservation
        common = {
            "user": user,
            "warehouse": plan.warehouse,
            "item": plan.kit.item,
            "project": plan.project,
            "reference_type": EVENT_REFERENCE,
            "reference_id": str(event.public_id),
            "date": timezone.localdate(),
        }
        if from_reservation > 0:
            stock.dispatch_to_distribution(
                **common, quantity=from_reservation, from_reservation=True
            )
            Plan.objects.filter(pk=plan.pk).update(reserved=F("reserved") - from_reservation)
        if extra > 0:
            stock.dispatch_to_distribution(**common, quantity=extra, from_reservation=False)
        Event.objects.filter(pk=event.pk).update(
            dispatched=F("dispatched") + qty, updated_at=timezone.now()
        )
        if event.status == Event.Status.PLANNED:
            Event.STATUS_MACHINE.transition(event, to=Event.Status.OPEN, by=user)
    event.refresh_from_db()
    return event


def _quantity(value: Any) -> Decimal:
    return quantity(value, "quantity")


def event_cancel(*, user: Any, event: Event, reason: str) -> Event:
    """Cancel a planned event (one that received no kits); its households become free
    for another event of the plan."""
    require(user, event, MANAGE)
    reason = text(reason, "reason", required=True)
    Event.STATUS_MACHINE.transition(event, to=Event.Status.CANCELLED, by=user, reason=reason)
    return event


def event_close(
    *, user: Any, event: Event, returned: Decimal | int | str, reason: str = ""
) -> Event:
    """Reconcile and close an open event: the kits brought back return to the
    warehouse; dispatched − distributed − returned is recorded as lost, with a reason
    when it is above zero. Distributed plus returned above dispatched cannot be: the
    count of returned kits is wrong."""
    require(user, event, CLOSE)
    back = quantity(returned, "returned", allow_zero=True)
    reason = text(reason, "reason")
    with transaction.atomic():
        # The row lock makes receipts wait: none can land between the count read here
        # and the status change (a receipt's update also requires the event open).
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status != Event.Status.OPEN:
            Event.STATUS_MACHINE.transition(event, to=Event.Status.CLOSED, by=user)  # raises
        plan = Plan.objects.select_related("kit__item", "warehouse", "project").get(
            pk=event.plan_id
        )
        lost = event.dispatched - event.distributed - back
        if lost < 0:
            message = _(
                "Distributed (%(distributed)s) plus returned (%(returned)s) is more than "
                "was dispatched (%(dispatched)s). Count the returned kits again."
            ) % {
                "distributed": fmt(event.distributed),
                "returned": fmt(back),
                "dispatched": fmt(event.dispatched),
            }
            raise ValidationFailed(message, code="over_reconciled", fields={"returned": [message]})
        if lost > 0 and not reason:
            message = _(
                "%(lost)s kit(s) are missing (dispatched %(dispatched)s, distributed "
                "%(distributed)s, returned %(returned)s). Give the reason for the difference."
            ) % {
                "lost": fmt(lost),
                "dispatched": fmt(event.dispatched),
                "distributed": fmt(event.distributed),
                "returned": fmt(back),
            }
            raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
        if back > 0:
            stock.return_from_distribution(
                user=user,
                warehouse=plan.warehouse,
                item=plan.kit.item,
                project=plan.project,
                quantity=back,
                reference_type=EVENT_REFERENCE,
                reference_id=str(event.public_id),
                date=timezone.localdate(),
            )
        event.returned = back
        event.lost = lost
        event.difference_reason = reason
        event.closed_by = user if getattr(user, "pk", None) else None
        event.closed_at = timezone.now()
        Event.STATUS_MACHINE.transition(
            event,
            to=Event.Status.CLOSED,
            by=user,
            reason=reason,
            extra_updates=("returned", "lost", "difference_reason", "closed_by", "closed_at"),
        )
    return event

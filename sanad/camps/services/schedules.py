"""Preventive maintenance: a schedule (one asset, or every asset of a kind on a site)
raises its own ticket every `every_days`. `schedules_raise_due` is what
`sanad camps_schedules` runs; a unique constraint on (schedule, date) makes a re-run or
two ticks at once harmless."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.camps.models import MANAGE_TICKET, Asset, MaintenanceSchedule, Site, Ticket
from sanad.camps.services.tickets import _create, category_for_asset_kind
from sanad.core import context
from sanad.core.errors import NotFound, PermissionDenied, field_error
from sanad.core.scoping import can_reach, has_permission

log = logging.getLogger(__name__)
MAX_EVERY_DAYS = 3660


def _require(user: Any, site: Site) -> None:
    if not has_permission(user, MANAGE_TICKET):
        raise PermissionDenied(code="permission_denied")
    if not can_reach(user, site, MANAGE_TICKET):
        raise NotFound()


def _values(site: Site, data: dict[str, Any], current: MaintenanceSchedule | None) -> dict:
    def get(name: str, default: Any = None) -> Any:
        return data.get(name, getattr(current, name, default) if current else default)

    asset = get("asset")
    kind = get("asset_kind", "") or ""
    if asset is not None and asset.site_id != site.pk:
        raise field_error("asset", _("The asset is on another site."), "asset_other_site")
    if asset is not None and kind:
        raise field_error(
            "asset_kind",
            _("Choose one asset or a kind of asset, not both."),
            "asset_and_kind",
        )
    if kind and kind not in Asset.Kind.values:
        raise field_error("asset_kind", _("Choose a value from the list."), "invalid_kind")
    task = str(get("task", "") or "").strip()
    if not task:
        raise field_error(
            "task", _("Say what is to be done (e.g. “Clean the water tanks”)."), "task"
        )
    if len(task) > 200:
        raise field_error("task", _("Shorten this to %(n)d characters.") % {"n": 200}, "task_long")
    category = get("category") or (
        category_for_asset_kind(asset.kind if asset else kind)
        if (asset or kind)
        else Ticket.Category.OTHER
    )
    if category not in Ticket.Category.values:
        raise field_error("category", _("Choose a value from the list."), "invalid_category")
    priority = get("priority") or Ticket.Priority.NORMAL
    if priority not in Ticket.Priority.values:
        raise field_error("priority", _("Choose a value from the list."), "invalid_priority")
    try:
        every = int(get("every_days") or 0)
    except (TypeError, ValueError):
        every = 0
    if not 1 <= every <= MAX_EVERY_DAYS:
        raise field_error(
            "every_days",
            _("Give a number of days between 1 and %(n)d.") % {"n": MAX_EVERY_DAYS},
            "invalid_every_days",
        )
    next_due = get("next_due_on")
    if not isinstance(next_due, datetime.date):
        raise field_error(
            "next_due_on", _("Give the date the task is next due."), "next_due_required"
        )
    team = str(get("team", "") or "").strip()[:120]
    return {
        "asset": asset,
        "asset_kind": kind,
        "task": task,
        "category": category,
        "priority": priority,
        "every_days": every,
        "next_due_on": next_due,
        "team": team,
        "active": bool(get("active", True)),
    }


def schedule_create(*, user: Any, site: Site, data: dict[str, Any]) -> MaintenanceSchedule:
    _require(user, site)
    values = _values(site, data, None)
    with transaction.atomic():
        return MaintenanceSchedule.objects.create(site=site, **values)


def schedule_update(
    *, user: Any, schedule: MaintenanceSchedule, data: dict[str, Any]
) -> MaintenanceSchedule:
    _require(user, schedule.site)
    with transaction.atomic():
        schedule = MaintenanceSchedule.objects.select_for_update().get(pk=schedule.pk)
        values = _values(schedule.site, data, schedule)
        for name, value in values.items():
            setattr(schedule, name, value)
        schedule.save()
    return schedule


def _description(schedule: MaintenanceSchedule) -> str:
    if schedule.asset_id:
        return _("Preventive maintenance of %(asset)s.") % {"asset": schedule.asset}
    if schedule.asset_kind:
        assets = Asset.objects.filter(site=schedule.site_id, kind=schedule.asset_kind)
        codes = ", ".join(a.code for a in assets) or _("none recorded yet")
        return _("Preventive maintenance of every %(kind)s of the site: %(codes)s.") % {
            "kind": schedule.get_asset_kind_display().lower(),
            "codes": codes,
        }
    return _("Preventive maintenance.")


def _next_after(due: datetime.date, every: int, today: datetime.date) -> datetime.date:
    """The first occurrence after `today` (missed occurrences are not raised one by
    one: a stopped clock must not flood the team with tickets)."""
    step = datetime.timedelta(days=every)
    nxt = due + step
    if nxt <= today:
        skipped = (today - nxt).days // every + 1
        nxt += step * skipped
    return nxt


def schedules_raise_due(*, today: datetime.date | None = None) -> int:
    """Raise one ticket for each active schedule due on or before `today` and move its
    next due date on. Returns the number of tickets raised."""
    with context.acting_as(None, source="command"):
        # Raised by the schedule, not by whoever happens to be the current actor.
        return _raise_due(today or timezone.localdate())


def _raise_due(today: datetime.date) -> int:
    raised = 0
    due_ids = list(
        MaintenanceSchedule.objects.filter(active=True, next_due_on__lte=today).values_list(
            "pk", flat=True
        )
    )
    for pk in due_ids:
        try:
            with transaction.atomic():
                schedule = (
                    MaintenanceSchedule.objects.select_for_update(of=("self",))
                    .select_related("site", "asset")
                    .filter(pk=pk, active=True, next_due_on__lte=today)
                    .first()
                )
                if schedule is None:
                    continue  # another tick got it first
                due = schedule.next_due_on
                if not Ticket.objects.filter(schedule=schedule, scheduled_for=due).exists():
                    _create(
                        user=None,
                        site=schedule.site,
                        title=schedule.task,
                        description=_description(schedule),
                        category=schedule.category,
                        priority=schedule.priority,
                        source=Ticket.Source.PREVENTIVE,
                        asset=schedule.asset,
                        schedule=schedule,
                        scheduled_for=due,
                        team=schedule.team,
                    )
                    raised += 1
                schedule.next_due_on = _next_after(due, schedule.every_days, today)
                schedule.save(update_fields=["next_due_on", "updated_at"])
        except IntegrityError:
            log.info("schedule %s: ticket for this date already raised", pk)
    return raised

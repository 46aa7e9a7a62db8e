"""Reads of tickets, assets and preventive schedules, always inside the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField as _Bool
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from sanad.camps.models import Asset, MaintenanceSchedule, Ticket, TicketPhoto
from sanad.camps.services.tickets import OPEN_STATUSES, WORK_PENDING
from sanad.core.errors import NotFound
from sanad.core.scoping import scoped


def overdue_q(now: Any = None) -> Q:
    """Tickets whose work is not done and whose due time has passed."""
    return Q(status__in=WORK_PENDING, due_at__lt=now or timezone.now())


def tickets_for(user: Any, permission: str | None = None) -> QuerySet[Ticket]:
    """The tickets `user` may see, with `is_overdue` and the number of photos."""
    now = timezone.now()
    return (
        scoped(Ticket.objects.all(), user, permission)
        .select_related("site__place", "asset", "assignee", "contractor")
        .annotate(
            is_overdue=Case(
                When(overdue_q(now), then=Value(True)), default=Value(False), output_field=_Bool()
            ),
            photo_count=Count("photos"),
        )
    )


def open_tickets_by_site(site_ids: list[int]) -> dict[int, int]:
    """{site id: open tickets} (for the sites list and dashboard)."""
    rows = (
        Ticket.objects.filter(site_id__in=site_ids, status__in=OPEN_STATUSES)
        .values("site_id")
        .annotate(n=Count("id"))
    )
    return {r["site_id"]: r["n"] for r in rows}


def open_tickets_of_site(site: Any, limit: int = 10) -> list[Ticket]:
    now = timezone.now()
    rows = list(
        Ticket.objects.filter(site=site, status__in=OPEN_STATUSES)
        .select_related("asset")
        .order_by("due_at")[:limit]
    )
    for t in rows:
        t.is_overdue = t.status in WORK_PENDING and t.due_at is not None and t.due_at < now  # type: ignore[attr-defined]
    return rows


def is_overdue(ticket: Ticket, now: Any = None) -> bool:
    return bool(
        ticket.status in WORK_PENDING
        and ticket.due_at is not None
        and ticket.due_at < (now or timezone.now())
    )


def photo_get(*, user: Any, public_id: Any) -> TicketPhoto:
    """A ticket's photo, only if the user may see the ticket."""
    photo = (
        TicketPhoto.objects.filter(
            public_id=public_id, ticket__in=scoped(Ticket.objects.all(), user)
        )
        .select_related("ticket")
        .first()
    )
    if photo is None:
        raise NotFound()
    return photo


def assets_for(user: Any) -> QuerySet[Asset]:
    return (
        scoped(Asset.objects.all(), user)
        .select_related("site__place")
        .annotate(
            open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)),
            has_schedule=Exists(
                MaintenanceSchedule.objects.filter(asset=OuterRef("pk"), active=True)
            ),
        )
    )


def asset_get(*, user: Any, public_id: Any, permission: str | None = None) -> Asset:
    asset = (
        scoped(Asset.objects.all(), user, permission)
        .select_related("site__place")
        .filter(public_id=public_id)
        .first()
    )
    if asset is None:
        raise NotFound()
    return asset


def schedules_for(user: Any) -> QuerySet[MaintenanceSchedule]:
    return scoped(MaintenanceSchedule.objects.all(), user).select_related("site__place", "asset")


def schedule_get(
    *, user: Any, public_id: Any, permission: str | None = None
) -> MaintenanceSchedule:
    schedule = (
        scoped(MaintenanceSchedule.objects.all(), user, permission)
        .select_related("site__place", "asset")
        .filter(public_id=public_id)
        .first()
    )
    if schedule is None:
        raise NotFound()
    return schedule

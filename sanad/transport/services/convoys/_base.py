"""Helpers shared by the convoy services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sanad.core.errors import Conflict
from sanad.transport.models import (
    Convoy,
    MovementHousehold,
)
from sanad.transport.selectors import convoys as selectors

UNSET: Any = object()
OPEN = selectors.OPEN
CHANGEABLE = (Convoy.Status.PLANNING, Convoy.Status.READY)


def locked(convoy: Convoy) -> Convoy:
    return Convoy.objects.select_for_update().get(pk=convoy.pk)


def changeable(convoy: Convoy) -> None:
    if convoy.status not in CHANGEABLE:
        raise Conflict(
            _("This convoy has left or was cancelled: its plan can no longer change."),
            code="convoy_closed",
        )


def planning_only(convoy: Convoy) -> None:
    if convoy.status != Convoy.Status.PLANNING:
        raise Conflict(
            _("Go back to planning before changing the vehicles of this convoy."),
            code="convoy_not_planning",
        )


def back_to_waiting(user: Any, row: MovementHousehold, reason: str) -> None:
    row.refresh_from_db(fields=["status"])
    if row.status == MovementHousehold.Status.PLANNED:
        MovementHousehold.STATUS_MACHINE.transition(
            row, to=MovementHousehold.Status.WAITING, by=user, reason=reason
        )

"""Movement requests for a camp closure or consolidation plan: the camps service
`closure_movement_requests` calls `movement_requests_from_closure` (the setting
`SANAD_MOVEMENT_REQUESTER`) inside its transaction."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sanad.camps.models import ClosureHousehold, ClosurePlan
from sanad.transport.models import MovementKind, MovementRequest
from sanad.transport.services.movements import movement_create, movement_household_add


def movement_requests_from_closure(
    *, user: Any, plan: ClosurePlan, rows: list[ClosureHousehold]
) -> dict[int, str]:
    """One draft relocation request per (destination, destination area, moving date)
    of the rows, from the site's place, with the rows' households on it (each knows
    its closure row, reported back on arrival). Returns {row pk: request reference}.

    The camp manager calling it holds camps.manage_closure, not the transport
    permissions: the requests are created for the transport team to prepare and
    submit. A household that cannot move (not active, already on another request)
    refuses the whole batch with a message naming it."""
    groups: dict[tuple[Any, Any, Any], list[ClosureHousehold]] = {}
    for row in rows:
        key = (row.destination_id, row.destination_admin_unit_id, row.move_on)
        groups.setdefault(key, []).append(row)
    site = plan.site
    refs: dict[int, str] = {}
    for group in groups.values():
        first = group[0]
        request = movement_create(
            user=user,
            kind=MovementKind.RELOCATION,
            origin=site.place,
            destination=first.destination,
            destination_admin_unit=first.destination_admin_unit,
            # The camps service passes only rows with a moving date.
            requested_date=first.move_on or plan.target_date,
            notes=_("%(kind)s of %(site)s.")
            % {"kind": plan.get_kind_display(), "site": site.place.name_en},
            source=MovementRequest.Source.CAMP_CLOSURE,
            source_ref=str(plan.public_id),
            permission=None,
        )
        for row in group:
            movement_household_add(
                user=user,
                request=request,
                household=row.household,
                closure_row_id=row.pk,
                permission=None,
            )
            refs[row.pk] = request.reference
    return refs

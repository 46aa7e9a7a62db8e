"""Incidents on the way."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed
from sanad.transport.models import (
    MANAGE,
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    Incident,
    MovementHousehold,
)
from sanad.transport.services._common import actor, require
from sanad.transport.services.checks._base import (
    INCIDENT_STATUSES,
    _locked,
)

# --- incidents -------------------------------------------------------------------------------

INCIDENT_FIELDS = (
    "kind",
    "severity",
    "occurred_at",
    "location",
    "description",
    "people_affected",
    "action_taken",
    "convoy_vehicle",
    "households",
)


def incident_record(*, user: Any, convoy: Convoy, **fields: Any) -> Incident:
    """Record an incident on the way (while the convoy is ready, on the way or just
    arrived): kind, severity, when, where, what happened, people affected, action
    taken, and optionally the vehicle."""
    require(user, MANAGE, convoy)
    unknown = set(fields) - set(INCIDENT_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    errors: dict[str, list[str]] = {}
    kind = str(fields.get("kind") or "")
    if kind not in Incident.Kind.values:
        errors["kind"] = [_("Choose the kind of incident.")]
    severity = str(fields.get("severity") or Incident.Severity.LOW)
    if severity not in Incident.Severity.values:
        errors["severity"] = [_("Choose low, medium or high.")]
    occurred_at = fields.get("occurred_at") or timezone.now()
    if not isinstance(occurred_at, datetime.datetime):
        errors["occurred_at"] = [_("Give the date and time it happened.")]
    elif occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = [_("The incident cannot have happened in the future.")]
    location = str(fields.get("location") or "").strip()
    if len(location) > 200:
        errors["location"] = [_("Keep the place under %(n)d characters.") % {"n": 200}]
    description = str(fields.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Say what happened.")]
    try:
        people = int(fields.get("people_affected") or 0)
    except (TypeError, ValueError):
        people = -1
    if not 0 <= people <= 32767:
        errors["people_affected"] = [_("Give the number of people affected (0 or more).")]
    action_taken = str(fields.get("action_taken") or "").strip()
    vehicle = fields.get("convoy_vehicle")
    if vehicle is not None and (
        not isinstance(vehicle, ConvoyVehicle) or vehicle.convoy_id != convoy.pk
    ):
        errors["convoy_vehicle"] = [_("Choose a vehicle of this convoy.")]
    households = list(fields.get("households") or [])
    in_convoy = set(
        ConvoyLoad.objects.filter(convoy=convoy).values_list("movement_household_id", flat=True)
    )
    if any(not isinstance(h, MovementHousehold) or h.pk not in in_convoy for h in households):
        errors["households"] = [_("Choose households travelling in this convoy.")]
    if kind == Incident.Kind.MISSING and not households and not errors.get("kind"):
        errors["households"] = [_("Name the households with a missing passenger.")]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        convoy = _locked(convoy)
        if convoy.status not in INCIDENT_STATUSES:
            raise Conflict(
                _(
                    "Convoy %(ref)s is “%(status)s”: incidents are recorded once it is ready, "
                    "on the way or arrived."
                )
                % {"ref": convoy.reference, "status": convoy.get_status_display()},
                code="convoy_wrong_status",
            )
        incident = Incident.objects.create(
            convoy=convoy,
            convoy_vehicle=vehicle,
            kind=kind,
            severity=severity,
            occurred_at=occurred_at,
            location=location,
            description=description,
            people_affected=people,
            action_taken=action_taken,
            created_by=actor(user),
            updated_by=actor(user),
        )
        incident.households.set(households)
        return incident

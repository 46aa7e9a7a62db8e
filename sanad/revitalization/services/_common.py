"""Helpers shared by the revitalization services: permission checks, references, dates,
the programme."""

from __future__ import annotations

import datetime

from django.utils import timezone

from sanad.core.services import actor, next_reference, require
from sanad.programmes.models import Programme

__all__ = ["PROGRAMME", "actor", "next_reference", "programme", "require", "today"]

PROGRAMME = "CRP"


def today() -> datetime.date:
    return timezone.localdate()


def programme() -> Programme:
    """The community revitalization programme (created by the programmes data migration)."""
    return Programme.objects.get(code=PROGRAMME)

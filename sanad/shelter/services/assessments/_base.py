"""Constants and helpers shared by the assessment services, and who may reach what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sanad.core.scoping import grants_for
from sanad.shelter.models import (
    Assessment,
)
from sanad.shelter.services._common import (
    require,
)

Status = Assessment.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
MAX_PHOTOS = 12
MAX_BOQ_LINES = 200
QUANTITY_MAX = Decimal("999999999")


# --- reach --------------------------------------------------------------------------------


def _reaches(user: Any, permission: str, governorate: str, programme: str) -> bool:
    return any(
        (g.all_governorates or governorate in g.governorates)
        and (g.all_programmes or programme in g.programmes)
        for g in grants_for(user, permission)
    )


def _require_on(user: Any, assessment: Assessment, permission: str) -> None:
    require(user, permission, assessment)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)

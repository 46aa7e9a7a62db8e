"""Constants and helpers shared by the rehabilitation-case services."""

from __future__ import annotations

from sanad.shelter.models import (
    RehabCase,
)

Status = RehabCase.Status
Modality = RehabCase.Modality
LIVE = (Status.OPEN, Status.IN_PROGRESS, Status.COMPLETED, Status.HANDED_OVER)
DONE = (Status.COMPLETED, Status.HANDED_OVER, Status.CLOSED, Status.CANCELLED)
SHELTER_CONDITION = "shelter_milestone"
MAX_SIGNATURE_BYTES = 512 * 1024
LEDGER_SOURCE = "shelter_case"
LEDGER_ITEM = "shelter_rehabilitation"

# Default stages of the works (name, progress reached). The cash modality puts one
# tranche milestone per tranche after the first, then the completion.
WORKS_MILESTONES = (("Structural works", 40), ("Finishing", 80), ("Completion", 100))
TRANCHE_NAMES = (
    "Structural works",
    "Roof and walls",
    "Doors, windows and finishing",
    "Services (water, sanitation, electricity)",
)


def _locked(case: RehabCase) -> RehabCase:
    return RehabCase.objects.select_for_update().get(pk=case.pk)

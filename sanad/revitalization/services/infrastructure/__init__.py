"""Community infrastructure (part A of the revitalization app).

- `contractors`: `contractor_create`, `contractor_update`;
- `projects`: `project_create`, `project_update`, `project_endorse`, `project_start`,
  `project_complete`, `project_hand_over`, `project_cancel`, `project_population_set`,
  `project_defaults_from_need`, `kind_for_sector`;
- `milestones`: `milestones_set`, `milestone_progress`;
- `workers`: `worker_add`, `worker_update`, `worker_payment_record` (writes the ledger).

Every write needs MANAGE (`revitalization.manage_community`) reaching the project (a 404
otherwise)."""

from sanad.revitalization.services.infrastructure.contractors import (
    contractor_create,
    contractor_update,
)
from sanad.revitalization.services.infrastructure.milestones import (
    milestone_progress,
    milestones_set,
)
from sanad.revitalization.services.infrastructure.projects import (
    SECTOR_KIND,
    kind_for_sector,
    need_endorsed,
    project_cancel,
    project_complete,
    project_create,
    project_defaults_from_need,
    project_endorse,
    project_hand_over,
    project_population_set,
    project_start,
    project_update,
)
from sanad.revitalization.services.infrastructure.workers import (
    worker_add,
    worker_payment_record,
    worker_update,
)

__all__ = [
    "SECTOR_KIND",
    "contractor_create",
    "contractor_update",
    "kind_for_sector",
    "milestone_progress",
    "milestones_set",
    "need_endorsed",
    "project_cancel",
    "project_complete",
    "project_create",
    "project_defaults_from_need",
    "project_endorse",
    "project_hand_over",
    "project_population_set",
    "project_start",
    "project_update",
    "worker_add",
    "worker_payment_record",
    "worker_update",
]

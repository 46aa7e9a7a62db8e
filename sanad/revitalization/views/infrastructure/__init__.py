"""Pages of infrastructure projects and contractors (the URLconf `urls_communities`
uses these names)."""

from sanad.revitalization.views.infrastructure.contractors import (
    ContractorListView,
    contractor_create,
    contractor_detail,
    contractor_edit,
)
from sanad.revitalization.views.infrastructure.projects import (
    ProjectListView,
    project_action,
    project_create,
    project_detail,
    project_edit,
    project_milestone_progress,
    project_milestones,
    project_population,
)
from sanad.revitalization.views.infrastructure.workers import (
    project_payment_add,
    project_worker_add,
    project_worker_toggle,
)

__all__ = [
    "ContractorListView",
    "ProjectListView",
    "contractor_create",
    "contractor_detail",
    "contractor_edit",
    "project_action",
    "project_create",
    "project_detail",
    "project_edit",
    "project_milestone_progress",
    "project_milestones",
    "project_payment_add",
    "project_population",
    "project_worker_add",
    "project_worker_toggle",
]

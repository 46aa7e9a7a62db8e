"""Communities and their participatory assessments (part A of the revitalization app).

- `communities`: `community_create`, `community_update`;
- `assessments`: `assessment_create`, `assessment_update`,
  `assessment_participation_set`, `need_add`, `need_update`, `need_remove`,
  `resource_add`, `resource_remove`, `assessment_rank`, `assessment_complete`,
  `assessment_reopen`, `assessment_cancel`, `assessment_select_needs`,
  `assessment_endorse`;
- `ranking`: `rank_needs` (pure).

Every write needs MANAGE (`revitalization.manage_community`) reaching the record (a 404
otherwise)."""

from sanad.revitalization.services.communities.assessments import (
    assessment_cancel,
    assessment_complete,
    assessment_create,
    assessment_endorse,
    assessment_participation_set,
    assessment_rank,
    assessment_reopen,
    assessment_select_needs,
    assessment_update,
    need_add,
    need_remove,
    need_update,
    parse_scores,
    resource_add,
    resource_remove,
)
from sanad.revitalization.services.communities.communities import (
    community_create,
    community_update,
)
from sanad.revitalization.services.communities.ranking import rank_needs

__all__ = [
    "assessment_cancel",
    "assessment_complete",
    "assessment_create",
    "assessment_endorse",
    "assessment_participation_set",
    "assessment_rank",
    "assessment_reopen",
    "assessment_select_needs",
    "assessment_update",
    "community_create",
    "community_update",
    "need_add",
    "need_remove",
    "need_update",
    "parse_scores",
    "rank_needs",
    "resource_add",
    "resource_remove",
]

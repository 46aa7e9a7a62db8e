"""Pages of communities and their assessments (the URLconf `urls_communities` uses
these names)."""

from sanad.revitalization.views.communities.assessments import (
    AssessmentListView,
    assessment_action,
    assessment_create,
    assessment_detail,
    assessment_edit,
    assessment_need_add,
    assessment_need_edit,
    assessment_need_remove,
    assessment_participation,
    assessment_resource_add,
    assessment_resource_remove,
    assessment_select_needs,
)
from sanad.revitalization.views.communities.communities import (
    CommunityListView,
    community_create,
    community_detail,
    community_edit,
)

__all__ = [
    "AssessmentListView",
    "CommunityListView",
    "assessment_action",
    "assessment_create",
    "assessment_detail",
    "assessment_edit",
    "assessment_need_add",
    "assessment_need_edit",
    "assessment_need_remove",
    "assessment_participation",
    "assessment_resource_add",
    "assessment_resource_remove",
    "assessment_select_needs",
    "community_create",
    "community_detail",
    "community_edit",
]

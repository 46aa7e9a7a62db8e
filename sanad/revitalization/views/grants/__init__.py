"""Pages of the business-grant part (the URLconf `urls_grants` uses these names)."""

from sanad.revitalization.views.grants.applications import (
    ApplicationListView,
    application_action,
    application_create,
    application_detail,
    application_import,
    application_import_template,
)
from sanad.revitalization.views.grants.calls import (
    CallListView,
    call_action,
    call_committee,
    call_create,
    call_criteria,
    call_detail,
    call_edit,
    call_member_remove,
    call_ranking,
    call_selection,
)
from sanad.revitalization.views.grants.scoring import (
    scoring_application,
    scoring_call,
    scoring_list,
)

__all__ = [
    "ApplicationListView",
    "CallListView",
    "application_action",
    "application_create",
    "application_detail",
    "application_import",
    "application_import_template",
    "call_action",
    "call_committee",
    "call_create",
    "call_criteria",
    "call_detail",
    "call_edit",
    "call_member_remove",
    "call_ranking",
    "call_selection",
    "scoring_application",
    "scoring_call",
    "scoring_list",
]

"""Distribution pages: plans from approved lists, their events (dispatch, close and
reconcile, cancel), distribution day on a phone (scan or search, check, record the
receipt), monitoring samples and the reports. They adapt requests to
`distribution.services` and `distribution.selectors`."""

from sanad.distribution.views.day import (
    day,
    day_counter,
    day_household,
    day_receipt,
    day_search,
)
from sanad.distribution.views.events import (
    event_cancel,
    event_close,
    event_detail,
    event_dispatch,
)
from sanad.distribution.views.plans import (
    PlanListView,
    event_create,
    plan_create,
    plan_detail,
    plan_transition,
    sample_draw,
)
from sanad.distribution.views.reports import (
    event_report,
    project_report,
    report_export,
)
from sanad.distribution.views.samples import sample_detail, sample_row

__all__ = [
    "PlanListView",
    "day",
    "day_counter",
    "day_household",
    "day_receipt",
    "day_search",
    "event_cancel",
    "event_close",
    "event_create",
    "event_detail",
    "event_dispatch",
    "event_report",
    "plan_create",
    "plan_detail",
    "plan_transition",
    "project_report",
    "report_export",
    "sample_detail",
    "sample_draw",
    "sample_row",
]

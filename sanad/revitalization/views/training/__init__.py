"""The training pages: providers, courses, enrolment, sessions and attendance,
assessment and completion, certificates and the attendance sheet, placement follow-up."""

from sanad.revitalization.views.training.courses import (
    CourseListView,
    course_action,
    course_assessment,
    course_create,
    course_detail,
    course_edit,
    course_finish,
)
from sanad.revitalization.views.training.enrolment import (
    enrolment_action,
    enrolment_bulk,
    enrolment_create,
    enrolment_detail,
    enrolment_placement_add,
    enrolment_placement_edit,
)
from sanad.revitalization.views.training.exports import (
    course_attendance_sheet,
    course_certificates,
    enrolment_certificate,
)
from sanad.revitalization.views.training.providers import (
    ProviderListView,
    provider_create,
    provider_edit,
)
from sanad.revitalization.views.training.sessions import session_create, session_edit

__all__ = [
    "CourseListView",
    "ProviderListView",
    "course_action",
    "course_assessment",
    "course_attendance_sheet",
    "course_certificates",
    "course_create",
    "course_detail",
    "course_edit",
    "course_finish",
    "enrolment_action",
    "enrolment_bulk",
    "enrolment_certificate",
    "enrolment_create",
    "enrolment_detail",
    "enrolment_placement_add",
    "enrolment_placement_edit",
    "provider_create",
    "provider_edit",
    "session_create",
    "session_edit",
]

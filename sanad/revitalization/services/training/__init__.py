"""Vocational training: providers and courses, enrolment from the registry (one person
or an approved beneficiary list), sessions and attendance, final assessment, completion
and certificates (writing the assistance ledger), job placement follow-up.

Every write needs TRAINING (`revitalization.manage_training`) and, for an existing
record, the record in the user's TRAINING scope (a 404 otherwise). Courses, enrolments
and follow-ups change status through their model's status machine, so who, when and why
is recorded."""

from __future__ import annotations

from sanad.revitalization.services.training.completion import (
    ITEM,
    SOURCE_TYPE,
    course_finish,
    enrolment_complete,
)
from sanad.revitalization.services.training.courses import (
    course_cancel,
    course_create,
    course_start,
    course_update,
    provider_create,
    provider_update,
)
from sanad.revitalization.services.training.enrolment import (
    RULE_HEAD,
    RULE_YOUTH,
    assessment_record,
    bulk_message,
    enrolment_bulk,
    enrolment_create,
    enrolment_drop_out,
    enrolment_reenrol,
)
from sanad.revitalization.services.training.placement import placement_record, placement_update
from sanad.revitalization.services.training.sessions import session_record, session_update

__all__ = [
    "ITEM",
    "RULE_HEAD",
    "RULE_YOUTH",
    "SOURCE_TYPE",
    "assessment_record",
    "bulk_message",
    "course_cancel",
    "course_create",
    "course_finish",
    "course_start",
    "course_update",
    "enrolment_bulk",
    "enrolment_complete",
    "enrolment_create",
    "enrolment_drop_out",
    "enrolment_reenrol",
    "placement_record",
    "placement_update",
    "provider_create",
    "provider_update",
    "session_record",
    "session_update",
]

"""Targeting pages: the rule builder with its live preview, scoring models, beneficiary
lists (build, lock, approve, close), their households, the explanation of one household,
the appeal look-up and the exports. They adapt requests to selectors and services."""

from sanad.targeting.views.lists import (
    EntryListView,
    ListListView,
    appeal,
    decision_remove,
    decision_set,
    explanation,
    list_build,
    list_create,
    list_detail,
    list_edit,
    list_export,
    list_transition,
)
from sanad.targeting.views.models import (
    ModelListView,
    coefficients_template,
    model_create,
    model_detail,
    version_create,
)
from sanad.targeting.views.rules import RuleListView, rule_create, rule_edit, rule_preview

__all__ = [
    "EntryListView",
    "ListListView",
    "ModelListView",
    "RuleListView",
    "appeal",
    "coefficients_template",
    "decision_remove",
    "decision_set",
    "explanation",
    "list_build",
    "list_create",
    "list_detail",
    "list_edit",
    "list_export",
    "list_transition",
    "model_create",
    "model_detail",
    "rule_create",
    "rule_edit",
    "rule_preview",
    "version_create",
]

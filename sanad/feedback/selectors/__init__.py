"""Reads of the feedback app. `sensitivity.cases_for` is the one filter every case read
goes through."""

from sanad.feedback.selectors.sensitivity import (
    cases_for,
    hidden_sensitivities,
    messages_visible,
)

__all__ = ["cases_for", "hidden_sensitivities", "messages_visible"]

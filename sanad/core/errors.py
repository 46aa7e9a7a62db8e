"""One family of application errors, one code per case, one API error shape.

Services raise these; views turn them into a message for the person and the API
into `{"error": {"code", "message", "fields"}}`. The message is a sentence that says
what to fix, translated into the user's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """Base of every error a person can cause and fix."""

    code = "application_error"
    status_code = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        self.params = params or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": {
                    k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
                    for k, v in self.fields.items()
                },
            }
        }


class ValidationFailed(ApplicationError):
    code = "validation_failed"
    status_code = 400
    default_message = _("Some values are not valid. Correct the marked fields and try again.")


def field_error(field: str, message: str, code: str) -> ValidationFailed:
    """The refusal of one field's value: `message` says what to fix, on the form's field
    and in the API's `fields`."""
    return ValidationFailed(message, code=code, fields={field: [message]})


class NotFound(ApplicationError):
    code = "not_found"
    status_code = 404
    default_message = _("Nothing was found at this address, or you do not have access to it.")


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status_code = 403
    default_message = _(
        "Your role does not allow this action. Ask an administrator if you need it."
    )


class Conflict(ApplicationError):
    code = "conflict"
    status_code = 409
    default_message = _("The record was changed by someone else. Reload the page and try again.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This change of status is not allowed from the current status.")

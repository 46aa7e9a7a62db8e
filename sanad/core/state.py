"""Explicit state machines: the allowed transitions of a status field in one place,
and every transition recorded (who, when, from, to, why).

    class Project(BaseModel):
        STATUS_MACHINE = StateMachine("status", {
            "draft": {"active", "cancelled"},
            "active": {"closed"},
        })

    Project.STATUS_MACHINE.transition(project, to="active", by=user, reason="...")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import InvalidTransition, ValidationFailed


class StateMachine:
    def __init__(
        self,
        field: str,
        transitions: Mapping[str, Iterable[str]],
        *,
        reason_required: Iterable[str] = (),
    ) -> None:
        self.field = field
        self.transitions = {state: frozenset(targets) for state, targets in transitions.items()}
        self.reason_required = frozenset(reason_required)

    def allowed(self, current: str) -> frozenset[str]:
        return self.transitions.get(current, frozenset())

    def can(self, obj: models.Model, to: str) -> bool:
        return to in self.allowed(getattr(obj, self.field))

    def transition(
        self,
        obj: models.Model,
        *,
        to: str,
        by: Any = None,
        reason: str = "",
        extra_updates: Iterable[str] = (),
    ) -> models.Model:
        """Move `obj` to state `to`, atomically, refusing a transition that is not allowed
        or that another request has already made (conditional update on the old state)."""
        from sanad.core.models import StatusTransition

        current = getattr(obj, self.field)
        if to not in self.allowed(current):
            raise InvalidTransition(
                _("Cannot change status from “%(from)s” to “%(to)s”. Allowed next: %(allowed)s.")
                % {
                    "from": current,
                    "to": to,
                    "allowed": ", ".join(sorted(self.allowed(current))) or _("none"),
                },
                params={"from": current, "to": to},
            )
        if to in self.reason_required and not reason.strip():
            message = _("Give a reason for this change of status.")
            raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
        model = type(obj)
        with transaction.atomic():
            values: dict[str, Any] = {self.field: to}
            for name in extra_updates:
                values[name] = getattr(obj, name)
            if hasattr(obj, "updated_at"):
                from django.utils import timezone

                values["updated_at"] = timezone.now()
            changed = model._default_manager.filter(pk=obj.pk, **{self.field: current}).update(
                **values
            )
            if changed != 1:
                raise InvalidTransition(
                    _("The status was changed by someone else meanwhile. Reload and try again."),
                    code="stale_status",
                )
            StatusTransition.objects.create(
                content_type=ContentType.objects.get_for_model(model),
                object_pk=str(obj.pk),
                field=self.field,
                from_state=current,
                to_state=to,
                by=by if getattr(by, "pk", None) else None,
                reason=reason,
            )
        setattr(obj, self.field, to)
        return obj

    def history(self, obj: models.Model) -> models.QuerySet[Any]:
        from sanad.core.models import StatusTransition

        return StatusTransition.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_pk=str(obj.pk),
            field=self.field,
        ).select_related("by")

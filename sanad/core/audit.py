"""Audit trail of changes to records that hold personal data, and the log of who
viewed or exported a person's full record.

Apps register their own models in `AppConfig.ready()`:

    audit.register(User)

The trail records the names of changed fields for every field and the old and new
values for the others; values of the fields in the model's `PERSONAL_FIELDS` are
never copied into the trail (they would spread personal data into a second table).
Bulk `QuerySet.update()` bypasses model signals: services that change personal data
in bulk call `audit.record_bulk()`.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from sanad.core import context

MASK = "•••"
_SKIP = {"updated_at", "created_at", "updated_by", "created_by", "password", "last_login"}
_registered: set[type[models.Model]] = set()


def _value(value: Any) -> Any:
    if isinstance(
        value, datetime.datetime | datetime.date | datetime.time | uuid.UUID | decimal.Decimal
    ):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def _snapshot(instance: models.Model) -> dict[str, Any]:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIP:
            continue
        data[field.name] = _value(getattr(instance, field.attname))
    return data


def _masked(model: type[models.Model], name: str, value: Any) -> Any:
    personal = getattr(model, "PERSONAL_FIELDS", ())
    if name in personal or name in {"password"}:
        return MASK
    return value


def _pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if instance.pk and not instance._state.adding:
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._audit_before = _snapshot(old) if old is not None else None  # type: ignore[attr-defined]
    else:
        instance._audit_before = None  # type: ignore[attr-defined]


def _record(
    sender: type[models.Model], instance: models.Model, action: str, changes: dict[str, Any]
) -> None:
    from sanad.core.models import AuditEvent

    actor = context.current_actor()
    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(sender),
        object_pk=str(instance.pk),
        object_public_id=str(getattr(instance, "public_id", "") or ""),
        action=action,
        changes=changes,
        actor=actor if getattr(actor, "pk", None) else None,
        request_id=context.current_request_id(),
        source=context.current_source() or "system",
    )


def _post_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw:  # fixture loading
        return
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        changes = {
            k: [None, _masked(sender, k, v)] for k, v in after.items() if v not in (None, "")
        }
        _record(sender, instance, "create", changes)
        return
    changes = {
        k: [_masked(sender, k, before.get(k)), _masked(sender, k, v)]
        for k, v in after.items()
        if before.get(k) != v
    }
    if changes:
        _record(sender, instance, "update", changes)


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _record(sender, instance, "delete", {})


def _m2m_handler(model: type[models.Model], field_name: str) -> Any:
    def handler(
        sender: Any,
        instance: models.Model,
        action: str,
        pk_set: set[Any] | None,
        reverse: bool,
        **kwargs: Any,
    ) -> None:
        if reverse or action not in {"post_add", "post_remove", "post_clear"}:
            return
        if action == "post_clear":
            change: list[Any] = ["*", None]
        else:
            values = sorted(str(pk) for pk in (pk_set or ()))
            if not values:
                return
            change = [None, values] if action == "post_add" else [values, None]
        _record(model, instance, "update", {field_name: change})

    return handler


def register(model: type[models.Model]) -> None:
    """Audit every create, change and delete of `model`, and changes of its
    many-to-many fields (a role's governorates, say)."""
    if model in _registered:
        return
    _registered.add(model)
    uid = f"sanad-audit-{model._meta.label}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre", weak=False)
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post", weak=False)
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-del", weak=False)
    for field in model._meta.many_to_many:
        through = getattr(model, field.name).through
        m2m_changed.connect(
            _m2m_handler(model, field.name),
            sender=through,
            dispatch_uid=f"{uid}-m2m-{field.name}",
            weak=False,
        )


def registered_models() -> list[type[models.Model]]:
    return sorted(_registered, key=lambda m: m._meta.label)


def record_bulk(model: type[models.Model], pks: list[Any], changes: dict[str, Any]) -> None:
    from sanad.core.models import AuditEvent

    actor = context.current_actor()
    ct = ContentType.objects.get_for_model(model)
    masked = {k: [_masked(model, k, v[0]), _masked(model, k, v[1])] for k, v in changes.items()}
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                content_type=ct,
                object_pk=str(pk),
                action="update",
                changes=masked,
                actor=actor if getattr(actor, "pk", None) else None,
                request_id=context.current_request_id(),
                source=context.current_source() or "system",
            )
            for pk in pks
        ]
    )


def personal_record_viewed(
    *,
    user: Any,
    obj: models.Model,
    purpose: str = "",
    route: str = "",
    action: str = "view",
    record_count: int = 1,
) -> None:
    """Log that `user` saw (or exported) the full record of a person."""
    from sanad.core.models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        user=user if getattr(user, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk),
        object_public_id=str(getattr(obj, "public_id", "") or ""),
        action=action,
        purpose=purpose[:200],
        route=route[:300],
        record_count=record_count,
    )


def personal_data_exported(
    *, user: Any, model: type[models.Model], purpose: str, route: str = "", record_count: int
) -> None:
    from sanad.core.models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        user=user if getattr(user, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(model),
        action="export",
        purpose=purpose[:200],
        route=route[:300],
        record_count=record_count,
    )

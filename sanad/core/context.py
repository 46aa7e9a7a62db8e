"""Who is acting, from which request: set by middleware, API views, commands and jobs,
read by the audit trail and the base model."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from typing import Any

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("sanad_actor", default=None)
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("sanad_request_id", default="")
_source: contextvars.ContextVar[str] = contextvars.ContextVar("sanad_source", default="")


def current_actor() -> Any:
    actor = _actor.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


def current_request_id() -> str:
    return _request_id.get()


def current_source() -> str:
    return _source.get()


def set_actor(actor: Any) -> None:
    _actor.set(actor)


@contextlib.contextmanager
def acting_as(
    actor: Any, *, source: str = "command", request_id: str | None = None
) -> Iterator[None]:
    tokens = (
        _actor.set(actor),
        _source.set(source),
        _request_id.set(request_id or str(uuid.uuid4())),
    )
    try:
        yield
    finally:
        _actor.reset(tokens[0])
        _source.reset(tokens[1])
        _request_id.reset(tokens[2])

from __future__ import annotations

import json
from typing import Any

from django.http import Http404

from sanad.core.errors import NotFound
from sanad.targeting import fields


def found(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def builder_context(
    *, tree: Any = None, criteria: Any = None, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the rule builder script reads: the field registry (in the page's language),
    the tree or criteria to start from, and errors by path."""
    return {
        "builder_fields": fields.fields_ui(),
        "builder_tree": tree if tree is not None else {"match": "all", "items": []},
        "builder_criteria": criteria if criteria is not None else [],
        "builder_errors": errors or {},
    }


def parse_json(text: Any, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except (TypeError, ValueError):
        return default

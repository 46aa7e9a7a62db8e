"""Rules as data → one set-based query.

A rule is a tree:

    {"match": "all", "items": [
        {"field": "governorate", "operator": "eq", "value": "IQG09"},
        {"match": "any", "items": [
            {"field": "shelter_type", "operator": "in", "value": ["informal_settlement"]},
            {"field": "critical_shelter", "operator": "is_true", "value": null}]},
        {"field": "received", "operator": "is_false",
         "value": {"what": "item", "code": "winter_kit", "since": "2026-10-01"}}]}

`validate_tree` checks it against the field registry (unknown keys, fields, operators
and values that do not fit are refused with the path of the offending part) and returns
the normalised tree and its conditions ("leaves", numbered depth first). The compilers
turn leaves into Django `Q` objects: `tree_q` (the whole rule, for counts), and
`bits_expression` (an integer with bit i set when the household meets condition i) so
that one query both decides and explains. `eligible_sql` evaluates the tree over that
integer with bit masks only (integers generated here, bound as parameters).

No text of a rule reaches the database other than as a bound parameter, and nothing
of it is ever evaluated as Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Case, Q, Value, When
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.targeting.fields import Context, Field, FieldError, field

MAX_CONDITIONS = 60  # bits of a signed 64-bit integer, with room to spare
MAX_DEPTH = 5
MATCHES = ("all", "any")
EMPTY_TREE: dict[str, Any] = {"match": "all", "items": []}


@dataclass(frozen=True)
class Leaf:
    index: int
    path: str
    field: Field
    operator: str
    value: Any  # typed and normalised (JSON-safe)

    def q(self, ctx: Context) -> Q:
        return self.field.q(self.operator, self.value, ctx)

    def describe(self) -> str:
        return self.field.describe(self.operator, self.value)

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field.code, "operator": self.operator, "value": self.value}


class _Errors:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        key = f"{self.prefix}.{path}" if path else self.prefix
        self.fields.setdefault(key, []).append(message)


def load(data: Any) -> Any:
    """A tree from JSON text or already parsed data."""
    if isinstance(data, str | bytes):
        try:
            return json.loads(data or "null")
        except ValueError as exc:
            message = _("The conditions could not be read. Build them again.")
            raise ValidationFailed(message, fields={"tree": [message]}) from exc
    return data


def validate_condition(
    data: Any, *, path: str = "", errors: _Errors | None = None, index: int = 0
) -> Leaf | None:
    """One condition `{field, operator, value}`; errors go to `errors` (or raise)."""
    own = errors or _Errors("condition")
    if not isinstance(data, dict):
        own.add(path, _("A condition must name a field, an operator and a value."))
        _raise_if(own, errors)
        return None
    unknown = set(data) - {"field", "operator", "value"}
    if unknown:
        own.add(path, _("A condition has only a field, an operator and a value."))
        _raise_if(own, errors)
        return None
    f = field(data.get("field"))
    if f is None:
        own.add(_join(path, "field"), _("Choose a field from the list; this one does not exist."))
        _raise_if(own, errors)
        return None
    operator = data.get("operator")
    if not isinstance(operator, str) or operator not in f.operators:
        own.add(
            _join(path, "operator"),
            _("Choose one of the operators offered for “%(field)s”.") % {"field": f.label},
        )
        _raise_if(own, errors)
        return None
    try:
        typed = f.clean(operator, data.get("value"))
    except FieldError as exc:
        own.add(_join(path, "value"), str(exc))
        _raise_if(own, errors)
        return None
    leaf = Leaf(
        index=index, path=path, field=f, operator=operator, value=f.to_json(operator, typed)
    )
    if errors is None:
        _raise_if(own, None)
    return leaf


def _raise_if(errors: _Errors, outer: _Errors | None) -> None:
    if outer is None and errors.fields:
        raise ValidationFailed(
            _("A condition is not valid: %(message)s")
            % {"message": next(iter(errors.fields.values()))[0]},
            fields=errors.fields,
        )
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def validate_tree(data: Any, *, prefix: str = "tree") -> tuple[dict[str, Any], list[Leaf]]:
    """The normalised tree and its conditions, or ValidationFailed listing every problem
    by its path (`tree.items.1.value`, …)."""
    data = load(data)
    if data in (None, "", {}):
        data = dict(EMPTY_TREE)
    errors = _Errors(prefix)
    leaves: list[Leaf] = []

    def walk(node: Any, path: str, depth: int) -> dict[str, Any] | None:
        if isinstance(node, dict) and "match" in node:
            if depth > MAX_DEPTH:
                errors.add(path, _("Groups may be nested %(n)s deep at most.") % {"n": MAX_DEPTH})
                return None
            if set(node) - {"match", "items"}:
                errors.add(path, _("A group has only “match” and “items”."))
                return None
            if node.get("match") not in MATCHES:
                errors.add(_join(path, "match"), _("A group matches “all” or “any” of its items."))
                return None
            items = node.get("items")
            if not isinstance(items, list):
                errors.add(_join(path, "items"), _("A group lists its items."))
                return None
            out = []
            for i, item in enumerate(items):
                child = walk(item, _join(path, f"items.{i}"), depth + 1)
                if child is not None:
                    out.append(child)
            return {"match": node["match"], "items": out}
        if len(leaves) >= MAX_CONDITIONS:
            errors.add(path, _("A rule has %(n)s conditions at most.") % {"n": MAX_CONDITIONS})
            return None
        leaf = validate_condition(node, path=path, errors=errors, index=len(leaves))
        if leaf is None:
            return None
        leaves.append(leaf)
        return leaf.as_json()

    if not (isinstance(data, dict) and "match" in data):
        data = {"match": "all", "items": [data]}
    tree = walk(data, "", 0)
    if errors.fields:
        first = next(iter(errors.fields.values()))[0]
        raise ValidationFailed(
            _("The conditions are not valid: %(message)s") % {"message": first},
            fields=errors.fields,
        )
    assert tree is not None
    return tree, leaves


def leaves_of(tree: dict[str, Any]) -> list[Leaf]:
    """The conditions of an already validated tree (a list's snapshot)."""
    return validate_tree(tree)[1]


# --- compiling --------------------------------------------------------------------------
def tree_q(tree: dict[str, Any], ctx: Context) -> Q:
    """The whole rule as one Q on Household (an empty group matches every household)."""

    def walk(node: dict[str, Any]) -> Q:
        if "match" in node:
            parts = [walk(child) for child in node["items"]]
            if not parts:
                return Q()
            combined = parts[0]
            for part in parts[1:]:
                combined = combined & part if node["match"] == "all" else combined | part
            return combined
        leaf = validate_condition(node)
        assert leaf is not None
        return leaf.q(ctx)

    return walk(tree)


def bits_expression(leaves: list[Leaf], ctx: Context) -> Any:
    """An integer per household: bit i set when it meets leaf i (0 without leaves)."""
    if not leaves:
        return Value(0, output_field=BigIntegerField())
    parts = [
        Case(
            When(leaf.q(ctx), then=Value(1 << leaf.index)),
            default=Value(0),
            output_field=BigIntegerField(),
        )
        for leaf in leaves
    ]
    total: Any = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def eligible_sql(tree: dict[str, Any], column: str) -> tuple[str, list[int]]:
    """SQL deciding the rule from the bits in `column` (a quoted column name written by
    the caller). The conditions directly in a group are tested together with one mask —
    all of them: `(column & m) = m`; any of them: `(column & m) <> 0` — and subgroups
    join with AND/OR. Only integers computed here are parameters."""
    counter = iter(range(MAX_CONDITIONS + 1))

    def walk(node: dict[str, Any]) -> tuple[str, list[int]]:
        every = node["match"] == "all"
        mask = 0
        subgroups: list[tuple[str, list[int]]] = []
        for child in node["items"]:  # depth first, numbered as `validate_tree` numbers
            if "match" in child:
                subgroups.append(walk(child))
            else:
                mask |= 1 << next(counter)
        parts: list[str] = []
        params: list[int] = []
        if mask:
            parts.append(f"(({column} & %s) = %s)" if every else f"(({column} & %s) <> 0)")
            params.extend([mask, mask] if every else [mask])
        for sql, sub_params in subgroups:
            parts.append(sql)
            params.extend(sub_params)
        if not parts:
            return "(1 = 1)", []
        return "(" + (" AND " if every else " OR ").join(parts) + ")", params

    return walk(tree)


def met_of(bits: int, leaves: list[Leaf]) -> list[bool]:
    return [bool(bits & (1 << leaf.index)) for leaf in leaves]


def decide(tree: dict[str, Any], met: list[bool]) -> bool:
    """The rule's answer from the conditions met (the explanation page's check)."""
    counter = iter(range(len(met) + 1))

    def walk(node: dict[str, Any]) -> bool:
        if "match" in node:
            results = [walk(child) for child in node["items"]]
            return all(results) if node["match"] == "all" else any(results) if results else True
        return met[next(counter)]

    return walk(tree)


def outline(tree: dict[str, Any], met: list[bool] | None = None) -> list[dict[str, Any]]:
    """The tree as rows for a page: each group and condition with its depth, in order,
    conditions described in words (and, with `met`, whether each was met)."""
    rows: list[dict[str, Any]] = []
    counter = iter(range(MAX_CONDITIONS + 1))

    def walk(node: dict[str, Any], depth: int) -> None:
        if "match" in node:
            rows.append(
                {"group": True, "match": node["match"], "depth": depth, "size": len(node["items"])}
            )
            for child in node["items"]:
                walk(child, depth + 1)
            return
        i = next(counter)
        leaf = validate_condition(node, index=i)
        assert leaf is not None
        rows.append(
            {
                "group": False,
                "depth": depth,
                "index": i,
                "leaf": leaf,
                "text": leaf.describe(),
                "met": None if met is None else met[i],
            }
        )

    walk(tree, 0)
    return rows

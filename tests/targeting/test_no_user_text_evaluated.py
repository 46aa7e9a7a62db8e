"""No text of a rule reaches an evaluator: field names and operators come only from the
registry in code, values are typed and reach the database as bound parameters, and
nothing in targeting calls eval or exec."""

from __future__ import annotations

import builtins
import re
from pathlib import Path
from typing import Any

import pytest

from sanad.core.errors import ValidationFailed
from sanad.registry.models import Household
from sanad.targeting import build, compiler, services
from sanad.targeting.fields import Context
from tests.factories import DUHOK
from tests.targeting.conftest import TODAY, all_of, cond, household, make_list

pytestmark = pytest.mark.django_db

HOSTILE_FIELDS = [
    "size; DROP TABLE registry_household; --",
    "size__gte",
    "members__given_name_ar",
    "__class__",
    "__import__('os').system('id')",
    "status",  # a real column, but not in the registry of fields
    "registration_id",
    "notes",
    "",
    None,
    ["size"],
    {"field": "size"},
]
HOSTILE_OPERATORS = ["gte' OR '1'='1", "__gte", "regex", "raw", "contains", "startswith", None, 3]
HOSTILE_VALUES = [
    ("size", "gte", "1 OR 1=1"),
    ("size", "gte", "__import__('os')"),
    ("shelter_type", "eq", "camp' OR 'a'='a"),
    ("displacement_status", "in", ["returnee", "x') OR ('1'='1"]),
    ("governorate", "eq", "IQG09' --"),
    ("admin_unit", "in", ["IQG09%"]),
    ("displaced_on", "lt", "2020-01-01'; DELETE FROM registry_household; --"),
    ("received", "is_false", {"what": "item", "code": "x' OR 1=1 --", "months": 3}),
    ("received", "is_false", {"what": "sql", "code": "SELECT 1", "months": 3}),
    ("received", "is_false", {"what": "item", "code": "winter_kit", "months": 3, "extra": "1"}),
    ("received_value", "lt", {"amount": "1e999", "currency": "IQD", "months": 6}),
    ("received_value", "lt", {"amount": "NaN", "currency": "IQD", "months": 6}),
    ("is_large", "is_true", "1=1"),
]


@pytest.mark.parametrize("name", HOSTILE_FIELDS)
def test_a_field_that_is_not_in_the_registry_is_refused(name):
    with pytest.raises(ValidationFailed) as caught:
        compiler.validate_tree(all_of({"field": name, "operator": "eq", "value": 1}))
    assert any(k.startswith("tree.items.0") for k in caught.value.fields)


@pytest.mark.parametrize("operator", HOSTILE_OPERATORS)
def test_an_operator_that_the_field_does_not_offer_is_refused(operator):
    with pytest.raises(ValidationFailed) as caught:
        compiler.validate_tree(all_of({"field": "size", "operator": operator, "value": 1}))
    assert "tree.items.0.operator" in caught.value.fields


@pytest.mark.parametrize(("field", "operator", "value"), HOSTILE_VALUES)
def test_a_value_that_does_not_fit_its_type_is_refused(field, operator, value):
    with pytest.raises(ValidationFailed):
        compiler.validate_tree(all_of(cond(field, operator, value)))


def test_extra_keys_in_conditions_and_groups_are_refused():
    with pytest.raises(ValidationFailed):
        compiler.validate_tree(all_of({**cond("size", "gte", 1), "sql": "1=1"}))
    with pytest.raises(ValidationFailed):
        compiler.validate_tree({"match": "all", "items": [], "where": "1=1"})


def test_a_text_value_that_is_accepted_reaches_the_database_only_as_a_parameter(officer):
    household(DUHOK)
    item = "winter_kit-2026.v2"  # the only free text a rule accepts: an item code
    tree = all_of(
        cond("received", "is_false", {"what": "item", "code": item, "months": 3}),
        cond("shelter_type", "in", ["camp", "rented"]),
    )
    clean, _ = compiler.validate_tree(tree)
    sql, params = Household.objects.filter(
        compiler.tree_q(clean, Context(as_of=TODAY))
    ).query.sql_with_params()
    assert item not in sql and item in params
    assert "rented" not in sql and "rented" in [p for p in params if isinstance(p, str)] + [
        x for p in params if isinstance(p, list | tuple) for x in p
    ]
    lst = make_list(officer, tree)
    build_sql, build_params = build.build_sql(lst=lst, user=officer, ctx=Context(as_of=TODAY))[:2]
    assert item not in build_sql and item in build_params


def test_nothing_is_evaluated_as_python_while_rules_are_checked_compiled_and_built(
    officer, monkeypatch
):
    household(DUHOK)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    tree = all_of(
        cond("size", "gte", 1),
        cond("received", "is_false", {"what": "kind", "code": "cash", "months": 3}),
    )
    services.rule_preview(user=officer, tree=tree)
    lst = make_list(officer, tree)
    services.list_build(lst=lst, user=officer)
    assert lst.summary["considered"] == 1


def test_the_targeting_code_has_no_eval_exec_or_dynamic_import():
    root = Path(__file__).resolve().parents[2] / "sanad" / "targeting"
    # (re.compile is a regular expression, not Python code.)
    pattern = re.compile(r"(?<![.\w])(eval|exec|__import__|compile)\s*\(|getattr\(\s*builtins")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def test_the_registry_still_holds_all_its_rows_after_hostile_input(officer, nfi):
    household(DUHOK)
    before = Household.objects.count()
    for field, operator, value in HOSTILE_VALUES:
        with pytest.raises(ValidationFailed):
            services.rule_create(
                user=officer, programme=nfi, name="x", tree=all_of(cond(field, operator, value))
            )
    assert Household.objects.count() == before

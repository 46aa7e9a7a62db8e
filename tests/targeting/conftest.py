"""Shared set-up for the targeting tests: households registered through the registry's
service (so flags and demographics are derived as in production), a programme officer
and an IM officer scoped to Duhok and NFI, and helpers for rules, models and lists."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sanad.programmes.models import Programme
from sanad.targeting import services
from tests.factories import DUHOK, ProgrammeFactory, make_user
from tests.registry.factories import make_household, member_data

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def nfi(db: Any) -> Programme:
    return ProgrammeFactory(code="NFI")


@pytest.fixture
def officer(nfi: Programme) -> Any:
    return make_user(
        "programme_officer", username="officer", governorates=(DUHOK,), programmes=("NFI",)
    )


@pytest.fixture
def imo(nfi: Programme) -> Any:
    return make_user("im_officer", username="imo", governorates=(DUHOK,), programmes=("NFI",))


@pytest.fixture
def manager(nfi: Programme) -> Any:
    """A second programme officer: the one who approves."""
    return make_user(
        "programme_officer", username="manager", governorates=(DUHOK,), programmes=("NFI",)
    )


def household(
    governorate: str = DUHOK, *, members: Any = 3, head_sex: str = "male", **data: Any
) -> Any:
    return make_household(governorate=governorate, members=members, head_sex=head_sex, **data)


def widow_with_children(governorate: str = DUHOK, children: int = 2, **data: Any) -> Any:
    members = [
        member_data(relationship="head", sex="female", date_of_birth=datetime.date(1975, 1, 1))
    ]
    for i in range(children):
        members.append(
            member_data(
                relationship="son" if i % 2 else "daughter",
                sex="male" if i % 2 else "female",
                date_of_birth=TODAY.replace(year=TODAY.year - 3 - 2 * i, day=1),
                index=i + 1,
            )
        )
    return make_household(governorate=governorate, members=members, **data)


def cond(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def all_of(*items: Any) -> dict[str, Any]:
    return {"match": "all", "items": list(items)}


def any_of(*items: Any) -> dict[str, Any]:
    return {"match": "any", "items": list(items)}


def rule(user: Any, tree: Any, *, programme: Programme | None = None, name: str = "Rule") -> Any:
    return services.rule_create(
        user=user, programme=programme or Programme.objects.get(code="NFI"), name=name, tree=tree
    )


def weighted_model(user: Any, criteria: list[tuple[str, dict[str, Any], Any]], **kw: Any) -> Any:
    model = services.scoring_model_create(
        user=user,
        programme=Programme.objects.get(code="NFI"),
        name="Vulnerability",
        kind="weighted",
    )
    return services.scoring_version_weighted(
        model=model,
        user=user,
        criteria=[{"label": label, "condition": c, "points": str(p)} for label, c, p in criteria],
        **kw,
    )


def make_list(
    user: Any,
    tree: Any,
    *,
    version: Any = None,
    area: tuple[str, ...] = (),
    quotas: Any = (),
    name: str = "List",
) -> Any:
    r = rule(user, tree)
    return services.list_create(
        user=user,
        name=name,
        programme=Programme.objects.get(code="NFI"),
        rule=r,
        model_version=version,
        area=area,
        quotas=quotas,
    )


def built(user: Any, tree: Any, **kw: Any) -> Any:
    lst = make_list(user, tree, **kw)
    return services.list_build(lst=lst, user=user)


def included_ids(lst: Any) -> set[str]:
    return set(
        lst.entries.filter(included=True).values_list("household__registration_id", flat=True)
    )

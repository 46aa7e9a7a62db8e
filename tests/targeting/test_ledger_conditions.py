"""Conditions on assistance history, set-based over the ledger: has (not) received an
item, a kind, anything from a programme or a project since a date or in the last N
months; received less than (or at least) an amount; merged households followed."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest

from sanad.assistance.services import assistance_record
from sanad.registry.models import Household
from sanad.targeting import compiler
from sanad.targeting.fields import Context, minus_months
from tests.factories import DUHOK, ProjectFactory, make_user
from tests.targeting.conftest import TODAY, cond, household

pytestmark = pytest.mark.django_db
_sources = itertools.count()


def deliver(
    hh: Any, item: str = "winter_kit", *, on: datetime.date, programme: str = "NFI", **kw: Any
) -> Any:
    admin = make_user("administrator", username=f"ledger-{next(_sources)}")
    kw.setdefault("kind", "in_kind")
    if kw["kind"] == "in_kind":
        kw.setdefault("quantity", 1)
        kw.setdefault("unit", "kit")
    return assistance_record(
        user=admin,
        household=hh,
        programme=programme,
        item=item,
        delivered_on=on,
        source_type="test",
        source_id=f"t{next(_sources)}",
        **kw,
    )


def matching(condition: dict[str, Any], *households: Any, as_of: datetime.date = TODAY) -> set[str]:
    tree, _leaves = compiler.validate_tree({"match": "all", "items": [condition]})
    q = compiler.tree_q(tree, Context(as_of=as_of))
    return set(
        Household.objects.filter(q, pk__in=[h.pk for h in households]).values_list(
            "registration_id", flat=True
        )
    )


def ids(*households: Any) -> set[str]:
    return {h.registration_id for h in households}


def received(what: str, code: str, **when: Any) -> dict[str, Any]:
    return {"what": what, "code": code, **when}


@pytest.fixture
def families(nfi: Any) -> tuple[Any, Any, Any]:
    return household(DUHOK), household(DUHOK), household(DUHOK)


def test_has_not_received_an_item_since_a_date(families):
    a, b, c = families
    season = TODAY - datetime.timedelta(days=60)
    deliver(a, on=season + datetime.timedelta(days=3))  # this season
    deliver(b, on=season - datetime.timedelta(days=300))  # last season
    deliver(c, "blanket", on=season + datetime.timedelta(days=5))  # something else
    since = received("item", "winter_kit", since=season.isoformat())
    assert matching(cond("received", "is_false", since), *families) == ids(b, c)
    assert matching(cond("received", "is_true", since), *families) == ids(a)


def test_kind_programme_and_project_are_other_ways_to_say_what(families):
    a, b, c = families
    project = ProjectFactory(
        programme__code="SHELTER",
        start_date=TODAY - datetime.timedelta(days=100),
        end_date=TODAY + datetime.timedelta(days=100),
    )
    deliver(
        a,
        "shelter_cash",
        kind="cash",
        value=500,
        currency="USD",
        exchange_rate=1310,
        programme="SHELTER",
        project=project,
        on=TODAY,
    )
    deliver(b, "winter_kit", on=TODAY)
    since = (TODAY - datetime.timedelta(days=30)).isoformat()
    assert matching(
        cond("received", "is_true", received("kind", "cash", since=since)), *families
    ) == ids(a)
    assert matching(
        cond("received", "is_true", received("programme", "NFI", since=since)), *families
    ) == ids(b)
    assert matching(
        cond("received", "is_true", received("project", project.code, since=since)), *families
    ) == ids(a)
    assert matching(
        cond("received", "is_false", received("programme", "SHELTER", since=since)), *families
    ) == ids(b, c)


def test_the_last_n_months_count_back_from_the_day_of_evaluation(families):
    a, b, _c = families
    deliver(a, on=TODAY - datetime.timedelta(days=20))
    deliver(b, on=minus_months(TODAY, 5))
    within_3 = received("item", "winter_kit", months=3)
    within_6 = received("item", "winter_kit", months=6)
    assert matching(cond("received", "is_true", within_3), *families) == ids(a)
    assert matching(cond("received", "is_true", within_6), *families) == ids(a, b)


def test_deliveries_of_a_household_merged_into_another_count_for_the_survivor(families):
    a, b, c = families
    deliver(a, on=TODAY)
    Household.objects.filter(pk=a.pk).update(status=Household.Status.MERGED, merged_into=b)
    since = received("item", "winter_kit", since=(TODAY - datetime.timedelta(days=10)).isoformat())
    assert b.registration_id in matching(cond("received", "is_true", since), a, b, c)
    assert matching(cond("received", "is_false", since), b, c) == ids(c)
    # and along a chain of merges
    Household.objects.filter(pk=b.pk).update(status=Household.Status.MERGED, merged_into=c)
    assert c.registration_id in matching(cond("received", "is_true", since), c)


def test_received_less_than_an_amount_converts_currencies_at_each_delivery_rate(families):
    a, b, c = families
    deliver(
        a,
        "mpca",
        kind="cash",
        value=400,
        currency="USD",
        exchange_rate=1300,
        on=TODAY - datetime.timedelta(days=10),
    )
    deliver(
        b,
        "evoucher",
        kind="voucher",
        value=130000,
        currency="IQD",
        exchange_rate=1300,
        on=TODAY - datetime.timedelta(days=10),
    )
    deliver(
        b,
        "evoucher",
        kind="voucher",
        value=130000,
        currency="IQD",
        exchange_rate=1300,
        on=minus_months(TODAY, 8),
    )
    less = {"amount": "300000", "currency": "IQD", "months": 6}
    # a: 400 USD = 520,000 IQD; b: 130,000 IQD in the window (the older one is outside); c: nothing
    assert matching(cond("received_value", "lt", less), *families) == ids(b, c)
    assert matching(cond("received_value", "gte", less), *families) == ids(a)
    usd = {"amount": "100", "currency": "USD", "months": 12}
    # b: 260,000 IQD / 1300 = 200 USD over twelve months
    assert matching(cond("received_value", "gte", usd), *families) == ids(a, b)


def test_a_ledger_condition_is_one_query_whatever_the_number_of_households(
    families, django_assert_num_queries
):
    for hh in families:
        deliver(hh, on=TODAY)
    tree, _ = compiler.validate_tree(
        {
            "match": "all",
            "items": [cond("received", "is_false", received("item", "winter_kit", months=1))],
        }
    )
    q = compiler.tree_q(tree, Context(as_of=TODAY))
    with django_assert_num_queries(1):
        assert Household.objects.filter(q).count() == 0

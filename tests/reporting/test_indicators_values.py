"""An indicator's figure: each measure of the ledger counted through the summary and
narrowed by the indicator's programme, kinds, items and unit; module figures from the
modules' records; achieved against targets."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from sanad.programmes.models import Programme
from sanad.reporting.common import month_end, month_start
from sanad.reporting.models import Indicator
from sanad.reporting.selectors.figures import Filters, reach
from sanad.reporting.selectors.indicators import (
    indicator_rows,
    indicator_value,
    indicators_visible,
    target_progress,
)
from tests.factories import DUHOK, ERBIL, ActivityFactory, TargetFactory, make_user

from .conftest import TODAY, days_ago

pytestmark = pytest.mark.django_db


def whole_months() -> Filters:
    return Filters(start=month_start(days_ago(400)), end=month_end(TODAY))


def indicator(code: str, measure: str, **fields: Any) -> Indicator:
    return Indicator.objects.create(
        code=code, name_en=code, definition=f"{code} counted.", measure=measure, **fields
    )


@pytest.fixture
def ledger(deliver, household, erbil_household, refresh, project) -> dict[str, Any]:
    """A Duhok household of 4 with two winter kits (one on the project), an Erbil
    household of 2 with a kit, and an NFI voucher of 131,000 IQD (100 USD) to the Duhok
    head; a shelter service to the Erbil household."""
    head = household.members.get(relationship="head")
    deliver(household=household, project=project, quantity=Decimal("2"))
    deliver(household=household, delivered_on=days_ago(45))
    deliver(household=erbil_household)
    deliver(
        individual=head,
        kind="voucher",
        item="nfi_evoucher",
        quantity=None,
        unit="",
        value=Decimal("131000"),
        currency="IQD",
        exchange_rate=Decimal("1310"),
        project=project,
    )
    deliver(
        household=erbil_household,
        programme=Programme.objects.get(code="SHELTER"),
        kind="service",
        item="shelter_rehabilitation",
        quantity=Decimal("1"),
        unit="house",
    )
    refresh()
    return {"household": household, "erbil": erbil_household, "project": project}


def value(ind: Indicator, filters: Filters | None = None, user: Any = None) -> Any:
    return indicator_value(indicator=ind, filters=filters or whole_months(), user=user)


def test_each_measure_of_the_ledger(ledger):
    nfi = Programme.objects.get(code="NFI")
    kits = {"programme": nfi, "items": ["winter_kit"]}
    assert value(indicator("people", "people")) == 6
    assert value(indicator("households", "households")) == 2
    assert value(indicator("kit_households", "households", **kits)) == 2
    assert value(indicator("kit_records", "records", **kits)) == 3
    assert value(indicator("kit_quantity", "quantity", unit="kit", **kits)) == Decimal("4")
    cash = {"kinds": ["cash", "voucher"]}
    assert value(indicator("usd", "value_usd", **cash)) == Decimal("100")
    assert value(indicator("iqd", "value_iqd", **cash)) == Decimal("131000")
    assert value(indicator("voucher_people", "people", **cash)) == 1
    houses = indicator("houses", "records", items=["shelter_rehabilitation"], unit="house")
    assert value(houses) == 1
    assert value(indicator("no_such_unit", "records", unit="tonne")) == 0


def test_the_report_filters_narrow_the_figure(ledger):
    people = indicator("people", "people")
    assert (
        value(
            people, Filters(start=whole_months().start, end=whole_months().end, governorate=DUHOK)
        )
        == 4
    )
    on_project = Filters(
        start=whole_months().start, end=whole_months().end, project=ledger["project"].pk
    )
    assert value(people, on_project) == 4
    shelter = indicator("shelter", "people", programme=Programme.objects.get(code="SHELTER"))
    nfi_only = Filters(start=whole_months().start, end=whole_months().end, programme="NFI")
    assert value(shelter, nfi_only) == 0
    last_month_only = Filters(start=month_start(TODAY), end=month_end(TODAY))
    if days_ago(10).month == TODAY.month:
        assert value(indicator("hh", "households"), last_month_only) == 2


def test_a_loaded_summary_gives_the_same_figures_without_a_query(ledger, django_assert_num_queries):
    made = [
        indicator("people", "people"),
        indicator("kits", "households", items=["winter_kit"]),
        indicator("usd", "value_usd", kinds=["voucher"]),
    ]
    filters = whole_months()
    summary = reach(filters=filters)
    with django_assert_num_queries(0):
        narrowed = [indicator_value(indicator=i, filters=filters, summary=summary) for i in made]
    assert narrowed == [value(i) for i in made] == [6, 2, Decimal("100")]


def test_figures_are_counted_within_the_users_scope(ledger):
    people = indicator("people", "people")
    duhok = make_user("me_viewer", governorates=(DUHOK,))
    assert value(people, user=duhok) == 4
    erbil_shelter = make_user("me_viewer", governorates=(ERBIL,), programmes=("SHELTER",))
    assert value(people, user=erbil_shelter) == 2


def test_module_figures_count_the_modules_records(db):
    from tests.feedback.factories import make_case

    now = timezone.now()
    make_case(status="closed", closed_at=now, loop_closed=True)
    make_case(status="closed", closed_at=now, loop_closed=False, governorate=ERBIL)
    make_case(status="closed", closed_at=now, category="sea")  # restricted: never counted
    make_case(status="new")
    closed = indicator("closed", "module", metric="cwc_cases_closed")
    loop = indicator("loop", "module", metric="cwc_cases_closed_loop")
    assert value(closed) == 2
    assert value(loop) == 1
    assert value(closed, Filters(governorate=DUHOK)) == 1
    old = Filters(start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31))
    assert value(closed, old) == 0
    # A donor with aggregates in Duhok sees the aggregate without seeing any case.
    donor = make_user("donor_viewer", governorates=(DUHOK,))
    assert value(closed, user=donor) == 1
    assert value(indicator("gone", "module", metric="retired_figure")) is None


def test_people_in_sites_at_the_end_of_the_period(db):
    from sanad.camps.models import PopulationCount
    from tests.camps.factories import make_site

    site = make_site(governorate=DUHOK)
    PopulationCount.objects.create(
        site=site, month=month_start(days_ago(40)), households=10, individuals=52
    )
    PopulationCount.objects.create(
        site=site, month=month_start(TODAY), households=11, individuals=57
    )
    closed = make_site(governorate=DUHOK, closed_on=days_ago(400))
    PopulationCount.objects.create(
        site=closed, month=month_start(days_ago(500)), households=3, individuals=9
    )
    people = indicator("in_sites", "module", metric="cccm_people_in_sites")
    assert value(people) == 57
    earlier = Filters(start=month_start(days_ago(40)), end=month_end(days_ago(40)))
    if month_start(days_ago(40)) != month_start(TODAY):
        assert value(people, earlier) == 52
    assert value(people, Filters(programme="NFI")) == 0
    nfi_only = make_user("me_viewer", programmes=("NFI",))
    assert value(people, user=nfi_only) == 0  # sites are CCCM's


def test_indicator_rows_suppress_small_counts_for_donors(ledger):
    indicator("people", "people")
    indicator("usd", "value_usd", kinds=["voucher"])
    donor = make_user("donor_viewer", governorates=(DUHOK,))
    rows = {r.indicator.code: r for r in indicator_rows(user=donor, filters=whole_months())}
    assert rows["people"].value is None and rows["people"].suppressed
    assert rows["usd"].value == Decimal("100") and not rows["usd"].suppressed
    inside = make_user("me_viewer", governorates=(DUHOK,))
    rows = {r.indicator.code: r for r in indicator_rows(user=inside, filters=whole_months())}
    assert rows["people"].value == 4 and not rows["people"].suppressed


def test_indicators_visible_by_programme_and_mission_wide(db):
    nfi, shelter = Programme.objects.get(code="NFI"), Programme.objects.get(code="SHELTER")
    indicator("nfi", "people", programme=nfi)
    indicator("shelter", "people", programme=shelter)
    indicator("wide", "people")
    nfi_user = make_user("me_viewer", programmes=("NFI",))
    assert sorted(i.code for i in indicators_visible(nfi_user)) == ["nfi", "wide"]
    assert not indicators_visible(make_user("field_enumerator")).exists()


def test_achieved_against_a_target_on_its_project(ledger):
    project = ledger["project"]
    activity = ActivityFactory(project=project, code="1.1")
    start = month_start(days_ago(60))
    end = month_end(TODAY)
    indicator("kit_households", "households", items=["winter_kit"])
    target = TargetFactory(
        activity=activity,
        indicator="kit_households",
        label="Households with a kit",
        unit="households",
        period_start=start + datetime.timedelta(days=3),
        period_end=end - datetime.timedelta(days=2),
        value=Decimal("4"),
    )
    missing = TargetFactory(
        activity=activity,
        indicator="not_defined",
        period_start=start,
        period_end=end,
        value=Decimal("0"),
    )
    rows = {r.target.pk: r for r in target_progress(project=project)}
    row = rows[target.pk]
    # Only the kit delivered on the project counts (the other one has no project).
    assert row.achieved == 1
    assert row.percentage == Decimal("25.0")
    assert (row.period_start, row.period_end) == (start, end)
    assert row.definition == "kit_households counted."
    assert row.indicator.code == "kit_households"
    gap = rows[missing.pk]
    assert gap.achieved is None and gap.percentage is None
    assert gap.note == "No indicator defined with code not_defined"
    # Clipped to a window outside the period: left out.
    assert not target_progress(project=project, end=start - datetime.timedelta(days=1))
    # Scoped: a user of another programme sees no target of the project.
    assert not target_progress(user=make_user("me_viewer", programmes=("SHELTER",)))
    assert {r.target.pk for r in target_progress(user=make_user("me_viewer"))} == set(rows)


def test_metres_of_road_done_in_the_period(db):
    from sanad.shelter.models import RoadProgress, RoadProject
    from tests.factories import ProjectFactory, unit

    shelter = Programme.objects.get(code="SHELTER")

    def road(length: int, **fields: Any) -> Any:
        return RoadProject.objects.create(
            name=f"Road {length}",
            programme=shelter,
            project=ProjectFactory(programme=shelter),
            governorate=unit(DUHOK),
            length_m=length,
            surface="gravel",
            budget=1000,
            **fields,
        )

    def report(r: Any, on: datetime.date, done: int) -> None:
        RoadProgress.objects.create(
            road=r, reported_on=on, length_done_m=done, progress=0, spent_to_date=0
        )

    long = road(1200, length_done_m=650)
    report(long, datetime.date(2026, 1, 10), 300)
    report(long, datetime.date(2026, 2, 5), 650)
    short = road(350, length_done_m=350, completed_on=datetime.date(2026, 3, 20))
    report(short, datetime.date(2026, 2, 25), 200)
    metres = indicator("metres", "module", metric="shelter_road_metres")

    def months(first: int, last: int) -> Any:
        return value(
            metres,
            Filters(
                start=datetime.date(2026, first, 1), end=month_end(datetime.date(2026, last, 1))
            ),
        )

    assert months(1, 1) == Decimal("300")
    assert months(2, 2) == Decimal("350") + Decimal("200")
    assert months(3, 3) == Decimal("150")  # the rest of the short road, completed
    assert months(1, 12) == Decimal("1000")
    assert value(metres, Filters()) == Decimal("1000")
    assert value(metres, Filters(governorate=ERBIL)) == 0

"""Preventive maintenance schedules raise their own tickets, once per due date."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from sanad.camps.models import Asset, MaintenanceSchedule, Ticket
from sanad.camps.services import schedules as services
from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.camps.factories import make_site
from tests.camps.tickets_factories import make_asset, photo_dir  # noqa: F401
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def manager():
    return make_user("camp_manager", governorates=(DUHOK,))


@pytest.fixture
def site():
    return make_site(name="Domiz 2")


def _schedule(manager, site, **data):
    data.setdefault("task", "Clean the water tanks")
    data.setdefault("every_days", 30)
    data.setdefault("next_due_on", D(2026, 3, 1))
    return services.schedule_create(user=manager, site=site, data=data)


def test_a_due_schedule_raises_one_preventive_ticket_and_moves_on(manager, site):
    tank = make_asset(site, kind=Asset.Kind.WATER_POINT, code="WP-1")
    schedule = _schedule(manager, site, asset=tank, team="WASH team")
    assert schedule.category == "water"  # from the asset's kind
    assert services.schedules_raise_due(today=D(2026, 2, 28)) == 0
    assert services.schedules_raise_due(today=D(2026, 3, 1)) == 1
    ticket = Ticket.objects.get()
    assert ticket.source == "preventive" and ticket.asset == tank
    assert ticket.schedule == schedule and ticket.scheduled_for == D(2026, 3, 1)
    assert ticket.title == "Clean the water tanks" and ticket.team == "WASH team"
    assert ticket.created_by is None
    schedule.refresh_from_db()
    assert schedule.next_due_on == D(2026, 3, 31)


def test_running_twice_the_same_day_raises_nothing_more(manager, site):
    _schedule(manager, site)
    assert services.schedules_raise_due(today=D(2026, 3, 1)) == 1
    assert services.schedules_raise_due(today=D(2026, 3, 1)) == 0
    assert Ticket.objects.count() == 1


def test_the_unique_date_holds_even_if_next_due_is_set_back(manager, site):
    schedule = _schedule(manager, site)
    services.schedules_raise_due(today=D(2026, 3, 1))
    MaintenanceSchedule.objects.filter(pk=schedule.pk).update(next_due_on=D(2026, 3, 1))
    assert services.schedules_raise_due(today=D(2026, 3, 1)) == 0
    assert Ticket.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.next_due_on == D(2026, 3, 31)


def test_missed_dates_are_not_raised_one_by_one(manager, site):
    schedule = _schedule(manager, site, every_days=7, next_due_on=D(2026, 1, 1))
    assert services.schedules_raise_due(today=D(2026, 2, 1)) == 1
    schedule.refresh_from_db()
    assert schedule.next_due_on == D(2026, 2, 5)


def test_a_stopped_schedule_raises_nothing(manager, site):
    _schedule(manager, site, active=False)
    assert services.schedules_raise_due(today=D(2026, 6, 1)) == 0


def test_a_kind_schedule_lists_every_asset_of_that_kind(manager, site):
    make_asset(site, kind=Asset.Kind.LATRINE, code="L-1")
    make_asset(site, kind=Asset.Kind.LATRINE, code="L-2")
    make_asset(site, kind=Asset.Kind.TAP, code="T-1")
    _schedule(manager, site, asset_kind=Asset.Kind.LATRINE, task="Desludge latrines")
    services.schedules_raise_due(today=D(2026, 3, 1))
    ticket = Ticket.objects.get()
    assert "L-1" in ticket.description and "L-2" in ticket.description
    assert "T-1" not in ticket.description
    assert ticket.category == "sanitation"


def test_a_schedule_is_for_one_asset_or_one_kind_not_both(manager, site):
    tap = make_asset(site)
    with pytest.raises(ValidationFailed) as exc:
        _schedule(manager, site, asset=tap, asset_kind=Asset.Kind.TAP)
    assert exc.value.code == "asset_and_kind"


def test_the_interval_must_be_a_positive_number_of_days(manager, site):
    with pytest.raises(ValidationFailed) as exc:
        _schedule(manager, site, every_days=0)
    assert "every_days" in exc.value.fields


def test_only_ticket_managers_in_scope_set_schedules(manager, site):
    with pytest.raises(PermissionDenied):
        _schedule(make_user("field_enumerator", governorates=(DUHOK,)), site)
    with pytest.raises(NotFound):
        _schedule(manager, make_site(governorate=ERBIL))


def test_editing_a_schedule_keeps_what_is_not_given(manager, site):
    schedule = _schedule(manager, site, team="Team A")
    schedule = services.schedule_update(user=manager, schedule=schedule, data={"every_days": 14})
    assert schedule.every_days == 14 and schedule.team == "Team A"


def test_the_command_raises_the_due_tickets(manager, site, capsys):
    _schedule(manager, site)
    call_command("camps_schedules", "--today", "2026-03-02")
    assert "1 preventive" in capsys.readouterr().out
    assert Ticket.objects.filter(source="preventive").count() == 1

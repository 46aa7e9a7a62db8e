"""Recording deliveries in the ledger: the rules, idempotency by source, scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.assistance.services import assistance_record, assistance_record_bulk
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.registry.models import Household, Individual
from tests.assistance.conftest import TODAY, days_ago, household_with_members
from tests.factories import (
    DUHOK,
    ERBIL,
    ActivityFactory,
    PlaceFactory,
    ProjectFactory,
    make_user,
    subdistrict_in,
    unit,
)

pytestmark = pytest.mark.django_db


def test_a_delivery_to_a_household_is_recorded_where_the_household_lives(deliver, household):
    record = deliver(household=household)
    assert record.pk and record.replayed is False
    assert record.admin_unit == household.admin_unit
    assert record.governorate.pcode == DUHOK
    assert record.quantity == Decimal("1.00") and record.unit == "kit"


def test_the_place_of_the_delivery_sets_its_admin_unit_and_governorate(deliver, household):
    camp = PlaceFactory(admin_unit=subdistrict_in(ERBIL))
    record = deliver(household=household, place=camp)
    assert record.admin_unit == camp.admin_unit
    assert record.governorate.pcode == ERBIL


def test_a_place_outside_the_admin_unit_given_is_refused(deliver, household):
    camp = PlaceFactory(admin_unit=subdistrict_in(ERBIL))
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, place=camp, admin_unit=unit(DUHOK))
    assert "admin_unit" in exc.value.fields


def test_a_delivery_to_one_person_also_belongs_to_their_household(deliver, household):
    person = household.members.get(relationship="spouse")
    record = deliver(individual=person)
    assert record.household == household and record.individual == person


def test_a_person_of_another_household_is_refused(deliver, household, erbil_household):
    stranger = erbil_household.members.first()
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, individual=stranger)
    assert "individual" in exc.value.fields


def test_a_delivery_needs_a_recipient(deliver):
    with pytest.raises(ValidationFailed) as exc:
        deliver()
    assert "household" in exc.value.fields


@pytest.mark.parametrize("status", ["merged", "withdrawn", "inactive"])
def test_a_household_that_is_not_active_receives_nothing(deliver, status):
    survivor = household_with_members(DUHOK)
    household = household_with_members(
        DUHOK, status=status, merged_into=survivor if status == "merged" else None
    )
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household)
    message = str(exc.value.fields["household"])
    if status == "merged":
        assert survivor.registration_id in message


def test_a_person_who_left_the_household_receives_nothing(deliver, household):
    person = household.members.get(relationship="spouse")
    Individual.objects.filter(pk=person.pk).update(status="left")
    with pytest.raises(ValidationFailed) as exc:
        deliver(individual=person)
    assert "individual" in exc.value.fields


def test_the_project_must_belong_to_the_programme_and_the_activity_to_the_project(
    deliver, household, project, shelter
):
    other_project = ProjectFactory(programme=shelter, start_date=days_ago(100), end_date=TODAY)
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, project=other_project)
    assert "project" in exc.value.fields
    foreign_activity = ActivityFactory(project=other_project)
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, project=project, activity=foreign_activity)
    assert "activity" in exc.value.fields


def test_an_activity_alone_brings_its_project(deliver, household, activity):
    record = deliver(household=household, activity=activity)
    assert record.project == activity.project


def test_a_date_in_the_future_or_outside_the_project_is_refused(deliver, household, project):
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, delivered_on=TODAY + datetime.timedelta(days=1))
    assert "future" in str(exc.value.fields["delivered_on"])
    with pytest.raises(ValidationFailed) as exc:
        deliver(
            household=household,
            project=project,
            delivered_on=project.start_date - datetime.timedelta(days=1),
        )
    assert project.code in str(exc.value.fields["delivered_on"])


def test_cash_needs_an_amount_a_currency_and_the_rate_of_the_day(deliver, household):
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, kind="cash", item="mpca", quantity=None, unit="")
    assert "value" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        deliver(
            household=household,
            kind="cash",
            item="mpca",
            quantity=None,
            unit="",
            value="150",
            currency="EUR",
        )
    assert {"currency", "exchange_rate"} <= set(exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        deliver(
            household=household,
            kind="cash",
            item="mpca",
            quantity=None,
            unit="",
            value="150",
            currency="USD",
            exchange_rate="0.00076",
        )
    assert "exchange_rate" in exc.value.fields  # written the wrong way round
    record = deliver(
        household=household,
        kind="cash",
        item="mpca",
        quantity=None,
        unit="",
        value="150",
        currency="usd",
        exchange_rate="1310",
    )
    assert (record.value, record.currency, record.exchange_rate) == (
        Decimal("150.00"),
        "USD",
        Decimal("1310.0000"),
    )


def test_an_in_kind_delivery_needs_a_quantity_and_its_unit(deliver, household):
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, quantity=None)
    assert "quantity" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, quantity="2", unit="")
    assert "unit" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=household, quantity="-1")
    assert "negative" in str(exc.value.fields["quantity"])


def test_a_service_needs_neither_quantity_nor_value(deliver, household):
    record = deliver(
        household=household, kind="service", item="legal_counselling", quantity=None, unit=""
    )
    assert record.quantity is None and record.value is None


def test_writing_the_same_source_twice_records_once(deliver, household):
    first = deliver(household=household, source_id="receipt-1")
    again = deliver(household=household, source_id="receipt-1")
    assert again.pk == first.pk and again.replayed is True
    assert AssistanceRecord.objects.count() == 1


def test_the_same_source_with_other_values_is_a_conflict(deliver, household):
    deliver(household=household, source_id="receipt-1")
    with pytest.raises(Conflict) as exc:
        deliver(household=household, source_id="receipt-1", quantity="2")
    assert "quantity" in exc.value.params["fields"]


def test_a_retry_after_the_household_was_merged_still_returns_the_first_record(deliver, household):
    first = deliver(household=household, source_id="receipt-1")
    Household.objects.filter(pk=household.pk).update(status="merged")
    assert deliver(household=household, source_id="receipt-1").pk == first.pk


def test_a_concurrent_retry_that_lost_the_race_answers_with_the_winners_record(
    deliver, household, monkeypatch
):
    """Both requests looked for the source and found nothing; the second insert then
    breaks the unique constraint inside its savepoint and reads the first one's record."""
    from sanad.assistance import services

    winner = deliver(household=household, source_id="receipt-1")
    real = services._by_source
    calls = {"n": 0}

    def not_yet(source_type, source_id):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(source_type, source_id)

    monkeypatch.setattr(services, "_by_source", not_yet)
    again = deliver(household=household, source_id="receipt-1")
    assert again.pk == winner.pk and again.replayed is True
    assert AssistanceRecord.objects.count() == 1


def test_recording_needs_the_permission_within_the_governorate_and_programme(
    household, nfi, shelter
):
    officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    values = {
        "household": household,
        "kind": "in_kind",
        "item": "kit",
        "quantity": 1,
        "unit": "kit",
        "delivered_on": days_ago(1),
        "source_type": "manual",
    }
    assert assistance_record(user=officer, programme=nfi, source_id="a", **values).pk
    with pytest.raises(PermissionDenied):
        assistance_record(user=officer, programme=shelter, source_id="b", **values)
    viewer = make_user("me_viewer")
    with pytest.raises(PermissionDenied):
        assistance_record(user=viewer, programme=nfi, source_id="c", **values)


def test_a_module_passes_its_own_permission_check_instead(household, nfi):
    warehouse = make_user("warehouse_officer", governorates=(DUHOK,), programmes=("NFI",))
    record = assistance_record(
        user=warehouse,
        permission=None,
        household=household,
        programme="NFI",
        kind="in_kind",
        item="kit",
        quantity=1,
        unit="kit",
        delivered_on=days_ago(1),
        source_type="distribution.receipt",
        source_id="r-1",
    )
    assert record.delivered_by == warehouse and record.programme == nfi


def test_a_bulk_write_records_every_delivery_in_one_go(
    system_user, nfi, django_assert_max_num_queries
):
    households = [household_with_members(DUHOK) for _ in range(5)]
    deliveries = [
        {
            "household": h,
            "programme": nfi,
            "kind": "in_kind",
            "item": "winter_kit",
            "quantity": 1,
            "unit": "kit",
            "delivered_on": days_ago(3),
            "source_type": "distribution.receipt",
            "source_id": f"r-{i}",
        }
        for i, h in enumerate(households)
    ]
    with django_assert_max_num_queries(12):
        records = assistance_record_bulk(user=system_user, deliveries=deliveries)
    assert [r.household for r in records] == households
    assert all(r.pk and r.replayed is False for r in records)
    again = assistance_record_bulk(user=system_user, deliveries=deliveries)
    assert [r.pk for r in again] == [r.pk for r in records] and all(r.replayed for r in again)
    assert AssistanceRecord.objects.count() == 5


def test_a_bulk_write_with_one_bad_delivery_records_none(system_user, nfi):
    good, bad = household_with_members(DUHOK), household_with_members(DUHOK, status="withdrawn")
    deliveries = [
        {
            "household": h,
            "programme": nfi,
            "kind": "in_kind",
            "item": "winter_kit",
            "quantity": 1,
            "unit": "kit",
            "delivered_on": days_ago(3),
            "source_type": "distribution.receipt",
            "source_id": f"r-{i}",
        }
        for i, h in enumerate([good, bad])
    ]
    with pytest.raises(ValidationFailed) as exc:
        assistance_record_bulk(user=system_user, deliveries=deliveries)
    assert list(exc.value.fields) == ["deliveries.1.household"]
    assert not AssistanceRecord.objects.exists()


def test_a_bulk_write_that_conflicts_with_an_earlier_one_records_none(system_user, nfi, deliver):
    first, second = household_with_members(DUHOK), household_with_members(DUHOK)
    deliver(household=first, source_type="distribution.receipt", source_id="r-0")
    deliveries = [
        {
            "household": h,
            "programme": nfi,
            "kind": "in_kind",
            "item": "winter_kit",
            "quantity": 2,
            "unit": "kit",
            "delivered_on": days_ago(3),
            "source_type": "distribution.receipt",
            "source_id": f"r-{i}",
        }
        for i, h in enumerate([first, second])
    ]
    with pytest.raises(Conflict):
        assistance_record_bulk(user=system_user, deliveries=deliveries)
    assert AssistanceRecord.objects.count() == 1


def test_the_same_source_twice_in_one_batch_is_one_record(system_user, nfi, household):
    d = {
        "household": household,
        "programme": nfi,
        "kind": "in_kind",
        "item": "winter_kit",
        "quantity": 1,
        "unit": "kit",
        "delivered_on": days_ago(3),
        "source_type": "distribution.receipt",
        "source_id": "r-1",
    }
    records = assistance_record_bulk(user=system_user, deliveries=[d, dict(d)])
    assert records[0].pk == records[1].pk
    assert (records[0].replayed, records[1].replayed) == (False, True)
    assert AssistanceRecord.objects.count() == 1

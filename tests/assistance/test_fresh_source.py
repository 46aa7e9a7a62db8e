"""`assistance_record(fresh_source=True)`: the caller created the source in its
transaction, so the look-up by source and the savepoint are skipped; every other rule
still holds, and so does the unique source."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import ValidationFailed
from tests.assistance.conftest import household_with_members
from tests.factories import DUHOK

pytestmark = pytest.mark.django_db


def test_a_fresh_source_is_recorded_without_looking_it_up_first(deliver, household):
    with CaptureQueriesContext(connection) as queries:
        record = deliver(household=household, source_id="new-1", fresh_source=True)
    assert record.replayed is False
    assert AssistanceRecord.objects.get(source_id="new-1").pk == record.pk
    assert record.governorate_id == household.admin_unit.governorate_id
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not any("SAVEPOINT" in s for s in sql)
    assert not any(s.startswith("SELECT") and "ASSISTANCE_ASSISTANCERECORD" in s for s in sql)
    with CaptureQueriesContext(connection) as usual:
        deliver(household=household, source_id="new-2")
    assert len(queries.captured_queries) < len(usual.captured_queries)


def test_a_fresh_source_still_follows_the_rules(deliver):
    withdrawn = household_with_members(DUHOK, status="withdrawn")
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=withdrawn, source_id="new-1", fresh_source=True)
    assert "household" in exc.value.fields
    assert not AssistanceRecord.objects.exists()


def test_a_source_said_fresh_but_already_recorded_is_refused_by_the_database(deliver, household):
    deliver(household=household, source_id="receipt-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        deliver(household=household, source_id="receipt-1", fresh_source=True)
    assert AssistanceRecord.objects.count() == 1


def test_a_household_read_now_is_not_read_again_and_its_status_still_counts(deliver, household):
    with CaptureQueriesContext(connection) as queries:
        deliver(household=household, fresh_source=True, household_read_now=True)
    assert not any("registry_household" in q["sql"] for q in queries.captured_queries)
    withdrawn = household_with_members(DUHOK, status="withdrawn")
    with pytest.raises(ValidationFailed) as exc:
        deliver(household=withdrawn, fresh_source=True, household_read_now=True)
    assert "withdrawn" in str(exc.value.fields["household"])

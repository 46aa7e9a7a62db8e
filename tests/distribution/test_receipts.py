"""Recording receipts: the ledger written in the same transaction, distributed counted,
the collector checked, retries with the same client key never recording twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.distribution import services
from sanad.distribution.models import Receipt, Refusal
from tests.distribution.factories import distribution_world, head_of, open_event, record

pytestmark = pytest.mark.django_db


def test_a_receipt_writes_the_assistance_ledger_and_counts_the_kit():
    w = distribution_world(households=2)
    event = open_event(w)
    household = w.households[0]
    receipt = record(w, event, household, found_by="qr", device="tablet-1")
    assert receipt.collector == Receipt.Collector.HEAD
    assert receipt.quantity == Decimal(1)
    ledger = AssistanceRecord.objects.get(
        source_type="distribution.receipt", source_id=str(receipt.public_id)
    )
    assert ledger.household == household
    assert ledger.item == w.kit.code
    assert ledger.kind == "in_kind" and ledger.unit == "kit" and ledger.quantity == Decimal(1)
    assert ledger.delivered_on == event.date and ledger.place == w.camp
    assert ledger.project == w.project and ledger.delivered_by == w.field
    event.refresh_from_db()
    assert event.distributed == Decimal(1)


def test_the_same_client_key_replays_the_first_receipt():
    w = distribution_world(households=1)
    event = open_event(w)
    first = record(w, event, w.households[0], client_key="device-1-attempt-7")
    again = record(w, event, w.households[0], client_key="device-1-attempt-7")
    assert again.pk == first.pk and again.replayed
    assert Receipt.objects.count() == 1
    assert AssistanceRecord.objects.filter(source_type="distribution.receipt").count() == 1
    event.refresh_from_db()
    assert event.distributed == Decimal(1)


def test_a_second_receipt_for_the_household_names_when_and_who():
    w = distribution_world(households=1)
    event = open_event(w)
    record(w, event, w.households[0])
    with pytest.raises(Conflict) as exc:
        record(w, event, w.households[0], client_key="other-device")
    assert exc.value.code == "already_received"
    assert str(w.field) in str(exc.value.message)
    assert Refusal.objects.filter(code="already_received").count() == 1


def test_an_alternate_collector_may_collect_and_another_member_may_not():
    w = distribution_world(households=2)
    event = open_event(w)
    household = w.households[0]
    spouse = household.members.get(relationship="spouse")
    with pytest.raises(ValidationFailed) as exc:
        record(w, event, household, collected_by=spouse)
    assert exc.value.code == "not_a_collector"
    type(spouse).objects.filter(pk=spouse.pk).update(is_alternate_collector=True)
    spouse.refresh_from_db()
    receipt = record(w, event, household, collected_by=spouse)
    assert receipt.collector == Receipt.Collector.ALTERNATE
    # A member of another household never collects.
    with pytest.raises(ValidationFailed):
        record(w, event, w.households[1], collected_by=spouse)


def test_a_signature_proof_needs_the_signature():
    w = distribution_world(households=1)
    event = open_event(w)
    with pytest.raises(ValidationFailed) as exc:
        record(w, event, w.households[0], proof="signature")
    assert "signature" in exc.value.fields
    receipt = record(
        w, event, w.households[0], proof="signature", signature="data:image/png;base64,AAAA"
    )
    assert receipt.proof == "signature"


def test_a_role_without_record_receipt_cannot_record():
    w = distribution_world(households=1)
    event = open_event(w)
    with pytest.raises(PermissionDenied):
        services.receipt_record(
            user=w.storekeeper,
            event=event,
            household=w.households[0],
            collected_by=head_of(w.households[0]),
            proof="declared",
        )


def test_household_check_shows_head_collectors_and_the_existing_receipt():
    w = distribution_world(households=1)
    event = open_event(w)
    household = w.households[0]
    check = services.household_check(user=w.field, event=event, household=household)
    assert check["ok"] and check["code"] == ""
    assert check["head"] == head_of(household)
    assert [c.pk for c in check["collectors"]] == [head_of(household).pk]
    receipt = record(w, event, household)
    check = services.household_check(user=w.field, event=event, household=household)
    assert not check["ok"] and check["code"] == "already_received"
    assert check["receipt"] == receipt
    assert not Refusal.objects.exists()  # scanning a served family again refuses no one

"""Entitlements released tranche by tranche: a plan whose condition is met once per
tranche (a verified shelter milestone for each) pays tranche k only to households whose
tranche k was released, in order, once."""

from __future__ import annotations

import pytest

from sanad.cash import services
from sanad.cash.models import Entitlement, TrancheRelease
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.cash.factories import cash_world
from tests.cash.test_transfers import template
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def milestone_world(tranches: int = 3):
    return cash_world(
        households=2,
        modality="cash",
        amount="3000",
        currency="USD",
        exchange_rate="1310",
        tranches=tranches,
        condition="shelter_milestone",
        item_code="shelter_cash",
    )


def entitlements(w):
    return list(Entitlement.objects.filter(plan=w.plan).order_by("pk"))


def test_a_milestone_plan_starts_with_no_tranche_released():
    w = milestone_world()
    assert [(e.status, e.released_tranches) for e in entitlements(w)] == [("pending", 0)] * 2


def test_a_plan_without_condition_releases_every_tranche_at_approval():
    w = cash_world(households=1, modality="cash", amount="90000", tranches=3, item_code="nfi_cash")
    (ent,) = entitlements(w)
    assert ent.status == "released" and ent.released_tranches == 3
    with pytest.raises(Conflict) as refused:
        services.entitlement_tranche_release(
            user=w.officer, entitlement=ent, tranche=1, evidence="inspection"
        )
    assert refused.value.code == "no_condition"


def test_meeting_the_whole_condition_releases_every_tranche():
    w = cash_world(
        households=1, modality="cash", amount="90000", tranches=3, condition="awareness_session"
    )
    (ent,) = entitlements(w)
    met = services.entitlement_condition_met(user=w.officer, entitlement=ent, evidence="sheet")
    assert met.released_tranches == 3


def test_shelter_milestones_cannot_be_released_by_hand_all_at_once():
    w = milestone_world()
    ent = entitlements(w)[0]
    with pytest.raises(Conflict) as refused:
        services.entitlement_condition_met(user=w.officer, entitlement=ent, evidence="sheet")
    assert refused.value.code == "released_by_inspection"
    ent.refresh_from_db()
    assert (ent.status, ent.released_tranches) == ("pending", 0)


def test_tranches_are_released_in_order_and_recorded_with_their_evidence():
    w = milestone_world()
    ent = entitlements(w)[0]
    with pytest.raises(Conflict) as refused:
        services.entitlement_tranche_release(
            user=w.officer, entitlement=ent, tranche=2, evidence="Inspection SI-1"
        )
    assert refused.value.code == "tranche_out_of_order"
    first = services.entitlement_tranche_release(
        user=w.officer, entitlement=ent, tranche=1, evidence="Agreement signed", source="case:1"
    )
    second = services.entitlement_tranche_release(
        user=w.officer, entitlement=ent, tranche=2, evidence="Inspection SI-1 verified"
    )
    ent.refresh_from_db()
    assert ent.status == "released" and ent.released_tranches == 2
    assert (first.tranche, first.source, second.evidence) == (
        1,
        "case:1",
        "Inspection SI-1 verified",
    )
    assert second.released_by == w.officer


def test_releasing_the_same_tranche_again_answers_the_first_release():
    w = milestone_world()
    ent = entitlements(w)[0]
    once = services.entitlement_tranche_release(
        user=w.officer, entitlement=ent, tranche=1, evidence="signed"
    )
    again = services.entitlement_tranche_release(
        user=w.officer, entitlement=ent, tranche=1, evidence="signed (retried)"
    )
    assert again.pk == once.pk
    assert TrancheRelease.objects.filter(entitlement=ent).count() == 1


def test_a_tranche_beyond_the_plan_or_without_evidence_is_refused():
    w = milestone_world(tranches=2)
    ent = entitlements(w)[0]
    with pytest.raises(ValidationFailed):
        services.entitlement_tranche_release(
            user=w.officer, entitlement=ent, tranche=1, evidence=""
        )
    services.entitlement_tranche_release(user=w.officer, entitlement=ent, tranche=1, evidence="a")
    services.entitlement_tranche_release(user=w.officer, entitlement=ent, tranche=2, evidence="b")
    with pytest.raises(ValidationFailed):
        services.entitlement_tranche_release(
            user=w.officer, entitlement=ent, tranche=3, evidence="c"
        )


def test_only_who_manages_the_plan_releases_unless_the_caller_checked():
    w = milestone_world()
    ent = entitlements(w)[0]
    viewer = make_user("me_viewer")
    with pytest.raises(PermissionDenied):
        services.entitlement_tranche_release(user=viewer, entitlement=ent, tranche=1, evidence="x")
    released = services.entitlement_tranche_release(
        user=viewer, entitlement=ent, tranche=1, evidence="x", permission=None
    )
    assert released.tranche == 1


def test_a_payment_list_pays_a_tranche_only_to_households_whose_tranche_was_released():
    w = milestone_world(tranches=2)
    first, second = entitlements(w)
    fsp = template(w)
    with pytest.raises(Conflict) as nobody:
        services.payment_list_create(user=w.finance, plan=w.plan, tranche=1, template=fsp)
    assert nobody.value.code == "tranche_not_released"

    services.entitlement_tranche_release(user=w.officer, entitlement=first, tranche=1, evidence="a")
    services.entitlement_tranche_release(
        user=w.officer, entitlement=second, tranche=1, evidence="b"
    )
    one = services.payment_list_create(user=w.finance, plan=w.plan, tranche=1, template=fsp)
    assert one.payments.count() == 2

    with pytest.raises(Conflict) as waiting:
        services.payment_list_create(user=w.finance, plan=w.plan, tranche=2, template=fsp)
    assert waiting.value.code == "tranche_not_released"
    services.entitlement_tranche_release(user=w.officer, entitlement=first, tranche=2, evidence="c")
    two = services.payment_list_create(user=w.finance, plan=w.plan, tranche=2, template=fsp)
    assert [p.entitlement_id for p in two.payments.all()] == [first.pk]
    assert (
        sum(p.amount for p in one.payments.filter(entitlement=first))
        + sum(p.amount for p in two.payments.all())
        == first.amount
    )


def test_a_cancelled_entitlement_releases_nothing():
    w = milestone_world()
    ent = entitlements(w)[0]
    Entitlement.objects.filter(pk=ent.pk).update(status="cancelled")
    with pytest.raises(Conflict) as refused:
        services.entitlement_tranche_release(
            user=w.officer, entitlement=ent, tranche=1, evidence="x"
        )
    assert refused.value.code == "entitlement_cancelled"

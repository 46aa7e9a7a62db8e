"""A family repairing its own house is paid in tranches: tranche 1 when the case starts
(the agreement signed), each next tranche only after an inspector signed off the
inspection that verified the milestone it pays for — and never twice."""

from __future__ import annotations

import pytest

from sanad.cash import services as cash
from sanad.cash.models import Entitlement, Payment, TrancheRelease
from sanad.core.errors import Conflict, InvalidTransition
from sanad.shelter.models import CaseMilestone
from sanad.shelter.services import cases as services
from sanad.shelter.services import inspections
from tests.cash.test_transfers import template
from tests.shelter.cases_factories import case_world, inspect, open_case, photo_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]


def fsp(w):
    """The provider's template of the world (made once)."""
    if getattr(w, "_fsp", None) is None:
        w._fsp = template(w.cash)
    return w._fsp


def payees(w, tranche: int) -> list[int]:
    """Households on a new payment list for `tranche` (empty when refused as not
    released)."""
    try:
        payment_list = cash.payment_list_create(
            user=w.cash.finance, plan=w.plan, tranche=tranche, template=fsp(w)
        )
    except Conflict as exc:
        assert exc.code == "tranche_not_released", exc.code
        return []
    return sorted(
        Payment.objects.filter(payment_list=payment_list).values_list(
            "entitlement__household_id", flat=True
        )
    )


def test_a_cash_case_gets_one_milestone_per_tranche_after_the_first():
    w = case_world(cash=True, tranches=3)
    case = open_case(w, modality="cash")
    rows = list(case.milestones.values_list("sequence", "progress", "releases_tranche"))
    assert [(s, r) for s, _p, r in rows] == [(1, 2), (2, 3), (3, None)]
    assert rows[-1][1] == 100


def test_tranche_1_is_payable_once_the_case_starts_and_not_before():
    w = case_world(cash=True, tranches=3, households=1)
    case = open_case(w, modality="cash")
    assert payees(w, 1) == []
    services.case_start(user=w.officer, case=case)
    assert payees(w, 1) == [w.households[0].pk]
    release = TrancheRelease.objects.get(entitlement=w.entitlement(), tranche=1)
    assert case.reference in release.evidence
    assert release.source == f"shelter_case:{case.pk}"


def test_the_second_tranche_waits_for_the_verified_milestone_inspection():
    w = case_world(cash=True, tranches=3, households=1)
    case = open_case(w, modality="cash")
    services.case_start(user=w.officer, case=case)
    assert payees(w, 1) == [w.households[0].pk]

    # Nobody is on a tranche 2 list before any inspection.
    with pytest.raises(Conflict) as refused:
        cash.payment_list_create(user=w.cash.finance, plan=w.plan, tranche=2, template=fsp(w))
    assert refused.value.code == "tranche_not_released"

    # An inspection that did not verify the milestone releases nothing.
    not_yet = inspect(w, case, result="not_verified", progress=25)
    assert not_yet.status == "signed_off"
    assert payees(w, 2) == []
    assert CaseMilestone.objects.get(case=case, sequence=1).status == "pending"

    # A draft that verifies it releases nothing either, until it is signed off.
    draft = inspect(w, case, result="verified", progress=40, sign_off=False)
    assert payees(w, 2) == []
    inspections.inspection_sign_off(user=w.engineer, inspection=draft)
    assert payees(w, 2) == [w.households[0].pk]

    milestone = CaseMilestone.objects.get(case=case, sequence=1)
    assert milestone.status == "verified" and milestone.inspection_id == draft.pk
    assert milestone.verified_by == w.engineer
    # Tranche 3 still waits for its own milestone.
    assert payees(w, 3) == []
    assert w.entitlement().released_tranches == 2


def test_signing_off_twice_does_not_release_twice():
    w = case_world(cash=True, tranches=3, households=1)
    case = open_case(w, modality="cash")
    services.case_start(user=w.officer, case=case)
    draft = inspect(w, case, sign_off=False)
    inspections.inspection_sign_off(user=w.engineer, inspection=draft)
    with pytest.raises(InvalidTransition) as again:
        inspections.inspection_sign_off(user=w.engineer, inspection=draft)
    assert again.value.code == "already_signed_off"
    ent = w.entitlement()
    assert ent.released_tranches == 2
    assert TrancheRelease.objects.filter(entitlement=ent).count() == 2


def test_a_second_inspection_of_a_verified_milestone_is_refused():
    w = case_world(cash=True, tranches=3, households=1)
    case = open_case(w, modality="cash")
    services.case_start(user=w.officer, case=case)
    first = inspect(w, case, sign_off=False)
    second = inspect(w, case, sign_off=False)  # same milestone, both drafts
    inspections.inspection_sign_off(user=w.engineer, inspection=first)
    with pytest.raises(Conflict) as refused:
        inspections.inspection_sign_off(user=w.engineer, inspection=second)
    assert refused.value.code == "milestone_verified"
    second.refresh_from_db()
    assert second.status == "draft"  # the refusal rolled the sign-off back
    assert w.entitlement().released_tranches == 2


def test_milestones_are_verified_in_order():
    w = case_world(cash=True, tranches=3, households=1)
    case = open_case(w, modality="cash")
    services.case_start(user=w.officer, case=case)
    second = case.milestones.get(sequence=2)
    with pytest.raises(Conflict) as refused:
        inspect(w, case, milestone=second, progress=70)
    assert refused.value.code == "milestone_out_of_order"
    assert w.entitlement().released_tranches == 1


def test_every_tranche_is_paid_as_the_works_go_and_the_case_completes():
    w = case_world(cash=True, tranches=3, households=1)
    case = open_case(w, modality="cash")
    services.case_start(user=w.officer, case=case)
    inspect(w, case, progress=35)
    inspect(w, case, progress=70)
    assert w.entitlement().released_tranches == 3
    assert payees(w, 3) == [w.households[0].pk]
    inspect(w, case, kind="final", progress=100)
    case.refresh_from_db()
    assert case.status == "completed" and case.progress == 100
    assert set(case.milestones.values_list("status", flat=True)) == {"verified"}


def test_a_cash_case_cannot_start_without_its_entitlement():
    w = case_world(cash=True, tranches=2, households=1)
    case = open_case(w, modality="cash", entitlement=None)
    with pytest.raises(Conflict) as refused:
        services.case_start(user=w.officer, case=case)
    assert refused.value.code == "entitlement_required"
    services.case_link_entitlement(user=w.officer, case=case, entitlement=w.entitlement())
    case = services.case_start(user=w.officer, case=case)
    assert case.status == "in_progress"
    assert list(case.milestones.values_list("releases_tranche", flat=True)) == [2, None]


def test_an_entitlement_of_another_household_or_plan_kind_is_refused():
    from sanad.core.errors import ValidationFailed

    w = case_world(cash=True, tranches=2, households=2)
    case = open_case(w, modality="cash", entitlement=None, index=0)
    with pytest.raises(ValidationFailed) as refused:
        services.case_link_entitlement(user=w.officer, case=case, entitlement=w.entitlement(1))
    assert refused.value.code == "entitlement_other_household"
    ent = w.entitlement(0)
    assert Entitlement.objects.get(pk=ent.pk).released_tranches == 0

"""Tranche gating of grant agreements: tranche 1 once the agreement is signed and its
cash plan approved; tranche k ≥ 2 only after a verification visit of tranche k − 1,
made after its release, found the grant spent as planned and the business operating.
Every refusal says what is missing; a retried release answers the one recorded."""

from __future__ import annotations

import datetime

import pytest

from sanad.cash import services as cash
from sanad.cash.models import Entitlement, TrancheRelease
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.revitalization.models import GrantAgreement, GrantApplication
from sanad.revitalization.selectors import agreements as selectors
from sanad.revitalization.services.grants import agreements as services
from tests.factories import ERBIL, make_user
from tests.revitalization.factories_agreements import disbursed, grants_world, signed, verify

pytestmark = pytest.mark.django_db


def release(w, agreement, tranche):
    return services.agreement_release_tranche(user=w.officer, agreement=agreement, tranche=tranche)


def refused(w, agreement, tranche) -> Conflict:
    with pytest.raises(Conflict) as exc:
        release(w, agreement, tranche)
    return exc.value


def _running(tranches: int = 3):
    """One agreement whose cash plan is approved (tranche 1 not yet released)."""
    w = grants_world(applications=1, tranches=tranches)
    disbursed(w)
    return w, GrantAgreement.objects.get()


class TestTrancheOne:
    def test_it_waits_for_the_agreement_to_be_put_in_a_cash_plan(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        error = refused(w, agreement, 1)
        assert error.code == "not_in_cash_plan" and "Disburse through cash" in error.message

    def test_it_waits_for_the_cash_plan_to_be_approved_by_a_cash_officer(self):
        w = grants_world(applications=1)
        plan = disbursed(w, approve=False)
        error = refused(w, GrantAgreement.objects.get(), 1)
        assert error.code == "cash_plan_not_approved" and plan.name in error.message

    def test_it_is_released_once_the_plan_is_approved_with_the_agreement_as_evidence(self):
        w, agreement = _running()
        done = release(w, agreement, 1)
        agreement.refresh_from_db()
        assert done.entitlement_id == agreement.entitlement_id  # linked before the release
        assert done.tranche == 1 and done.source == "revitalization.grant_agreement"
        assert agreement.number in done.evidence and done.released_by == w.officer
        ent = Entitlement.objects.get(pk=agreement.entitlement_id)
        assert ent.status == "released" and ent.released_tranches == 1

    def test_releasing_it_again_answers_the_release_already_recorded(self):
        w, agreement = _running()
        first = release(w, agreement, 1)
        again = release(w, agreement, 1)
        assert again.pk == first.pk
        assert TrancheRelease.objects.count() == 1

    def test_a_household_left_out_of_the_approved_plan_is_named(self):
        from sanad.registry.models import Household

        w = grants_world(applications=2)
        plan = disbursed(w, approve=False)
        left = w.applications[0].household
        # No longer active when the plan is approved: it gets no entitlement.
        Household.objects.filter(pk=left.pk).update(status="inactive")
        cash.plan_approve(user=w.second, plan=plan)
        agreement = GrantAgreement.objects.get(application=w.applications[0])
        error = refused(w, agreement, 1)
        assert error.code == "no_entitlement" and left.registration_id in error.message
        other = GrantAgreement.objects.get(application=w.applications[1])
        assert release(w, other, 1).tranche == 1


class TestLaterTranches:
    def test_tranche_2_waits_for_tranche_1(self):
        w, agreement = _running()
        error = refused(w, agreement, 2)
        assert error.code == "tranche_out_of_order" and "Release tranche 1 first" in error.message

    def test_tranche_2_waits_for_a_verification_visit_of_tranche_1(self):
        w, agreement = _running()
        release(w, agreement, 1)
        error = refused(w, agreement, 2)
        assert error.code == "verification_missing"
        assert error.message.startswith("Record a verification visit of tranche 1 first")

    def test_a_visit_that_found_the_grant_not_spent_as_planned_keeps_it_closed(self):
        w, agreement = _running()
        release(w, agreement, 1)
        verify(w, agreement, 1, spent=False)
        error = refused(w, agreement, 2)
        assert error.code == "verification_failed" and "not spent as planned" in error.message

    def test_a_visit_that_found_the_business_closed_keeps_it_closed(self):
        w, agreement = _running()
        release(w, agreement, 1)
        verify(w, agreement, 1, operating=False)
        error = refused(w, agreement, 2)
        assert error.code == "verification_failed" and "not operating" in error.message

    def test_a_visit_dated_before_the_release_of_tranche_1_does_not_count(self):
        w, agreement = _running()
        done = release(w, agreement, 1)
        TrancheRelease.objects.filter(pk=done.pk).update(
            released_at=done.released_at + datetime.timedelta(days=1)
        )
        verify(w, agreement, 1)  # today, the day before the (moved) release
        error = refused(w, agreement, 2)
        assert error.code == "verification_before_release"

    def test_a_visit_of_another_tranche_does_not_open_tranche_2(self):
        w, agreement = _running()
        release(w, agreement, 1)
        verify(w, agreement, 1)
        release(w, agreement, 2)
        error = refused(w, agreement, 3)
        assert error.code == "verification_missing" and "tranche 2" in error.message

    def test_a_good_visit_after_the_release_opens_tranche_2_with_the_visit_as_evidence(self):
        w, agreement = _running()
        release(w, agreement, 1)
        verify(w, agreement, 1, spent=False)
        verify(w, agreement, 1)  # a new visit once the grant was spent as planned
        done = release(w, agreement, 2)
        assert done.tranche == 2 and "verified tranche 1" in done.evidence
        assert Entitlement.objects.get(pk=done.entitlement_id).released_tranches == 2

    def test_every_tranche_released_leaves_nothing_to_release(self):
        w, agreement = _running(tranches=2)
        release(w, agreement, 1)
        verify(w, agreement, 1)
        release(w, agreement, 2)
        agreement.refresh_from_db()
        gate = selectors.tranche_gate(agreement)
        assert gate.tranche is None and gate.code == "all_released" and not gate.open

    def test_a_tranche_outside_the_agreement_is_refused(self):
        w, agreement = _running(tranches=2)
        for tranche in (0, 3, "x"):
            with pytest.raises(ValidationFailed) as exc:
                release(w, agreement, tranche)
            assert "tranche" in exc.value.fields

    def test_a_withdrawn_application_gets_no_more_tranches(self):
        w, agreement = _running()
        release(w, agreement, 1)
        verify(w, agreement, 1)
        GrantApplication.objects.filter(pk=agreement.application_id).update(status="withdrawn")
        assert refused(w, agreement, 2).code == "application_closed"
        # …but a retry of a release already made still answers it.
        assert release(w, agreement, 1).tranche == 1


class TestWhoReleases:
    def test_a_viewer_cannot_release_and_another_scope_does_not_see_the_agreement(self):
        w, agreement = _running()
        with pytest.raises(PermissionDenied):
            services.agreement_release_tranche(user=w.viewer, agreement=agreement, tranche=1)
        erbil = make_user("programme_officer", governorates=(ERBIL,), programmes=("CRP",))
        with pytest.raises(NotFound):
            services.agreement_release_tranche(user=erbil, agreement=agreement, tranche=1)
        assert not TrancheRelease.objects.exists()

    def test_the_gate_shown_on_the_page_is_the_one_the_release_checks(self):
        w, agreement = _running()
        assert selectors.tranche_gate(agreement).open is False  # not linked yet
        services.agreements_link_entitlements(w.call)
        agreement.refresh_from_db()
        gate = selectors.tranche_gate(agreement)
        assert gate.tranche == 1 and gate.open
        release(w, agreement, 1)
        gate = selectors.tranche_gate(agreement)
        assert gate.tranche == 2 and gate.code == "verification_missing"

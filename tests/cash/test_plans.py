"""Cash and voucher plans: drafting, the two-person approval that creates one
entitlement per household, conditions, cancelling and closing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sanad.cash import services
from sanad.cash.models import CashPlan, Entitlement, Voucher
from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.targeting.models import BeneficiaryList
from tests.cash.factories import approved_list, cash_world, line, make_plan, redeem
from tests.factories import ERBIL, ProgrammeFactory, ProjectFactory, make_user
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


def fields_of(exc: pytest.ExceptionInfo) -> set[str]:
    return set(exc.value.fields)


class TestDrafting:
    def test_a_draft_plan_records_amount_currency_rate_and_restrictions(self):
        w = cash_world(approve=False)
        plan = make_plan(
            w,
            amount="75000.5",
            allowed_categories=["heating", "bedding"],
            allowed_vendors=[w.vendor],
            require_pin=True,
        )
        plan.refresh_from_db()
        assert plan.status == "draft"
        assert plan.programme_id == w.lst.programme_id
        assert plan.amount == Decimal("75000.50")
        assert plan.currency == "IQD" and plan.exchange_rate == Decimal("1310")
        assert plan.allowed_categories == ["bedding", "heating"]
        assert list(plan.allowed_vendors.all()) == [w.vendor]
        assert plan.item_code == "nfi_evoucher"
        assert plan.created_by == w.officer

    def test_a_cash_plan_is_recorded_as_nfi_cash_in_the_ledger_by_default(self):
        w = cash_world(approve=False)
        plan = make_plan(w, modality="cash", tranches=2)
        assert plan.item_code == "nfi_cash" and plan.tranches == 2

    def test_every_wrong_value_is_named_at_once(self):
        w = cash_world(approve=False)
        with pytest.raises(ValidationFailed) as exc:
            make_plan(
                w,
                name="",
                currency="EUR",
                exchange_rate="0.00076",
                amount="-5",
                allowed_categories=["jewellery"],
                condition="other",
                condition_note="",
                tranches=3,
            )
        assert {
            "name",
            "currency",
            "exchange_rate",
            "amount",
            "allowed_categories",
            "condition_note",
            "tranches",
        } <= fields_of(exc)

    def test_a_list_that_is_not_approved_cannot_be_used(self):
        w = cash_world(approve=False)
        BeneficiaryList.objects.filter(pk=w.lst.pk).update(status="draft")
        w.lst.refresh_from_db()
        with pytest.raises(ValidationFailed) as exc:
            make_plan(w)
        assert "beneficiary_list" in fields_of(exc)

    def test_the_project_must_belong_to_the_lists_programme(self):
        w = cash_world(approve=False)
        other = ProjectFactory(
            programme=ProgrammeFactory(code="SHELTER"),
            start_date=w.project.start_date,
            end_date=w.project.end_date,
        )
        with pytest.raises(ValidationFailed) as exc:
            make_plan(w, project=other)
        assert "project" in fields_of(exc)

    def test_the_plan_must_expire_within_its_project(self):
        w = cash_world(approve=False)
        with pytest.raises(ValidationFailed) as exc:
            make_plan(w, expires_on=w.project.end_date + datetime.timedelta(days=1))
        assert "runs from" in str(exc.value.fields["expires_on"][0])
        with pytest.raises(ValidationFailed):
            make_plan(w, expires_on=timezone.localdate() - datetime.timedelta(days=1))

    def test_a_per_member_amount_needs_its_rate_and_a_cap_not_below_it(self):
        w = cash_world(approve=False)
        with pytest.raises(ValidationFailed) as exc:
            make_plan(w, amount_kind="per_member", amount=None, per_member="10000", cap="5000")
        assert "cap" in fields_of(exc)

    def test_restrictions_belong_to_e_vouchers_only(self):
        w = cash_world(approve=False)
        with pytest.raises(ValidationFailed) as exc:
            make_plan(w, modality="cash", allowed_categories=["bedding"])
        assert "modality" in fields_of(exc)

    def test_a_finance_officer_cannot_plan(self):
        w = cash_world(approve=False)
        with pytest.raises(PermissionDenied):
            make_plan(w, user=w.finance)

    def test_an_officer_of_another_governorate_cannot_plan_for_the_programme_elsewhere(self):
        w = cash_world(approve=False)
        erbil = make_user("programme_officer", governorates=(ERBIL,), programmes=("SHELTER",))
        with pytest.raises(PermissionDenied):
            make_plan(w, user=erbil)
        assert not CashPlan.objects.filter(created_by=erbil).exists()


class TestApproval:
    def test_the_creator_cannot_approve_their_own_plan(self):
        w = cash_world(approve=False)
        with pytest.raises(PermissionDenied) as exc:
            services.plan_approve(user=w.officer, plan=w.plan)
        assert exc.value.code == "same_person"
        assert not Entitlement.objects.filter(plan=w.plan).exists()

    def test_approval_creates_one_released_entitlement_per_household_and_marks_the_list_used(
        self,
    ):
        w = cash_world(households=4, approve=False)
        plan = services.plan_approve(user=w.approver, plan=w.plan)
        plan.refresh_from_db()
        assert plan.status == "approved" and plan.approved_by == w.approver
        rows = Entitlement.objects.filter(plan=plan)
        assert sorted(rows.values_list("household_id", flat=True)) == sorted(
            h.pk for h in w.households
        )
        assert {(e.amount, e.currency, e.exchange_rate, e.status) for e in rows} == {
            (Decimal("50000.00"), "IQD", Decimal("1310.0000"), "released")
        }
        w.lst.refresh_from_db()
        assert w.lst.status == "in_use" and w.lst.used_by == "cash"

    def test_a_per_member_amount_counts_active_members_and_stops_at_the_cap(self):
        w = cash_world(households=1, members=3, approve=False)
        big = make_household(members=7)
        lst, small = approved_list(
            officer=w.officer, approver=w.approver, programme=w.programme, households=1, members=2
        )
        plan = make_plan(
            w,
            beneficiary_list=lst,
            amount_kind="per_member",
            amount=None,
            per_member="10000",
            cap="50000",
        )
        services.plan_approve(user=w.approver, plan=plan)
        amounts = {e.household_id: (e.members, e.amount) for e in plan.entitlements.all()}
        # The list covers every household of the sub-district: 2, 3 and 7 members.
        assert amounts[small[0].pk] == (2, Decimal("20000.00"))
        assert amounts[w.households[0].pk] == (3, Decimal("30000.00"))
        assert amounts[big.pk] == (7, Decimal("50000.00"))

    def test_a_conditional_plan_creates_pending_entitlements_until_the_condition_is_met(self):
        w = cash_world(condition="awareness_session")
        assert set(w.plan.entitlements.values_list("status", flat=True)) == {"pending"}
        assert w.issued == []
        entitlement = w.plan.entitlements.first()
        with pytest.raises(ValidationFailed):
            services.entitlement_condition_met(user=w.officer, entitlement=entitlement, evidence="")
        met = services.entitlement_condition_met(
            user=w.officer, entitlement=entitlement, evidence="Attendance sheet 12 May"
        )
        assert met.status == "released" and met.condition_met_by == w.officer
        assert met.condition_evidence == "Attendance sheet 12 May"
        with pytest.raises(Conflict) as exc:
            services.entitlement_condition_met(user=w.officer, entitlement=met, evidence="again")
        assert exc.value.code == "not_pending"
        issued = services.vouchers_issue(user=w.officer, plan=w.plan)
        assert [v.entitlement_id for v, _pin in issued] == [met.pk]

    def test_a_finance_officer_cannot_record_a_condition_met(self):
        w = cash_world(condition="shelter_milestone")
        with pytest.raises(PermissionDenied):
            services.entitlement_condition_met(
                user=w.finance, entitlement=w.plan.entitlements.first(), evidence="x"
            )

    def test_a_plan_is_approved_once(self):
        w = cash_world()
        with pytest.raises(InvalidTransition):
            services.plan_approve(user=w.officer, plan=w.plan)
        assert Entitlement.objects.filter(plan=w.plan).count() == 3

    def test_a_second_plan_can_use_a_list_already_in_use(self):
        w = cash_world()
        second = make_plan(w)
        services.plan_approve(user=w.approver, plan=second)
        assert second.entitlements.count() == 3

    def test_a_withdrawn_household_gets_no_entitlement(self):
        from sanad.registry.models import Household

        w = cash_world(households=2, approve=False)
        Household.objects.filter(pk=w.households[0].pk).update(status="withdrawn")
        services.plan_approve(user=w.approver, plan=w.plan)
        assert list(w.plan.entitlements.values_list("household_id", flat=True)) == [
            w.households[1].pk
        ]


class TestCancelAndClose:
    def test_cancelling_a_plan_cancels_its_vouchers_and_what_nothing_was_spent_on(self):
        w = cash_world(households=2)
        redeem(w, 0, [line(w.blanket, 1)])
        with pytest.raises(ValidationFailed):
            services.plan_cancel(user=w.officer, plan=w.plan, reason=" ")
        services.plan_cancel(user=w.officer, plan=w.plan, reason="Donor withdrew the funds")
        w.plan.refresh_from_db()
        assert w.plan.status == "cancelled"
        assert set(
            Voucher.objects.filter(entitlement__plan=w.plan).values_list("status", flat=True)
        ) == {"cancelled"}
        spent_on, untouched = (w.voucher(0).entitlement, w.voucher(1).entitlement)
        spent_on.refresh_from_db()
        untouched.refresh_from_db()
        assert spent_on.status == "released"  # a household already bought with it
        assert untouched.status == "cancelled"

    def test_closing_a_plan_ends_its_active_vouchers(self):
        w = cash_world(households=2)
        services.plan_close(user=w.officer, plan=w.plan)
        assert {v.status for v in Voucher.objects.filter(entitlement__plan=w.plan)} == {"expired"}
        w.plan.refresh_from_db()
        assert w.plan.status == "closed"

    def test_a_draft_cannot_be_closed(self):
        w = cash_world(approve=False)
        with pytest.raises(InvalidTransition):
            services.plan_close(user=w.officer, plan=w.plan)


def test_entitlement_amount_rounds_to_the_cent():
    plan = CashPlan(amount_kind="per_member", per_member=Decimal("33.335"), cap=None)
    assert services.entitlement_amount(plan, 3) == Decimal("100.01")

"""Business plans (lines, total within the call's range, approval by another person),
grant agreements (signed on an approved plan, follow-ups scheduled, the ledger written
once), disbursement into cash plans of amounts set per household, and visits (the
12-month follow-up completes the application)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services as cash
from sanad.cash.models import CashPlan, Entitlement, PlannedAmount
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.registry.models import Household
from sanad.revitalization.models import GrantAgreement, GrantApplication, GrantVisit
from sanad.revitalization.selectors import agreements as selectors
from sanad.revitalization.services.grants import agreements as services
from sanad.revitalization.services.grants.agreements import add_months
from sanad.revitalization.services.grants.visits import visit_record
from tests.factories import ERBIL, make_user
from tests.revitalization.factories_agreements import (
    approved_plan,
    disbursed,
    grants_world,
    selected_application,
    signed,
    write_plan,
)

pytestmark = pytest.mark.django_db


class TestBusinessPlans:
    def test_the_total_is_the_sum_of_the_lines_each_quantity_times_unit_cost(self):
        w = grants_world(applications=1)
        plan = write_plan(w, w.applications[0])
        plan.refresh_from_db()
        assert plan.total == Decimal("2500.00")
        assert [line["amount"] for line in plan.budget_lines] == ["1600.00", "900.00"]
        assert [line["quantity"] for line in plan.budget_lines] == ["2", "10"]
        assert plan.own_contribution == Decimal("300.00") and plan.jobs_expected == 2
        assert plan.approved_at is None and plan.created_by == w.officer

    def test_empty_lines_are_left_out_and_wrong_ones_named(self):
        w = grants_world(applications=1)
        with pytest.raises(ValidationFailed) as exc:
            write_plan(
                w,
                w.applications[0],
                summary="",
                budget_lines=[
                    {"item": "", "quantity": "", "unit_cost": ""},
                    {"item": "Oven", "quantity": "-1", "unit_cost": "100"},
                    {"item": "", "quantity": "2", "unit_cost": "100"},
                ],
                revenue_band_expected="enormous",
                jobs_expected="many",
            )
        fields = exc.value.fields
        assert {"summary", "budget_lines", "revenue_band_expected", "jobs_expected"} <= set(fields)
        assert any("Line 2" in m for m in fields["budget_lines"])
        assert any("Line 3" in m for m in fields["budget_lines"])

    @pytest.mark.parametrize("cost", ["40", "6000"])
    def test_the_total_must_be_within_the_calls_smallest_and_largest_grant(self, cost):
        w = grants_world(applications=1)
        with pytest.raises(ValidationFailed) as exc:
            write_plan(
                w,
                w.applications[0],
                budget_lines=[{"item": "Tools", "quantity": "1", "unit_cost": cost}],
            )
        assert "from 1,000 to 5,000 USD" in " ".join(exc.value.fields["budget_lines"])

    def test_only_a_selected_application_gets_a_plan(self):
        w = grants_world(applications=0)
        application = selected_application(w.call, status="reserve")
        with pytest.raises(Conflict) as exc:
            write_plan(w, application)
        assert exc.value.code == "application_not_selected"

    def test_another_person_approves_the_plan_and_it_is_recorded(self):
        w = grants_world(applications=1)
        plan = write_plan(w, w.applications[0])
        with pytest.raises(PermissionDenied) as exc:
            services.business_plan_approve(user=w.officer, plan=plan)
        assert exc.value.code == "same_person"
        plan = services.business_plan_approve(user=w.second, plan=plan)
        plan.refresh_from_db()
        assert plan.approved_by == w.second and plan.approved_at is not None
        with pytest.raises(Conflict):
            services.business_plan_approve(user=w.second, plan=plan)

    def test_whoever_changed_the_plan_last_cannot_approve_it_either(self):
        w = grants_world(applications=1)
        write_plan(w, w.applications[0])
        plan = write_plan(w, w.applications[0], user=w.second, jobs_expected=3)
        with pytest.raises(PermissionDenied):
            services.business_plan_approve(user=w.second, plan=plan)
        third = make_user("programme_officer", governorates=("IQG09",), programmes=("CRP",))
        assert services.business_plan_approve(user=third, plan=plan).approved_by == third

    def test_changing_an_approved_plan_asks_for_its_approval_again(self):
        w = grants_world(applications=1)
        approved_plan(w, w.applications[0])
        plan = write_plan(w, w.applications[0], jobs_expected=4)
        plan.refresh_from_db()
        assert plan.approved_at is None and plan.approved_by is None and plan.jobs_expected == 4

    def test_a_viewer_or_a_user_of_another_scope_cannot_write_a_plan(self):
        w = grants_world(applications=1)
        with pytest.raises(PermissionDenied):
            write_plan(w, w.applications[0], user=w.viewer)
        erbil = make_user("programme_officer", governorates=(ERBIL,), programmes=("CRP",))
        with pytest.raises(NotFound):
            write_plan(w, w.applications[0], user=erbil)


class TestSigning:
    def test_signing_numbers_the_agreement_with_the_calls_terms_and_moves_the_application(self):
        w = grants_world(applications=1)
        application = w.applications[0]
        agreement = signed(w, application, days_ago=10, signature="thumbprint")
        agreement.refresh_from_db()
        year = w.today.year
        assert agreement.number == f"GA-{year}-00001"
        assert agreement.amount == Decimal("2500.00")  # the plan's total
        assert (agreement.currency, agreement.exchange_rate, agreement.tranches) == (
            "USD",
            Decimal("1310"),
            2,
        )
        assert agreement.signature == "thumbprint" and agreement.witness
        application.refresh_from_db()
        assert application.status == "agreement"
        history = GrantApplication.STATUS_MACHINE.history(application).last()
        assert agreement.number in history.reason

    def test_signing_schedules_the_follow_ups_at_3_6_and_12_months(self):
        w = grants_world(applications=1)
        day = w.applications[0].submitted_on
        agreement = signed(w, w.applications[0], signed_on=day)
        due = dict(GrantVisit.objects.filter(agreement=agreement).values_list("kind", "due_on"))
        assert due == {
            "month_3": add_months(day, 3),
            "month_6": add_months(day, 6),
            "month_12": add_months(day, 12),
        }

    def test_months_are_added_to_the_last_day_when_the_month_is_shorter(self):
        assert add_months(datetime.date(2026, 5, 31), 3) == datetime.date(2026, 8, 31)
        assert add_months(datetime.date(2026, 5, 31), 6) == datetime.date(2026, 11, 30)
        assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
        assert add_months(datetime.date(2026, 1, 15), 12) == datetime.date(2027, 1, 15)

    def test_signing_records_the_grantee_in_the_ledger_without_a_value(self):
        w = grants_world(applications=1)
        application = w.applications[0]
        agreement = signed(w, application)
        record = AssistanceRecord.objects.get(
            source_type="revitalization.grant_agreement", source_id=str(agreement.public_id)
        )
        assert record.individual_id == application.applicant_id
        assert record.household_id == application.household_id
        assert record.item == "crp_business_grant" and record.programme.code == "CRP"
        assert record.value is None and record.delivered_on == agreement.signed_on
        assert record.project_id == w.call.project_id

    def test_the_amount_may_differ_from_the_plan_within_the_calls_range(self):
        w = grants_world(applications=2)
        assert signed(w, w.applications[0], amount="3000").amount == Decimal("3000.00")
        approved_plan(w, w.applications[1])
        with pytest.raises(ValidationFailed) as exc:
            signed(w, w.applications[1], amount="9000")
        assert "amount" in exc.value.fields

    def test_an_agreement_needs_an_approved_business_plan(self):
        w = grants_world(applications=1)
        write_plan(w, w.applications[0])
        with pytest.raises(Conflict) as exc:
            services.agreement_sign(
                user=w.officer, application=w.applications[0], signed_on=w.today
            )
        assert exc.value.code == "plan_not_approved"

    def test_an_agreement_is_signed_once_and_only_for_a_selected_application(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        with pytest.raises(Conflict) as exc:
            services.agreement_sign(
                user=w.officer, application=w.applications[0], signed_on=w.today
            )
        assert exc.value.code == "agreement_exists"
        assert GrantAgreement.objects.filter(pk=agreement.pk).count() == 1
        reserve = selected_application(w.call, status="reserve")
        with pytest.raises(InvalidTransition):
            services.agreement_sign(user=w.officer, application=reserve, signed_on=w.today)

    def test_the_date_of_signature_is_not_in_the_future_nor_outside_the_project(self):
        w = grants_world(applications=1)
        approved_plan(w, w.applications[0])
        for day in (
            w.today + datetime.timedelta(days=1),
            w.call.project.start_date - datetime.timedelta(days=1),
        ):
            with pytest.raises(ValidationFailed) as exc:
                services.agreement_sign(
                    user=w.officer, application=w.applications[0], signed_on=day
                )
            assert "signed_on" in exc.value.fields
        assert not GrantAgreement.objects.exists()

    def test_a_thumbprint_needs_a_witness(self):
        w = grants_world(applications=1)
        approved_plan(w, w.applications[0])
        with pytest.raises(ValidationFailed) as exc:
            services.agreement_sign(
                user=w.officer,
                application=w.applications[0],
                signed_on=w.today,
                signature="thumbprint",
            )
        assert "witness" in exc.value.fields


class TestDisbursement:
    def test_signed_agreements_go_into_one_draft_cash_plan_of_amounts_per_household(self):
        w = grants_world(applications=2)
        first = signed(w, w.applications[0], amount="3000")
        second = signed(w, w.applications[1])
        plan = services.agreements_disburse(user=w.officer, call=w.call)
        plan.refresh_from_db()
        call = w.call
        call.refresh_from_db()
        assert call.cash_plan_id == plan.pk
        assert plan.name == f"{call.reference} business grants"
        assert plan.status == "draft" and plan.beneficiary_list is None
        assert plan.amount_kind == "per_household" and plan.modality == "cash"
        assert plan.condition == "grant_milestone" and plan.item_code == "crp_business_grant"
        assert plan.source == f"revitalization.grant_call:{call.reference}"
        assert (plan.currency, plan.exchange_rate, plan.tranches) == ("USD", Decimal("1310"), 2)
        assert plan.project_id == call.project_id
        assert plan.expires_on == add_months(call.closes_on, 18)
        planned = set(
            PlannedAmount.objects.filter(plan=plan).values_list("reference", "household", "amount")
        )
        assert planned == {
            (first.number, w.applications[0].household_id, Decimal("3000.00")),
            (second.number, w.applications[1].household_id, Decimal("2500.00")),
        }

    def test_the_plan_expires_with_its_project_when_that_ends_first(self):
        w = grants_world(applications=1)
        signed(w, w.applications[0])
        project = w.call.project
        project.end_date = add_months(w.call.closes_on, 12)
        project.save()
        plan = services.agreements_disburse(user=w.officer, call=w.call)
        assert plan.expires_on == project.end_date

    def test_nothing_is_disbursed_twice_and_a_later_batch_goes_into_a_new_plan(self):
        w = grants_world(applications=2)
        signed(w, w.applications[0])
        first = services.agreements_disburse(user=w.officer, call=w.call)
        with pytest.raises(Conflict) as exc:
            services.agreements_disburse(user=w.officer, call=w.call)
        assert exc.value.code == "nothing_to_disburse"
        later = signed(w, w.applications[1])
        second = services.agreements_disburse(user=w.officer, call=w.call)
        assert second.pk != first.pk and "(batch 2)" in second.name
        assert list(
            PlannedAmount.objects.filter(plan=second).values_list("reference", flat=True)
        ) == [later.number]
        w.call.refresh_from_db()
        assert w.call.cash_plan_id == second.pk

    def test_the_agreements_of_a_cancelled_plan_can_be_disbursed_again(self):
        w = grants_world(applications=1)
        signed(w, w.applications[0])
        plan = services.agreements_disburse(user=w.officer, call=w.call)
        cash.plan_cancel(user=w.officer, plan=plan, reason="Wrong rate")
        again = services.agreements_disburse(user=w.officer, call=w.call)
        assert again.pk != plan.pk

    def test_a_merged_household_is_paid_as_the_household_it_was_merged_into(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        survivor = selected_application(w.call, status="rejected").household
        Household.objects.filter(pk=w.applications[0].household_id).update(
            status="merged", merged_into=survivor
        )
        plan = services.agreements_disburse(user=w.officer, call=w.call)
        assert PlannedAmount.objects.get(plan=plan).household_id == survivor.pk
        cash.plan_approve(user=w.second, plan=plan)
        assert services.agreements_link_entitlements(w.call) == 1
        agreement.refresh_from_db()
        assert agreement.entitlement.household_id == survivor.pk

    def test_a_withdrawn_household_stops_the_disbursement_with_its_agreement_named(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        Household.objects.filter(pk=w.applications[0].household_id).update(status="withdrawn")
        with pytest.raises(Conflict) as exc:
            services.agreements_disburse(user=w.officer, call=w.call)
        assert exc.value.code == "household_not_active" and agreement.number in exc.value.message
        assert not CashPlan.objects.exists()

    def test_approving_the_cash_plan_links_each_agreement_to_its_entitlement(self):
        w = grants_world(applications=2)
        plan = disbursed(w, approve=False)
        assert services.agreements_link_entitlements(w.call) == 0
        cash.plan_approve(user=w.second, plan=plan)
        assert services.agreements_link_entitlements(w.call) == 2
        assert services.agreements_link_entitlements(w.call) == 0
        for agreement in GrantAgreement.objects.select_related("entitlement", "application"):
            assert agreement.entitlement.household_id == agreement.application.household_id
            assert agreement.entitlement.amount == agreement.amount
            assert agreement.entitlement.status == "pending"
        assert Entitlement.objects.filter(plan=plan).count() == 2

    def test_a_viewer_cannot_disburse(self):
        w = grants_world(applications=1)
        signed(w, w.applications[0])
        with pytest.raises(PermissionDenied):
            services.agreements_disburse(user=w.viewer, call=w.call)


class TestVisits:
    def _running(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0], days_ago=30)
        return w, agreement

    def test_a_follow_up_fills_the_visit_scheduled_at_signature(self):
        w, agreement = self._running()
        visit = visit_record(
            user=w.officer,
            agreement=agreement,
            kind="month_3",
            visited_on=w.today,
            operating=True,
            jobs_created=2,
            revenue_band="low",
            notes="Two tailors hired.",
        )
        assert GrantVisit.objects.filter(agreement=agreement).count() == 3
        visit.refresh_from_db()
        assert visit.kind == "month_3" and visit.due_on == add_months(agreement.signed_on, 3)
        assert (visit.visited_on, visit.operating, visit.jobs_created, visit.revenue_band) == (
            w.today,
            True,
            2,
            "low",
        )
        w.applications[0].refresh_from_db()
        assert w.applications[0].status == "agreement"

    def test_recording_the_12_month_follow_up_completes_the_application(self):
        w, agreement = self._running()
        visit_record(
            user=w.officer,
            agreement=agreement,
            kind="month_12",
            visited_on=w.today,
            operating=False,
            jobs_created=0,
            revenue_band="none",
        )
        application = GrantApplication.objects.get(pk=w.applications[0].pk)
        assert application.status == "completed"
        # Recorded again (a correction), it changes the visit and nothing else.
        visit_record(
            user=w.officer,
            agreement=agreement,
            kind="month_12",
            visited_on=w.today,
            operating=True,
            jobs_created=1,
            revenue_band="low",
        )
        assert GrantVisit.objects.get(agreement=agreement, kind="month_12").jobs_created == 1

    def test_a_follow_up_needs_operating_jobs_and_revenue(self):
        w, agreement = self._running()
        with pytest.raises(ValidationFailed) as exc:
            visit_record(
                user=w.officer,
                agreement=agreement,
                kind="month_6",
                visited_on=w.today,
                operating=None,
            )
        assert {"operating", "jobs_created", "revenue_band"} <= set(exc.value.fields)

    def test_a_visit_is_neither_in_the_future_nor_before_the_signature(self):
        w, agreement = self._running()
        for day in (
            w.today + datetime.timedelta(days=1),
            agreement.signed_on - datetime.timedelta(days=1),
        ):
            with pytest.raises(ValidationFailed) as exc:
                visit_record(
                    user=w.officer,
                    agreement=agreement,
                    kind="month_3",
                    visited_on=day,
                    operating=True,
                    jobs_created=0,
                    revenue_band="none",
                )
            assert "visited_on" in exc.value.fields

    def test_a_verification_visit_verifies_a_tranche_already_released(self):
        w, agreement = self._running()
        with pytest.raises(ValidationFailed) as exc:
            visit_record(
                user=w.officer,
                agreement=agreement,
                kind="verification",
                verifies_tranche=1,
                visited_on=w.today,
                operating=True,
                funds_used_as_planned=True,
            )
        assert "not released yet" in exc.value.fields["verifies_tranche"][0]

    def test_visits_due_lists_follow_ups_not_made_of_running_agreements_earliest_first(self):
        w = grants_world(applications=2)
        old = signed(w, w.applications[0], days_ago=200)
        signed(w, w.applications[1], days_ago=10)
        due = list(selectors.visits_due(w.officer, until=w.today))
        assert [(v.agreement_id, v.kind) for v in due] == [(old.pk, "month_3"), (old.pk, "month_6")]
        visit_record(
            user=w.officer,
            agreement=old,
            kind="month_3",
            visited_on=w.today,
            operating=True,
            jobs_created=1,
            revenue_band="low",
        )
        assert [v.kind for v in selectors.visits_due(w.officer, until=w.today)] == ["month_6"]
        erbil = make_user("programme_officer", governorates=(ERBIL,), programmes=("CRP",))
        assert not selectors.visits_due(erbil).exists()


class TestDemo:
    def test_the_demo_signs_disburses_releases_and_visits_the_duhok_grantees(self):
        from sanad.cash.models import TrancheRelease
        from sanad.revitalization.demo_agreements import seed

        w = grants_world(applications=4)
        admin = make_user("administrator")
        counts = seed(admin=admin, users={"crp.officer": w.officer, "crp.lead": w.second})
        assert counts["business plans"] == 4 and counts["grant agreements"] == 4
        assert counts["grant cash plans"] == 1
        assert GrantAgreement.objects.filter(entitlement__isnull=False).count() == 4
        assert TrancheRelease.objects.filter(tranche=1).count() == 4
        assert (
            counts["grant tranches released"]
            == 4 + TrancheRelease.objects.filter(tranche=2).count()
        )
        assert set(GrantApplication.objects.values_list("status", flat=True)) == {"agreement"}
        # Run again: nothing is selected any more, nothing is added.
        assert seed(admin=admin, users={"crp.officer": w.officer, "crp.lead": w.second}) == {
            "business plans": 0,
            "grant agreements": 0,
            "grant cash plans": 0,
            "grant tranches released": 0,
            "business visits recorded": 0,
        }

"""Cash plans of amounts set per household (business grants): drafted by another module
without a beneficiary list, approved by a second person into one entitlement per
planned amount, released tranche by tranche, and paid amount ÷ tranches per payment."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sanad.cash import services
from sanad.cash.models import CashPlan, Entitlement, PlannedAmount
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.registry.models import Household
from tests.factories import DUHOK, ProgrammeFactory, ProjectFactory, make_user
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db

SOURCE = "revitalization.grant_call:GRC-2026-00001"


def _world() -> dict[str, Any]:
    today = timezone.localdate()
    crp = ProgrammeFactory(code="CRP")
    project = ProjectFactory(
        programme=crp,
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=500),
    )
    scope = {"governorates": (DUHOK,), "programmes": ("CRP",)}
    return {
        "project": project,
        "officer": make_user("programme_officer", **scope),
        "approver": make_user("programme_officer", **scope),
        "finance": make_user("finance_officer", governorates=(DUHOK,)),
        "homes": [make_household(governorate=DUHOK, members=2) for _i in range(3)],
    }


def _plan(w: dict[str, Any], **kwargs: Any) -> CashPlan:
    homes = w["homes"]
    values: dict[str, Any] = {
        "user": w["officer"],
        "name": "GRC-2026-00001 business grants",
        "project": w["project"],
        "households": [
            (homes[0], Decimal("3000"), "GA-2026-00001"),
            (homes[1], Decimal("2500.50"), "GA-2026-00002"),
            (homes[2], Decimal("1000"), "GA-2026-00003"),
        ],
        "currency": "USD",
        "exchange_rate": "1310",
        "expires_on": timezone.localdate() + datetime.timedelta(days=400),
        "tranches": 2,
        "source": SOURCE,
    }
    values.update(kwargs)
    return services.plan_create_for_households(**values)


class TestDrafting:
    def test_a_draft_plan_keeps_each_households_amount_without_a_beneficiary_list(self):
        w = _world()
        plan = _plan(w)
        plan.refresh_from_db()
        assert plan.status == "draft" and plan.beneficiary_list is None
        assert plan.amount_kind == "per_household" and plan.modality == "cash"
        assert plan.condition == "grant_milestone" and plan.item_code == "crp_business_grant"
        assert plan.source == SOURCE and plan.programme.code == "CRP"
        assert plan.created_by == w["officer"]
        planned = {
            p.reference: (p.household_id, p.amount) for p in PlannedAmount.objects.filter(plan=plan)
        }
        assert planned == {
            "GA-2026-00001": (w["homes"][0].pk, Decimal("3000.00")),
            "GA-2026-00002": (w["homes"][1].pk, Decimal("2500.50")),
            "GA-2026-00003": (w["homes"][2].pk, Decimal("1000.00")),
        }

    def test_every_wrong_value_is_named_at_once(self):
        w = _world()
        with pytest.raises(ValidationFailed) as exc:
            _plan(
                w,
                name="",
                currency="EUR",
                exchange_rate="0.00076",
                tranches=7,
                expires_on=timezone.localdate() - datetime.timedelta(days=1),
                households=[],
            )
        assert {"name", "currency", "exchange_rate", "tranches", "expires_on", "households"} <= set(
            exc.value.fields
        )
        assert not CashPlan.objects.exists()

    def test_the_plan_must_expire_within_its_project(self):
        w = _world()
        with pytest.raises(ValidationFailed) as exc:
            _plan(w, expires_on=w["project"].end_date + datetime.timedelta(days=1))
        assert "expires_on" in exc.value.fields

    def test_amounts_must_be_above_zero_and_households_active_and_given_once(self):
        w = _world()
        homes = w["homes"]
        Household.objects.filter(pk=homes[2].pk).update(status="withdrawn")
        with pytest.raises(ValidationFailed) as exc:
            _plan(
                w,
                households=[
                    (homes[0], Decimal("0"), "GA-1"),
                    (homes[1], Decimal("100"), "GA-2"),
                    (homes[1], Decimal("100"), "GA-3"),
                    (homes[2], Decimal("100"), "GA-4"),
                ],
            )
        problems = " ".join(exc.value.fields["households"])
        assert "GA-1" in problems and "above zero" in problems
        assert "GA-3" in problems and "twice" in problems
        assert "GA-4" in problems and homes[2].registration_id in problems
        assert "GA-2:" not in problems

    def test_a_user_without_the_right_to_make_plans_is_refused(self):
        w = _world()
        committee = make_user("grant_committee", governorates=(DUHOK,), programmes=("CRP",))
        with pytest.raises(PermissionDenied):
            _plan(w, user=committee)

    def test_a_user_whose_role_does_not_reach_the_programme_is_refused(self):
        w = _world()
        nfi_officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
        with pytest.raises(PermissionDenied):
            _plan(w, user=nfi_officer)
        assert not CashPlan.objects.exists()

    def test_the_permission_passed_by_the_calling_module_is_checked_instead(self):
        w = _world()
        nfi_officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
        with pytest.raises(PermissionDenied):
            _plan(w, user=nfi_officer, permission="revitalization.manage_grants")
        crp_officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("CRP",))
        assert _plan(w, user=crp_officer, permission="revitalization.manage_grants").pk

    def test_no_permission_is_the_callers_word_that_it_checked(self):
        w = _world()
        committee = make_user("grant_committee", governorates=(DUHOK,), programmes=("CRP",))
        plan = _plan(w, user=committee, permission=None)
        assert plan.created_by == committee


class TestApproval:
    def test_approval_by_another_person_makes_pending_entitlements_of_the_planned_amounts(self):
        w = _world()
        plan = services.plan_approve(user=w["approver"], plan=_plan(w))
        assert plan.status == "approved" and plan.approved_by == w["approver"]
        rows = {
            e.household_id: (e.amount, e.status, e.released_tranches, e.members, e.currency)
            for e in Entitlement.objects.filter(plan=plan)
        }
        homes = w["homes"]
        assert rows == {
            homes[0].pk: (Decimal("3000.00"), "pending", 0, 2, "USD"),
            homes[1].pk: (Decimal("2500.50"), "pending", 0, 2, "USD"),
            homes[2].pk: (Decimal("1000.00"), "pending", 0, 2, "USD"),
        }

    def test_the_person_who_made_the_plan_cannot_approve_it(self):
        w = _world()
        plan = _plan(w, user=w["approver"])
        with pytest.raises(PermissionDenied) as exc:
            services.plan_approve(user=w["approver"], plan=plan)
        assert exc.value.code == "same_person"
        assert not Entitlement.objects.filter(plan=plan).exists()

    def test_a_plan_without_a_condition_releases_every_tranche_at_once(self):
        w = _world()
        plan = services.plan_approve(user=w["approver"], plan=_plan(w, condition=""))
        assert set(
            Entitlement.objects.filter(plan=plan).values_list("status", "released_tranches")
        ) == {("released", 2)}

    def test_a_merged_household_is_entitled_as_its_survivor_and_a_withdrawn_one_is_left_out(self):
        w = _world()
        plan = _plan(w)
        homes = w["homes"]
        survivor = make_household(governorate=DUHOK, members=4)
        Household.objects.filter(pk=homes[0].pk).update(status="merged", merged_into=survivor)
        Household.objects.filter(pk=homes[1].pk).update(status="withdrawn")
        services.plan_approve(user=w["approver"], plan=plan)
        rows = {
            e.household_id: (e.amount, e.members) for e in Entitlement.objects.filter(plan=plan)
        }
        assert rows == {
            survivor.pk: (Decimal("3000.00"), 4),
            homes[2].pk: (Decimal("1000.00"), 2),
        }

    def test_a_plan_whose_households_all_left_cannot_be_approved(self):
        w = _world()
        plan = _plan(w)
        Household.objects.filter(pk__in=[h.pk for h in w["homes"]]).update(status="inactive")
        with pytest.raises(Conflict) as exc:
            services.plan_approve(user=w["approver"], plan=plan)
        assert exc.value.code == "empty_list"
        plan.refresh_from_db()
        assert plan.status == "draft"

    def test_its_tranches_are_released_one_by_one_and_never_by_hand(self):
        w = _world()
        plan = services.plan_approve(user=w["approver"], plan=_plan(w))
        ent = Entitlement.objects.get(plan=plan, household=w["homes"][0])
        with pytest.raises(Conflict) as exc:
            services.entitlement_condition_met(user=w["officer"], entitlement=ent, evidence="x")
        assert exc.value.code == "released_by_agreement"
        first = services.entitlement_tranche_release(
            user=w["officer"],
            entitlement=ent,
            tranche=1,
            evidence="Agreement GA-2026-00001 signed",
            source="revitalization.grant_agreement",
            permission=None,
        )
        again = services.entitlement_tranche_release(
            user=w["officer"],
            entitlement=ent,
            tranche=1,
            evidence="retry",
            source="revitalization.grant_agreement",
            permission=None,
        )
        assert again.pk == first.pk
        ent.refresh_from_db()
        assert ent.status == "released" and ent.released_tranches == 1


class TestPayments:
    def test_each_households_tranche_is_its_own_amount_divided_by_the_tranches(self):
        w = _world()
        plan = services.plan_approve(user=w["approver"], plan=_plan(w))
        for ent in Entitlement.objects.filter(plan=plan):
            services.entitlement_tranche_release(
                user=w["officer"], entitlement=ent, tranche=1, evidence="signed", permission=None
            )
        template = services.fsp_template_create(
            user=w["finance"],
            name="AsiaHawala grants",
            provider="AsiaHawala",
            columns=[
                {"header": "Beneficiary ID", "field": "registration_id"},
                {"header": "Amount", "field": "amount"},
                {"header": "Ref", "field": "payment_id"},
            ],
            sheet_name="Transfers",
        )
        first = services.payment_list_create(
            user=w["finance"], plan=plan, tranche=1, template=template
        )
        amounts = {p.entitlement.household_id: p.amount for p in first.payments.all()}
        homes = w["homes"]
        assert amounts == {
            homes[0].pk: Decimal("1500.00"),
            homes[1].pk: Decimal("1250.25"),
            homes[2].pk: Decimal("500.00"),
        }
        with pytest.raises(Conflict) as exc:
            services.payment_list_create(user=w["finance"], plan=plan, tranche=2, template=template)
        assert exc.value.code == "tranche_not_released"
        ent = Entitlement.objects.get(plan=plan, household=homes[1])
        services.entitlement_tranche_release(
            user=w["officer"], entitlement=ent, tranche=2, evidence="visit", permission=None
        )
        second = services.payment_list_create(
            user=w["finance"], plan=plan, tranche=2, template=template
        )
        assert [(p.entitlement_id, p.amount) for p in second.payments.all()] == [
            (ent.pk, Decimal("1250.25"))
        ]


class TestPages:
    def test_the_plan_page_shows_what_made_it_and_its_planned_amounts(self, client):
        w = _world()
        plan = _plan(w)
        client.force_login(w["approver"])
        response = client.get(reverse("cash:plan_detail", args=[plan.public_id]))
        assert response.status_code == 200
        body = response.content.decode()
        assert SOURCE in body
        assert 'data-testid="cash-plan-planned"' in body and "3 households" in body
        assert 'data-testid="cash-plan-approve"' in body
        assert "Beneficiary list:" not in body

    def test_approving_on_the_plan_page_makes_the_entitlements(self, client):
        w = _world()
        plan = _plan(w)
        client.force_login(w["approver"])
        response = client.post(
            reverse("cash:plan_transition", args=[plan.public_id]), {"to": "approved"}
        )
        assert response.status_code == 302
        assert Entitlement.objects.filter(plan=plan, status="pending").count() == 3
        page = client.get(reverse("cash:plan_detail", args=[plan.public_id])).content.decode()
        # Released from the grant agreement, never by hand here.
        assert 'data-testid="release-open"' not in page

    def test_the_plan_list_shows_the_source_instead_of_a_list(self, client):
        w = _world()
        _plan(w)
        client.force_login(w["officer"])
        response = client.get(reverse("cash:plan_list"))
        assert response.status_code == 200
        assert SOURCE in response.content.decode()

    def test_the_api_gives_no_beneficiary_list_and_the_source(self, client):
        w = _world()
        plan = _plan(w)
        client.force_login(w["officer"])
        response = client.get(f"/api/v1/cash/plans/{plan.public_id}/")
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["beneficiary_list"] is None and data["source"] == SOURCE
        assert data["amount_kind"] == "per_household"

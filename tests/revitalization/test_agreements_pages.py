"""The agreement pages: the list (tranches, next visit due, a call's disbursement), an
agreement's page (tranches read from cash, the release button only when the gate is
open, visits), the business plan's table and approval, signing, visits, the visits due
and the panel on the application's page."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from sanad.cash.models import CashPlan, TrancheRelease
from sanad.revitalization.models import BusinessPlan, GrantAgreement, GrantApplication, GrantVisit
from tests.conftest import client_for
from tests.revitalization.factories_agreements import (
    approved_plan,
    disbursed,
    grants_world,
    signed,
    verify,
    write_plan,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"revitalization:{name}", args=args)


def body(response) -> str:
    return response.content.decode()


class TestList:
    def test_the_list_shows_each_agreement_its_tranches_and_overdue_visits(
        self, django_assert_max_num_queries
    ):
        w = grants_world(applications=3)
        old = signed(w, w.applications[0], days_ago=200)
        signed(w, w.applications[1], days_ago=10)
        client = client_for(w.officer)
        with django_assert_max_num_queries(30):
            response = client.get(url("agreement_list"))
        assert response.status_code == 200
        page = body(response)
        assert page.count('data-testid="agreement-row"') == 2
        assert old.number in page and 'data-testid="visit-overdue"' in page
        # The third is selected without a plan: it is listed to prepare.
        assert w.applications[2].reference in page and 'data-testid="to-prepare-row"' in page

    def test_a_calls_page_offers_to_disburse_its_signed_agreements(self):
        w = grants_world(applications=2)
        for application in w.applications:
            signed(w, application)
        client = client_for(w.officer)
        page = body(client.get(url("agreement_list") + f"?call={w.call.public_id}"))
        assert 'data-testid="agreement-disburse"' in page and "2 signed agreements" in page
        response = client.post(url("agreement_disburse", w.call.public_id))
        assert response.status_code == 302
        plan = CashPlan.objects.get()
        assert plan.status == "draft"
        page = body(client.get(response["Location"]))
        assert plan.name in page and 'data-testid="agreement-disburse"' not in page
        # Nothing left: posting again says so.
        response = client.post(url("agreement_disburse", w.call.public_id), follow=True)
        assert "already in a cash plan" in body(response)
        assert CashPlan.objects.count() == 1

    def test_a_viewer_sees_the_list_without_the_disburse_button_and_cannot_post(self):
        w = grants_world(applications=1)
        signed(w, w.applications[0])
        client = client_for(w.viewer)
        page = body(client.get(url("agreement_list") + f"?call={w.call.public_id}"))
        assert 'data-testid="agreement-row"' in page
        assert 'data-testid="agreement-disburse"' not in page
        assert client.post(url("agreement_disburse", w.call.public_id)).status_code == 403
        assert not CashPlan.objects.exists()


class TestAgreementPage:
    def test_the_page_says_what_tranche_1_waits_for(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        page = body(client_for(w.officer).get(url("agreement_detail", agreement.public_id)))
        assert 'data-code="not_in_cash_plan"' in page
        assert 'data-testid="tranche-release"' not in page
        assert page.count('data-testid="visit-row"') == 3

    def test_once_the_cash_plan_is_approved_the_release_button_releases_tranche_1(self):
        w = grants_world(applications=1)
        disbursed(w)
        agreement = GrantAgreement.objects.get()
        client = client_for(w.officer)
        page = body(client.get(url("agreement_detail", agreement.public_id)))
        assert 'data-testid="tranche-release"' in page
        response = client.post(url("agreement_release", agreement.public_id), {"tranche": 1})
        assert response.status_code == 302
        assert TrancheRelease.objects.filter(tranche=1).count() == 1
        page = body(client.get(url("agreement_detail", agreement.public_id)))
        assert 'data-state="released"' in page
        assert 'data-code="verification_missing"' in page
        assert 'data-testid="verification-open"' in page

    def test_a_refused_release_says_what_is_missing(self):
        w = grants_world(applications=1)
        disbursed(w)
        agreement = GrantAgreement.objects.get()
        client = client_for(w.officer)
        client.post(url("agreement_release", agreement.public_id), {"tranche": 1})
        response = client.post(
            url("agreement_release", agreement.public_id), {"tranche": 2}, follow=True
        )
        assert "Record a verification visit of tranche 1 first" in body(response)
        assert not TrancheRelease.objects.filter(tranche=2).exists()

    def test_a_viewer_sees_the_page_without_buttons_and_cannot_release(self):
        w = grants_world(applications=1)
        disbursed(w)
        agreement = GrantAgreement.objects.get()
        client = client_for(w.viewer)
        page = body(client.get(url("agreement_detail", agreement.public_id)))
        assert agreement.number in page and 'data-testid="tranche-release"' not in page
        response = client.post(url("agreement_release", agreement.public_id), {"tranche": 1})
        assert response.status_code == 403
        assert client.get(url("visit_record", agreement.public_id)).status_code == 403


class TestAgreementPdf:
    def test_the_agreement_prints_as_a_pdf_and_the_export_is_logged(self):
        from sanad.core.models import PersonalDataAccess

        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        response = client_for(w.officer).get(url("agreement_pdf", agreement.public_id))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert agreement.number in response["Content-Disposition"]
        assert PersonalDataAccess.objects.filter(action="export", record_count=1).exists()

    def test_it_prints_in_arabic_too(self):
        from django.utils import translation

        from sanad.revitalization.exports_agreements import agreement_pdf

        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        with translation.override("ar"):
            assert agreement_pdf(agreement=agreement).startswith(b"%PDF")


class TestBusinessPlanPage:
    def test_the_plan_is_written_in_its_table_and_approved_by_another_person(self):
        w = grants_world(applications=1)
        application = w.applications[0]
        client = client_for(w.officer)
        page = body(client.get(url("agreement_plan", application.public_id)))
        assert 'data-testid="plan-lines"' in page and "business_plan.js" in page
        data = {
            "summary": "A bakery: an oven and flour.",
            "own_contribution": "200",
            "jobs_expected": "2",
            "revenue_band_expected": "low",
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "40",
            "lines-0-item": "Oven",
            "lines-0-quantity": "1",
            "lines-0-unit_cost": "1800",
            "lines-1-item": "Flour (sacks)",
            "lines-1-quantity": "20",
            "lines-1-unit_cost": "25",
        }
        response = client.post(url("agreement_plan", application.public_id), data)
        assert response.status_code == 302, body(response)
        plan = BusinessPlan.objects.get(application=application)
        assert str(plan.total) == "2300.00" and len(plan.budget_lines) == 2
        page = body(client.get(url("agreement_plan", application.public_id)))
        assert 'data-testid="plan-same-person"' in page and 'data-testid="plan-approve"' not in page
        second = client_for(w.second)
        assert 'data-testid="plan-approve"' in body(
            second.get(url("agreement_plan", application.public_id))
        )
        second.post(url("agreement_plan_approve", application.public_id))
        plan.refresh_from_db()
        assert plan.approved_by == w.second

    def test_a_total_outside_the_calls_range_is_shown_on_the_form(self):
        w = grants_world(applications=1)
        application = w.applications[0]
        response = client_for(w.officer).post(
            url("agreement_plan", application.public_id),
            {
                "summary": "Tools.",
                "jobs_expected": "1",
                "lines-TOTAL_FORMS": "1",
                "lines-INITIAL_FORMS": "0",
                "lines-0-item": "Tools",
                "lines-0-quantity": "1",
                "lines-0-unit_cost": "50",
            },
        )
        assert response.status_code == 400
        assert "from 1,000 to 5,000 USD" in body(response)
        assert not BusinessPlan.objects.exists()

    def test_signing_from_the_page_moves_the_application_to_agreement(self):
        w = grants_world(applications=1)
        application = w.applications[0]
        approved_plan(w, application)
        client = client_for(w.officer)
        assert 'data-testid="agreement-sign-open"' in body(
            client.get(url("agreement_plan", application.public_id))
        )
        response = client.post(
            url("agreement_sign", application.public_id),
            {
                "signed_on": (w.today - datetime.timedelta(days=1)).isoformat(),
                "amount": "",
                "signature": "signed",
                "witness": "",
            },
        )
        assert response.status_code == 302
        agreement = GrantAgreement.objects.get()
        assert response["Location"] == url("agreement_detail", agreement.public_id)
        application.refresh_from_db()
        assert application.status == "agreement" and str(agreement.amount) == "2500.00"
        # The sign page of a signed application goes to its agreement.
        assert client.get(url("agreement_sign", application.public_id))["Location"] == url(
            "agreement_detail", agreement.public_id
        )

    def test_signing_without_an_approved_plan_is_refused_on_the_form(self):
        w = grants_world(applications=1)
        write_plan(w, w.applications[0])
        response = client_for(w.officer).post(
            url("agreement_sign", w.applications[0].public_id),
            {"signed_on": w.today.isoformat(), "signature": "signed"},
        )
        assert response.status_code == 400
        assert "Approve the business plan first" in body(response)


class TestVisitPages:
    def test_a_verification_visit_recorded_on_its_page_opens_the_next_tranche(self):
        w = grants_world(applications=1)
        disbursed(w)
        agreement = GrantAgreement.objects.get()
        client = client_for(w.officer)
        client.post(url("agreement_release", agreement.public_id), {"tranche": 1})
        page = body(client.get(url("visit_record", agreement.public_id) + "?kind=verification"))
        assert 'data-testid="visit-form"' in page
        response = client.post(
            url("visit_record", agreement.public_id),
            {
                "kind": "verification",
                "verifies_tranche": "1",
                "visited_on": w.today.isoformat(),
                "operating": "yes",
                "funds_used_as_planned": "yes",
                "notes": "Oven installed.",
            },
        )
        assert response.status_code == 302, body(response)
        page = body(client.get(url("agreement_detail", agreement.public_id)))
        assert 'data-testid="tranche-release"' in page and "Release tranche 2" in page

    def test_the_12_month_follow_up_completes_the_grant(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        client = client_for(w.officer)
        response = client.post(
            url("visit_record", agreement.public_id),
            {
                "kind": "month_12",
                "visited_on": w.today.isoformat(),
                "operating": "yes",
                "jobs_created": "3",
                "revenue_band": "medium",
            },
            follow=True,
        )
        assert "the grant is completed" in body(response)
        assert GrantApplication.objects.get(pk=w.applications[0].pk).status == "completed"

    def test_a_follow_up_without_its_figures_is_refused_on_the_form(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        response = client_for(w.officer).post(
            url("visit_record", agreement.public_id),
            {"kind": "month_3", "visited_on": w.today.isoformat(), "operating": "no"},
        )
        assert response.status_code == 400
        assert not GrantVisit.objects.filter(visited_on__isnull=False).exists()

    def test_visits_due_highlights_the_overdue_ones_and_the_tranches_to_verify(
        self, django_assert_max_num_queries
    ):
        w = grants_world(applications=2)
        disbursed(w)
        late = GrantAgreement.objects.get(application=w.applications[0])
        GrantVisit.objects.filter(agreement=late, kind="month_3").update(
            due_on=w.today - datetime.timedelta(days=5)
        )
        other = GrantAgreement.objects.get(application=w.applications[1])
        client = client_for(w.officer)
        client.post(url("agreement_release", other.public_id), {"tranche": 1})
        with django_assert_max_num_queries(30):
            response = client.get(url("visit_due_list"))
        page = body(response)
        assert 'data-overdue="1"' in page and late.number in page
        assert page.count('data-testid="verification-due-row"') == 1 and other.number in page
        verify(w, other, 1)
        page = body(client.get(url("visit_due_list")))
        assert 'data-testid="verification-due-row"' not in page


class TestApplicationPanel:
    def _render(self, user, application) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "revitalization/agreements/_application_panel.html",
            {"application": application},
            request=request,
        )

    def test_a_selected_application_shows_its_plan_and_the_way_to_sign(self):
        w = grants_world(applications=1)
        application = w.applications[0]
        html = self._render(w.officer, application)
        assert "Not written" in html and "Write the business plan" in html
        approved_plan(w, application)
        html = self._render(w.officer, application)
        assert 'data-testid="panel-sign-link"' in html
        assert 'data-testid="panel-sign-link"' not in self._render(w.viewer, application)

    def test_a_signed_application_links_its_agreement_and_says_what_the_tranche_waits_for(self):
        w = grants_world(applications=1)
        agreement = signed(w, w.applications[0])
        application = GrantApplication.objects.get(pk=w.applications[0].pk)
        html = self._render(w.officer, application)
        assert agreement.number in html and "Put the agreement in a cash plan first" in html

    def test_an_application_that_was_not_selected_shows_nothing(self):
        w = grants_world(applications=0)
        from tests.revitalization.factories_agreements import selected_application

        application = selected_application(w.call, status="rejected")
        assert 'data-testid="agreement-panel"' not in self._render(w.officer, application)


def test_the_application_page_includes_the_agreement_panel():
    w = grants_world(applications=1)
    agreement = signed(w, w.applications[0])
    response = client_for(w.officer).get(url("application_detail", w.applications[0].public_id))
    assert response.status_code == 200
    page = body(response)
    assert 'data-testid="agreement-panel"' in page and agreement.number in page

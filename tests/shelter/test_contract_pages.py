"""The contractors, tenders and contracts pages as a programme officer uses them: register
a contractor, put a lot of houses to tender, record and score bids, award the
recommended bid, set the payment milestones, sign, certify a late milestone and record
its payment; the lists with their filters, in a bounded number of queries; and what
other people get (403 without the permission, 404 out of their area)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from sanad.shelter.models import Contract, ContractMilestone, Contractor, RehabCase, Tender
from sanad.shelter.services import contracts as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user, subdistrict_in
from tests.shelter.contracts_factories import (
    FORTY_SIXTY,
    direct_contract,
    evaluated_tender,
    make_case,
    make_contractor,
    make_tender,
    officer,
    shelter_project,
)

pytestmark = pytest.mark.django_db
FEB = datetime.date(2026, 2, 1)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def user():
    return officer()


@pytest.fixture
def project():
    return shelter_project(code="SHL-T-01")


def url(name, *args):
    return reverse(f"shelter:{name}", args=args)


def test_registering_and_suspending_a_contractor(user):
    client = client_for(user)
    duhok = subdistrict_in(DUHOK).governorate
    response = client.post(
        url("contractor_create"),
        {
            "name": "Nineveh Reconstruction Co.",
            "phone": "0770 000 1111",
            "governorates": [duhok.pk],
        },
    )
    contractor = Contractor.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("contractor_detail", contractor.public_id)
    assert list(contractor.governorates.all()) == [duhok]
    page = client.get(url("contractor_detail", contractor.public_id))
    assert b"Nineveh Reconstruction Co." in page.content and b"contractor-suspend" in page.content
    client.post(url("contractor_action", contractor.public_id, "suspend"), {"reason": ""})
    contractor.refresh_from_db()
    assert contractor.status == "active"
    client.post(
        url("contractor_action", contractor.public_id, "suspend"), {"reason": "Unpaid workers"}
    )
    contractor.refresh_from_db()
    assert contractor.status == "suspended"
    page = client.get(url("contractor_detail", contractor.public_id))
    assert b"Unpaid workers" in page.content and b"contractor-reinstate" in page.content


def test_a_duplicate_contractor_name_is_shown_beside_the_field(user):
    make_contractor("Zakho Builders")
    response = client_for(user).post(url("contractor_create"), {"name": "Zakho Builders"})
    assert response.status_code == 400
    assert b"already registered" in response.content


def test_from_a_lot_of_houses_to_a_signed_contract_through_the_pages(user, project):
    houses = [make_case(project=project, budget="6000") for _ in range(3)]
    make_case(project=project, modality=RehabCase.Modality.CASH)  # not for a contractor
    fair, dear = make_contractor("Fair Builders"), make_contractor("Dear Builders")
    client = client_for(user)
    duhok = houses[0].governorate
    # Step 1: choose the project and governorate: the waiting houses are listed.
    page = client.get(
        url("tender_create"), {"project": str(project.public_id), "governorate": duhok.pcode}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert all(h.reference in body for h in houses)
    assert body.count('name="cases"') == 3
    response = client.post(
        url("tender_create"),
        {
            "project": str(project.public_id),
            "governorate": duhok.pcode,
            "title": "Lot 1 — Sinjar centre",
            "currency": "USD",
            "cases": [h.pk for h in houses],
        },
    )
    tender = Tender.objects.get()
    assert response.status_code == 302 and tender.estimate == Decimal("18000.00")
    client.post(url("tender_action", tender.public_id, "open"))
    for contractor, amount, score in ((fair, "16500", "78"), (dear, "17900", "90")):
        r = client.post(
            url("tender_action", tender.public_id, "bid"),
            {
                "bid-contractor": str(contractor.public_id),
                "bid-amount": amount,
                "bid-duration_days": "120",
                "bid-technical_score": score,
            },
        )
        assert r.status_code == 302
    client.post(url("tender_action", tender.public_id, "evaluate"))
    page = client.get(url("tender_detail", tender.public_id))
    body = page.content.decode()
    assert "bid-recommended" in body and "award-form" in body
    assert "at least 70" in body
    # Choosing the dearer bid without a reason is refused beside the reason.
    dear_bid = tender.bids.get(contractor=dear)
    r = client.post(
        url("tender_action", tender.public_id, "award"),
        {
            "award-bid": str(dear_bid.public_id),
            "award-retention_percent": "10",
            "award-penalty_per_day_percent": "0.1",
            "award-penalty_cap_percent": "10",
            "award-defects_liability_days": "365",
        },
    )
    assert r.status_code == 400 and b"say why" in r.content
    r = client.post(
        url("tender_action", tender.public_id, "award"),
        {
            "award-bid": str(tender.bids.get(contractor=fair).public_id),
            "award-start_on": "2026-02-01",
            "award-retention_percent": "10",
            "award-penalty_per_day_percent": "0.1",
            "award-penalty_cap_percent": "10",
            "award-defects_liability_days": "365",
        },
    )
    contract = Contract.objects.get()
    assert r.status_code == 302 and r["Location"] == url("contract_detail", contract.public_id)
    assert contract.value == Decimal("16500.00") and contract.contractor == fair
    assert RehabCase.objects.filter(contract=contract).count() == 3
    # Milestones, then sign.
    r = client.post(
        url("contract_milestones", contract.public_id),
        {
            "m-TOTAL_FORMS": "3",
            "m-INITIAL_FORMS": "0",
            "m-0-name": "Structural works",
            "m-0-percent": "40",
            "m-0-due_on": "2026-03-01",
            "m-1-name": "Completion",
            "m-1-percent": "60",
            "m-1-due_on": "2026-04-01",
        },
    )
    assert r.status_code == 302
    assert list(contract.milestones.values_list("percent", flat=True)) == [40, 60]
    r = client.post(
        url("contract_action", contract.public_id, "sign"), {"sign-signed_on": "2026-02-01"}
    )
    contract.refresh_from_db()
    assert contract.status == "active" and contract.signed_on == FEB
    # Certify the first milestone 12 days late, then record its payment.
    r = client.post(
        url("milestone_action", contract.public_id, 1, "certify"),
        {"certify-completed_on": "2026-03-13"},
    )
    first = contract.milestones.get(sequence=1)
    assert r.status_code == 302 and first.status == "certified"
    assert (first.gross, first.retention, first.penalty, first.net) == (
        Decimal("6600.00"),
        Decimal("660.00"),
        Decimal("79.20"),
        Decimal("5860.80"),
    )
    client.post(
        url("milestone_action", contract.public_id, 1, "pay"),
        {"pay1-paid_on": "2026-03-20", "pay1-reference": "TRF-0042"},
    )
    first.refresh_from_db()
    assert first.status == ContractMilestone.Status.PAID
    page = client.get(url("contract_detail", contract.public_id))
    body = page.content.decode()
    assert "5,860.80" in body and "TRF-0042" in body and "79.20" in body
    assert "12 days late" in body
    assert all(h.reference in body for h in houses)


def test_a_direct_award_from_the_page_needs_a_reason(user, project):
    house = make_case(project=project)
    contractor = make_contractor()
    client = client_for(user)
    data = {
        "project": str(project.public_id),
        "governorate": house.governorate.pcode,
        "contractor": str(contractor.public_id),
        "value": "7000",
        "currency": "USD",
        "retention_percent": "10",
        "penalty_per_day_percent": "0.1",
        "penalty_cap_percent": "10",
        "defects_liability_days": "180",
        "cases": [house.pk],
    }
    r = client.post(url("contract_create"), data)
    assert r.status_code == 400 and not Contract.objects.exists()
    r = client.post(url("contract_create"), {**data, "reason": "Only contractor in the area"})
    contract = Contract.objects.get()
    assert r.status_code == 302 and contract.defects_liability_days == 180
    house.refresh_from_db()
    assert house.contract == contract


def test_signing_with_milestones_short_of_100_percent_says_so(user, project):
    contract = direct_contract(
        user, project, milestones=[("Structural", "40", datetime.date(2026, 3, 1))]
    )
    client = client_for(user)
    r = client.post(
        url("contract_action", contract.public_id, "sign"),
        {"sign-signed_on": "2026-02-01"},
        follow=True,
    )
    assert b"add up to 40 %" in r.content
    contract.refresh_from_db()
    assert contract.status == "draft"


def test_the_lists_filter_and_stay_within_a_few_queries(
    user, project, django_assert_max_num_queries
):
    houses = [make_case(project=project) for _ in range(4)]
    for i in range(3):
        direct_contract(user, project, cases=[houses[i]], milestones=FORTY_SIXTY, sign_on=FEB)
    on_time = direct_contract(
        user, project, milestones=[("All", "100", datetime.date(2027, 6, 1))], sign_on=FEB
    )
    make_tender(user, project, [houses[3]])
    client = client_for(user)
    for name in ("contract_list", "tender_list", "contractor_list"):
        client.get(url(name))  # warm the session and caches
        with django_assert_max_num_queries(14):
            assert client.get(url(name)).status_code == 200
    page = client.get(url("contract_list"), {"delayed": "1"})
    assert page.context["total_count"] == 3
    assert on_time.reference not in page.content.decode()
    page = client.get(url("contract_list"), {"project": str(project.public_id), "status": "active"})
    assert page.context["total_count"] == 4
    page = client.get(url("tender_list"), {"governorate": ERBIL})
    assert page.context["total_count"] == 0


def test_pages_of_records_outside_the_users_area_are_not_found(project):
    erbil_officer = officer(governorates=(ERBIL,))
    duhok_officer = officer()
    contract = direct_contract(duhok_officer, project, milestones=FORTY_SIXTY)
    tender = make_tender(duhok_officer, project, [make_case(project=project)])
    client = client_for(erbil_officer)
    for name, obj in (("contract_detail", contract), ("tender_detail", tender)):
        assert client.get(url(name, obj.public_id)).status_code == 404
    assert client.post(url("tender_action", tender.public_id, "open")).status_code == 404
    r = client.post(
        url("contract_action", contract.public_id, "terminate"), {"terminate-reason": "x"}
    )
    assert r.status_code == 404
    contract.refresh_from_db()
    assert contract.status == "draft"
    assert contract.reference not in client.get(url("contract_list")).content.decode()


def test_an_engineer_sees_contracts_but_cannot_change_them(project, user):
    contract = direct_contract(user, project, milestones=FORTY_SIXTY)
    engineer = make_user("shelter_engineer", governorates=(DUHOK,))
    client = client_for(engineer)
    page = client.get(url("contract_detail", contract.public_id))
    assert page.status_code == 200 and b"sign-form" not in page.content
    assert client.get(url("contract_create")).status_code == 403
    assert client.get(url("contract_milestones", contract.public_id)).status_code == 403
    assert (
        client.post(
            url("contract_action", contract.public_id, "sign"), {"sign-signed_on": "2026-02-01"}
        ).status_code
        == 403
    )


def test_the_api_lists_contractors_and_contracts_in_scope(user, project):
    contract = direct_contract(user, project, milestones=FORTY_SIXTY, sign_on=FEB)
    erbil = direct_contract(officer(governorates=(ERBIL,)), project, governorate=ERBIL)
    api = api_client_for(user)
    body = api.get("/api/v1/shelter/contracts/").json()
    refs = [row["reference"] for row in body["results"]]
    assert refs == [contract.reference] and erbil.reference not in refs
    detail = api.get(f"/api/v1/shelter/contracts/{contract.public_id}/").json()
    assert [m["percent"] for m in detail["milestones"]] == ["40.00", "60.00"]
    assert api.get(f"/api/v1/shelter/contracts/{erbil.public_id}/").status_code == 404
    names = [row["name"] for row in api.get("/api/v1/shelter/contractors/").json()["results"]]
    assert contract.contractor.name in names


def test_the_award_page_explains_when_no_bid_passes(user, project):
    tender = evaluated_tender(
        user, project, [make_case(project=project)], [(make_contractor(), "5000", "50")]
    )
    page = client_for(user).get(url("tender_detail", tender.public_id))
    assert b"No bid reaches the technical pass mark" in page.content
    with pytest.raises(Exception):  # noqa: B017
        services.tender_award(user=user, tender=tender, bid=tender.bids.get())


def test_editing_a_draft_contracts_terms_and_houses(user, project):
    first, second = make_case(project=project), make_case(project=project)
    contract = direct_contract(user, project, cases=[first])
    client = client_for(user)
    page = client.get(url("contract_edit", contract.public_id))
    assert page.status_code == 200 and second.reference in page.content.decode()
    r = client.post(
        url("contract_edit", contract.public_id),
        {
            "value": "120000",
            "retention_percent": "5",
            "penalty_per_day_percent": "0.05",
            "penalty_cap_percent": "8",
            "defects_liability_days": "200",
            "cases": [second.pk],
        },
    )
    assert r.status_code == 302
    contract.refresh_from_db()
    assert (contract.value, contract.retention_percent) == (Decimal("120000.00"), Decimal("5"))
    assert list(RehabCase.objects.filter(contract=contract)) == [second]


def test_editing_a_draft_tenders_lot_recomputes_the_estimate(user, project):
    houses = [make_case(project=project, budget="1000") for _ in range(3)]
    tender = make_tender(user, project, houses[:1])
    r = client_for(user).post(
        url("tender_edit", tender.public_id),
        {"title": "Lot 1 bis", "cases": [h.pk for h in houses]},
    )
    assert r.status_code == 302
    tender.refresh_from_db()
    assert (tender.title, tender.estimate, tender.cases.count()) == (
        "Lot 1 bis",
        Decimal("3000.00"),
        3,
    )

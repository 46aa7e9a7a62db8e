"""Contractors, tenders and contracts through the services: a lot of houses put to
tender, bids recorded and scored, the award (the recommended bid, or another with a
reason) making a contract that covers the houses, direct awards, milestones that must
add up to 100 % before signing, practical completion, the retention released after the
defects-liability period, termination, and who may do each of these."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.shelter.models import (
    Bid,
    Contract,
    ContractMilestone,
    Contractor,
    Defect,
    RehabCase,
    Tender,
)
from sanad.shelter.selectors import contracts as selectors
from sanad.shelter.services import contracts as services
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
D = Decimal
FEB = datetime.date(2026, 2, 1)


@pytest.fixture
def user():
    return officer()


@pytest.fixture
def project():
    return shelter_project()


@pytest.fixture
def houses(project):
    return [make_case(project=project, budget=b) for b in ("4200.50", "5100.00", "3699.50")]


# --- contractors ------------------------------------------------------------------------


def test_registering_a_contractor_refuses_a_second_one_with_the_same_name(user):
    duhok = subdistrict_in(DUHOK).governorate
    c = services.contractor_create(
        user=user,
        data={"name": "Zakho Builders", "phone": "0750 123 4567", "governorates": [duhok]},
    )
    assert list(c.governorates.all()) == [duhok]
    with pytest.raises(ValidationFailed) as exc:
        services.contractor_create(user=user, data={"name": "zakho builders"})
    assert exc.value.code == "contractor_exists"


def test_suspending_a_contractor_needs_a_reason_and_blocks_its_bids(user, project, houses):
    c = make_contractor()
    with pytest.raises(ValidationFailed):
        services.contractor_suspend(user=user, contractor=c, reason=" ")
    services.contractor_suspend(user=user, contractor=c, reason="Late on two contracts")
    tender = make_tender(user, project, houses)
    services.tender_open(user=user, tender=tender)
    with pytest.raises(ValidationFailed) as exc:
        services.bid_record(user=user, tender=tender, data={"contractor": c, "amount": "100"})
    assert exc.value.code == "contractor_not_active"
    services.contractor_reinstate(user=user, contractor=c)
    assert services.bid_record(user=user, tender=tender, data={"contractor": c, "amount": "100"})


def test_an_excluded_contractor_stays_excluded(user):
    c = make_contractor()
    services.contractor_exclude(user=user, contractor=c, reason="Fraudulent invoices")
    with pytest.raises(Conflict):
        services.contractor_reinstate(user=user, contractor=c)


# --- tenders ----------------------------------------------------------------------------


def test_a_tender_estimate_is_the_sum_of_the_houses_budgets(user, project, houses):
    tender = make_tender(user, project, houses)
    assert tender.reference.startswith(f"ST-{datetime.date.today().year}-")
    assert tender.estimate == D("13000.00")
    assert tender.status == Tender.Status.DRAFT
    assert set(tender.cases.all()) == set(houses)


def test_a_lot_takes_only_unfinished_contractor_houses_of_the_project_and_governorate(
    user, project
):
    good = make_case(project=project)
    # Left unfinished by a terminated contractor: may go to a new contractor.
    resumed = make_case(project=project, status=RehabCase.Status.IN_PROGRESS)
    cash = make_case(project=project, modality=RehabCase.Modality.CASH)
    finished = make_case(project=project, status=RehabCase.Status.COMPLETED)
    other_project = make_case(project=shelter_project())
    for bad, code in (
        (cash, "case_not_eligible"),
        (finished, "case_not_eligible"),
        (other_project, "case_not_eligible"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            make_tender(user, project, [good, bad])
        assert exc.value.code == code
    with pytest.raises(ValidationFailed) as exc:
        make_tender(user, project, [])
    assert exc.value.code == "lot_empty"
    assert not Tender.objects.exists()
    assert set(make_tender(user, project, [good, resumed]).cases.all()) == {good, resumed}


def test_a_house_is_in_one_live_tender_at_a_time(user, project, houses):
    first = make_tender(user, project, houses[:2])
    with pytest.raises(ValidationFailed) as exc:
        make_tender(user, project, houses[1:])
    assert "already in another tender" in exc.value.message
    assert list(
        selectors.eligible_cases(
            user=user,
            project=project,
            governorate=first.governorate,
            permission="shelter.manage_contract",
        )
    ) == [houses[2]]
    services.tender_cancel(user=user, tender=first, reason="Scope changed")
    assert make_tender(user, project, houses[1:]).estimate == D("8799.50")


def test_a_house_outside_the_officers_area_cannot_join_a_lot(project):
    erbil_house = make_case(project=project, governorate=ERBIL)
    duhok_officer = officer()
    with pytest.raises(ValidationFailed) as exc:
        make_tender(duhok_officer, project, [erbil_house], governorate=ERBIL)
    assert exc.value.code == "out_of_scope"


def test_bids_are_recorded_only_while_the_tender_is_open_and_once_per_contractor(
    user, project, houses
):
    tender = make_tender(user, project, houses)
    builder = make_contractor()
    with pytest.raises(Conflict):
        services.bid_record(user=user, tender=tender, data={"contractor": builder, "amount": "9"})
    services.tender_open(user=user, tender=tender)
    services.bid_record(user=user, tender=tender, data={"contractor": builder, "amount": "12000"})
    with pytest.raises(ValidationFailed) as exc:
        services.bid_record(user=user, tender=tender, data={"contractor": builder, "amount": "1"})
    assert exc.value.code == "bid_exists"


def test_the_evaluation_needs_a_technical_score_on_every_bid(user, project, houses):
    tender = make_tender(user, project, houses)
    services.tender_open(user=user, tender=tender)
    bid = services.bid_record(
        user=user, tender=tender, data={"contractor": make_contractor(), "amount": "12000"}
    )
    with pytest.raises(Conflict) as exc:
        services.tender_evaluate(user=user, tender=tender)
    assert exc.value.code == "bid_unscored"
    services.bid_update(user=user, bid=bid, data={"amount": "12000", "technical_score": "81"})
    assert services.tender_evaluate(user=user, tender=tender).status == "evaluated"


def test_the_recommended_bid_is_the_cheapest_with_a_technical_score_of_at_least_70(
    user, project, houses
):
    cheap_weak, fair, dear = (
        make_contractor("Cheap"),
        make_contractor("Fair"),
        make_contractor("Dear"),
    )
    tender = evaluated_tender(
        user,
        project,
        houses,
        [(cheap_weak, "9000", "65"), (fair, "11800", "70"), (dear, "12500", "92")],
    )
    bids = selectors.tender_bids(tender)
    assert [b.contractor.name for b in bids if b.recommended] == ["Fair"]
    assert [b.passes for b in bids] == [False, True, True]


def test_awarding_the_recommended_bid_makes_a_contract_covering_the_houses(user, project, houses):
    fair, dear = make_contractor("Fair"), make_contractor("Dear")
    tender = evaluated_tender(user, project, houses, [(fair, "11800", "75"), (dear, "12500", "92")])
    contract = services.tender_award(
        user=user,
        tender=tender,
        bid=tender.bids.get(contractor=fair),
        data={"start_on": datetime.date(2026, 3, 1)},
    )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert contract.reference.startswith("SW-") and contract.status == Contract.Status.DRAFT
    assert (contract.value, contract.contractor, contract.tender) == (D("11800.00"), fair, tender)
    assert contract.end_on == datetime.date(2026, 5, 30)  # start + 90 days offered
    assert set(RehabCase.objects.filter(contract=contract)) == set(houses)
    assert Bid.objects.get(tender=tender, awarded=True).contractor == fair


def test_awarding_another_bid_needs_a_reason_which_is_kept(user, project, houses):
    fair, dear = make_contractor("Fair"), make_contractor("Dear")
    tender = evaluated_tender(user, project, houses, [(fair, "11800", "75"), (dear, "12500", "92")])
    with pytest.raises(ValidationFailed) as exc:
        services.tender_award(user=user, tender=tender, bid=tender.bids.get(contractor=dear))
    assert exc.value.code == "reason_required"
    assert not Contract.objects.exists()
    services.tender_award(
        user=user,
        tender=tender,
        bid=tender.bids.get(contractor=dear),
        reason="Fair has two delayed contracts in Duhok",
    )
    last = Tender.STATUS_MACHINE.history(tender).last()
    assert last.to_state == "awarded" and "two delayed contracts" in last.reason


def test_an_award_is_all_or_nothing(user, project, houses):
    fair = make_contractor("Fair")
    tender = evaluated_tender(user, project, houses, [(fair, "11800", "75")])
    # Meanwhile one house was finished by another route.
    RehabCase.objects.filter(pk=houses[0].pk).update(status=RehabCase.Status.COMPLETED)
    with pytest.raises(ValidationFailed):
        services.tender_award(user=user, tender=tender, bid=tender.bids.get())
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATED
    assert not Contract.objects.exists()
    assert not RehabCase.objects.filter(contract__isnull=False).exists()
    assert not Bid.objects.filter(awarded=True).exists()


# --- contracts --------------------------------------------------------------------------


def test_a_direct_award_needs_a_reason_kept_in_the_history(user, project, houses):
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create(
            user=user,
            data={
                "contractor": make_contractor(),
                "project": project,
                "governorate": houses[0].governorate,
                "value": "5000",
            },
            cases=houses,
            reason="",
        )
    assert exc.value.code == "reason_required"
    contract = direct_contract(user, project, cases=houses, value="13000")
    first = Contract.STATUS_MACHINE.history(contract).first()
    assert first.to_state == "draft" and "Emergency repairs" in first.reason
    assert RehabCase.objects.filter(contract=contract).count() == 3


def test_signing_needs_milestones_adding_up_to_100_percent(user, project, houses):
    contract = direct_contract(
        user,
        project,
        cases=houses,
        end_on=datetime.date(2026, 6, 30),
        milestones=[("Structural works", "40", datetime.date(2026, 3, 1))],
    )
    with pytest.raises(Conflict) as exc:
        services.contract_sign(user=user, contract=contract, signed_on=FEB)
    assert exc.value.code == "milestones_not_100" and "40" in exc.value.message
    services.milestones_set(
        user=user,
        contract=contract,
        milestones=[{"name": n, "percent": p, "due_on": d} for n, p, d in FORTY_SIXTY],
    )
    services.contract_sign(user=user, contract=contract, signed_on=FEB)
    contract.refresh_from_db()
    assert (contract.status, contract.signed_on, contract.start_on) == ("active", FEB, FEB)
    assert set(
        RehabCase.objects.filter(contract=contract).values_list("planned_end", flat=True)
    ) == {datetime.date(2026, 6, 30)}
    # The works on its houses start with the contract.
    assert set(RehabCase.objects.filter(contract=contract).values_list("status", "started_on")) == {
        ("in_progress", FEB)
    }
    with pytest.raises(Conflict):
        services.milestones_set(user=user, contract=contract, milestones=[])


def test_milestones_out_of_date_order_are_refused(user, project):
    contract = direct_contract(user, project)
    with pytest.raises(ValidationFailed) as exc:
        services.milestones_set(
            user=user,
            contract=contract,
            milestones=[
                {"name": "B", "percent": "50", "due_on": datetime.date(2026, 5, 1)},
                {"name": "A", "percent": "50", "due_on": datetime.date(2026, 3, 1)},
            ],
        )
    assert exc.value.code == "milestones_out_of_order"


def test_the_contract_completes_when_milestones_are_certified_and_houses_finished(
    user, project, houses
):
    contract = direct_contract(user, project, cases=houses, milestones=FORTY_SIXTY, sign_on=FEB)
    for m in contract.milestones.order_by("sequence"):
        services.milestone_certify(user=user, milestone=m, completed_on=m.due_on)
    contract.refresh_from_db()
    assert contract.status == "active"
    with pytest.raises(Conflict) as exc:
        services.contract_complete(user=user, contract=contract)
    assert "3 house(s) not completed" in exc.value.message
    RehabCase.objects.filter(contract=contract).update(
        status=RehabCase.Status.COMPLETED, completed_on=datetime.date(2026, 4, 20)
    )
    services.contract_complete(user=user, contract=contract)
    contract.refresh_from_db()
    assert (contract.status, contract.completed_on) == ("completed", datetime.date(2026, 4, 20))


def test_the_retention_waits_for_the_liability_period_and_the_defects(user, project, houses):
    contract = direct_contract(
        user, project, cases=houses, milestones=FORTY_SIXTY, sign_on=FEB, defects_liability_days=30
    )
    RehabCase.objects.filter(contract=contract).update(
        status=RehabCase.Status.HANDED_OVER, completed_on=datetime.date(2026, 3, 20)
    )
    for m in contract.milestones.order_by("sequence"):
        services.milestone_certify(user=user, milestone=m, completed_on=m.due_on)
    contract.refresh_from_db()
    assert contract.status == "completed" and contract.completed_on == datetime.date(2026, 4, 1)
    with pytest.raises(Conflict) as exc:
        services.contract_release_retention(
            user=user, contract=contract, released_on=datetime.date(2026, 4, 30)
        )
    assert exc.value.code == "liability_period_running" and "2026-05-01" in exc.value.message
    defect = Defect.objects.create(
        case=houses[0], component="roof", description="Leak", reported_on=datetime.date(2026, 4, 5)
    )
    with pytest.raises(Conflict) as exc:
        services.contract_release_retention(
            user=user, contract=contract, released_on=datetime.date(2026, 5, 1)
        )
    assert exc.value.code == "defects_open"
    Defect.objects.filter(pk=defect.pk).update(status=Defect.Status.VERIFIED)
    services.contract_release_retention(
        user=user, contract=contract, released_on=datetime.date(2026, 5, 1)
    )
    contract.refresh_from_db()
    assert contract.status == "closed"
    assert contract.retention_released == D("10000.00")  # 10 % of 100,000
    assert contract.retention_released_on == datetime.date(2026, 5, 1)


def test_recording_a_payment_needs_a_certified_milestone_and_a_reference(user, project):
    contract = direct_contract(user, project, milestones=FORTY_SIXTY, sign_on=FEB)
    first = contract.milestones.get(sequence=1)
    with pytest.raises(Conflict):
        services.milestone_record_payment(
            user=user, milestone=first, paid_on=datetime.date(2026, 3, 5), reference="TRF-1"
        )
    services.milestone_certify(user=user, milestone=first, completed_on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        services.milestone_record_payment(
            user=user, milestone=first, paid_on=datetime.date(2026, 3, 5), reference=""
        )
    paid = services.milestone_record_payment(
        user=user, milestone=first, paid_on=datetime.date(2026, 3, 5), reference="TRF-1"
    )
    assert (paid.status, paid.payment_reference) == (ContractMilestone.Status.PAID, "TRF-1")
    totals = selectors.contract_totals(contract, selectors.contract_milestones(contract))
    assert totals["certified"] == D("40000.00") and totals["paid"] == D("36000.00")
    assert totals["retained"] == D("4000.00") and totals["remaining"] == D("60000.00")


def test_terminating_releases_the_unfinished_houses_for_a_new_lot(user, project, houses):
    contract = direct_contract(user, project, cases=houses, milestones=FORTY_SIXTY, sign_on=FEB)
    RehabCase.objects.filter(pk=houses[0].pk).update(status=RehabCase.Status.COMPLETED)
    with pytest.raises(ValidationFailed):
        services.contract_terminate(user=user, contract=contract, reason="")
    _, released = services.contract_terminate(
        user=user, contract=contract, reason="Contractor abandoned the site"
    )
    assert released == 2
    assert list(RehabCase.objects.filter(contract=contract)) == [houses[0]]
    assert make_tender(user, project, [houses[2]]).estimate == D("3699.50")


def test_a_contract_past_its_milestone_date_is_delayed(user, project):
    late = direct_contract(user, project, milestones=FORTY_SIXTY, sign_on=FEB)
    on_time = direct_contract(
        user,
        project,
        milestones=[("All", "100", datetime.date(2027, 1, 1))],
        sign_on=FEB,
    )
    delayed = set(Contract.objects.filter(selectors.delayed_q()))
    assert late in delayed and on_time not in delayed
    rows = {c.pk: c.is_delayed for c in selectors.contracts_for(user)}
    assert rows == {late.pk: True, on_time.pk: False}


def test_who_may_manage_contracts(user, project):
    contract = direct_contract(user, project)
    engineer = make_user("shelter_engineer", governorates=(DUHOK,))
    with pytest.raises(PermissionDenied):
        services.contract_update(user=engineer, contract=contract, data={})
    erbil_officer = officer(governorates=(ERBIL,))
    with pytest.raises(NotFound):
        services.contract_update(user=erbil_officer, contract=contract, data={})
    with pytest.raises(NotFound):
        selectors.contract_get(user=erbil_officer, public_id=contract.public_id)
    nfi_officer = officer(programmes=("NFI",))
    with pytest.raises(NotFound):
        services.contract_sign(user=nfi_officer, contract=contract, signed_on=FEB)
    assert Contractor.objects.count() == 1
    assert selectors.contractor_get(user=engineer, public_id=contract.contractor.public_id)


def test_the_demo_tenders_the_contractor_houses_and_signs_the_contracts():
    from sanad.shelter import demo_contracts
    from tests.factories import NINEWA

    shelter_officer = officer(governorates=(NINEWA, DUHOK), programmes=("SHELTER",))
    project = shelter_project(code=demo_contracts.PROJECT)
    shelter_project(code=demo_contracts.CAMPS_PROJECT)
    houses = [make_case(project=project, governorate=NINEWA, budget="6400") for _ in range(3)]
    today = datetime.date(2026, 6, 30)
    made = demo_contracts.seed(
        users={"admin": shelter_officer, "shelter.officer": shelter_officer},
        today=today,
        contractor_cases=houses,
    )
    assert len(made["contractors"]) == 4 and len(made["tenders"]) == 1
    tender_contract, camp_contract = made["contracts"]
    assert tender_contract.contractor.name == "Al-Rafidain Construction Co."  # not the cheapest
    assert tender_contract.status == "active" and camp_contract.status == "active"
    assert RehabCase.objects.filter(contract=tender_contract).count() == 3
    first = tender_contract.milestones.get(sequence=1)
    assert first.status == "paid" and first.days_late == 5 and first.penalty > 0
    assert Contractor.objects.filter(status="suspended").count() == 1


def test_the_last_house_completed_completes_a_fully_certified_contract(user, project, houses):
    contract = direct_contract(user, project, cases=houses, milestones=FORTY_SIXTY, sign_on=FEB)
    for m in contract.milestones.order_by("sequence"):
        services.milestone_certify(user=user, milestone=m, completed_on=m.due_on)
    assert not services.contract_check_completion(user=user, contract=contract)
    RehabCase.objects.filter(contract=contract).update(
        status=RehabCase.Status.COMPLETED, completed_on=datetime.date(2026, 5, 2)
    )
    assert services.contract_check_completion(user=user, contract=contract)
    contract.refresh_from_db()
    assert (contract.status, contract.completed_on) == ("completed", datetime.date(2026, 5, 2))

"""The money of a works contract: what a certified milestone is worth (gross share,
retention, penalty for each day late within the contract's cap, payable net), rounded
to the cent, and the retention released at the end."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import Conflict
from sanad.shelter.models import ContractMilestone
from sanad.shelter.services import contracts as services
from sanad.shelter.services.contracts import milestone_amounts
from tests.shelter.contracts_factories import direct_contract, officer, shelter_project

D = Decimal


def amounts(**kw):
    base = {
        "value": D("100000"),
        "percent": D("40"),
        "retention_percent": D("10"),
        "penalty_per_day_percent": D("0.1"),
        "penalty_cap_percent": D("10"),
        "days_late": 0,
        "penalties_so_far": D("0"),
    }
    return milestone_amounts(**{**base, **kw})


def test_a_40_percent_milestone_on_100000_keeps_10_percent_retention():
    a = amounts()
    assert a.gross == D("40000.00")
    assert a.retention == D("4000.00")
    assert a.penalty == D("0.00")
    assert a.net == D("36000.00")


def test_twelve_days_late_at_a_tenth_of_a_percent_a_day_costs_480():
    a = amounts(days_late=12)
    assert a.penalty == D("480.00")  # 40,000 × 0.1 % × 12
    assert a.net == D("35520.00")  # 40,000 − 4,000 − 480


def test_the_penalty_takes_only_what_is_left_of_the_contract_cap():
    # Cap: 10 % of 100,000 = 10,000; 9,800 already deducted on earlier milestones.
    a = amounts(days_late=300, penalties_so_far=D("9800"))
    assert a.penalty_uncapped == D("12000.00")
    assert a.penalty == D("200.00")
    assert amounts(days_late=300, penalties_so_far=D("10000")).penalty == D("0.00")


def test_amounts_are_rounded_half_up_to_the_cent():
    a = amounts(
        value=D("33333.33"),
        percent=D("33.33"),
        retention_percent=D("7.5"),
        days_late=1,
        penalty_per_day_percent=D("0.125"),
    )
    # 33,333.33 × 33.33 % = 11,109.9988889 → 11,110.00
    assert a.gross == D("11110.00")
    # 11,110.00 × 7.5 % = 833.25
    assert a.retention == D("833.25")
    # 11,110.00 × 0.125 % = 13.8875 → 13.89
    assert a.penalty == D("13.89")
    assert a.net == D("10262.86")
    assert amounts(value=D("1000.005"), percent=D("100"), retention_percent=0).gross == D("1000.01")


def test_the_net_is_never_negative():
    a = amounts(
        retention_percent=D("50"),
        penalty_per_day_percent=D("10"),
        days_late=4,
        penalty_cap_percent=D("100"),
    )
    assert (a.retention, a.penalty, a.net) == (D("20000.00"), D("16000.00"), D("4000.00"))
    b = amounts(
        retention_percent=D("50"),
        penalty_per_day_percent=D("10"),
        days_late=6,
        penalty_cap_percent=D("100"),
    )
    assert (b.retention, b.penalty, b.net) == (D("20000.00"), D("24000.00"), D("0.00"))


def test_no_penalty_when_completed_on_or_before_the_due_date():
    assert amounts(days_late=0).penalty == D("0.00")
    assert amounts(days_late=-5).penalty == D("0.00")


@pytest.mark.django_db
class TestCertifying:
    @pytest.fixture
    def user(self):
        return officer()

    @pytest.fixture
    def contract(self, user):
        return direct_contract(
            user,
            shelter_project(),
            value="100000",
            milestones=[
                ("Structural works", "40", datetime.date(2026, 3, 1)),
                ("Finishing", "40", datetime.date(2026, 4, 1)),
                ("Completion", "20", datetime.date(2026, 5, 1)),
            ],
            sign_on=datetime.date(2026, 2, 1),
            retention_percent="10",
            penalty_per_day_percent="0.1",
            penalty_cap_percent="1",
        )

    def test_certifying_12_days_late_records_gross_retention_penalty_and_net(self, user, contract):
        first = contract.milestones.get(sequence=1)
        m = services.milestone_certify(
            user=user, milestone=first, completed_on=datetime.date(2026, 3, 13)
        )
        m.refresh_from_db()
        assert m.status == ContractMilestone.Status.CERTIFIED
        assert (m.days_late, m.gross, m.retention, m.penalty, m.net) == (
            12,
            D("40000.00"),
            D("4000.00"),
            D("480.00"),
            D("35520.00"),
        )
        assert m.certified_by == user

    def test_the_cap_holds_over_the_whole_contract(self, user, contract):
        # Cap 1 % of 100,000 = 1,000. First: 480; second 30 days late would be 1,200.
        ms = list(contract.milestones.order_by("sequence"))
        services.milestone_certify(
            user=user, milestone=ms[0], completed_on=datetime.date(2026, 3, 13)
        )
        second = services.milestone_certify(
            user=user, milestone=ms[1], completed_on=datetime.date(2026, 5, 1)
        )
        assert second.penalty == D("520.00")
        third = services.milestone_certify(
            user=user, milestone=ms[2], completed_on=datetime.date(2026, 5, 20)
        )
        assert third.penalty == D("0.00") and third.days_late == 19
        assert third.net == D("18000.00")

    def test_milestones_are_certified_in_order(self, user, contract):
        second = contract.milestones.get(sequence=2)
        with pytest.raises(Conflict) as exc:
            services.milestone_certify(
                user=user, milestone=second, completed_on=datetime.date(2026, 3, 1)
            )
        assert exc.value.code == "milestone_out_of_order"

    def test_certifying_twice_is_refused(self, user, contract):
        first = contract.milestones.get(sequence=1)
        services.milestone_certify(
            user=user, milestone=first, completed_on=datetime.date(2026, 3, 1)
        )
        with pytest.raises(Conflict) as exc:
            services.milestone_certify(
                user=user, milestone=first, completed_on=datetime.date(2026, 3, 1)
            )
        assert exc.value.code == "already_certified"

    def test_the_retention_released_is_the_sum_of_the_retentions(self, user, contract):
        for m, day in zip(
            contract.milestones.order_by("sequence"),
            (datetime.date(2026, 3, 1), datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)),
            strict=True,
        ):
            services.milestone_certify(user=user, milestone=m, completed_on=day)
        contract.refresh_from_db()
        assert contract.status == "completed"  # no house on it: the milestones decide
        assert contract.completed_on == datetime.date(2026, 5, 1)
        contract.defects_liability_days = 0
        contract.save(update_fields=["defects_liability_days"])
        services.contract_release_retention(
            user=user, contract=contract, released_on=datetime.date(2026, 5, 2)
        )
        contract.refresh_from_db()
        assert contract.status == "closed"
        assert contract.retention_released == D("10000.00")

"""Grant calls: creating and changing them, the criteria (weights summing to 100), the
committee (who may sit on it, the quorum) and the state rules of a call."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, InvalidTransition, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.revitalization.models import CommitteeMember, GrantApplication, GrantCall
from sanad.revitalization.services.grants import calls as services
from sanad.revitalization.services.grants import scoring
from tests.factories import DUHOK, NINEWA, make_user, unit
from tests.revitalization.factories import crp_project, make_call, make_community
from tests.revitalization.grants_helpers import apply, close, officer, open_call, score, scorer

pytestmark = pytest.mark.django_db
D = datetime.date


def _data(**kwargs):
    data = {
        "title": "Small business recovery grants",
        "project": crp_project(),
        "governorate": unit(DUHOK),
        "opens_on": D(2026, 3, 1),
        "closes_on": D(2026, 4, 1),
        "currency": "USD",
        "exchange_rate": Decimal("1310"),
        "amount_min": Decimal("1000"),
        "amount_max": Decimal("5000"),
        "budget": Decimal("60000"),
    }
    data.update(kwargs)
    return data


def test_an_officer_creates_a_draft_call_with_its_rules_and_communities():
    user = officer()
    community = make_community()
    call = services.call_create(
        user=user,
        communities=[community],
        sectors=["retail", "food"],
        displacement_statuses=["returnee"],
        max_age=45,
        tranches=3,
        **_data(),
    )
    assert call.status == "draft" and call.reference.startswith("GRC-")
    assert call.programme.code == "CRP" and list(call.communities.all()) == [community]
    assert call.sectors == ["food", "retail"] and call.max_age == 45 and call.tranches == 3


def test_a_call_refuses_wrong_amounts_dates_and_a_community_of_another_governorate():
    user = officer()
    with pytest.raises(ValidationFailed) as caught:
        services.call_create(
            user=user,
            communities=[make_community(governorate=NINEWA)],
            **_data(
                amount_min=Decimal("6000"),
                closes_on=D(2026, 1, 1),
                budget=Decimal("100"),
                tranches=5,
            ),
        )
    fields = caught.value.fields
    assert {"amount_max", "closes_on", "budget", "tranches", "communities"} <= set(fields)


def test_a_call_outside_the_officers_governorates_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        services.call_create(user=officer(), **_data(governorate=unit(NINEWA)))
    assert caught.value.code == "call_out_of_scope"


def test_the_donor_project_must_belong_to_the_revitalization_programme():
    from tests.factories import ProgrammeFactory, ProjectFactory

    other = ProjectFactory(programme=ProgrammeFactory(code="NFI"))
    with pytest.raises(ValidationFailed) as caught:
        services.call_create(user=officer(), **_data(project=other))
    assert "project" in caught.value.fields


def test_the_criteria_weights_must_add_up_to_100():
    user = officer()
    call = make_call()
    with pytest.raises(ValidationFailed) as caught:
        services.call_criteria_set(
            user=user,
            call=call,
            criteria=[
                {"name": "Viability", "weight": Decimal("50"), "max_score": 10},
                {"name": "Jobs", "weight": Decimal("30"), "max_score": 5},
            ],
        )
    assert "80%" in caught.value.fields["criteria"][0]
    made = services.call_criteria_set(
        user=user,
        call=call,
        criteria=[
            {
                "name": "Viability",
                "guidance": "Market, costs",
                "weight": Decimal("50"),
                "max_score": 10,
            },
            {"name": "Jobs", "weight": Decimal("30"), "max_score": 5},
            {"name": "Vulnerability", "weight": Decimal("20"), "max_score": 10},
        ],
    )
    assert [c.name for c in made] == ["Viability", "Jobs", "Vulnerability"]
    assert [c.order for c in call.criteria.order_by("order")] == [1, 2, 3]


def test_a_committee_member_must_hold_the_scoring_permission_within_the_calls_scope():
    user = officer()
    call = make_call()
    viewer = make_user("me_viewer", governorates=(DUHOK,), programmes=("CRP",))
    elsewhere = scorer(governorates=(NINEWA,))
    for who in (viewer, elsewhere):
        with pytest.raises(ValidationFailed) as caught:
            services.call_member_add(user=user, call=call, member=who)
        assert caught.value.code == "member_cannot_score"
    member = scorer()
    services.call_member_add(user=user, call=call, member=member, role="chair")
    with pytest.raises(ValidationFailed) as twice:
        services.call_member_add(user=user, call=call, member=member)
    assert twice.value.code == "member_twice"
    with pytest.raises(ValidationFailed) as chair:
        services.call_member_add(user=user, call=call, member=scorer(), role="chair")
    assert chair.value.code == "chair_twice"


def test_a_call_opens_only_with_criteria_summing_to_100_and_a_committee_of_the_quorum():
    user = officer()
    call = make_call(criteria=(("Viability", "60"), ("Jobs", "30")), quorum=2)
    with pytest.raises(Conflict) as caught:
        services.call_transition(user=user, call=call, to="open")
    assert caught.value.code == "call_not_ready"
    assert "90%" in str(caught.value.message) and "0 members" in str(caught.value.message)
    services.call_criteria_set(
        user=user,
        call=call,
        criteria=[{"name": "Viability", "weight": Decimal("100"), "max_score": 10}],
    )
    services.call_member_add(user=user, call=call, member=scorer())
    with pytest.raises(Conflict):
        services.call_transition(user=user, call=call, to="open")
    services.call_member_add(user=user, call=call, member=scorer())
    services.call_transition(user=user, call=call, to="open")
    assert GrantCall.objects.get(pk=call.pk).status == "open"


def test_the_committee_keeps_the_quorum_once_the_call_is_open():
    user = officer()
    call, _members = open_call(user, members=2, quorum=2)
    member = CommitteeMember.objects.filter(call=call).first()
    with pytest.raises(Conflict) as caught:
        services.call_member_remove(user=user, call=call, member=member)
    assert caught.value.code == "committee_below_quorum"


def test_closing_the_call_runs_the_eligibility_checks_on_every_submitted_application():
    user = officer()
    call, _members = open_call(user, sectors=["retail"])
    good = apply(user, call, sector="retail")
    bad = apply(user, call, sector="food")
    close(user, call)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert call.status == "scoring"
    assert good.status == "eligible" and bad.status == "ineligible"
    assert {c["check"] for c in good.eligibility} >= {"age", "sector", "amount", "no_earlier_grant"}
    assert StatusTransition.objects.filter(object_pk=str(bad.pk), to_state="ineligible").exists()


def test_applications_are_refused_once_the_call_is_closed_and_accepted_again_when_reopened():
    user = officer()
    call, _members = open_call(user)
    close(user, call)
    with pytest.raises(Conflict) as caught:
        apply(user, call)
    assert caught.value.code == "call_not_open"
    services.call_transition(user=user, call=call, to="open", reason="Late paper forms")
    assert apply(user, call).status == "submitted"


def test_a_call_is_cancelled_only_with_a_reason_and_cannot_skip_steps():
    user = officer()
    call = make_call()
    with pytest.raises(ValidationFailed):
        services.call_transition(user=user, call=call, to="cancelled")
    with pytest.raises(InvalidTransition):
        services.call_transition(user=user, call=call, to="completed")
    with pytest.raises(Conflict) as caught:
        services.call_transition(user=user, call=call, to="selected")
    assert caught.value.code == "use_selection"
    services.call_transition(user=user, call=call, to="cancelled", reason="Donor withdrew")
    call.refresh_from_db()
    assert call.status == "cancelled"


def test_the_criteria_and_the_call_cannot_change_once_the_call_is_scored():
    user = officer()
    call, _members = open_call(user)
    close(user, call)
    with pytest.raises(Conflict):
        services.call_criteria_set(
            user=user, call=call, criteria=[{"name": "X", "weight": Decimal("100"), "max_score": 5}]
        )
    with pytest.raises(Conflict):
        services.call_update(user=user, call=call, title="Changed")


def test_undoing_a_selection_puts_the_applications_back_to_eligible():
    user = officer()
    call, members = open_call(user, quorum=1, members=1)
    app = apply(user, call)
    close(user, call)
    score(members[0], app, 8, 8)
    scoring.call_select(user=user, call=call, reserve=0)
    app.refresh_from_db()
    assert app.status == "selected"
    services.call_transition(user=user, call=call, to="scoring", reason="Budget changed")
    app.refresh_from_db()
    call.refresh_from_db()
    assert call.status == "scoring" and app.status == "eligible" and app.decision_note == ""
    assert GrantApplication.objects.get(pk=app.pk).status == "eligible"


def test_a_role_without_the_grants_permission_cannot_create_a_call():
    from sanad.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.call_create(user=scorer(), **_data())

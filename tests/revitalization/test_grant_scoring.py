"""The committee: conflicts of interest, scores, their aggregation (weighted mean of
the members without a conflict who scored every criterion), the quorum, the ranking with
each tie-break rule explained, and the selection within the budget."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.revitalization.models import GrantApplication, Score
from sanad.revitalization.selectors import grants as selectors
from sanad.revitalization.services.grants import scoring
from tests.revitalization.grants_helpers import (
    apply,
    close,
    criteria,
    head,
    household,
    officer,
    open_call,
    score,
    scorer,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def _scored_call(user, n=1, **kwargs):
    """A call in scoring with `n` eligible applications (kwargs: call options)."""
    call, members = open_call(user, **kwargs)
    apps = [apply(user, call) for _ in range(n)]
    close(user, call)
    for a in apps:
        a.refresh_from_db()
    return call, members, apps


# --- conflicts of interest -------------------------------------------------------------
def test_a_member_must_declare_before_scoring():
    user = officer()
    call, members, (app,) = _scored_call(user)
    with pytest.raises(Conflict) as caught:
        scoring.application_score(
            user=members[0], application=app, scores={c.pk: 5 for c in criteria(call)}
        )
    assert caught.value.code == "declaration_missing"


def test_a_member_with_a_conflict_cannot_score_the_application():
    user = officer()
    call, members, (app,) = _scored_call(user)
    with pytest.raises(ValidationFailed):
        scoring.application_declare(user=members[0], application=app, has_conflict=True)
    scoring.application_declare(
        user=members[0], application=app, has_conflict=True, note="My cousin"
    )
    with pytest.raises(Conflict) as caught:
        scoring.application_score(
            user=members[0], application=app, scores={c.pk: 5 for c in criteria(call)}
        )
    assert caught.value.code == "conflict_declared"
    with pytest.raises(Conflict) as stands:
        scoring.application_declare(user=members[0], application=app, has_conflict=False)
    assert stands.value.code == "conflict_stands"


def test_declaring_a_conflict_after_scoring_deletes_the_members_scores():
    user = officer()
    call, members, (app,) = _scored_call(user)
    score(members[0], app, 8, 6)
    score(members[1], app, 7, 7)
    assert Score.objects.filter(application=app).count() == 4
    scoring.application_declare(
        user=members[0], application=app, has_conflict=True, note="Business partner"
    )
    member = selectors.membership(members[0], call)
    assert not Score.objects.filter(application=app, member=member).exists()
    assert Score.objects.filter(application=app).count() == 2


def test_a_conflicted_members_scores_are_not_aggregated():
    user = officer()
    call, members, (app,) = _scored_call(user, quorum=1)
    score(members[0], app, 10, 10)
    score(members[1], app, 5, 5)
    # An earlier total stays visible until the conflict is declared; then it is out.
    scoring.application_declare(
        user=members[0], application=app, has_conflict=True, note="Neighbour"
    )
    ranking = selectors.call_ranking(call)
    row = ranking.rows[0]
    assert row.score == Decimal("50.00") and row.scorers == 1
    cell = row.totals[selectors.membership(members[0], call).pk]
    assert cell.conflict and cell.total is None


def test_a_non_member_cannot_declare_or_score():
    user = officer()
    _call, _members, (app,) = _scored_call(user)
    outsider = scorer()
    with pytest.raises(PermissionDenied):
        scoring.application_declare(user=outsider, application=app, has_conflict=False)


def test_scores_must_be_within_the_range_in_halves_and_cover_every_criterion():
    user = officer()
    call, members, (app,) = _scored_call(user)
    first, second = criteria(call)
    scoring.application_declare(user=members[0], application=app, has_conflict=False)
    with pytest.raises(ValidationFailed) as caught:
        scoring.application_score(
            user=members[0], application=app, scores={first.pk: "7.3", second.pk: "11"}
        )
    assert set(caught.value.fields) == {f"score_{first.pk}", f"score_{second.pk}"}
    with pytest.raises(ValidationFailed) as missing:
        scoring.application_score(user=members[0], application=app, scores={first.pk: "7.5"})
    assert f"score_{second.pk}" in missing.value.fields
    scoring.application_score(
        user=members[0],
        application=app,
        scores={first.pk: "7.5", second.pk: "0"},
        comments={first.pk: "Good market"},
    )
    scoring.application_score(
        user=members[0], application=app, scores={first.pk: "9", second.pk: "2.5"}
    )
    values = dict(Score.objects.filter(application=app).values_list("criterion_id", "value"))
    assert values == {first.pk: Decimal("9"), second.pk: Decimal("2.5")}


def test_scores_cannot_change_once_the_call_leaves_scoring():
    user = officer()
    call, members, (app,) = _scored_call(user, quorum=1, members=1)
    score(members[0], app, 5, 5)
    scoring.call_select(user=user, call=call, reserve=0)
    app.refresh_from_db()
    with pytest.raises(Conflict):
        scoring.application_score(
            user=members[0], application=app, scores={c.pk: 1 for c in criteria(call)}
        )


# --- aggregation and quorum --------------------------------------------------------------
def test_the_score_is_the_mean_of_the_members_weighted_totals():
    user = officer()
    # Viability weighs 60, Vulnerability 40; both out of 10.
    call, members, (app,) = _scored_call(user)
    score(members[0], app, 8, 5)  # 48 + 20 = 68
    score(members[1], app, 6, 10)  # 36 + 40 = 76
    score(members[2], app, 7.5, 2.5)  # 45 + 10 = 55
    row = selectors.call_ranking(call).rows[0]
    totals = sorted(t.total for t in row.totals.values())
    assert totals == [Decimal("55.00"), Decimal("68.00"), Decimal("76.00")]
    assert row.score == Decimal("66.33") and row.scorers == 3 and row.rank == 1


def test_a_criterion_with_another_highest_score_is_scaled_to_its_weight():
    assert selectors.member_total(
        {1: Decimal("3"), 2: Decimal("10")},
        [
            _criterion(1, weight="50", max_score=5),
            _criterion(2, weight="50", max_score=20),
        ],
    ) == Decimal("55.00")


def _criterion(pk, *, weight, max_score):
    from sanad.revitalization.models import ScoringCriterion

    return ScoringCriterion(
        pk=pk, order=pk, name=str(pk), weight=Decimal(weight), max_score=max_score
    )


def test_an_application_scored_by_fewer_members_than_the_quorum_is_not_ranked():
    user = officer()
    call, members, (app, other) = _scored_call(user, n=2, quorum=2)
    score(members[0], app, 8, 8)
    score(members[0], other, 5, 5)
    score(members[1], other, 5, 5)
    # A member who scored one criterion only is not counted either.
    scoring.application_declare(user=members[1], application=app, has_conflict=False)
    Score.objects.create(
        application=app,
        member=selectors.membership(members[1], call),
        criterion=criteria(call)[0],
        value=Decimal("9"),
    )
    ranking = scoring.call_rank(user=user, call=call)
    waiting = {r.application.pk: r for r in ranking.waiting}
    assert app.pk in waiting and waiting[app.pk].waiting == 1
    app.refresh_from_db()
    other.refresh_from_db()
    assert app.rank is None and app.scorers == 1 and other.rank == 1


# --- ranking and ties ------------------------------------------------------------------
def _tied(user, first_kwargs, second_kwargs, members=2):
    call, scorers = open_call(user, members=members, quorum=members)
    a = apply(user, call, **first_kwargs)
    b = apply(user, call, **second_kwargs)
    close(user, call)
    for m in scorers:
        score(m, a, 7, 8)
        score(m, b, 7, 8)
    ranking = scoring.call_rank(user=user, call=call)
    a.refresh_from_db()
    b.refresh_from_db()
    return ranking, a, b


def test_a_tie_is_broken_by_the_households_vulnerability_first():
    user = officer()
    woman_headed = head(household(sex="female"))
    _ranking, a, b = _tied(
        user,
        {"applicant": head(household()), "jobs_planned": 5},
        {"applicant": woman_headed, "jobs_planned": 1},
    )
    assert (b.rank, a.rank) == (1, 2)
    assert b.rank_note == (
        f"Tied at 74.00 with {a.reference}; ranked higher: more vulnerability flags on the "
        "household (1 against 0)"
    )
    assert a.rank_note.startswith(f"Tied at 74.00 with {b.reference}; ranked lower: fewer")


def test_a_tie_of_equal_vulnerability_is_broken_by_more_jobs_planned():
    user = officer()
    _ranking, a, b = _tied(user, {"jobs_planned": 2}, {"jobs_planned": 4})
    assert (b.rank, a.rank) == (1, 2)
    assert b.rank_note == (
        f"Tied at 74.00 with {a.reference}; ranked higher: more jobs planned (4 against 2)"
    )
    assert "fewer jobs planned (2 against 4)" in a.rank_note


def test_then_by_the_earlier_submission():
    user = officer()
    _ranking, a, b = _tied(user, {"submitted_on": D(2026, 2, 20)}, {"submitted_on": D(2026, 2, 10)})
    assert (b.rank, a.rank) == (1, 2)
    assert "ranked higher: submitted earlier (2026-02-10 against 2026-02-20)" in b.rank_note


def test_a_tie_no_rule_breaks_shares_the_rank():
    user = officer()
    day = D(2026, 2, 15)
    ranking, a, b = _tied(user, {"submitted_on": day}, {"submitted_on": day})
    assert a.rank == b.rank == 1
    assert "no rule breaks the tie: the rank is shared" in a.rank_note
    assert [r.rank for r in ranking.ranked] == [1, 1]


def test_ranks_follow_the_scores_and_skip_after_a_shared_rank():
    user = officer()
    call, members = open_call(user, members=1, quorum=1)
    day = D(2026, 2, 15)
    apps = [apply(user, call, submitted_on=day) for _ in range(4)]
    close(user, call)
    for app, values in zip(apps, [(9, 9), (7, 8), (7, 8), (5, 5)], strict=False):
        score(members[0], app, *values)
    ranking = scoring.call_rank(user=user, call=call)
    by_app = {r.application.pk: r.rank for r in ranking.ranked}
    assert [by_app[a.pk] for a in apps] == [1, 2, 2, 4]
    assert ranking.ranked[0].note == ""


# --- selection -------------------------------------------------------------------------
def _ranked_four(user, *, budget="10000"):
    call, members = open_call(user, members=1, quorum=1, budget=Decimal(budget))
    apps = [apply(user, call, requested_amount=Decimal("4000")) for _ in range(4)]
    close(user, call)
    for app, values in zip(apps, [(10, 10), (9, 9), (8, 8), (7, 7)], strict=False):
        score(members[0], app, *values)
    return call, apps


def _statuses(apps):
    return [GrantApplication.objects.get(pk=a.pk).status for a in apps]


def test_selection_takes_the_ranked_applications_within_the_budget_then_a_reserve_list():
    user = officer()
    call, apps = _ranked_four(user)
    scoring.call_select(user=user, call=call, reserve=1)
    call.refresh_from_db()
    assert call.status == "selected"
    assert _statuses(apps) == ["selected", "selected", "reserve", "rejected"]
    notes = [GrantApplication.objects.get(pk=a.pk).decision_note for a in apps]
    assert "8,000 USD of the budget of 10,000 USD" in notes[1]
    assert "number 1 on the reserve list" in notes[2]


def test_moving_an_application_needs_a_reason_and_the_selected_must_fit_the_budget():
    user = officer()
    call, apps = _ranked_four(user)
    with pytest.raises(ValidationFailed) as no_reason:
        scoring.call_select(user=user, call=call, reserve=1, moves={apps[3]: ("reserve", "")})
    assert f"reason_{apps[3].public_id}" in no_reason.value.fields
    with pytest.raises(ValidationFailed) as over:
        scoring.call_select(
            user=user, call=call, reserve=1, moves={apps[2]: ("selected", "Women-led")}
        )
    assert "12,000 USD" in over.value.fields["reserve"][0]
    scoring.call_select(
        user=user,
        call=call,
        reserve=1,
        moves={
            apps[1]: ("reserve", "Applicant moved to Erbil"),
            apps[2]: ("selected", "Next in rank"),
        },
    )
    assert _statuses(apps) == ["selected", "reserve", "selected", "rejected"]
    moved = GrantApplication.objects.get(pk=apps[1].pk)
    assert moved.decision_note == "Moved by the officer: Applicant moved to Erbil"


def test_selection_waits_until_every_eligible_application_is_scored_by_the_quorum():
    user = officer()
    call, members = open_call(user, members=1, quorum=1)
    scored, unscored = apply(user, call), apply(user, call)
    close(user, call)
    score(members[0], scored, 5, 5)
    with pytest.raises(Conflict) as caught:
        scoring.call_select(user=user, call=call, reserve=0)
    assert caught.value.code == "scores_missing" and unscored.reference in str(caught.value.message)


def test_selection_proposal_stops_at_the_first_application_that_does_not_fit():
    user = officer()
    call, members = open_call(user, members=1, quorum=1, budget=Decimal("9000"))
    big = apply(user, call, requested_amount=Decimal("5000"))
    bigger = apply(user, call, requested_amount=Decimal("5000"))
    small = apply(user, call, requested_amount=Decimal("1000"))
    close(user, call)
    for app, values in ((big, (9, 9)), (bigger, (8, 8)), (small, (7, 7))):
        score(members[0], app, *values)
    proposal = selectors.selection_proposal(selectors.call_ranking(call), reserve=1)
    assert [p.proposed for p in proposal] == ["selected", "reserve", "rejected"]

"""Communities and their participatory assessments through the services: codes and
areas, who took part (all or nothing), the ranking of needs (votes, scores, ties, needs
without scores), completion, choosing needs and the provincial endorsement."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.revitalization.models import AssessmentParticipation, CommunityAssessment, Need
from sanad.revitalization.services import communities as services
from sanad.revitalization.services.communities import rank_needs
from tests.factories import DUHOK, ERBIL, NINEWA, make_user, subdistrict_in, unit
from tests.revitalization.factories import crp, make_assessment, make_community

pytestmark = pytest.mark.django_db
D = datetime.date


def officer(governorates: tuple[str, ...] = (DUHOK, NINEWA)) -> Any:
    crp()
    return make_user("programme_officer", governorates=governorates, programmes=("CRP",))


def need(description: str, votes: int = 0, scores: list[int] | None = None) -> Any:
    return SimpleNamespace(description=description, votes=votes, scores=scores or [])


def ranked(rows: list[Any]) -> list[tuple[str, int]]:
    return [(r.need.description, r.rank) for r in rows]


# --- ranking (pure) --------------------------------------------------------------------


def test_votes_rank_the_needs_most_votes_first():
    rows = rank_needs([need("Road", 5), need("Water", 14), need("School", 9)], "votes")
    assert ranked(rows) == [("Water", 1), ("School", 2), ("Road", 3)]
    assert rows[0].note == "14 votes."


def test_tied_needs_share_a_rank_and_the_next_rank_skips():
    rows = rank_needs(
        [need("Water", 20), need("School", 14), need("Clinic", 14), need("Road", 3)], "votes"
    )
    assert ranked(rows) == [("Water", 1), ("School", 2), ("Clinic", 2), ("Road", 4)]
    assert rows[1].note == "Tied with “Clinic” at 14 votes."
    assert rows[2].note == "Tied with “School” at 14 votes."


def test_scores_rank_by_their_mean_highest_first():
    rows = rank_needs(
        [
            need("Road", scores=[3, 3, 4]),
            need("Water", scores=[5, 4, 5]),
            need("Market", scores=[2]),
        ],
        "scores",
    )
    assert ranked(rows) == [("Water", 1), ("Road", 2), ("Market", 3)]
    assert rows[0].note == "Mean score 4.67 from 3 groups."


def test_equal_mean_scores_tie_even_from_different_numbers_of_groups():
    rows = rank_needs(
        [need("A", scores=[4, 4]), need("B", scores=[5, 3, 4]), need("C", scores=[5])], "scores"
    )
    assert ranked(rows) == [("C", 1), ("A", 2), ("B", 2)]
    assert "Tied with “B” at a mean score of 4.00" in rows[1].note


def test_a_need_without_scores_ranks_last():
    rows = rank_needs([need("Unscored"), need("Low", scores=[1]), need("Also unscored")], "scores")
    assert ranked(rows) == [("Low", 1), ("Unscored", 2), ("Also unscored", 2)]
    assert rows[1].note.startswith("No score given: ranked last")
    assert "“Also unscored”" in rows[1].note


def test_three_way_ties_name_the_others():
    rows = rank_needs(
        [need("A", 5), need("B", 5), need("C", 5), need("D", 5), need("E", 5)], "votes"
    )
    assert {r.rank for r in rows} == {1}
    assert rows[0].note == "Tied with “B”, “C”, “D” and 1 other at 5 votes."


# --- communities -----------------------------------------------------------------------


def test_a_community_gets_a_code_from_its_governorate():
    user = officer()
    area = subdistrict_in(NINEWA)
    first = services.community_create(
        user=user, name="Sinjar town", admin_unit=area, population=12000, population_source="DTM"
    )
    second = services.community_create(user=user, name="Sununi", admin_unit=area)
    assert first.code == "COM-IQG15-001" and second.code == "COM-IQG15-002"
    assert first.governorate.pcode == NINEWA and first.programme.code == "CRP"


def test_a_community_needs_a_district_or_subdistrict_in_scope_and_a_population_source():
    user = officer(governorates=(DUHOK,))
    with pytest.raises(ValidationFailed) as exc:
        services.community_create(user=user, name="Erbil", admin_unit=unit(ERBIL))
    assert "admin_unit" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.community_create(user=user, name="Tel Afar", admin_unit=subdistrict_in(NINEWA))
    assert exc.value.code == "community_out_of_scope"
    with pytest.raises(ValidationFailed) as exc:
        services.community_create(
            user=user, name="Zakho quarter", admin_unit=subdistrict_in(DUHOK), population=900
        )
    assert "population_source" in exc.value.fields


def test_a_given_code_must_be_free():
    user = officer()
    make_community(code="COM-X-1")
    with pytest.raises(ValidationFailed) as exc:
        services.community_create(
            user=user, name="Another", admin_unit=subdistrict_in(DUHOK), code="com-x-1"
        )
    assert "code" in exc.value.fields


def test_a_community_with_assessments_cannot_move_to_another_governorate():
    user = officer()
    community = make_community()
    make_assessment(community=community)
    services.community_update(user=user, community=community, name="Renamed")
    with pytest.raises(ValidationFailed) as exc:
        services.community_update(user=user, community=community, admin_unit=subdistrict_in(NINEWA))
    assert exc.value.code == "community_has_records"


def test_a_viewer_cannot_record_communities():
    viewer = make_user("me_viewer", governorates=(DUHOK,), programmes=("CRP",))
    with pytest.raises(PermissionDenied):
        services.community_create(user=viewer, name="X", admin_unit=subdistrict_in(DUHOK))


# --- assessments -----------------------------------------------------------------------


def _draft(user: Any, method: str = "votes") -> CommunityAssessment:
    return services.assessment_create(
        user=user, community=make_community(), held_on=D(2026, 3, 4), method=method
    )


def test_an_assessment_gets_a_reference_and_the_community_scope():
    user = officer()
    assessment = _draft(user)
    assert assessment.reference.startswith("CBA-") and assessment.status == "draft"
    assert assessment.governorate.pcode == DUHOK


def test_an_assessment_cannot_be_dated_in_the_future_or_be_for_an_inactive_community():
    user = officer()
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_create(user=user, community=make_community(), held_on=D(2099, 1, 1))
    assert "held_on" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.assessment_create(
            user=user, community=make_community(active=False), held_on=D(2026, 1, 1)
        )


def test_an_assessment_out_of_scope_is_not_found():
    user = officer(governorates=(NINEWA,))
    assessment = make_assessment()  # Duhok
    with pytest.raises(NotFound):
        services.need_add(user=user, assessment=assessment, sector="water", description="Water")


def test_participation_is_saved_all_or_nothing():
    user = officer()
    assessment = _draft(user)
    services.assessment_participation_set(
        user=user,
        assessment=assessment,
        counts={
            ("women", "female", "18-59"): 12,
            ("idp", "male", "18-59"): 8,
            ("youth", "male", "0-17"): 0,
        },
    )
    assert AssessmentParticipation.objects.filter(assessment=assessment).count() == 2
    with pytest.raises(ValidationFailed):
        services.assessment_participation_set(
            user=user,
            assessment=assessment,
            counts={("women", "female", "18-59"): 30, ("idp", "male", "18-59"): -1},
        )
    rows = {r.group: r.count for r in AssessmentParticipation.objects.filter(assessment=assessment)}
    assert rows == {"women": 12, "idp": 8}


def test_needs_are_ranked_again_whenever_they_change():
    user = officer()
    assessment = _draft(user)
    water = services.need_add(
        user=user, assessment=assessment, sector="water", description="Water network", votes=14
    )
    school = services.need_add(
        user=user, assessment=assessment, sector="education", description="School", votes=9
    )
    assert (water.rank, school.rank) == (1, 2)
    services.need_update(user=user, need=school, votes=14)
    water.refresh_from_db()
    school.refresh_from_db()
    assert (water.rank, school.rank) == (1, 1)
    assert school.rank_note == "Tied with “Water network” at 14 votes."
    services.need_remove(user=user, need=water)
    school.refresh_from_db()
    assert school.rank == 1 and school.rank_note == "14 votes."


def test_the_scores_are_typed_as_a_list_of_1_to_5():
    user = officer()
    assessment = _draft(user, method="scores")
    n = services.need_add(
        user=user, assessment=assessment, sector="health", description="Clinic", scores="4, 5 ,3"
    )
    assert n.scores == [4, 5, 3]
    with pytest.raises(ValidationFailed) as exc:
        services.need_add(
            user=user, assessment=assessment, sector="roads", description="Road", scores="4, 6"
        )
    assert "scores" in exc.value.fields
    services.need_add(user=user, assessment=assessment, sector="roads", description="Road")
    ranks = dict(Need.objects.filter(assessment=assessment).values_list("description", "rank"))
    assert ranks == {"Clinic": 1, "Road": 2}


def test_changing_the_method_ranks_the_needs_again():
    user = officer()
    assessment = _draft(user)
    services.need_add(
        user=user, assessment=assessment, sector="water", description="Water", votes=20, scores=[2]
    )
    services.need_add(
        user=user, assessment=assessment, sector="roads", description="Road", votes=3, scores=[5]
    )
    services.assessment_update(user=user, assessment=assessment, method="scores")
    ranks = dict(Need.objects.filter(assessment=assessment).values_list("description", "rank"))
    assert ranks == {"Road": 1, "Water": 2}


def test_completing_needs_a_need_and_who_took_part():
    user = officer()
    assessment = _draft(user)
    with pytest.raises(Conflict) as exc:
        services.assessment_complete(user=user, assessment=assessment)
    assert exc.value.code == "assessment_incomplete"
    services.need_add(
        user=user, assessment=assessment, sector="water", description="Water", votes=4
    )
    with pytest.raises(Conflict):
        services.assessment_complete(user=user, assessment=assessment)
    services.assessment_participation_set(
        user=user, assessment=assessment, counts={("host", "female", "60+"): 3}
    )
    services.assessment_complete(user=user, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == "completed"
    with pytest.raises(Conflict) as exc:
        services.need_add(user=user, assessment=assessment, sector="roads", description="Road")
    assert exc.value.code == "assessment_not_draft"


def _completed(user: Any) -> CommunityAssessment:
    assessment = _draft(user)
    services.need_add(
        user=user, assessment=assessment, sector="water", description="Water", votes=10
    )
    services.need_add(
        user=user, assessment=assessment, sector="education", description="School", votes=6
    )
    services.assessment_participation_set(
        user=user, assessment=assessment, counts={("idp", "male", "18-59"): 10}
    )
    return services.assessment_complete(user=user, assessment=assessment)


def test_reopening_needs_a_reason_and_makes_a_draft():
    user = officer()
    assessment = _completed(user)
    with pytest.raises(ValidationFailed):
        services.assessment_reopen(user=user, assessment=assessment, reason=" ")
    services.assessment_reopen(user=user, assessment=assessment, reason="Votes miscounted")
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_endorsement_needs_a_chosen_need_and_a_completed_assessment():
    user = officer()
    assessment = _completed(user)
    values = {
        "endorsed_by": "Duhok Provincial Council",
        "endorsed_on": D(2026, 3, 20),
        "endorsement_reference": "DPC/2026/114",
    }
    with pytest.raises(Conflict) as exc:
        services.assessment_endorse(user=user, assessment=assessment, **values)
    assert exc.value.code == "no_need_selected"
    water = Need.objects.get(assessment=assessment, description="Water")
    chosen = services.assessment_select_needs(user=user, assessment=assessment, needs=[water])
    assert [n.description for n in chosen] == ["Water"]
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_endorse(
            user=user, assessment=assessment, **{**values, "endorsement_reference": ""}
        )
    assert "endorsement_reference" in exc.value.fields
    endorsed = services.assessment_endorse(user=user, assessment=assessment, **values)
    assert endorsed.status == "endorsed" and endorsed.endorsed_by == "Duhok Provincial Council"
    with pytest.raises(InvalidTransition):
        services.assessment_reopen(user=user, assessment=endorsed, reason="Too late")


def test_a_draft_cannot_be_endorsed_nor_its_needs_chosen():
    user = officer()
    assessment = _draft(user)
    n = services.need_add(
        user=user, assessment=assessment, sector="water", description="Water", votes=1
    )
    with pytest.raises(Conflict):
        services.assessment_select_needs(user=user, assessment=assessment, needs=[n])
    with pytest.raises(InvalidTransition):
        services.assessment_endorse(
            user=user,
            assessment=assessment,
            endorsed_by="Council",
            endorsed_on=D(2026, 3, 5),
            endorsement_reference="L1",
        )


def test_needs_of_another_assessment_cannot_be_chosen():
    user = officer()
    assessment = _completed(user)
    other = _completed(user)
    foreign = other.needs.first()
    with pytest.raises(ValidationFailed):
        services.assessment_select_needs(user=user, assessment=assessment, needs=[foreign])


def test_estimated_cost_is_kept_in_usd():
    user = officer()
    assessment = _draft(user)
    n = services.need_add(
        user=user,
        assessment=assessment,
        sector="water",
        description="Water",
        estimated_cost="85000",
    )
    assert n.estimated_cost == Decimal("85000.00")

"""Vulnerability scores: weighted points per criterion, and a proxy means test with
coefficients per governorate; models are versioned and a list records the version."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.programmes.models import Programme
from sanad.registry.models import ShelterType
from sanad.targeting import services
from sanad.targeting.models import ListEntry, ScoringModel
from tests.factories import DUHOK, ERBIL, make_user
from tests.targeting.conftest import (
    all_of,
    built,
    cond,
    household,
    weighted_model,
    widow_with_children,
)

pytestmark = pytest.mark.django_db

CRITERIA = [
    ("Woman-headed household", cond("is_woman_headed", "is_true"), 10),
    ("Child under six", cond("members_0_5", "gte", 1), 4),
    ("Critical shelter", cond("critical_shelter", "is_true"), 6),
    ("Large household", cond("size", "gte", 7), "2.5"),
]


def entry(lst: Any, hh: Any) -> ListEntry:
    return lst.entries.get(household=hh)


def test_a_weighted_score_adds_the_points_of_the_criteria_met(officer):
    widow = widow_with_children(DUHOK, children=2, shelter_type=ShelterType.SCHOOL)
    large = household(DUHOK, members=8)
    plain = household(DUHOK, members=3)
    version = weighted_model(officer, CRITERIA)
    lst = built(officer, all_of(), version=version)
    assert entry(lst, widow).score == 20.0  # 10 + 4 + 6
    assert entry(lst, large).score == 2.5
    assert entry(lst, plain).score == 0.0
    assert entry(lst, widow).criteria_met == 0b0111
    assert [e.household_id for e in lst.entries.filter(included=True).order_by("rank")] == [
        widow.pk,
        large.pk,
        plain.pk,
    ]


def test_a_threshold_makes_households_below_it_ineligible(officer):
    widow = widow_with_children(DUHOK, children=1)
    plain = household(DUHOK)
    version = weighted_model(officer, CRITERIA, threshold="5")
    lst = built(officer, all_of(), version=version)
    assert entry(lst, widow).included
    assert entry(lst, plain).outcome == ListEntry.Outcome.SCORE
    assert entry(lst, plain).rank is None
    assert lst.summary["by_outcome"] == {"included": 1, "score": 1}


def test_criteria_are_checked_like_rule_conditions(officer):
    with pytest.raises(ValidationFailed) as caught:
        weighted_model(officer, [("", cond("size", "gte", "many"), "x")])
    assert {"criteria.0.label", "criteria.0.points", "criteria.0.condition.value"} <= set(
        caught.value.fields
    )


def test_a_new_version_leaves_the_earlier_one_and_its_lists_as_they_were(officer):
    widow = widow_with_children(DUHOK)
    v1 = weighted_model(officer, CRITERIA)
    lst = built(officer, all_of(), version=v1)
    v2 = services.scoring_version_weighted(
        model=v1.model,
        user=officer,
        criteria=[
            {
                "label": "Woman-headed",
                "condition": cond("is_woman_headed", "is_true"),
                "points": "50",
            }
        ],
        note="More weight on woman-headed households",
    )
    assert (v1.number, v2.number) == (1, 2)
    v1.refresh_from_db()
    assert len(v1.criteria) == 4
    lst.refresh_from_db()
    assert lst.model_version_id == v1.pk
    assert entry(lst, widow).score == 14.0


def test_only_the_model_managers_of_the_programme_write_versions(officer):
    version = weighted_model(officer, CRITERIA)
    field_staff = make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    with pytest.raises(PermissionDenied):
        services.scoring_version_weighted(model=version.model, user=field_staff, criteria=[])


# --- proxy means test -----------------------------------------------------------------------
COEFFICIENTS = """region,variable,coefficient
,intercept,12.0
,size,-0.5
,is_woman_headed,-1.0
,shelter_type=school,-0.75
IQG09,intercept,11.0
IQG09,size,-0.25
"""


def pmt_model(user: Any, content: str = COEFFICIENTS, **kw: Any) -> Any:
    model = services.scoring_model_create(
        user=user, programme=Programme.objects.get(code="NFI"), name="PMT", kind="pmt"
    )
    return services.scoring_version_pmt(
        model=model, user=user, content=content.encode(), filename="pmt.csv", **kw
    )


def test_a_pmt_score_uses_the_coefficients_of_the_household_governorate(officer):
    officer_all = make_user("programme_officer", programmes=("NFI",))
    duhok = household(DUHOK, members=4)
    erbil_widow = widow_with_children(ERBIL, children=2, shelter_type=ShelterType.SCHOOL)
    version = pmt_model(officer_all)
    assert [v["code"] for v in version.variables] == [
        "size",
        "is_woman_headed",
        "shelter_type=school",
    ]
    lst = built(officer_all, all_of(), version=version)
    # Duhok: 11 - 0.25 × 4 (its own intercept and size; defaults for the others)
    assert entry(lst, duhok).score == pytest.approx(10.0)
    # Erbil (defaults): 12 - 0.5 × 3 - 1 - 0.75
    assert entry(lst, erbil_widow).score == pytest.approx(8.75)
    assert entry(lst, erbil_widow).pmt_values == [3.0, 1.0, 1.0]
    # Lower predicted consumption first.
    assert entry(lst, erbil_widow).rank == 1


def test_a_pmt_threshold_keeps_households_predicted_at_or_below_it(officer):
    poorer = widow_with_children(DUHOK, children=4)  # size 5: 11 - 1.25 - 1 = 8.75
    richer = household(DUHOK, members=2)  # 11 - 0.5 = 10.5
    lst = built(officer, all_of(), version=pmt_model(officer, threshold="9"))
    assert entry(lst, poorer).included
    assert entry(lst, richer).outcome == ListEntry.Outcome.SCORE


def test_a_coefficients_file_is_checked_row_by_row(officer):
    bad = """region,variable,coefficient
,intercept,1
IQG99,size,1
,no_such_variable,1
,size,abc
,intercept,2
"""
    with pytest.raises(ValidationFailed) as caught:
        pmt_model(officer, bad)
    problems = " ".join(caught.value.fields["file"])
    assert "Row 3" in problems and "not a governorate P-code" in problems
    assert "Row 4" in problems and "not a known variable" in problems
    assert "Row 5" in problems and "not a number" in problems
    assert "Row 6" in problems and "twice" in problems
    with pytest.raises(ValidationFailed) as caught:
        pmt_model(officer, "region,variable,coefficient\nIQG09,size,1\n")
    assert "no default row" in " ".join(caught.value.fields["file"])
    with pytest.raises(ValidationFailed):
        pmt_model(officer, "a,b\n1,2\n")


def test_coefficients_load_from_xlsx_too(officer):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in [
        ("region", "variable", "coefficient"),
        (None, "intercept", 5),
        (None, "size", -1),
        ("IQG09", "size", -2),
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    model = services.scoring_model_create(
        user=officer, programme=Programme.objects.get(code="NFI"), name="PMT x", kind="pmt"
    )
    version = services.scoring_version_pmt(
        model=model, user=officer, content=buffer.getvalue(), filename="c.xlsx"
    )
    assert version.coefficients.count() == 3
    assert version.coefficients.get(region__pcode="IQG09").coefficient == Decimal("-2")
    assert version.source_file == "c.xlsx"


def test_the_kind_of_model_decides_how_a_version_is_written(officer):
    weighted = weighted_model(officer, CRITERIA).model
    with pytest.raises(ValidationFailed):
        services.scoring_version_pmt(
            model=weighted, user=officer, content=COEFFICIENTS.encode(), filename="c.csv"
        )
    pmt = pmt_model(officer).model
    assert pmt.kind == ScoringModel.Kind.PMT
    with pytest.raises(ValidationFailed):
        services.scoring_version_weighted(model=pmt, user=officer, criteria=[])

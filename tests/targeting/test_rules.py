"""Rules as data: every operator of every kind of field, AND/OR nesting, and the refusal
of anything that is not in the field registry."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from sanad.core.errors import ValidationFailed
from sanad.registry.models import DisplacementStatus, Household, Individual, ShelterType
from sanad.registry.services import member_update
from sanad.targeting import compiler
from sanad.targeting.fields import FIELDS, Context
from tests.factories import DUHOK, ERBIL, NINEWA, PlaceFactory, subdistrict_in
from tests.registry.factories import member_data, registrar
from tests.targeting.conftest import TODAY, all_of, any_of, cond, household, widow_with_children

pytestmark = pytest.mark.django_db


def matching(tree: Any, *households: Any) -> set[str]:
    """Registration ids, among `households`, that the tree matches (one query)."""
    clean, _leaves = compiler.validate_tree(tree)
    q = compiler.tree_q(clean, Context(as_of=TODAY))
    ids = [h.pk for h in households]
    return set(Household.objects.filter(q, pk__in=ids).values_list("registration_id", flat=True))


def ids(*households: Any) -> set[str]:
    return {h.registration_id for h in households}


@pytest.fixture
def three() -> tuple[Any, Any, Any]:
    """A family of 3 in a camp in Duhok, a widow with 2 small children in a school in
    Erbil, and a family of 8 returnees renting in Ninewa."""
    camp = household(
        DUHOK,
        members=3,
        displacement_status=DisplacementStatus.IDP_IN_CAMP,
        shelter_type=ShelterType.CAMP,
    )
    widow = widow_with_children(
        ERBIL,
        children=2,
        displacement_status=DisplacementStatus.IDP_OUT_OF_CAMP,
        shelter_type=ShelterType.SCHOOL,
    )
    large = household(
        NINEWA,
        members=8,
        displacement_status=DisplacementStatus.RETURNEE,
        shelter_type=ShelterType.RENTED,
    )
    return camp, widow, large


def test_choice_fields_take_eq_ne_in_and_not_in(three):
    camp, widow, large = three
    assert matching(cond("displacement_status", "eq", "idp_in_camp"), *three) == ids(camp)
    assert matching(cond("displacement_status", "ne", "idp_in_camp"), *three) == ids(widow, large)
    assert matching(cond("shelter_type", "in", ["camp", "school"]), *three) == ids(camp, widow)
    assert matching(cond("shelter_type", "not_in", ["camp", "school"]), *three) == ids(large)


def test_integer_fields_take_every_comparison_and_between(three):
    camp, widow, large = three
    assert matching(cond("size", "eq", 3), *three) == ids(camp, widow)
    assert matching(cond("size", "ne", 3), *three) == ids(large)
    assert matching(cond("size", "lt", 8), *three) == ids(camp, widow)
    assert matching(cond("size", "lte", 8), *three) == ids(camp, widow, large)
    assert matching(cond("size", "gt", 3), *three) == ids(large)
    assert matching(cond("size", "gte", 3), *three) == ids(camp, widow, large)
    assert matching(cond("size", "between", [4, 10]), *three) == ids(large)


def test_yes_no_fields_take_is_true_and_is_false(three):
    camp, widow, large = three
    assert matching(cond("is_woman_headed", "is_true"), *three) == ids(widow)
    assert matching(cond("is_woman_headed", "is_false"), *three) == ids(camp, large)
    assert matching(cond("critical_shelter", "is_true"), *three) == ids(widow)
    assert matching(cond("is_large", "is_true"), *three) == ids(large)


def test_dates_take_before_after_between_and_is_recorded(three):
    camp, widow, _large = three
    Household.objects.filter(pk=camp.pk).update(displaced_on=datetime.date(2014, 8, 3))
    Household.objects.filter(pk=widow.pk).update(displaced_on=datetime.date(2017, 6, 1))
    assert matching(cond("displaced_on", "lt", "2015-01-01"), *three) == ids(camp)
    assert matching(cond("displaced_on", "lte", "2017-06-01"), *three) == ids(camp, widow)
    assert matching(cond("displaced_on", "gt", "2014-08-03"), *three) == ids(widow)
    assert matching(cond("displaced_on", "gte", "2014-08-03"), *three) == ids(camp, widow)
    assert matching(cond("displaced_on", "between", ["2016-01-01", "2018-01-01"]), *three) == ids(
        widow
    )
    assert matching(cond("displaced_on", "exists"), *three) == ids(camp, widow)


def test_governorate_and_admin_units_at_any_level_match_what_lies_inside(three):
    camp, widow, large = three
    assert matching(cond("governorate", "eq", DUHOK), *three) == ids(camp)
    assert matching(cond("governorate", "in", [DUHOK, ERBIL]), *three) == ids(camp, widow)
    assert matching(cond("governorate", "not_in", [DUHOK]), *three) == ids(widow, large)
    district = camp.admin_unit.parent.pcode
    assert matching(cond("admin_unit", "in", [district]), *three) == ids(camp)
    assert matching(cond("admin_unit", "in", [NINEWA]), *three) == ids(large)
    assert matching(cond("admin_unit", "in", [camp.admin_unit.pcode]), *three) == ids(camp)
    assert matching(cond("admin_unit", "not_in", [DUHOK, ERBIL]), *three) == ids(large)


def test_places_match_by_their_id_and_living_in_a_place_is_a_condition(three):
    camp, widow, large = three
    site = PlaceFactory(admin_unit=subdistrict_in(DUHOK))
    Household.objects.filter(pk=camp.pk).update(place=site)
    assert matching(cond("place", "eq", str(site.public_id)), *three) == ids(camp)
    assert matching(cond("place", "ne", str(site.public_id)), *three) == ids(widow, large)
    assert matching(cond("place", "in", [str(site.public_id)]), *three) == ids(camp)
    assert matching(cond("place", "not_in", [str(site.public_id)]), *three) == ids(widow, large)
    assert matching(cond("place", "exists"), *three) == ids(camp)


def test_member_counts_by_sex_and_age_come_from_the_demographics(three):
    camp, widow, large = three
    assert matching(cond("members_0_5", "gte", 1), *three) == ids(widow)
    assert matching(cond("members_female_18_59", "eq", 1), *three) == ids(camp, widow, large)
    assert matching(cond("members_male_0_5", "eq", 0), *three) == ids(camp, large)
    assert matching(cond("members_6_17", "gte", 4), *three) == ids(large)


def test_ages_of_members_and_of_the_head(three):
    camp, widow, large = three
    assert matching(cond("member_age", "lt", 6), *three) == ids(widow)
    assert matching(cond("member_age", "gte", 60), *three) == set()
    assert matching(cond("member_age", "between", [0, 4]), *three) == ids(widow)
    # The head of the widow's household was born in 1975, the others in 1980.
    age = TODAY.year - 1975 - (1 if (TODAY.month, TODAY.day) < (1, 1) else 0)
    assert matching(cond("head_age", "gte", age), *three) == ids(widow)
    assert matching(cond("head_sex", "eq", "female"), *three) == ids(widow)
    assert matching(cond("head_sex", "ne", "female"), *three) == ids(camp, large)


def test_disability_documents_pregnancy_and_chronic_illness_of_members(three):
    camp, widow, large = three
    member = camp.members.exclude(relationship="head").first()
    member_update(
        user=registrar(),
        member=member,
        data={"wg_walking": Individual.Difficulty.CANNOT, "has_chronic_illness": True},
    )
    assert matching(cond("has_disability", "is_true"), *three) == ids(camp)
    assert matching(cond("members_with_disability", "gte", 1), *three) == ids(camp)
    assert matching(cond("has_chronic_illness", "is_true"), *three) == ids(camp)
    assert matching(cond("has_pregnant_member", "is_true"), *three) == set()
    head = large.members.get(relationship="head")
    head.documents.create(kind="national_id", number="19845612", number_key="19845612")
    assert matching(cond("member_document", "in", ["national_id"]), *three) == ids(large)
    assert matching(cond("member_document", "not_in", ["national_id"]), *three) == ids(camp, widow)
    assert matching(cond("head_document", "in", ["national_id", "passport"]), *three) == ids(large)


def test_groups_combine_with_and_and_or_and_nest(three):
    camp, widow, large = three
    tree = all_of(
        cond("size", "gte", 3),
        any_of(
            cond("critical_shelter", "is_true"),
            all_of(cond("governorate", "eq", DUHOK), cond("shelter_type", "eq", "camp")),
        ),
    )
    assert matching(tree, *three) == ids(camp, widow)
    assert matching(
        any_of(cond("is_large", "is_true"), cond("is_woman_headed", "is_true")), *three
    ) == ids(widow, large)
    assert matching(all_of(), *three) == ids(camp, widow, large)
    assert matching(any_of(), *three) == ids(camp, widow, large)


def test_every_field_of_the_registry_compiles_with_each_of_its_operators(three):
    """No field of the registry is left untested by construction: a typical value for
    each operator compiles and runs."""
    site = PlaceFactory()
    samples = {
        "choice": lambda f, op: (
            [f.choices()[0][0]] if op in {"in", "not_in"} else f.choices()[0][0]
        ),
        "int": lambda f, op: [1, 2] if op == "between" else 1,
        "date": lambda f, op: ["2020-01-01", "2021-01-01"] if op == "between" else "2020-01-01",
        "admin_unit": lambda f, op: [DUHOK],
        "place": lambda f, op: (
            [str(site.public_id)] if op in {"in", "not_in"} else str(site.public_id)
        ),
        "bool": lambda f, op: None,
        "ledger_received": lambda f, op: {"what": "item", "code": "winter_kit", "months": 3},
        "ledger_value": lambda f, op: {"amount": "100", "currency": "USD", "months": 6},
    }
    opposite = {"eq": "ne", "in": "not_in", "is_true": "is_false", "lt": "gte", "gt": "lte"}
    population = ids(*three)
    compiled = 0
    for f in FIELDS.values():
        found: dict[str, set[str]] = {}
        for op in f.operators:
            takes_none = op in {"is_true", "is_false", "exists"} and not f.kind.startswith("ledger")
            value = None if takes_none else samples[f.kind](f, op)
            found[op] = matching(cond(f.code, op, value), *three)
            assert found[op] <= population, (f.code, op)
            compiled += 1
        # A condition and its opposite (same value) never both hold for one household.
        for op, other in opposite.items():
            if op in found and other in found and f.kind in {"choice", "int", "bool"}:
                assert not found[op] & found[other], (f.code, op, other)
    assert compiled >= 2 * len(FIELDS)


@pytest.mark.parametrize(
    ("condition", "path", "message"),
    [
        (cond("no_such_field", "eq", 1), "tree.items.0.field", "does not exist"),
        (cond("size", "like", 3), "tree.items.0.operator", "operators offered"),
        (cond("size", "gte", "three"), "tree.items.0.value", "whole number"),
        (cond("size", "gte", 1000), "tree.items.0.value", "from 0 to 99"),
        (cond("size", "between", [5, 2]), "tree.items.0.value", "not be larger"),
        (cond("shelter_type", "eq", "palace"), "tree.items.0.value", "not one of the choices"),
        (cond("governorate", "in", []), "tree.items.0.value", "at least one"),
        (cond("admin_unit", "in", ["IQ"]), "tree.items.0.value", "not one of the choices"),
        (cond("displaced_on", "lt", "yesterday"), "tree.items.0.value", "YYYY-MM-DD"),
        (cond("is_large", "is_true", "yes"), "tree.items.0.value", "takes no value"),
        (cond("place", "eq", "not-a-uuid"), "tree.items.0.value", "not a known place"),
        (
            cond(
                "received", "is_false", {"what": "item", "code": "kit; DROP TABLE x", "months": 3}
            ),
            "tree.items.0.value",
            "item code",
        ),
        (
            cond("received", "is_false", {"what": "item", "code": "winter_kit"}),
            "tree.items.0.value",
            "date from which",
        ),
        (
            cond(
                "received",
                "is_false",
                {"what": "item", "code": "winter_kit", "since": "2026-01-01", "months": 2},
            ),
            "tree.items.0.value",
            "not both",
        ),
        (
            cond("received_value", "lt", {"amount": "-5", "currency": "IQD", "months": 6}),
            "tree.items.0.value",
            "from 0",
        ),
        (
            cond("received_value", "lt", {"amount": "5", "currency": "EUR", "months": 6}),
            "tree.items.0.value",
            "not one of the choices",
        ),
    ],
)
def test_a_condition_that_does_not_fit_its_field_is_refused_at_its_path(condition, path, message):
    with pytest.raises(ValidationFailed) as caught:
        compiler.validate_tree(all_of(condition))
    assert path in caught.value.fields
    assert message in " ".join(caught.value.fields[path])


def test_groups_must_be_all_or_any_and_may_not_nest_without_end():
    with pytest.raises(ValidationFailed) as caught:
        compiler.validate_tree({"match": "most", "items": []})
    assert "tree.match" in caught.value.fields
    deep: dict[str, Any] = cond("size", "gte", 1)
    for _level in range(compiler.MAX_DEPTH + 2):
        deep = all_of(deep)
    with pytest.raises(ValidationFailed):
        compiler.validate_tree(deep)
    with pytest.raises(ValidationFailed) as caught:
        compiler.validate_tree(all_of(*[cond("size", "gte", 1)] * (compiler.MAX_CONDITIONS + 1)))
    assert "60" in str(caught.value.fields)


def test_every_problem_of_a_tree_is_reported_not_only_the_first():
    with pytest.raises(ValidationFailed) as caught:
        compiler.validate_tree(all_of(cond("size", "gte", "x"), any_of(cond("nope", "eq", 1))))
    assert set(caught.value.fields) == {"tree.items.0.value", "tree.items.1.items.0.field"}


def test_values_are_normalised_for_storage():
    tree, _leaves = compiler.validate_tree(
        all_of(
            cond("size", "between", ["2", "5"]),
            cond("shelter_type", "in", ["camp", "camp", "school"]),
        )
    )
    assert tree["items"][0]["value"] == [2, 5]
    assert tree["items"][1]["value"] == ["camp", "school"]


def test_a_rule_is_explained_in_words():
    _tree, leaves = compiler.validate_tree(
        all_of(
            cond("shelter_type", "in", ["informal_settlement"]),
            cond(
                "received",
                "is_false",
                {"what": "item", "code": "winter_kit", "since": "2026-10-01"},
            ),
        )
    )
    texts = [leaf.describe() for leaf in leaves]
    assert texts[0] == "Shelter type is one of Critical shelter: informal settlement"
    assert texts[1] == "has not received winter_kit (item or kit) since 2026-10-01"


def test_member_values_in_the_future_of_a_new_member_are_counted(three):
    camp, _widow, _large = three
    from sanad.registry.services import member_add

    member_add(
        user=registrar(),
        household=camp,
        data=member_data(
            relationship="son",
            sex="male",
            date_of_birth=TODAY - datetime.timedelta(days=40),
            index=4,
        ),
    )
    assert camp.registration_id in matching(cond("members_male_0_5", "gte", 1), camp)


def test_the_rule_decided_from_the_bits_matches_the_rule_evaluated_directly(three):
    """The build decides from the bits of each condition (one mask per group); the
    preview evaluates the tree itself. Both must agree, whatever the nesting order."""
    from sanad.targeting.fields import Context as Ctx

    camp, widow, large = three
    trees = [
        all_of(
            cond("size", "gte", 3),
            any_of(cond("is_large", "is_true"), cond("critical_shelter", "is_true")),
            cond("size", "lte", 8),
        ),
        any_of(
            all_of(cond("governorate", "eq", DUHOK), cond("size", "eq", 3)),
            cond("is_woman_headed", "is_true"),
            all_of(cond("is_large", "is_true")),
        ),
        all_of(
            any_of(cond("size", "lt", 3), any_of(cond("is_large", "is_true"))),
            cond("size", "gt", 7),
        ),
        any_of(),
    ]
    for tree in trees:
        clean, leaves = compiler.validate_tree(tree)
        ctx = Ctx(as_of=TODAY)
        rows = Household.objects.filter(pk__in=[camp.pk, widow.pk, large.pk]).annotate(
            bits=compiler.bits_expression(leaves, ctx)
        )
        by_bits = {
            h.registration_id
            for h in rows
            if compiler.decide(clean, compiler.met_of(h.bits, leaves))
        }
        assert by_bits == matching(tree, camp, widow, large), tree
        sql, params = compiler.eligible_sql(clean, "bits")
        from django.db import connection

        with connection.cursor() as cursor:
            for h in rows:
                cursor.execute(
                    f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END FROM (SELECT %s AS bits) x",  # noqa: S608
                    [*params, h.bits],
                )
                assert bool(cursor.fetchone()[0]) == (h.registration_id in by_bits), tree

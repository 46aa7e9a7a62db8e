"""Beneficiary lists: quotas and ranking, manual inclusion and exclusion with reasons,
the snapshot that registry edits do not change, the two-person approval and the rest of
the life of a list."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.core.models import StatusTransition
from sanad.registry.models import Household, ShelterType
from sanad.registry.services import household_update
from sanad.targeting import selectors, services
from sanad.targeting.models import BeneficiaryList, ListEntry, ManualDecision
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
from tests.registry.factories import registrar
from tests.targeting.conftest import (
    all_of,
    built,
    cond,
    household,
    included_ids,
    make_list,
    weighted_model,
    widow_with_children,
)

pytestmark = pytest.mark.django_db

BY_SIZE = [("Size", cond("size", "gte", 1), 0)]


def by_size_model(user: Any) -> Any:
    """Points = a point per size step (several criteria), so larger households rank first."""
    return weighted_model(user, [(f"Size {n}+", cond("size", "gte", n), 1) for n in range(2, 10)])


def test_households_are_ranked_by_score_and_quotas_keep_the_best_ranked(officer):
    camp_unit = subdistrict_in(DUHOK)
    families = {n: household(DUHOK, members=n, admin_unit=camp_unit) for n in (2, 3, 4, 5, 6)}
    version = by_size_model(officer)
    lst = built(
        officer, all_of(), version=version, quotas=[{"admin_unit": camp_unit.pcode, "max": 3}]
    )
    entries = {e.household_id: e for e in lst.entries.all()}
    ranks = {n: entries[h.pk].rank for n, h in families.items()}
    assert ranks == {6: 1, 5: 2, 4: 3, 3: 4, 2: 5}
    assert included_ids(lst) == {families[n].registration_id for n in (6, 5, 4)}
    assert entries[families[3].pk].outcome == ListEntry.Outcome.QUOTA
    assert entries[families[3].pk].quota_rank == 4
    assert lst.summary["quotas"][0] | {"id": 0} == {
        "id": 0,
        "where": str(camp_unit),
        "max": 3,
        "included": 3,
        "over_quota": 2,
    }


def test_a_place_quota_goes_before_an_admin_unit_quota_and_each_fills_on_its_own(officer):
    unit = subdistrict_in(DUHOK)
    site = PlaceFactory(admin_unit=unit, code="DUH-CAMP-1")
    in_camp = [household(DUHOK, members=n, admin_unit=unit, place=site) for n in (3, 4, 5)]
    outside = [household(DUHOK, members=n, admin_unit=unit) for n in (6, 7)]
    lst = built(
        officer,
        all_of(),
        version=by_size_model(officer),
        quotas=[{"place": str(site.public_id), "max": 1}, {"admin_unit": DUHOK, "max": 1}],
    )
    assert included_ids(lst) == {in_camp[2].registration_id, outside[1].registration_id}


def test_without_a_model_every_eligible_household_is_in_a_fixed_random_order(officer):
    families = [household(DUHOK) for _i in range(5)]
    first = built(officer, all_of())
    second = built(officer, all_of(), name="Again")
    order = lambda lst: list(lst.entries.order_by("rank").values_list("household_id", flat=True))  # noqa: E731
    assert order(first) == order(second)
    assert sorted(order(first)) == sorted(h.pk for h in families)


def test_manual_inclusion_and_exclusion_need_a_reason_and_show_in_the_list(officer):
    eligible = household(DUHOK, shelter_type=ShelterType.SCHOOL)
    not_eligible = household(DUHOK, shelter_type=ShelterType.RENTED)
    lst = make_list(officer, all_of(cond("critical_shelter", "is_true")))
    with pytest.raises(ValidationFailed) as caught:
        services.decision_set(
            lst=lst, user=officer, household=eligible, decision="exclude", reason="  "
        )
    assert "reason" in caught.value.fields
    services.decision_set(
        lst=lst,
        user=officer,
        household=eligible.registration_id,
        decision="exclude",
        reason="Left the camp in May (verified).",
    )
    services.decision_set(
        lst=lst,
        user=officer,
        household=not_eligible,
        decision="include",
        reason="Roof collapsed last week; assessed by the shelter team.",
    )
    services.list_build(lst=lst, user=officer)
    entries = {e.household_id: e for e in lst.entries.all()}
    assert entries[eligible.pk].outcome == ListEntry.Outcome.MANUAL_OUT
    assert not entries[eligible.pk].included
    assert entries[not_eligible.pk].outcome == ListEntry.Outcome.MANUAL_IN
    assert entries[not_eligible.pk].included and not entries[not_eligible.pk].eligible
    assert lst.summary["by_outcome"] == {"manual_in": 1, "manual_out": 1}
    reasons = dict(ManualDecision.objects.filter(list=lst).values_list("household_id", "reason"))
    assert reasons[eligible.pk] == "Left the camp in May (verified)."
    services.decision_remove(lst=lst, user=officer, household=eligible.registration_id)
    services.list_build(lst=lst, user=officer)
    assert lst.entries.get(household=eligible).outcome == ListEntry.Outcome.INCLUDED


def test_a_manual_exclusion_frees_its_place_in_the_quota(officer):
    unit = subdistrict_in(DUHOK)
    big, middle = (
        household(DUHOK, members=6, admin_unit=unit),
        household(DUHOK, members=4, admin_unit=unit),
    )
    lst = make_list(
        officer,
        all_of(),
        version=by_size_model(officer),
        quotas=[{"admin_unit": unit.pcode, "max": 1}],
    )
    services.decision_set(
        lst=lst,
        user=officer,
        household=big,
        decision="exclude",
        reason="Duplicate of another registration.",
    )
    services.list_build(lst=lst, user=officer)
    assert included_ids(lst) == {middle.registration_id}


def test_households_outside_the_builders_scope_are_neither_decided_nor_considered(officer):
    household(DUHOK)
    erbil = household(ERBIL)
    lst = make_list(officer, all_of())
    with pytest.raises(NotFound):
        services.decision_set(
            lst=lst, user=officer, household=erbil, decision="include", reason="x"
        )
    services.list_build(lst=lst, user=officer)
    assert not lst.entries.filter(household=erbil).exists()
    assert lst.summary["considered"] == 1


def test_the_area_limits_the_households_considered(officer):
    from sanad.geo.models import AdminUnit

    units = list(AdminUnit.objects.filter(level=3, governorate__pcode=DUHOK).order_by("pcode"))
    here = units[0]
    there = next(u for u in units if u.parent_id != here.parent_id)
    inside, outside = household(DUHOK, admin_unit=here), household(DUHOK, admin_unit=there)
    lst = built(officer, all_of(), area=(here.parent.pcode,))
    assert set(lst.entries.values_list("household_id", flat=True)) == {inside.pk}
    assert outside.pk not in set(lst.entries.values_list("household_id", flat=True))


# --- the snapshot -------------------------------------------------------------------------
def test_registry_edits_after_locking_change_nothing_on_the_list(officer, manager):
    in_school = household(DUHOK, members=4, shelter_type=ShelterType.SCHOOL)
    renting = household(DUHOK, members=4, shelter_type=ShelterType.RENTED)
    lst = built(
        officer, all_of(cond("critical_shelter", "is_true")), version=by_size_model(officer)
    )
    services.list_lock(lst=lst, user=officer)
    before = list(lst.entries.order_by("household_id").values())
    household_update(
        user=registrar(), household=in_school, data={"shelter_type": ShelterType.RENTED}
    )
    household_update(user=registrar(), household=renting, data={"shelter_type": ShelterType.SCHOOL})
    Household.objects.filter(pk=in_school.pk).update(size=1)
    services.list_approve(lst=lst, user=manager)
    lst.refresh_from_db()
    assert list(lst.entries.order_by("household_id").values()) == before
    assert included_ids(lst) == {in_school.registration_id}
    # The explanation tells that the record changed since.
    entry = selectors.entry_get(user=officer, lst=lst, household_public_id=in_school.public_id)
    explained = selectors.explanation(user=officer, lst=lst, entry=entry)
    assert explained["changed_since"]
    assert explained["rows"][1]["met"] is True and explained["rows"][1]["now_met"] is False


def test_locking_freezes_the_build_that_was_reviewed_unless_the_list_changed_since(officer):
    first = household(DUHOK)
    lst = built(officer, all_of())
    built_at = lst.built_at
    household(DUHOK)  # registered after the review
    services.list_lock(lst=lst, user=officer)
    lst.refresh_from_db()
    assert lst.built_at == built_at and lst.summary["considered"] == 1
    services.list_reopen(lst=lst, user=officer, reason="Add the households registered this week")
    services.decision_set(
        lst=lst, user=officer, household=first, decision="exclude", reason="Moved to Erbil."
    )
    services.list_lock(lst=lst, user=officer)  # a decision changed: built again first
    lst.refresh_from_db()
    assert lst.built_at > built_at and lst.summary["considered"] == 2


def test_a_list_must_be_a_draft_to_be_built_or_changed(officer):
    household(DUHOK)
    lst = built(officer, all_of())
    services.list_lock(lst=lst, user=officer)
    with pytest.raises(Conflict):
        services.list_build(lst=lst, user=officer)
    with pytest.raises(Conflict):
        services.list_update(lst=lst, user=officer, name="Renamed")
    with pytest.raises(Conflict):
        services.decision_set(
            lst=lst, user=officer, household=household(DUHOK), decision="include", reason="x"
        )


# --- two people -----------------------------------------------------------------------------
def test_the_person_who_locked_a_list_cannot_approve_it(officer, manager):
    household(DUHOK)
    lst = built(officer, all_of())
    services.list_lock(lst=lst, user=officer)
    with pytest.raises(PermissionDenied) as caught:
        services.list_approve(lst=lst, user=officer)
    assert caught.value.code == "same_person"
    lst.refresh_from_db()
    assert lst.status == BeneficiaryList.Status.LOCKED
    services.list_approve(lst=lst, user=manager, reason="Checked against the camp lists")
    lst.refresh_from_db()
    assert lst.status == BeneficiaryList.Status.APPROVED
    assert (lst.locked_by, lst.approved_by) == (officer, manager)


def test_approving_needs_the_approval_permission(officer, imo):
    household(DUHOK)
    lst = built(imo, all_of())
    services.list_lock(lst=lst, user=imo)
    field_staff = make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    for user in (field_staff, make_user("im_officer", governorates=(DUHOK,), programmes=("NFI",))):
        with pytest.raises(PermissionDenied):
            services.list_approve(lst=lst, user=user)
    services.list_approve(lst=lst, user=officer)


def test_a_list_goes_draft_locked_approved_in_use_closed_and_every_step_is_recorded(
    officer, manager
):
    hh = household(DUHOK)
    lst = built(officer, all_of())
    with pytest.raises(Conflict):
        selectors.list_households(lst)
    services.list_lock(lst=lst, user=officer, reason="Ready")
    with pytest.raises(InvalidTransition):
        services.list_mark_used(lst=lst, user=manager, used_by="distribution")
    services.list_approve(lst=lst, user=manager)
    assert list(selectors.list_households(lst)) == [hh]
    services.list_mark_used(lst=lst, user=manager, used_by="distribution")
    services.list_mark_used(
        lst=lst, user=manager, used_by="distribution"
    )  # a retry changes nothing
    with pytest.raises(ValidationFailed):
        services.list_close(lst=lst, user=manager, reason="")
    services.list_close(lst=lst, user=manager, reason="Distribution finished")
    steps = list(
        StatusTransition.objects.filter(object_pk=str(lst.pk), field="status").values_list(
            "from_state", "to_state", "reason"
        )
    )
    assert steps == [
        ("draft", "locked", "Ready"),
        ("locked", "approved", ""),
        ("approved", "in_use", "Used by distribution"),
        ("in_use", "closed", "Distribution finished"),
    ]


def test_reopening_and_cancelling_need_a_reason(officer):
    household(DUHOK)
    lst = built(officer, all_of())
    services.list_lock(lst=lst, user=officer)
    with pytest.raises(ValidationFailed):
        services.list_reopen(lst=lst, user=officer, reason="")
    services.list_reopen(lst=lst, user=officer, reason="Quota for Zakho was wrong")
    lst.refresh_from_db()
    assert lst.status == "draft" and lst.locked_by is None
    with pytest.raises(ValidationFailed):
        services.list_cancel(lst=lst, user=officer, reason=" ")
    services.list_cancel(lst=lst, user=officer, reason="Replaced by another list")
    with pytest.raises(Conflict):
        services.list_transition(lst=lst, user=officer, to="locked")


def test_links_must_belong_to_the_list_programme(officer, nfi):
    from tests.factories import ProjectFactory

    rule = services.rule_create(user=officer, programme=nfi, name="r", tree=all_of())
    shelter_project = ProjectFactory(programme__code="SHELTER")
    with pytest.raises(ValidationFailed) as caught:
        services.list_create(
            user=officer, name="x", programme=nfi, rule=rule, project=shelter_project
        )
    assert "project" in caught.value.fields


def test_a_list_summary_counts_by_governorate(officer):
    officer_all = make_user("programme_officer", programmes=("NFI",))
    household(DUHOK), household(DUHOK), household(ERBIL)
    lst = built(officer_all, all_of(cond("governorate", "eq", DUHOK)))
    rows = {r["pcode"]: (r["considered"], r["included"]) for r in lst.summary["by_governorate"]}
    assert rows == {DUHOK: (2, 2), ERBIL: (1, 0)}


def test_conditions_on_member_counts_decide_the_same_in_a_build_as_in_the_preview(officer):
    """A build computes each member count once and compares it outside the inner query;
    the preview compares it in place. Same households either way."""
    from sanad.registry.models import Household
    from sanad.targeting import compiler
    from sanad.targeting.fields import Context
    from tests.targeting.conftest import TODAY, any_of

    families = [widow_with_children(DUHOK, children=n) for n in (0, 1, 2, 3)] + [
        household(DUHOK, members=5)
    ]
    tree = all_of(
        cond("members_0_5", "gte", 1),
        any_of(cond("members_female_0_5", "between", [1, 1]), cond("members_0_5", "ne", 1)),
    )
    version = weighted_model(
        officer,
        [
            ("Two under six", cond("members_0_5", "gte", 2), 5),
            ("Girl under six", cond("members_female_0_5", "eq", 1), 1),
        ],
    )
    lst = built(officer, tree, version=version)
    clean, leaves = compiler.validate_tree(tree)
    previewed = set(
        Household.objects.filter(
            compiler.tree_q(clean, Context(as_of=TODAY)), pk__in=[h.pk for h in families]
        ).values_list("registration_id", flat=True)
    )
    assert included_ids(lst) == previewed and previewed
    for e in lst.entries.all():
        expected = [
            bool(Household.objects.filter(leaf.q(Context(as_of=TODAY)), pk=e.household_id).exists())
            for leaf in leaves
        ]
        assert compiler.met_of(e.met, leaves) == expected
    scores = {e.household_id: e.score for e in lst.entries.all()}
    assert scores[families[2].pk] == 6.0  # two children under six, the first a girl


def test_building_again_replaces_the_entries_and_on_postgresql_the_partition(officer):
    from django.db import connection

    household(DUHOK), household(DUHOK)
    lst = built(officer, all_of())
    services.list_build(lst=lst, user=officer)
    services.list_build(lst=lst, user=officer)
    assert lst.entries.count() == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'targeting_listentry'::regclass"
            )
            assert cursor.fetchone()[0] == 1


def test_the_households_page_sorts_by_each_column(officer):
    from tests.conftest import client_for

    for n in (2, 3, 4):
        household(DUHOK, members=n)
    lst = built(officer, all_of(), version=by_size_model(officer))
    web = client_for(officer)
    for sort in ("rank", "-score", "registration_id", "-size"):
        response = web.get(f"/targeting/lists/{lst.public_id}/households/?show=all&sort={sort}")
        assert response.status_code == 200, sort
    body = web.get(
        f"/targeting/lists/{lst.public_id}/households/?show=all&sort=-size"
    ).content.decode()
    sizes = [int(x) for x in re.findall(r'<td class="text-end hide-sm">(\d+)</td>', body)]
    assert sizes == sorted(sizes, reverse=True)

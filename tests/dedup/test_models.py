"""The deduplication records: what the database itself refuses, the allowed status
changes, and the audit trail."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from sanad.core import audit
from sanad.core.errors import InvalidTransition, ValidationFailed
from sanad.dedup.models import (
    DedupRun,
    DedupSettings,
    HouseholdMerge,
    MatchPair,
    PairDecision,
)
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


def _run(**kw):
    return DedupRun.objects.create(
        kind=DedupRun.Kind.REGISTRY, flag_threshold=0.95, review_threshold=0.5, **kw
    )


def _pair(run, a, b, **kw):
    return MatchPair.objects.create(
        run=run,
        left_individual=a.members.first(),
        right_individual=b.members.first(),
        left_household=a,
        right_household=b,
        probability=kw.pop("probability", 0.8),
        band=MatchPair.Band.REVIEW,
        **kw,
    )


def test_a_rejection_is_stored_once_per_unordered_pair_of_people():
    a, b = make_household(members=1), make_household(members=1)
    low, high = sorted([a.members.first(), b.members.first()], key=lambda m: m.pk)
    PairDecision.objects.create(individual_low=low, individual_high=high)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairDecision.objects.create(individual_low=low, individual_high=high)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairDecision.objects.create(individual_low=high, individual_high=low)


def test_a_household_is_merged_away_once_at_a_time():
    a, b, c = (make_household(members=1) for _ in range(3))
    first = HouseholdMerge.objects.create(survivor=a, duplicate=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMerge.objects.create(survivor=c, duplicate=b)
    first.undone_at = first.merged_at
    first.save()
    assert HouseholdMerge.objects.create(survivor=c, duplicate=b).pk


def test_thresholds_must_be_ordered_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        DedupSettings.objects.create(flag_threshold=0.5, review_threshold=0.9)
    with pytest.raises(IntegrityError), transaction.atomic():
        DedupSettings.objects.create(flag_threshold=1.2, review_threshold=0.9)
    assert DedupSettings.objects.create(flag_threshold=0.9, review_threshold=0.9).pk


def test_a_pair_is_rejected_only_with_a_reason_and_a_rejection_is_final():
    a, b = make_household(members=1), make_household(members=1)
    pair = _pair(_run(), a, b)
    with pytest.raises(ValidationFailed):
        MatchPair.STATUS_MACHINE.transition(pair, to="rejected", reason="")
    MatchPair.STATUS_MACHINE.transition(pair, to="rejected", reason="brothers")
    for target in ("pending", "confirmed", "superseded"):
        with pytest.raises(InvalidTransition):
            MatchPair.STATUS_MACHINE.transition(pair, to=target, reason="x")


def test_a_confirmed_pair_goes_back_to_review_when_its_merge_is_undone():
    a, b = make_household(members=1), make_household(members=1)
    pair = _pair(_run(), a, b, probability=0.973)
    assert pair.percent == 97.3
    MatchPair.STATUS_MACHINE.transition(pair, to="confirmed")
    MatchPair.STATUS_MACHINE.transition(pair, to="pending", reason="undone")
    assert [t.to_state for t in MatchPair.STATUS_MACHINE.history(pair)] == ["confirmed", "pending"]


def test_a_run_goes_queued_running_done_or_failed():
    run = _run()
    assert not run.is_finished and not run.is_link
    DedupRun.STATUS_MACHINE.transition(run, to="running")
    DedupRun.STATUS_MACHINE.transition(run, to="done")
    assert run.is_finished
    with pytest.raises(InvalidTransition):
        DedupRun.STATUS_MACHINE.transition(run, to="running")
    assert DedupRun(kind=DedupRun.Kind.LINK_FILES).is_link


def test_dedup_records_are_in_the_audit_trail_with_compared_values_masked():
    registered = {m._meta.label for m in audit.registered_models()}
    assert {
        "dedup.DedupRun",
        "dedup.MatchPair",
        "dedup.PairDecision",
        "dedup.HouseholdMerge",
        "dedup.DedupSettings",
    } <= registered
    assert "contributions" in MatchPair.PERSONAL_FIELDS

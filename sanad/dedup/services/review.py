"""Review: confirm a pair (merge the two households), reject it (remembered, never
proposed again), undo a merge."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.core.scoping import has_permission, scoped
from sanad.dedup import selectors
from sanad.dedup.models import (
    REVIEW,
    HouseholdMerge,
    MatchPair,
    PairDecision,
)
from sanad.dedup.services.runs import supersede
from sanad.registry.models import Household
from sanad.registry.services import household_merge, household_unmerge


def _require_review(user: Any, *households: Household) -> None:
    if not has_permission(user, REVIEW):
        raise PermissionDenied()
    reachable = set(
        scoped(
            Household.objects.filter(pk__in=[h.pk for h in households]), user, REVIEW
        ).values_list("pk", flat=True)
    )
    if any(h.pk not in reachable for h in households):
        raise NotFound()


def _reviewed(pair: MatchPair, user: Any, reason: str) -> None:
    pair.reviewed_by = user if getattr(user, "pk", None) else None
    pair.reviewed_at = timezone.now()
    pair.reason = reason


_REVIEW_FIELDS = ["reviewed_by", "reviewed_at", "reason"]


def _survivor_of(pair: MatchPair, survivor: Household | Any | None) -> tuple[Household, Household]:
    left, right = pair.left_household, pair.right_household
    if survivor is None:
        # The first registration is kept: the later one is the re-registration.
        keep = left if (left.created_at, left.pk) <= (right.created_at, right.pk) else right
    else:
        wanted = str(getattr(survivor, "public_id", survivor))
        keep = {str(left.public_id): left, str(right.public_id): right}.get(wanted)  # type: ignore[assignment]
        if keep is None:
            message = _("Choose one of the pair's two households to keep.")
            raise ValidationFailed(message, fields={"survivor": [message]})
    return keep, (right if keep.pk == left.pk else left)


def pair_confirm(
    *, pair: MatchPair, user: Any, survivor: Household | Any | None = None, reason: str = ""
) -> HouseholdMerge:
    """Confirm that the pair is one person, so their households are one family: merge
    the other household into `survivor` (by default the first registered), with every
    pending pair between the two households as the matched members. Confirming again
    (a retried request) returns the same merge and changes nothing."""
    _require_review(user, pair.left_household, pair.right_household)
    reason = (reason or "").strip() or _("Confirmed as the same family in the duplicate review.")
    try:
        with transaction.atomic():
            return _confirm(pair, user, survivor, reason)
    except IntegrityError as exc:  # another reviewer merged the household at the same moment
        existing = _active_merge_of(pair)
        if existing is not None:
            return existing
        raise Conflict() from exc


def _active_merge_of(pair: MatchPair) -> HouseholdMerge | None:
    return (
        HouseholdMerge.objects.filter(
            undone_at__isnull=True,
            duplicate_id__in=[pair.left_household_id, pair.right_household_id],
            survivor_id__in=[pair.left_household_id, pair.right_household_id],
        )
        .order_by("-pk")
        .first()
    )


def _confirm(pair: MatchPair, user: Any, survivor: Any, reason: str) -> HouseholdMerge:
    pair = (
        MatchPair.objects.select_for_update()
        .select_related("left_household", "right_household")
        .get(pk=pair.pk)
    )
    existing = _active_merge_of(pair)
    if pair.status == MatchPair.Status.CONFIRMED and existing is not None:
        return existing
    if pair.status != MatchPair.Status.PENDING:
        raise InvalidTransition(
            _("This pair was already reviewed: %(status)s.")
            % {"status": pair.get_status_display()},
            code="already_reviewed",
        )
    keep, other = _survivor_of(pair, survivor)
    group = list(
        MatchPair.objects.select_for_update()
        .filter(selectors.between(keep, other), status=MatchPair.Status.PENDING)
        .order_by("-probability", "pk")
    )
    if existing is None:
        snapshot = household_merge(
            survivor=keep,
            duplicate=other,
            user=user,
            reason=reason,
            pairs=[(p.left_individual_id, p.right_individual_id) for p in group],
        )
        merge = HouseholdMerge.objects.create(
            survivor=keep,
            duplicate=other,
            merged_by=user if getattr(user, "pk", None) else None,
            reason=reason,
            snapshot=snapshot,
        )
    else:
        merge = existing  # the two households were merged meanwhile through another pair
    merge.pairs.add(*group)
    for p in group:
        _reviewed(p, user, reason)
        MatchPair.STATUS_MACHINE.transition(
            p, to=MatchPair.Status.CONFIRMED, by=user, reason=reason, extra_updates=_REVIEW_FIELDS
        )
    # Pairs between the merged household and third households: compare the family as it
    # is now (run again) rather than against a record that was merged away.
    others = list(
        MatchPair.objects.filter(
            selectors.involving(merge.duplicate_id), status=MatchPair.Status.PENDING
        ).values_list("pk", flat=True)
    )
    if others:
        supersede(
            others,
            by=user,
            reason=_("Household %(old)s was merged into %(new)s.")
            % {"old": merge.duplicate.registration_id, "new": merge.survivor.registration_id},
        )
    return merge


def pair_reject(*, pair: MatchPair, user: Any, reason: str) -> list[MatchPair]:
    """Record that the pair's households are not one family: every pending pair between
    them is rejected and remembered, so no later run proposes them again."""
    _require_review(user, pair.left_household, pair.right_household)
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why these are not the same people (for example: brothers, twins).")
        raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
    with transaction.atomic():
        current = MatchPair.objects.select_for_update().get(pk=pair.pk)
        if current.status == MatchPair.Status.REJECTED:
            return [current]
        if current.status != MatchPair.Status.PENDING:
            raise InvalidTransition(
                _("This pair was already reviewed: %(status)s.")
                % {"status": current.get_status_display()},
                code="already_reviewed",
            )
        group = list(
            MatchPair.objects.select_for_update()
            .filter(
                selectors.between(pair.left_household_id, pair.right_household_id),
                status=MatchPair.Status.PENDING,
            )
            .order_by("-probability", "pk")
        )
        actor = user if getattr(user, "pk", None) else None
        for p in group:
            _reviewed(p, user, reason)
            MatchPair.STATUS_MACHINE.transition(
                p,
                to=MatchPair.Status.REJECTED,
                by=user,
                reason=reason,
                extra_updates=_REVIEW_FIELDS,
            )
            low, high = sorted((p.left_individual_id, p.right_individual_id))
            PairDecision.objects.get_or_create(
                individual_low_id=low,
                individual_high_id=high,
                defaults={
                    "pair": p,
                    "decided_by": actor,
                    "reason": reason,
                    "decision": PairDecision.Decision.REJECTED,
                },
            )
    return group


def merge_undo(*, merge: HouseholdMerge, user: Any, reason: str) -> HouseholdMerge:
    """Undo a merge: the merged household comes back as it was, and the pairs that
    justified the merge wait for review again. Undoing twice changes nothing."""
    _require_review(user, merge.survivor, merge.duplicate)
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the merge is undone.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
    with transaction.atomic():
        merge = HouseholdMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            return merge
        household_unmerge(snapshot=merge.snapshot, user=user, reason=reason)
        merge.undone_at = timezone.now()
        merge.undone_by = user if getattr(user, "pk", None) else None
        merge.undo_reason = reason
        merge.save(update_fields=["undone_at", "undone_by", "undo_reason", "updated_at"])
        for p in merge.pairs.filter(status=MatchPair.Status.CONFIRMED):
            _reviewed(p, None, "")
            MatchPair.STATUS_MACHINE.transition(
                p,
                to=MatchPair.Status.PENDING,
                by=user,
                reason=_("The merge was undone: %(reason)s") % {"reason": reason},
                extra_updates=_REVIEW_FIELDS,
            )
    return merge

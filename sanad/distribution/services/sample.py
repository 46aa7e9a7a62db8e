"""Post-distribution monitoring: a random sample of the households that received,
stratified by event place.

Why stratified: follow-up calls must hear from every site, not only the largest camp.
Each place with receipts gets its share of the sample in proportion to the households
served there (largest remainders), and at least one household. The seed is recorded:
the same seed over the same receipts draws the same households, so a sample can be
checked by someone else.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.distribution.models import (
    MANAGE,
    MonitoringSample,
    Plan,
    Receipt,
    SampledHousehold,
)
from sanad.distribution.services._common import require, text

MAX_SEED = 2**62


def allocate(sizes: dict[Any, int], size: int) -> dict[Any, int]:
    """Proportional allocation of `size` over strata of `sizes`, at least one each,
    never more than a stratum holds (largest remainders for the rest)."""
    total = sum(sizes.values())
    if size >= total:
        return dict(sizes)
    shares = {k: size * n / total for k, n in sizes.items()}
    alloc = {k: min(n, max(1, int(shares[k]))) for k, n in sizes.items()}
    order = sorted(sizes, key=lambda k: (-(shares[k] - int(shares[k])), -sizes[k], str(k)))
    while sum(alloc.values()) < size:
        grew = False
        for k in order:
            if sum(alloc.values()) >= size:
                break
            if alloc[k] < sizes[k]:
                alloc[k] += 1
                grew = True
        if not grew:
            break
    while sum(alloc.values()) > size:  # the minimum of one per place pushed it over
        k = max((k for k in alloc if alloc[k] > 1), key=lambda k: (alloc[k], str(k)))
        alloc[k] -= 1
    return alloc


def sample_draw(*, user: Any, plan: Plan, size: int, seed: int | None = None) -> MonitoringSample:
    """Draw a monitoring sample of `size` households among those with a receipt in the
    plan's events, stratified by event place."""
    require(user, plan, MANAGE)
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = 0
    if size < 1:
        message = _("Give the number of households to draw, at least 1.")
        raise ValidationFailed(message, fields={"size": [message]})
    if seed is None:
        seed = random.SystemRandom().randrange(MAX_SEED)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        seed = -1
    if not 0 <= seed < MAX_SEED:
        message = _("The seed must be a whole number from 0 to %(max)s.") % {"max": MAX_SEED - 1}
        raise ValidationFailed(message, fields={"seed": [message]})
    strata: dict[int, list[tuple[int, int]]] = defaultdict(list)
    seen: set[int] = set()
    for household_id, event_id, place_id in (
        Receipt.objects.filter(event__plan=plan, status=Receipt.Status.RECEIVED)
        .order_by("household_id", "received_at", "pk")
        .values_list("household_id", "event_id", "event__place_id")
    ):
        if household_id in seen:
            continue
        seen.add(household_id)
        strata[place_id].append((household_id, event_id))
    if not strata:
        message = _("No household has received a kit in this plan yet: there is no one to sample.")
        raise ValidationFailed(message, code="nothing_to_sample", fields={"size": [message]})
    if size < len(strata):
        message = _("The sample needs at least one household per place: draw at least %(n)d.") % {
            "n": len(strata)
        }
        raise ValidationFailed(message, fields={"size": [message]})
    alloc = allocate({place: len(rows) for place, rows in strata.items()}, size)
    rng = random.Random(seed)
    chosen: list[tuple[int, int]] = []
    for place in sorted(strata):
        chosen.extend(rng.sample(strata[place], alloc[place]))
    actor = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        sample = MonitoringSample.objects.create(
            plan=plan, size=len(chosen), seed=seed, created_by=actor, updated_by=actor
        )
        SampledHousehold.objects.bulk_create(
            [SampledHousehold(sample=sample, household_id=h, event_id=e) for h, e in chosen]
        )
    return sample


def sample_call_record(
    *,
    user: Any,
    row: SampledHousehold,
    outcome: str,
    satisfied: bool | None = None,
    notes: str = "",
) -> SampledHousehold:
    """Record what a follow-up call found for one sampled household: reached or not,
    satisfied with the kit or not (unknown when not asked), notes. Recorded again
    when a household is called back."""
    require(user, row.sample.plan, MANAGE)
    if outcome not in SampledHousehold.Outcome.values:
        message = _("Choose the outcome of the call.")
        raise ValidationFailed(message, fields={"outcome": [message]})
    if satisfied is not None and not isinstance(satisfied, bool):
        message = _("Say whether the household was satisfied: yes, no or unknown.")
        raise ValidationFailed(message, fields={"satisfied": [message]})
    if outcome != SampledHousehold.Outcome.REACHED:
        satisfied = None  # only a household reached could say
    row.outcome = outcome
    row.satisfied = satisfied
    row.notes = text(notes, "notes")
    row.save(update_fields=["outcome", "satisfied", "notes"])
    return row

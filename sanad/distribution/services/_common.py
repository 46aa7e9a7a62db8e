"""What the distribution writes share: permission checks, quantities and texts, the
eligibility rules of distribution day and the recording of refusals.

Why the rules live in one function (`eligibility`): the phone asks them twice, once
when a household is found (`household_check`, to show the team the reason at once)
and once when the receipt is recorded (`receipt_record`, because the answer may have
changed in between: another device served the family, the event was closed). Both
must give the same reason in the same words.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.assistance import selectors as ledger
from sanad.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.distribution.models import Event, Plan, Receipt, Refusal
from sanad.registry.models import Household
from sanad.stock.models import Kit, Season
from sanad.targeting import selectors as targeting

MAX_TEXT = 2000
CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("1e9")

# Refusal codes (the phone shows the message; reports count them by code).
NOT_ON_LIST = "not_on_list"
ALREADY_RECEIVED = "already_received"
EVENT_NOT_OPEN = "event_not_open"
HOUSEHOLD_NOT_ACTIVE = "household_not_active"
SEASON_CLOSED = "season_closed"
ALREADY_RECEIVED_THIS_SEASON = "already_received_this_season"
NO_ORIGINAL_KIT = "no_original_kit"
REFUSAL_CODES = (
    NOT_ON_LIST,
    ALREADY_RECEIVED,
    EVENT_NOT_OPEN,
    HOUSEHOLD_NOT_ACTIVE,
    SEASON_CLOSED,
    ALREADY_RECEIVED_THIS_SEASON,
    NO_ORIGINAL_KIT,
)
# Refusals that describe the state of the world (409) rather than the household (400).
_CONFLICTS = frozenset({ALREADY_RECEIVED, EVENT_NOT_OPEN, ALREADY_RECEIVED_THIS_SEASON})


# --- permissions ---------------------------------------------------------------------------
def require(user: Any, obj: Any, permission: str) -> None:
    """The user holds `permission` in a role whose scope reaches `obj`."""
    if not has_permission(user, permission) or not can_reach(user, obj, permission):
        raise PermissionDenied()


def require_any(user: Any, obj: Any, permissions: tuple[str, ...]) -> None:
    for permission in permissions:
        if has_permission(user, permission) and can_reach(user, obj, permission):
            return
    raise PermissionDenied()


# --- values --------------------------------------------------------------------------------
def fmt(value: Decimal) -> str:
    """2.00 → "2": quantities in sentences people read."""
    return f"{Decimal(value).normalize():f}"


def quantity(value: Any, field_name: str, *, allow_zero: bool = False) -> Decimal:
    """A quantity of kits: a number, at most two decimals, above zero (or zero)."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite():
        message = _("Write the quantity as a number, such as 1.")
        raise ValidationFailed(message, fields={field_name: [message]})
    if number < 0 or (number == 0 and not allow_zero):
        message = (
            _("The quantity cannot be negative.")
            if allow_zero
            else _("The quantity must be above zero.")
        )
        raise ValidationFailed(message, fields={field_name: [message]})
    if number > MAX_QUANTITY or number != number.quantize(CENT):
        message = _("Write the quantity with at most two decimals, below one billion.")
        raise ValidationFailed(message, fields={field_name: [message]})
    return number.quantize(CENT)


def text(value: Any, field_name: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    result = str(value or "").strip()
    if required and not result:
        message = _("This is required.")
        raise ValidationFailed(message, fields={field_name: [message]})
    if len(result) > limit:
        message = _("Keep this under %(n)d characters.") % {"n": limit}
        raise ValidationFailed(message, fields={field_name: [message]})
    return result


def local_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def who(user: Any) -> str:
    return str(user) if user is not None else _("someone")


# --- seasons -------------------------------------------------------------------------------
def season_on(*, kind: str, day: datetime.date) -> Season | None:
    """The season window of `kind` that contains `day` (the latest-starting one when
    two overlap)."""
    return (
        Season.objects.filter(kind=kind, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on")
        .first()
    )


def season_closed_message(kit: Kit, day: datetime.date) -> str:
    return _(
        "%(kit)s is a %(kind)s kit: it is distributed only inside a %(kind)s season, and no "
        "season window includes %(date)s. Ask the catalogue manager to set the season, or "
        "choose another date."
    ) % {"kit": kit.name, "kind": kit.get_kind_display().lower(), "date": day.isoformat()}


# --- eligibility ---------------------------------------------------------------------------
@dataclass
class Verdict:
    """The answer of the rules for one household at one event."""

    household: Household  # the household served: the one a merged household lives on as
    found: Household  # what the team scanned or searched
    code: str = ""
    message: str = ""
    receipt: Receipt | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.code


def family_ids(household: Household) -> list[int]:
    """The household and the households merged into it (a list built before a merge
    names the household that was merged away)."""
    ids = [household.pk]
    frontier = [household.pk]
    for _step in range(ledger.MERGE_DEPTH):
        frontier = list(
            Household.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids


def _plan_receipt(event: Event, ids: list[int]) -> Receipt | None:
    return (
        Receipt.objects.filter(
            event__plan_id=event.plan_id, household_id__in=ids, status=Receipt.Status.RECEIVED
        )
        .select_related("event__place", "created_by")
        .order_by("received_at")
        .first()
    )


def _event_not_open(event: Event) -> str:
    if event.status == Event.Status.PLANNED:
        return _(
            "This distribution has not started: no kits have been dispatched to it yet. "
            "Dispatch the kits first."
        )
    if event.status == Event.Status.CLOSED:
        return _("This distribution is closed: no more receipts can be recorded.")
    return _("This distribution was cancelled: no receipts can be recorded.")


def already_received_message(receipt: Receipt) -> str:
    return _(
        "Household %(id)s already received its kit at this distribution at %(time)s, "
        "recorded by %(user)s."
    ) % {
        "id": receipt.household.registration_id,
        "time": local_time(receipt.received_at),
        "user": who(receipt.created_by),
    }


def eligibility(*, event: Event, household: Household) -> Verdict:
    """Apply the rules of distribution day to one household, in the order a team
    needs them: nothing can happen at a closed event; a merged household is served as
    the household it was merged into; then the list, what the family already received,
    the season and the replacement rule."""
    plan: Plan = event.plan
    kit: Kit = plan.kit
    found = household
    final = ledger.household_final(household)
    verdict = Verdict(household=final, found=found)

    if event.status != Event.Status.OPEN:
        verdict.code, verdict.message = EVENT_NOT_OPEN, _event_not_open(event)
        return verdict
    if final.status != Household.Status.ACTIVE:
        verdict.code = HOUSEHOLD_NOT_ACTIVE
        verdict.message = (
            _("Household %(id)s has withdrawn from the registry: it cannot receive assistance.")
            if final.status == Household.Status.WITHDRAWN
            else _(
                "Household %(id)s is inactive in the registry. Ask the registry team to "
                "reactivate it before it receives a kit."
            )
        ) % {"id": final.registration_id}
        return verdict

    ids = family_ids(final)
    existing = (
        Receipt.objects.filter(event=event, household_id__in=ids)
        .select_related("household", "created_by", "collected_by")
        .first()
    )
    if existing is not None:
        verdict.receipt = existing
        verdict.code, verdict.message = ALREADY_RECEIVED, already_received_message(existing)
        return verdict

    on_list = (
        targeting.list_households(plan.beneficiary_list, require_approved=False)
        .filter(pk__in=ids)
        .exists()
    )
    if not on_list:
        verdict.code = NOT_ON_LIST
        verdict.message = _(
            "Household %(id)s is not on the beneficiary list of this distribution "
            "(%(list)s). It cannot receive a kit here; refer the family to the help desk."
        ) % {"id": final.registration_id, "list": plan.beneficiary_list.name}
        return verdict

    elsewhere = _plan_receipt(event, ids)
    if elsewhere is not None:
        verdict.receipt = elsewhere
        verdict.code = ALREADY_RECEIVED
        verdict.message = _(
            "Household %(id)s already received its kit from this plan at %(place)s on "
            "%(date)s, recorded by %(user)s."
        ) % {
            "id": final.registration_id,
            "place": elsewhere.event.place.name,
            "date": elsewhere.event.date.isoformat(),
            "user": who(elsewhere.created_by),
        }
        return verdict

    if kit.seasonal:
        season = season_on(kind=kit.kind, day=event.date)
        if season is None:
            verdict.code, verdict.message = SEASON_CLOSED, season_closed_message(kit, event.date)
            return verdict
        codes = list(Kit.objects.filter(kind=kit.kind).values_list("code", flat=True))
        # Deliveries recorded after the season's end cannot exist for a current season
        # (the ledger refuses future dates); `since` is the start of the window.
        if any(
            ledger.has_received(household=final, item=code, since=season.starts_on)
            for code in codes
        ):
            verdict.code = ALREADY_RECEIVED_THIS_SEASON
            verdict.message = _(
                "Household %(id)s already received a %(kind)s kit this season (%(season)s): "
                "one per household per season."
            ) % {
                "id": final.registration_id,
                "kind": kit.get_kind_display().lower(),
                "season": season.name,
            }
            return verdict

    if kit.kind == Kit.Kind.REPLACEMENT:
        originals = list(kit.replaces.values_list("code", flat=True))
        if not any(
            ledger.has_received(household=final, item=code, since=datetime.date.min)
            for code in originals
        ):
            verdict.code = NO_ORIGINAL_KIT
            verdict.message = _(
                "%(kit)s replaces items of a kit this household never received "
                "(%(originals)s): its assistance history shows none. It cannot receive "
                "the replacement kit."
            ) % {"kit": kit.name, "originals": ", ".join(originals) or _("none set")}
            return verdict
    return verdict


def record_refusal(*, event: Event, verdict: Verdict, user: Any) -> None:
    """Keep the refusal (once per household, event and reason) so that the event report
    counts the families turned away and the feedback desk can follow up. Written in
    its own transaction: the error raised next must not roll it back."""
    household = verdict.household
    with transaction.atomic():
        if Refusal.objects.filter(event=event, household=household, code=verdict.code).exists():
            return
        Refusal.objects.create(
            event=event,
            household=household,
            code=verdict.code,
            message=str(verdict.message)[:300],
            by=user if getattr(user, "pk", None) else None,
        )


def refusal_error(verdict: Verdict) -> ApplicationError:
    """The error the API and pages show: its code is the refusal code, its message the
    reason in the user's language."""
    params = {"refusal": verdict.code, "household": verdict.household.registration_id}
    if verdict.receipt is not None:
        params["receipt"] = str(verdict.receipt.public_id)
    if verdict.code in _CONFLICTS:
        return Conflict(verdict.message, code=verdict.code, params=params)
    return ValidationFailed(
        verdict.message, code=verdict.code, fields={"household": [verdict.message]}, params=params
    )

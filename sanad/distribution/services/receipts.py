"""Distribution day: checking a household in and recording its receipt.

One receipt per household per event, even when two devices record the same family
at the same moment: the unique constraint (event, household) decides. The loser's
INSERT fails inside a savepoint; it reads the winner and answers "already received at
HH:MM, recorded by X" — unless it carries the winner's `client_key`, in which case it
is the same attempt retried (a phone that lost its connection) and the first receipt
is returned. Each receipt writes the assistance ledger in the same transaction, so a
receipt without its ledger record (or the reverse) cannot exist.

Receipts are not voided: the ledger has no reversal of a delivery (a record stays as
first written), so a void would leave the ledger and the event disagreeing.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.assistance.services import assistance_record
from sanad.core.errors import Conflict, ValidationFailed
from sanad.distribution.models import RECORD, Event, Receipt
from sanad.distribution.services._common import (
    ALREADY_RECEIVED,
    EVENT_NOT_OPEN,
    Verdict,
    already_received_message,
    eligibility,
    record_refusal,
    refusal_error,
    require,
)
from sanad.registry.models import Household, Individual

RECEIPT_SOURCE = "distribution.receipt"
FOUND_BY = ("qr", "search")
MAX_SIGNATURE = 400_000  # characters of a PNG data URI: a signature pad at phone size


def collectors_of(household: Household) -> list[Individual]:
    """Who may collect for the household: its head, then the members registered as
    alternate collectors (current members only)."""
    members = Individual.objects.filter(household=household, status=Individual.Status.ACTIVE)
    heads = [m for m in members if m.relationship == Individual.Relationship.HEAD]
    alternates = [
        m
        for m in members
        if m.is_alternate_collector and m.relationship != Individual.Relationship.HEAD
    ]
    return heads + sorted(alternates, key=lambda m: (m.date_of_birth, m.pk))


def _event(event: Event) -> Event:
    return Event.objects.select_related(
        "plan__kit", "plan__beneficiary_list", "plan__programme", "plan__project", "place"
    ).get(pk=event.pk)


def household_check(*, user: Any, event: Event, household: Household) -> dict[str, Any]:
    """What the phone shows once a household is scanned or found: may it receive, and
    if not, why (the refusal is kept for the event report); its head and the people
    allowed to collect; the receipt already recorded, if any."""
    require(user, event, RECORD)
    event = _event(event)
    verdict = eligibility(event=event, household=household)
    if not verdict.ok and _worth_keeping(verdict, event):
        record_refusal(event=event, verdict=verdict, user=user)
    final = verdict.household
    collectors = collectors_of(final)
    head = next((c for c in collectors if c.relationship == Individual.Relationship.HEAD), None)
    return {
        "ok": verdict.ok,
        "code": verdict.code,
        "message": str(verdict.message),
        "household": final,
        "found": verdict.found,
        "merged": verdict.found.pk != final.pk,
        "head": head,
        "collectors": collectors,
        "receipt": verdict.receipt,
    }


def _worth_keeping(verdict: Verdict, event: Event) -> bool:
    """A check keeps the refusals that say something about the household. Not a
    closed or planned event (nothing to do with the family), nor the re-scan of a
    family already served here (teams scan again to show the receipt)."""
    if verdict.code == EVENT_NOT_OPEN:
        return False
    return not (
        verdict.code == ALREADY_RECEIVED
        and verdict.receipt is not None
        and verdict.receipt.event_id == event.pk
    )


def _replay(receipt: Receipt, *, event: Event, household: Household) -> Receipt:
    """A receipt already recorded under this client key: the same attempt again (the
    first receipt), or a key reused for another family (a device bug: refuse)."""
    if receipt.event_id != event.pk or receipt.household_id != household.pk:
        raise Conflict(
            _(
                "This submission key was already used for another receipt. Reload the page "
                "and record the receipt again."
            ),
            code="client_key_reused",
        )
    receipt.replayed = True  # type: ignore[attr-defined]
    return receipt


def _clean(
    *, proof: str, signature: str, found_by: str, device: str, client_key: str | None
) -> tuple[str, str, str, str | None]:
    errors: dict[str, list[str]] = {}
    if proof not in Receipt.Proof.values:
        errors["proof"] = [
            _("Choose the proof of receipt: signature, thumbprint, or declared by the team.")
        ]
    signature = str(signature or "").strip()
    if signature and not signature.startswith("data:image/"):
        errors["signature"] = [_("The signature must be an image drawn on the device.")]
    elif len(signature) > MAX_SIGNATURE:
        errors["signature"] = [_("The signature image is too large. Clear it and sign again.")]
    elif proof == Receipt.Proof.SIGNATURE and not signature:
        errors["signature"] = [_("Ask the person to sign, or choose another proof of receipt.")]
    found_by = str(found_by or "search").strip()
    if found_by not in FOUND_BY:
        errors["found_by"] = [_("Say how the household was found: qr or search.")]
    device = str(device or "").strip()[:80]
    key = str(client_key).strip() if client_key else None
    if key is not None and (not key or len(key) > 64):
        errors["client_key"] = [_("The submission key must be 1 to 64 characters.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return signature, found_by, device, key


def _collector(household: Household, collected_by: Individual) -> str:
    if collected_by.household_id != household.pk or collected_by.status != Individual.Status.ACTIVE:
        message = _("This person is not a member of household %(id)s.") % {
            "id": household.registration_id
        }
        raise ValidationFailed(message, code="not_a_collector", fields={"collected_by": [message]})
    if collected_by.relationship == Individual.Relationship.HEAD:
        return Receipt.Collector.HEAD
    if collected_by.is_alternate_collector:
        return Receipt.Collector.ALTERNATE
    message = _(
        "Only the head of household or a registered alternate collector may collect the "
        "kit. Register this person as an alternate collector in the registry first."
    )
    raise ValidationFailed(message, code="not_a_collector", fields={"collected_by": [message]})


def _refuse(*, event: Event, verdict: Verdict, user: Any) -> Exception:
    record_refusal(event=event, verdict=verdict, user=user)
    return refusal_error(verdict)


def receipt_record(
    *,
    user: Any,
    event: Event,
    household: Household,
    collected_by: Individual,
    proof: str,
    signature: str = "",
    client_key: str | None = None,
    found_by: str = "search",
    device: str = "",
) -> Receipt:
    """Record that the household received its kit (the plan's kit × kits per household)
    and write the assistance ledger, in one transaction. Refusals are kept and raised
    with their code; a retry with the same `client_key` returns the first receipt (with
    `replayed = True`)."""
    require(user, event, RECORD)
    signature, found_by, device, key = _clean(
        proof=proof, signature=signature, found_by=found_by, device=device, client_key=client_key
    )
    event = _event(event)
    if key:
        first = Receipt.objects.filter(client_key=key).first()
        if first is not None:
            from sanad.assistance.selectors import household_final

            return _replay(first, event=event, household=household_final(household))
    verdict = eligibility(event=event, household=household)
    if not verdict.ok:
        raise _refuse(event=event, verdict=verdict, user=user)
    final = verdict.household
    collector = _collector(final, collected_by)
    plan = event.plan
    actor = user if getattr(user, "pk", None) else None
    receipt = Receipt(
        event=event,
        household=final,
        kit=plan.kit,
        quantity=plan.quantity_per_household,
        collected_by=collected_by,
        collector=collector,
        proof=proof,
        signature=signature,
        found_by=found_by,
        client_key=key,
        device=device,
        received_at=timezone.now(),
        created_by=actor,
        updated_by=actor,
    )
    try:
        with transaction.atomic():
            try:
                # The savepoint: the loser of a race keeps a usable transaction and
                # answers with the winner's receipt.
                with transaction.atomic():
                    receipt.save()
            except IntegrityError:
                winner = _winner(event=event, household=final, key=key)
                if winner is None:
                    raise
                if key and winner.client_key == key:
                    return _replay(winner, event=event, household=final)
                raise Conflict(
                    already_received_message(winner),
                    code=ALREADY_RECEIVED,
                    params={
                        "refusal": ALREADY_RECEIVED,
                        "household": final.registration_id,
                        "receipt": str(winner.public_id),
                    },
                ) from None
            # Only while the event is open: a closing that locked the row first wins.
            opened = Event.objects.filter(pk=event.pk, status=Event.Status.OPEN).update(
                distributed=F("distributed") + receipt.quantity
            )
            if opened != 1:
                event.refresh_from_db(fields=["status"])
                raise Conflict(
                    _("This distribution was closed meanwhile: no more receipts can be recorded."),
                    code=EVENT_NOT_OPEN,
                    params={"refusal": EVENT_NOT_OPEN, "household": final.registration_id},
                )
            assistance_record(
                user=user,
                household=final,
                programme=plan.programme,
                project=plan.project,
                kind="in_kind",
                item=plan.kit.code,
                quantity=receipt.quantity,
                unit="kit",
                delivered_on=event.date,
                place=event.place,
                source_type=RECEIPT_SOURCE,
                source_id=str(receipt.public_id),
                description=plan.name[:200],
                delivered_by=actor,
                permission=None,
            )
    except Conflict as exc:
        if exc.code == ALREADY_RECEIVED:
            record_refusal(
                event=event,
                verdict=Verdict(
                    household=final, found=household, code=exc.code, message=str(exc.message)
                ),
                user=user,
            )
        raise
    receipt.replayed = False  # type: ignore[attr-defined]
    return receipt


def _winner(*, event: Event, household: Household, key: str | None) -> Receipt | None:
    qs = Receipt.objects.select_related("household", "created_by")
    if key:
        by_key = qs.filter(client_key=key).first()
        if by_key is not None:
            return by_key
    return qs.filter(event=event, household=household).first()

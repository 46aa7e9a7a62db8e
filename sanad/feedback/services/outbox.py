"""The outbox: every message to a contact is queued here, and the `sanad outbox` workers
send it through the channel's adapter at the channel's rate.

- `message_queue` is the one way to send to a contact: it refuses an opted-out contact
  or one without a basis for communication (`contact_may_receive`).
- `outbox_process` does one pass: per channel, it claims due messages in batches
  (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite, one writer at a time, a conditional
  update), as many as the channel's token bucket allows, sends them (a few threads, one
  keep-alive HTTP client), and records each result: sent (external id) or delivered,
  retried with exponential back-off, or failed after `max_attempts`.
- The token bucket lives on the channel row (`tokens`, `tokens_at`), row-locked once per
  batch, so the rate limit holds across any number of workers and machines.
- A message claimed by a worker that died is in `sending` with `next_attempt_at` (the
  lease) in the past: the next pass claims it again.
- `message_status_update` records a delivery report; statuses only move forward.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import has_permission
from sanad.feedback.channels import Adapter, Outgoing, SendResult, adapter_for
from sanad.feedback.models import MANAGE_CAMPAIGN, REPLY, Campaign, Case, Channel, Contact, Message

logger = logging.getLogger(__name__)

BATCH = 200  # messages claimed at once by a worker
LEASE = timedelta(minutes=5)  # a claimed message is claimed again after this
MAX_BACKOFF = timedelta(hours=6)
BURST_SECONDS = 1.0  # the bucket holds one second of the rate (at least one message)
SEND_THREADS = int(os.environ.get("SANAD_OUTBOX_THREADS", "8"))

OUT = Message.Direction.OUT
STATUS = Message.Status


# --- queuing -----------------------------------------------------------------------------------
def default_channel() -> Channel | None:
    """The channel messages go through when none is given: the one named by the setting
    SANAD_FEEDBACK_DEFAULT_CHANNEL (its code), else the first active messaging channel."""
    code = getattr(settings, "SANAD_FEEDBACK_DEFAULT_CHANNEL", "") or os.environ.get(
        "SANAD_FEEDBACK_DEFAULT_CHANNEL", ""
    )
    active = Channel.objects.filter(active=True, kind__in=Channel.MESSAGING_KINDS)
    if code:
        found = active.filter(code=code).first()
        if found is not None:
            return found
    return active.order_by("pk").first()


def _answers_their_message(contact: Contact, reply_to: Message | None) -> bool:
    """A reply to what the person wrote to us: writing in is the basis for an answer,
    even without a recorded consent to campaigns (never after an opt-out)."""
    return (
        reply_to is not None
        and reply_to.direction == Message.Direction.IN
        and reply_to.contact_id == contact.pk
    )


def message_queue(
    *,
    contact: Contact,
    text: str,
    user: Any = None,
    channel: Channel | None = None,
    campaign: Campaign | None = None,
    case: Case | None = None,
    reply_to: Message | None = None,
    confirmation: bool = False,
) -> Message:
    """Queue one message to `contact` (the outbox sends it). Refused with the codes
    `empty_text`, `opted_out`, `no_consent`, `channel_cannot_send`; with a `user`, they
    need feedback.reply (feedback.manage_campaign for a campaign's message).

    `confirmation` is only for the short answer to an opt-out / opt-in keyword: it goes
    even to the contact who just opted out."""
    from sanad.feedback.services.contacts import contact_may_receive

    if user is not None:
        needed = MANAGE_CAMPAIGN if campaign is not None else REPLY
        if not has_permission(user, needed):
            raise PermissionDenied()
    text = (text or "").strip()
    if not text:
        refusal = _("Write the text of the message.")
        raise ValidationFailed(refusal, fields={"text": [refusal]}, code="empty_text")
    if not confirmation:
        may, reason = contact_may_receive(contact)
        if not may and not (reason == "no_consent" and _answers_their_message(contact, reply_to)):
            if reason == "opted_out":
                raise Conflict(
                    _("This person asked not to receive messages any more (opted out)."),
                    code="opted_out",
                )
            raise Conflict(
                _(
                    "There is no consent to send messages to this person. Record their "
                    "consent on the contact page first."
                ),
                code="no_consent",
            )
    channel = channel or (campaign.channel if campaign is not None else None) or default_channel()
    if channel is None or not channel.active or not channel.is_messaging:
        raise Conflict(
            _(
                "There is no active messaging channel to send this through. Ask a manager to "
                "set one up on the channels page."
            ),
            code="channel_cannot_send",
        )
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            contact=contact,
            channel=channel,
            direction=OUT,
            text=text,
            language=contact.language,
            status=STATUS.QUEUED,
            campaign=campaign,
            case=case,
            reply_to=reply_to,
            created_by=user if getattr(user, "pk", None) else None,
        )
        Contact.objects.filter(pk=contact.pk).update(last_message_at=now)
    contact.last_message_at = now
    return message


# --- the token bucket --------------------------------------------------------------------------
def _rate_per_second(channel: Channel) -> float:
    return max(channel.rate_per_minute, 1) / 60.0


def _capacity(channel: Channel) -> float:
    return max(1.0, _rate_per_second(channel) * BURST_SECONDS)


def _refill(channel: Channel, now: datetime) -> float:
    """Tokens in the bucket now (a channel never used starts full)."""
    if channel.tokens_at is None:
        return _capacity(channel)
    elapsed = max(0.0, (now - channel.tokens_at).total_seconds())
    return min(_capacity(channel), channel.tokens + elapsed * _rate_per_second(channel))


def seconds_until_token(channel: Channel, now: datetime | None = None) -> float:
    """How long until the channel may send one more message."""
    missing = 1.0 - _refill(channel, now or timezone.now())
    return 0.0 if missing <= 0 else missing / _rate_per_second(channel)


# --- claiming ----------------------------------------------------------------------------------
def _due(now: datetime) -> Q:
    return Q(status=STATUS.QUEUED, next_attempt_at__isnull=True) | Q(
        status__in=[STATUS.QUEUED, STATUS.SENDING], next_attempt_at__lte=now
    )


def _claim(channel_id: int, want: int) -> tuple[list[int], float]:
    """In one transaction: lock the channel row, refill its bucket, claim at most `want`
    due messages (as many as it holds tokens for), take their tokens. Returns the ids
    claimed and the seconds to wait for the next token when none was left."""
    with transaction.atomic():
        if connection.vendor == "sqlite":
            # Take SQLite's write lock first: the reads below then see the latest state
            # and no other worker can claim between them and the update.
            Channel.objects.filter(pk=channel_id).update(tokens=F("tokens"))
        channel = Channel.objects.select_for_update().get(pk=channel_id)
        # The time is read once the row is ours: read before waiting for the lock, it
        # could be older than the bucket's and the same interval would refill it twice.
        now = timezone.now()
        tokens = _refill(channel, now)
        take = min(want, math.floor(tokens + 1e-9))
        if take <= 0:
            wait = (1.0 - tokens) / _rate_per_second(channel)
            return [], max(wait, 0.001)
        candidates = (
            Message.objects.filter(_due(now), channel_id=channel_id, direction=OUT)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates[:take])
        if ids:
            Message.objects.filter(pk__in=ids).update(
                status=STATUS.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
            )
        channel.tokens = tokens - len(ids)
        channel.tokens_at = now
        Channel.objects.filter(pk=channel_id).update(
            tokens=channel.tokens, tokens_at=channel.tokens_at
        )
    return ids, 0.0


# --- sending -----------------------------------------------------------------------------------
@dataclass
class PassResult:
    """What one pass did, per channel code."""

    sent: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    retried: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    # Seconds until a channel with due messages gets its next token (0: none waiting).
    wait: float = 0.0

    @property
    def handled(self) -> int:
        return sum(sum(d.values()) for d in (self.sent, self.delivered, self.retried, self.failed))

    def add(self, bucket: dict[str, int], code: str, n: int) -> None:
        if n:
            bucket[code] = bucket.get(code, 0) + n


_adapters: dict[int, tuple[Any, Adapter]] = {}


def _adapter(channel: Channel, transport: httpx.BaseTransport | None) -> Adapter:
    """One adapter per channel and worker (keep-alive connections), rebuilt when the
    channel's settings change; a test's transport gets a fresh one."""
    if transport is not None:
        return adapter_for(channel, transport=transport)
    key = (channel.kind, repr(channel.config), channel.secret_env)
    cached = _adapters.get(channel.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    if cached is not None:
        cached[1].close()
    adapter = adapter_for(channel)
    _adapters[channel.pk] = (key, adapter)
    return adapter


_pool: ThreadPoolExecutor | None = None


def _send_all(adapter: Adapter, items: list[Outgoing]) -> list[SendResult]:
    """Send a batch from a few threads (a gateway answers in tens of milliseconds: one
    at a time, a worker would send a few dozen a second)."""
    global _pool
    if len(items) <= 1 or SEND_THREADS <= 1:
        return [adapter.send_guarded(m) for m in items]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="outbox-send")
    return list(_pool.map(adapter.send_guarded, items))


def _backoff(channel: Channel, attempts: int) -> timedelta:
    seconds = channel.retry_base_seconds * (2 ** max(attempts - 1, 0))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def _record(
    channel: Channel, rows: list[Message], results: list[SendResult], result: PassResult
) -> None:
    """Write the outcomes: one UPDATE per group of messages with the same new values
    (all the sent ones, all the delivered ones, the retries of one attempt with one
    error…), then the gateways' ids in one batched statement. Django's `bulk_update`
    builds a CASE per field and row: ~10 ms of Python per message here."""
    now = timezone.now()
    groups: dict[tuple[Any, ...], list[int]] = {}
    external: list[tuple[str, int]] = []
    for message, outcome in zip(rows, results, strict=True):
        values: tuple[Any, ...]
        if outcome.ok:
            if outcome.delivered:
                values = (("status", STATUS.DELIVERED), ("sent_at", now), ("delivered_at", now))
            else:
                values = (("status", STATUS.SENT), ("sent_at", now))
            values += (("next_attempt_at", None), ("last_error", ""))
            if outcome.external_id:
                external.append((outcome.external_id[:100], message.pk))
            result.add(result.delivered if outcome.delivered else result.sent, channel.code, 1)
        elif outcome.permanent or message.attempts >= channel.max_attempts:
            values = (
                ("status", STATUS.FAILED),
                ("failed_at", now),
                ("next_attempt_at", None),
                ("last_error", outcome.error[:300]),
            )
            result.add(result.failed, channel.code, 1)
        else:
            values = (
                ("status", STATUS.QUEUED),
                ("next_attempt_at", now + _backoff(channel, message.attempts)),
                ("last_error", outcome.error[:300]),
            )
            result.add(result.retried, channel.code, 1)
        groups.setdefault(values, []).append(message.pk)
    table = connection.ops.quote_name(Message._meta.db_table)
    with transaction.atomic():
        for values, ids in groups.items():
            Message.objects.filter(pk__in=ids, status=STATUS.SENDING).update(**dict(values))
        if external:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET external_id = %s WHERE id = %s",  # noqa: S608
                    external,
                )


def _send_batch(
    channel: Channel, ids: list[int], result: PassResult, transport: httpx.BaseTransport | None
) -> None:
    rows = list(
        Message.objects.filter(pk__in=ids, status=STATUS.SENDING)
        .select_related("contact")
        .only("id", "public_id", "text", "attempts", "contact__phone")
        .order_by("id")
    )
    items = [
        Outgoing(id=m.pk, public_id=str(m.public_id), phone=m.contact.phone, text=m.text)
        for m in rows
    ]
    adapter = _adapter(channel, transport)
    try:
        results = _send_all(adapter, items)
    finally:
        if transport is not None:
            adapter.close()
    _record(channel, rows, results, result)


def outbox_process(
    *,
    channel: Channel | None = None,
    limit: int = 10_000,
    batch: int = BATCH,
    transport: httpx.BaseTransport | None = None,
    result: PassResult | None = None,
) -> int:
    """One pass over the outbox: send what is due on each active messaging channel (or
    on `channel`), within its rate, at most `limit` messages. Returns how many messages
    were handled (sent, delivered, retried later or failed)."""
    result = result if result is not None else PassResult()
    channels = (
        [channel]
        if channel is not None
        else list(Channel.objects.filter(active=True, kind__in=Channel.MESSAGING_KINDS))
    )
    waits: list[float] = []
    for ch in channels:
        remaining = limit
        while remaining > 0:
            ids, wait = _claim(ch.pk, min(batch, remaining))
            if not ids:
                due = Message.objects.filter(_due(timezone.now()), channel=ch, direction=OUT)
                if wait and due.exists():
                    waits.append(wait)
                break
            remaining -= len(ids)
            ch.refresh_from_db(
                fields=["config", "secret_env", "max_attempts", "retry_base_seconds"]
            )
            _send_batch(ch, ids, result, transport)
    result.wait = min(waits) if waits else 0.0
    return result.handled


def outbox_due_count(*, channel: Channel | None = None) -> int:
    qs = Message.objects.filter(_due(timezone.now()), direction=OUT)
    if channel is not None:
        qs = qs.filter(channel=channel)
    return qs.count()


# --- delivery reports --------------------------------------------------------------------------
_FORWARD = {
    "sent": [STATUS.QUEUED, STATUS.SENDING],
    "delivered": [STATUS.QUEUED, STATUS.SENDING, STATUS.SENT, STATUS.FAILED],
    "failed": [STATUS.QUEUED, STATUS.SENDING, STATUS.SENT],
}


def message_status_update(
    *, channel: Channel, external_id: str, status: str, error: str = ""
) -> int:
    """Record a gateway's delivery report for the message(s) it knows as `external_id`.
    Statuses only move forward (a late "sent" after "delivered" changes nothing; a
    "delivered" after a "failed" is believed: the phone has it). Returns how many
    messages changed; an unknown id or status changes nothing."""
    if status not in _FORWARD or not external_id:
        return 0
    now = timezone.now()
    values: dict[str, Any] = {"status": status}
    if status == "sent":
        values.update(sent_at=now)
    elif status == "delivered":
        values.update(delivered_at=now, next_attempt_at=None)
    else:
        values.update(failed_at=now, next_attempt_at=None, last_error=(error or "")[:300])
    return Message.objects.filter(
        channel=channel,
        direction=OUT,
        external_id=str(external_id)[:100],
        status__in=_FORWARD[status],
    ).update(**values)


def messages_status_update(*, channel: Channel, reports: Iterable[Any]) -> int:
    return sum(
        message_status_update(
            channel=channel, external_id=r.external_id, status=r.status, error=r.error
        )
        for r in reports
    )

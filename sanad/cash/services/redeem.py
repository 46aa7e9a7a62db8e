"""Redeeming an e-voucher at a vendor: the one path of the phone page and the API.

Three guarantees, and how they are kept:

Never more than the balance
    The amount is taken by ONE conditional UPDATE, `balance = balance - amount WHERE
    status = 'active' AND balance >= amount`. The database evaluates the condition on
    the row it locks, so two cashiers (or two vendors) at the same moment are
    serialised on the voucher's row, and the second sees what the first left. A
    balance is never read, changed in Python and written back.
Never twice for one request
    A request carries an idempotency key, unique per vendor (a database constraint).
    The same key with the same body (sha256 of the canonical JSON of code and items)
    returns the stored answer and spends nothing; with another body it is refused.
    A new key is the common case, so the write is attempted without looking the key
    up: a key already used breaks the unique constraint, the whole transaction
    (balance included) rolls back and the stored answer is read. Two copies of one
    request racing each other end the same way. A request about to be refused (the
    voucher spent or cancelled since, the vendor suspended, …) first looks for a sale
    stored under its key, and answers with it if there is one.
All or nothing
    Balance, redemption, lines and the assistance ledger are written in one
    transaction. Fraud checks run after it commits (from the sale in memory, one
    query) and can never undo a sale.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.assistance import selectors as ledger
from sanad.assistance.services import assistance_record
from sanad.cash import selectors
from sanad.cash.models import REDEEM, CashPlan, Redemption, RedemptionLine, Vendor, Voucher
from sanad.cash.services._common import (
    code_normalise,
    code_tail,
    fmt_money,
    money,
    quantity,
    round_money,
    today,
)
from sanad.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.core.scoping import has_permission
from sanad.stock.models import Item

logger = logging.getLogger(__name__)

REDEMPTION_SOURCE = "cash.redemption"
CHANNELS = ("web", "api")
MAX_KEY = 80
MAX_LINES = 50
PIN_TRIES = 5
PIN_LOCK_SECONDS = 15 * 60

# Refusal codes: the phone page and the API show the message; vendor systems act on
# the code.
VOUCHER_NOT_FOUND = "voucher_not_found"
VOUCHER_CANCELLED = "voucher_cancelled"
VOUCHER_EXPIRED = "voucher_expired"
VOUCHER_SPENT = "voucher_spent"
WRONG_VENDOR = "wrong_vendor"
ITEM_NOT_ALLOWED = "item_not_allowed"
PIN_REQUIRED = "pin_required"
PIN_WRONG = "pin_wrong"
PIN_LOCKED = "pin_locked"
INSUFFICIENT_BALANCE = "insufficient_balance"
VENDOR_NOT_ACTIVE = "vendor_not_active"
NOT_VENDOR_STAFF = "not_vendor_staff"
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
IDEMPOTENCY_KEY_MISSING = "idempotency_key_missing"
INVALID_ITEMS = "invalid_items"
REFUSAL_CODES = (
    VOUCHER_NOT_FOUND,
    VOUCHER_CANCELLED,
    VOUCHER_EXPIRED,
    VOUCHER_SPENT,
    WRONG_VENDOR,
    ITEM_NOT_ALLOWED,
    PIN_REQUIRED,
    PIN_WRONG,
    PIN_LOCKED,
    INSUFFICIENT_BALANCE,
    VENDOR_NOT_ACTIVE,
    NOT_VENDOR_STAFF,
    IDEMPOTENCY_KEY_REUSED,
    IDEMPOTENCY_KEY_MISSING,
    INVALID_ITEMS,
)


# --- input -----------------------------------------------------------------------------------
class _Line:
    __slots__ = ("amount", "item", "quantity", "unit_price")

    def __init__(self, item: Item, qty: Decimal, unit_price: Decimal) -> None:
        self.item = item
        self.quantity = qty
        self.unit_price = unit_price
        self.amount = round_money(qty * unit_price)


def _lines(items: Any, vendor: Vendor | None = None) -> list[_Line]:
    """[{"item": code, "quantity": n, "unit_price": p}, …] → checked lines; every
    error at once, named items.<n>.<field>. Given the vendor, each item is read with
    the vendor's contracted price of today (`contract_price`, `contract_currency`, None
    without a contract) in the same query."""
    if not isinstance(items, list | tuple) or not items:
        message = _("Add at least one item bought, with its quantity and unit price.")
        raise ValidationFailed(message, code=INVALID_ITEMS, fields={"items": [message]})
    if len(items) > MAX_LINES:
        message = _("At most %(n)d item lines in one sale.") % {"n": MAX_LINES}
        raise ValidationFailed(message, code=INVALID_ITEMS, fields={"items": [message]})
    errors: dict[str, list[str]] = {}
    wanted: list[str] = []
    for row in items:
        value = row.get("item") if isinstance(row, Mapping) else None
        wanted.append(value.code if isinstance(value, Item) else str(value or "").strip())
    found = Item.objects.filter(code__in=set(wanted))
    if vendor is not None:
        found = selectors.with_contract_price(found, vendor=vendor, day=today())
    catalogue = {item.code: item for item in found}
    lines: list[_Line] = []
    for i, (row, code) in enumerate(zip(items, wanted, strict=True)):
        if not isinstance(row, Mapping):
            errors[f"items.{i}"] = [_("Each line needs an item, a quantity and a unit price.")]
            continue
        item = catalogue.get(code)
        if item is None or not item.active:
            errors[f"items.{i}.item"] = [
                _("“%(code)s” is not an item of the catalogue.") % {"code": code[:60]}
            ]
        qty = price = None
        try:
            qty = quantity(row.get("quantity"), f"items.{i}.quantity")
        except ValidationFailed as exc:
            errors.update(exc.fields)
        try:
            price = money(row.get("unit_price"), f"items.{i}.unit_price")
        except ValidationFailed as exc:
            errors.update(exc.fields)
        if item is not None and qty is not None and price is not None:
            lines.append(_Line(item, qty, price))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code=INVALID_ITEMS, fields=errors)
    return lines


def request_hash(code: str, lines: Iterable[_Line]) -> str:
    """sha256 of the canonical JSON of the request: the same sale typed the same way
    gives the same hash (2, "2" and "2.00" are one quantity)."""
    body = {
        "code": code,
        "items": [
            {
                "item": line.item.code,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
            }
            for line in lines
        ],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(value: Any) -> str:
    key = str(value or "").strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        message = _(
            "Each sale needs an idempotency key of 1 to %(n)d characters, new for each "
            "attempt (the page makes one; vendor systems send it as the Idempotency-Key header)."
        ) % {"n": MAX_KEY}
        raise ValidationFailed(
            message, code=IDEMPOTENCY_KEY_MISSING, fields={"idempotency_key": [message]}
        )
    return key


# --- refusals --------------------------------------------------------------------------------
def _cancelled(voucher: Voucher) -> Conflict:
    return Conflict(
        _(
            "This voucher was cancelled: it cannot be used. The family should ask the programme team."
        ),
        code=VOUCHER_CANCELLED,
    )


def _expired(voucher: Voucher) -> Conflict:
    return Conflict(
        _("This voucher expired on %(date)s: it cannot be used any more.")
        % {"date": voucher.expires_on.isoformat()},
        code=VOUCHER_EXPIRED,
        params={"expires_on": voucher.expires_on.isoformat()},
    )


def _spent(voucher: Voucher) -> Conflict:
    return Conflict(_("This voucher has been spent in full: its balance is 0."), code=VOUCHER_SPENT)


def _insufficient(voucher: Voucher, amount: Decimal) -> Conflict:
    return Conflict(
        _(
            "The sale comes to %(amount)s but the voucher's balance is %(balance)s. Remove "
            "items or lower the quantities so the total is at most %(balance)s."
        )
        % {
            "amount": fmt_money(amount, voucher.currency),
            "balance": fmt_money(voucher.balance, voucher.currency),
        },
        code=INSUFFICIENT_BALANCE,
        params={
            "balance": str(voucher.balance),
            "amount": str(amount),
            "currency": voucher.currency,
        },
    )


def _state_error(voucher: Voucher, amount: Decimal) -> ApplicationError | None:
    """Why this voucher cannot pay `amount` now, or None."""
    if voucher.status == Voucher.Status.CANCELLED:
        return _cancelled(voucher)
    if voucher.status == Voucher.Status.EXPIRED or voucher.expires_on < today():
        return _expired(voucher)
    if voucher.status == Voucher.Status.SPENT or voucher.balance <= 0:
        return _spent(voucher)
    if voucher.balance < amount:
        return _insufficient(voucher, amount)
    return None


def _mark_expired(voucher: Voucher) -> None:
    """An active voucher past its date is expired: recorded on its own (the error that
    follows must not roll it back)."""
    if voucher.status == Voucher.Status.ACTIVE and voucher.expires_on < today():
        with transaction.atomic():
            Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.ACTIVE).update(
                status=Voucher.Status.EXPIRED, updated_at=timezone.now()
            )


def _check_pin(voucher: Voucher, pin: Any) -> None:
    if not voucher.pin_hash:
        return
    lock = f"cash:pin-tries:{voucher.pk}"
    if (cache.get(lock) or 0) >= PIN_TRIES:
        raise PermissionDenied(
            _("The PIN was wrong %(n)d times: this voucher is locked for 15 minutes.")
            % {"n": PIN_TRIES},
            code=PIN_LOCKED,
        )
    pin = str(pin or "").strip()
    if not pin:
        message = _("This voucher needs its 4-digit PIN: ask the family for it.")
        raise ValidationFailed(message, code=PIN_REQUIRED, fields={"pin": [message]})
    if not check_password(pin, voucher.pin_hash):
        try:
            cache.add(lock, 0, PIN_LOCK_SECONDS)
            cache.incr(lock)
        except ValueError:
            cache.set(lock, 1, PIN_LOCK_SECONDS)
        message = _("The PIN is wrong. Ask the family to check it and type it again.")
        raise ValidationFailed(message, code=PIN_WRONG, fields={"pin": [message]})
    cache.delete(lock)


def _check_items(plan: CashPlan, lines: list[_Line]) -> None:
    allowed = set(plan.allowed_categories or ())
    if not allowed:
        return
    errors = {
        f"items.{i}.item": [
            _("%(item)s (%(category)s) cannot be bought with this voucher.")
            % {"item": line.item.name, "category": line.item.get_category_display()}
        ]
        for i, line in enumerate(lines)
        if line.item.category not in allowed
    }
    if errors:
        names = sorted(str(label) for value, label in Item.Category.choices if value in allowed)
        raise ValidationFailed(
            _("This voucher pays only for: %(categories)s. Remove the other items.")
            % {"categories": ", ".join(names)},
            code=ITEM_NOT_ALLOWED,
            fields=errors,
        )


# --- what is written -------------------------------------------------------------------------
def _contracted(voucher: Voucher, rate: Decimal, lines: list[_Line]) -> dict[int, Decimal]:
    """The vendor's contracted unit price of each item today (read with the items), in
    the voucher's currency (converted at the plan's rate when the contract is in the
    other one)."""
    result: dict[int, Decimal] = {}
    for line in lines:
        price = getattr(line.item, "contract_price", None)
        if price is None:
            continue
        value = Decimal(price)
        if getattr(line.item, "contract_currency", None) != voucher.currency:
            value = value * rate if voucher.currency == "IQD" else value / rate
        result[line.item.pk] = round_money(value)
    return result


def _description(voucher: Voucher, vendor: Vendor, lines: list[_Line]) -> str:
    """ "E-voucher …1234 at Shop: 2 × High-thermal blanket, …" in the site's language
    (the ledger is read by everyone), at most 200 characters."""
    with translation.override(settings.LANGUAGE_CODE):
        bought = ", ".join(f"{line.quantity.normalize():f} × {line.item.name}" for line in lines)
        text = _("E-voucher %(tail)s at %(vendor)s: %(items)s") % {
            "tail": code_tail(voucher.code),
            "vendor": vendor.name,
            "items": bought,
        }
    return text if len(text) <= 200 else text[:199] + "…"


def _replay(existing: Redemption, digest: str) -> tuple[Redemption, bool]:
    if existing.request_hash != digest:
        raise Conflict(
            _(
                "This idempotency key was already used for another sale at this shop. Use a "
                "new key for a new sale (the page makes one for each attempt)."
            ),
            code=IDEMPOTENCY_KEY_REUSED,
            params={"redemption": str(existing.public_id)},
        )
    return existing, True


def _stored(vendor: Vendor, key: str) -> Redemption | None:
    return (
        Redemption.objects.select_related("voucher", "vendor")
        .filter(vendor=vendor, idempotency_key=key)
        .first()
    )


def voucher_redeem(
    *,
    user: Any,
    code: str,
    items: list[dict[str, Any]],
    idempotency_key: str,
    pin: str | None = None,
    channel: str = "web",
) -> tuple[Redemption, bool]:
    """Sell `items` against the voucher `code` at the vendor the user is a cashier of.
    Returns (redemption, replayed): replayed is True when this key already recorded
    this sale, which is returned as it was and nothing is spent again. Refusals raise
    with one of `REFUSAL_CODES`.

    A new key is the common case, so the stored answer is not looked up before the
    sale: the write is attempted and the unique (vendor, key) answers a repeat (its
    IntegrityError rolls the attempt back and the stored answer is returned). Before
    any refusal, though, the stored answer is looked up: a repeated key is answered as
    the first time even when the voucher has been spent or cancelled since."""
    if not has_permission(user, REDEEM):
        raise PermissionDenied()
    vendor = selectors.vendor_of(user)
    if vendor is None:
        raise PermissionDenied(
            _("Your account is not a cashier of any vendor: ask the programme team."),
            code=NOT_VENDOR_STAFF,
        )
    key = _key(idempotency_key)
    lines = _lines(items, vendor)
    normalised = code_normalise(code)
    digest = request_hash(normalised or str(code or "").strip().upper()[:40], lines)
    channel = channel if channel in CHANNELS else "web"

    try:
        voucher, amount = _checked(
            vendor=vendor, normalised=normalised, lines=lines, pin=pin, key=key
        )
    except _Answered as answered:
        return _replay(answered.redemption, digest)
    except ApplicationError:
        # A refusal, unless this key already recorded a sale: then that is the answer.
        existing = _stored(vendor, key)
        if existing is not None:
            return _replay(existing, digest)
        raise

    try:
        redemption, sold = _write(
            user=user,
            vendor=vendor,
            voucher=voucher,
            plan=voucher.entitlement.plan,
            lines=lines,
            amount=amount,
            key=key,
            digest=digest,
            channel=channel,
        )
    except IntegrityError:
        # This key was already used at this vendor (a retry, or another copy of this
        # request that won the race): everything this attempt did was rolled back;
        # answer with what was recorded.
        winner = _stored(vendor, key)
        if winner is None:
            raise
        return _replay(winner, digest)
    except _Lost as lost:
        # The conditional update found nothing to take: either the same request
        # already went through (answer it), or the voucher changed meanwhile.
        winner = _stored(vendor, key)
        if winner is not None:
            return _replay(winner, digest)
        raise lost.error from None

    transaction.on_commit(
        _after_commit(redemption, vendor, voucher.entitlement.household_id, sold), robust=True
    )
    return redemption, False


class _Answered(Exception):
    """The key already recorded a sale at this vendor (found before a side effect of
    the checks, such as counting a wrong PIN)."""

    def __init__(self, redemption: Redemption) -> None:
        self.redemption = redemption
        super().__init__(str(redemption.pk))


def _checked(
    *, vendor: Vendor, normalised: str, lines: list[_Line], pin: Any, key: str
) -> tuple[Voucher, Decimal]:
    """The voucher and the sale's amount, once every check before the write has
    passed; raises the refusal otherwise. Two queries: the voucher with its plan and
    household, and the plan's vendors."""
    if vendor.status != Vendor.Status.ACTIVE:
        raise PermissionDenied(
            _("%(vendor)s is “%(status)s”: it cannot accept vouchers now.")
            % {"vendor": vendor.name, "status": vendor.get_status_display()},
            code=VENDOR_NOT_ACTIVE,
        )
    voucher = selectors.voucher_for_redemption(normalised)
    if voucher is None:
        raise NotFound(
            _("No voucher has this code. Check it with the family and type it again."),
            code=VOUCHER_NOT_FOUND,
        )
    plan = voucher.entitlement.plan
    amount = round_money(sum((line.amount for line in lines), Decimal(0)))
    if amount <= 0:
        message = _("The sale comes to 0: give the quantities and prices.")
        raise ValidationFailed(message, code=INVALID_ITEMS, fields={"items": [message]})
    problem = _state_error(voucher, amount)
    if problem is not None and problem.code != INSUFFICIENT_BALANCE:
        if problem.code == VOUCHER_EXPIRED:
            _answered(vendor, key)
            _mark_expired(voucher)
        raise problem
    if not selectors.plan_allows_vendor(plan.pk, vendor):
        raise PermissionDenied(
            _(
                "This voucher cannot be used at %(vendor)s: the family should go to one of the shops of its programme."
            )
            % {"vendor": vendor.name},
            code=WRONG_VENDOR,
        )
    _check_items(plan, lines)
    if voucher.pin_hash:
        _answered(vendor, key)  # a repeated key is answered before a PIN is counted
        _check_pin(voucher, pin)
    if problem is not None:
        raise problem
    return voucher, amount


def _answered(vendor: Vendor, key: str) -> None:
    existing = _stored(vendor, key)
    if existing is not None:
        raise _Answered(existing)


class _Lost(Exception):
    def __init__(self, error: ApplicationError) -> None:
        self.error = error
        super().__init__(str(error))


def _after_commit(
    redemption: Redemption, vendor: Vendor, household_id: int, lines: list[RedemptionLine]
) -> Any:
    def run() -> None:
        from sanad.cash.services.signals import check_new_redemption

        check_new_redemption(
            redemption=redemption, vendor=vendor, household_id=household_id, lines=lines
        )

    return run


def _write(
    *,
    user: Any,
    vendor: Vendor,
    voucher: Voucher,
    plan: CashPlan,
    lines: list[_Line],
    amount: Decimal,
    key: str,
    digest: str,
    channel: str,
) -> tuple[Redemption, list[RedemptionLine]]:
    """Balance, redemption, lines and ledger in one transaction: five statements (the
    voucher's UPDATE … RETURNING, the household with its admin unit for the ledger's
    rules, three INSERTs). Returns the redemption and its lines."""
    entitlement = voucher.entitlement
    now = timezone.now()
    actor = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        taken = _take(voucher, amount, now)
        if taken is None:
            current = Voucher.objects.get(pk=voucher.pk)
            raise _Lost(_state_error(current, amount) or _insufficient(current, amount))
        balance, status = taken
        redemption = Redemption(
            voucher=voucher,
            vendor=vendor,
            amount=amount,
            currency=voucher.currency,
            exchange_rate=entitlement.exchange_rate,
            balance_after=balance,
            idempotency_key=key,
            request_hash=digest,
            channel=channel,
            redeemed_at=now,
            created_by=actor,
            updated_by=actor,
        )
        redemption.response = {
            "redemption": str(redemption.public_id),
            "amount": str(amount),
            "currency": voucher.currency,
            "balance": str(balance),
            "voucher_status": str(status),
        }
        # A key already used at this vendor fails here (IntegrityError), which rolls
        # the whole attempt back, balance included.
        redemption.save(force_insert=True)
        contracted = _contracted(voucher, Decimal(entitlement.exchange_rate), lines)
        sold = RedemptionLine.objects.bulk_create(
            [
                RedemptionLine(
                    redemption=redemption,
                    item=line.item,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    contracted_price=contracted.get(line.item.pk),
                )
                for line in lines
            ]
        )
        assistance_record(
            user=user,
            household=ledger.household_final(
                selectors.household_for_ledger(entitlement.household_id)
            ),
            programme=plan.programme,
            project=plan.project,
            kind="voucher",
            item=plan.item_code,
            value=amount,
            currency=voucher.currency,
            exchange_rate=entitlement.exchange_rate,
            delivered_on=timezone.localdate(now),
            source_type=REDEMPTION_SOURCE,
            source_id=str(redemption.public_id),
            description=_description(voucher, vendor, lines),
            delivered_by=actor,
            permission=None,
            fresh_source=True,  # the redemption was created just above, in this transaction
            household_read_now=True,  # by household_for_ledger, in this transaction
        )
    voucher.balance, voucher.status = balance, status
    return redemption, sold


def _take(voucher: Voucher, amount: Decimal, now: Any) -> tuple[Decimal, str] | None:
    """Take `amount` from the voucher if it is active and its balance covers it, in one
    conditional UPDATE (marking it spent when nothing is left); the balance and status
    after, or None when nothing was taken. On PostgreSQL one statement (UPDATE …
    RETURNING); elsewhere the UPDATE and a read of the row it changed (inside the same
    transaction, the row is locked by then)."""
    spent, active = str(Voucher.Status.SPENT), str(Voucher.Status.ACTIVE)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Voucher._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET balance = balance - %s, "  # noqa: S608 (a model's table)
                "status = CASE WHEN balance - %s <= 0 THEN %s ELSE status END, updated_at = %s "
                "WHERE id = %s AND status = %s AND balance >= %s RETURNING balance, status",
                [amount, amount, spent, now, voucher.pk, active, amount],
            )
            row = cursor.fetchone()
        return (row[0], row[1]) if row else None
    taken = Voucher.objects.filter(pk=voucher.pk, status=active, balance__gte=amount).update(
        balance=F("balance") - amount,
        status=Case(When(balance__lte=amount, then=Value(spent)), default=F("status")),
        updated_at=now,
    )
    if taken != 1:
        return None
    balance, status = Voucher.objects.filter(pk=voucher.pk).values_list("balance", "status").get()
    return balance, status

"""What the cash writes share: permission checks, money, rates, texts and voucher codes.

Money is a `Decimal` quantized to 0.01 everywhere: amounts arrive as strings from
forms and JSON, and a float would turn 0.1 + 0.2 into 0.30000000000000004 on a
voucher's balance.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.cash.models import Currency
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
MIN_RATE, MAX_RATE = Decimal("100"), Decimal("10000")
MAX_MONEY = Decimal("99999999999999.99")  # 16 digits, 2 decimals
MAX_QUANTITY = Decimal("999999999999.99")  # 14 digits, 2 decimals
CURRENCIES = tuple(Currency.values)

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper is not
# mistaken for another. 16 characters = 80 random bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


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


def require_permission(user: Any, permission: str) -> None:
    if not has_permission(user, permission):
        raise PermissionDenied()


def actor(user: Any) -> Any:
    """The user to store in a "by" column (None for a system call)."""
    return user if getattr(user, "pk", None) else None


def today() -> datetime.date:
    """Today in the deployment's time zone (Asia/Baghdad by default): the day the
    ledger and voucher expiry use."""
    return timezone.localdate()


# --- values --------------------------------------------------------------------------------
def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def money(
    value: Any, field: str, *, allow_zero: bool = False, required: bool = True
) -> Decimal | None:
    """An amount of money: a number above zero (or zero), at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if not required:
            return None
        message = _("Give the amount.")
        raise ValidationFailed(message, fields={field: [message]})
    number = _decimal(value)
    if number is None:
        message = _("Write the amount as a number, such as 25000 or 12.50.")
        raise ValidationFailed(message, fields={field: [message]})
    if number < 0 or (number == 0 and not allow_zero):
        message = _("The amount must be above zero.")
        raise ValidationFailed(message, fields={field: [message]})
    if number > MAX_MONEY or number != number.quantize(CENT):
        message = _("Write the amount with at most two decimals.")
        raise ValidationFailed(message, fields={field: [message]})
    return number.quantize(CENT)


def quantity(value: Any, field: str) -> Decimal:
    """A quantity of an item: above zero, at most two decimals."""
    number = _decimal(value)
    if number is None:
        message = _("Write the quantity as a number, such as 2.")
        raise ValidationFailed(message, fields={field: [message]})
    if number <= 0:
        message = _("The quantity must be above zero.")
        raise ValidationFailed(message, fields={field: [message]})
    if number > MAX_QUANTITY or number != number.quantize(CENT):
        message = _("Write the quantity with at most two decimals.")
        raise ValidationFailed(message, fields={field: [message]})
    return number.quantize(CENT)


def rate(value: Any, field: str = "exchange_rate") -> Decimal:
    """Iraqi dinars for one US dollar, between 100 and 10,000 (which catches a rate
    written the wrong way round)."""
    number = _decimal(value)
    if number is None or not (MIN_RATE <= number <= MAX_RATE):
        message = _(
            "Give the exchange rate as Iraqi dinars for one US dollar, between 100 and "
            "10,000, such as 1310."
        )
        raise ValidationFailed(message, fields={field: [message]})
    if number != number.quantize(RATE_STEP):
        message = _("Write the exchange rate with at most four decimals.")
        raise ValidationFailed(message, fields={field: [message]})
    return number.quantize(RATE_STEP)


def currency(value: Any, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if code not in CURRENCIES:
        message = _("Choose the currency: IQD or USD.")
        raise ValidationFailed(message, fields={field: [message]})
    return code


def text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    result = str(value or "").strip()
    if required and not result:
        message = _("This is required.")
        raise ValidationFailed(message, fields={field: [message]})
    if len(result) > limit:
        message = _("Keep this under %(n)d characters.") % {"n": limit}
        raise ValidationFailed(message, fields={field: [message]})
    return result


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal, currency_code: str) -> str:
    """25000.00 IQD → "25,000 IQD"; 12.50 USD → "12.50 USD": figures people read."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f} {currency_code}"
    return f"{value:,.2f} {currency_code}"


# --- voucher codes -------------------------------------------------------------------------
def code_new() -> str:
    """16 random characters of Crockford's base 32 from the operating system's source
    of randomness (never `random`): 80 bits, unguessable."""
    return "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))


def code_normalise(raw: Any) -> str:
    """What was typed or scanned → the stored form: no dashes or spaces, upper case,
    O read as 0 and I or L as 1. Anything else than the alphabet gives ""."""
    cleaned = "".join(str(raw or "").split()).replace("-", "").upper().translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def code_display(code: str) -> str:
    """ABCD1234EFGH5678 → ABCD-1234-EFGH-5678 (as printed)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_tail(code: str) -> str:
    """The last four characters, for receipts and lists: …5678."""
    return f"…{code[-4:]}"


def pin_new() -> str:
    return f"{secrets.randbelow(10_000):04d}"

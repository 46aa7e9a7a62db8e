"""Parsing what people type, and the reach of a record not saved yet: shared by the
communities and infrastructure services."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed, field_error
from sanad.core.scoping import grants_for
from sanad.revitalization.services._common import PROGRAMME, today

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
MIN_RATE, MAX_RATE = Decimal("100"), Decimal("10000")
MAX_MONEY = Decimal("99999999999999.99")
CENT = Decimal("0.01")


class Problems:
    """Collects the refusals of several fields, to answer them all at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.codes: list[str] = []

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def take(self, exc: ValidationFailed) -> None:
        self.codes.append(exc.code)
        if not exc.fields:
            self.add("__all__", str(exc.message))
        for field, messages in exc.fields.items():
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                self.add(field, str(message))

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs), or None with its refusal collected."""
        try:
            return fn(*args, **kwargs)
        except ValidationFailed as exc:
            self.take(exc)
            return None

    def raise_if_any(self) -> None:
        if self.fields:
            # One refusal keeps its own code (callers and the API can tell which).
            code = self.codes[0] if len(self.codes) == 1 and len(self.fields) == 1 else None
            raise ValidationFailed(fields=self.fields, code=code)


def reaches(user: Any, governorate_pcode: str, permission: str) -> bool:
    """Whether `user` would reach a CRP record of this governorate with `permission` (for
    a record not saved yet, which `can_reach` cannot test)."""
    for grant in grants_for(user, permission):
        if (grant.all_governorates or governorate_pcode in grant.governorates) and (
            grant.all_programmes or PROGRAMME in grant.programmes
        ):
            return True
    return False


def text(
    value: Any, field: str, *, limit: int, required: bool = False, multiline: bool = False
) -> str:
    result = str(value or "").strip() if multiline else " ".join(str(value or "").split())
    if required and not result:
        raise field_error(field, _("Fill in this field."), f"{field}_required")
    if len(result) > limit:
        raise field_error(
            field, _("Keep this under %(n)d characters.") % {"n": limit}, f"{field}_too_long"
        )
    return result


def date(
    value: Any, field: str, *, required: bool = True, past: bool = False
) -> datetime.date | None:
    """A date (a `date` or ISO text); `past=True` refuses a date after today."""
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from exc
    if past and day > today():
        raise field_error(
            field,
            _("The date %(date)s is in the future. Record it once it has happened.")
            % {"date": day.isoformat()},
            f"{field}_in_future",
        )
    return day


def decimal(
    value: Any,
    field: str,
    *,
    required: bool = True,
    positive: bool = False,
    maximum: Decimal = MAX_MONEY,
    step: Decimal = CENT,
) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a number."), f"{field}_required")
        return None
    try:
        number = Decimal(str(value).translate(_DIGITS).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise field_error(field, _("Enter a number."), f"invalid_{field}") from exc
    if not number.is_finite():
        raise field_error(field, _("Enter a number."), f"invalid_{field}")
    if number < 0 or (positive and number == 0):
        message = _("Enter a number above zero.") if positive else _("Enter zero or more.")
        raise field_error(field, message, f"{field}_not_positive")
    if number > maximum:
        raise field_error(field, _("This number is too large. Check it."), f"{field}_too_large")
    if number != number.quantize(step):
        raise field_error(
            field,
            _("Use at most %(n)d decimal places.") % {"n": _places(step)},
            f"{field}_precision",
        )
    return number.quantize(step)


def _places(step: Decimal) -> int:
    exponent = step.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def whole(value: Any, field: str, *, required: bool = False, maximum: int = 10**9) -> int | None:
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a whole number."), f"{field}_required")
        return None
    try:
        number = int(str(value).translate(_DIGITS).strip())
    except (TypeError, ValueError) as exc:
        raise field_error(field, _("Enter a whole number."), f"invalid_{field}") from exc
    if number < 0:
        raise field_error(field, _("Enter zero or more."), f"{field}_negative")
    if number > maximum:
        raise field_error(field, _("Enter %(n)d or less.") % {"n": maximum}, f"{field}_too_large")
    return number


def money(
    value: Any, currency: Any, rate: Any, problems: Problems, *, field: str = "budget"
) -> tuple[Decimal | None, str, Decimal | None]:
    """(amount, currency, exchange rate) with their refusals collected."""
    amount = problems.run(decimal, value, field, positive=True)
    code = str(currency or "").strip().upper()
    if code not in ("IQD", "USD"):
        problems.add("currency", _("Choose the currency: IQD or USD."))
    exchange = problems.run(
        decimal, rate, "exchange_rate", step=Decimal("0.0001"), maximum=MAX_RATE
    )
    if exchange is not None and exchange < MIN_RATE:
        problems.add(
            "exchange_rate", _("Write the rate as Iraqi dinars for one US dollar, such as 1310.")
        )
    return amount, code, exchange

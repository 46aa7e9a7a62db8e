"""Reading the period and the filters of a report from a request, a form or the command
line. Periods are whole months (the summary of the ledger is monthly)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.reporting.common import add_months, month_end, month_start
from sanad.reporting.selectors.figures import Filters

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str, *, field: str, end: bool = False) -> datetime.date:
    """ "2026-03" → 2026-03-01 (or 2026-03-31 with end=True). A full date is accepted when
    it is the first day of its month (for a start) or the last (for an end); any other
    day is refused with a message saying which day to write."""
    text = (text or "").strip()
    m = _MONTH.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValidationFailed(
                _("Write the month as YYYY-MM, such as 2026-03."),
                fields={field: [_("Write the month as YYYY-MM, such as 2026-03.")]},
                code="bad_month",
            )
        day = datetime.date(year, month, 1)
        return month_end(day) if end else day
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        message = _("Write the month as YYYY-MM (such as 2026-03) or a date as YYYY-MM-DD.")
        raise ValidationFailed(message, fields={field: [message]}, code="bad_month") from None
    if end and day != month_end(day):
        message = _(
            "Reports count whole months: end the period on the last day of a month, such as %(day)s."
        ) % {"day": month_end(day).isoformat()}
        raise ValidationFailed(message, fields={field: [message]}, code="not_month_end")
    if not end and day != month_start(day):
        message = _(
            "Reports count whole months: start the period on the first day of a month, such as %(day)s."
        ) % {"day": month_start(day).isoformat()}
        raise ValidationFailed(message, fields={field: [message]}, code="not_month_start")
    return day


def parse_period(start_text: str, end_text: str) -> tuple[datetime.date, datetime.date]:
    start = parse_month(start_text, field="from")
    end = parse_month(end_text, field="to", end=True)
    if end < start:
        message = _("The period ends before it starts: put the earlier month first.")
        raise ValidationFailed(message, fields={"to": [message]}, code="period_reversed")
    return start, end


def default_period(months: int = 12) -> tuple[datetime.date, datetime.date]:
    """The last `months` months up to the current one."""
    today = timezone.localdate()
    return add_months(month_start(today), -(months - 1)), month_end(today)


def filters_from(params: Any, *, months: int = 12) -> Filters:
    """Filters from GET parameters: from, to (YYYY-MM), governorate, district (P-codes),
    place (a place's public id), programme (code), project (a project's public id).
    Unknown or out-of-reach values select nothing rather than everything."""
    from sanad.geo.models import Place
    from sanad.programmes.models import Project

    start_default, end_default = default_period(months)
    start_text, end_text = params.get("from") or "", params.get("to") or ""
    start = parse_month(start_text, field="from") if start_text else start_default
    end = parse_month(end_text, field="to", end=True) if end_text else end_default
    if end < start:
        parse_period(start_text or f"{start:%Y-%m}", end_text or f"{end:%Y-%m}")
    place = project = None
    if params.get("place"):
        place = (
            Place.objects.filter(public_id=_uuid(params["place"]))
            .values_list("pk", flat=True)
            .first()
            or -1
        )
    if params.get("project"):
        project = (
            Project.objects.filter(public_id=_uuid(params["project"]))
            .values_list("pk", flat=True)
            .first()
            or -1
        )
    return Filters(
        start=start,
        end=end,
        governorate=(params.get("governorate") or "").strip().upper() or None,
        district=(params.get("district") or "").strip().upper() or None,
        place=place,
        programme=(params.get("programme") or "").strip().upper() or None,
        project=project,
    )


def _uuid(text: str) -> Any:
    import uuid

    try:
        return uuid.UUID(str(text).strip())
    except ValueError:
        return uuid.UUID(int=0)

"""The XLSX export of feedback cases. It never holds the caller's name or phone, nor
anything that links a row to a contact or household: it is for analysis, not for
calling people back (the case page is)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.feedback.models import Case

CHUNK = 500


def columns() -> list[tuple[str, str, Callable[[Case], Any]]]:
    """(header, HXL hashtag, value) of each column."""

    def dt(value: Any) -> Any:
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    return [
        (_("Reference"), "#complaint+id", lambda c: c.reference),
        (_("Received at"), "#date+received", lambda c: dt(c.received_at)),
        (_("Channel"), "#channel", lambda c: c.channel.name),
        (_("Category"), "#complaint+type", lambda c: c.get_category_display()),
        (_("Status"), "#status", lambda c: c.get_status_display()),
        (_("Programme"), "#sector+code", lambda c: c.programme.code if c.programme else ""),
        (
            _("Governorate P-code"),
            "#adm1+code",
            lambda c: c.governorate.pcode if c.governorate else "",
        ),
        (_("Governorate"), "#adm1+name", lambda c: c.governorate.name if c.governorate else ""),
        (_("Place"), "#loc+name", lambda c: c.place.name if c.place else ""),
        (_("Anonymous"), "#indicator+anonymous", lambda c: _("yes") if c.anonymous else _("no")),
        (_("Sex"), "#gender", lambda c: c.get_caller_sex_display() if c.caller_sex else ""),
        (
            _("Age group"),
            "#age+group",
            lambda c: c.get_caller_age_group_display() if c.caller_age_group else "",
        ),
        (_("What the person said"), "#description", lambda c: c.description),
        (_("Acknowledge by"), "#date+ack_due", lambda c: dt(c.acknowledge_due_at)),
        (_("Respond by"), "#date+due", lambda c: dt(c.due_at)),
        (_("Acknowledged at"), "#date+acknowledged", lambda c: dt(c.acknowledged_at)),
        (_("Responded at"), "#date+responded", lambda c: dt(c.responded_at)),
        (_("Closed at"), "#date+closed", lambda c: dt(c.closed_at)),
        (
            _("Loop closed"),
            "#indicator+loop_closed",
            lambda c: "" if c.loop_closed is None else (_("yes") if c.loop_closed else _("no")),
        ),
        (_("Satisfaction (1–5)"), "#indicator+satisfaction", lambda c: c.satisfaction),
        (_("Escalation level"), "#indicator+escalation", lambda c: c.escalation_level),
        (_("Referred to"), "#org+referred", lambda c: c.referred_to.name if c.referred_to else ""),
    ]


def cases_xlsx(
    queryset: QuerySet[Case],
    path: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the cases of `queryset` to `path`; returns the number of rows."""
    from openpyxl import Workbook

    cols = columns()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Cases"))
    ws.append([str(h) for h, _tag, _f in cols])
    ws.append([tag for _h, tag, _f in cols])
    qs = queryset.select_related(
        "channel", "programme", "governorate", "place", "referred_to"
    ).order_by("received_at", "pk")
    total = qs.count()
    written = 0
    for case in qs.iterator(chunk_size=CHUNK):
        ws.append([f(case) for _h, _tag, f in cols])
        written += 1
        if progress and written % CHUNK == 0:
            progress(written, total)
    wb.save(path)
    return written


def filename() -> str:
    return f"feedback-cases-{timezone.localdate().isoformat()}.xlsx"

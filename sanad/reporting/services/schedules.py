"""Scheduled exports: the 4W of last month on the 2nd of each month, a project's donor
report of last quarter in January, April, July and October.

A schedule falls due on `next_run_on`; `schedules_run_due()` (run every 30 seconds by
`sanad outbox` through SANAD_PERIODIC_TASKS) then records a `ScheduledRun` for the
period before that date (the month before, or the quarter before), starts the export
job as the person who made the schedule — so the file holds what that person reaches,
suppressed when shared — and moves `next_run_on` on by one month or one quarter. The
run is unique per schedule and period: a re-run, or two ticks at once, never produce a
period twice. When the runner was stopped for a while, each tick produces the next
missed period until the schedule is current again; pausing and resuming a schedule
starts again from the next date to come (paused periods are not produced).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core import context
from sanad.core.errors import ApplicationError, NotFound, PermissionDenied, field_error
from sanad.core.jobs import job_start
from sanad.core.models import Job
from sanad.core.scoping import can_reach, grants_for, has_permission
from sanad.reporting.common import add_months, month_end, month_start
from sanad.reporting.models import EXPORT, ScheduledExport, ScheduledRun
from sanad.reporting.suppression import outside_mission

log = logging.getLogger(__name__)
ALL_JOBS = "core.view_all_jobs"
FORMATS_BY_KIND: dict[str, tuple[str, ...]] = {
    ScheduledExport.Kind.FOUR_W.value: ("hxl-csv", "xlsx"),
    ScheduledExport.Kind.DONOR.value: ("xlsx", "pdf"),
}
JOB_KINDS: dict[str, str] = {
    ScheduledExport.Kind.FOUR_W.value: "reporting.export_4w",
    ScheduledExport.Kind.DONOR.value: "reporting.donor_report",
}
QUARTER_MONTHS = (1, 4, 7, 10)
MAX_DAY = 28


# --- reading ----------------------------------------------------------------------------------
def schedules_visible_to(user: Any) -> QuerySet[ScheduledExport]:
    """The schedules a person sees: their own; every one for holders of
    core.view_all_jobs (information management). None without the export permission."""
    qs = ScheduledExport.objects.select_related(
        "project", "programme", "governorate", "created_by", "last_job"
    )
    if not has_permission(user, EXPORT):
        return qs.none()
    if has_permission(user, ALL_JOBS):
        return qs
    return qs.filter(created_by=user)


def schedule_for(*, user: Any, public_id: Any) -> ScheduledExport:
    schedule = schedules_visible_to(user).filter(public_id=public_id).first()
    if schedule is None:
        raise NotFound()
    return schedule


# --- dates ------------------------------------------------------------------------------------
def _on_day(month: datetime.date, day: int) -> datetime.date:
    return month_start(month).replace(day=day)


def next_run(frequency: str, day: int, today: datetime.date) -> datetime.date:
    """The first run date on or after `today`: `day` of each month, or of the first
    month of each quarter."""
    month = month_start(today)
    for _i in range(13):
        candidate = _on_day(month, day)
        quarterly_ok = frequency != ScheduledExport.Frequency.QUARTERLY or (
            month.month in QUARTER_MONTHS
        )
        if quarterly_ok and candidate >= today:
            return candidate
        month = add_months(month, 1)
    raise AssertionError("unreachable: a quarter starts within 13 months")


def run_after(frequency: str, day: int, due: datetime.date) -> datetime.date:
    step = 3 if frequency == ScheduledExport.Frequency.QUARTERLY else 1
    return _on_day(add_months(month_start(due), step), day)


def period_for(frequency: str, run_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period a run on `run_on` reports: the month before, or the quarter before."""
    if frequency == ScheduledExport.Frequency.QUARTERLY:
        quarter = datetime.date(run_on.year, (run_on.month - 1) // 3 * 3 + 1, 1)
        start = add_months(quarter, -3)
        return start, month_end(add_months(start, 2))
    start = add_months(month_start(run_on), -1)
    return start, month_end(start)


# --- writes -----------------------------------------------------------------------------------
def _require(user: Any) -> None:
    if not has_permission(user, EXPORT):
        raise PermissionDenied()


def _reaches_governorate(user: Any, pcode: str) -> bool:
    return any(g.all_governorates or pcode in g.governorates for g in grants_for(user, EXPORT))


def _values(user: Any, data: dict[str, Any], current: ScheduledExport | None) -> dict[str, Any]:
    def get(name: str, default: Any = None) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name, default) if current is not None else default

    name = str(get("name", "") or "").strip()
    if not name:
        raise field_error("name", _("Give the schedule a name, such as “Monthly 4W”."), "name")
    if len(name) > 160:
        raise field_error("name", _("Shorten this to %(n)d characters.") % {"n": 160}, "name_long")
    kind = get("kind")
    if kind not in ScheduledExport.Kind.values:
        raise field_error("kind", _("Choose the report: the 4W or a donor report."), "bad_kind")
    fmt = get("format")
    allowed = FORMATS_BY_KIND[kind]
    if fmt not in allowed:
        message = (
            _("A 4W is exported as CSV with HXL hashtags or as an Excel workbook.")
            if kind == ScheduledExport.Kind.FOUR_W
            else _("A donor report is produced as an Excel workbook or a PDF.")
        )
        raise field_error("format", message, "bad_format")
    frequency = get("frequency")
    if frequency not in ScheduledExport.Frequency.values:
        raise field_error("frequency", _("Choose every month or every quarter."), "bad_frequency")
    try:
        day = int(get("day_of_month") or 0)
    except (TypeError, ValueError):
        day = 0
    if not 1 <= day <= MAX_DAY:
        raise field_error(
            "day_of_month",
            _("Give a day of the month from 1 to %(n)d (every month has it).") % {"n": MAX_DAY},
            "bad_day",
        )
    project, programme, governorate = get("project"), get("programme"), get("governorate")
    if project is not None and not can_reach(user, project, EXPORT):
        raise field_error("project", _("This project is outside your area."), "project_scope")
    if kind == ScheduledExport.Kind.DONOR:
        if project is None:
            raise field_error(
                "project", _("Choose the project the donor report is about."), "project_required"
            )
        programme = governorate = None  # a donor report covers its project
    else:
        if programme is not None and not can_reach(user, programme, EXPORT):
            raise field_error(
                "programme", _("This programme is outside your area."), "programme_scope"
            )
        if governorate is not None:
            if governorate.level != 1:
                raise field_error("governorate", _("Choose a governorate."), "not_governorate")
            if not _reaches_governorate(user, governorate.pcode):
                raise field_error(
                    "governorate", _("This governorate is outside your area."), "gov_scope"
                )
    shared = bool(get("shared", True)) or outside_mission(user)
    return {
        "name": name,
        "kind": kind,
        "format": fmt,
        "frequency": frequency,
        "day_of_month": day,
        "project": project,
        "programme": programme,
        "governorate": governorate,
        "shared": shared,
    }


def schedule_create(*, user: Any, data: dict[str, Any]) -> ScheduledExport:
    """A new active schedule; its first run is the next `day_of_month` to come (today
    included)."""
    _require(user)
    values = _values(user, data, None)
    today = timezone.localdate()
    with transaction.atomic():
        return ScheduledExport.objects.create(
            **values,
            active=True,
            next_run_on=next_run(values["frequency"], values["day_of_month"], today),
            created_by=user,
        )


def _may_change(user: Any, schedule: ScheduledExport) -> None:
    _require(user)
    if not schedules_visible_to(user).filter(pk=schedule.pk).exists():
        raise NotFound()


def schedule_update(
    *, user: Any, schedule: ScheduledExport, data: dict[str, Any]
) -> ScheduledExport:
    _may_change(user, schedule)
    with transaction.atomic():
        schedule = ScheduledExport.objects.select_for_update().get(pk=schedule.pk)
        values = _values(user, data, schedule)
        retimed = (values["frequency"], values["day_of_month"]) != (
            schedule.frequency,
            schedule.day_of_month,
        )
        for name, value in values.items():
            setattr(schedule, name, value)
        if retimed:
            schedule.next_run_on = next_run(
                schedule.frequency, schedule.day_of_month, timezone.localdate()
            )
        schedule.save()
    return schedule


def schedule_toggle(*, user: Any, schedule: ScheduledExport) -> ScheduledExport:
    """Pause an active schedule, or resume a paused one from the next date to come."""
    _may_change(user, schedule)
    with transaction.atomic():
        schedule = ScheduledExport.objects.select_for_update().get(pk=schedule.pk)
        schedule.active = not schedule.active
        if schedule.active:
            schedule.next_run_on = next_run(
                schedule.frequency, schedule.day_of_month, timezone.localdate()
            )
        schedule.save(update_fields=["active", "next_run_on"])
    return schedule


# --- the periodic task ------------------------------------------------------------------------
def job_params(
    schedule: ScheduledExport, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    project = str(schedule.project.public_id) if schedule.project is not None else ""
    common = {
        "from": f"{start:%Y-%m}",
        "to": f"{end:%Y-%m}",
        "format": schedule.format,
        "shared": schedule.shared,
    }
    if schedule.kind == ScheduledExport.Kind.DONOR:
        return {"project": project, **common}
    return {
        **common,
        "governorate": schedule.governorate.pcode if schedule.governorate is not None else "",
        "district": "",
        "programme": schedule.programme.code if schedule.programme is not None else "",
        "project": project,
    }


def _start(schedule: ScheduledExport, start: datetime.date, end: datetime.date) -> Job | None:
    creator = schedule.created_by
    if creator is None or not creator.is_active:
        log.warning("schedule %s: its creator can no longer export", schedule.public_id)
        return None
    period = f"{start:%Y-%m}" if month_start(end) == start else f"{start:%Y-%m} – {end:%Y-%m}"
    try:
        return job_start(
            kind=JOB_KINDS[schedule.kind],
            user=creator,
            params=job_params(schedule, start, end),
            idempotency_key=f"reporting.schedule:{schedule.public_id}:{start:%Y-%m}",
            title=f"{schedule.name} ({period})",
        )
    except ApplicationError as exc:
        log.warning("schedule %s: the export was not started: %s", schedule.public_id, exc)
        return None


def schedules_run_due(today: datetime.date | None = None) -> int:
    """Start the export of each active schedule due on or before `today` (see the
    module's docstring). Returns the number of exports started."""
    with context.acting_as(None, source="command"):
        # Run by the schedule, not by whoever happens to be the current actor.
        return _run_due(today or timezone.localdate())


def _run_due(today: datetime.date) -> int:
    started = 0
    due_ids = list(
        ScheduledExport.objects.filter(active=True, next_run_on__lte=today).values_list(
            "pk", flat=True
        )
    )
    for pk in due_ids:
        with transaction.atomic():
            schedule = (
                ScheduledExport.objects.select_for_update(of=("self",))
                .select_related("project", "programme", "governorate", "created_by")
                .filter(pk=pk, active=True, next_run_on__lte=today)
                .first()
            )
            if schedule is None:
                continue  # another tick got it first
            due = schedule.next_run_on
            start, end = period_for(schedule.frequency, due)
            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(
                        schedule=schedule, period_start=start, period_end=end
                    )
            except IntegrityError:
                run = None  # this period was produced already
                log.info("schedule %s: %s already produced", pk, start)
            if run is not None:
                job = _start(schedule, start, end)
                if job is not None:
                    run.job = job
                    run.save(update_fields=["job"])
                    schedule.last_job = job
                    started += 1
            schedule.next_run_on = run_after(schedule.frequency, schedule.day_of_month, due)
            schedule.save(update_fields=["next_run_on", "last_job"])
    return started


__all__ = [
    "next_run",
    "period_for",
    "run_after",
    "schedule_create",
    "schedule_for",
    "schedule_toggle",
    "schedule_update",
    "schedules_run_due",
    "schedules_visible_to",
]

"""Cash for work: registered people working on a project (each once per project), and
what they are paid for the days they worked.

A worker is an active member of an active household in the registry, whom the officer
can see there. A payment covers a period of a worker (one payment per period start,
periods never overlapping); its amount is days × the worker's daily rate, in the
project's currency with its rate. Each payment writes the assistance ledger in the same
transaction (`revitalization.worker_payment` / the payment's public id, kind "cash",
item "crp_cash_for_work"); recording the same payment again (a retry) changes nothing
and returns it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.assistance.services import assistance_record
from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.core.scoping import can_reach
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import (
    MANAGE,
    InfrastructureProject,
    ProjectWorker,
    WorkerPayment,
)
from sanad.revitalization.services._common import PROGRAMME, actor, require
from sanad.revitalization.services.communities._parse import Problems, date, decimal, text

STATUS = InfrastructureProject.Status
HIRING = (STATUS.ENDORSED, STATUS.IN_PROGRESS)
PAYING = (STATUS.IN_PROGRESS, STATUS.COMPLETED)
REGISTRY_VIEW = "registry.view_household"
SOURCE_TYPE = "revitalization.worker_payment"
ITEM = "crp_cash_for_work"
MAX_RATE = Decimal("99999999.99")
# Ledger fields named differently on the payment form.
LEDGER_FIELDS = {
    "delivered_on": "paid_on",
    "individual": "worker",
    "household": "worker",
    "value": "days",
}


def _check_person(user: Any, individual: Any) -> Individual:
    if not isinstance(individual, Individual) or not can_reach(
        user, individual.household, REGISTRY_VIEW
    ):
        raise field_error(
            "individual", _("Choose a person you can see in the registry."), "person_not_found"
        )
    if individual.status != Individual.Status.ACTIVE:
        raise field_error(
            "individual",
            _("This person is no longer a member of the household (left or deceased)."),
            "person_not_member",
        )
    if individual.household.status != Household.Status.ACTIVE:
        raise field_error(
            "individual",
            _(
                "Household %(id)s is not active in the registry: choose a member of an active household."
            )
            % {"id": individual.household.registration_id},
            "household_not_active",
        )
    return individual


def worker_add(
    *,
    user: Any,
    project: InfrastructureProject,
    individual: Individual,
    daily_rate: Decimal | str,
    role: str = "",
) -> ProjectWorker:
    """A registered person working on an endorsed project or one in progress, at a
    daily rate in the project's currency; once per project."""
    require(user, MANAGE, project)
    problems = Problems()
    person = problems.run(_check_person, user, individual)
    rate = problems.run(decimal, daily_rate, "daily_rate", positive=True, maximum=MAX_RATE)
    described = problems.run(text, role, "role", limit=100)
    problems.raise_if_any()
    with transaction.atomic():
        locked = InfrastructureProject.objects.select_for_update().get(pk=project.pk)
        if locked.status not in HIRING:
            raise Conflict(
                _("Workers join a project once it is endorsed and until its works are completed."),
                code="project_not_hiring",
            )
        if ProjectWorker.objects.filter(project=locked, individual=person).exists():
            raise field_error(
                "individual",
                _("This person already works on the project."),
                "worker_exists",
            )
        who = actor(user)
        try:
            with transaction.atomic():
                return ProjectWorker.objects.create(
                    project=locked,
                    individual=person,
                    household_id=person.household_id,
                    role=described or "",
                    daily_rate=rate,
                    created_by=who,
                    updated_by=who,
                )
        except IntegrityError as exc:
            raise field_error(
                "individual", _("This person already works on the project."), "worker_exists"
            ) from exc


def worker_update(
    *,
    user: Any,
    worker: ProjectWorker,
    daily_rate: Decimal | str | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> ProjectWorker:
    """Change a worker's daily rate (for payments recorded from now on), role, or mark
    them as no longer working (still payable for the days they worked)."""
    require(user, MANAGE, worker.project)
    problems = Problems()
    rate = (
        problems.run(decimal, daily_rate, "daily_rate", positive=True, maximum=MAX_RATE)
        if daily_rate is not None
        else None
    )
    described = problems.run(text, role, "role", limit=100) if role is not None else None
    problems.raise_if_any()
    with transaction.atomic():
        locked = ProjectWorker.objects.select_for_update().get(pk=worker.pk)
        if rate is not None:
            locked.daily_rate = rate
        if described is not None:
            locked.role = described
        if active is not None:
            locked.active = bool(active)
        locked.updated_by = actor(user)
        locked.save()
    return locked


def _payment_values(
    worker: ProjectWorker,
    period_start: Any,
    period_end: Any,
    days: Any,
    paid_on: Any,
) -> dict[str, Any]:
    problems = Problems()
    start = problems.run(date, period_start, "period_start")
    end = problems.run(date, period_end, "period_end")
    day_count = problems.run(
        decimal, days, "days", positive=True, maximum=Decimal("999.5"), step=Decimal("0.5")
    )
    paid = problems.run(date, paid_on, "paid_on", past=True)
    if start and end:
        if end < start:
            problems.add("period_end", _("The period cannot end before it starts."))
        elif day_count is not None and day_count > (end - start).days + 1:
            problems.add(
                "days",
                _("The period has %(n)d days: the days worked cannot be more.")
                % {"n": (end - start).days + 1},
            )
    if start and paid and paid < start:
        problems.add("paid_on", _("The payment cannot be dated before the period it pays for."))
    project = worker.project
    if start and project.starts_on and start < project.starts_on:
        problems.add(
            "period_start",
            _("The works started on %(date)s: the period cannot start before.")
            % {"date": project.starts_on.isoformat()},
        )
    problems.raise_if_any()
    assert day_count is not None
    return {
        "period_start": start,
        "period_end": end,
        "days": day_count,
        "paid_on": paid,
        "amount": (day_count * worker.daily_rate).quantize(Decimal("0.01")),
        "currency": project.currency,
        "exchange_rate": project.exchange_rate,
    }


def _write_ledger(user: Any, payment: WorkerPayment) -> Any:
    worker = payment.worker
    project = worker.project
    community = project.community
    where: dict[str, Any] = (
        {"place": community.place} if community.place_id else {"admin_unit": community.admin_unit}
    )
    try:
        return assistance_record(
            user=user,
            individual=worker.individual,
            household=worker.individual.household,
            programme=PROGRAMME,
            project=project.project,
            kind="cash",
            item=ITEM,
            value=payment.amount,
            currency=payment.currency,
            exchange_rate=payment.exchange_rate,
            delivered_on=payment.paid_on,
            source_type=SOURCE_TYPE,
            source_id=str(payment.public_id),
            description=f"{project.reference} {payment.period_start:%Y-%m-%d}/{payment.period_end:%Y-%m-%d}",
            permission=None,
            **where,
        )
    except ValidationFailed as exc:
        fields: dict[str, list[str]] = {}
        for name, messages in exc.fields.items():
            target = LEDGER_FIELDS.get(name, "__all__")
            fields.setdefault(target, []).extend(
                str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])
            )
        raise ValidationFailed(exc.message, code=exc.code, fields=fields) from exc


def worker_payment_record(
    *,
    user: Any,
    worker: ProjectWorker,
    period_start: datetime.date,
    period_end: datetime.date,
    days: Decimal | str,
    paid_on: datetime.date,
) -> WorkerPayment:
    """Record what a worker was paid for the days worked in a period (amount = days ×
    daily rate) and write the ledger, in one transaction. The same payment recorded
    again returns the one already recorded (`replayed = True`); a different one for the
    same period start, or a period overlapping another, is refused."""
    require(user, MANAGE, worker.project)
    with transaction.atomic():
        locked = (
            ProjectWorker.objects.select_for_update(of=("self",))
            .select_related(
                "project__community__place",
                "project__community__admin_unit",
                "project__project",
                "individual__household",
            )
            .get(pk=worker.pk)
        )
        values = _payment_values(locked, period_start, period_end, days, paid_on)
        existing = WorkerPayment.objects.filter(
            worker=locked, period_start=values["period_start"]
        ).first()
        if existing is not None:
            same = (
                existing.period_end == values["period_end"]
                and existing.days == values["days"]
                and existing.paid_on == values["paid_on"]
            )
            if not same:
                raise Conflict(
                    _("This worker was already paid for the period starting %(date)s.")
                    % {"date": values["period_start"].isoformat()},
                    code="period_paid",
                )
            existing.worker = locked
            _write_ledger(user, existing)
            existing.replayed = True  # type: ignore[attr-defined]
            return existing
        if locked.project.status not in PAYING:
            raise Conflict(
                _("Workers are paid while the works are in progress or just completed."),
                code="project_not_paying",
            )
        overlap = WorkerPayment.objects.filter(
            worker=locked,
            period_start__lte=values["period_end"],
            period_end__gte=values["period_start"],
        ).first()
        if overlap is not None:
            raise field_error(
                "period_start",
                _("This period overlaps the one paid from %(start)s to %(end)s.")
                % {
                    "start": overlap.period_start.isoformat(),
                    "end": overlap.period_end.isoformat(),
                },
                "period_overlaps",
            )
        who = actor(user)
        payment = WorkerPayment.objects.create(
            worker=locked, created_by=who, updated_by=who, **values
        )
        _write_ledger(user, payment)
    payment.replayed = False  # type: ignore[attr-defined]
    return payment

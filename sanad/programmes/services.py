"""Writes for donor projects, activities and targets. The web pages, the API and the
command line all come through here, so the rules below hold whichever way data arrives.

Every write checks that the programme (or the project) is inside what the user may
manage, and refuses with a sentence that says what to fix.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.accounts.models import Organisation
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.programmes.models import Activity, Currency, Programme, Project, Target
from sanad.programmes.selectors import DONOR_KINDS, MANAGE

INDICATOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
MAX_BUDGET = Decimal("99999999999999.99")  # what the column holds (16 digits, 2 decimals)


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


# --- permission checks ------------------------------------------------------------
def _require_manage(user: Any, obj: Programme | Project | Activity) -> None:
    if not has_permission(user, MANAGE):
        raise PermissionDenied()
    if not can_reach(user, obj, MANAGE):
        raise PermissionDenied(
            _(
                "You do not manage this programme. Ask an administrator to extend your scope if you need to."
            ),
            code="out_of_scope",
        )


def _require_open(project: Project) -> None:
    # Read the status from the database: the page the change comes from may be old.
    if Project.objects.filter(pk=project.pk, status=Project.Status.CLOSED).exists():
        raise ValidationFailed(
            _(
                "This project is closed. Reopen it before changing it, its activities or its targets."
            ),
            code="project_closed",
        )


# --- value checks ------------------------------------------------------------------
def _programme(value: Programme | str | None, errors: dict[str, Any]) -> Programme | None:
    if isinstance(value, Programme):
        return value
    programme = Programme.objects.filter(code=value).first() if value else None
    if programme is None:
        errors["programme"] = _("Choose one of the programmes.")
    return programme


def _donor(value: Organisation | None, errors: dict[str, Any]) -> None:
    if value is None:
        errors["donor"] = _("Choose the donor that funds the project.")
    elif value.kind not in DONOR_KINDS:
        errors["donor"] = _(
            "%(name)s is not a donor. Choose an organisation registered as a donor or a UN agency."
        ) % {"name": value}
    elif not value.is_active:
        errors["donor"] = _("%(name)s is deactivated. Choose an active donor.") % {"name": value}


def _decimal(value: Any, field: str, errors: dict[str, Any], *, what: str) -> Decimal | None:
    if value is None or value == "":
        errors[field] = _("Give the %(what)s.") % {"what": what}
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("Write the %(what)s as a number, such as 250000.") % {"what": what}
        return None
    if not number.is_finite():
        errors[field] = _("Write the %(what)s as a number, such as 250000.") % {"what": what}
        return None
    if number < 0:
        errors[field] = _("The %(what)s cannot be negative.") % {"what": what}
        return None
    if number > MAX_BUDGET:
        errors[field] = _("The %(what)s is too large.") % {"what": what}
        return None
    return number.quantize(Decimal("0.01"))


def _dates(
    start: datetime.date | None,
    end: datetime.date | None,
    errors: dict[str, Any],
    *,
    start_field: str = "start_date",
    end_field: str = "end_date",
) -> None:
    if start is None:
        errors[start_field] = _("Give the start date.")
    if end is None:
        errors[end_field] = _("Give the end date.")
    if start and end and end < start:
        errors[end_field] = _("The end date (%(end)s) is before the start date (%(start)s).") % {
            "end": end.isoformat(),
            "start": start.isoformat(),
        }


def _governorates(values: Iterable[Any], errors: dict[str, Any]) -> list[Any]:
    from sanad.geo.models import AdminUnit

    values = list(values)
    codes = [v.pcode if isinstance(v, AdminUnit) else str(v) for v in values]
    found = {
        u.pcode: u
        for u in AdminUnit.objects.filter(pcode__in=codes, level=AdminUnit.Level.GOVERNORATE)
    }
    bad = [c for c in codes if c not in found]
    if bad:
        errors["governorates"] = _("These are not governorate P-codes: %(codes)s.") % {
            "codes": ", ".join(bad)
        }
    return [found[c] for c in dict.fromkeys(codes) if c in found]


def _text(
    value: str | None, field: str, errors: dict[str, Any], message: str, *, max_length: int
) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = message
    elif len(text) > max_length:
        errors[field] = _("Keep this under %(n)d characters.") % {"n": max_length}
    return text


# --- projects ------------------------------------------------------------------------
def project_create(
    *,
    user: Any,
    programme: Programme | str,
    code: str,
    title: str,
    donor: Organisation | None,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    currency: str,
    budget: Decimal | str | int | None,
    governorates: Iterable[Any] = (),
) -> Project:
    """Add a donor project, planned, to a programme the user manages."""
    errors: dict[str, Any] = {}
    programme_obj = _programme(programme, errors)
    if programme_obj is not None:
        _require_manage(user, programme_obj)
    elif not has_permission(user, MANAGE):
        raise PermissionDenied()
    code = _text(
        code, "code", errors, _("Give the project code the donor agreement uses."), max_length=40
    )
    if code and Project.objects.filter(code__iexact=code).exists():
        errors["code"] = _("A project with the code %(code)s already exists.") % {"code": code}
    title = _text(title, "title", errors, _("Give the project a title."), max_length=250)
    _donor(donor, errors)
    _dates(start_date, end_date, errors)
    if currency not in Currency.values:
        errors["currency"] = _("Choose IQD or USD.")
    amount = _decimal(budget, "budget", errors, what=_("budget"))
    units = _governorates(governorates, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    assert programme_obj and donor and start_date and end_date and amount is not None
    try:
        with transaction.atomic():
            project = Project.objects.create(
                programme=programme_obj,
                code=code,
                title=title,
                donor=donor,
                start_date=start_date,
                end_date=end_date,
                currency=currency,
                budget=amount,
                status=Project.Status.PLANNED,
                created_by=_actor(user),
                updated_by=_actor(user),
            )
            project.governorates.set(units)
    except IntegrityError as exc:  # another request took the code meanwhile
        raise ValidationFailed(
            fields={"code": _("A project with the code %(code)s already exists.") % {"code": code}}
        ) from exc
    return project


def project_update(
    *,
    project: Project,
    user: Any,
    programme: Programme | str | None = None,
    code: str | None = None,
    title: str | None = None,
    donor: Organisation | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    currency: str | None = None,
    budget: Decimal | str | int | None = None,
    governorates: Iterable[Any] | None = None,
) -> Project:
    """Change a project; arguments left as None stay as they are."""
    _require_manage(user, project)
    _require_open(project)
    errors: dict[str, Any] = {}
    if programme is not None:
        new_programme = _programme(programme, errors)
        if new_programme is not None and new_programme.pk != project.programme_id:
            _require_manage(user, new_programme)
            project.programme = new_programme
    if code is not None:
        code = _text(
            code,
            "code",
            errors,
            _("Give the project code the donor agreement uses."),
            max_length=40,
        )
        if code and Project.objects.filter(code__iexact=code).exclude(pk=project.pk).exists():
            errors["code"] = _("A project with the code %(code)s already exists.") % {"code": code}
        project.code = code
    if title is not None:
        project.title = _text(
            title, "title", errors, _("Give the project a title."), max_length=250
        )
    if donor is not None:
        _donor(donor, errors)
        project.donor = donor
    project.start_date = start_date or project.start_date
    project.end_date = end_date or project.end_date
    _dates(project.start_date, project.end_date, errors)
    if (start_date or end_date) and "end_date" not in errors:
        outside = list(
            Target.objects.filter(activity__project=project)
            .exclude(period_start__gte=project.start_date, period_end__lte=project.end_date)
            .values_list("indicator", "period_start", "period_end")[:5]
        )
        if outside:
            listed = "; ".join(f"{ind} {s.isoformat()}/{e.isoformat()}" for ind, s, e in outside)
            errors["end_date" if end_date else "start_date"] = _(
                "Some targets would fall outside the project dates (%(targets)s). Change those targets first."
            ) % {"targets": listed}
    if currency is not None:
        if currency not in Currency.values:
            errors["currency"] = _("Choose IQD or USD.")
        project.currency = currency
    if budget is not None:
        amount = _decimal(budget, "budget", errors, what=_("budget"))
        if amount is not None:
            project.budget = amount
    units = _governorates(governorates, errors) if governorates is not None else None
    if errors:
        project.refresh_from_db()
        raise ValidationFailed(fields=errors)
    project.updated_by = _actor(user)
    try:
        with transaction.atomic():
            # Never the status: that changes only through the state machine.
            project.save(
                update_fields=[
                    "programme",
                    "code",
                    "title",
                    "donor",
                    "start_date",
                    "end_date",
                    "currency",
                    "budget",
                    "updated_by",
                    "updated_at",
                ]
            )
            if units is not None:
                project.governorates.set(units)
    except IntegrityError as exc:
        project.refresh_from_db()
        raise ValidationFailed(
            fields={"code": _("A project with the code %(code)s already exists.") % {"code": code}}
        ) from exc
    return project


def project_activate(*, project: Project, user: Any, reason: str = "") -> Project:
    """Start a planned project, or reopen a closed one."""
    _require_manage(user, project)
    Project.STATUS_MACHINE.transition(
        project, to=Project.Status.ACTIVE, by=user, reason=(reason or "").strip()
    )
    return project


def project_close(*, project: Project, user: Any, reason: str) -> Project:
    """Close a project; the reason is kept in its history."""
    _require_manage(user, project)
    Project.STATUS_MACHINE.transition(
        project, to=Project.Status.CLOSED, by=user, reason=(reason or "").strip()
    )
    return project


def project_transition(*, project: Project, user: Any, to: str, reason: str = "") -> Project:
    """Move a project to `to` (active or closed): one door for the buttons and the API."""
    if to == Project.Status.ACTIVE:
        return project_activate(project=project, user=user, reason=reason)
    if to == Project.Status.CLOSED:
        return project_close(project=project, user=user, reason=reason)
    raise ValidationFailed(fields={"to": _("Choose active or closed.")})


# --- activities ---------------------------------------------------------------------
def activity_create(
    *, user: Any, project: Project, code: str, name: str, description: str = ""
) -> Activity:
    _require_manage(user, project)
    _require_open(project)
    errors: dict[str, Any] = {}
    code = _text(code, "code", errors, _("Give the activity a code, such as 1.1."), max_length=40)
    if code and project.activities.filter(code__iexact=code).exists():
        errors["code"] = _("This project already has an activity %(code)s.") % {"code": code}
    name = _text(name, "name", errors, _("Name the activity."), max_length=250)
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic():
            return Activity.objects.create(
                project=project,
                code=code,
                name=name,
                description=(description or "").strip(),
                created_by=_actor(user),
                updated_by=_actor(user),
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            fields={"code": _("This project already has an activity %(code)s.") % {"code": code}}
        ) from exc


def activity_update(
    *,
    activity: Activity,
    user: Any,
    code: str | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Activity:
    _require_manage(user, activity)
    _require_open(activity.project)
    errors: dict[str, Any] = {}
    if code is not None:
        code = _text(
            code, "code", errors, _("Give the activity a code, such as 1.1."), max_length=40
        )
        if (
            code
            and activity.project.activities.filter(code__iexact=code)
            .exclude(pk=activity.pk)
            .exists()
        ):
            errors["code"] = _("This project already has an activity %(code)s.") % {"code": code}
        activity.code = code
    if name is not None:
        activity.name = _text(name, "name", errors, _("Name the activity."), max_length=250)
    if description is not None:
        activity.description = description.strip()
    if errors:
        activity.refresh_from_db()
        raise ValidationFailed(fields=errors)
    activity.updated_by = _actor(user)
    activity.save()
    return activity


# --- targets ------------------------------------------------------------------------
def target_set(
    *,
    user: Any,
    activity: Activity,
    indicator: str,
    label: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    value: Decimal | str | int | None,
    unit: str = "people",
    target: Target | None = None,
) -> Target:
    """Set what an activity aims to reach on an indicator in a period.

    Without `target`, a target with the same indicator and the same period is updated and
    otherwise one is added. Periods of one indicator may not overlap within an activity,
    so that the targets of an activity add up without counting a month twice.
    """
    _require_manage(user, activity)
    project = activity.project
    _require_open(project)
    if target is not None and target.activity_id != activity.pk:
        raise ValidationFailed(fields={"activity": _("This target belongs to another activity.")})
    errors: dict[str, Any] = {}
    indicator = _text(
        indicator,
        "indicator",
        errors,
        _("Give the indicator code, such as people_reached_nfi."),
        max_length=80,
    )
    if indicator and not INDICATOR_RE.match(indicator):
        errors["indicator"] = _(
            "Write the indicator code with letters, digits, dots, dashes or underscores, without spaces."
        )
    label = _text(label, "label", errors, _("Describe what is counted."), max_length=250)
    unit = _text(
        unit, "unit", errors, _("Give the unit, such as people or households."), max_length=40
    )
    amount = _decimal(value, "value", errors, what=_("target value"))
    _dates(period_start, period_end, errors, start_field="period_start", end_field="period_end")
    if (
        period_start
        and period_end
        and "period_end" not in errors
        and (period_start < project.start_date or period_end > project.end_date)
    ):
        errors["period_end" if period_end > project.end_date else "period_start"] = _(
            "The period must be inside the project dates, %(start)s to %(end)s."
        ) % {"start": project.start_date.isoformat(), "end": project.end_date.isoformat()}
    if errors:
        raise ValidationFailed(fields=errors)
    assert period_start is not None and period_end is not None and amount is not None
    same_indicator = activity.targets.filter(indicator=indicator)
    if target is None:
        target = same_indicator.filter(period_start=period_start, period_end=period_end).first()
    if target is not None:
        same_indicator = same_indicator.exclude(pk=target.pk)
    clash = same_indicator.filter(
        period_start__lte=period_end, period_end__gte=period_start
    ).first()
    if clash is not None:
        raise ValidationFailed(
            fields={
                "period_start": _(
                    "The target for %(indicator)s from %(start)s to %(end)s overlaps this period. Change that target "
                    "or choose another period."
                )
                % {
                    "indicator": indicator,
                    "start": clash.period_start.isoformat(),
                    "end": clash.period_end.isoformat(),
                }
            }
        )
    if target is None:
        target = Target(activity=activity, created_by=_actor(user))
    target.updated_by = _actor(user)
    target.indicator, target.label, target.unit = indicator, label, unit
    target.period_start, target.period_end, target.value = period_start, period_end, amount
    target.save()
    return target


def target_delete(*, target: Target, user: Any) -> None:
    _require_manage(user, target.activity)
    _require_open(target.activity.project)
    target.delete()

"""Visits to a grantee's business: a verification visit checks how a released tranche
was spent (it opens the next tranche when the grant was spent as planned and the
business operates); the follow-ups at 3, 6 and 12 months, scheduled when the agreement
was signed, record whether the business still operates, the jobs it created and its
revenue band. Recording the 12-month follow-up completes the application."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.cash.models import TrancheRelease
from sanad.core.errors import Conflict, ValidationFailed
from sanad.revitalization.models import (
    GRANTS,
    GrantAgreement,
    GrantApplication,
    GrantVisit,
    RevenueBand,
)
from sanad.revitalization.services._common import actor, require, today
from sanad.revitalization.services.grants.agreements import (
    FOLLOW_UP_MONTHS,
    MAX_JOBS,
    _date,
    _text,
    add_months,
)

APP = GrantApplication.Status
VISIT = GrantVisit.Kind


def _bool(errors: dict[str, list[str]], field: str, value: Any, message: str) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in ("yes", "true", "1", "on"):
        return True
    if text in ("no", "false", "0"):
        return False
    errors.setdefault(field, []).append(message)
    return None


def visit_record(
    *,
    user: Any,
    agreement: GrantAgreement,
    kind: str,
    visited_on: Any,
    operating: Any,
    funds_used_as_planned: Any = None,
    verifies_tranche: Any = None,
    jobs_created: Any = None,
    revenue_band: str = "",
    notes: str = "",
) -> GrantVisit:
    """Record a visit. A verification visit (`verifies_tranche`, whether the business
    operates and the grant was spent as planned) is a new record each time; a follow-up
    (month_3, month_6, month_12: operating, jobs created, revenue band) fills the visit
    scheduled at signature (recorded again, it is corrected). The 12-month follow-up
    completes the application."""
    require(user, GRANTS, agreement)
    errors: dict[str, list[str]] = {}
    if kind not in VISIT.values:
        raise ValidationFailed(fields={"kind": [_("Choose the kind of visit.")]})
    day = _date(errors, "visited_on", visited_on)
    if day is not None and day > today():
        errors["visited_on"] = [_("The visit cannot be in the future.")]
    elif day is not None and day < agreement.signed_on:
        errors["visited_on"] = [
            _("The visit cannot be before the agreement was signed (%(day)s).")
            % {"day": agreement.signed_on.isoformat()}
        ]
    is_operating = _bool(
        errors, "operating", operating, _("Say whether the business is still operating.")
    )
    clean_notes = _text(errors, "notes", notes, 4000)
    spent: bool | None = None
    tranche: int | None = None
    jobs: int | None = None
    band = ""
    if kind == VISIT.VERIFICATION:
        spent = _bool(
            errors,
            "funds_used_as_planned",
            funds_used_as_planned,
            _("Say whether the tranche was spent as planned."),
        )
        try:
            tranche = int(verifies_tranche)
        except (TypeError, ValueError):
            tranche = 0
        if not 1 <= tranche <= agreement.tranches:
            errors["verifies_tranche"] = [
                _("Choose the tranche the visit verifies, from 1 to %(n)d.")
                % {"n": agreement.tranches}
            ]
    else:
        if funds_used_as_planned not in (None, ""):
            spent = _bool(
                errors,
                "funds_used_as_planned",
                funds_used_as_planned,
                _("Say whether the grant was spent as planned."),
            )
        try:
            jobs = int(jobs_created)
        except (TypeError, ValueError):
            jobs = -1
        if not 0 <= jobs <= MAX_JOBS:
            errors["jobs_created"] = [
                _("Give the jobs created as a whole number from 0 to %(n)d.") % {"n": MAX_JOBS}
            ]
        band = str(revenue_band or "")
        if band not in RevenueBand.values:
            errors["revenue_band"] = [_("Choose the business's revenue band.")]
    with transaction.atomic():
        agreement = (
            GrantAgreement.objects.select_for_update(of=("self",))
            .select_related("application")
            .get(pk=agreement.pk)
        )
        application = agreement.application
        if application.status not in (APP.AGREEMENT, APP.COMPLETED):
            raise Conflict(
                _("The application is “%(status)s”: no visit is recorded on it.")
                % {"status": application.get_status_display()},
                code="application_closed",
            )
        if kind == VISIT.VERIFICATION and tranche and "verifies_tranche" not in errors:
            released = (
                TrancheRelease.objects.filter(
                    entitlement_id=agreement.entitlement_id, tranche=tranche
                ).exists()
                if agreement.entitlement_id
                else False
            )
            if not released:
                errors["verifies_tranche"] = [
                    _("Tranche %(n)d is not released yet: there is nothing to verify.")
                    % {"n": tranche}
                ]
        if errors:
            raise ValidationFailed(fields=errors)
        values: dict[str, Any] = {
            "visited_on": day,
            "operating": is_operating,
            "funds_used_as_planned": spent,
            "notes": clean_notes,
            "updated_by": actor(user),
        }
        if kind == VISIT.VERIFICATION:
            visit = GrantVisit.objects.create(
                agreement=agreement,
                kind=kind,
                verifies_tranche=tranche,
                created_by=actor(user),
                **values,
            )
        else:
            values.update(jobs_created=jobs, revenue_band=band)
            scheduled = (
                GrantVisit.objects.select_for_update()
                .filter(agreement=agreement, kind=kind)
                .first()
            )
            if scheduled is None:
                visit = GrantVisit.objects.create(
                    agreement=agreement,
                    kind=kind,
                    due_on=add_months(agreement.signed_on, FOLLOW_UP_MONTHS[kind]),
                    created_by=actor(user),
                    **values,
                )
            else:
                visit = scheduled
                for name, value in values.items():
                    setattr(visit, name, value)
                visit.save()
        if kind == VISIT.MONTH_12 and application.status == APP.AGREEMENT:
            GrantApplication.STATUS_MACHINE.transition(
                application,
                to=APP.COMPLETED,
                by=user,
                reason=_("Follow-up at 12 months recorded on %(day)s.")
                % {"day": day.isoformat() if isinstance(day, datetime.date) else ""},
            )
    return visit


__all__ = ["visit_record"]

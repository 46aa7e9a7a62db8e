"""Helpers and rules shared by the contractors, tenders and contracts services: input
parsing, the lot of houses a tender or contract may cover, the contract's terms."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed, field_error
from sanad.core.models import StatusTransition
from sanad.core.scoping import grants_for, scoped
from sanad.shelter.models import (
    MANAGE_CONTRACT,
    Contract,
    Contractor,
    Defect,
    RehabCase,
    Tender,
)
from sanad.shelter.services._common import actor, money

TECHNICAL_PASS = Decimal("70")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")
LIVE_TENDER = (Tender.Status.DRAFT, Tender.Status.OPEN, Tender.Status.EVALUATED)
# A case whose works are finished (for the contract's practical completion).
CASE_DONE = (
    RehabCase.Status.COMPLETED,
    RehabCase.Status.HANDED_OVER,
    RehabCase.Status.CLOSED,
)
UNRESOLVED_DEFECT = (Defect.Status.OPEN, Defect.Status.FIXED)


def _text(data: dict[str, Any], field: str, *, max_length: int, required: bool = False) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise field_error(field, _("This field is required."), f"{field}_required")
    if len(value) > max_length:
        raise field_error(
            field, _("Shorten this to %(n)d characters.") % {"n": max_length}, f"{field}_too_long"
        )
    return value


def _decimal(
    data: dict[str, Any],
    field: str,
    *,
    default: Any = None,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    positive: bool = False,
) -> Decimal:
    raw = data.get(field, default)
    if raw in (None, ""):
        raw = default
    if raw in (None, ""):
        raise field_error(field, _("Enter a number."), f"{field}_required")
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a number."), f"invalid_{field}") from None
    if not value.is_finite():
        raise field_error(field, _("Enter a number."), f"invalid_{field}")
    if positive and value <= 0:
        raise field_error(field, _("Enter an amount above zero."), f"{field}_not_positive")
    if minimum is not None and value < minimum:
        raise field_error(field, _("Enter at least %(n)s.") % {"n": minimum}, f"{field}_too_small")
    if maximum is not None and value > maximum:
        raise field_error(field, _("Enter at most %(n)s.") % {"n": maximum}, f"{field}_too_large")
    return value


def _date(data: dict[str, Any], field: str, *, required: bool = False) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from None


def _reaches(user: Any, permission: str, governorate: Any, programme: Any) -> bool:
    """Whether the user's grants of `permission` cover a governorate and a programme
    (for a record about to be created, which `can_reach` cannot test)."""
    gov = getattr(governorate, "pcode", governorate)
    prog = getattr(programme, "code", programme)
    for grant in grants_for(user, permission):
        if (grant.all_governorates or gov in grant.governorates) and (
            grant.all_programmes or prog in grant.programmes
        ):
            return True
    return False


def _record_creation(obj: Any, *, user: Any, to: str, reason: str) -> None:
    """Keep why a record was made (a direct award's justification) in its status
    history, as the first step."""
    StatusTransition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk),
        field="status",
        from_state="",
        to_state=to,
        by=actor(user),
        reason=reason,
    )


def _stamp(obj: Any, user: Any, *, created: bool = False) -> None:
    who = actor(user)
    if created:
        obj.created_by = who
    obj.updated_by = who


def _require_active(contractor: Contractor, field: str = "contractor") -> None:
    if contractor.status != Contractor.Status.ACTIVE:
        raise field_error(
            field,
            _("%(name)s is %(status)s: choose an active contractor.")
            % {"name": contractor.name, "status": contractor.get_status_display().lower()},
            "contractor_not_active",
        )


# --- lots of houses --------------------------------------------------------------------


def eligible_cases_q() -> Q:
    """Cases that may go into a new lot: by contractor, no contract, in no live tender,
    not finished (open, or in progress when a terminated contractor left the works
    unfinished)."""
    return Q(
        modality=RehabCase.Modality.CONTRACTOR,
        status__in=(RehabCase.Status.OPEN, RehabCase.Status.IN_PROGRESS),
        contract__isnull=True,
    ) & ~Q(tenders__status__in=LIVE_TENDER)


def _check_lot(
    *,
    user: Any,
    cases: Iterable[RehabCase],
    project: Any,
    governorate: Any,
    currency: str,
    tender: Tender | None = None,
    required: bool = True,
) -> list[RehabCase]:
    """The cases of a lot, locked, each checked: in the user's reach, contractor
    modality, open, no contract, same project, governorate and currency, in no other
    live tender."""
    ids = sorted({c.pk for c in cases})
    if not ids:
        if required:
            raise field_error("cases", _("Choose at least one house for the lot."), "lot_empty")
        return []
    reachable = scoped(RehabCase.objects.all(), user, MANAGE_CONTRACT).filter(pk__in=ids)
    rows = list(RehabCase.objects.select_for_update().filter(pk__in=reachable).order_by("pk"))
    if len(rows) != len(ids):
        raise field_error(
            "cases", _("Some of the houses are not in your area or programme."), "case_not_found"
        )
    links = Tender.cases.through.objects.filter(
        rehabcase_id__in=ids, tender__status__in=LIVE_TENDER
    )
    if tender is not None:
        links = links.exclude(tender_id=tender.pk)
    busy = set(links.values_list("rehabcase_id", flat=True))
    problems = []
    for case in rows:
        if case.modality != RehabCase.Modality.CONTRACTOR:
            problems.append(
                _("%(ref)s is not to be done by a contractor.") % {"ref": case.reference}
            )
        elif (
            case.status not in (RehabCase.Status.OPEN, RehabCase.Status.IN_PROGRESS)
            or case.contract_id
        ):
            problems.append(
                _("%(ref)s already has a contract or its works are finished.")
                % {"ref": case.reference}
            )
        elif case.pk in busy:
            problems.append(_("%(ref)s is already in another tender.") % {"ref": case.reference})
        elif case.project_id != project.pk:
            problems.append(_("%(ref)s belongs to another project.") % {"ref": case.reference})
        elif case.governorate_id != governorate.pk:
            problems.append(_("%(ref)s is in another governorate.") % {"ref": case.reference})
        elif case.currency != currency:
            problems.append(
                _("%(ref)s is budgeted in %(cur)s.") % {"ref": case.reference, "cur": case.currency}
            )
    if problems:
        message = " ".join(problems)
        raise ValidationFailed(message, code="case_not_eligible", fields={"cases": problems})
    return rows


def _estimate(cases: Sequence[RehabCase]) -> Decimal:
    return money(sum((c.budget for c in cases), ZERO))


def _governorate_of(data: dict[str, Any]) -> Any:
    gov = data.get("governorate")
    if gov is None:
        raise field_error("governorate", _("Choose the governorate."), "governorate_required")
    if getattr(gov, "level", 1) != 1:
        gov = gov.governorate
    return gov


def _project_of(data: dict[str, Any]) -> Any:
    project = data.get("project")
    if project is None:
        raise field_error("project", _("Choose the project."), "project_required")
    return project


def _currency(data: dict[str, Any], default: str) -> str:
    currency = str(data.get("currency") or default or "USD")
    if currency not in ("USD", "IQD"):
        raise field_error("currency", _("Choose USD or IQD."), "invalid_currency")
    return currency


def _contract_terms(contract: Contract, data: dict[str, Any]) -> None:
    """Dates and percentages of a contract (defaults of the model when left out)."""
    contract.start_on = _date(data, "start_on")
    contract.end_on = _date(data, "end_on")
    if contract.start_on and contract.end_on and contract.end_on < contract.start_on:
        raise field_error(
            "end_on", _("The planned completion is before the start."), "end_before_start"
        )
    contract.retention_percent = _decimal(
        data,
        "retention_percent",
        default=contract.retention_percent,
        minimum=Decimal(0),
        maximum=Decimal(50),
    )
    contract.penalty_per_day_percent = _decimal(
        data,
        "penalty_per_day_percent",
        default=contract.penalty_per_day_percent,
        minimum=Decimal(0),
        maximum=Decimal(10),
    )
    contract.penalty_cap_percent = _decimal(
        data,
        "penalty_cap_percent",
        default=contract.penalty_cap_percent,
        minimum=Decimal(0),
        maximum=HUNDRED,
    )
    days = data.get("defects_liability_days")
    if days not in (None, ""):
        try:
            contract.defects_liability_days = int(days)
        except (TypeError, ValueError):
            raise field_error(
                "defects_liability_days", _("Enter a number of days."), "invalid_days"
            ) from None
        if not 0 <= contract.defects_liability_days <= 3650:
            raise field_error(
                "defects_liability_days", _("Enter between 0 and 3650 days."), "invalid_days"
            )

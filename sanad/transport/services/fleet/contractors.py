"""Transport contractors (register, edit, suspend, reactivate) and their contracts
(record, end, reactivate)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, field_error
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.transport.models import (
    FLEET,
    TransportContract,
    TransportContractor,
)
from sanad.transport.models.common import Currency
from sanad.transport.services._common import (
    PROGRAMME,
    next_reference,
    require,
    today,
)
from sanad.transport.services.fleet._base import (
    _date,
    _decimal,
    _governorates,
    _phone,
    _save_with_governorates,
    _stamp,
    _text,
)

# --- contractors -----------------------------------------------------------------------

CONTRACTOR_FIELDS = ("name", "registration_number", "contact_name", "phone", "email", "notes")


def _contractor_values(
    user: Any, contractor: TransportContractor, fields: dict[str, Any]
) -> list[AdminUnit]:
    limits = {"name": 200, "registration_number": 60, "contact_name": 200, "email": 254}
    for name in ("name", "registration_number", "contact_name", "email"):
        if name in fields or contractor.pk is None:
            setattr(
                contractor,
                name,
                _text(fields.get(name), name, max_length=limits[name], required=name == "name"),
            )
    if "phone" in fields or contractor.pk is None:
        contractor.phone = _phone(fields.get("phone"))
    if "notes" in fields or contractor.pk is None:
        contractor.notes = _text(fields.get("notes"), "notes", max_length=5000, multiline=True)
    others = TransportContractor.objects.exclude(pk=contractor.pk)
    if others.filter(name__iexact=contractor.name).exists():
        raise field_error(
            "name",
            _("A transport contractor with this name is already registered. Open it instead."),
            "contractor_exists",
        )
    if (
        contractor.registration_number
        and others.filter(registration_number__iexact=contractor.registration_number).exists()
    ):
        raise field_error(
            "registration_number",
            _("Another transport contractor has this registration number."),
            "registration_number_taken",
        )
    if "governorates" in fields or contractor.pk is None:
        return _governorates(user, fields.get("governorates"))
    return list(contractor.governorates.all())


def contractor_create(
    *,
    user: Any,
    name: str,
    governorates: Iterable[AdminUnit],
    registration_number: str = "",
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
) -> TransportContractor:
    """Register a transport contractor working in `governorates` (of the user's scope)."""
    require(user, FLEET)
    contractor = TransportContractor()
    chosen = _contractor_values(
        user,
        contractor,
        {
            "name": name,
            "governorates": governorates,
            "registration_number": registration_number,
            "contact_name": contact_name,
            "phone": phone,
            "email": email,
            "notes": notes,
        },
    )
    _stamp(contractor, user, created=True)
    _save_with_governorates(contractor, chosen)
    return contractor


def contractor_update(
    *, user: Any, contractor: TransportContractor, **fields: Any
) -> TransportContractor:
    """Change a contractor: any of name, registration_number, contact_name, phone,
    email, notes, governorates."""
    require(user, FLEET, contractor)
    unknown = set(fields) - {*CONTRACTOR_FIELDS, "governorates"}
    if unknown:
        raise TypeError(f"contractor_update: unknown fields {sorted(unknown)}")
    chosen = _contractor_values(user, contractor, fields)
    _stamp(contractor, user)
    _save_with_governorates(contractor, chosen)
    return contractor


def contractor_transition(
    *, user: Any, contractor: TransportContractor, to: str, reason: str = ""
) -> TransportContractor:
    """Suspend a contractor (`to="suspended"`, reason required: its vehicles and drivers
    join no convoy until reactivated) or reactivate it (`to="active"`)."""
    require(user, FLEET, contractor)
    TransportContractor.STATUS_MACHINE.transition(contractor, to=to, by=user, reason=reason)
    return contractor


# --- contracts -------------------------------------------------------------------------


def _project(value: Any) -> Project | None:
    if value in (None, ""):
        return None
    if not isinstance(value, Project) or value.programme.code != PROGRAMME:
        raise field_error(
            "project",
            _("Choose a project of the transportation programme, or none."),
            "project_not_transport",
        )
    return value


def contract_create(
    *,
    user: Any,
    contractor: TransportContractor,
    starts_on: datetime.date,
    ends_on: datetime.date,
    rate: Any,
    reference: str = "",
    rate_kind: str = TransportContract.RateKind.PER_TRIP,
    currency: str = Currency.USD,
    project: Project | None = None,
    terms: str = "",
) -> TransportContract:
    """Record a framework contract with an active contractor: its period, rate (per
    trip, day or km) and currency, the project paying (of the transportation programme,
    optional). Without a reference one is given (TRC-YYYY-NNNNN)."""
    require(user, FLEET, contractor)
    if contractor.status != TransportContractor.Status.ACTIVE:
        raise Conflict(
            _("%(name)s is suspended: reactivate it before recording a contract.")
            % {"name": contractor.name},
            code="contractor_suspended",
        )
    reference = _text(reference, "reference", max_length=40).upper()
    start = _date(starts_on, "starts_on", required=True)
    end = _date(ends_on, "ends_on", required=True)
    assert start is not None and end is not None
    if end < start:
        raise field_error(
            "ends_on", _("The contract cannot end before it starts."), "period_reversed"
        )
    amount = _decimal(rate, "rate")
    if rate_kind not in TransportContract.RateKind.values:
        raise field_error("rate_kind", _("Choose how the rate is counted."), "invalid_rate_kind")
    if currency not in Currency.values:
        raise field_error("currency", _("Choose IQD or USD."), "invalid_currency")
    chosen_project = _project(project)
    if reference and TransportContract.objects.filter(reference__iexact=reference).exists():
        raise field_error(
            "reference",
            _("Another contract has the reference %(ref)s. Check the reference.")
            % {"ref": reference},
            "reference_taken",
        )
    try:
        with transaction.atomic():
            contract = TransportContract(
                contractor=contractor,
                reference=reference or next_reference(TransportContract, "TRC"),
                project=chosen_project,
                starts_on=start,
                ends_on=end,
                rate_kind=rate_kind,
                rate=amount,
                currency=currency,
                terms=_text(terms, "terms", max_length=5000, multiline=True),
            )
            _stamp(contract, user, created=True)
            contract.save()
    except IntegrityError as exc:
        raise field_error(
            "reference",
            _("Another contract took this reference meanwhile. Save again."),
            "reference_taken",
        ) from exc
    return contract


def contract_transition(
    *, user: Any, contract: TransportContract, to: str, reason: str = ""
) -> TransportContract:
    """End a contract (`to="ended"`) or reactivate it (`to="active"`, while its period
    has not passed)."""
    require(user, FLEET, contract)
    if to == TransportContract.Status.ACTIVE and contract.ends_on < today():
        raise Conflict(
            _("The contract ended on %(d)s: record a new contract instead of reactivating it.")
            % {"d": contract.ends_on.isoformat()},
            code="contract_period_passed",
        )
    TransportContract.STATUS_MACHINE.transition(contract, to=to, by=user, reason=reason)
    return contract

"""Writes to the assistance ledger. This module is the only code that creates an
`AssistanceRecord` (a test greps the project for any other): modules call
`assistance_record` (or `assistance_record_bulk`) when they deliver, the web form and
the API come through here too, so one set of rules holds however a delivery arrives.

The rules
---------
Recipient
    A household, an individual, or both. Given an individual alone, the record carries
    the individual's household too (so a household's history includes what its members
    received). Given both, the individual must be a member of that household. The
    household must be active (not inactive, merged or withdrawn: record the delivery
    on the household it was merged into, or reactivate it first) and the individual a
    current member (not left or deceased).
Programme, project, activity
    The project must belong to the programme and the activity to the project; given an
    activity alone, its project is recorded with it.
Date
    Not in the future (Baghdad time); within the project's start and end dates when a
    project is given.
Quantity and value (by kind)
    - in-kind: a quantity above zero and its unit (such as 1 "kit", 20 "litre").
    - cash, voucher, grant: a value above zero.
    - service, transport, training, infrastructure benefit: neither is required.
    A quantity always needs its unit. A value always needs its currency (IQD or USD)
    and the exchange rate of the day in IQD per US dollar (between 100 and 10,000, which
    catches a rate written the wrong way round), so that any total can be converted.
Where
    The admin unit is the place's, else the one given, else the household's; a place
    and an admin unit given together must agree. The governorate (the ledger's scope)
    is the admin unit's governorate.
Who may record
    `permission` (by default `assistance.record_assistance`) must reach the delivery's
    governorate and programme. A module that has already checked its own permission
    passes that one instead (for example "distribution.confirm_receipt"), or None.
Idempotency
    (source_type, source_id) identifies the module record a delivery comes from. Writing
    the same source again returns the record already written; with different values it
    raises `Conflict`. Two concurrent retries are safe: the unique constraint decides and
    the loser reads the winner's record. A caller that created the source record in
    the same transaction (so it cannot have been recorded before) says so with
    `fresh_source=True`, which skips the look-up and the savepoint.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.assistance.models import AssistanceKind, AssistanceRecord
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import grants_for
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project
from sanad.registry.models import Household, Individual

RECORD = "assistance.record_assistance"
MANUAL_SOURCE = "manual"
CURRENCIES = ("IQD", "USD")
VALUE_KINDS = frozenset({AssistanceKind.CASH, AssistanceKind.VOUCHER, AssistanceKind.GRANT})
QUANTITY_KINDS = frozenset({AssistanceKind.IN_KIND})
MIN_RATE, MAX_RATE = Decimal("100"), Decimal("10000")
MAX_QUANTITY = Decimal("999999999999.99")  # 14 digits, 2 decimals
MAX_VALUE = Decimal("99999999999999.99")  # 16 digits, 2 decimals
CENT, RATE_STEP = Decimal("0.01"), Decimal("0.0001")

# The fields that make two writes of one source the same delivery.
COMPARED = (
    "household_id",
    "individual_id",
    "programme_id",
    "project_id",
    "activity_id",
    "kind",
    "item",
    "description",
    "quantity",
    "unit",
    "value",
    "currency",
    "exchange_rate",
    "delivered_on",
    "place_id",
    "admin_unit_id",
)


@dataclass(frozen=True)
class _State:
    """What the database says now about the households and individuals of a write."""

    households: dict[int, tuple[str, str]]  # pk → (status, registration id of the survivor)
    individuals: dict[int, tuple[str, int]]  # pk → (status, household pk)


def _states(household_pks: Iterable[int], individual_pks: Iterable[int]) -> _State:
    # Read statuses from the database: the objects a caller holds may be old.
    hh = {int(pk) for pk in household_pks if pk}
    ind = {int(pk) for pk in individual_pks if pk}
    return _State(
        households={
            pk: (status, rid or "")
            for pk, status, rid in Household.objects.filter(pk__in=hh).values_list(
                "pk", "status", "merged_into__registration_id"
            )
        }
        if hh
        else {},
        individuals={
            pk: (status, household_id)
            for pk, status, household_id in Individual.objects.filter(pk__in=ind).values_list(
                "pk", "status", "household_id"
            )
        }
        if ind
        else {},
    )


# --- value parsing -----------------------------------------------------------------
def _number(
    value: Any,
    field: str,
    errors: dict[str, Any],
    *,
    step: Decimal,
    maximum: Decimal,
    what: str,
) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors[field] = _("Write the %(what)s as a number, such as 250.") % {"what": what}
        return None
    if number < 0:
        errors[field] = _("The %(what)s cannot be negative.") % {"what": what}
        return None
    if number > maximum:
        errors[field] = _("The %(what)s is too large.") % {"what": what}
        return None
    return number.quantize(step)


def _date(value: Any, errors: dict[str, Any]) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
        errors["delivered_on"] = _("Write the date as YYYY-MM-DD, such as 2026-03-15.")
        return None
    errors["delivered_on"] = _("Give the date of the delivery.")
    return None


def _text(value: Any, field: str, errors: dict[str, Any], *, max_length: int) -> str:
    text = str(value or "").strip()
    if len(text) > max_length:
        errors[field] = _("Keep this under %(n)d characters.") % {"n": max_length}
    return text


def _programme(value: Programme | str | None, errors: dict[str, Any]) -> Programme | None:
    if isinstance(value, Programme):
        return value
    programme = Programme.objects.filter(code=value).first() if value else None
    if programme is None:
        errors["programme"] = _("Choose the programme that delivered.")
    return programme


def _admin_unit(value: AdminUnit | str | None, errors: dict[str, Any]) -> AdminUnit | None:
    if value is None or isinstance(value, AdminUnit):
        return value
    unit = AdminUnit.objects.filter(pcode=str(value).strip().upper()).first()
    if unit is None:
        errors["admin_unit"] = _("%(code)s is not a current P-code.") % {"code": value}
    return unit


def _inside(unit: AdminUnit, container: AdminUnit) -> bool:
    current: AdminUnit | None = unit
    for _level in range(3):
        if current is None:
            return False
        if current.pk == container.pk:
            return True
        current = current.parent
    return False


# --- the rules ---------------------------------------------------------------------
def _clean(payload: Mapping[str, Any], state: _State) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's field values and the errors found, as {field: message}."""
    errors: dict[str, Any] = {}
    household: Household | None = payload.get("household")
    individual: Individual | None = payload.get("individual")

    # Recipient.
    if household is None and individual is None:
        errors["household"] = _("Say who received the delivery: a household or a person.")
    if individual is not None:
        ind_status, ind_household = state.individuals.get(individual.pk, ("", 0))
        if household is not None and ind_household != household.pk:
            errors["individual"] = _("This person is not a member of the household.")
        elif ind_status and ind_status != Individual.Status.ACTIVE:
            errors["individual"] = _(
                "This person is no longer a member of the household (left or deceased)."
            )
        if household is None and ind_household:
            household = individual.household
    if household is not None:
        status, survivor = state.households.get(household.pk, (household.status, ""))
        if status == Household.Status.MERGED:
            errors["household"] = (
                _(
                    "Household %(id)s was merged into %(survivor)s. Record the delivery on %(survivor)s."
                )
                % {"id": household.registration_id, "survivor": survivor}
                if survivor
                else _("Household %(id)s was merged into another one. Record the delivery there.")
                % {"id": household.registration_id}
            )
        elif status == Household.Status.WITHDRAWN:
            errors["household"] = _(
                "Household %(id)s has withdrawn from the registry; deliveries cannot be recorded for it."
            ) % {"id": household.registration_id}
        elif status != Household.Status.ACTIVE:
            errors["household"] = _(
                "Household %(id)s is inactive. Reactivate it in the registry before recording a delivery."
            ) % {"id": household.registration_id}

    # Programme, project, activity.
    programme = _programme(payload.get("programme"), errors)
    project: Project | None = payload.get("project")
    activity: Activity | None = payload.get("activity")
    if activity is not None:
        if project is None:
            project = activity.project
        elif activity.project_id != project.pk:
            errors["activity"] = _("This activity belongs to another project.")
    if project is not None and programme is not None and project.programme_id != programme.pk:
        errors["project"] = _("Project %(code)s belongs to another programme.") % {
            "code": project.code
        }

    # Date.
    delivered_on = _date(payload.get("delivered_on"), errors)
    if delivered_on is not None:
        today = timezone.localdate()
        if delivered_on > today:
            errors["delivered_on"] = _(
                "The date %(date)s is in the future. Record deliveries once they are made."
            ) % {"date": delivered_on.isoformat()}
        elif project is not None and not (project.start_date <= delivered_on <= project.end_date):
            errors["delivered_on"] = _(
                "Project %(code)s runs from %(start)s to %(end)s; the date %(date)s is outside it."
            ) % {
                "code": project.code,
                "start": project.start_date.isoformat(),
                "end": project.end_date.isoformat(),
                "date": delivered_on.isoformat(),
            }

    # What, how much.
    kind = str(payload.get("kind") or "")
    if kind not in AssistanceKind.values:
        errors["kind"] = _("Choose what kind of assistance this was.")
    item = _text(payload.get("item"), "item", errors, max_length=80)
    if not item and "item" not in errors:
        errors["item"] = _("Say what was delivered, such as winter_kit or cash_for_rent.")
    description = _text(payload.get("description"), "description", errors, max_length=200)
    unit = _text(payload.get("unit"), "unit", errors, max_length=20)
    quantity = _number(
        payload.get("quantity"),
        "quantity",
        errors,
        step=CENT,
        maximum=MAX_QUANTITY,
        what=_("quantity"),
    )
    value = _number(
        payload.get("value"), "value", errors, step=CENT, maximum=MAX_VALUE, what=_("value")
    )
    rate = _number(
        payload.get("exchange_rate"),
        "exchange_rate",
        errors,
        step=RATE_STEP,
        maximum=MAX_RATE,
        what=_("exchange rate"),
    )
    currency = str(payload.get("currency") or "").strip().upper()
    if kind in QUANTITY_KINDS and "quantity" not in errors and not quantity:
        errors["quantity"] = _("Give the quantity delivered, above zero.")
    if kind in VALUE_KINDS and "value" not in errors and not value:
        errors["value"] = _("Give the amount delivered, above zero.")
    if quantity is not None and not unit:
        errors["unit"] = _("Give the unit of the quantity, such as kit, piece or litre.")
    if value is not None:
        if currency not in CURRENCIES:
            errors["currency"] = _("Choose the currency: IQD or USD.")
        if rate is None and "exchange_rate" not in errors:
            errors["exchange_rate"] = _(
                "Give the exchange rate of the day in IQD per US dollar, such as 1310."
            )
        elif rate is not None and rate < MIN_RATE:
            errors["exchange_rate"] = _(
                "Write the rate as Iraqi dinars for one US dollar, such as 1310."
            )
    elif currency:
        errors["value"] = _("Give the amount in %(currency)s, or leave the currency empty.") % {
            "currency": currency
        }

    # Where.
    place: Place | None = payload.get("place")
    admin_unit = _admin_unit(payload.get("admin_unit"), errors)
    if place is not None:
        if admin_unit is not None and not _inside(place.admin_unit, admin_unit):
            errors["admin_unit"] = _("%(place)s is not in %(unit)s.") % {
                "place": place.name_en,
                "unit": admin_unit.name_en,
            }
        admin_unit = place.admin_unit
    elif admin_unit is None and household is not None:
        admin_unit = household.admin_unit
    if admin_unit is None and "admin_unit" not in errors:
        errors["admin_unit"] = _("Say where the delivery was made: a place or an admin unit.")

    values = {
        "household": household,
        "individual": individual,
        "programme": programme,
        "project": project,
        "activity": activity,
        "kind": kind,
        "item": item,
        "description": description,
        "quantity": quantity,
        "unit": unit,
        "value": value,
        "currency": currency if value is not None else "",
        "exchange_rate": rate,
        "delivered_on": delivered_on,
        "place": place,
        "admin_unit": admin_unit,
        "governorate_id": admin_unit.governorate_id if admin_unit is not None else None,
    }
    return values, errors


def _source(source_type: Any, source_id: Any, errors: dict[str, Any]) -> tuple[str, str]:
    st = str(source_type or "").strip()
    sid = str(source_id or "").strip()
    if not st:
        errors["source_type"] = _("Say which module record the delivery comes from.")
    elif len(st) > 60:
        errors["source_type"] = _("Keep this under %(n)d characters.") % {"n": 60}
    if not sid:
        errors["source_id"] = _("Give the id of the module record the delivery comes from.")
    elif len(sid) > 64:
        errors["source_id"] = _("Keep this under %(n)d characters.") % {"n": 64}
    return st, sid


def _reaches(grants: list[Any], governorate: str, programme: str) -> bool:
    return any(
        (g.all_governorates or governorate in g.governorates)
        and (g.all_programmes or programme in g.programmes)
        for g in grants
    )


def _governorate_code(pk: int | None, cache: dict[int, str]) -> str:
    if pk is None:
        return ""
    if pk not in cache:
        cache[pk] = AdminUnit.objects.filter(pk=pk).values_list("pcode", flat=True).first() or ""
    return cache[pk]


def _comparable(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What a caller gave, as the record's column values, for comparing a retried write
    with the record already written (fields the caller left to be derived are skipped)."""
    out: dict[str, Any] = {}
    for name in ("household", "individual", "project", "activity", "place"):
        obj = payload.get(name)
        if obj is not None:
            out[f"{name}_id"] = obj.pk
    programme = payload.get("programme")
    if isinstance(programme, Programme):
        out["programme_id"] = programme.pk
    unit = payload.get("admin_unit")
    if isinstance(unit, AdminUnit):
        out["admin_unit_id"] = unit.pk
    for name in ("kind", "item", "description", "unit", "currency"):
        out[name] = str(payload.get(name) or "").strip()
    out["currency"] = out["currency"].upper()
    for name, step in (("quantity", CENT), ("value", CENT), ("exchange_rate", RATE_STEP)):
        raw = payload.get(name)
        try:
            out[name] = None if raw in (None, "") else Decimal(str(raw)).quantize(step)
        except (InvalidOperation, ValueError):
            out[name] = raw
    errors: dict[str, Any] = {}
    out["delivered_on"] = _date(payload.get("delivered_on"), errors)
    return out


def _differences(record: AssistanceRecord, payload: Mapping[str, Any]) -> list[str]:
    given = _comparable(payload)
    programme = payload.get("programme")
    diffs = [
        name
        for name in COMPARED
        if name in given
        and getattr(record, name) != given[name]
        and not _both_empty(record, name, given[name])
    ]
    if isinstance(programme, str) and record.programme.code != programme:
        diffs.append("programme_id")
    return [d.removesuffix("_id") for d in diffs]


def _both_empty(record: AssistanceRecord, name: str, given: Any) -> bool:
    return getattr(record, name) in (None, "") and given in (None, "")


def _replayed(record: AssistanceRecord, payload: Mapping[str, Any]) -> AssistanceRecord:
    diffs = _differences(record, payload)
    if diffs:
        raise Conflict(
            _(
                "A delivery from %(source)s %(id)s is already recorded with other values (%(fields)s). "
                "The ledger keeps a delivery as first recorded: a changed delivery needs a new source record."
            )
            % {
                "source": record.source_type,
                "id": record.source_id,
                "fields": ", ".join(diffs),
            },
            code="source_already_recorded",
            params={"record": str(record.public_id), "fields": diffs},
        )
    record.replayed = True  # type: ignore[attr-defined]
    return record


def _check_reach(
    grants: list[Any] | None, values: dict[str, Any], gov_cache: dict[int, str]
) -> None:
    if grants is None:
        return
    governorate = _governorate_code(values["governorate_id"], gov_cache)
    programme = values["programme"].code
    if not _reaches(grants, governorate, programme):
        raise PermissionDenied(
            _(
                "You cannot record %(programme)s deliveries in %(governorate)s. Ask an administrator to extend your scope if you need to."
            )
            % {"programme": programme, "governorate": governorate},
            code="out_of_scope",
        )


def _by_source(source_type: str, source_id: str) -> AssistanceRecord | None:
    return (
        AssistanceRecord.objects.select_related("programme")
        .filter(source_type=source_type, source_id=source_id)
        .first()
    )


def _require_permission(user: Any, permission: str | None) -> list[Any] | None:
    if permission is None:
        return None
    grants = grants_for(user, permission)
    if not grants:
        raise PermissionDenied()
    return grants


# --- one delivery ------------------------------------------------------------------
def assistance_record(
    *,
    user: Any,
    household: Household | None = None,
    individual: Individual | None = None,
    programme: Programme | str,
    project: Project | None = None,
    activity: Activity | None = None,
    kind: str,
    item: str,
    quantity: Decimal | int | str | None = None,
    unit: str = "",
    value: Decimal | int | str | None = None,
    currency: str = "",
    exchange_rate: Decimal | int | str | None = None,
    delivered_on: datetime.date | str,
    place: Place | None = None,
    admin_unit: AdminUnit | str | None = None,
    source_type: str,
    source_id: str,
    description: str = "",
    delivered_by: Any = None,
    permission: str | None = RECORD,
    fresh_source: bool = False,
    household_read_now: bool = False,
) -> AssistanceRecord:
    """Record one delivery (see the module's docstring for the rules). Returns the
    record; on a retried write of the same source, the record already written, with
    `replayed = True`.

    `fresh_source=True` is the caller's word that it created the source record in the
    current transaction, so no earlier record of this source can exist: the look-up by
    source and the savepoint around the INSERT are skipped (two round trips of every
    call; e-voucher redemptions use it). Every other rule is checked as usual, and the
    unique (source_type, source_id) still holds: a duplicate raises IntegrityError,
    which fails the caller's transaction instead of answering with a replay.

    `household_read_now=True` is the caller's word that it read `household` from the
    database in the current transaction: its status is taken from it instead of being
    read again (for a household given alone; a merged one is still read, for the
    survivor's id in the message)."""
    payload: dict[str, Any] = {
        "household": household,
        "individual": individual,
        "programme": programme,
        "project": project,
        "activity": activity,
        "kind": kind,
        "item": item,
        "quantity": quantity,
        "unit": unit,
        "value": value,
        "currency": currency,
        "exchange_rate": exchange_rate,
        "delivered_on": delivered_on,
        "place": place,
        "admin_unit": admin_unit,
        "description": description,
    }
    grants = _require_permission(user, permission)
    source_errors: dict[str, Any] = {}
    st, sid = _source(source_type, source_id, source_errors)
    if source_errors:
        raise ValidationFailed(fields=source_errors)
    gov_cache: dict[int, str] = {}

    existing = None if fresh_source else _by_source(st, sid)
    if existing is not None:
        _check_reach(
            grants,
            {"governorate_id": existing.governorate_id, "programme": existing.programme},
            gov_cache,
        )
        return _replayed(existing, payload)

    if (
        household_read_now
        and household is not None
        and individual is None
        and household.status != Household.Status.MERGED
    ):
        state = _State(households={household.pk: (household.status, "")}, individuals={})
    else:
        state = _states(
            [household.pk] if household is not None else [],
            [individual.pk] if individual is not None else [],
        )
    values, errors = _clean(payload, state)
    if errors:
        raise ValidationFailed(fields=errors)
    _check_reach(grants, values, gov_cache)
    actor = user if getattr(user, "pk", None) else None
    record = AssistanceRecord(
        **values,
        source_type=st,
        source_id=sid,
        delivered_by=delivered_by if delivered_by is not None else actor,
        created_by=actor,
        updated_by=actor,
    )
    if fresh_source:
        record.save(force_insert=True)
        record.replayed = False  # type: ignore[attr-defined]
        return record
    try:
        # A savepoint: a concurrent retry that won the race leaves the caller's
        # transaction usable, and we answer with the winner's record.
        with transaction.atomic():
            record.save()
    except IntegrityError:
        winner = _by_source(st, sid)
        if winner is None:
            raise
        return _replayed(winner, payload)
    record.replayed = False  # type: ignore[attr-defined]
    return record


# --- many deliveries ---------------------------------------------------------------
def assistance_record_bulk(
    *,
    user: Any,
    deliveries: Sequence[Mapping[str, Any]],
    permission: str | None = RECORD,
) -> list[AssistanceRecord]:
    """Record many deliveries at once, all or none, under the same rules as
    `assistance_record`. Each delivery is a mapping of that function's arguments
    (without `user` and `permission`). Returns the records in the order given; sources
    already recorded with the same values return their record.

    Errors name the delivery by its position: {"deliveries.3.quantity": [...]}."""
    grants = _require_permission(user, permission)
    actor = user if getattr(user, "pk", None) else None
    errors: dict[str, Any] = {}
    sources: list[tuple[str, str]] = []
    for i, d in enumerate(deliveries):
        source_errors: dict[str, Any] = {}
        sources.append(_source(d.get("source_type"), d.get("source_id"), source_errors))
        errors.update({f"deliveries.{i}.{k}": v for k, v in source_errors.items()})
    if errors:
        raise ValidationFailed(fields=errors)
    if not deliveries:
        return []

    existing = _existing_by_source(sources)
    state = _states(
        (d["household"].pk for d in deliveries if d.get("household") is not None),
        (d["individual"].pk for d in deliveries if d.get("individual") is not None),
    )
    gov_cache: dict[int, str] = {}
    first_of: dict[tuple[str, str], int] = {}
    new: list[AssistanceRecord] = []
    for i, (d, key) in enumerate(zip(deliveries, sources, strict=True)):
        if key in existing:
            continue
        if key in first_of:  # the same source twice in one batch: must be the same delivery
            continue
        values, item_errors = _clean(d, state)
        if item_errors:
            errors.update({f"deliveries.{i}.{k}": v for k, v in item_errors.items()})
            continue
        _check_reach(grants, values, gov_cache)
        first_of[key] = i
        by = d.get("delivered_by")
        new.append(
            AssistanceRecord(
                **values,
                source_type=key[0],
                source_id=key[1],
                delivered_by=by if by is not None else actor,
                created_by=actor,
                updated_by=actor,
            )
        )
    if errors:
        raise ValidationFailed(fields=errors)
    for record in existing.values():
        _check_reach(
            grants,
            {"governorate_id": record.governorate_id, "programme": record.programme},
            gov_cache,
        )

    with transaction.atomic():
        # ignore_conflicts: a concurrent writer of the same source wins quietly here and
        # the comparison below decides whether that is the same delivery (inside the
        # transaction, so that a conflict leaves nothing written).
        AssistanceRecord.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        written = _existing_by_source(sources)
        ours = {r.public_id for r in new}
        results: list[AssistanceRecord] = []
        for i, (d, key) in enumerate(zip(deliveries, sources, strict=True)):
            record = written[key]
            if first_of.get(key) == i and record.public_id in ours:
                record.replayed = False  # type: ignore[attr-defined]
                results.append(record)
            else:
                # A copy: the same source given twice in the batch is one record, new
                # for its first copy and a replay for the later ones.
                results.append(_replayed(copy.copy(record), d))
    return results


def _existing_by_source(sources: list[tuple[str, str]]) -> dict[tuple[str, str], AssistanceRecord]:
    if not sources:
        return {}
    wanted = set(sources)
    found: dict[tuple[str, str], AssistanceRecord] = {}
    types = sorted({st for st, _sid in wanted})
    ids = sorted({sid for _st, sid in wanted})
    # Chunked: SQLite limits the number of parameters in one query.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for record in AssistanceRecord.objects.select_related("programme").filter(
            Q(source_type__in=types) & Q(source_id__in=chunk)
        ):
            key = (record.source_type, record.source_id)
            if key in wanted:
                found[key] = record
    return found

"""Handover signed by the family (the completion certificate and the assistance ledger),
defects during the liability period, and closing."""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, InvalidTransition, field_error
from sanad.core.photos import sniff
from sanad.shelter.models import (
    INSPECT,
    MANAGE_CASE,
    Defect,
    RehabCase,
)
from sanad.shelter.models.common import Component
from sanad.shelter.services._common import (
    PHOTOS,
    actor,
    money,
    next_reference,
    require,
    today,
)
from sanad.shelter.services.cases._base import (
    LEDGER_ITEM,
    LEDGER_SOURCE,
    MAX_SIGNATURE_BYTES,
    Modality,
    Status,
    _locked,
)
from sanad.shelter.services.cases.opening import (
    _date,
    _decimal,
)

# --- handover ---------------------------------------------------------------------------


def signature_png(data_url: str) -> bytes:
    """The PNG bytes of a signature drawn on the page (a `data:image/png;base64,…` URL),
    refusing anything else."""
    prefix = "data:image/png;base64,"
    message = _("Draw the signature again: what was sent is not a picture.")
    if not data_url.startswith(prefix):
        raise field_error("signature", message, "signature_invalid")
    try:
        content = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise field_error("signature", message, "signature_invalid") from None
    if len(content) > MAX_SIGNATURE_BYTES:
        raise field_error("signature", _("The signature is too large."), "signature_too_large")
    kind = sniff(content[:16])
    if kind is None or kind[0] != "image/png":
        raise field_error("signature", message, "signature_invalid")
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != "PNG" or image.width * image.height > 4_000_000:
                raise ValueError("not a signature")
            image.verify()
    except Exception:  # Pillow raises many kinds for a broken or forged file
        raise field_error("signature", message, "signature_invalid") from None
    return content


def defects_days(case: RehabCase) -> int:
    if case.contract is not None:
        return int(case.contract.defects_liability_days)
    return int(settings.SANAD_SHELTER_DEFECTS_DAYS)


def case_handover(*, user: Any, case: RehabCase, data: dict[str, Any]) -> RehabCase:
    """The family takes the house back: who signed for it (name, relationship), when,
    and the signature drawn on the phone (`signature`, a PNG data URL) or
    `signed_on_paper`. Numbers the completion certificate, sets the end of the defects
    liability and writes the assistance ledger (value = actual cost, or budget, for the
    direct and contractor modalities, with `exchange_rate`; the cash modality's money is
    already in the ledger through its payments, so no value)."""
    require(user, MANAGE_CASE, case)
    signed_by = str(data.get("signed_by") or "").strip()
    if not signed_by:
        raise field_error("signed_by", _("Write who signed for the family."), "signed_by_required")
    relationship = str(data.get("relationship") or "").strip()[:60]
    handed_on = _date(data.get("handed_over_on"), "handed_over_on") or today()
    if handed_on > today():
        raise field_error(
            "handed_over_on", _("The handover cannot be in the future."), "future_date"
        )
    drawn = str(data.get("signature") or "")
    on_paper = bool(data.get("signed_on_paper"))
    if not drawn and not on_paper:
        raise field_error(
            "signature",
            _("Have the family sign on the screen, or tick “signed on paper”."),
            "signature_required",
        )
    png = signature_png(drawn) if drawn else None
    written: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            if case.status != Status.COMPLETED:
                raise InvalidTransition(
                    _("The house is handed over once the works are completed."),
                    code="case_not_completed",
                )
            if case.completed_on and handed_on < case.completed_on:
                raise field_error(
                    "handed_over_on",
                    _("The handover cannot be before the works were completed."),
                    "handover_before_completion",
                )
            if "actual_cost" in data and data.get("actual_cost") not in (None, ""):
                case.actual_cost = money(_decimal(data["actual_cost"], "actual_cost"))
            if png is not None:
                path = PHOTOS.store_bytes(case.public_id, png, "png")
                written.append(path)
                case.handover_signature = path
            case.handed_over_on = handed_on
            case.handover_signed_by = signed_by[:200]
            case.handover_relationship = relationship
            case.certificate_number = next_reference(RehabCase, "CC", field="certificate_number")
            case.defects_liability_until = handed_on + datetime.timedelta(days=defects_days(case))
            case.updated_by = actor(user)
            fields = [
                "actual_cost",
                "handover_signature",
                "handed_over_on",
                "handover_signed_by",
                "handover_relationship",
                "certificate_number",
                "defects_liability_until",
                "updated_by",
            ]
            RehabCase.STATUS_MACHINE.transition(
                case,
                to=Status.HANDED_OVER,
                by=user,
                reason=_("Signed on paper.") if on_paper and not png else "",
                extra_updates=fields,
            )
            _ledger(user, case, data)
    except BaseException:
        PHOTOS.remove(written)
        raise
    return case


def _ledger(user: Any, case: RehabCase, data: dict[str, Any]) -> Any:
    """The assistance ledger's record of the repaired house (None without a registered
    household: the ledger records deliveries to households)."""
    if case.household_id is None:
        return None
    from sanad.assistance import services as ledger

    values: dict[str, Any] = {}
    if case.modality != Modality.CASH:
        cost = case.actual_cost if case.actual_cost is not None else case.budget
        if cost:
            values = {
                "value": money(cost),
                "currency": case.currency,
                "exchange_rate": data.get("exchange_rate") or None,
            }
    return ledger.assistance_record(
        user=user,
        household=case.household,
        programme=case.programme,
        project=case.project,
        kind="service",
        item=LEDGER_ITEM,
        quantity=1,
        unit="house",
        delivered_on=case.handed_over_on or today(),
        admin_unit=case.property.admin_unit,
        source_type=LEDGER_SOURCE,
        source_id=str(case.pk),
        description=f"Rehabilitated house, case {case.reference}, certificate "
        f"{case.certificate_number}"[:200],
        permission=None,
        **values,
    )


# --- defects and closing ----------------------------------------------------------------


def defect_report(*, user: Any, case: RehabCase, data: dict[str, Any]) -> Defect:
    """A defect found during the liability period of a handed-over house."""
    require(user, MANAGE_CASE, case)
    component = str(data.get("component") or "")
    if component not in Component.values:
        raise field_error("component", _("Choose a component from the list."), "invalid_component")
    description = str(data.get("description") or "").strip()
    if not description:
        raise field_error("description", _("Describe the defect."), "description_required")
    reported = _date(data.get("reported_on"), "reported_on") or today()
    due = _date(data.get("due_on"), "due_on")
    if due and due < reported:
        raise field_error("due_on", _("The fix is due after it is reported."), "due_before_report")
    with transaction.atomic():
        case = _locked(case)
        if case.status != Status.HANDED_OVER:
            raise Conflict(
                _("Defects are reported on a handed-over house, during its liability period."),
                code="case_not_handed_over",
            )
        if case.defects_liability_until and reported > case.defects_liability_until:
            raise Conflict(
                _("The defects liability ended on %(date)s.")
                % {"date": case.defects_liability_until.isoformat()},
                code="liability_over",
            )
        return Defect.objects.create(
            case=case,
            component=component,
            description=description[:5000],
            reported_on=reported,
            due_on=due,
            created_by=actor(user),
            updated_by=actor(user),
        )


def _locked_defect(defect: Defect) -> Defect:
    return Defect.objects.select_for_update(of=("self",)).select_related("case").get(pk=defect.pk)


def defect_fix(*, user: Any, defect: Defect, fixed_on: Any = None) -> Defect:
    """Whoever did the works says the defect is fixed: an inspector verifies it."""
    require(user, MANAGE_CASE, defect)
    fixed = _date(fixed_on, "fixed_on") or today()
    with transaction.atomic():
        defect = _locked_defect(defect)
        defect.fixed_on = fixed
        defect.updated_by = actor(user)
        Defect.STATUS_MACHINE.transition(
            defect, to=Defect.Status.FIXED, by=user, extra_updates=["fixed_on", "updated_by"]
        )
    return defect


def defect_verify(*, user: Any, defect: Defect) -> Defect:
    require(user, INSPECT, defect)
    with transaction.atomic():
        defect = _locked_defect(defect)
        defect.verified_on, defect.verified_by = today(), actor(user)
        Defect.STATUS_MACHINE.transition(
            defect,
            to=Defect.Status.VERIFIED,
            by=user,
            extra_updates=["verified_on", "verified_by"],
        )
    return defect


def defect_reopen(*, user: Any, defect: Defect, reason: str) -> Defect:
    """The inspector finds the defect is not fixed: open again, with why."""
    require(user, INSPECT, defect)
    with transaction.atomic():
        defect = _locked_defect(defect)
        defect.fixed_on = None
        Defect.STATUS_MACHINE.transition(
            defect,
            to=Defect.Status.OPEN,
            by=user,
            reason=(reason or "").strip(),
            extra_updates=["fixed_on"],
        )
    return defect


def _closable(case: RehabCase, on: datetime.date) -> str:
    """Why the case cannot close on `on` ('' when it can)."""
    if case.status != Status.HANDED_OVER:
        return _("Only a handed-over house can be closed.")
    if case.defects_liability_until and on <= case.defects_liability_until:
        return _("The defects liability runs until %(date)s: close the case after it.") % {
            "date": case.defects_liability_until.isoformat()
        }
    if case.defects.exclude(status=Defect.Status.VERIFIED).exists():
        return _("A defect is not verified fixed yet.")
    return ""


def case_close(*, user: Any, case: RehabCase) -> RehabCase:
    """Close a handed-over case after its defects-liability period, no defect open."""
    require(user, MANAGE_CASE, case)
    with transaction.atomic():
        case = _locked(case)
        why = _closable(case, today())
        if why:
            raise Conflict(why, code="case_not_closable")
        case.closed_on = today()
        RehabCase.STATUS_MACHINE.transition(
            case, to=Status.CLOSED, by=user, extra_updates=["closed_on"]
        )
    return case


def cases_close_due(*, on: datetime.date | None = None) -> int:
    """Close every handed-over case whose liability period ended with no defect left
    open (the nightly command; idempotent). Returns how many were closed."""
    on = on or today()
    due = (
        RehabCase.objects.filter(status=Status.HANDED_OVER, defects_liability_until__lt=on)
        .exclude(defects__status__in=(Defect.Status.OPEN, Defect.Status.FIXED))
        .values_list("pk", flat=True)
    )
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            case = RehabCase.objects.select_for_update().get(pk=pk)
            if _closable(case, on):
                continue
            case.closed_on = on
            RehabCase.STATUS_MACHINE.transition(
                case,
                to=Status.CLOSED,
                reason=_("Defects liability period over, no defect open."),
                extra_updates=["closed_on"],
            )
            closed += 1
    return closed

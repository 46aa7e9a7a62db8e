"""Cash transfers through a financial service provider (FSP), tranche by tranche.

- An `FspTemplate` says how the provider's XLSX looks: the sheet, its columns (each a
  header and one of `FIELDS`), and how its results file says paid or failed.
- `payment_list_create` makes the list of one tranche: one `Payment` per released
  entitlement of the plan (that the user's scope reaches) not already paid, sent or
  pending for that tranche. Each tranche is the entitlement divided by the number of
  tranches; the last one takes what rounding left, so the tranches add up exactly.
- `payment_list_export` writes the XLSX in the template's layout; the first export
  moves the list to "exported" and its payments to "sent" (what was sent is fixed).
- `payment_results_import` reads the provider's file back, all or nothing: any row
  it cannot use (an unknown payment id, a payment twice, no status, an amount that is
  not the one sent, a result contradicting one already recorded) stops the import with
  the list of rows to fix, and nothing is written. A paid payment writes the assistance
  ledger (kind "cash", source "cash.payment" and the payment's public id) once;
  importing the same file again changes nothing.
- `follow_up_create` puts the failed payments of a list on a new list, to be sent again.

Why nobody is paid twice for a tranche: the partial unique constraint
`cash_payment_once_per_tranche` allows one payment per entitlement and tranche that is
not failed, and a failed payment never becomes paid afterwards (its follow-up may).
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.assistance import selectors as ledger
from sanad.assistance import services as assistance
from sanad.cash.models import (
    TRANSFER,
    CashPlan,
    Currency,
    Entitlement,
    FspTemplate,
    Payment,
    PaymentList,
)
from sanad.cash.services._common import _decimal, actor, require, require_permission, text, today
from sanad.core.audit import personal_data_exported
from sanad.core.errors import Conflict, ValidationFailed
from sanad.core.scoping import scoped
from sanad.registry.models import HouseholdPhone
from sanad.targeting import selectors as targeting

NUMBER_PREFIX = "PL"
SOURCE_TYPE = "cash.payment"
MAX_COLUMNS = 40
MAX_ROWS = 200_000
MAX_ERRORS_SHOWN = 50
_SHEET_FORBIDDEN = set("[]:*?/\\")

FIELDS: dict[str, Any] = {
    "payment_id": gettext_lazy("Payment id (the key the results come back with)"),
    "registration_id": gettext_lazy("Household registration id"),
    "head_name": gettext_lazy("Head of household's name"),
    "head_phone": gettext_lazy("Household's main phone"),
    "governorate": gettext_lazy("Governorate"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "tranche": gettext_lazy("Tranche"),
}
# The smallest unit a tranche is rounded down to: dinars have no coins in use.
QUANTUM: dict[str, Decimal] = {Currency.IQD: Decimal(1), Currency.USD: Decimal("0.01")}

PAYMENT = Payment.Status
LIST = PaymentList.Status


# --- templates -----------------------------------------------------------------------------
def _header(value: Any) -> str:
    return " ".join(str(value if value is not None else "").split())


def parse_columns(raw: str) -> list[dict[str, str]]:
    """'Header = field' lines (the page's text area) → the template's columns. Blank
    lines are skipped; a line without '=' is reported."""
    columns: list[dict[str, str]] = []
    for number, line in enumerate(str(raw or "").splitlines(), start=1):
        if not line.strip():
            continue
        header, sep, name = line.rpartition("=")
        if not sep:
            message = _(
                "Line %(n)d: write each column as “Header = field”, such as "
                "“Beneficiary ID = registration_id”."
            ) % {"n": number}
            raise ValidationFailed(message, fields={"columns": [message]})
        columns.append({"header": _header(header), "field": name.strip()})
    return columns


def columns_text(columns: list[dict[str, str]]) -> str:
    return "\n".join(f"{c['header']} = {c['field']}" for c in columns)


def _clean_columns(columns: Any) -> list[dict[str, str]]:
    if isinstance(columns, str):
        columns = parse_columns(columns)
    problems: list[str] = []
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, column in enumerate(list(columns or []), start=1):
        if isinstance(column, dict):
            header, name = _header(column.get("header")), str(column.get("field") or "").strip()
        elif isinstance(column, list | tuple) and len(column) == 2:
            header, name = _header(column[0]), str(column[1] or "").strip()
        else:
            problems.append(_("Column %(n)d: give a header and a field.") % {"n": i})
            continue
        if not header or len(header) > 80:
            problems.append(_("Column %(n)d: give a header of at most 80 characters.") % {"n": i})
        if name not in FIELDS:
            problems.append(
                _("Column %(n)d (%(header)s): “%(field)s” is not a field; use one of %(fields)s.")
                % {"n": i, "header": header, "field": name, "fields": ", ".join(FIELDS)}
            )
        if header.casefold() in seen:
            problems.append(
                _("Column %(n)d: the header “%(header)s” is used twice.")
                % {"n": i, "header": header}
            )
        seen.add(header.casefold())
        cleaned.append({"header": header, "field": name})
    if not cleaned and not problems:
        problems.append(_("Give the columns of the provider's file."))
    if len(cleaned) > MAX_COLUMNS:
        problems.append(_("At most %(n)d columns.") % {"n": MAX_COLUMNS})
    if cleaned and not any(c["field"] == "payment_id" for c in cleaned):
        problems.append(
            _(
                "Add a column for payment_id: the provider's results are matched to the "
                "payments by it."
            )
        )
    if problems:
        raise ValidationFailed(problems[0], fields={"columns": problems})
    return cleaned


def fsp_template_create(
    *,
    user: Any,
    name: str,
    provider: str,
    columns: Any,
    sheet_name: str = "Payments",
    result_status_column: str = "Status",
    paid_values: Any = ("paid", "success"),
    reason_column: str = "Reason",
    reference_column: str = "",
) -> FspTemplate:
    """A provider's layout. `columns`: [{"header", "field"}, …] or "Header = field"
    lines; it must include payment_id. `paid_values`: what the status column says for a
    payment made (compared without case); anything else is a failure."""
    require_permission(user, TRANSFER)
    errors: dict[str, list[str]] = {}

    def collect(fn: Any) -> Any:
        try:
            return fn()
        except ValidationFailed as exc:
            for k, v in exc.fields.items():
                errors.setdefault(k, []).extend(v if isinstance(v, list) else [v])
            return None

    name = collect(lambda: text(name, "name", limit=120, required=True)) or ""
    provider = collect(lambda: text(provider, "provider", limit=120, required=True)) or ""
    cleaned = collect(lambda: _clean_columns(columns)) or []
    sheet = _header(sheet_name)
    if not sheet or len(sheet) > 31 or any(ch in _SHEET_FORBIDDEN for ch in sheet):
        errors["sheet_name"] = [
            _("Give the sheet's name: at most 31 characters, without [ ] : * ? / \\.")
        ]
    status_column = _header(result_status_column)
    if not status_column or len(status_column) > 80:
        errors["result_status_column"] = [
            _("Give the header of the column where the provider writes the result.")
        ]
    reason = _header(reason_column)[:80]
    reference = _header(reference_column)[:80]
    if isinstance(paid_values, str):
        paid_values = paid_values.replace("\n", ",").split(",")
    paid = sorted({_header(v).casefold() for v in paid_values or () if _header(v)})
    if not paid:
        errors["paid_values"] = [
            _("Give the value(s) the provider writes for a payment made, such as paid.")
        ]
    headers = {c["header"].casefold() for c in cleaned}
    for key, value in (
        ("result_status_column", status_column),
        ("reason_column", reason),
        ("reference_column", reference),
    ):
        if value and value.casefold() in headers:
            errors.setdefault(key, []).append(
                _(
                    "“%(header)s” is already one of the columns sent: use the header the "
                    "provider adds for its results."
                )
                % {"header": value}
            )
    if name and FspTemplate.objects.filter(name__iexact=name).exists():
        errors.setdefault("name", []).append(_("A template of this name exists already."))
    if errors:
        raise ValidationFailed(fields=errors)
    return FspTemplate.objects.create(
        name=name,
        provider=provider,
        sheet_name=sheet,
        columns=cleaned,
        result_status_column=status_column,
        paid_values=paid,
        reason_column=reason,
        reference_column=reference,
        created_by=actor(user),
        updated_by=actor(user),
    )


# --- payment lists -------------------------------------------------------------------------
def tranche_amount(total: Decimal, tranches: int, tranche: int, currency: str) -> Decimal:
    """Tranche `tranche` (1-based) of `total` in `tranches` parts: each rounded down to
    the currency's unit, the last taking the remainder."""
    quantum = QUANTUM.get(currency, Decimal("0.01"))
    base = (Decimal(total) / tranches).quantize(quantum, rounding=ROUND_DOWN)
    if tranche < tranches:
        return base
    return Decimal(total) - base * (tranches - 1)


def _number(pk: int) -> str:
    return f"{NUMBER_PREFIX}-{today().year}-{pk:06d}"


def _new_list(
    *, user: Any, plan: CashPlan, tranche: int, template: FspTemplate, follow_up_of: Any = None
) -> PaymentList:
    payment_list = PaymentList.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:24]}",  # max 30 characters; the real one below
        plan=plan,
        tranche=tranche,
        template=template,
        follow_up_of=follow_up_of,
        created_by=actor(user),
        updated_by=actor(user),
    )
    payment_list.number = _number(payment_list.pk)
    payment_list.save(update_fields=["number"])
    return payment_list


def _insert(payments: list[Payment]) -> None:
    try:
        with transaction.atomic():
            Payment.objects.bulk_create(payments, batch_size=1000)
    except IntegrityError as exc:
        raise Conflict(
            _(
                "Some of these households were put on another payment list for this "
                "tranche meanwhile. Reload and try again."
            ),
            code="already_listed",
        ) from exc


def payment_list_create(
    *, user: Any, plan: CashPlan, tranche: int, template: FspTemplate
) -> PaymentList:
    """The list of one tranche: a payment per released entitlement not yet paid, sent
    or pending for it (within the user's scope)."""
    require(user, plan, TRANSFER)
    errors: dict[str, list[str]] = {}
    if plan.modality != CashPlan.Modality.CASH:
        errors["plan"] = [
            _("This is an e-voucher plan: payment lists are for cash plans paid by a provider.")
        ]
    try:
        tranche = int(tranche)
    except (TypeError, ValueError):
        tranche = 0
    if not 1 <= tranche <= plan.tranches:
        errors["tranche"] = [_("Choose a tranche from 1 to %(n)d.") % {"n": plan.tranches}]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        plan = CashPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != CashPlan.Status.APPROVED:
            raise Conflict(
                _("The plan is “%(status)s”: only an approved plan is paid.")
                % {"status": plan.get_status_display()},
                code="plan_not_approved",
            )
        taken = Payment.objects.filter(tranche=tranche).exclude(status=PAYMENT.FAILED)
        entitlements = list(
            scoped(
                Entitlement.objects.filter(
                    plan=plan,
                    status=Entitlement.Status.RELEASED,
                    released_tranches__gte=tranche,
                ),
                user,
                TRANSFER,
            )
            .exclude(pk__in=taken.values("entitlement_id"))
            .order_by("pk")
        )
        if not entitlements:
            waiting = (
                Entitlement.objects.filter(plan=plan, released_tranches__lt=tranche)
                .exclude(status=Entitlement.Status.CANCELLED)
                .exists()
            )
            if waiting:
                raise Conflict(
                    _(
                        "No entitlement of this plan you can reach has tranche %(n)d "
                        "released and unpaid: tranche %(n)d is released only when its "
                        "condition (%(condition)s) is verified."
                    )
                    % {"n": tranche, "condition": plan.get_condition_display()},
                    code="tranche_not_released",
                )
            raise Conflict(
                _(
                    "Every released entitlement of this plan you can reach is already on a "
                    "payment list for tranche %(n)d: there is nobody left to pay."
                )
                % {"n": tranche},
                code="nothing_to_pay",
            )
        payment_list = _new_list(user=user, plan=plan, tranche=tranche, template=template)
        rows = []
        for ent in entitlements:
            amount = tranche_amount(ent.amount, plan.tranches, tranche, ent.currency)
            if amount <= 0:
                continue
            rows.append(
                Payment(
                    payment_list=payment_list,
                    entitlement=ent,
                    tranche=tranche,
                    amount=amount,
                    currency=ent.currency,
                    exchange_rate=ent.exchange_rate,
                    created_by=actor(user),
                    updated_by=actor(user),
                )
            )
        _insert(rows)
    return payment_list


def export_rows(payment_list: PaymentList) -> list[list[Any]]:
    """The rows of the provider's sheet, in the template's columns (header first)."""
    columns = payment_list.template.columns
    payments = list(
        payment_list.payments.select_related("entitlement__household__governorate").order_by("pk")
    )
    ids = [p.entitlement.household_id for p in payments]
    heads = targeting.heads_for(ids)
    phones: dict[int, str] = {}
    for hh, number in (
        HouseholdPhone.objects.filter(household_id__in=ids)
        .order_by("household_id", "-is_primary", "pk")
        .values_list("household_id", "number")
    ):
        phones.setdefault(hh, number)
    rows: list[list[Any]] = [[c["header"] for c in columns]]
    for p in payments:
        household = p.entitlement.household
        head = heads.get(household.pk)
        values = {
            "payment_id": str(p.public_id),
            "registration_id": household.registration_id,
            "head_name": (head.full_name_ar or head.full_name_en) if head else "",
            "head_phone": phones.get(household.pk, ""),
            "governorate": household.governorate.name_en if household.governorate_id else "",
            "amount": p.amount,
            "currency": p.currency,
            "tranche": p.tranche,
        }
        rows.append([values[c["field"]] for c in columns])
    return rows


def payment_list_export(*, user: Any, payment_list: PaymentList) -> bytes:
    """The list as the provider's XLSX. The first export sends it: the list becomes
    "exported" and its payments "sent". Later downloads give the same rows."""
    from openpyxl import Workbook

    require(user, payment_list, TRANSFER)
    with transaction.atomic():
        payment_list = (
            PaymentList.objects.select_for_update()
            .select_related("template")
            .get(pk=payment_list.pk)
        )
        if payment_list.status == LIST.DRAFT:
            payment_list.exported_at = timezone.now()
            PaymentList.STATUS_MACHINE.transition(
                payment_list, to=LIST.EXPORTED, by=user, extra_updates=("exported_at",)
            )
            payment_list.payments.filter(status=PAYMENT.PENDING).update(
                status=PAYMENT.SENT, updated_at=timezone.now(), updated_by=actor(user)
            )
        rows = export_rows(payment_list)
        personal_data_exported(
            user=user,
            model=Payment,
            purpose=f"FSP payment list {payment_list.number}",
            record_count=len(rows) - 1,
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = payment_list.template.sheet_name
    for row in rows:
        sheet.append(row)
    for i, column in enumerate(payment_list.template.columns, start=1):
        letter = sheet.cell(row=1, column=i).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(column["header"]) + 4))
        if column["field"] == "amount":
            for cell in sheet[letter][1:]:
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- results -------------------------------------------------------------------------------
@dataclass
class _Result:
    row: int
    payment: Payment
    paid: bool
    reason: str = ""
    reference: str = ""


@dataclass
class _Parsed:
    results: list[_Result] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int, message: str) -> None:
        self.errors.append({"row": row, "message": message})


def _read_sheet(content: bytes, template: FspTemplate) -> list[tuple[Any, ...]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        OSError,
        KeyError,
        ValueError,
        TypeError,
    ) as exc:
        message = _("This is not an XLSX file: upload the provider's results as .xlsx.")
        raise ValidationFailed(
            message, code="results_unreadable", fields={"file": [message]}
        ) from exc
    try:
        sheet = book[template.sheet_name] if template.sheet_name in book.sheetnames else book.active
        if sheet is None:
            raise ValidationFailed(_("The file has no sheet."), code="results_unreadable")
        rows: list[tuple[Any, ...]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + 1:
                message = _("The file has more than %(n)d rows.") % {"n": MAX_ROWS}
                raise ValidationFailed(message, code="results_too_long", fields={"file": [message]})
        return rows
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _parse(payment_list: PaymentList, content: bytes) -> _Parsed:
    template = payment_list.template
    rows = _read_sheet(content, template)
    if not rows:
        message = _("The file is empty: its first row must be the headers.")
        raise ValidationFailed(message, code="results_invalid", fields={"file": [message]})
    headers = {_header(h).casefold(): i for i, h in reversed(list(enumerate(rows[0]))) if h}
    key_header = next(c["header"] for c in template.columns if c["field"] == "payment_id")
    amount_header = next((c["header"] for c in template.columns if c["field"] == "amount"), "")
    missing = [
        h for h in (key_header, template.result_status_column) if h.casefold() not in headers
    ]
    if missing:
        message = _(
            "The file has no column “%(columns)s”: the first row must keep the headers of "
            "the template (%(template)s)."
        ) % {"columns": "”, “".join(missing), "template": template.name}
        raise ValidationFailed(message, code="results_invalid", fields={"file": [message]})

    def column(name: str) -> int | None:
        return headers.get(name.casefold()) if name else None

    key_at, status_at = column(key_header), column(template.result_status_column)
    reason_at, reference_at = column(template.reason_column), column(template.reference_column)
    amount_at = column(amount_header)
    paid_values = {str(v).casefold() for v in template.paid_values}
    payments = {
        str(p.public_id): p for p in payment_list.payments.select_related("entitlement__household")
    }
    parsed = _Parsed()
    seen: dict[str, int] = {}

    def at(row: tuple[Any, ...], index: int | None) -> Any:
        return row[index] if index is not None and index < len(row) else None

    for number, row in enumerate(rows[1:], start=2):
        if all(_cell(v) == "" for v in row):
            continue
        key = _cell(at(row, key_at)).lower()
        try:
            key = str(uuid.UUID(key))
        except ValueError:
            parsed.error(
                number,
                _("“%(value)s” is not a payment id of Sanad.") % {"value": key}
                if key
                else _("The payment id is empty."),
            )
            continue
        payment = payments.get(key)
        if payment is None:
            parsed.error(
                number,
                _("Payment %(id)s is not on list %(list)s.")
                % {"id": key, "list": payment_list.number},
            )
            continue
        if key in seen:
            parsed.error(
                number,
                _("Payment %(id)s is also on row %(row)d: one row per payment.")
                % {"id": key, "row": seen[key]},
            )
            continue
        seen[key] = number
        status = _cell(at(row, status_at))
        if not status:
            parsed.error(
                number,
                _("The column “%(column)s” is empty: the provider must say paid or failed.")
                % {"column": template.result_status_column},
            )
            continue
        if amount_at is not None:
            amount = _decimal(_cell(at(row, amount_at)))
            if amount is None or amount.quantize(Decimal("0.01")) != payment.amount:
                parsed.error(
                    number,
                    _(
                        "The amount is “%(value)s”, but %(amount)s %(currency)s was sent for "
                        "this payment."
                    )
                    % {
                        "value": _cell(at(row, amount_at)),
                        "amount": payment.amount,
                        "currency": payment.currency,
                    },
                )
                continue
        paid = status.casefold() in paid_values
        reason = _cell(at(row, reason_at))[:300]
        reference = _cell(at(row, reference_at))[:80]
        if not paid and not reason:
            reason = status[:300]
        if payment.status in (PAYMENT.PAID, PAYMENT.FAILED):
            if (payment.status == PAYMENT.PAID) != paid:
                parsed.error(
                    number,
                    (
                        _(
                            "Household %(household)s is already recorded as paid for this "
                            "payment: a result cannot change it to failed."
                        )
                        if payment.status == PAYMENT.PAID
                        else _(
                            "Household %(household)s is already recorded as failed for this "
                            "payment (it may be on a follow-up list): a result cannot change "
                            "it to paid."
                        )
                    )
                    % {"household": payment.entitlement.household.registration_id},
                )
                continue
        elif payment.status != PAYMENT.SENT:
            parsed.error(
                number,
                _("Payment %(id)s was never sent to the provider.") % {"id": key},
            )
            continue
        parsed.results.append(
            _Result(row=number, payment=payment, paid=paid, reason=reason, reference=reference)
        )
    return parsed


def _ledger(*, user: Any, payment: Payment, plan: CashPlan, paid_on: datetime.date) -> None:
    household = ledger.household_final(payment.entitlement.household)
    assistance.assistance_record(
        user=user,
        household=household,
        programme=plan.programme,
        project=plan.project,
        kind="cash",
        item=plan.item_code,
        value=payment.amount,
        currency=payment.currency,
        exchange_rate=payment.exchange_rate,
        delivered_on=paid_on,
        source_type=SOURCE_TYPE,
        source_id=str(payment.public_id),
        description=(
            _("Cash transfer, tranche %(n)d of %(total)d (%(list)s)")
            % {
                "n": payment.tranche,
                "total": plan.tranches,
                "list": payment.payment_list.number,
            }
        )[:200],
        permission=None,
    )


def payment_results_import(
    *, user: Any, payment_list: PaymentList, content: bytes
) -> dict[str, Any]:
    """Read the provider's results (all or nothing) and record them: paid payments
    write the ledger, failed ones keep the provider's reason. Returns the counts:
    {"rows", "paid", "failed", "unchanged", "waiting"} (waiting: payments of the list
    with no result yet)."""
    require(user, payment_list, TRANSFER)
    with transaction.atomic():
        payment_list = (
            PaymentList.objects.select_for_update()
            .select_related("template", "plan__programme", "plan__project")
            .get(pk=payment_list.pk)
        )
        if payment_list.status not in (LIST.EXPORTED, LIST.RESULTS):
            raise Conflict(
                _("Export the list to the provider first: results come back for what was sent.")
                if payment_list.status == LIST.DRAFT
                else _("This list is closed: no more results can be imported."),
                code="list_not_sent",
            )
        parsed = _parse(payment_list, content)
        if parsed.errors:
            shown = parsed.errors[:MAX_ERRORS_SHOWN]
            lines = [
                _("Row %(row)d: %(message)s") % {"row": e["row"], "message": e["message"]}
                for e in shown
            ]
            if len(parsed.errors) > len(shown):
                lines.append(_("… and %(n)d more rows.") % {"n": len(parsed.errors) - len(shown)})
            raise ValidationFailed(
                _(
                    "%(n)d row(s) of the file cannot be used; nothing was imported. Correct "
                    "them and upload the whole file again."
                )
                % {"n": len(parsed.errors)},
                code="results_invalid",
                fields={"file": lines},
                params={"rows": parsed.errors},
            )
        plan = payment_list.plan
        paid_on = today()
        now = timezone.now()
        counts = {"rows": len(parsed.results), "paid": 0, "failed": 0, "unchanged": 0}
        for result in parsed.results:
            payment = result.payment
            payment.payment_list = payment_list
            if result.paid:
                changed = Payment.objects.filter(pk=payment.pk, status=PAYMENT.SENT).update(
                    status=PAYMENT.PAID,
                    paid_on=paid_on,
                    provider_reference=result.reference,
                    updated_at=now,
                    updated_by=actor(user),
                )
                if changed:
                    _ledger(user=user, payment=payment, plan=plan, paid_on=paid_on)
                    counts["paid"] += 1
                else:
                    counts["unchanged"] += 1
            else:
                changed = Payment.objects.filter(pk=payment.pk, status=PAYMENT.SENT).update(
                    status=PAYMENT.FAILED,
                    failure_reason=result.reason,
                    provider_reference=result.reference,
                    updated_at=now,
                    updated_by=actor(user),
                )
                counts["failed" if changed else "unchanged"] += 1
        if payment_list.status == LIST.EXPORTED:
            payment_list.results_at = now
            PaymentList.STATUS_MACHINE.transition(
                payment_list, to=LIST.RESULTS, by=user, extra_updates=("results_at",)
            )
        elif counts["paid"] or counts["failed"]:
            PaymentList.objects.filter(pk=payment_list.pk).update(results_at=now)
        counts["waiting"] = payment_list.payments.filter(status=PAYMENT.SENT).count()
    return counts


def follow_up_create(*, user: Any, payment_list: PaymentList) -> PaymentList:
    """A new list of the same tranche with the failed payments of `payment_list` (whose
    entitlement is still released and has no other live payment for the tranche)."""
    require(user, payment_list, TRANSFER)
    with transaction.atomic():
        payment_list = (
            PaymentList.objects.select_for_update()
            .select_related("plan", "template")
            .get(pk=payment_list.pk)
        )
        plan = CashPlan.objects.select_for_update().get(pk=payment_list.plan_id)
        if plan.status != CashPlan.Status.APPROVED:
            raise Conflict(
                _("The plan is “%(status)s”: only an approved plan is paid.")
                % {"status": plan.get_status_display()},
                code="plan_not_approved",
            )
        live = Payment.objects.filter(tranche=payment_list.tranche).exclude(status=PAYMENT.FAILED)
        failed = list(
            payment_list.payments.filter(
                status=PAYMENT.FAILED, entitlement__status=Entitlement.Status.RELEASED
            )
            .exclude(entitlement_id__in=live.values("entitlement_id"))
            .order_by("pk")
        )
        if not failed:
            raise Conflict(
                _(
                    "No failed payment of this list is waiting to be sent again: they are "
                    "paid, or already on a follow-up list."
                ),
                code="no_failures",
            )
        follow_up = _new_list(
            user=user,
            plan=plan,
            tranche=payment_list.tranche,
            template=payment_list.template,
            follow_up_of=payment_list,
        )
        _insert(
            [
                Payment(
                    payment_list=follow_up,
                    entitlement_id=p.entitlement_id,
                    tranche=p.tranche,
                    amount=p.amount,
                    currency=p.currency,
                    exchange_rate=p.exchange_rate,
                    created_by=actor(user),
                    updated_by=actor(user),
                )
                for p in failed
            ]
        )
    return follow_up


def payment_list_close(*, user: Any, payment_list: PaymentList) -> PaymentList:
    """Close a list once every payment on it has its result."""
    require(user, payment_list, TRANSFER)
    with transaction.atomic():
        payment_list = PaymentList.objects.select_for_update().get(pk=payment_list.pk)
        waiting = payment_list.payments.filter(status__in=(PAYMENT.PENDING, PAYMENT.SENT)).count()
        if waiting:
            raise Conflict(
                _("%(n)d payment(s) of this list have no result yet: import them first.")
                % {"n": waiting},
                code="results_missing",
            )
        PaymentList.STATUS_MACHINE.transition(payment_list, to=LIST.CLOSED, by=user)
    return payment_list

"""Cash and e-vouchers for NFIs.

A `CashPlan` turns an approved beneficiary list into one `Entitlement` per household
(a fixed amount, or an amount per member with a cap; IQD or USD with the exchange rate
recorded), with restrictions (item categories, vendors), an optional condition that
must be met before the entitlement is released, and an expiry. Its modality is:

- e-voucher: each released entitlement gets a `Voucher` with an unguessable code
  (printed with a QR code, or sent by SMS through the communication module), a
  balance and an optional PIN. Contracted `Vendor`s redeem it on a phone page or
  through the API; each `Redemption` is idempotent (its key is unique per vendor)
  and its amount is taken from the balance by one conditional UPDATE
  (`balance >= amount`), so two vendors at the same moment can never spend more than
  the balance. Redemptions are reconciled per vendor and period into a
  `PaymentRequest`, approved by someone other than the requester, then paid.
- cash: `Payment`s to a financial service provider in tranches: a payment list is
  exported in the FSP's XLSX template, results are imported back (paid, failed with
  a reason), failures go on a follow-up list; a partial unique constraint keeps a
  household from being paid twice for the same tranche.

Every redemption and every payment writes the assistance ledger (value and currency).
Fraud `Signal`s (bursts, out-of-hours, one household at many vendors, prices above the
contract) are recorded for review.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

VIEW = "cash.view_cash"
MANAGE = "cash.manage_plan"
APPROVE_PLAN = "cash.approve_plan"
MANAGE_VENDOR = "cash.manage_vendor"
REDEEM = "cash.redeem_voucher"
RECONCILE = "cash.request_payment"
APPROVE_PAYMENT = "cash.approve_payment"
TRANSFER = "cash.manage_transfers"

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
RATE: dict[str, Any] = {"max_digits": 12, "decimal_places": 4}
QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Currency(models.TextChoices):
    IQD = "IQD", "IQD"
    USD = "USD", "USD"


class Vendor(BaseModel):
    """A shop contracted to accept e-vouchers: pending → active → suspended ⇄ active,
    or closed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Registered, contract pending")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    SCOPE = ScopePaths(governorate="admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_VENDOR
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "pending": {"active", "closed"},
            "active": {"suspended", "closed"},
            "suspended": {"active", "closed"},
        },
        reason_required={"suspended", "closed"},
    )

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    contract_number = models.CharField(_("contract number"), max_length=60, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    # Opening hours, Baghdad time, the same every day it opens: redemptions outside
    # them are flagged. Days: 0 = Monday … 6 = Sunday.
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    open_days = models.JSONField(_("open days"), default=list, blank=True)
    payee_name = models.CharField(_("payee (account name)"), max_length=200, blank=True)
    payee_account = models.CharField(_("bank or wallet account"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class VendorStaff(models.Model):
    """A user account that redeems vouchers for a vendor (its cashiers)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vendor_staff"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vendor staff")
        verbose_name_plural = _("vendor staff")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.vendor_id}"


class VendorPrice(models.Model):
    """The contracted price of a catalogue item at a vendor, from a date."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(
        "stock.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["vendor", "item", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "item", "valid_from"], name="cash_vendorprice_once_a_day"
            ),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="cash_vendorprice_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.unit_price} {self.currency}"


class CashPlan(BaseModel):
    """Entitlements of a beneficiary list: draft → approved (entitlements created;
    by someone other than the creator) → closed, or cancelled."""

    class Modality(models.TextChoices):
        EVOUCHER = "evoucher", _("E-voucher (restricted to vendors and items)")
        CASH = "cash", _("Cash through a financial service provider")

    class AmountKind(models.TextChoices):
        FIXED = "fixed", _("The same amount for every household")
        PER_MEMBER = "per_member", _("An amount per household member, with a cap")
        PER_HOUSEHOLD = "per_household", _("An amount set for each household (grants)")

    class Condition(models.TextChoices):
        NONE = "", _("None: released at once")
        AWARENESS_SESSION = "awareness_session", _("Attended an awareness session")
        SHELTER_MILESTONE = "shelter_milestone", _("Verified shelter milestone")
        GRANT_MILESTONE = "grant_milestone", _("Verified business-grant milestone")
        OTHER = "other", _("Other verified condition")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"draft": {"approved", "cancelled"}, "approved": {"closed", "cancelled"}},
        reason_required={"cancelled"},
    )

    name = models.CharField(_("name"), max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty for a plan of amounts set per household by another module (the business
    # grants of revitalization): its households are the plan's `PlannedAmount`s.
    beneficiary_list = models.ForeignKey(
        "targeting.BeneficiaryList",
        verbose_name=_("beneficiary list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(
        _("made by"),
        max_length=80,
        blank=True,
        help_text=_("The record that made the plan, such as a grant call."),
    )
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices)
    amount_kind = models.CharField(
        _("amount"), max_length=16, choices=AmountKind.choices, default=AmountKind.FIXED
    )
    amount = models.DecimalField(_("amount per household"), null=True, blank=True, **MONEY)
    per_member = models.DecimalField(_("amount per member"), null=True, blank=True, **MONEY)
    cap = models.DecimalField(_("cap per household"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    tranches = models.PositiveSmallIntegerField(_("tranches"), default=1)
    allowed_categories = models.JSONField(_("allowed item categories"), default=list, blank=True)
    allowed_vendors = models.ManyToManyField(
        Vendor, verbose_name=_("allowed vendors"), blank=True, related_name="+"
    )
    condition = models.CharField(
        _("condition"), max_length=24, choices=Condition.choices, default="", blank=True
    )
    condition_note = models.CharField(_("condition, in words"), max_length=200, blank=True)
    require_pin = models.BooleanField(_("vouchers need a PIN"), default=False)
    expires_on = models.DateField(_("expires on"))
    item_code = models.CharField(
        _("ledger item"),
        max_length=80,
        default="nfi_evoucher",
        help_text=_("What the assistance ledger records, such as nfi_evoucher or nfi_cash."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cash or voucher plan")
        verbose_name_plural = _("cash and voucher plans")

    def __str__(self) -> str:
        return self.name


class Entitlement(BaseModel):
    """What one household is entitled to under a plan: pending (its condition not yet
    met) → released → (voucher issued or paid) … or cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for its condition")
        RELEASED = "released", _("Released")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = ScopePaths(
        governorate="household__governorate__pcode", programme="plan__programme__code"
    )
    VIEW_PERMISSION = VIEW

    plan = models.ForeignKey(CashPlan, on_delete=models.PROTECT, related_name="entitlements")
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.PositiveSmallIntegerField(_("members counted"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    condition_met_at = models.DateTimeField(_("condition met at"), null=True, blank=True)
    condition_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    condition_evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    # How many of the plan's tranches may be paid: all of them once released, unless the
    # plan's condition releases them one by one (a verified shelter milestone each).
    released_tranches = models.PositiveSmallIntegerField(_("tranches released"), default=0)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [
            models.UniqueConstraint(fields=["plan", "household"], name="cash_entitlement_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_entitlement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.household_id} {self.amount} {self.currency}"


class PlannedAmount(models.Model):
    """The amount one household is to receive under a plan of amounts set per household
    (a grant agreement): approving the plan makes its entitlement."""

    plan = models.ForeignKey(CashPlan, on_delete=models.CASCADE, related_name="planned_amounts")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("reference"), max_length=60, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "household"], name="cash_planned_amount_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_planned_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.household_id} {self.amount} {self.reference}"


class TrancheRelease(models.Model):
    """One tranche of an entitlement released by its condition being met, with what
    shows it (an inspection report): the record of why a tranche could be paid."""

    SCOPE = ScopePaths(
        governorate="entitlement__household__governorate__pcode",
        programme="entitlement__plan__programme__code",
    )
    VIEW_PERMISSION = VIEW

    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="tranche_releases"
    )
    tranche = models.PositiveSmallIntegerField(_("tranche"))
    evidence = models.CharField(_("evidence"), max_length=300)
    source = models.CharField(_("released by the record"), max_length=80, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), auto_now_add=True)

    class Meta:
        ordering = ["entitlement", "tranche"]
        verbose_name = _("tranche release")
        verbose_name_plural = _("tranche releases")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "tranche"], name="cash_tranche_released_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id}#{self.tranche}"


class Voucher(BaseModel):
    """An e-voucher: active → spent (balance 0), cancelled (a re-issue replaces it) or
    expired. `balance` only ever decreases, by conditional updates."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SPENT = "spent", _("Spent")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    SCOPE = ScopePaths(
        governorate="entitlement__household__governorate__pcode",
        programme="entitlement__plan__programme__code",
    )
    VIEW_PERMISSION = VIEW
    PERSONAL_FIELDS = ("code", "pin_hash")

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="vouchers")
    code = models.CharField(_("code"), max_length=32, unique=True)
    pin_hash = models.CharField(max_length=128, blank=True)
    amount = models.DecimalField(_("value"), **MONEY)
    balance = models.DecimalField(_("balance"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    expires_on = models.DateField(_("expires on"))
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    delivered_by = models.CharField(_("delivered by"), max_length=16, blank=True)  # print | sms
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("e-voucher")
        verbose_name_plural = _("e-vouchers")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=F("amount")),
                name="cash_voucher_balance_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"…{self.code[-4:]}"


class PaymentRequest(BaseModel):
    """A vendor's redemptions over a period, to be paid: draft → submitted → approved
    (by someone other than the requester) → paid, or rejected (back to draft
    redemptions)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    SCOPE = ScopePaths(governorate="vendor__admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = RECONCILE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"submitted", "rejected"},
            "submitted": {"approved", "rejected"},
            "approved": {"paid"},
        },
        reason_required={"rejected"},
    )

    number = models.CharField(_("number"), max_length=30, unique=True)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="payment_requests")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    total = models.DecimalField(_("total"), default=Decimal(0), **MONEY)
    redemptions_count = models.PositiveIntegerField(_("redemptions"), default=0)
    vendor_claimed = models.DecimalField(_("vendor's claim"), null=True, blank=True, **MONEY)
    discrepancies = models.JSONField(_("discrepancies"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")

    def __str__(self) -> str:
        return self.number


class Redemption(BaseModel):
    """A vendor's sale against a voucher. `idempotency_key` is unique per vendor: a
    repeated request returns `response` (the original answer) and spends nothing."""

    SCOPE = ScopePaths(
        governorate="vendor__admin_unit__governorate__pcode",
        programme="voucher__entitlement__plan__programme__code",
    )
    VIEW_PERMISSION = VIEW

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="redemptions")
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    idempotency_key = models.CharField(max_length=80)
    request_hash = models.CharField(max_length=64)
    response = models.JSONField(default=dict)
    channel = models.CharField(_("channel"), max_length=8, default="web")  # web | api
    redeemed_at = models.DateTimeField(_("redeemed at"), db_index=True)
    payment_request = models.ForeignKey(
        PaymentRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redemptions",
    )

    class Meta:
        ordering = ["-redeemed_at"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        indexes = [
            # The burst check: a vendor's redemptions in the last minutes.
            models.Index(fields=["vendor", "redeemed_at"], name="cash_redemption_vendor_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "idempotency_key"], name="cash_redemption_key_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_redemption_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class RedemptionLine(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "stock.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    contracted_price = models.DecimalField(_("contracted price"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["redemption", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"


class FspTemplate(BaseModel):
    """The XLSX layout a financial service provider expects for a payment list, and
    reads back with results: columns as `[{"header": "Beneficiary ID", "field":
    "registration_id"}, …]` (fields from `cash.transfers.FIELDS`)."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = TRANSFER

    name = models.CharField(_("name"), max_length=120, unique=True)
    provider = models.CharField(_("provider"), max_length=120)
    sheet_name = models.CharField(_("sheet"), max_length=31, default="Payments")
    columns = models.JSONField(_("columns"), default=list)
    result_status_column = models.CharField(_("status column"), max_length=80, default="Status")
    paid_values = models.JSONField(_("values meaning paid"), default=list)
    reason_column = models.CharField(_("reason column"), max_length=80, default="Reason")
    reference_column = models.CharField(_("reference column"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("FSP template")
        verbose_name_plural = _("FSP templates")

    def __str__(self) -> str:
        return self.name


class PaymentList(BaseModel):
    """One tranche of a cash plan sent to the FSP: draft → exported → results imported
    → closed. A follow-up list re-sends a tranche's failures."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        EXPORTED = "exported", _("Sent to the provider")
        RESULTS = "results", _("Results imported")
        CLOSED = "closed", _("Closed")

    SCOPE = ScopePaths(programme="plan__programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = TRANSFER
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"draft": {"exported"}, "exported": {"results"}, "results": {"closed"}},
    )

    number = models.CharField(_("number"), max_length=30, unique=True)
    plan = models.ForeignKey(CashPlan, on_delete=models.PROTECT, related_name="payment_lists")
    tranche = models.PositiveSmallIntegerField(_("tranche"))
    template = models.ForeignKey(FspTemplate, on_delete=models.PROTECT, related_name="+")
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    results_at = models.DateTimeField(_("results imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment list")
        verbose_name_plural = _("payment lists")

    def __str__(self) -> str:
        return self.number


class Payment(BaseModel):
    """One household's payment in a tranche: pending → sent → paid, or failed (with
    the provider's reason; a follow-up list may pay it again). At most one payment per
    entitlement and tranche that is not failed: nobody is paid twice for a tranche."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent to the provider")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    SCOPE = ScopePaths(
        governorate="entitlement__household__governorate__pcode",
        programme="entitlement__plan__programme__code",
    )
    VIEW_PERMISSION = VIEW

    payment_list = models.ForeignKey(PaymentList, on_delete=models.PROTECT, related_name="payments")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payments")
    tranche = models.PositiveSmallIntegerField(_("tranche"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    failure_reason = models.CharField(_("reason"), max_length=300, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=80, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["payment_list", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "tranche"],
                condition=~Q(status="failed"),
                name="cash_payment_once_per_tranche",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} t{self.tranche} {self.status}"


class Signal(models.Model):
    """A possible fraud or error for someone to review."""

    class Kind(models.TextChoices):
        BURST = "burst", _("Burst of redemptions at a vendor")
        OUT_OF_HOURS = "out_of_hours", _("Redemption outside opening hours")
        MANY_VENDORS = "many_vendors", _("One household redeeming at many vendors")
        PRICE_ABOVE_CONTRACT = "price_above_contract", _("Price above the contracted list")
        DISCREPANCY = "discrepancy", _("Reconciliation discrepancy")

    SCOPE = ScopePaths(governorate="vendor__admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="signals")
    redemption = models.ForeignKey(
        Redemption, null=True, blank=True, on_delete=models.CASCADE, related_name="signals"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")

    def __str__(self) -> str:
        return f"{self.kind} {self.vendor_id}"

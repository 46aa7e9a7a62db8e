"""Stock: the NFI catalogue (items, kits as versioned bills of items), warehouses and
the stock ledger.

Everything a warehouse holds is an `Item`; an assembled kit is an item too (the kit's
`item`), so one ledger and one balance table cover loose items and kits alike. A kit's
contents live in `KitVersion`s: next season's winter kit is a new version, and every
kitting movement records the version it assembled.

The ledger is `StockEntry`: one signed quantity per warehouse × item × funding project ×
movement, never edited or deleted. `StockBalance` is the running total of those entries,
updated in the same transaction by conditional updates (`quantity >= n` in the WHERE
clause) and guarded by CHECK constraints, so a balance never goes negative, also when
two officers dispatch at the same moment (`stock.services`). `reserved` is what
distribution plans have set aside; `available = quantity - reserved`.

A `Movement` is the document behind entries: a receipt, a transfer, kitting, a dispatch
to or a return from a distribution, an adjustment, or a physical count. Status fields are
state machines (`core.state`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

VIEW = "stock.view_stock"
MANAGE_CATALOGUE = "stock.manage_catalogue"
MANAGE_WAREHOUSE = "stock.manage_warehouse"
RECORD = "stock.record_movement"
APPROVE = "stock.approve_adjustment"

QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}


class _Named(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_ar = models.CharField(_("name (Arabic)"), max_length=160, blank=True)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=160, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"  # type: ignore[attr-defined]

    @property
    def name(self) -> str:
        lang = (get_language() or "en").split("-")[0]
        if lang == "ar" and self.name_ar:
            return self.name_ar
        if lang == "ckb" and self.name_ckb:
            return self.name_ckb
        return self.name_en


class Item(_Named, BaseModel):
    class Category(models.TextChoices):
        BEDDING = "bedding", _("Bedding (mattresses, blankets)")
        COOKING = "cooking", _("Cooking and kitchen")
        HEATING = "heating", _("Heating and fuel")
        LIGHTING = "lighting", _("Lighting and energy")
        COOLING = "cooling", _("Cooling")
        HYGIENE = "hygiene", _("Hygiene")
        WATER = "water", _("Water storage")
        SHELTER = "shelter", _("Shelter materials")
        CLOTHING = "clothing", _("Clothing")
        KIT = "kit", _("Assembled kit")
        OTHER = "other", _("Other")

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CATALOGUE

    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("piece, set, litre…"))
    specification = models.TextField(_("specification"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    @property
    def is_kit(self) -> bool:
        return self.category == self.Category.KIT


class ItemCost(BaseModel):
    """The unit cost of an item charged to a project, from a date (the latest that
    started on or before a day applies). Stock value by project uses it."""

    SCOPE = ScopePaths(programme="project__programme__code")
    VIEW_PERMISSION = VIEW

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="costs")
    project = models.ForeignKey(
        "programmes.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    unit_cost = models.DecimalField(_("unit cost"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    exchange_rate = models.DecimalField(
        _("IQD per USD"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["item", "project", "-valid_from"]
        verbose_name = _("item cost")
        verbose_name_plural = _("item costs")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "project", "valid_from"], name="stock_itemcost_once_a_day"
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="stock_itemcost_positive"),
        ]


class Kit(_Named, BaseModel):
    """A kit handed to a household. `code` is what the assistance ledger records as the
    item ("winter_kit_2026"); `item` is the kit as warehouses stock it once assembled."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("Basic NFI kit")
        WINTER = "winter", _("Winter kit")
        SUMMER = "summer", _("Summer kit")
        REPLACEMENT = "replacement", _("Replacement kit")
        OTHER = "other", _("Other kit")

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CATALOGUE

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    item = models.OneToOneField(
        Item, verbose_name=_("stock item"), on_delete=models.PROTECT, related_name="kit"
    )
    # A replacement kit is given only to households whose ledger shows one of these.
    replaces = models.ManyToManyField(
        "self",
        verbose_name=_("replaces items of"),
        symmetrical=False,
        blank=True,
        related_name="replaced_by",
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("kit")
        verbose_name_plural = _("kits")

    @property
    def seasonal(self) -> bool:
        return self.kind in (self.Kind.WINTER, self.Kind.SUMMER)


class KitVersion(BaseModel):
    """The contents of a kit from a date. Versions are immutable once used (kitting
    records the version it assembled); a change of contents is a new version."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    notes = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["kit", "-number"]
        verbose_name = _("kit version")
        verbose_name_plural = _("kit versions")
        constraints = [
            models.UniqueConstraint(fields=["kit", "number"], name="stock_kitversion_number")
        ]

    def __str__(self) -> str:
        return f"{self.kit.code} v{self.number}"


class KitComponent(models.Model):
    version = models.ForeignKey(KitVersion, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QTY)

    class Meta:
        ordering = ["version", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="stock_kitcomponent_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_kitcomponent_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"


class Season(BaseModel):
    """A season window for seasonal kits: winter kits are distributed only inside a
    winter season, once per household per season."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CATALOGUE

    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=[(Kit.Kind.WINTER, _("Winter")), (Kit.Kind.SUMMER, _("Summer"))],
    )
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="stock_season_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Warehouse(BaseModel):
    SCOPE = ScopePaths(governorate="place__admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_WAREHOUSE

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    place = models.ForeignKey(
        "geo.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class StockBalance(models.Model):
    """The running total of the ledger for one warehouse × item × project. Written only
    by `stock.services` with conditional updates; the CHECK constraints are the last
    line of defence."""

    SCOPE = ScopePaths(governorate="warehouse__place__admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances")
    project = models.ForeignKey("programmes.Project", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("on hand"), default=Decimal(0), **QTY)
    reserved = models.DecimalField(_("reserved"), default=Decimal(0), **QTY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse", "item", "project"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "item", "project"], name="stock_balance_once"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("quantity")),
                name="stock_reserved_within_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.item_id}/{self.project_id}: {self.quantity}"

    @property
    def available(self) -> Decimal:
        return self.quantity - self.reserved


class Threshold(models.Model):
    """Low-stock alert level of an item in a warehouse (all projects together)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="thresholds")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    minimum = models.DecimalField(_("alert below"), **QTY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="stock_threshold_once")
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.item_id} < {self.minimum}"


class Movement(BaseModel):
    """A stock document. Kinds and their statuses:

    - receipt: posted on creation (+ at `warehouse`).
    - transfer: draft → dispatched (− at `warehouse`) → in transit → received
      (+ what arrived at `to_warehouse`; the rest recorded as lost, with a reason).
    - kitting: posted (− components, + kits) at `warehouse`.
    - dispatch: posted (− at `warehouse`, from a distribution's reservation).
    - return: posted (+ at `warehouse`, back from a distribution).
    - adjustment: requested → approved by another person (posted) or rejected.
    - count: a physical count; its differences posted as entries when approved.
    Any draft or requested document may be cancelled.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        TRANSFER = "transfer", _("Transfer")
        KITTING = "kitting", _("Kitting")
        DISPATCH = "dispatch", _("Dispatch to a distribution")
        RETURN = "return", _("Return from a distribution")
        ADJUSTMENT = "adjustment", _("Adjustment")
        COUNT = "count", _("Physical count")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REQUESTED = "requested", _("Awaiting approval")
        DISPATCHED = "dispatched", _("Dispatched")
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Received")
        POSTED = "posted", _("Posted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Reason(models.TextChoices):
        LOSS = "loss", _("Loss")
        DAMAGE = "damage", _("Damage")
        EXPIRY = "expiry", _("Expiry")
        THEFT = "theft", _("Theft")
        FOUND = "found", _("Found in stock")
        COUNT = "count", _("Count difference")
        CORRECTION = "correction", _("Correction of an error")

    SCOPE = ScopePaths(governorate="warehouse__place__admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = RECORD
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"dispatched", "posted", "requested", "cancelled"},
            "dispatched": {"in_transit", "received"},
            "in_transit": {"received"},
            "requested": {"posted", "rejected", "cancelled"},
        },
        reason_required={"rejected", "cancelled"},
    )

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    to_warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("to warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming",
    )
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("funding project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("date"))
    # Receipts
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    donor = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("in-kind donor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivery_note = models.CharField(_("delivery note"), max_length=80, blank=True)
    batch = models.CharField(_("batch"), max_length=80, blank=True)
    # Kitting
    kit_version = models.ForeignKey(
        KitVersion,
        verbose_name=_("kit version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Dispatches and returns: the distribution they serve ("distribution.event", public id).
    reference_type = models.CharField(max_length=60, blank=True)
    reference_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Idempotency: a retried request with the same key returns the first document.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class MovementLine(models.Model):
    """One item of a document. `quantity` is what the document moves (positive);
    for a transfer, `received` and `lost` are filled on arrival (received + lost =
    quantity); for a count, `counted` and `expected` (the book balance when counted)."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "programmes.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), default=Decimal(0), **QTY)
    direction = models.SmallIntegerField(default=1)  # adjustments: +1 found, -1 lost
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **MONEY)
    received = models.DecimalField(_("received"), null=True, blank=True, **QTY)
    lost = models.DecimalField(_("lost"), null=True, blank=True, **QTY)
    loss_reason = models.CharField(_("reason for the loss"), max_length=200, blank=True)
    expected = models.DecimalField(_("book balance"), null=True, blank=True, **QTY)
    counted = models.DecimalField(_("counted"), null=True, blank=True, **QTY)

    class Meta:
        ordering = ["movement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.movement_id}: {self.quantity} × {self.item_id}"


class StockEntry(models.Model):
    """The ledger: append-only, one signed quantity per warehouse × item × project.
    The sum of a warehouse × item × project's entries is its balance."""

    SCOPE = ScopePaths(governorate="warehouse__place__admin_unit__governorate__pcode")
    VIEW_PERMISSION = VIEW

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="entries")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("programmes.Project", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QTY)
    balance_after = models.DecimalField(_("balance"), **QTY)
    kind = models.CharField(_("kind"), max_length=16, choices=Movement.Kind.choices)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("stock ledger entry")
        verbose_name_plural = _("stock ledger entries")
        indexes = [
            models.Index(fields=["warehouse", "item", "id"], name="stock_entry_card_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.quantity:+} {self.item_id}@{self.warehouse_id}"

"""The assistance ledger: one record per delivery, written only through
`assistance.services.assistance_record`. Reporting reads only this and the registry."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths


class AssistanceKind(models.TextChoices):
    IN_KIND = "in_kind", _("In-kind item or kit")
    CASH = "cash", _("Cash")
    VOUCHER = "voucher", _("Voucher")
    SERVICE = "service", _("Service")
    TRANSPORT = "transport", _("Transport")
    TRAINING = "training", _("Training")
    GRANT = "grant", _("Grant")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure benefit")


class AssistanceRecord(BaseModel):
    SCOPE = ScopePaths(governorate="governorate__pcode", programme="programme__code")
    VIEW_PERMISSION = "assistance.view_assistance"

    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assistance",
    )
    individual = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("individual"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assistance",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activity = models.ForeignKey(
        "programmes.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AssistanceKind.choices, db_index=True)
    # What was delivered: an item or kit code, a course, a service ("winter_kit", "nfi_basic_kit"…).
    item = models.CharField(_("item"), max_length=80, db_index=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        _("IQD per USD"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    delivered_on = models.DateField(_("date"), db_index=True)
    place = models.ForeignKey(
        "geo.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    delivered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("delivered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The module record this delivery came from ("distribution.receipt", its public id): a
    # retried write of the same source does not record the delivery twice.
    source_type = models.CharField(_("source"), max_length=60)
    source_id = models.CharField(_("source id"), max_length=64)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("assistance record")
        verbose_name_plural = _("assistance records")
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="assistance_source_once"
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(individual__isnull=False),
                name="assistance_has_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["household", "item", "delivered_on"], name="assistance_hh_item_idx"
            ),
            models.Index(fields=["programme", "delivered_on"], name="assistance_prog_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.delivered_on}"

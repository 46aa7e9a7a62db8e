"""The price catalogue a bill of quantities is estimated from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.shelter.models.common import (
    MANAGE_CATALOGUE,
    MONEY,
    VIEW,
    Component,
    Currency,
    Unit,
)


class PriceItem(BaseModel):
    """A work item of the catalogue ("Plastering of internal walls", per m²)."""

    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CATALOGUE

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_ku = models.CharField(_("name in Kurdish"), max_length=200, blank=True)
    component = models.CharField(_("component"), max_length=16, choices=Component.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["component", "code"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class UnitPrice(models.Model):
    """The price of an item from a date, in one governorate (or everywhere when the
    governorate is empty): the price that applies to an assessment is the latest one
    valid on its date in its governorate, else the latest national one."""

    VIEW_PERMISSION = VIEW

    item = models.ForeignKey(PriceItem, on_delete=models.CASCADE, related_name="prices")
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"))
    price = models.DecimalField(_("unit price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "-valid_from"]
        verbose_name = _("unit price")
        verbose_name_plural = _("unit prices")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "governorate", "valid_from", "currency"],
                name="shelter_unitprice_once",
            ),
            models.UniqueConstraint(
                fields=["item", "valid_from", "currency"],
                condition=Q(governorate__isnull=True),
                name="shelter_unitprice_national_once",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="shelter_unitprice_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.price} {self.currency} from {self.valid_from}"

"""Permissions and choices shared by the transport models."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.scoping import ScopePaths

VIEW = "transport.view_movement"
MANAGE = "transport.manage_movement"
APPROVE = "transport.approve_movement"
FLEET = "transport.manage_fleet"

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
VOLUME: dict[str, Any] = {"max_digits": 7, "decimal_places": 2}

# A movement crosses governorates: it is reached from its origin's and its destination's
# (the `governorates` many-to-many holds both), within the transport programme.
MOVEMENT_SCOPE = ScopePaths(
    governorate="governorates__pcode", programme="programme__code", multi_valued=True
)
# Fleet records are reached from the governorates they work in.
FLEET_SCOPE = ScopePaths(governorate="governorates__pcode", multi_valued=True)


class Currency(models.TextChoices):
    IQD = "IQD", _("Iraqi dinar (IQD)")
    USD = "USD", _("US dollar (USD)")


class MovementKind(models.TextChoices):
    BORDER_RECEPTION = "border_reception", _("Border-to-camp reception")
    RELOCATION = "relocation", _("Relocation on camp closure or consolidation")
    REUNIFICATION = "reunification", _("Family reunification")
    OTHER = "other", _("Other movement")


class Fitness(models.TextChoices):
    """Fitness to travel, recorded per passenger before departure."""

    NOT_ASSESSED = "not_assessed", _("Not assessed yet")
    FIT = "fit", _("Fit to travel")
    ESCORT = "escort", _("Fit with a medical escort")
    WHEELCHAIR = "wheelchair", _("Needs a wheelchair place")
    STRETCHER = "stretcher", _("Needs a stretcher (ambulance)")
    NOT_FIT = "not_fit", _("Not fit to travel: postponed")


class VehicleKind(models.TextChoices):
    BUS = "bus", _("Bus")
    MINIBUS = "minibus", _("Minibus")
    LUGGAGE_TRUCK = "luggage_truck", _("Luggage truck")
    AMBULANCE = "ambulance", _("Ambulance")


class DeclarationMethod(models.TextChoices):
    SIGNED = "signed", _("Signed form")
    THUMBPRINT = "thumbprint", _("Thumbprint")
    VERBAL = "verbal", _("Verbal, before a witness")

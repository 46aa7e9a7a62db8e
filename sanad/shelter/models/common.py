"""Permissions, choices and field options shared by the shelter models."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.scoping import ScopePaths

VIEW = "shelter.view_shelter"
ASSESS = "shelter.assess_damage"
INSPECT = "shelter.inspect_works"
MANAGE_CASE = "shelter.manage_case"
MANAGE_CONTRACT = "shelter.manage_contract"
MANAGE_CATALOGUE = "shelter.manage_catalogue"
MANAGE_WORKS = "shelter.manage_site_works"

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
QUANTITY: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}
AREA: dict[str, Any] = {"max_digits": 9, "decimal_places": 2}
PERCENT: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}

# Records that belong to a programme's project in a governorate.
SCOPE = ScopePaths(governorate="governorate__pcode", programme="programme__code")


class Currency(models.TextChoices):
    IQD = "IQD", _("Iraqi dinar (IQD)")
    USD = "USD", _("US dollar (USD)")


class DamageCategory(models.TextChoices):
    """The damage classification of the Shelter Cluster Iraq, lightest first."""

    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    DESTROYED = "destroyed", _("Destroyed")


# Points of each category in the prioritisation formula (out of 4).
SEVERITY_POINTS = {"minor": 1, "moderate": 2, "severe": 3, "destroyed": 4}


class Component(models.TextChoices):
    ROOF = "roof", _("Roof")
    WALLS = "walls", _("Walls")
    DOORS_WINDOWS = "doors_windows", _("Doors and windows")
    ELECTRICAL = "electrical", _("Electrical")
    WATER = "water", _("Water")
    SANITATION = "sanitation", _("Sanitation")
    PARTITIONS = "partitions", _("Partitions")
    OTHER = "other", _("Other")


# The checklist of an assessment: every component but "other" (a BoQ line may still be).
COMPONENTS = tuple(c for c in Component.values if c != "other")


class ComponentState(models.TextChoices):
    """What the assessment checklist records for one component."""

    INTACT = "intact", _("Intact")
    PARTIAL = "partial", _("Partly damaged")
    DESTROYED = "destroyed", _("Destroyed or missing")


class Unit(models.TextChoices):
    M2 = "m2", _("m²")
    M3 = "m3", _("m³")
    M = "m", _("metre")
    ITEM = "item", _("item")
    KG = "kg", _("kg")
    SET = "set", _("set")
    LUMP_SUM = "lump_sum", _("lump sum")

"""Permissions, scope and choices shared by the revitalization models."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.scoping import ScopePaths

VIEW = "revitalization.view_revitalization"
MANAGE = "revitalization.manage_community"
GRANTS = "revitalization.manage_grants"
SCORE = "revitalization.score_application"
TRAINING = "revitalization.manage_training"

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
RATE: dict[str, Any] = {"max_digits": 12, "decimal_places": 4}
PERCENT: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}

# Records that belong to the programme in a governorate.
SCOPE = ScopePaths(governorate="governorate__pcode", programme="programme__code")


def child_scope(parent: str) -> ScopePaths:
    """The scope of a record reached through its parent (`parent` is the field name)."""
    return ScopePaths(
        governorate=f"{parent}__governorate__pcode", programme=f"{parent}__programme__code"
    )


class Currency(models.TextChoices):
    IQD = "IQD", _("Iraqi dinar (IQD)")
    USD = "USD", _("US dollar (USD)")


class Sector(models.TextChoices):
    """What a community need, an infrastructure project or a course is about."""

    WATER = "water", _("Water")
    SANITATION = "sanitation", _("Sanitation and waste")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    ROADS = "roads", _("Roads and bridges")
    ELECTRICITY = "electricity", _("Electricity")
    MARKETS = "markets", _("Markets and livelihoods")
    AGRICULTURE = "agriculture", _("Agriculture")
    SOCIAL = "social", _("Social cohesion and public spaces")
    OTHER = "other", _("Other")


class ParticipantGroup(models.TextChoices):
    """Who took part in a participatory session or an activity."""

    IDP = "idp", _("Displaced people")
    RETURNEE = "returnee", _("Returnees")
    HOST = "host", _("Host community")
    WOMEN = "women", _("Women's group")
    YOUTH = "youth", _("Youth")
    ELDERS = "elders", _("Elders and community leaders")
    DISABILITY = "disability", _("Persons with disabilities")
    AUTHORITIES = "authorities", _("Local authorities")
    RELIGIOUS = "religious", _("Religious leaders")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class AgeBand(models.TextChoices):
    """Age bands of participants in sessions and activities (adults mostly)."""

    UNDER_18 = "0-17", _("Under 18")
    ADULT = "18-59", _("18 to 59")
    OLDER = "60+", _("60 and over")


class ParticipationCount(models.Model):
    """How many people of one group, sex and age band took part (abstract: assessments
    and social-cohesion activities each have their own table)."""

    group = models.CharField(_("group"), max_length=16, choices=ParticipantGroup.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("people"))

    class Meta:
        abstract = True

"""Admin units of Iraq (P-codes) and places: camps, informal sites, collective
centres, villages, border crossing points, warehouse sites, offices."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine


class AdminUnit(models.Model):
    """A governorate (level 1), district (2) or sub-district (3), by its current P-code.

    Reference data from Open Admin Data (CC-BY-4.0), loaded by a data migration.
    """

    class Level(models.IntegerChoices):
        GOVERNORATE = 1, _("Governorate")
        DISTRICT = 2, _("District")
        SUBDISTRICT = 3, _("Sub-district")

    SCOPE = ScopePaths()  # reference data: everyone with the permission sees all
    VIEW_PERMISSION = "geo.view_adminunit"

    pcode = models.CharField(_("P-code"), max_length=16, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    governorate = models.ForeignKey(
        "self",
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name_en = models.CharField(_("name (English)"), max_length=120, db_index=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120, db_index=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("admin unit")
        verbose_name_plural = _("admin units")

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"

    @property
    def name(self) -> str:
        lang = (get_language() or "en").split("-")[0]
        return self.name_ar if lang in {"ar", "ckb"} and self.name_ar else self.name_en


class Place(BaseModel):
    class Kind(models.TextChoices):
        FORMAL_CAMP = "formal_camp", _("Formal camp")
        INFORMAL_SITE = "informal_site", _("Informal site")
        COLLECTIVE_CENTRE = "collective_centre", _("Collective centre")
        VILLAGE = "village", _("Village or neighbourhood")
        BORDER_POINT = "border_point", _("Border crossing point")
        WAREHOUSE_SITE = "warehouse_site", _("Warehouse site")
        OFFICE = "office", _("Office")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    SCOPE = ScopePaths(governorate="admin_unit__governorate__pcode")
    VIEW_PERMISSION = "geo.view_place"
    MANAGE_PERMISSION = "geo.manage_place"
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", {"open": {"closed"}, "closed": {"open"}}, reason_required={"closed"}
    )

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    code = models.CharField(
        _("site code"),
        max_length=40,
        blank=True,
        help_text=_("The code partners use for this place, such as the CCCM site ID."),
    )
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_ar = models.CharField(_("name (Arabic)"), max_length=160, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="places"
    )
    lat = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(28.5), MaxValueValidator(37.5)],
    )
    lon = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(38.5), MaxValueValidator(49.0)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        # Lists are ordered by name and paged: an index keeps the first page cheap
        # when the whole country is in scope (docs/benchmarks.md).
        indexes = [models.Index(fields=["name_en", "id"], name="geo_place_name_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~models.Q(code=""),
                name="geo_place_unique_code_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "en").split("-")[0]
        return self.name_ar if lang in {"ar", "ckb"} and self.name_ar else self.name_en

    @property
    def governorate(self) -> AdminUnit | None:
        return self.admin_unit.governorate

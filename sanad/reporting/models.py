"""Reporting: the summary of the assistance ledger that dashboards, indicators and the
3W/4W/5W exports read, and the indicators and scheduled exports defined as data.

The summary (ADR 0010)
----------------------
`ReachCell` is one row per month × programme × project × activity × kind × item × unit ×
admin unit × place of the ledger. It keeps the number of deliveries, their quantity
and value (in US dollars and in Iraqi dinars, each record converted at the rate it
recorded), and two roaring bitmaps: the people reached (`Individual` primary keys) and
the households reached (`Household` primary keys). Unique counts across any set of cells
are the cardinality of the union of their bitmaps: a person reached by a kit, a voucher
and a training is one bit, whichever programmes, places and months are chosen.

`AttributeSet` keeps the registry's attributes as bitmaps of the same keys (female,
male, with a disability, born in a given month), so disaggregation by sex × age group
× disability is a few intersections; ages are taken on the last day of the period.
`SummaryState` records how far the summary has read the ledger and the registry.

`sanad.reporting.services.summary` maintains all three (`sanad reporting_refresh`, and
the periodic task); `sanad.reporting.selectors.figures` reads them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths

AGGREGATES = "reporting.view_aggregates"
MANAGE_INDICATORS = "reporting.manage_indicators"
EXPORT = "reporting.export_reports"


class ReachCell(models.Model):
    SCOPE = ScopePaths(governorate="governorate__pcode", programme="programme__code")
    VIEW_PERMISSION = AGGREGATES

    month = models.DateField(_("month"), db_index=True)  # its first day
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    project = models.ForeignKey(
        "programmes.Project",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    activity = models.ForeignKey(
        "programmes.Activity",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=16)
    item = models.CharField(_("item"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    district = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    place = models.ForeignKey(
        "geo.Place", null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    records = models.PositiveIntegerField(_("deliveries"), default=0)
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=2, default=0)
    value_usd = models.DecimalField(_("value (USD)"), max_digits=20, decimal_places=2, default=0)
    value_iqd = models.DecimalField(_("value (IQD)"), max_digits=22, decimal_places=2, default=0)
    people = models.BinaryField(_("people reached"))
    households = models.BinaryField(_("households reached"))

    class Meta:
        verbose_name = _("summary cell")
        verbose_name_plural = _("summary cells")
        indexes = [
            models.Index(fields=["month", "programme"], name="reporting_cell_month_prog"),
            models.Index(fields=["governorate", "month"], name="reporting_cell_gov_month"),
            models.Index(fields=["project", "month"], name="reporting_cell_proj_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.item} {self.admin_unit_id}"


class MonthState(models.Model):
    """What the summary of one month was built from: the number of ledger records of
    that month and the largest record id among them. The ledger is append-only, so the
    same count means the same records below that id; a different count rebuilds it."""

    month = models.DateField(_("month"), unique=True)
    records = models.PositiveIntegerField(default=0)
    max_record_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("summarised month")
        verbose_name_plural = _("summarised months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.records}"


class AttributeSet(models.Model):
    """A bitmap of individuals sharing an attribute: "female", "male", "disability",
    "born:2019-04" (born in April 2019)."""

    name = models.CharField(max_length=20, unique=True)
    members = models.BinaryField()

    class Meta:
        verbose_name = _("attribute set")
        verbose_name_plural = _("attribute sets")

    def __str__(self) -> str:
        return self.name


class SummaryState(models.Model):
    """One row: when the summary last read the ledger and the registry, and the
    registry's version it read (so attribute sets are rebuilt only when it changed)."""

    key = models.CharField(max_length=20, unique=True, default="summary")
    refreshed_at = models.DateTimeField(null=True)
    ledger_records = models.BigIntegerField(default=0)
    registry_version = models.CharField(max_length=80, blank=True)
    attributes_at = models.DateTimeField(null=True)
    # Duplicates merged into another record: {"people": {dup: kept}, "households": {…}}.
    merges = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)  # bumped on every change

    class Meta:
        verbose_name = _("summary state")
        verbose_name_plural = _("summary states")

    def __str__(self) -> str:
        return f"{self.key} @ {self.refreshed_at}"


class Measure(models.TextChoices):
    PEOPLE = "people", _("Unique people reached")
    HOUSEHOLDS = "households", _("Unique households reached")
    RECORDS = "records", _("Number of deliveries")
    QUANTITY = "quantity", _("Quantity delivered")
    VALUE_USD = "value_usd", _("Value delivered (USD)")
    VALUE_IQD = "value_iqd", _("Value delivered (IQD)")
    MODULE = "module", _("A programme module's figure")


class Indicator(BaseModel):
    """An indicator defined as data: what it counts and which deliveries it counts.

    Targets are `programmes.Target` rows whose `indicator` is this code; achieved is
    this indicator evaluated on the target's project and period."""

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = AGGREGATES
    MANAGE_PERMISSION = MANAGE_INDICATORS

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=200, blank=True)
    definition = models.TextField(
        _("definition"), help_text=_("How it is counted, as shown next to every figure.")
    )
    measure = models.CharField(_("counts"), max_length=16, choices=Measure.choices)
    # Which deliveries: empty means any.
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kinds = models.JSONField(_("kinds of assistance"), default=list, blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # measure "module": the code of a figure a programme module computes.
    metric = models.CharField(_("module figure"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure="module") | ~Q(metric=""), name="reporting_module_has_metric"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ScheduledExport(BaseModel):
    """An export produced by a background job on a schedule (the 4W of last month on
    the 2nd of each month, a project's donor report each quarter)."""

    SCOPE = ScopePaths(owner="created_by")
    VIEW_PERMISSION = EXPORT
    MANAGE_PERMISSION = EXPORT

    class Kind(models.TextChoices):
        FOUR_W = "4w", _("3W/4W/5W activity report")
        DONOR = "donor", _("Donor report of a project")

    class Format(models.TextChoices):
        HXL_CSV = "hxl-csv", _("CSV with HXL hashtags")
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        PDF = "pdf", _("PDF")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Every month (the month before)")
        QUARTERLY = "quarterly", _("Every quarter (the quarter before)")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("report"), max_length=8, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    day_of_month = models.PositiveSmallIntegerField(_("on day of the month"), default=2)
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shared = models.BooleanField(
        _("shared outside the mission"),
        default=True,
        help_text=_("Small counts are suppressed in anything shared outside the mission."),
    )
    active = models.BooleanField(_("active"), default=True)
    next_run_on = models.DateField(_("next run"))
    last_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled export")
        verbose_name_plural = _("scheduled exports")

    def __str__(self) -> str:
        return self.name


class ScheduledRun(models.Model):
    """One run of a scheduled export for one period: unique, so a re-run or two ticks at
    once never produce it twice."""

    schedule = models.ForeignKey(ScheduledExport, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField()
    period_end = models.DateField()
    job = models.ForeignKey("core.Job", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="reporting_run_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start}"

"""Targeting: eligibility rules, vulnerability scoring models and beneficiary lists.

A rule is data: a tree of groups ("all"/"any") and conditions `{field, operator,
value}` on the fields of `targeting.fields` (a whitelist in code). It is compiled to one
set-based query (`targeting.compiler`), never evaluated as code.

A scoring model has immutable versions: weighted points per criterion, or a
proxy-means-test formula whose coefficients per governorate are a versioned table. A
list records the version that scored it.

A beneficiary list is built from a rule, a scoring model version, an area and quotas:
`targeting.build` writes one `ListEntry` per household considered (included or not,
with its rank, score, the conditions it met and the quota outcome) in one INSERT …
SELECT. Locking rebuilds and freezes that snapshot, so later registry edits do not
change who is on the list or why; a second person approves it; distribution and cash
then use it (`services.list_mark_used`, `selectors.list_households`) until it is closed.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

VIEW = "targeting.view_list"
MANAGE = "targeting.manage_list"
APPROVE = "targeting.approve_list"
MANAGE_MODEL = "targeting.manage_model"
EXPORT = "targeting.export_list"


class Rule(BaseModel):
    """An eligibility rule of a programme: `tree` is the validated, normalised tree
    (`compiler.validate_tree`)."""

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tree = models.JSONField(_("conditions"), default=dict)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return self.name


class ScoringModel(BaseModel):
    class Kind(models.TextChoices):
        WEIGHTED = "weighted", _("Weighted points per criterion")
        PMT = "pmt", _("Proxy means test (coefficients per governorate)")

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_MODEL

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> ScoringModelVersion | None:
        return self.versions.order_by("-number").first()


class ScoringModelVersion(BaseModel):
    """One version of a scoring model; never changed once written (a change is a new
    version), so a list's scores can always be explained with the version that made them.

    Weighted: `criteria` = [{"label", "condition": {field, operator, value}, "points"}].
    PMT: `variables` = [{"code", "label"}]; the coefficients (the intercept included)
    are `PmtCoefficient` rows, per governorate with a default for the others."""

    class Direction(models.TextChoices):
        HIGH = "high", _("A higher score means more vulnerable")
        LOW = "low", _("A lower score means more vulnerable (proxy means test)")

    SCOPE = ScopePaths(programme="model__programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_MODEL

    model = models.ForeignKey(
        ScoringModel, verbose_name=_("model"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    variables = models.JSONField(_("variables"), default=list, blank=True)
    direction = models.CharField(
        _("ranking"), max_length=4, choices=Direction.choices, default=Direction.HIGH
    )
    threshold = models.DecimalField(
        _("eligibility threshold"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Optional. Households must score at least this (or, for a proxy means test, at "
            "most this) to be eligible."
        ),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    source_file = models.CharField(_("coefficients file"), max_length=255, blank=True)

    class Meta:
        ordering = ["model", "-number"]
        verbose_name = _("scoring model version")
        verbose_name_plural = _("scoring model versions")
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="targeting_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.model.name} v{self.number}"


class PmtCoefficient(models.Model):
    """A coefficient of a PMT version: for a governorate, or (`region` empty) the default
    for every governorate without its own. `variable` "intercept" is the constant."""

    INTERCEPT = "intercept"

    version = models.ForeignKey(
        ScoringModelVersion, on_delete=models.CASCADE, related_name="coefficients"
    )
    region = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    variable = models.CharField(_("variable"), max_length=80)
    coefficient = models.DecimalField(_("coefficient"), max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["version", "variable", "region"]
        verbose_name = _("PMT coefficient")
        verbose_name_plural = _("PMT coefficients")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "region", "variable"], name="targeting_coefficient_once"
            ),
            models.UniqueConstraint(
                fields=["version", "variable"],
                condition=Q(region__isnull=True),
                name="targeting_default_coefficient_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variable}={self.coefficient}"


class BeneficiaryList(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LOCKED = "locked", _("Locked, awaiting approval")
        APPROVED = "approved", _("Approved")
        IN_USE = "in_use", _("In use")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"locked", "cancelled"},
            "locked": {"approved", "draft"},
            "approved": {"in_use", "closed"},
            "in_use": {"closed"},
            "closed": set(),
            "cancelled": set(),
        },
        reason_required={"draft", "closed", "cancelled"},
    )
    FROZEN = (Status.LOCKED, Status.APPROVED, Status.IN_USE, Status.CLOSED)

    name = models.CharField(_("name"), max_length=200)
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
    rule = models.ForeignKey(
        Rule, verbose_name=_("eligibility rule"), on_delete=models.PROTECT, related_name="lists"
    )
    model_version = models.ForeignKey(
        ScoringModelVersion,
        verbose_name=_("scoring model version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lists",
    )
    # The area considered (admin units at any level, with what lies inside them); empty:
    # every governorate the person who builds the list may reach.
    area = models.ManyToManyField(
        "geo.AdminUnit", verbose_name=_("area"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # What the last build used and found (the snapshot's header).
    rule_tree = models.JSONField(_("conditions used"), default=dict, blank=True)
    criteria_used = models.JSONField(default=list, blank=True)
    as_of = models.DateField(_("evaluated on"), null=True, blank=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    build_seconds = models.FloatField(null=True, blank=True)
    # What the last build was made from (rule, model version, area, quotas, decisions,
    # day): locking freezes that build as reviewed unless one of them changed since.
    build_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    used_by = models.CharField(_("used by"), max_length=60, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("beneficiary list")
        verbose_name_plural = _("beneficiary lists")

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN


class Quota(models.Model):
    """At most `max_households` households of a place, or of an admin unit (with what
    lies inside it), on a list. The best-ranked eligible households fill it."""

    list = models.ForeignKey(BeneficiaryList, on_delete=models.CASCADE, related_name="quotas")
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.ForeignKey(
        "geo.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    max_households = models.PositiveIntegerField(_("households at most"))

    class Meta:
        ordering = ["list", "id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(admin_unit__isnull=False) & Q(place__isnull=True))
                | (Q(admin_unit__isnull=True) & Q(place__isnull=False)),
                name="targeting_quota_unit_or_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place or self.admin_unit}: {self.max_households}"


class ManualDecision(BaseModel):
    """A household included or excluded by hand, with the reason (mandatory). Made while
    the list is a draft; the next build applies it and the lock freezes it."""

    class Decision(models.TextChoices):
        INCLUDE = "include", _("Included by hand")
        EXCLUDE = "exclude", _("Excluded by hand")

    SCOPE = ScopePaths(
        programme="list__programme__code", governorate="household__governorate__pcode"
    )
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    list = models.ForeignKey(BeneficiaryList, on_delete=models.CASCADE, related_name="decisions")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["list", "-created_at"]
        verbose_name = _("manual decision")
        verbose_name_plural = _("manual decisions")
        constraints = [
            models.UniqueConstraint(fields=["list", "household"], name="targeting_decision_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="targeting_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.household_id}"


class ListEntry(models.Model):
    """One household considered by a list's build: the snapshot row.

    Written only by `targeting.build` in one INSERT … SELECT (a million rows on a large
    registry), so it is lean (ADR 0006): the primary key is (list, household) — no
    sequence, no second unique index —, its other links are not database constraints
    (the snapshot must keep saying who was considered whatever happens to the registry
    later, and each constraint would cost a check per row), and the outcome is a small
    integer. The registration id and names are read from the household."""

    class Outcome(models.IntegerChoices):
        INCLUDED = 1, _("Included: meets the rule")
        MANUAL_IN = 2, _("Included by hand")
        RULE = 3, _("Excluded: does not meet the rule")
        SCORE = 4, _("Excluded: score beyond the threshold")
        QUOTA = 5, _("Excluded: quota already filled")
        MANUAL_OUT = 6, _("Excluded by hand")

    INCLUDED_OUTCOMES = (Outcome.INCLUDED, Outcome.MANUAL_IN)
    SCOPE = ScopePaths(programme="list__programme__code", governorate="governorate__pcode")
    VIEW_PERMISSION = VIEW

    pk = models.CompositePrimaryKey("list", "household")
    list = models.ForeignKey(
        BeneficiaryList,
        on_delete=models.CASCADE,
        related_name="entries",
        db_constraint=False,
        db_index=False,
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    place = models.ForeignKey(
        "geo.Place",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    size = models.SmallIntegerField(_("household size"), default=0)
    # Bit i set: the household met condition i of the list's `rule_tree` (leaves in order).
    met = models.BigIntegerField(default=0)
    # Bit j set: it met criterion j of a weighted scoring model.
    criteria_met = models.BigIntegerField(default=0)
    # A proxy means test's variables for this household, in the version's order.
    pmt_values = models.JSONField(null=True, blank=True)
    score = models.FloatField(_("score"), default=0)
    eligible = models.BooleanField(_("meets the rule"), default=False)
    included = models.BooleanField(_("included"), default=False)
    outcome = models.SmallIntegerField(_("outcome"), choices=Outcome.choices)
    # Position among the households that meet the rule (and the threshold) by score;
    # one beyond its quota keeps its rank but is not included.
    rank = models.IntegerField(_("rank"), null=True, blank=True)
    quota = models.ForeignKey(
        Quota,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    quota_rank = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["list", "rank", "household"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [
            # The list's households in rank order (its pages and exports); partial, so
            # the excluded majority of a large registry costs no index entry here.
            models.Index(
                fields=["list", "rank"],
                condition=Q(included=True),
                name="targeting_entry_rank_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.get_outcome_display()}"

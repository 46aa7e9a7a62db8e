"""Deduplication records: runs of the matching engine, the pairs they propose, the
decisions people take on them, the merges those decisions made, and the thresholds.

A pair is two individuals (and their households) that the engine scored at or above
the review threshold. Pairs at or above the flag threshold are "flagged" (very likely
the same person); the others wait in the grey zone. Nothing is merged without a
person confirming it: merging two different people (brothers, twins, a father and a
son with the same name) harms them.

A rejection is remembered on the unordered pair of individuals (`PairDecision`), so no
later run proposes it again. A merge (`HouseholdMerge`) keeps the snapshot that
`registry.services.household_unmerge` needs to undo it exactly.
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

VIEW = "dedup.view_pair"
REVIEW = "dedup.review_pair"
RUN = "dedup.run"
CHANGE_SETTINGS = "dedup.change_settings"

# Used until the engine's recommended values can be read (see services.default_thresholds).
FALLBACK_FLAG_THRESHOLD = 0.95
FALLBACK_REVIEW_THRESHOLD = 0.5


class DedupSettings(BaseModel):
    """The thresholds of one programme (or, without a programme, of runs started for
    no programme in particular). Without a row, the engine's recommended values apply."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW

    programme = models.OneToOneField(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dedup_settings",
    )
    flag_threshold = models.FloatField(
        _("flag threshold"),
        help_text=_("Pairs at or above this probability are flagged as very likely duplicates."),
    )
    review_threshold = models.FloatField(
        _("review threshold"),
        help_text=_("Pairs from this probability up to the flag threshold wait for a reviewer."),
    )

    class Meta:
        verbose_name = _("deduplication thresholds")
        verbose_name_plural = _("deduplication thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_threshold__gt=0)
                & Q(review_threshold__lte=models.F("flag_threshold"))
                & Q(flag_threshold__lte=1),
                name="dedup_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme or '—'}: {self.review_threshold} / {self.flag_threshold}"


class DedupRun(BaseModel):
    """One run of the matching engine: over the registry, over an import batch (within
    it and against the registry), or linking a partner's list to the registry or to a
    second list."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", _("Whole registry")
        BATCH = "batch", _("Import batch")
        LINK_REGISTRY = "link_registry", _("Partner list against the registry")
        LINK_FILES = "link_files", _("Two partner lists")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    LINK_KINDS: ClassVar[tuple[str, ...]] = (Kind.LINK_REGISTRY, Kind.LINK_FILES)
    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "queued": {"running", "failed"},
            "running": {"done", "failed"},
            "done": set(),
            "failed": set(),
        },
    )

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    import_batch = models.ForeignKey(
        "registry.ImportBatch",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # P-codes of the governorates the run covered (the starter's reach); empty: all.
    governorates = models.JSONField(_("governorates"), default=list, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flag_threshold = models.FloatField(_("flag threshold"))
    review_threshold = models.FloatField(_("review threshold"))
    params = models.JSONField(_("engine parameters"), default=dict, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    records = models.PositiveIntegerField(_("records compared"), default=0)
    pairs_found = models.PositiveIntegerField(_("pairs found"), default=0)
    pairs_new = models.PositiveIntegerField(_("pairs to review"), default=0)
    pairs_skipped = models.PositiveIntegerField(_("pairs already decided"), default=0)
    # Linking lists: the uploaded files' names (the files are deleted after the run).
    left_name = models.CharField(_("list"), max_length=255, blank=True)
    right_name = models.CharField(_("second list"), max_length=255, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deduplication run")
        verbose_name_plural = _("deduplication runs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_link(self) -> bool:
        return self.kind in self.LINK_KINDS

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class MatchPair(BaseModel):
    """Two individuals the engine scored as possibly the same person, with the
    contribution of each field to the score."""

    class Band(models.TextChoices):
        FLAGGED = "flagged", _("Very likely")
        REVIEW = "review", _("Needs review")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed: merged")
        REJECTED = "rejected", _("Rejected: not the same")
        SUPERSEDED = "superseded", _("Superseded")

    # The compared values (names, dates of birth, phones) are quoted in the contributions.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("contributions",)
    # Both households must be in scope: selectors add the right-hand condition.
    SCOPE = ScopePaths(governorate="left_household__governorate__pcode")
    VIEW_PERMISSION = VIEW
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "pending": {"confirmed", "rejected", "superseded"},
            # Undoing the merge puts the pair back in the queue.
            "confirmed": {"pending"},
            "rejected": set(),
            "superseded": set(),
        },
        reason_required={"rejected"},
    )

    run = models.ForeignKey(
        DedupRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="pairs"
    )
    left_individual = models.ForeignKey(
        "registry.Individual", on_delete=models.CASCADE, related_name="+"
    )
    right_individual = models.ForeignKey(
        "registry.Individual", on_delete=models.CASCADE, related_name="+"
    )
    left_household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="+"
    )
    right_household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="+"
    )
    probability = models.FloatField(_("probability"))
    weight = models.FloatField(_("match weight"), default=0)
    # [{"field", "level", "weight", "left", "right"}], as the engine explained the score.
    contributions = models.JSONField(_("contributions"), default=list, blank=True)
    band = models.CharField(_("band"), max_length=8, choices=Band.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        indexes = [
            models.Index(fields=["status", "-probability"], name="dedup_pair_status_prob_idx"),
            models.Index(fields=["left_household", "status"], name="dedup_pair_left_hh_idx"),
            models.Index(fields=["right_household", "status"], name="dedup_pair_right_hh_idx"),
            models.Index(
                fields=["left_individual", "right_individual"], name="dedup_pair_people_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "left_individual", "right_individual"], name="dedup_pair_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.left_individual_id} ~ {self.right_individual_id} ({self.probability:.3f})"

    @property
    def percent(self) -> float:
        return round(100 * self.probability, 1)


class PairDecision(BaseModel):
    """What a reviewer decided about two individuals, whichever run proposed them and
    in whichever order: a rejected pair is never proposed again."""

    class Decision(models.TextChoices):
        REJECTED = "rejected", _("Not the same person")

    SCOPE = ScopePaths(governorate="individual_low__household__governorate__pcode")
    VIEW_PERMISSION = VIEW

    # The lower and the higher primary key of the two individuals (unordered pair).
    individual_low = models.ForeignKey(
        "registry.Individual", on_delete=models.CASCADE, related_name="+"
    )
    individual_high = models.ForeignKey(
        "registry.Individual", on_delete=models.CASCADE, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.REJECTED
    )
    pair = models.ForeignKey(
        MatchPair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["individual_low", "individual_high"], name="dedup_decision_once"
            ),
            models.CheckConstraint(
                condition=Q(individual_low__lt=models.F("individual_high")),
                name="dedup_decision_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.individual_low_id} ≠ {self.individual_high_id}"


class HouseholdMerge(BaseModel):
    """A household merged into another after a reviewer confirmed they are the same
    family; `snapshot` is what `registry.services.household_unmerge` needs to undo it."""

    SCOPE = ScopePaths(governorate="survivor__governorate__pcode")
    VIEW_PERMISSION = VIEW

    survivor = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household kept"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    duplicate = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household merged"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    pairs = models.ManyToManyField(MatchPair, verbose_name=_("pairs"), related_name="merges")
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undo_reason = models.TextField(_("reason for undoing"), blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = _("household merge")
        verbose_name_plural = _("household merges")
        constraints = [
            # A household is merged away once at a time: a retried confirmation cannot
            # record a second merge of it.
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=Q(undone_at__isnull=True),
                name="dedup_merge_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

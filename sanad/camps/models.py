"""Camp coordination and camp management (CCCM).

- A `Site` is a formal camp, an informal site or a collective centre: a `geo.Place` with
  its managing agency, authority, capacity, plots and shelters (`Plot`) and the
  households living there (`Allocation`, from the registry). `PopulationCount` keeps the
  population month by month (households, individuals by sex and age, arrivals and
  departures), computed from the registry or entered by hand.
- `MonitoringRound`: the monthly count of services on a site; its indicators are computed
  against the `Standard`s (Sphere and Iraq camp standards, editable data) and the gaps
  flagged. The round keeps the thresholds it was computed with.
- `Asset`s (electrical sections, water points, taps and pipes, latrines, showers, roads,
  lighting) with their condition; care-and-maintenance `Ticket`s raised by staff, by
  inspections, from residents' feedback cases or by `MaintenanceSchedule`s.
- Informal sites: the profile on `Site`, Mobile Response Team `MrtVisit`s, `Hazard`
  assessments (likelihood × impact) and their `Mitigation`s.
- `Training`s for camp-management actors, with participants and pre/post scores.
- `ClosurePlan`: closing or consolidating a site, the households to move, where and when.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

VIEW = "camps.view_site"
MANAGE_SITE = "camps.manage_site"
MONITOR = "camps.record_monitoring"
MANAGE_STANDARDS = "camps.manage_standards"
RAISE_TICKET = "camps.raise_ticket"
MANAGE_TICKET = "camps.manage_ticket"
WORK_TICKET = "camps.work_ticket"
MRT = "camps.record_mrt"
MANAGE_TRAINING = "camps.manage_training"
MANAGE_CLOSURE = "camps.manage_closure"

SITE_SCOPE = ScopePaths(governorate="site__governorate__pcode")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    BROKEN = "broken", _("Not working")


class Site(BaseModel):
    """A formal camp, informal site or collective centre, on a place."""

    class Tenure(models.TextChoices):
        PUBLIC = "public", _("Public land")
        PRIVATE = "private", _("Private land")
        TRIBAL = "tribal", _("Tribal or communal land")
        UNKNOWN = "unknown", _("Not known")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    SCOPE = ScopePaths(governorate="governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_SITE

    place = models.OneToOneField(
        "geo.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="site"
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    managing_agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("managing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authority = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity_plots = models.PositiveIntegerField(_("plots"), default=0)
    capacity_shelters = models.PositiveIntegerField(_("shelters"), default=0)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Informal-site profile (also useful for collective centres).
    tenure = models.CharField(
        _("land tenure"), max_length=12, choices=Tenure.choices, default=Tenure.UNKNOWN
    )
    eviction_risk = models.CharField(
        _("eviction risk"), max_length=8, choices=Risk.choices, blank=True
    )
    # {"tent": n, "caravan": n, "unfinished_building": n, "makeshift": n, ...}
    shelter_types = models.JSONField(_("shelters by type"), default=dict, blank=True)
    services_notes = models.TextField(_("services on site"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["place__name_en"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return str(self.place)


class Plot(models.Model):
    """A plot or a shelter on a site, by its code (e.g. "B-12")."""

    class Kind(models.TextChoices):
        PLOT = "plot", _("Plot")
        SHELTER = "shelter", _("Shelter")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="plots")
    code = models.CharField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PLOT)
    sector = models.CharField(_("sector or block"), max_length=40, blank=True)
    capacity_people = models.PositiveSmallIntegerField(_("people it can hold"), default=5)
    condition = models.CharField(
        _("condition"), max_length=8, choices=Condition.choices, default=Condition.GOOD
    )

    class Meta:
        ordering = ["site", "code"]
        verbose_name = _("plot or shelter")
        verbose_name_plural = _("plots and shelters")
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="camps_plot_code_per_site")
        ]

    def __str__(self) -> str:
        return self.code


class Allocation(BaseModel):
    """A household living on a plot, from a date until it leaves (ended_on)."""

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_SITE

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="allocations")
    plot = models.ForeignKey(
        Plot, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            # One current allocation per household, and one household per plot at a time.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="camps_one_current_allocation_per_household",
            ),
            models.UniqueConstraint(
                fields=["plot"],
                condition=Q(ended_on__isnull=True, plot__isnull=False),
                name="camps_one_household_per_plot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}@{self.plot_id or self.site_id}"


class PopulationCount(models.Model):
    """A site's population in a month (the first day of the month)."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("Computed from the registry")
        MANUAL = "manual", _("Counted on site")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="population")
    month = models.DateField(_("month"))
    source = models.CharField(max_length=10, choices=Source.choices)
    households = models.PositiveIntegerField(_("households"), default=0)
    individuals = models.PositiveIntegerField(_("individuals"), default=0)
    # {"female": {"0-5": n, "6-17": n, "18-59": n, "60+": n}, "male": {...}}
    by_sex_age = models.JSONField(default=dict, blank=True)
    arrivals = models.PositiveIntegerField(_("households arrived"), default=0)
    departures = models.PositiveIntegerField(_("households left"), default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site", "-month"]
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "month"], name="camps_population_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m}"


class Standard(models.Model):
    """A camp standard an indicator is held to (Sphere, Iraq camp standards): data."""

    class Direction(models.TextChoices):
        AT_MOST = "max", _("at most")
        AT_LEAST = "min", _("at least")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    direction = models.CharField(_("the value must be"), max_length=3, choices=Direction.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40)
    source = models.CharField(_("source"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return self.name


class MonitoringRound(BaseModel):
    """The monthly count of services on a site (draft → submitted)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MONITOR
    # Submitting computes the indicators; reopening (a manager, with a reason) clears them.
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", {"draft": {"submitted"}, "submitted": {"draft"}}, reason_required={"draft"}
    )

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rounds")
    month = models.DateField(_("month"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The population the indicators divide by: the registry's at the month, or counted.
    individuals = models.PositiveIntegerField(_("people living on the site"), default=0)
    households = models.PositiveIntegerField(_("households living on the site"), default=0)
    latrines = models.PositiveIntegerField(_("latrines (working)"), default=0)
    showers = models.PositiveIntegerField(_("showers (working)"), default=0)
    water_taps = models.PositiveIntegerField(_("water taps (working)"), default=0)
    water_litres_per_day = models.PositiveIntegerField(
        _("water supplied (litres a day)"), default=0
    )
    covered_area_m2 = models.DecimalField(
        _("covered shelter area (m²)"), max_digits=12, decimal_places=1, default=0
    )
    shelters = models.PositiveIntegerField(_("shelters occupied"), default=0)
    lighting_points = models.PositiveIntegerField(_("working lights"), default=0)
    health_post_distance_km = models.DecimalField(
        _("distance to the health post (km)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    schools = models.PositiveIntegerField(_("schools"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    # Computed on submit, with the thresholds used: [{"code", "name", "value", "threshold",
    # "direction", "unit", "met"}]. Later edits of a standard do not rewrite history.
    results = models.JSONField(default=list, blank=True, editable=False)
    gaps = models.PositiveSmallIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-month", "site"]
        verbose_name = _("monitoring round")
        verbose_name_plural = _("monitoring rounds")
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="camps_round_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.month:%Y-%m}"


class Asset(BaseModel):
    """A piece of site infrastructure with its condition."""

    class Kind(models.TextChoices):
        ELECTRICAL = "electrical", _("Electrical network section")
        WATER_POINT = "water_point", _("Water point")
        TAP = "tap", _("Tap")
        PIPE = "pipe", _("Water pipe")
        LATRINE = "latrine", _("Latrine")
        SHOWER = "shower", _("Shower")
        ROAD = "road", _("Road")
        LIGHTING = "lighting", _("Lighting")
        DRAINAGE = "drainage", _("Drainage")
        OTHER = "other", _("Other")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_SITE

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sector = models.CharField(_("sector or block"), max_length=40, blank=True)
    condition = models.CharField(
        _("condition"), max_length=8, choices=Condition.choices, default=Condition.GOOD
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["site", "kind", "code"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="camps_asset_code_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_kind_display()})"


class Ticket(BaseModel):
    """A care-and-maintenance job: new → triaged → assigned → done → verified (closed),
    or rejected."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Raised by staff")
        INSPECTION = "inspection", _("Inspection")
        FEEDBACK = "feedback", _("Residents' feedback case")
        PREVENTIVE = "preventive", _("Preventive maintenance")

    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent (24 hours)")
        HIGH = "high", _("High (3 days)")
        NORMAL = "normal", _("Normal (7 days)")
        LOW = "low", _("Low (30 days)")

    class Category(models.TextChoices):
        WATER = "water", _("Water")
        SANITATION = "sanitation", _("Sanitation (latrines, showers)")
        ELECTRICITY = "electricity", _("Electricity and lighting")
        ROADS = "roads", _("Roads and drainage")
        SHELTER = "shelter", _("Shelter")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Work done, awaiting verification")
        VERIFIED = "verified", _("Verified and closed")
        REJECTED = "rejected", _("Rejected")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_TICKET
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "new": {"triaged", "rejected"},
            "triaged": {"assigned", "rejected"},
            "assigned": {"assigned", "done"},
            "done": {"verified", "assigned"},  # back to the team when the work is not right
        },
        reason_required={"rejected"},
    )

    number = models.CharField(_("number"), max_length=24, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tickets")
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    source = models.CharField(_("raised by"), max_length=12, choices=Source.choices)
    # The feedback case (its public id and reference) a resident's complaint came from.
    case_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    case_reference = models.CharField(_("feedback case"), max_length=16, blank=True)
    schedule = models.ForeignKey(
        "camps.MaintenanceSchedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    scheduled_for = models.DateField(null=True, blank=True)
    title = models.CharField(_("what is wrong"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    team = models.CharField(_("maintenance team"), max_length=120, blank=True)
    contractor = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    work_done = models.TextField(_("work done"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("maintenance ticket")
        verbose_name_plural = _("maintenance tickets")
        constraints = [
            # A schedule raises one ticket per due date, however often the tick runs.
            models.UniqueConstraint(
                fields=["schedule", "scheduled_for"],
                condition=Q(schedule__isnull=False),
                name="camps_ticket_once_per_schedule_date",
            ),
            models.UniqueConstraint(
                fields=["case_public_id"],
                condition=Q(case_public_id__isnull=False),
                name="camps_ticket_once_per_case",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TicketPhoto(models.Model):
    """A photo of a ticket's problem or of the work done (stored outside the public
    media, served only to who may see the ticket)."""

    class Stage(models.TextChoices):
        PROBLEM = "problem", _("The problem")
        WORK_DONE = "work_done", _("The work done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    path = models.CharField(max_length=300)  # relative to SANAD_CAMPS_PHOTO_DIR
    content_type = models.CharField(max_length=40)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.public_id)


class MaintenanceSchedule(BaseModel):
    """Preventive maintenance that raises its own tickets every `every_days`."""

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_TICKET

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="schedules")
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    asset_kind = models.CharField(
        _("every asset of this kind"), max_length=16, choices=Asset.Kind.choices, blank=True
    )
    task = models.CharField(_("task"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Ticket.Category.choices)
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=Ticket.Priority.choices,
        default=Ticket.Priority.NORMAL,
    )
    every_days = models.PositiveIntegerField(_("every (days)"))
    next_due_on = models.DateField(_("next due on"))
    team = models.CharField(_("maintenance team"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["next_due_on"]
        verbose_name = _("maintenance schedule")
        verbose_name_plural = _("maintenance schedules")

    def __str__(self) -> str:
        return self.task


class MrtVisit(BaseModel):
    """A Mobile Response Team's visit to a (usually informal) site."""

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MRT

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="mrt_visits")
    team = models.CharField(_("team"), max_length=120)
    visited_on = models.DateField(_("visited on"))
    deployment = models.CharField(_("deployment"), max_length=120, blank=True)
    activities = models.TextField(_("what the team did"), blank=True)
    families_present = models.PositiveIntegerField(_("families present"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-visited_on"]
        verbose_name = _("Mobile Response Team visit")
        verbose_name_plural = _("Mobile Response Team visits")

    def __str__(self) -> str:
        return f"{self.site} {self.visited_on}"


class Hazard(BaseModel):
    """A hazard assessed on a site: risk = likelihood × impact (1–25)."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("Fire")
        FLOOD = "flood", _("Flood")
        ELECTRICAL = "electrical", _("Electrical")
        STRUCTURAL = "structural", _("Structural")
        HEALTH = "health", _("Health")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MITIGATED = "mitigated", _("Mitigated")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MRT

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="hazards")
    visit = models.ForeignKey(
        MrtVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="hazards"
    )
    kind = models.CharField(_("hazard"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"))
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"))
    risk = models.PositiveSmallIntegerField(_("risk score"), editable=False, db_index=True)
    assessed_on = models.DateField(_("assessed on"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    mitigated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-risk", "-assessed_on"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="camps_hazard_scale_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.risk})"


class Mitigation(BaseModel):
    """An action that reduces a hazard, tracked to closure."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    SCOPE = ScopePaths(governorate="hazard__site__governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MRT

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="mitigations")
    action = models.CharField(_("action"), max_length=300)
    responsible = models.CharField(_("who"), max_length=120, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    closed_on = models.DateField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["status", "due_on"]
        verbose_name = _("mitigation action")
        verbose_name_plural = _("mitigation actions")

    def __str__(self) -> str:
        return self.action


class Training(BaseModel):
    """Capacity building for camp-management actors."""

    SCOPE = ScopePaths(governorate="governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_TRAINING

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)
    sessions = models.PositiveSmallIntegerField(_("sessions"), default=1)
    max_score = models.PositiveSmallIntegerField(_("highest test score"), default=100)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return self.title


class TrainingParticipant(models.Model):
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("name", "phone")
    SCOPE = ScopePaths(governorate="training__governorate__pcode")
    VIEW_PERMISSION = VIEW

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended"), default=0)
    pre_score = models.PositiveSmallIntegerField(_("pre-test score"), null=True, blank=True)
    post_score = models.PositiveSmallIntegerField(_("post-test score"), null=True, blank=True)

    class Meta:
        ordering = ["training", "name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name


class ClosurePlan(BaseModel):
    """Closing or consolidating a site: the households to move, where and when."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", _("Closure")
        CONSOLIDATION = "consolidation", _("Consolidation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", _("Moving households")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SITE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CLOSURE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"approved", "cancelled"},
            "approved": {"in_progress", "cancelled"},
            "in_progress": {"done", "cancelled"},
        },
        reason_required={"cancelled"},
    )

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="closure_plans")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    target_date = models.DateField(_("target date"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["-target_date"]
        verbose_name = _("closure or consolidation plan")
        verbose_name_plural = _("closure and consolidation plans")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.site}"


class ClosureHousehold(models.Model):
    """One household of a closure plan: where it goes and when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        REQUESTED = "requested", _("Movement requested")
        MOVED = "moved", _("Moved")
        STAYING = "staying", _("Staying (with reason)")

    SCOPE = ScopePaths(governorate="plan__site__governorate__pcode")
    VIEW_PERMISSION = VIEW

    plan = models.ForeignKey(ClosurePlan, on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(
        "geo.Place",
        verbose_name=_("destination"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("destination area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    move_on = models.DateField(_("moves on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Set when the transportation module creates a movement request for it.
    movement_request_ref = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["plan", "move_on"]
        verbose_name = _("household to move")
        verbose_name_plural = _("households to move")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "household"], name="camps_closure_household_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.household_id}"

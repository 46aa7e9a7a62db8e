"""Vocational training: providers, courses, enrolment from the registry, attendance per
session, completion and certificates, job placement follow-up."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.revitalization.models.common import (
    PERCENT,
    SCOPE,
    TRAINING,
    VIEW,
    child_scope,
)


class Trade(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction (masonry, plastering, tiling)")
    ELECTRICAL = "electrical", _("Electrical installation")
    PLUMBING = "plumbing", _("Plumbing")
    WELDING = "welding", _("Welding and metalwork")
    CARPENTRY = "carpentry", _("Carpentry")
    MECHANICS = "mechanics", _("Vehicle mechanics")
    TAILORING = "tailoring", _("Tailoring")
    HAIRDRESSING = "hairdressing", _("Hairdressing and beauty")
    FOOD = "food", _("Food processing and catering")
    AGRICULTURE = "agriculture", _("Agriculture")
    COMPUTING = "computing", _("Computing and office skills")
    BUSINESS = "business", _("Business skills")
    OTHER = "other", _("Other")


class TrainingProvider(BaseModel):
    class Kind(models.TextChoices):
        VOCATIONAL_CENTRE = "vocational_centre", _("Public vocational training centre")
        INSTITUTE = "institute", _("Private institute")
        NGO = "ngo", _("NGO")
        EMPLOYER = "employer", _("Employer (on-the-job training)")

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = TRAINING

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    accredited = models.BooleanField(_("accredited by the Ministry of Labour"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")

    def __str__(self) -> str:
        return self.name


class Course(BaseModel):
    """planned → running (first session held) → finished (completion decided for every
    trainee); or cancelled."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = TRAINING
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"planned": {"running", "cancelled"}, "running": {"finished", "cancelled"}},
        reason_required={"cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    trade = models.CharField(_("trade"), max_length=16, choices=Trade.choices)
    provider = models.ForeignKey(
        TrainingProvider,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("donor project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "revitalization.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    planned_sessions = models.PositiveSmallIntegerField(_("sessions planned"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    min_attendance = models.DecimalField(
        _("attendance needed to complete (%)"), default=80, **PERCENT
    )
    final_assessment = models.BooleanField(_("trainees must pass a final assessment"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Enrolment(BaseModel):
    """enrolled → completed (attendance and assessment met; a certificate) or not
    completed; dropped out at any time before."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Did not complete")
        DROPPED_OUT = "dropped_out", _("Dropped out")

    SCOPE = child_scope("course")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = TRAINING
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "enrolled": {"completed", "not_completed", "dropped_out"},
            "dropped_out": {"enrolled"},
            "not_completed": {"enrolled"},
        },
        reason_required={"dropped_out"},
    )

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    individual = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    enrolled_on = models.DateField(_("enrolled on"))
    assessment_passed = models.BooleanField(_("passed the final assessment"), null=True, blank=True)
    attendance_rate = models.DecimalField(_("attendance (%)"), null=True, blank=True, **PERCENT)
    certificate_number = models.CharField(
        _("certificate"), max_length=30, null=True, blank=True, unique=True
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.ENROLLED, db_index=True
    )

    class Meta:
        ordering = ["course", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "individual"], name="revitalization_enrolled_once"
            )
        ]


class TrainingSession(models.Model):
    SCOPE = child_scope("course")
    VIEW_PERMISSION = VIEW

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session"))
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=4)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="revitalization_session_once")
        ]

    def __str__(self) -> str:
        return f"{self.course_id} #{self.number}"


class Attendance(models.Model):
    SCOPE = child_scope("session__course")
    VIEW_PERMISSION = VIEW

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="revitalization_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.enrolment_id} {self.present}"


class PlacementFollowUp(BaseModel):
    """What became of a trainee some months after the course."""

    class Outcome(models.TextChoices):
        EMPLOYED = "employed", _("Employed (wage)")
        SELF_EMPLOYED = "self_employed", _("Self-employed")
        APPRENTICE = "apprentice", _("Apprenticeship")
        STUDYING = "studying", _("Further study")
        SEEKING = "seeking", _("Looking for work")
        UNREACHABLE = "unreachable", _("Could not be reached")

    SCOPE = child_scope("enrolment__course")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = TRAINING

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="placements")
    followed_on = models.DateField(_("followed up on"))
    months_after = models.PositiveSmallIntegerField(_("months after the course"))
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    employer = models.CharField(_("employer or business"), max_length=200, blank=True)
    uses_skills = models.BooleanField(_("uses the skills learnt"), null=True, blank=True)
    monthly_income_iqd = models.PositiveIntegerField(
        _("monthly income (IQD)"), null=True, blank=True
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["enrolment", "followed_on"]

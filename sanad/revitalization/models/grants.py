"""Business grants: calls with criteria and eligibility rules, applications, a scoring
committee (conflicts of interest declared per application), selection, business plans,
grant agreements paid in tranches through the cash module, and follow-up visits."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.state import StateMachine
from sanad.revitalization.models.common import (
    GRANTS,
    MONEY,
    RATE,
    SCOPE,
    VIEW,
    Currency,
    child_scope,
)


class BusinessSector(models.TextChoices):
    RETAIL = "retail", _("Retail shop")
    FOOD = "food", _("Food production and restaurants")
    AGRICULTURE = "agriculture", _("Agriculture and livestock")
    MANUFACTURING = "manufacturing", _("Small manufacturing and workshops")
    CONSTRUCTION = "construction", _("Construction trades")
    SERVICES = "services", _("Services (repairs, tailoring, salons)")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


class RevenueBand(models.TextChoices):
    NONE = "none", _("No revenue")
    LOW = "low", _("Under 250,000 IQD a month")
    MEDIUM = "medium", _("250,000 to 1,000,000 IQD a month")
    HIGH = "high", _("Over 1,000,000 IQD a month")


class GrantCall(BaseModel):
    """draft → open (applications accepted) → scoring (closed to applications; the
    committee scores) → selected (grantees chosen) → completed; or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        SCORING = "scoring", _("Closed: committee scoring")
        SELECTED = "selected", _("Grantees selected")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = GRANTS
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"open", "cancelled"},
            "open": {"scoring", "cancelled"},
            "scoring": {"selected", "open", "cancelled"},
            "selected": {"completed", "scoring"},
        },
        reason_required={"cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("donor project"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    communities = models.ManyToManyField(
        "revitalization.Community", verbose_name=_("communities"), blank=True, related_name="+"
    )
    description = models.TextField(_("description and criteria"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    amount_min = models.DecimalField(_("smallest grant"), **MONEY)
    amount_max = models.DecimalField(_("largest grant"), **MONEY)
    budget = models.DecimalField(_("budget of the call"), **MONEY)
    tranches = models.PositiveSmallIntegerField(_("tranches"), default=2)
    # Eligibility, checked on every application (the results are kept with it).
    min_age = models.PositiveSmallIntegerField(_("youngest applicant"), default=18)
    max_age = models.PositiveSmallIntegerField(_("oldest applicant"), null=True, blank=True)
    displacement_statuses = models.JSONField(
        _("displacement statuses"),
        default=list,
        blank=True,
        help_text=_("Leave empty for every status."),
    )
    sectors = models.JSONField(
        _("business sectors"),
        default=list,
        blank=True,
        help_text=_("Leave empty for every sector."),
    )
    one_per_household = models.BooleanField(_("one application per household"), default=True)
    exclude_earlier_grantees = models.BooleanField(
        _("households that had a business grant are not eligible"), default=True
    )
    quorum = models.PositiveSmallIntegerField(
        _("members who must score each application"), default=2
    )
    cash_plan = models.ForeignKey(
        "cash.CashPlan",
        verbose_name=_("cash plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("grant call")
        verbose_name_plural = _("grant calls")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ScoringCriterion(models.Model):
    SCOPE = child_scope("call")
    VIEW_PERMISSION = VIEW

    call = models.ForeignKey(GrantCall, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("criterion"), max_length=200)
    guidance = models.CharField(_("guidance for scorers"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)

    class Meta:
        ordering = ["call", "order"]
        constraints = [
            models.UniqueConstraint(fields=["call", "order"], name="revitalization_criterion_once")
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    SCOPE = child_scope("call")
    VIEW_PERMISSION = VIEW

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")

    call = models.ForeignKey(GrantCall, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    organisation_note = models.CharField(_("representing"), max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="revitalization_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.call_id}:{self.user_id}"


class GrantApplication(BaseModel):
    """submitted → eligible or ineligible (checked) → selected, reserve or rejected →
    agreement signed → completed; or withdrawn."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        SELECTED = "selected", _("Selected")
        RESERVE = "reserve", _("On the reserve list")
        REJECTED = "rejected", _("Not selected")
        AGREEMENT = "agreement", _("Agreement signed")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        WEB = "web", _("Entered on the web")
        IMPORT = "import", _("Imported")
        API = "api", _("API")

    class BusinessKind(models.TextChoices):
        NEW = "new", _("New business")
        EXISTING = "existing", _("Existing business")

    SCOPE = child_scope("call")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = GRANTS
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("phone",)
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "submitted": {"eligible", "ineligible", "withdrawn"},
            "eligible": {"selected", "reserve", "rejected", "ineligible", "withdrawn"},
            "ineligible": {"eligible", "withdrawn"},
            "selected": {"agreement", "eligible", "withdrawn"},
            "reserve": {"selected", "eligible", "withdrawn"},
            "rejected": {"eligible"},
            "agreement": {"completed", "withdrawn"},
        },
        reason_required={"withdrawn", "ineligible"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    call = models.ForeignKey(GrantCall, on_delete=models.PROTECT, related_name="applications")
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("applicant"),
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
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    business_name = models.CharField(_("business name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=16, choices=BusinessSector.choices)
    business_kind = models.CharField(
        _("new or existing"), max_length=8, choices=BusinessKind.choices
    )
    description = models.TextField(_("the business and what the grant is for"))
    requested_amount = models.DecimalField(_("amount requested"), **MONEY)
    jobs_planned = models.PositiveSmallIntegerField(_("jobs it will create"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default="web")
    submitted_on = models.DateField(_("submitted on"))
    eligibility = models.JSONField(_("eligibility checks"), default=list, blank=True)
    total_score = models.DecimalField(
        _("score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    scorers = models.PositiveSmallIntegerField(_("members who scored"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    rank_note = models.CharField(_("how ties were broken"), max_length=300, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )

    class Meta:
        ordering = ["call", "rank", "reference"]
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.business_name}"


class ConflictDeclaration(models.Model):
    """A committee member's declaration on one application, made before scoring it: a
    member with a conflict of interest does not score it (their score is not counted)."""

    SCOPE = child_scope("application__call")
    VIEW_PERMISSION = VIEW

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="declarations"
    )
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="+")
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    note = models.CharField(_("the conflict"), max_length=300, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member"], name="revitalization_declared_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.member_id} {self.has_conflict}"


class Score(models.Model):
    SCOPE = child_scope("application__call")
    VIEW_PERMISSION = VIEW

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="scores"
    )
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member", "criterion"], name="revitalization_scored_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.member_id}:{self.criterion_id} {self.value}"


class BusinessPlan(BaseModel):
    """The selected applicant's plan: what the grant buys, jobs and revenue expected."""

    SCOPE = child_scope("application__call")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = GRANTS

    application = models.OneToOneField(
        GrantApplication, on_delete=models.CASCADE, related_name="business_plan"
    )
    summary = models.TextField(_("summary"))
    budget_lines = models.JSONField(_("what the grant buys"), default=list)
    total = models.DecimalField(_("total"), **MONEY)
    own_contribution = models.DecimalField(_("own contribution"), default=0, **MONEY)
    jobs_expected = models.PositiveSmallIntegerField(_("jobs expected"), default=0)
    revenue_band_expected = models.CharField(
        _("revenue expected"), max_length=8, choices=RevenueBand.choices, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)


class GrantAgreement(BaseModel):
    """The signed agreement; its money goes through a cash entitlement, tranche by
    tranche (tranche 1 on signature once the cash plan is approved, later tranches after
    a visit verifying the earlier one was spent as planned)."""

    class SignatureMethod(models.TextChoices):
        SIGNED = "signed", _("Signed")
        THUMBPRINT = "thumbprint", _("Thumbprint")

    SCOPE = child_scope("application__call")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = GRANTS

    application = models.OneToOneField(
        GrantApplication, on_delete=models.PROTECT, related_name="agreement"
    )
    number = models.CharField(_("number"), max_length=24, unique=True)
    amount = models.DecimalField(_("grant amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    tranches = models.PositiveSmallIntegerField(_("tranches"))
    signed_on = models.DateField(_("signed on"))
    signature = models.CharField(
        _("signature"), max_length=12, choices=SignatureMethod.choices, default="signed"
    )
    witness = models.CharField(_("witness"), max_length=200, blank=True)
    entitlement = models.OneToOneField(
        "cash.Entitlement",
        verbose_name=_("cash entitlement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.number


class GrantVisit(BaseModel):
    """A visit to the business: to verify a tranche was spent as planned (which opens
    the next tranche) or a follow-up at 3, 6 and 12 months after signature."""

    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("Tranche verification")
        MONTH_3 = "month_3", _("Follow-up at 3 months")
        MONTH_6 = "month_6", _("Follow-up at 6 months")
        MONTH_12 = "month_12", _("Follow-up at 12 months")

    SCOPE = child_scope("agreement__application__call")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = GRANTS

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("visit"), max_length=16, choices=Kind.choices)
    # A verification visit checks how tranche `verifies_tranche` was spent.
    verifies_tranche = models.PositiveSmallIntegerField(
        _("verifies tranche"), null=True, blank=True
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    operating = models.BooleanField(_("still operating"), null=True, blank=True)
    funds_used_as_planned = models.BooleanField(_("grant spent as planned"), null=True, blank=True)
    jobs_created = models.PositiveSmallIntegerField(_("jobs created"), null=True, blank=True)
    revenue_band = models.CharField(
        _("revenue"), max_length=8, choices=RevenueBand.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["agreement", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind"],
                condition=~models.Q(kind="verification"),
                name="revitalization_follow_up_once",
            )
        ]

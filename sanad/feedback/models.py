"""Communication with communities: channels, contacts, messages, campaigns, the
complaints and feedback mechanism, and community sessions.

- A `Channel` is one way of reaching people or of hearing from them. Messaging channels
  (RapidPro, a generic HTTP SMS gateway, the log channel of the demo and tests) send
  through one interface (`feedback.channels`) at a rate limit; staff-logged channels
  (hotline, help desk, suggestion box, community meeting, in person) only record where
  a case came from.
- A `Contact` is a phone number with a language and a consent to be contacted, linked to
  a registry household when there is one. Opt-out is a timestamp on the contact; nothing
  is ever sent to an opted-out contact.
- A `Message` is one SMS in or out. Outgoing messages are the outbox: queued → sent →
  delivered, or failed after retries with back-off.
- A `Campaign` sends one text per language to an audience (a filter on the registry, or a
  beneficiary list), each contact in their own language, at a scheduled time.
- A `Case` is a complaint, a request or feedback, from any channel, anonymous allowed. Its
  `sensitivity` decides who may know it exists: sexual exploitation and abuse reports
  only PSEA focal points, staff-conduct complaints only managers (see
  `selectors.cases_for`, the one place that filters them).
- A `CommunitySession` is a focus group, awareness session or participatory theatre event.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

VIEW_CASE = "feedback.view_case"
LOG_CASE = "feedback.log_case"
MANAGE_CASE = "feedback.manage_case"
VIEW_CONDUCT = "feedback.view_conduct"
HANDLE_PSEA = "feedback.handle_psea"
VIEW_INBOX = "feedback.view_inbox"
REPLY = "feedback.reply"
MANAGE_CONTACT = "feedback.manage_contact"
VIEW_CAMPAIGN = "feedback.view_campaign"
MANAGE_CAMPAIGN = "feedback.manage_campaign"
MANAGE_CHANNEL = "feedback.manage_channel"
MANAGE_SESSION = "feedback.manage_session"
VIEW_TRENDS = "feedback.view_trends"

# Crockford base32 without I, L, O, U: easy to read out over the phone.
_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_reference() -> str:
    """`FB-XXXX-XXXX`: random, so a reference reveals neither order nor how many cases
    exist (a sequence would let someone infer the cases they cannot see)."""
    chars = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"FB-{chars[:4]}-{chars[4:]}"


def new_inbound_token() -> str:
    return secrets.token_urlsafe(24)


class Language(models.TextChoices):
    AR = "ar", "العربية"
    CKB = "ckb", "کوردی (سۆرانی)"
    KMR = "kmr", "Kurdî (Badînî)"
    EN = "en", "English"


class Topic(models.TextChoices):
    HEALTH = "health", _("Health awareness")
    CAMP_SAFETY = "camp_safety", _("Camp safety")
    SHELTER_KIT = "shelter_kit", _("Shelter-kit set-up")
    IRREGULAR_MIGRATION = "irregular_migration", _("Irregular migration")
    DISTRIBUTION = "distribution", _("Distribution notice")
    CASH = "cash", _("Cash and vouchers")
    FEEDBACK_MECHANISM = "feedback_mechanism", _("How to give feedback or complain")
    PSEA = "psea", _("Protection from sexual exploitation and abuse")
    OTHER = "other", _("Other")


class Channel(BaseModel):
    """One way of reaching people or of hearing from them."""

    class Kind(models.TextChoices):
        RAPIDPRO = "rapidpro", _("RapidPro")
        HTTP_SMS = "http_sms", _("HTTP SMS gateway")
        LOG = "log", _("Log channel (demo and tests; sends nothing)")
        HOTLINE = "hotline", _("Hotline")
        HELP_DESK = "help_desk", _("Help desk")
        SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
        COMMUNITY_MEETING = "community_meeting", _("Community meeting")
        IN_PERSON = "in_person", _("In person (staff visit)")

    MESSAGING_KINDS: ClassVar[frozenset[str]] = frozenset({"rapidpro", "http_sms", "log"})

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW_CAMPAIGN
    MANAGE_PERMISSION = MANAGE_CHANNEL

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    # Non-secret settings of the adapter: base_url, sender id, RapidPro channel uuid…
    config = models.JSONField(_("settings"), default=dict, blank=True)
    # The *name* of the environment variable holding the API token: secrets never sit in
    # the database (nor in its backups).
    secret_env = models.CharField(
        _("environment variable with the API token"), max_length=80, blank=True
    )
    # Authenticates the gateway's webhook (inbound messages, delivery reports).
    inbound_token = models.CharField(
        max_length=64, unique=True, default=new_inbound_token, editable=False
    )
    rate_per_minute = models.PositiveIntegerField(_("messages per minute at most"), default=600)
    max_attempts = models.PositiveSmallIntegerField(_("attempts before a message fails"), default=5)
    retry_base_seconds = models.PositiveIntegerField(_("first retry after (seconds)"), default=30)
    # Token bucket of the rate limit, shared by every outbox worker (row-locked per batch).
    tokens = models.FloatField(default=0, editable=False)
    tokens_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name

    @property
    def is_messaging(self) -> bool:
        return self.kind in self.MESSAGING_KINDS


class Contact(BaseModel):
    """A phone number the programme may message, with its language and consent."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("From the registry")
        INBOUND = "inbound", _("Wrote to us")
        STAFF = "staff", _("Added by staff")

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("name", "phone")
    SCOPE = ScopePaths(governorate="governorate__pcode")
    VIEW_PERMISSION = VIEW_INBOX
    MANAGE_PERMISSION = MANAGE_CONTACT

    phone = models.CharField(_("phone"), max_length=20, unique=True)  # normalised +9647…
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.AR
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    individual = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("individual"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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
    place = models.ForeignKey(
        "geo.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    # For contacts outside the registry: their own consent to be contacted. Registry
    # contacts follow the household's consent for communication (registry.Consent).
    consent_given = models.BooleanField(_("consents to be contacted"), default=False)
    consent_recorded_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True, db_index=True)
    opted_out_via = models.CharField(_("opted out through"), max_length=40, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    unread = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or str(self.public_id)[:8]

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class Campaign(BaseModel):
    """One text per language to an audience, at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUING = "queuing", _("Queuing messages")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = ScopePaths(programme="programme__code", owner="created_by")
    VIEW_PERMISSION = VIEW_CAMPAIGN
    MANAGE_PERMISSION = MANAGE_CAMPAIGN
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"scheduled", "queuing", "cancelled"},
            "scheduled": {"draft", "queuing", "cancelled"},
            "queuing": {"sending", "draft"},  # back to draft when queuing failed
            "sending": {"done", "cancelled"},
        },
        reason_required={"cancelled"},
    )

    name = models.CharField(_("name"), max_length=200)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="campaigns"
    )
    # {"beneficiary_list": "<public_id>" | null, "governorates": [pcode…],
    #  "places": ["<public_id>"…], "languages": ["ar"…], "displacement_statuses": […],
    #  "shelter_types": […], "include_contacts_outside_registry": false}
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    text_ar = models.TextField(_("text in Arabic"), blank=True)
    text_ckb = models.TextField(_("text in Kurdish (Sorani)"), blank=True)
    text_kmr = models.TextField(_("text in Kurdish (Badini)"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    session = models.ForeignKey(
        "feedback.CommunitySession",
        verbose_name=_("raised by the session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    # Filled when the campaign is queued.
    audience_count = models.PositiveIntegerField(default=0, editable=False)
    queued_count = models.PositiveIntegerField(default=0, editable=False)
    # {"opted_out": n, "no_consent": n, "no_phone": n, "no_text": n}
    skipped = models.JSONField(default=dict, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    job = models.ForeignKey(
        "core.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def text_for(self, language: str) -> str:
        """The text a contact speaking `language` receives: their language, Badini falls
        back to Sorani, and anything else to Arabic."""
        texts = {"ar": self.text_ar, "ckb": self.text_ckb, "kmr": self.text_kmr, "en": self.text_en}
        for lang in (language, "ckb" if language == "kmr" else "", "ar", "en"):
            if lang and texts.get(lang):
                return texts[lang]
        return ""


class Message(models.Model):
    """One SMS in or out. Outgoing messages in `queued` are the outbox."""

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        RECEIVED = "received", _("Received")

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("text",)
    SCOPE = ScopePaths(governorate="contact__governorate__pcode")
    VIEW_PERMISSION = VIEW_INBOX

    id = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="messages")
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    # The case this message became, or the case a reply was about.
    case = models.ForeignKey(
        "feedback.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["channel", "status", "next_attempt_at"], name="feedback_outbox_idx"
            ),
            models.Index(fields=["contact", "created_at"], name="feedback_thread_idx"),
            models.Index(fields=["campaign", "status"], name="feedback_campaign_status_idx"),
        ]
        constraints = [
            # Queuing a campaign twice never sends anyone the campaign twice.
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=Q(campaign__isnull=False, direction="out"),
                name="feedback_campaign_once_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction}:{self.pk}"


class Category(models.TextChoices):
    INFORMATION = "information", _("Information request")
    ASSISTANCE = "assistance", _("Request for assistance")
    COMPLAINT_ASSISTANCE = "complaint_assistance", _("Complaint about assistance")
    COMPLAINT_CONDUCT = "complaint_conduct", _("Complaint about staff or partner conduct")
    SEA = "sea", _("Sexual exploitation or abuse")
    POSITIVE = "positive", _("Positive feedback")
    DATA_CORRECTION = "data_correction", _("Correction of personal data")
    EXCLUSION_APPEAL = "exclusion_appeal", _("Appeal against exclusion")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MANAGERS = "managers", _("Restricted to managers")
    PSEA = "psea", _("PSEA focal points only")


SENSITIVITY_OF_CATEGORY: dict[str, str] = {
    Category.SEA: Sensitivity.PSEA,
    Category.COMPLAINT_CONDUCT: Sensitivity.MANAGERS,
}
# Who may know a case of each restricted sensitivity exists.
SENSITIVITY_PERMISSION: dict[str, str] = {
    Sensitivity.PSEA: HANDLE_PSEA,
    Sensitivity.MANAGERS: VIEW_CONDUCT,
}


class ResponseStandard(models.Model):
    """How fast a case of a category is acknowledged and answered (editable data)."""

    category = models.CharField(_("category"), max_length=24, choices=Category.choices, unique=True)
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"))
    respond_days = models.PositiveIntegerField(_("respond within (days)"))

    class Meta:
        ordering = ["category"]
        verbose_name = _("response standard")
        verbose_name_plural = _("response standards")

    def __str__(self) -> str:
        return self.get_category_display()


class Case(BaseModel):
    """A complaint, a request or feedback, from any channel; anonymous allowed."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        REFERRED = "referred", _("Referred")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")

    class PreferredResponse(models.TextChoices):
        CALL = "call", _("Phone call")
        SMS = "sms", _("SMS")
        IN_PERSON = "in_person", _("In person")
        NONE = "none", _("Does not want an answer")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        UNKNOWN = "", _("Not known")

    class AgeGroup(models.TextChoices):
        CHILD = "0-17", _("Child (under 18)")
        ADULT = "18-59", _("Adult (18–59)")
        OLDER = "60+", _("Older person (60+)")
        UNKNOWN = "", _("Not known")

    # The category and sensitivity are masked in the audit trail too: that a case is an
    # abuse report is itself what must not leak.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "description",
        "caller_name",
        "caller_phone",
        "response",
        "closing_note",
        "category",
        "sensitivity",
        "referral_note",
    )
    SCOPE = ScopePaths(
        governorate="governorate__pcode", programme="programme__code", owner="created_by"
    )
    VIEW_PERMISSION = VIEW_CASE
    MANAGE_PERMISSION = MANAGE_CASE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "new": {"acknowledged", "assigned", "referred"},
            "acknowledged": {"assigned", "referred", "responded"},
            "assigned": {"assigned", "referred", "responded"},
            "referred": {"assigned", "responded"},
            "responded": {"closed", "assigned"},
            "closed": {"acknowledged"},
        },
        # Reopening a closed case needs a reason: the service checks it.
    )

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_case_reference, editable=False
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="cases"
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    sensitivity = models.CharField(
        max_length=12, choices=Sensitivity.choices, default=Sensitivity.NORMAL, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
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
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("admin unit"),
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
        editable=False,
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    individual = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("individual"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    beneficiary_list = models.ForeignKey(
        "targeting.BeneficiaryList",
        verbose_name=_("beneficiary list appealed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    caller_name = models.CharField(_("name of the person"), max_length=200, blank=True)
    caller_phone = models.CharField(_("phone to answer on"), max_length=20, blank=True)
    caller_sex = models.CharField(
        _("sex of the person"), max_length=8, choices=Sex.choices, blank=True, default=""
    )
    caller_age_group = models.CharField(
        _("age of the person"), max_length=8, choices=AgeGroup.choices, blank=True, default=""
    )
    description = models.TextField(_("what the person said"))
    preferred_response = models.CharField(
        _("how the person wants to be answered"),
        max_length=12,
        choices=PreferredResponse.choices,
        default=PreferredResponse.CALL,
    )
    received_at = models.DateTimeField(_("received at"))
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    due_at = models.DateTimeField(_("respond by"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.CharField(_("team"), max_length=120, blank=True)
    referred_to = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referral_note = models.TextField(_("referral note"), blank=True)
    response = models.TextField(_("response given"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Closing the loop: the person confirmed (True), or it could not be confirmed (False,
    # with the reason in closing_note).
    loop_closed = models.BooleanField(_("the person confirmed the loop was closed"), null=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("feedback case")
        verbose_name_plural = _("feedback cases")
        indexes = [
            models.Index(fields=["sensitivity", "status"], name="feedback_case_sens_idx"),
            models.Index(fields=["received_at"], name="feedback_case_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="feedback_case_satisfaction_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class CaseNote(models.Model):
    """What happened on a case, in order: notes, calls, routing, escalations."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        ROUTED = "routed", _("Routed")
        ESCALATED = "escalated", _("Escalated")
        RECATEGORISED = "recategorised", _("Category changed")

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("text",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField()
    author = models.ForeignKey(
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
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class CommunitySession(BaseModel):
    """A focus group discussion, awareness session or participatory theatre event."""

    class Kind(models.TextChoices):
        FOCUS_GROUP = "focus_group", _("Focus group discussion")
        AWARENESS = "awareness", _("Awareness session")
        THEATRE = "theatre", _("Participatory theatre")
        COMMUNITY_MEETING = "community_meeting", _("Community meeting")

    SCOPE = ScopePaths(governorate="governorate__pcode", programme="programme__code")
    VIEW_PERMISSION = VIEW_CAMPAIGN
    MANAGE_PERMISSION = MANAGE_SESSION

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
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
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    held_on = models.DateField(_("held on"))
    facilitators = models.CharField(_("facilitators"), max_length=300)
    # Counted participants: {"female": {"0-5": n, "6-17": n, "18-59": n, "60+": n},
    # "male": {...}}; registered participants are in `attendees` besides.
    participants = models.JSONField(_("participants counted"), default=dict, blank=True)
    attendees = models.ManyToManyField(
        "registry.Individual",
        verbose_name=_("registered participants"),
        blank=True,
        related_name="+",
    )
    key_findings = models.TextField(_("key findings"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        verbose_name = _("community session")
        verbose_name_plural = _("community sessions")

    def __str__(self) -> str:
        return self.title

"""Households, individuals, documents, phones, consent, displacement history.

The registry is shared by every programme, so a household is scoped by the governorate
it lives in (`governorate`, kept equal to its admin unit's governorate); what each
programme delivered is in the assistance ledger, scoped by governorate and programme
(ADR 0004).
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

# Crockford base32 without I, L, O, U: easy to read out over the phone.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_registration_id() -> str:
    """`SND-XXXX-XXXX`: random, so ids reveal nothing about order or place."""
    chars = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
    return f"SND-{chars[:4]}-{chars[4:]}"


def new_card_token() -> str:
    """The opaque token on a household card's QR code (no personal data)."""
    return secrets.token_urlsafe(18)


class ShelterType(models.TextChoices):
    CAMP = "camp", _("Camp")
    INFORMAL_SETTLEMENT = "informal_settlement", _("Critical shelter: informal settlement")
    RELIGIOUS_BUILDING = "religious_building", _("Critical shelter: religious building")
    SCHOOL = "school", _("Critical shelter: school building")
    UNFINISHED_BUILDING = (
        "unfinished_building",
        _("Critical shelter: unfinished or abandoned building"),
    )
    HOST_FAMILY = "host_family", _("Private: host family")
    RENTED = "rented", _("Private: rented housing")
    HOTEL = "hotel", _("Private: hotel or motel")
    OWN_HOUSE = "own_house", _("Private: own house")
    UNKNOWN = "unknown", _("Unknown")


CRITICAL_SHELTER = {
    ShelterType.INFORMAL_SETTLEMENT,
    ShelterType.RELIGIOUS_BUILDING,
    ShelterType.SCHOOL,
    ShelterType.UNFINISHED_BUILDING,
}


class DisplacementStatus(models.TextChoices):
    IDP_IN_CAMP = "idp_in_camp", _("IDP in camp")
    IDP_OUT_OF_CAMP = "idp_out_of_camp", _("IDP out of camp")
    IDP_INFORMAL_SITE = "idp_informal_site", _("IDP in informal site")
    RETURNEE = "returnee", _("Returnee")
    HOST_COMMUNITY = "host_community", _("Host community")
    SYRIAN_REFUGEE = "syrian_refugee", _("Syrian refugee")


class Household(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        MERGED = "merged", _("Merged")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        WEB = "web", _("Registered on the web")
        API = "api", _("Registered through the API")
        IMPORT = "import", _("Imported")

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("notes", "origin_place_name", "card_token")
    SCOPE = ScopePaths(governorate="governorate__pcode")
    VIEW_PERMISSION = "registry.view_household"
    MANAGE_PERMISSION = "registry.manage_household"
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "active": {"inactive", "merged", "withdrawn"},
            "inactive": {"active", "merged", "withdrawn"},
            "withdrawn": {"active"},
            "merged": set(),
        },
        reason_required={"inactive", "merged", "withdrawn"},
    )

    registration_id = models.CharField(
        _("registration id"), max_length=20, unique=True, default=new_registration_id
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # Where the household lives now: a place (camp, informal site…) or, out of camp, an admin unit.
    place = models.ForeignKey(
        "geo.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("admin unit"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    shelter_type = models.CharField(
        _("shelter type"), max_length=24, choices=ShelterType.choices, default=ShelterType.UNKNOWN
    )
    displacement_status = models.CharField(
        _("displacement status"), max_length=24, choices=DisplacementStatus.choices, db_index=True
    )
    origin_admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("area of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_place_name = models.CharField(
        _("place of origin (village, neighbourhood)"), max_length=200, blank=True
    )
    displaced_on = models.DateField(_("date of first displacement"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WEB
    )
    # The Kobo submission `_uuid` (or another system's id): re-imports never create it twice.
    source_ref = models.CharField(
        _("source reference"), max_length=100, null=True, blank=True, unique=True
    )
    import_batch = models.ForeignKey(
        "registry.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    card_token = models.CharField(
        max_length=40, unique=True, default=new_card_token, editable=False
    )

    # Derived from the members by `household_refresh_derived` (services): kept current on
    # every write so that lists and targeting can filter without recomputing.
    size = models.PositiveSmallIntegerField(_("household size"), default=0)
    is_woman_headed = models.BooleanField(_("woman-headed household"), default=False)
    is_child_headed = models.BooleanField(_("child-headed household"), default=False)
    is_older_person_alone = models.BooleanField(_("older person alone"), default=False)
    has_disability = models.BooleanField(
        _("household with a person with disability"), default=False
    )
    has_unaccompanied_child = models.BooleanField(
        _("unaccompanied or separated child"), default=False
    )
    is_large = models.BooleanField(_("large household"), default=False)
    # {"female": {"0-5": n, "6-17": n, "18-59": n, "60+": n}, "male": {...},
    #  "disability": {"female": {...}, "male": {...}}}
    demographics = models.JSONField(_("demographics"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["governorate", "status"], name="registry_hh_gov_status_idx"),
            models.Index(fields=["created_at"], name="registry_hh_created_idx"),
        ]

    def __str__(self) -> str:
        return self.registration_id


class Individual(BaseModel):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        SON = "son", _("Son")
        DAUGHTER = "daughter", _("Daughter")
        FATHER = "father", _("Father")
        MOTHER = "mother", _("Mother")
        BROTHER = "brother", _("Brother")
        SISTER = "sister", _("Sister")
        GRANDCHILD = "grandchild", _("Grandchild")
        GRANDPARENT = "grandparent", _("Grandparent")
        SON_IN_LAW = "son_in_law", _("Son-in-law")
        DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")
        OTHER_RELATIVE = "other_relative", _("Other relative")
        NON_RELATIVE = "non_relative", _("Not related")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Single")
        MARRIED = "married", _("Married")
        WIDOWED = "widowed", _("Widowed")
        DIVORCED = "divorced", _("Divorced")
        SEPARATED = "separated", _("Separated")

    class Difficulty(models.IntegerChoices):
        # Washington Group short set answer scale.
        NONE = 1, _("No difficulty")
        SOME = 2, _("Some difficulty")
        A_LOT = 3, _("A lot of difficulty")
        CANNOT = 4, _("Cannot do at all")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Member")
        LEFT = "left", _("Left the household")
        DECEASED = "deceased", _("Deceased")

    WG_DOMAINS: ClassVar[tuple[str, ...]] = (
        "wg_seeing",
        "wg_hearing",
        "wg_walking",
        "wg_cognition",
        "wg_selfcare",
        "wg_communication",
    )
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "given_name_ar",
        "fathers_name_ar",
        "grandfathers_name_ar",
        "family_name_ar",
        "given_name_en",
        "fathers_name_en",
        "grandfathers_name_en",
        "family_name_en",
        "date_of_birth",
        "phone",
    )
    SCOPE = ScopePaths(governorate="household__governorate__pcode")
    VIEW_PERMISSION = "registry.view_household"
    MANAGE_PERMISSION = "registry.manage_household"

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    given_name_ar = models.CharField(_("given name (Arabic script)"), max_length=80, blank=True)
    fathers_name_ar = models.CharField(
        _("father's name (Arabic script)"), max_length=80, blank=True
    )
    grandfathers_name_ar = models.CharField(
        _("grandfather's name (Arabic script)"), max_length=80, blank=True
    )
    family_name_ar = models.CharField(
        _("family or tribal name (Arabic script)"), max_length=80, blank=True
    )
    given_name_en = models.CharField(_("given name (Latin)"), max_length=80, blank=True)
    fathers_name_en = models.CharField(_("father's name (Latin)"), max_length=80, blank=True)
    grandfathers_name_en = models.CharField(
        _("grandfather's name (Latin)"), max_length=80, blank=True
    )
    family_name_en = models.CharField(_("family or tribal name (Latin)"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    dob_estimated = models.BooleanField(_("date of birth estimated"), default=False)
    relationship = models.CharField(
        _("relationship to head"), max_length=20, choices=Relationship.choices
    )
    marital_status = models.CharField(
        _("marital status"), max_length=12, choices=MaritalStatus.choices, blank=True
    )
    is_pregnant = models.BooleanField(_("pregnant"), default=False)
    wg_seeing = models.PositiveSmallIntegerField(
        _("difficulty seeing"), choices=Difficulty.choices, null=True, blank=True
    )
    wg_hearing = models.PositiveSmallIntegerField(
        _("difficulty hearing"), choices=Difficulty.choices, null=True, blank=True
    )
    wg_walking = models.PositiveSmallIntegerField(
        _("difficulty walking or climbing steps"), choices=Difficulty.choices, null=True, blank=True
    )
    wg_cognition = models.PositiveSmallIntegerField(
        _("difficulty remembering or concentrating"),
        choices=Difficulty.choices,
        null=True,
        blank=True,
    )
    wg_selfcare = models.PositiveSmallIntegerField(
        _("difficulty with self-care"), choices=Difficulty.choices, null=True, blank=True
    )
    wg_communication = models.PositiveSmallIntegerField(
        _("difficulty communicating"), choices=Difficulty.choices, null=True, blank=True
    )
    # Washington Group cut-off: "a lot of difficulty" or "cannot do at all" in any domain.
    has_disability = models.BooleanField(_("has a disability"), default=False, editable=False)
    has_chronic_illness = models.BooleanField(_("chronic illness"), default=False)
    # Set when a merge confirmed this record and another as the same person (the record
    # stays on the merged household as registered): reporting counts the two once.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same person as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    is_unaccompanied_or_separated = models.BooleanField(
        _("unaccompanied or separated child"), default=False
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        choices=[
            ("ar", "العربية"),
            ("ckb", "کوردی"),
            ("kmr", "Kurmancî"),
            ("en", "English"),
            ("tr", "Türkmence"),
        ],
    )
    is_alternate_collector = models.BooleanField(
        _("may collect on the household's behalf"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # Normalised name tokens in both scripts, space-separated (see core.text): search and dedup.
    name_key = models.CharField(max_length=400, blank=True, editable=False)

    class Meta:
        ordering = ["household", "-relationship", "date_of_birth"]
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship="head", status="active"),
                name="registry_one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name_ar or self.full_name_en or str(self.public_id)

    @property
    def full_name_ar(self) -> str:
        return " ".join(
            p
            for p in (
                self.given_name_ar,
                self.fathers_name_ar,
                self.grandfathers_name_ar,
                self.family_name_ar,
            )
            if p
        )

    @property
    def full_name_en(self) -> str:
        return " ".join(
            p
            for p in (
                self.given_name_en,
                self.fathers_name_en,
                self.grandfathers_name_en,
                self.family_name_en,
            )
            if p
        )


class IndividualDocument(BaseModel):
    class Kind(models.TextChoices):
        NATIONAL_ID = "national_id", _("National ID card")
        CIVIL_ID = "civil_id", _("Civil status ID")
        PDS_CARD = "pds_card", _("Public Distribution System ration card")
        PASSPORT = "passport", _("Passport")
        UNHCR = "unhcr", _("UNHCR registration")

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("number", "number_key")
    SCOPE = ScopePaths(governorate="individual__household__governorate__pcode")
    VIEW_PERMISSION = "registry.view_household"

    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=40)
    number_key = models.CharField(
        max_length=40, db_index=True, editable=False
    )  # upper case, no spaces
    issuing_governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("issued in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["individual", "kind"], name="registry_one_document_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class HouseholdPhone(BaseModel):
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("number",)
    SCOPE = ScopePaths(governorate="household__governorate__pcode")
    VIEW_PERMISSION = "registry.view_household"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=20, db_index=True)  # normalised +9647…
    owner = models.ForeignKey(
        Individual,
        verbose_name=_("whose phone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_primary = models.BooleanField(_("main number"), default=False)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        constraints = [
            models.UniqueConstraint(fields=["household", "number"], name="registry_phone_once")
        ]

    def __str__(self) -> str:
        return self.number


class Consent(BaseModel):
    """Consent and legal basis for one purpose of processing."""

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        ASSISTANCE = "assistance", _("Assistance")
        COMMUNICATION = "communication", _("Communication")
        DATA_SHARING = "data_sharing", _("Data sharing with partners")

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        VITAL_INTEREST = "vital_interest", _("Vital interest")
        PUBLIC_INTEREST = "public_interest", _("Public interest")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")

    SCOPE = ScopePaths(governorate="household__governorate__pcode")
    VIEW_PERMISSION = "registry.view_household"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices)
    given = models.BooleanField(_("given"), default=True)
    recorded_on = models.DateField(_("recorded on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "purpose"], name="registry_consent_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_legal_basis_display()}"

    @property
    def is_valid(self) -> bool:
        return self.given and self.withdrawn_on is None


class DisplacementMove(BaseModel):
    """One move in a household's displacement history (the first displacement included)."""

    SCOPE = ScopePaths(governorate="household__governorate__pcode")
    VIEW_PERMISSION = "registry.view_household"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="moves")
    moved_on = models.DateField(_("date"), null=True, blank=True)
    from_admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_admin_unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    to_place = models.ForeignKey(
        "geo.Place",
        verbose_name=_("to place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    displacement_status = models.CharField(
        _("displacement status"), max_length=24, choices=DisplacementStatus.choices
    )
    shelter_type = models.CharField(
        _("shelter type"), max_length=24, choices=ShelterType.choices, default=ShelterType.UNKNOWN
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["household", "moved_on", "id"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")

    def __str__(self) -> str:
        return f"{self.moved_on}: {self.to_admin_unit_id}"


class SearchKey(models.Model):
    """Normalised search keys of a household (name tokens of its members in both
    scripts, phone digits, document numbers, registration id), so that search is an
    indexed range scan even on a million individuals.

    A derived table, rebuilt by `household_refresh`: its household column is not a
    database constraint and has no index of its own (the unique (household, key) index
    serves look-ups by household), so that an import's millions of keys cost one index
    entry each, not a constraint check too (ADR 0005). Deleting a household through
    Django still deletes its keys."""

    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="search_keys",
        db_constraint=False,
        db_index=False,
    )
    key = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["key", "household"], name="registry_searchkey_idx")]
        constraints = [
            models.UniqueConstraint(fields=["household", "key"], name="registry_searchkey_once")
        ]

    def __str__(self) -> str:
        return self.key


class ImportBatch(BaseModel):
    """An import of households from a file: uploaded → validating → ready for review →
    committed or rejected (or failed). See registry/imports/."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Validating")
        READY = "ready", _("Ready for review")
        COMMITTING = "committing", _("Committing")
        COMMITTED = "committed", _("Committed")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        KOBO = "kobo", _("KoboToolbox export")
        TEMPLATE = "template", _("Sanad template")

    SCOPE = ScopePaths(owner="created_by")
    VIEW_PERMISSION = "registry.import_households"
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "uploaded": {"validating", "failed"},
            "validating": {"ready", "failed"},
            "ready": {"committing", "rejected", "validating"},
            "committing": {"committed", "failed", "ready"},
            "failed": {"validating"},
            "committed": set(),
            "rejected": set(),
        },
    )

    original_name = models.CharField(_("file"), max_length=255)
    stored_file = models.CharField(max_length=300)
    file_format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    mapping = models.ForeignKey(
        "registry.ColumnMapping",
        verbose_name=_("column mapping"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batches",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    households_total = models.PositiveIntegerField(default=0)
    individuals_total = models.PositiveIntegerField(default=0)
    households_new = models.PositiveIntegerField(default=0)
    households_already_imported = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors, for the page; the complete list is in the downloadable report.
    errors = models.JSONField(default=list, blank=True)
    report_file = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.original_name


class ColumnMapping(BaseModel):
    """A saved mapping from a form's columns to Sanad's fields."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = "registry.import_households"

    name = models.CharField(_("name"), max_length=100, unique=True)
    file_format = models.CharField(_("format"), max_length=12, choices=ImportBatch.Format.choices)
    # {"household": {"sanad_field": "column path", ...}, "member": {...}, "values": {...}}
    spec = models.JSONField(_("mapping"), default=dict)

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name

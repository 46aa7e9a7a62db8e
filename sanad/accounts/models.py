"""Organisations, users, role assignments with scopes, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanad.accounts.roles import SENSITIVE, Role, permissions_of
from sanad.core.areas import ProgrammeArea
from sanad.core.models import BaseModel
from sanad.core.scoping import ScopeGrant, ScopePaths


class Organisation(BaseModel):
    class Kind(models.TextChoices):
        MISSION = "mission", _("The mission")
        PARTNER_NGO = "partner_ngo", _("Partner NGO")
        GOVERNMENT = "government", _("Government department")
        CONTRACTOR = "contractor", _("Contractor")
        VENDOR = "vendor", _("Vendor")
        DONOR = "donor", _("Donor")
        UN_AGENCY = "un_agency", _("UN agency")

    SCOPE = ScopePaths()
    VIEW_PERMISSION = "accounts.view_organisation"
    MANAGE_PERMISSION = "accounts.manage_organisation"

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class User(AbstractUser):
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "first_name",
        "last_name",
        "full_name",
        "email",
        "phone",
    )
    SCOPE = ScopePaths()
    VIEW_PERMISSION = "accounts.view_user"
    MANAGE_PERMISSION = "accounts.manage_user"

    public_id = models.UUIDField(
        _("public id"), unique=True, editable=False, default=None, null=True
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    preferred_language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("ar", "العربية"), ("ckb", "کوردی")],
    )

    objects: ClassVar[UserManager[Any]] = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.public_id is None:
            import uuid

            self.public_id = uuid.uuid4()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Sanad keeps one `full_name` (names do not split into first and last the same
        # way in Arabic, Kurdish and English); templates asking for get_full_name get it.
        return self.full_name or super().get_full_name()

    # --- permissions and scope -------------------------------------------------
    def active_assignments(self) -> list[RoleAssignment]:
        cache = getattr(self, "_sanad_assignments", None)
        if cache is None:
            today = timezone.localdate()
            cache = list(
                self.role_assignments.filter(
                    models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today)
                ).prefetch_related("governorates")
            )
            self._sanad_assignments = cache
        return cache

    def scope_grants(self, permission: str) -> list[ScopeGrant]:
        if not self.is_active:
            return []
        if self.is_superuser and permission not in SENSITIVE:
            # A superuser reaches everything except abuse reports and conduct complaints:
            # those need the focal point's or manager's role like anyone else.
            return [ScopeGrant(all_governorates=True, all_programmes=True)]
        return [
            a.grant() for a in self.active_assignments() if permission in permissions_of(a.role)
        ]

    def has_sanad_permission(self, permission: str) -> bool:
        return bool(self.scope_grants(permission))

    def roles(self) -> list[str]:
        return sorted({a.role for a in self.active_assignments()})

    def forget_scope(self) -> None:
        self.__dict__.pop("_sanad_assignments", None)


class RoleAssignment(BaseModel):
    """A role held within a scope: governorates (or all) × programmes (or all)."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = "accounts.view_user"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    all_governorates = models.BooleanField(_("all governorates"), default=False)
    governorates = models.ManyToManyField(
        "geo.AdminUnit",
        verbose_name=_("governorates"),
        blank=True,
        limit_choices_to={"level": 1},
        related_name="+",
    )
    all_programmes = models.BooleanField(_("all programmes"), default=False)
    programmes = models.JSONField(
        _("programmes"),
        default=list,
        blank=True,
        help_text=_("Programme area codes, such as NFI or CCCM."),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    def grant(self) -> ScopeGrant:
        return ScopeGrant(
            all_governorates=self.all_governorates,
            governorates=frozenset(g.pcode for g in self.governorates.all()),
            all_programmes=self.all_programmes,
            programmes=frozenset(p for p in self.programmes if p in ProgrammeArea.values),
        )

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()


class ApiToken(models.Model):
    """A personal token for integrations. Only a hash is stored; the key is shown once."""

    PREFIX = "sanad_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

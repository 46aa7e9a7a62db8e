"""Writes for people and permissions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.accounts.models import ApiToken, Organisation, RoleAssignment, User
from sanad.accounts.roles import Role
from sanad.core.areas import ProgrammeArea
from sanad.core.errors import NotFound, ValidationFailed

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def organisation_create(
    *, name: str, kind: str, acronym: str = "", name_ar: str = ""
) -> Organisation:
    if kind not in Organisation.Kind.values:
        raise ValidationFailed(fields={"kind": _("Choose one of the listed kinds.")})
    if Organisation.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationFailed(fields={"name": _("An organisation with this name already exists.")})
    return Organisation.objects.create(
        name=name.strip(), kind=kind, acronym=acronym.strip(), name_ar=name_ar.strip()
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    email: str = "",
    organisation: Organisation | None = None,
    position: str = "",
    phone: str = "",
    preferred_language: str = "",
    check_password: bool = True,
) -> User:
    username = username.strip()
    if not username:
        raise ValidationFailed(fields={"username": _("Give a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(fields={"username": _("This user name is taken; choose another.")})
    if preferred_language and preferred_language not in LANGUAGE_CODES:
        raise ValidationFailed(
            fields={"preferred_language": _("Choose English, Arabic or Kurdish.")}
        )
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        organisation=organisation,
        position=position,
        phone=phone,
        preferred_language=preferred_language,
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationFailed(fields={"password": list(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: str,
    governorates: Iterable[Any] = (),
    all_governorates: bool = False,
    programmes: Iterable[str] = (),
    all_programmes: bool = False,
    expires_on: datetime.date | None = None,
) -> RoleAssignment:
    from sanad.geo.models import AdminUnit

    errors: dict[str, Any] = {}
    if role not in Role.values:
        errors["role"] = _("Choose one of the listed roles.")
    programmes = sorted(set(programmes))
    unknown = [p for p in programmes if p not in ProgrammeArea.values]
    if unknown:
        errors["programmes"] = _("Unknown programme codes: %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    govs = list(governorates)
    gov_units = [
        g if isinstance(g, AdminUnit) else AdminUnit.objects.filter(pcode=g).first() for g in govs
    ]
    bad = [
        str(g) for g, unit in zip(govs, gov_units, strict=True) if unit is None or unit.level != 1
    ]
    if bad:
        errors["governorates"] = _("These are not governorate P-codes: %(codes)s.") % {
            "codes": ", ".join(bad)
        }
    if not all_governorates and not govs:
        errors["governorates"] = _("Choose at least one governorate, or all governorates.")
    if not all_programmes and not programmes:
        errors["programmes"] = _("Choose at least one programme, or all programmes.")
    if expires_on and expires_on < timezone.localdate():
        errors["expires_on"] = _("The expiry date is in the past.")
    if errors:
        raise ValidationFailed(fields=errors)
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        all_governorates=all_governorates,
        all_programmes=all_programmes,
        programmes=[] if all_programmes else programmes,
        expires_on=expires_on,
    )
    if not all_governorates:
        assignment.governorates.set([u for u in gov_units if u is not None])
    user.forget_scope()
    return assignment


def role_revoke(*, assignment: RoleAssignment) -> None:
    assignment.delete()
    assignment.user.forget_scope()


def api_token_create(*, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is not stored and cannot be shown again."""
    if not name.strip():
        raise ValidationFailed(
            fields={"name": _("Name the token after the integration that will use it.")}
        )
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        key_prefix=key[: len(ApiToken.PREFIX) + 6],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def user_set_language(*, user: Any, language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ValidationFailed(fields={"language": _("Choose English, Arabic or Kurdish.")})
    if getattr(user, "is_authenticated", False) and user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language

"""The one scoping mechanism: what a user may see of a model.

A user's role assignments each grant a set of permissions within a reach: a set of
governorates (or all) and a set of programmes (or all), until an optional expiry.
Models say how a record relates to those dimensions:

    class Place(BaseModel):
        SCOPE = ScopePaths(governorate="admin_unit__governorate__pcode")
        VIEW_PERMISSION = "geo.view_place"

Every list page, detail page, API endpoint and export filters its queryset through
`scoped(queryset, user)`; detail views look up inside the scoped queryset, so an
out-of-scope id is a 404 that reveals nothing.

The user model provides `scope_grants(permission) -> list[ScopeGrant]` (accounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScopeGrant:
    """The reach of one role assignment."""

    all_governorates: bool = False
    governorates: frozenset[str] = field(default_factory=frozenset)
    all_programmes: bool = False
    programmes: frozenset[str] = field(default_factory=frozenset)

    @property
    def unrestricted(self) -> bool:
        return self.all_governorates and self.all_programmes


@dataclass(frozen=True)
class ScopePaths:
    """ORM paths from a model to the dimensions it is scoped by.

    governorate: path to the governorate's P-code (`admin_unit__governorate__pcode`).
    programme: path to the programme's code (`programme__code`).
    owner: path to a user who always sees their own records (`created_by`).
    multi_valued: the paths cross a to-many relation, so results need de-duplicating.
    """

    governorate: str | None = None
    programme: str | None = None
    owner: str | None = None
    multi_valued: bool = False


UNSCOPED = ScopePaths()


def scope_paths_of(model: type[models.Model]) -> ScopePaths:
    return getattr(model, "SCOPE", UNSCOPED)


def view_permission_of(model: type[models.Model]) -> str:
    perm = getattr(model, "VIEW_PERMISSION", None)
    if not perm:
        raise TypeError(f"{model.__name__} has no VIEW_PERMISSION; it cannot be scoped.")
    return perm


def grants_for(user: Any, permission: str) -> list[ScopeGrant]:
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_active", False)
    ):
        return []
    return list(user.scope_grants(permission))


def grant_filter(grants: Iterable[ScopeGrant], paths: ScopePaths) -> Q | None:
    """A Q object selecting what the grants reach, or None when they reach everything."""
    combined: Q | None = Q(pk__in=[])
    for grant in grants:
        parts = Q()
        if paths.governorate and not grant.all_governorates:
            parts &= Q(**{f"{paths.governorate}__in": sorted(grant.governorates)})
        if paths.programme and not grant.all_programmes:
            parts &= Q(**{f"{paths.programme}__in": sorted(grant.programmes)})
        if not parts:
            return None  # this grant reaches every record of the model
        combined = parts if combined is None else combined | parts
    return combined


def scoped(
    queryset: models.QuerySet[M], user: Any, permission: str | None = None
) -> models.QuerySet[M]:
    """The records of `queryset` that `user` may reach with `permission` (by default the
    model's VIEW_PERMISSION)."""
    model = queryset.model
    permission = permission or view_permission_of(model)
    paths = scope_paths_of(model)
    grants = grants_for(user, permission)
    owner_q = Q(**{paths.owner: user}) if paths.owner and getattr(user, "pk", None) else None
    if not grants:
        return queryset.filter(owner_q) if owner_q is not None else queryset.none()
    condition = grant_filter(grants, paths)
    if condition is None:
        return queryset
    if owner_q is not None:
        condition |= owner_q
    result = queryset.filter(condition)
    return result.distinct() if paths.multi_valued else result


def can_reach(user: Any, obj: models.Model, permission: str | None = None) -> bool:
    """Whether `user` may act on `obj` with `permission`."""
    return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, permission).exists()


def has_permission(user: Any, permission: str) -> bool:
    return bool(grants_for(user, permission))

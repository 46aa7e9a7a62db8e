"""API building blocks shared by every app: the scoped viewset base and its permission."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions, viewsets

from sanad.core import context
from sanad.core.drf import Pagination, exception_handler  # noqa: F401  (re-exported)
from sanad.core.scoping import has_permission, scoped


class ScopedPermission(permissions.BasePermission):
    """Reading needs the model's view permission; writing needs `manage_permission`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return has_permission(request.user, view.get_view_permission())
        manage = getattr(view, "manage_permission", None)
        if not manage:
            return False
        return has_permission(request.user, str(manage))


class ScopedViewSetMixin:
    """Filters the queryset through the scoping mechanism and looks objects up by
    public id, so an out-of-scope id answers 404."""

    permission_classes = [ScopedPermission]
    lookup_field = "public_id"
    view_permission: str | None = None
    manage_permission: str | None = None

    def get_view_permission(self) -> str:
        return self.view_permission or self.get_base_queryset().model.VIEW_PERMISSION

    def get_base_queryset(self) -> Any:
        return self.queryset.all()  # type: ignore[attr-defined]

    def get_queryset(self) -> Any:
        request = self.request  # type: ignore[attr-defined]
        context.set_actor(request.user)
        qs = self.get_base_queryset()
        if request.method in permissions.SAFE_METHODS:
            return scoped(qs, request.user, self.get_view_permission())
        return scoped(qs, request.user, self.manage_permission)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[misc]
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):  # type: ignore[misc]
    pass

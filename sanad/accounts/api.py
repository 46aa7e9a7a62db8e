from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.accounts.models import Organisation, RoleAssignment, User
from sanad.core.api import ScopedReadOnlyViewSet


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "name_ar", "acronym", "kind", "is_active"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    governorates: Any = serializers.SlugRelatedField(slug_field="pcode", many=True, read_only=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "role",
            "all_governorates",
            "governorates",
            "all_programmes",
            "programmes",
            "expires_on",
        ]


class UserSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation: Any = serializers.SlugRelatedField(slug_field="name", read_only=True)
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "position",
            "organisation",
            "is_active",
            "preferred_language",
            "last_login",
            "roles",
        ]


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Organisations: the mission, partner NGOs, government departments, contractors, vendors, donors."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "is_active"]
    search_fields = ["name", "name_ar", "acronym"]
    ordering_fields = ["name", "kind"]


class UserViewSet(ScopedReadOnlyViewSet):
    """User accounts with their roles and scopes (administrators and IM officers)."""

    queryset = User.objects.select_related("organisation").prefetch_related(
        "role_assignments__governorates"
    )
    serializer_class = UserSerializer
    filterset_fields = ["is_active"]
    search_fields = ["username", "full_name", "organisation__name"]
    ordering_fields = ["username", "last_login"]


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True)
    preferred_language = serializers.CharField()
    roles = RoleAssignmentSerializer(many=True)


@extend_schema(responses=MeSerializer, tags=["accounts"])
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request: Request) -> Response:
    """The signed-in user, their roles and scopes."""
    user: Any = request.user
    return Response(
        {
            "id": str(user.public_id),
            "username": user.username,
            "full_name": user.full_name,
            "organisation": user.organisation.name if user.organisation else None,
            "preferred_language": user.preferred_language,
            "roles": RoleAssignmentSerializer(user.active_assignments(), many=True).data,
        }
    )


def register(router: Any) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("users", UserViewSet, basename="user")

"""API of the camps app (tickets part).

- `camps/tickets`: list (filters `site`, `status`, `priority`, `category`, `overdue`),
  retrieve, create (`ticket_raise`: `site`, optional `asset` by public id, `title`,
  `description`, `category`, `priority`, `source` staff or inspection). Photos are
  added on the web page (multipart from a phone).
- `camps/assets`: list (filters `site`, `kind`, `condition`), retrieve.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.camps.models import RAISE_TICKET, VIEW, Asset, Site, Ticket
from sanad.camps.selectors.tickets import overdue_q
from sanad.camps.services import tickets as services
from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped


class AssetSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "site",
            "site_code",
            "kind",
            "code",
            "description",
            "sector",
            "condition",
            "installed_on",
            "lat",
            "lon",
            "updated_at",
        ]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = serializers.UUIDField(source="site.public_id", read_only=True)
    site_code = serializers.CharField(source="site.place.code", read_only=True)
    asset = serializers.UUIDField(source="asset.public_id", default=None, read_only=True)
    assignee = serializers.CharField(source="assignee.username", default=None, read_only=True)
    contractor = serializers.CharField(source="contractor.name", default=None, read_only=True)
    overdue = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "site",
            "site_code",
            "asset",
            "source",
            "case_reference",
            "scheduled_for",
            "title",
            "description",
            "category",
            "priority",
            "status",
            "due_at",
            "overdue",
            "team",
            "contractor",
            "assignee",
            "work_done",
            "done_at",
            "verified_at",
            "photos",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Ticket) -> bool:
        from sanad.camps.selectors.tickets import is_overdue

        return is_overdue(obj)

    def get_photos(self, obj: Ticket) -> list[dict[str, Any]]:
        from django.urls import reverse

        return [
            {
                "id": str(p.public_id),
                "stage": p.stage,
                "url": reverse("camps:ticket_photo", kwargs={"public_id": p.public_id}),
            }
            for p in obj.photos.all()
        ]


class TicketWriteSerializer(serializers.Serializer):
    site = serializers.UUIDField()
    asset = serializers.UUIDField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Ticket.Category.choices, required=False)
    priority = serializers.ChoiceField(
        choices=Ticket.Priority.choices, default=Ticket.Priority.NORMAL
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Ticket.Source.STAFF, Ticket.Source.INSPECTION], default=Ticket.Source.STAFF
    )


class AssetViewSet(ScopedReadOnlyViewSet):
    """A site's infrastructure and its condition."""

    queryset = Asset.objects.select_related("site__place")
    serializer_class = AssetSerializer
    view_permission = VIEW
    ordering = ["site", "kind", "code"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("site"):
            qs = qs.filter(site__public_id__in=_uuids(params["site"]))
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("condition"):
            qs = qs.filter(condition=params["condition"])
        return qs


def _uuids(value: str) -> list[str]:
    import uuid

    out = []
    for part in value.split(","):
        try:
            out.append(str(uuid.UUID(part.strip())))
        except ValueError:
            continue
    return out


class TicketViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):  # type: ignore[misc]
    """Care-and-maintenance tickets (raised, triaged, assigned, done, verified, rejected)."""

    queryset = Ticket.objects.select_related(
        "site__place", "asset", "assignee", "contractor"
    ).prefetch_related("photos")
    serializer_class = TicketSerializer
    view_permission = VIEW
    manage_permission = RAISE_TICKET
    ordering = ["-created_at"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("site"):
            qs = qs.filter(site__public_id__in=_uuids(params["site"]))
        for name in ("status", "priority", "category"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("overdue") in ("1", "true"):
            qs = qs.filter(overdue_q())
        return qs

    @extend_schema(request=TicketWriteSerializer, responses={201: TicketSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        context.set_actor(request.user)
        body = TicketWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        site = (
            scoped(Site.objects.all(), request.user, RAISE_TICKET)
            .filter(public_id=data.pop("site"))
            .first()
        )
        if site is None:
            message = _("Choose a site you may raise tickets on.")
            raise ValidationFailed(message, code="site_not_found", fields={"site": [message]})
        asset_id = data.pop("asset", None)
        asset = None
        if asset_id:
            asset = Asset.objects.filter(site=site, public_id=asset_id).first()
            if asset is None:
                msg = _("The asset is not on this site.")
                raise ValidationFailed(msg, code="asset_not_found", fields={"asset": [msg]})
        source = data.pop("source")
        ticket = services.ticket_raise(
            user=request.user, site=site, data=data, source=source, asset=asset
        )
        ticket = self.get_base_queryset().get(pk=ticket.pk)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


def register(router: Any) -> None:
    router.register("camps/tickets", TicketViewSet, basename="camps-ticket")
    router.register("camps/assets", AssetViewSet, basename="camps-asset")

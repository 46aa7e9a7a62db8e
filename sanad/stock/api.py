"""API of stock: the catalogue (items, kits with their current contents), warehouses
with their stock cards, balances and movements; receipts, kitting and adjustments
(request, approve, reject) are recorded through `stock.services`, so the API refuses
exactly what the pages refuse. Reads are scoped by the warehouse's governorate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core import context
from sanad.core.api import ScopedPermission, ScopedReadOnlyViewSet
from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission
from sanad.programmes.models import Project
from sanad.stock import selectors, services
from sanad.stock.models import (
    APPROVE,
    RECORD,
    VIEW,
    Item,
    Kit,
    KitVersion,
    Movement,
    MovementLine,
    StockBalance,
    StockEntry,
    Warehouse,
)


# --- references -------------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.STR)
class ItemCode(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Item.objects.all(), **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class ProjectCode(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Project.objects.all(), **kwargs)


@extend_schema_field(OpenApiTypes.UUID)
class WarehouseRef(serializers.RelatedField):
    """A warehouse by public id, among those the requesting user may record in."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return selectors.warehouses_visible_to(getattr(request, "user", None), RECORD)

    def to_internal_value(self, data: Any) -> Any:
        warehouse = self.get_queryset().filter(public_id=str(data)).first() if data else None
        if warehouse is None:
            raise serializers.ValidationError(
                _("Nothing with this id exists, or it is outside your area."), code="not_found"
            )
        return warehouse

    def to_representation(self, value: Any) -> Any:
        return str(value.public_id)

    def get_choices(self, cutoff: int | None = None) -> dict[Any, Any]:
        return {}


# --- catalogue --------------------------------------------------------------------------------
class StockItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "name_ar",
            "name_ckb",
            "category",
            "unit",
            "specification",
            "active",
        ]
        read_only_fields = fields


class KitComponentSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    unit = serializers.CharField(source="item.unit")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)


class KitVersionSerializer(serializers.ModelSerializer):
    components = KitComponentSerializer(many=True, read_only=True)

    class Meta:
        model = KitVersion
        fields = ["number", "valid_from", "notes", "components"]
        read_only_fields = fields


class KitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    replaces: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    current_version = serializers.SerializerMethodField()
    versions = KitVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Kit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "name_ar",
            "name_ckb",
            "kind",
            "item",
            "replaces",
            "description",
            "active",
            "current_version",
            "versions",
        ]
        read_only_fields = fields

    @extend_schema_field(KitVersionSerializer(allow_null=True))
    def get_current_version(self, kit: Kit) -> Any:
        version = selectors.kit_current_version(kit)
        return KitVersionSerializer(version).data if version is not None else None


class ItemViewSet(ScopedReadOnlyViewSet):
    """The NFI catalogue: loose items and the stock items of assembled kits."""

    queryset = Item.objects.all()
    serializer_class = StockItemSerializer
    view_permission = VIEW
    filterset_fields = ["category", "active"]
    search_fields = ["code", "name_en", "name_ar", "name_ckb"]
    ordering_fields = ["code", "category"]
    ordering = ["category", "code"]


class KitViewSet(ScopedReadOnlyViewSet):
    """Kits as bills of items: the version valid today and every version before."""

    queryset = Kit.objects.all()
    serializer_class = KitSerializer
    view_permission = VIEW
    filterset_fields = ["kind", "active"]
    search_fields = ["code", "name_en"]
    ordering_fields = ["code", "kind"]
    ordering = ["kind", "code"]

    def get_queryset(self) -> Any:
        context.set_actor(self.request.user)
        return selectors.kits_visible_to(self.request.user)


# --- warehouses, balances, the stock card ------------------------------------------------------
class StockWarehouseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    place = serializers.UUIDField(source="place.public_id", read_only=True)
    place_name = serializers.CharField(source="place.name_en", read_only=True)
    manager = serializers.CharField(source="manager.username", read_only=True, default=None)

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "place", "place_name", "manager", "active"]
        read_only_fields = fields


class StockCardEntrySerializer(serializers.ModelSerializer):
    movement = serializers.CharField(source="movement.number")
    movement_id = serializers.UUIDField(source="movement.public_id")
    project = serializers.CharField(source="project.code")
    running = serializers.DecimalField(max_digits=14, decimal_places=2)
    # The movement's kind as a plain string: its choices are documented once, on movements.
    kind = serializers.CharField(help_text="receipt, transfer, kitting, dispatch, return, …")

    class Meta:
        model = StockEntry
        fields = [
            "date",
            "kind",
            "movement",
            "movement_id",
            "project",
            "quantity",
            "balance_after",
            "running",
        ]
        read_only_fields = fields


class WarehouseViewSet(ScopedReadOnlyViewSet):
    """Warehouses in your governorates. `card` is the stock card of one item: every
    ledger entry with the running balance (all projects, or one)."""

    queryset = Warehouse.objects.select_related("place", "manager")
    serializer_class = StockWarehouseSerializer
    view_permission = VIEW
    filterset_fields = ["active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["name"]

    @extend_schema(
        parameters=[
            OpenApiParameter("item", OpenApiTypes.STR, required=True, description="Item code"),
            OpenApiParameter("project", OpenApiTypes.STR, description="Project code"),
        ],
        responses=StockCardEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def card(self, request: Request, public_id: Any = None) -> Response:
        warehouse = self.get_object()
        item = Item.objects.filter(code=request.query_params.get("item", "")).first()
        if item is None:
            raise NotFound(_("Give the code of an item of the catalogue (?item=…)."))
        project = None
        if request.query_params.get("project"):
            project = Project.objects.filter(code=request.query_params["project"]).first()
            if project is None:
                raise NotFound(_("No project has this code."))
        entries = selectors.stock_card(warehouse=warehouse, item=item, project=project)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(StockCardEntrySerializer(page, many=True).data)


class StockBalanceSerializer(serializers.ModelSerializer):
    warehouse = serializers.UUIDField(source="warehouse.public_id")
    warehouse_code = serializers.CharField(source="warehouse.code")
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    unit = serializers.CharField(source="item.unit")
    project = serializers.CharField(source="project.code")
    available = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = StockBalance
        fields = [
            "warehouse",
            "warehouse_code",
            "item",
            "item_name",
            "unit",
            "project",
            "quantity",
            "reserved",
            "available",
            "updated_at",
        ]
        read_only_fields = fields


class BalanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[misc]
    """Stock on hand, reserved and available per warehouse × item × project. Filter
    with ?warehouse=<code>&item=<code>&project=<code>."""

    serializer_class = StockBalanceSerializer
    permission_classes = [ScopedPermission]
    view_permission = VIEW
    filter_backends: list[Any] = []
    queryset = StockBalance.objects.none()

    def get_view_permission(self) -> str:
        return VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter("warehouse", OpenApiTypes.STR, description="Warehouse code"),
            OpenApiParameter("item", OpenApiTypes.STR, description="Item code"),
            OpenApiParameter("project", OpenApiTypes.STR, description="Project code"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        context.set_actor(self.request.user)
        rows = selectors.balances_visible_to(self.request.user)
        params = self.request.query_params
        for name, path in (
            ("warehouse", "warehouse__code"),
            ("item", "item__code"),
            ("project", "project__code"),
        ):
            if params.get(name):
                rows = rows.filter(**{path: params[name]})
        return rows.order_by("warehouse__name", "item__code", "project__code")


# --- movements -----------------------------------------------------------------------------------
class StockMovementLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")
    project = serializers.CharField(source="project.code")

    class Meta:
        model = MovementLine
        fields = [
            "id",
            "item",
            "project",
            "quantity",
            "direction",
            "unit_cost",
            "received",
            "lost",
            "loss_reason",
            "expected",
            "counted",
        ]
        read_only_fields = fields


class StockMovementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    warehouse = serializers.UUIDField(source="warehouse.public_id")
    to_warehouse = serializers.UUIDField(
        source="to_warehouse.public_id", allow_null=True, default=None
    )
    project = serializers.CharField(source="project.code", allow_null=True, default=None)
    kit_version = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    approved_by = serializers.CharField(source="approved_by.username", default=None)
    lines = StockMovementLineSerializer(many=True, read_only=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "date",
            "warehouse",
            "to_warehouse",
            "project",
            "supplier",
            "delivery_note",
            "batch",
            "kit_version",
            "reference_type",
            "reference_id",
            "reason",
            "notes",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_kit_version(self, movement: Movement) -> str | None:
        version = movement.kit_version
        return f"{version.kit.code} v{version.number}" if version is not None else None


class StockReceiptLineSerializer(serializers.Serializer):
    item = ItemCode()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit_cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True
    )


class StockReceiptSerializer(serializers.Serializer):
    warehouse = WarehouseRef()
    project = ProjectCode()
    date = serializers.DateField()
    lines = StockReceiptLineSerializer(many=True)
    supplier = serializers.CharField(required=False, allow_blank=True, max_length=200)
    delivery_note = serializers.CharField(required=False, allow_blank=True, max_length=80)
    batch = serializers.CharField(required=False, allow_blank=True, max_length=80)
    notes = serializers.CharField(required=False, allow_blank=True)
    request_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class StockKittingSerializer(serializers.Serializer):
    warehouse = WarehouseRef()
    project = ProjectCode()
    kit = serializers.SlugRelatedField(slug_field="code", queryset=Kit.objects.all())
    quantity = serializers.IntegerField(min_value=1)
    date = serializers.DateField()
    request_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class StockAdjustmentLineSerializer(serializers.Serializer):
    item = ItemCode()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    direction = serializers.ChoiceField(choices=[-1, 1])


class StockAdjustmentSerializer(serializers.Serializer):
    warehouse = WarehouseRef()
    project = ProjectCode()
    date = serializers.DateField()
    reason = serializers.ChoiceField(choices=Movement.Reason.choices)
    lines = StockAdjustmentLineSerializer(many=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    request_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class StockRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class _MovementPermission(ScopedPermission):
    """Approving and rejecting need the approval permission (the service checks the
    scope and the two-person rule); recording needs the movement permission."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "action", None) in {"approve", "reject"}:
            return bool(
                request.user
                and request.user.is_authenticated
                and has_permission(request.user, APPROVE)
            )
        return super().has_permission(request, view)


class MovementViewSet(ScopedReadOnlyViewSet):
    """Stock documents with their lines. POST `receipt`, `kitting` and `adjustment`
    record new ones; `approve` and `reject` decide on an adjustment or a count (never
    by the person who recorded it)."""

    queryset = Movement.objects.none()
    serializer_class = StockMovementSerializer
    permission_classes = [_MovementPermission]
    view_permission = VIEW
    manage_permission = RECORD
    filterset_fields = ["kind", "status"]
    search_fields = ["number", "reference_id", "supplier", "delivery_note"]
    ordering_fields = ["date", "number"]
    ordering = ["-date", "-id"]

    def get_queryset(self) -> Any:
        context.set_actor(self.request.user)
        perm = APPROVE if getattr(self, "action", None) in {"approve", "reject"} else VIEW
        return selectors.movements_visible_to(self.request.user, perm).prefetch_related(
            "lines__item", "lines__project"
        )

    def _created(self, movement: Movement) -> Response:
        fresh = selectors.movement_get(user=self.request.user, public_id=movement.public_id)
        return Response(StockMovementSerializer(fresh).data, status=201)

    @extend_schema(request=StockReceiptSerializer, responses={201: StockMovementSerializer})
    @action(detail=False, methods=["post"])
    def receipt(self, request: Request) -> Response:
        """Record goods received from a supplier or an in-kind donor (posted at once).
        The same `request_key` sent again returns the first receipt."""
        body = StockReceiptSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        movement = services.receipt_record(
            user=request.user,
            warehouse=data["warehouse"],
            project=data["project"],
            date=data["date"],
            lines=data["lines"],
            supplier=data.get("supplier", ""),
            delivery_note=data.get("delivery_note", ""),
            batch=data.get("batch", ""),
            notes=data.get("notes", ""),
            request_key=data.get("request_key") or None,
        )
        return self._created(movement)

    @extend_schema(request=StockKittingSerializer, responses={201: StockMovementSerializer})
    @action(detail=False, methods=["post"])
    def kitting(self, request: Request) -> Response:
        """Assemble kits from their components (the version valid on the date)."""
        body = StockKittingSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        movement = services.kitting_record(
            user=request.user,
            warehouse=data["warehouse"],
            kit=data["kit"],
            quantity=data["quantity"],
            project=data["project"],
            date=data["date"],
            request_key=data.get("request_key") or None,
        )
        return self._created(movement)

    @extend_schema(request=StockAdjustmentSerializer, responses={201: StockMovementSerializer})
    @action(detail=False, methods=["post"])
    def adjustment(self, request: Request) -> Response:
        """Request an adjustment (loss, damage, expiry, theft: direction −1; found: +1)."""
        body = StockAdjustmentSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        movement = services.adjustment_request(
            user=request.user,
            warehouse=data["warehouse"],
            project=data["project"],
            date=data["date"],
            reason=data["reason"],
            lines=data["lines"],
            notes=data.get("notes", ""),
            request_key=data.get("request_key") or None,
        )
        return self._created(movement)

    @extend_schema(request=None, responses=StockMovementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, public_id: Any = None) -> Response:
        """Approve an adjustment or a count someone else recorded: its entries post."""
        movement = self.get_object()
        if movement.kind == Movement.Kind.COUNT:
            services.count_approve(user=request.user, movement=movement)
        else:
            services.adjustment_approve(user=request.user, movement=movement)
        return Response(
            StockMovementSerializer(
                selectors.movement_get(user=request.user, public_id=movement.public_id)
            ).data
        )

    @extend_schema(request=StockRejectSerializer, responses=StockMovementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, public_id: Any = None) -> Response:
        """Reject an adjustment or a count someone else recorded (reason required)."""
        movement = self.get_object()
        body = StockRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        if movement.kind == Movement.Kind.COUNT:
            services.count_reject(user=request.user, movement=movement, reason=reason)
        else:
            services.adjustment_reject(user=request.user, movement=movement, reason=reason)
        return Response(
            StockMovementSerializer(
                selectors.movement_get(user=request.user, public_id=movement.public_id)
            ).data
        )


def register(router: Any) -> None:
    """Add this app's viewsets to the API router."""
    router.register("stock/items", ItemViewSet, basename="stock-item")
    router.register("stock/kits", KitViewSet, basename="stock-kit")
    router.register("stock/warehouses", WarehouseViewSet, basename="stock-warehouse")
    router.register("stock/balances", BalanceViewSet, basename="stock-balance")
    router.register("stock/movements", MovementViewSet, basename="stock-movement")

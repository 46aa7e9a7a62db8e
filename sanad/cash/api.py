"""API of the cash app.

For vendors' systems (a cashier's API token):

- `GET /api/v1/vouchers/{code}`: the voucher's balance, status, expiry, whether it
  needs a PIN, and what it buys at the cashier's shop (contracted prices). Nothing
  about the family.
- `POST /api/v1/vouchers/{code}/redemptions` with the header `Idempotency-Key` (new for
  each sale) and `{"items": [{"item", "quantity", "unit_price"}], "pin"}`: 201
  `{"redemption", "amount", "currency", "balance", "voucher_status"}`. The same key
  sent again answers the stored sale with the same status and spends nothing (the
  header `Idempotent-Replayed: true` says so); refusals carry their code in
  `error.code` (404 voucher_not_found; 409 voucher_spent, voucher_expired,
  voucher_cancelled, insufficient_balance, idempotency_key_reused; 403 wrong_vendor,
  vendor_not_active, not_vendor_staff, pin_locked; 400 pin_required, pin_wrong,
  item_not_allowed, invalid_items, idempotency_key_missing).

Both paths are exact (no trailing slash). They go through
`cash.services.voucher_redeem` and `cash.selectors.voucher_for_cashier`, the page's
own path. Read-only, for `cash.view_cash` within its scope: plans, vendors,
redemptions and payment requests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import re_path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sanad.cash import selectors, services
from sanad.cash.models import (
    REDEEM,
    VIEW,
    CashPlan,
    PaymentRequest,
    Redemption,
    RedemptionLine,
    Vendor,
)
from sanad.cash.services._common import code_tail
from sanad.core import context
from sanad.core.api import ScopedReadOnlyViewSet
from sanad.core.errors import PermissionDenied
from sanad.core.scoping import has_permission

IDEMPOTENCY_HEADER = "Idempotency-Key"


# --- read ----------------------------------------------------------------------------------
class CashPlanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.CharField(source="programme.code")
    project = serializers.CharField(source="project.code")
    beneficiary_list = serializers.UUIDField(
        source="beneficiary_list.public_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The beneficiary list; null for a plan of amounts set per household.",
    )
    allowed_vendors: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )
    currency = serializers.CharField(read_only=True, help_text="IQD or USD.")
    status = serializers.CharField(
        read_only=True, help_text="draft, approved, closed or cancelled."
    )

    class Meta:
        model = CashPlan
        fields = [
            "id",
            "name",
            "status",
            "modality",
            "programme",
            "project",
            "beneficiary_list",
            "source",
            "amount_kind",
            "amount",
            "per_member",
            "cap",
            "currency",
            "exchange_rate",
            "tranches",
            "allowed_categories",
            "allowed_vendors",
            "condition",
            "condition_note",
            "require_pin",
            "expires_on",
            "item_code",
            "approved_at",
            "created_at",
        ]
        read_only_fields = fields


class PlanViewSet(ScopedReadOnlyViewSet):
    """Cash and e-voucher plans: draft → approved (entitlements created) → closed, or
    cancelled."""

    queryset = CashPlan.objects.select_related(
        "programme", "project", "beneficiary_list"
    ).prefetch_related("allowed_vendors")
    serializer_class = CashPlanSerializer
    view_permission = VIEW
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "status", "expires_on"]
    ordering = ["-created_at"]


class CashVendorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    pcode = serializers.CharField(source="admin_unit.pcode")
    admin_unit = serializers.CharField(source="admin_unit.name")
    status = serializers.CharField(
        read_only=True, help_text="pending, active, suspended or closed."
    )

    class Meta:
        model = Vendor
        fields = [
            "id",
            "code",
            "name",
            "status",
            "pcode",
            "admin_unit",
            "address",
            "phone",
            "contract_number",
            "contract_start",
            "contract_end",
            "opens_at",
            "closes_at",
            "open_days",
        ]
        read_only_fields = fields


class VendorViewSet(ScopedReadOnlyViewSet):
    """Vendors contracted to accept e-vouchers (pending, active, suspended, closed)."""

    queryset = Vendor.objects.select_related("admin_unit")
    serializer_class = CashVendorSerializer
    view_permission = VIEW
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code", "status"]
    ordering = ["name"]


class RedemptionLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")

    class Meta:
        model = RedemptionLine
        fields = ["item", "quantity", "unit_price", "amount", "contracted_price"]
        read_only_fields = fields


class RedemptionSerializer(serializers.ModelSerializer):
    """A sale against a voucher: the voucher by its last four characters only."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    vendor = serializers.CharField(source="vendor.code")
    voucher = serializers.SerializerMethodField()
    plan = serializers.UUIDField(source="voucher.entitlement.plan.public_id")
    registration_id = serializers.CharField(source="voucher.entitlement.household.registration_id")
    payment_request = serializers.CharField(
        source="payment_request.number", default=None, allow_null=True
    )
    lines = RedemptionLineSerializer(many=True, read_only=True)
    currency = serializers.CharField(read_only=True, help_text="IQD or USD.")

    class Meta:
        model = Redemption
        fields = [
            "id",
            "vendor",
            "voucher",
            "plan",
            "registration_id",
            "amount",
            "currency",
            "exchange_rate",
            "balance_after",
            "channel",
            "redeemed_at",
            "payment_request",
            "lines",
        ]
        read_only_fields = fields

    def get_voucher(self, redemption: Redemption) -> str:
        return code_tail(redemption.voucher.code)


class RedemptionViewSet(ScopedReadOnlyViewSet):
    """Redemptions at vendors (`?vendor=<code>` to filter)."""

    queryset = Redemption.objects.select_related(
        "vendor",
        "voucher__entitlement__plan",
        "voucher__entitlement__household",
        "payment_request",
    ).prefetch_related("lines__item")
    serializer_class = RedemptionSerializer
    view_permission = VIEW
    ordering_fields = ["redeemed_at", "amount"]
    ordering = ["-redeemed_at"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        vendor = self.request.query_params.get("vendor")
        return qs.filter(vendor__code=vendor) if vendor else qs


class CashPaymentRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    vendor = serializers.CharField(source="vendor.code")
    currency = serializers.CharField(read_only=True, help_text="IQD or USD.")
    status = serializers.CharField(
        read_only=True, help_text="draft, submitted, approved, paid or rejected."
    )

    class Meta:
        model = PaymentRequest
        fields = [
            "id",
            "number",
            "vendor",
            "period_start",
            "period_end",
            "currency",
            "total",
            "redemptions_count",
            "vendor_claimed",
            "discrepancies",
            "status",
            "approved_at",
            "paid_on",
            "payment_reference",
            "created_at",
        ]
        read_only_fields = fields


class PaymentRequestViewSet(ScopedReadOnlyViewSet):
    """Vendors' payment requests: draft → submitted → approved → paid, or rejected."""

    queryset = PaymentRequest.objects.select_related("vendor")
    serializer_class = CashPaymentRequestSerializer
    view_permission = VIEW
    ordering_fields = ["created_at", "period_end", "total"]
    ordering = ["-created_at"]


# --- the vendor's calls --------------------------------------------------------------------
def _plain(value: Any) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


VoucherInfo = inline_serializer(
    "VoucherForCashier",
    fields={
        "code": serializers.CharField(),
        "balance": serializers.DecimalField(max_digits=16, decimal_places=2),
        "amount": serializers.DecimalField(max_digits=16, decimal_places=2),
        "currency": serializers.CharField(),
        "status": serializers.CharField(),
        "usable": serializers.BooleanField(),
        "expires_on": serializers.DateField(),
        "allowed_categories": serializers.ListField(child=serializers.CharField()),
        "require_pin": serializers.BooleanField(),
        "items": serializers.ListField(child=serializers.DictField()),
    },
)


class VoucherView(APIView):
    """What a cashier may learn of a voucher before a sale."""

    @extend_schema(
        operation_id="voucher_for_cashier",
        responses={200: VoucherInfo},
        tags=["cash"],
    )
    def get(self, request: Request, code: str) -> Response:
        context.set_actor(request.user)
        info = selectors.voucher_for_cashier(user=request.user, code=code)
        return Response(
            {
                "code": info["code"],
                "balance": _plain(info["balance"]),
                "amount": _plain(info["amount"]),
                "currency": info["currency"],
                "status": str(info["status"]),
                "usable": info["usable"],
                "expires_on": info["expires_on"].isoformat(),
                "allowed_categories": info["allowed_categories"],
                "require_pin": info["require_pin"],
                "items": [
                    {
                        "item": i["code"],
                        "name": str(i["name"]),
                        "unit": str(i["unit"]),
                        "category": i["category"],
                        "unit_price": _plain(i["unit_price"]),
                        "currency": i["currency"],
                    }
                    for i in info["items"]
                ],
            }
        )


class RedeemLineSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=60, help_text="The catalogue item's code.")
    quantity = serializers.CharField(max_length=20, help_text="A number, such as 2.")
    unit_price = serializers.CharField(
        max_length=20, help_text="In the voucher's currency, such as 12500."
    )


class RedeemSerializer(serializers.Serializer):
    items = RedeemLineSerializer(many=True)
    pin = serializers.CharField(max_length=10, required=False, allow_blank=True)


class RedemptionsView(APIView):
    """Redeem a voucher at the cashier's shop."""

    @extend_schema(
        operation_id="voucher_redeem",
        request=RedeemSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="New for each sale; a retry with the same key spends nothing again.",
            )
        ],
        responses={
            201: inline_serializer(
                "VoucherRedeemed",
                fields={
                    "redemption": serializers.UUIDField(),
                    "amount": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "currency": serializers.CharField(),
                    "balance": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "voucher_status": serializers.CharField(),
                },
            )
        },
        tags=["cash"],
    )
    def post(self, request: Request, code: str) -> Response:
        context.set_actor(request.user)
        if not has_permission(request.user, REDEEM):
            raise PermissionDenied()
        # A missing key is refused by the service (idempotency_key_missing, 400), after
        # the checks of who is asking: a stranger learns nothing from a 400.
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        body = RedeemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        redemption, replayed = services.voucher_redeem(
            user=request.user,
            code=code,
            items=[dict(line) for line in data["items"]],
            idempotency_key=key,
            pin=data.get("pin") or None,
            channel="api",
        )
        response = Response(dict(redemption.response), status=201)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def register(router: Any) -> None:
    """Add this app's viewsets to the API router, and the two voucher paths (exact,
    without the router's trailing slash) in front of its URLs: a router builds its
    URLs once, from `get_urls`, when `sanad/urls.py` includes them."""
    router.register("cash/plans", PlanViewSet, basename="cash-plan")
    router.register("cash/vendors", VendorViewSet, basename="cash-vendor")
    router.register("cash/redemptions", RedemptionViewSet, basename="cash-redemption")
    router.register("cash/payment-requests", PaymentRequestViewSet, basename="cash-payment-request")
    extra = [
        re_path(
            r"^vouchers/(?P<code>[^/]{1,64})/redemptions$",
            RedemptionsView.as_view(),
            name="voucher-redemptions",
        ),
        re_path(r"^vouchers/(?P<code>[^/]{1,64})$", VoucherView.as_view(), name="voucher-detail"),
    ]
    get_urls = router.get_urls
    setattr(router, "get_urls", lambda: [*extra, *get_urls()])  # noqa: B010

"""Django admin for cash: read-only. Plans, vouchers, redemptions and payments change
only through `cash.services`, so that balances move only by conditional updates,
every sale writes the ledger and approvals keep the two-person rule. Voucher codes
and PIN hashes are never shown (a code is as good as cash): a voucher appears by the
last four characters of its code."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sanad.cash.models import (
    CashPlan,
    Entitlement,
    FspTemplate,
    Payment,
    PaymentList,
    PaymentRequest,
    Redemption,
    RedemptionLine,
    Signal,
    Vendor,
    VendorPrice,
    VendorStaff,
    Voucher,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PriceInline(ReadOnlyInline):
    model = VendorPrice


class StaffInline(ReadOnlyInline):
    model = VendorStaff


@admin.register(Vendor)
class VendorAdmin(ReadOnly):
    list_display = ("code", "name", "admin_unit", "status", "contract_number", "contract_end")
    list_filter = ("status",)
    list_select_related = ("admin_unit",)
    search_fields = ("code", "name", "contract_number")
    inlines = [PriceInline, StaffInline]


@admin.register(CashPlan)
class CashPlanAdmin(ReadOnly):
    list_display = ("name", "programme", "modality", "currency", "status", "expires_on")
    list_filter = ("modality", "status", "currency")
    list_select_related = ("programme",)
    search_fields = ("name",)


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnly):
    list_display = ("plan", "household", "members", "amount", "currency", "status")
    list_filter = ("status", "currency")
    list_select_related = ("plan", "household")
    search_fields = ("household__registration_id", "plan__name")
    raw_id_fields = ("household",)


@admin.register(Voucher)
class VoucherAdmin(ReadOnly):
    list_display = ("__str__", "entitlement", "amount", "balance", "currency", "status")
    list_filter = ("status", "currency")
    list_select_related = ("entitlement",)
    exclude = ("code", "pin_hash")
    raw_id_fields = ("entitlement", "replaces")
    search_fields = ("entitlement__household__registration_id",)


class LineInline(ReadOnlyInline):
    model = RedemptionLine


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ("redeemed_at", "vendor", "voucher", "amount", "currency", "channel")
    list_filter = ("channel", "currency")
    list_select_related = ("vendor", "voucher")
    exclude = ("response", "request_hash")
    raw_id_fields = ("voucher", "payment_request")
    date_hierarchy = "redeemed_at"
    inlines = [LineInline]


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnly):
    list_display = ("number", "vendor", "period_start", "period_end", "total", "status")
    list_filter = ("status",)
    list_select_related = ("vendor",)
    search_fields = ("number", "vendor__name")


@admin.register(FspTemplate)
class FspTemplateAdmin(ReadOnly):
    list_display = ("name", "provider", "sheet_name")


@admin.register(PaymentList)
class PaymentListAdmin(ReadOnly):
    list_display = ("number", "plan", "tranche", "template", "status")
    list_filter = ("status",)
    list_select_related = ("plan", "template")


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("payment_list", "entitlement", "tranche", "amount", "currency", "status")
    list_filter = ("status",)
    list_select_related = ("payment_list", "entitlement")
    raw_id_fields = ("entitlement",)


@admin.register(Signal)
class SignalAdmin(ReadOnly):
    list_display = ("created_at", "kind", "vendor", "reviewed", "reviewed_by")
    list_filter = ("kind",)
    list_select_related = ("vendor", "reviewed_by")
    raw_id_fields = ("redemption", "household")

    @admin.display(boolean=True, description=_("reviewed"))
    def reviewed(self, obj: Signal) -> bool:
        return obj.reviewed_at is not None

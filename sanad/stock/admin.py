"""Django admin for stock: read-only. Items, kits, warehouses and the ledger change
only through `stock.services`, so that balances always equal the sum of their
entries, documents keep their numbers and status history, and approvals keep the
two-person rule."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.stock.models import (
    Item,
    ItemCost,
    Kit,
    KitComponent,
    KitVersion,
    Movement,
    MovementLine,
    Season,
    StockBalance,
    StockEntry,
    Threshold,
    Warehouse,
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


@admin.register(Item)
class ItemAdmin(ReadOnly):
    list_display = ("code", "name_en", "category", "unit", "active")
    list_filter = ("category", "active")
    search_fields = ("code", "name_en", "name_ar", "name_ckb")


@admin.register(ItemCost)
class ItemCostAdmin(ReadOnly):
    list_display = ("item", "project", "unit_cost", "currency", "exchange_rate", "valid_from")
    list_filter = ("currency",)
    list_select_related = ("item", "project")
    search_fields = ("item__code", "project__code")


class ComponentInline(ReadOnlyInline):
    model = KitComponent


@admin.register(KitVersion)
class KitVersionAdmin(ReadOnly):
    list_display = ("kit", "number", "valid_from")
    list_select_related = ("kit",)
    inlines = [ComponentInline]


@admin.register(Kit)
class KitAdmin(ReadOnly):
    list_display = ("code", "name_en", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_en")


@admin.register(Season)
class SeasonAdmin(ReadOnly):
    list_display = ("name", "kind", "starts_on", "ends_on")
    list_filter = ("kind",)


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnly):
    list_display = ("code", "name", "place", "manager", "active")
    list_filter = ("active",)
    list_select_related = ("place", "manager")
    search_fields = ("code", "name")


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnly):
    list_display = ("warehouse", "item", "project", "quantity", "reserved", "updated_at")
    list_filter = ("warehouse",)
    list_select_related = ("warehouse", "item", "project")
    search_fields = ("item__code", "project__code")


@admin.register(Threshold)
class ThresholdAdmin(ReadOnly):
    list_display = ("warehouse", "item", "minimum")
    list_select_related = ("warehouse", "item")


class LineInline(ReadOnlyInline):
    model = MovementLine


@admin.register(Movement)
class MovementAdmin(ReadOnly):
    list_display = ("number", "kind", "status", "warehouse", "to_warehouse", "project", "date")
    list_filter = ("kind", "status")
    list_select_related = ("warehouse", "to_warehouse", "project")
    search_fields = ("number", "reference_id", "delivery_note", "batch")
    date_hierarchy = "date"
    inlines = [LineInline]


@admin.register(StockEntry)
class StockEntryAdmin(ReadOnly):
    list_display = ("id", "date", "movement", "warehouse", "item", "project", "quantity")
    list_filter = ("kind",)
    list_select_related = ("movement", "warehouse", "item", "project")
    search_fields = ("movement__number", "item__code")

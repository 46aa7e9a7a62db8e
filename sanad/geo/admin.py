from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.geo.models import AdminUnit, Place


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    """Reference data loaded by a migration (Open Admin Data, CC-BY-4.0): read-only."""

    list_display = ("pcode", "name_en", "name_ar", "level", "parent")
    list_filter = ("level", "governorate")
    search_fields = ("pcode", "name_en", "name_ar")
    list_select_related = ("parent",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_ar", "kind", "code", "admin_unit", "status", "updated_at")
    list_filter = ("kind", "status", "admin_unit__governorate")
    search_fields = ("name_en", "name_ar", "code", "admin_unit__pcode")
    list_select_related = ("admin_unit",)
    autocomplete_fields = ("admin_unit",)
    # Status changes go through the state machine (web page, API), which records them.
    readonly_fields = (
        "status",
        "public_id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    )

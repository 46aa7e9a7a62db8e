from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.assistance.models import AssistanceRecord


@admin.register(AssistanceRecord)
class AssistanceRecordAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written only through `assistance.services`, so that its
    rules (and the idempotency of module writes) hold."""

    list_display = (
        "delivered_on",
        "household",
        "programme",
        "kind",
        "item",
        "quantity",
        "value",
        "currency",
        "governorate",
        "source_type",
    )
    list_filter = ("programme", "kind", "governorate")
    search_fields = ("item", "household__registration_id", "source_type", "source_id")
    list_select_related = ("household", "programme", "governorate")
    date_hierarchy = "delivered_on"
    raw_id_fields = ("household", "individual")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

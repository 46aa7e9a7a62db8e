from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.distribution.models import Event, MonitoringSample, Plan, Receipt, Refusal


class ReadOnly(admin.ModelAdmin):
    """Read-only: plans, events and receipts change only through
    `distribution.services`, so that stock reservations, reconciliation, the one
    receipt per household and the assistance ledger stay in step."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnly):
    list_display = ("name", "programme", "project", "kit", "warehouse", "status", "reserved")
    list_filter = ("status", "programme")
    search_fields = ("name",)
    list_select_related = ("programme", "project", "kit", "warehouse")


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = (
        "place",
        "date",
        "plan",
        "status",
        "expected_households",
        "dispatched",
        "distributed",
        "returned",
        "lost",
    )
    list_filter = ("status",)
    date_hierarchy = "date"
    list_select_related = ("place", "plan")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("household", "event", "kit", "quantity", "collector", "proof", "received_at")
    list_filter = ("collector", "proof", "status")
    search_fields = ("household__registration_id",)
    list_select_related = ("household", "event__place", "kit")
    # The signature image is personal data: shown on the receipt's page only.
    exclude = ("signature",)


@admin.register(Refusal)
class RefusalAdmin(ReadOnly):
    list_display = ("event", "household", "code", "at", "by")
    list_filter = ("code",)
    list_select_related = ("event__place", "household", "by")


@admin.register(MonitoringSample)
class MonitoringSampleAdmin(ReadOnly):
    list_display = ("plan", "size", "seed", "created_at")
    list_select_related = ("plan",)

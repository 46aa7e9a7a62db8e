from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.targeting.models import BeneficiaryList, Rule, ScoringModel, ScoringModelVersion


class ReadOnly(admin.ModelAdmin):
    """Read-only: rules, models and lists change only through `targeting.services`, so
    that their checks, versions and status transitions hold. (List entries, with their
    composite primary key, are read on the list's pages.)"""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(ReadOnly):
    list_display = ("name", "programme", "updated_at")
    list_filter = ("programme",)
    search_fields = ("name",)


@admin.register(ScoringModel)
class ScoringModelAdmin(ReadOnly):
    list_display = ("name", "kind", "programme")
    list_filter = ("kind", "programme")


@admin.register(ScoringModelVersion)
class ScoringModelVersionAdmin(ReadOnly):
    list_display = ("model", "number", "threshold", "created_at")
    list_select_related = ("model",)


@admin.register(BeneficiaryList)
class BeneficiaryListAdmin(ReadOnly):
    list_display = ("name", "programme", "status", "built_at", "locked_by", "approved_by")
    list_filter = ("status", "programme")
    search_fields = ("name",)
    list_select_related = ("programme", "locked_by", "approved_by")

"""Django admin for deduplication: for looking only. Runs start from the pages, the API
or the command line; pairs are decided, and merges undone, on the review pages (the
services keep the registry, the decisions and the histories consistent)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.dedup.models import DedupRun, DedupSettings, HouseholdMerge, MatchPair, PairDecision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DedupRun)
class DedupRunAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "status", "records", "pairs_found", "pairs_new")
    list_filter = ("kind", "status")
    exclude = ("params",)


@admin.register(MatchPair)
class MatchPairAdmin(ReadOnlyAdmin):
    list_display = ("pk", "probability", "band", "status", "left_household", "right_household")
    list_filter = ("status", "band")
    list_select_related = ("left_household", "right_household")
    # The contributions quote names and dates of birth: shown on the review page only.
    exclude = ("contributions",)
    raw_id_fields = ("left_individual", "right_individual", "left_household", "right_household")
    show_full_result_count = False


@admin.register(PairDecision)
class PairDecisionAdmin(ReadOnlyAdmin):
    list_display = ("individual_low", "individual_high", "decision", "decided_by", "created_at")
    raw_id_fields = ("individual_low", "individual_high", "pair")


@admin.register(HouseholdMerge)
class HouseholdMergeAdmin(ReadOnlyAdmin):
    list_display = ("duplicate", "survivor", "merged_by", "merged_at", "undone_at")
    list_select_related = ("duplicate", "survivor", "merged_by")
    raw_id_fields = ("survivor", "duplicate")
    exclude = ("snapshot", "pairs")


@admin.register(DedupSettings)
class DedupSettingsAdmin(ReadOnlyAdmin):
    list_display = ("programme", "review_threshold", "flag_threshold")

"""Django admin for the registry: read-mostly. Households and members are registered
and changed through the pages, the API and imports (services keep derived flags,
search keys and histories current); the admin is for looking, not for writing."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sanad.registry.models import (
    ColumnMapping,
    Consent,
    DisplacementMove,
    Household,
    HouseholdPhone,
    ImportBatch,
    Individual,
    IndividualDocument,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnlyInline):
    model = Individual
    fields = (
        "given_name_ar",
        "given_name_en",
        "family_name_en",
        "sex",
        "date_of_birth",
        "relationship",
        "status",
    )


class PhoneInline(ReadOnlyInline):
    model = HouseholdPhone
    fields = ("number", "is_primary")


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ("purpose", "legal_basis", "given", "recorded_on", "withdrawn_on")


class MoveInline(ReadOnlyInline):
    model = DisplacementMove
    fields = ("moved_on", "from_admin_unit", "to_admin_unit", "to_place", "displacement_status")


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = (
        "registration_id",
        "status",
        "governorate",
        "displacement_status",
        "size",
        "created_at",
    )
    list_filter = ("status", "displacement_status", "shelter_type", "governorate", "source")
    # An exact registration id only: names are searched on the registry pages, through the index.
    search_fields = ("=registration_id",)
    list_select_related = ("governorate",)
    show_full_result_count = False
    inlines = (MemberInline, PhoneInline, ConsentInline, MoveInline)


@admin.register(Individual)
class IndividualAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "household", "sex", "date_of_birth", "relationship", "status")
    list_filter = ("sex", "relationship", "status", "has_disability")
    search_fields = ("=household__registration_id",)
    list_select_related = ("household",)
    show_full_result_count = False


@admin.register(IndividualDocument)
class IndividualDocumentAdmin(ReadOnlyAdmin):
    list_display = ("kind", "number", "individual", "issuing_governorate")
    list_filter = ("kind",)
    search_fields = ("=number_key",)
    list_select_related = ("individual", "issuing_governorate")
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "file_format",
        "status",
        "households_total",
        "error_count",
        "created_at",
    )
    list_filter = ("status", "file_format")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "file_format", "updated_at")
    readonly_fields = ("public_id", "created_at", "created_by", "updated_at", "updated_by")

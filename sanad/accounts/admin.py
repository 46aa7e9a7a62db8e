from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from sanad.accounts.models import ApiToken, Organisation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    filter_horizontal = ("governorates",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "organisation", "is_active", "last_login")
    list_filter = ("is_active", "organisation__kind")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Sanad",
            {"fields": ("full_name", "phone", "position", "organisation", "preferred_language")},
        ),
    )
    inlines = [RoleAssignmentInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "name_ar", "acronym")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "key_prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("key_prefix", "key_hash", "created_at", "last_used_at")
    search_fields = ("name", "user__username", "key_prefix")

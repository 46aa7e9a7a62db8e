from django.contrib import admin

from sanad.core.models import AuditEvent, Job, PersonalDataAccess, StatusTransition


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "content_type", "object_public_id", "source")
    list_filter = ("action", "content_type", "source")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "action", "content_type", "object_public_id", "purpose")
    list_filter = ("action", "content_type")


@admin.register(StatusTransition)
class StatusTransitionAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_pk", "from_state", "to_state", "by")


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "title",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "created_by",
    )
    list_filter = ("status", "kind")

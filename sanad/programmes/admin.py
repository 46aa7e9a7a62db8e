from django.contrib import admin

from sanad.programmes.models import Activity, Programme, Project, Target


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_ar", "name_ckb")
    search_fields = ("code", "name_en", "name_ar", "name_ckb")
    readonly_fields = ("public_id",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The six programmes are reference data; role scopes refer to their codes.
        return False


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ("code", "name")
    show_change_link = True


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("indicator", "label", "unit", "period_start", "period_end", "value")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "programme",
        "donor",
        "start_date",
        "end_date",
        "currency",
        "budget",
        "status",
    )
    list_filter = ("programme", "status", "currency")
    search_fields = ("code", "title", "donor__name", "donor__acronym")
    list_select_related = ("programme", "donor")
    autocomplete_fields = ("donor",)
    filter_horizontal = ("governorates",)
    readonly_fields = ("public_id", "status")
    date_hierarchy = "start_date"
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "project")
    list_filter = ("project__programme",)
    search_fields = ("code", "name", "project__code")
    list_select_related = ("project",)
    readonly_fields = ("public_id",)
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "activity", "period_start", "period_end", "value", "unit")
    list_filter = ("activity__project__programme", "indicator")
    search_fields = ("indicator", "label", "activity__code", "activity__project__code")
    list_select_related = ("activity", "activity__project")
    readonly_fields = ("public_id",)

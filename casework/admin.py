from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, District, HolidaySchedule, Office, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Administrators manage accounts here. Accounts are deactivated, never deleted."""

    list_display = ["username", "full_name", "office", "is_active", "is_superuser"]
    list_filter = ["office", "groups", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "office"]}),
        (_("Roles"), {"fields": ["is_active", "groups", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "office", "groups", "password1", "password2"]})
    ]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name"]


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        from django.db import transaction

        from cases.services import refresh_open_clocks

        from .audit import Action, record

        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
        record(
            Action.SETTING_CHANGED,
            by=request.user,
            obj=obj,
            details={"key": "holiday_schedule", "year": obj.year},
        )
        # After the commit, one case at a time: no long lock over every open case.
        transaction.on_commit(refresh_open_clocks)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "case", "source_state", "target_state", "ip"]
    list_filter = ["action"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

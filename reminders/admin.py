from django.contrib import admin

from casework.admin import ReferenceAdmin

from .models import OfficeLimits


@admin.register(OfficeLimits)
class OfficeLimitsAdmin(ReferenceAdmin):
    """Reference data: an office without a row takes its parent's limits, or the defaults.
    Each saved change is a setting change in the audit log."""

    list_display = ["office", "take_within_hours", "approve_within_days", "escalate_after_days"]
    list_select_related = ["office"]
    audit_key = "office_limits"

    def audit_values(self, obj) -> dict:
        return {
            "office": obj.office.name,
            "take_within_hours": obj.take_within_hours,
            "approve_within_days": obj.approve_within_days,
            "escalate_after_days": obj.escalate_after_days,
        }

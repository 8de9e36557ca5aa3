"""Reference data of the reports app in the admin: the retention periods."""

from django.contrib import admin
from django.db import transaction

from casework.admin import ReferenceAdmin
from casework.audit import Action, record

from .models import RetentionPeriod


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(ReferenceAdmin):
    """Each saved change is a "setting changed" entry with the old and new years; a
    period removed (its kind's, or the defaults, apply again) is one too."""

    list_display = ["kind", "outcome", "years", "changed_by", "changed_at"]
    list_filter = ["kind"]
    audit_key = "retention_period"

    def audit_values(self, obj) -> dict:
        return {"kind": obj.kind, "outcome": obj.outcome, "years": obj.years}

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @transaction.atomic
    def delete_model(self, request, obj):
        self._removed(request, [obj])
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        self._removed(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _removed(self, request, periods) -> None:
        for period in periods:
            record(
                Action.SETTING_CHANGED,
                by=request.user,
                obj=period,
                details={
                    "key": self.audit_key,
                    "removed": True,
                    "changes": {
                        name: {"from": value, "to": None}
                        for name, value in self.audit_values(period).items()
                    },
                },
            )

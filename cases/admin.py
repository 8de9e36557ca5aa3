"""Cases, payments and the log are read-only here: changes go through the
application's own pages, which write the audit log."""

from django.contrib import admin

from casework.admin import NoIdentifierSearchMixin

from .models import Case, Counterparty, Payment, WageDispute, Worker
from .pagination import EstimatedPaginator


class ReadOnlyAdmin(NoIdentifierSearchMixin, admin.ModelAdmin):
    """Case content: an administrator without a role may not read it (least privilege)."""

    def has_view_permission(self, request, obj=None):
        return bool(request.user.role_names) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return bool(request.user.role_names) and super().has_module_permission(request)

    # A million rows: no full count beside the filtered one, an estimated count past
    # a threshold (cases.pagination), related names in the same query.
    paginator = EstimatedPaginator
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "office", "state", "assignee", "opened_at", "finished_at"]
    list_filter = ["kind", "state", "office"]
    search_fields = ["number"]
    list_select_related = ["office", "assignee"]


@admin.register(WageDispute)
class WageDisputeAdmin(ReadOnlyAdmin):
    list_display = ["number", "office", "state", "assignee", "opened_at"]
    list_filter = ["state", "office"]
    search_fields = ["number"]
    list_select_related = ["office", "assignee"]
    exclude = ["workers", "counterparties"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "worker", "paid_on", "amount", "method", "voided_at"]
    list_select_related = ["dispute", "worker"]


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ["name", "id_masked", "occupation", "office", "is_member"]
    list_select_related = ["office"]
    search_fields = ["name"]
    # The ID number only masked (420381********1232), read-only; never its cipher text
    # or hash, never the phone.
    fields = ["name", "id_masked", "occupation", "employer", "district", "office", "is_member"]
    readonly_fields = fields


@admin.register(Counterparty)
class CounterpartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "credit_code"]
    search_fields = ["name", "credit_code"]

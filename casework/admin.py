"""The administrators' admin. Every change made here to accounts, roles, offices and
districts is written to the audit log in the admin's own transaction."""

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import identity, two_factor
from .audit import Action, record
from .models import (
    AuditEntry,
    District,
    HolidaySchedule,
    MinimumWage,
    Office,
    ServiceTally,
    Station,
    User,
)
from .signals import calendar_changed

ADMINISTRATOR = "administrator"  # the role of a superuser, as the audit log names it


def looks_like_identifier(text: str) -> bool:
    """A national ID number or a phone number, as someone might type it into a search."""
    number = identity.normalize_id_number(text)
    if len(number) in (15, 18) and number[:-1].isdigit():
        return True
    try:
        identity.validate_phone(text)
    except ValidationError:
        return False
    return True


class NoIdentifierSearchMixin:
    """The admin's search is a GET (``?q=``) that it echoes on the page: a search for
    an ID number or a phone would put it in the URL, the server's log and the page
    (issue 16). Such a search is not run; the admin is sent back without it and told
    where people are found. Names, case numbers and credit codes search as before."""

    def changelist_view(self, request, extra_context=None):
        text = request.GET.get(SEARCH_VAR, "")
        if text and looks_like_identifier(text):
            query = request.GET.copy()
            query.pop(SEARCH_VAR)
            messages.warning(
                request,
                _(
                    "The administration does not search by ID number or phone, so that they "
                    "stay out of addresses and logs. Search by name, or use the Workers page."
                ),
            )
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)


def _changes(before: dict, after: dict) -> dict:
    return {
        key: {"from": before.get(key), "to": value}
        for key, value in after.items()
        if before.get(key) != value
    }


def _account(user: User) -> dict:
    """What the audit log keeps of an account (never its password)."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "office": user.office.name if user.office_id else "",
        "is_active": user.is_active,
        "is_staff": user.is_staff,
    }


def _roles(user: User) -> list[str]:
    """The account's roles as stored now: its groups, and administrator."""
    names = sorted(Group.objects.filter(user=user).values_list("name", flat=True))
    return names + ([ADMINISTRATOR] if user.is_superuser else [])


@admin.register(User)
class UserAdmin(NoIdentifierSearchMixin, BaseUserAdmin):
    """Administrators manage accounts here. Accounts are deactivated, never deleted.

    Each saved change is recorded: "staff account changed" with the fields'
    old and new values (a password only as changed), "role changed" with the
    roles before and after.
    """

    def save_model(self, request, obj, form, change):
        stored = User.objects.select_related("office").get(pk=obj.pk) if change else None
        before = _account(stored) if stored else {}
        # Kept on the form until save_related has saved the groups.
        form.roles_before = _roles(stored) if stored else []
        super().save_model(request, obj, form, change)
        changes = _changes(before, _account(obj))
        fields = sorted(changes) + (["password"] if not change else [])
        if fields:
            record(
                Action.ACCOUNT_CHANGED,
                by=request.user,
                obj=obj,
                office=obj.office_id,
                details={"created": not change, "fields": fields, "changes": changes},
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, after = getattr(form, "roles_before", []), _roles(form.instance)
        if before != after:
            record(
                Action.ROLE_CHANGED,
                by=request.user,
                obj=form.instance,
                office=form.instance.office_id,
                details={"from": before, "to": after},
            )

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):
        # Recorded when the stored hash changed: the view also redirects after a
        # post it refuses ("conflicting form data"), saving nothing.
        before = User.objects.filter(pk=id).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        user = User.objects.filter(pk=id).first()
        if request.method == "POST" and user is not None and user.password != before:
            record(
                Action.ACCOUNT_CHANGED,
                by=request.user,
                obj=user,
                office=user.office_id,
                details={"created": False, "fields": ["password"], "changes": {}},
            )
        return response

    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            two_factor.reset(user, by=request.user)
        self.message_user(
            request,
            _(
                "Two-factor sign-in reset for %(names)s: their sessions were ended; at the "
                "next sign-in they set up an authenticator app again if their role needs one."
            )
            % {"names": ", ".join(user.username for user in users)},
        )

    list_display = ["username", "full_name", "office", "is_active", "is_superuser"]
    list_filter = ["office", "groups", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "office", "language", "email_reminders"]}),
        (_("Roles"), {"fields": ["is_active", "groups", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "office", "groups", "password1", "password2"]})
    ]

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)
# django-otp's own device pages would show each user's secret: a lost device is reset
# with the action on staff accounts instead.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """The roles. A change to what a role may do is a role change: recorded."""

    def save_model(self, request, obj, form, change):
        form.permissions_before = (
            sorted(
                obj.permissions.through.objects.filter(group_id=obj.pk).values_list(
                    "permission__codename", flat=True
                )
            )
            if change
            else []
        )
        form.name_before = Group.objects.get(pk=obj.pk).name if change else ""
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        after = sorted(group.permissions.values_list("codename", flat=True))
        details = _changes(
            {"name": form.name_before, "permissions": form.permissions_before},
            {"name": group.name, "permissions": after},
        )
        if details:
            record(
                Action.ROLE_CHANGED,
                by=request.user,
                obj=group,
                details={"group": group.name, "created": not change, "changes": details},
            )

    def has_delete_permission(self, request, obj=None):
        return False


class ReferenceAdmin(admin.ModelAdmin):
    """Reference data kept in the admin: every saved change is a setting change."""

    audit_key = ""

    def audit_values(self, obj) -> dict:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        before = self.audit_values(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        changes = _changes(before, self.audit_values(obj))
        if changes:
            record(
                Action.SETTING_CHANGED,
                by=request.user,
                obj=obj,
                details={"key": self.audit_key, "created": not change, "changes": changes},
            )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Office)
class OfficeAdmin(ReferenceAdmin):
    list_display = ["name", "parent", "phone", "is_active"]
    audit_key = "office"

    def audit_values(self, obj) -> dict:
        return {
            "name": obj.name,
            "short_name": obj.short_name,
            "phone": obj.phone,
            "parent": obj.parent.name if obj.parent_id else "",
            "is_active": obj.is_active,
        }


@admin.register(District)
class DistrictAdmin(ReferenceAdmin):
    list_display = ["name"]
    audit_key = "district"

    def audit_values(self, obj) -> dict:
        return {"name": obj.name}


@admin.register(MinimumWage)
class MinimumWageAdmin(ReferenceAdmin):
    """Monthly minimum wages by district (DOMAIN.md R7). Rows are only added: a new
    rate is a new row with its effective date; a saved row cannot be changed, since
    claim items name the row their final-award flag was computed from."""

    list_display = ["district", "monthly_amount", "effective_from", "changed_by", "changed_at"]
    list_filter = ["district"]
    fields = ["district", "monthly_amount", "effective_from"]
    audit_key = "minimum_wage"

    def audit_values(self, obj) -> dict:
        return {
            "district": obj.district.name if obj.district_id else "",
            "monthly_amount": str(obj.monthly_amount),
            "effective_from": obj.effective_from.isoformat(),
        }

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Station)
class StationAdmin(ReferenceAdmin):
    list_display = ["name", "type", "office", "address", "opened_on", "is_active"]
    list_filter = ["office", "type", "is_active"]
    search_fields = ["name", "address"]
    list_select_related = ["office"]
    audit_key = "station"

    # The QR code and posters are printed by the station's own staff and supervisors
    # (public/poster_views.py); an administrator without such a role would get 404.
    def _prints_posters(self, request) -> bool:
        return request.user.is_caseworker or request.user.is_supervisor

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "posters"] if self._prints_posters(request) else shown

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "posters"] if obj is not None and self._prints_posters(request) else fields

    @admin.display(description=_("QR code and posters"))
    def posters(self, obj) -> str:
        """Links to the station's QR code and posters. The public pages' app serves
        them; the base names its URLs only, never imports it."""
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("posters:station_qr", args=[obj.pk]),
            _("QR code"),
            reverse("posters:station_poster_a4", args=[obj.pk]),
            _("A4 poster"),
            reverse("posters:station_poster_a5", args=[obj.pk]),
            _("A5 poster"),
        )

    def audit_values(self, obj) -> dict:
        return {
            "name": obj.name,
            "office": obj.office.name if obj.office_id else "",
            "type": obj.type,
            "address": obj.address,
            "opened_on": obj.opened_on.isoformat() if obj.opened_on else "",
            "is_active": obj.is_active,
        }


@admin.register(ServiceTally)
class ServiceTallyAdmin(admin.ModelAdmin):
    """Read only: tallies are recorded on the station pages, where the 7-day window
    and the audit log apply."""

    list_display = ["day", "station", "service", "count", "recorded_by", "recorded_at"]
    list_filter = ["service", "station__office", "station"]
    search_fields = ["station__name"]
    date_hierarchy = "day"
    list_select_related = ["station", "recorded_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
        record(
            Action.SETTING_CHANGED,
            by=request.user,
            obj=obj,
            details={"key": "holiday_schedule", "year": obj.year},
        )
        calendar_changed.send(sender=HolidaySchedule, schedule=obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "case", "source_state", "target_state", "ip"]
    list_filter = ["action"]

    # The log names cases and holds their details: auditors read it, not a role-less
    # administrator (least privilege).
    def has_view_permission(self, request, obj=None):
        return request.user.is_auditor and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return request.user.is_auditor and super().has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Sign-in lockouts (django-axes): deleting an access attempt unlocks the account or
# address it counted against. Every unlock is written to the audit log.
admin.site.unregister(AccessAttempt)


def _unlocked(request, attempts) -> None:
    for attempt in attempts:
        record(
            Action.UNLOCKED,
            by=request.user,
            details={"username": attempt.username or "", "ip_address": attempt.ip_address},
        )


@admin.register(AccessAttempt)
class AccessAttemptAdmin(NoIdentifierSearchMixin, BaseAccessAttemptAdmin):
    actions = ["unlock"]

    @admin.action(description=_("Unlock the selected sign-ins"), permissions=["delete"])
    def unlock(self, request, queryset):
        self.delete_queryset(request, queryset)
        self.message_user(request, _("Unlocked."))

    @transaction.atomic
    def delete_model(self, request, obj):
        _unlocked(request, [obj])
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        _unlocked(request, list(queryset))
        super().delete_queryset(request, queryset)

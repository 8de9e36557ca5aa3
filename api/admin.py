"""Administrators issue and revoke tokens here. A new token's key is shown on the
page that answers the form, once: it is not stored, and no message or cookie
carries it."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import tokens
from .models import ApiToken

DEFAULT_LIFETIME = timedelta(days=365)


class IssueForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "scope", "office", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].initial = timezone.localtime() + DEFAULT_LIFETIME

    def clean_expires_at(self):
        expires = self.cleaned_data["expires_at"]
        if expires <= timezone.now():
            raise ValidationError(_("The expiry must be in the future."))
        return expires


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "office", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope", "office"]
    search_fields = ["name"]
    actions = ["revoke"]
    readonly_fields = [
        "name",
        "scope",
        "office",
        "expires_at",
        "prefix",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = IssueForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return IssueForm.Meta.fields if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit log names them

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        token, key = tokens.issue_token(
            by=request.user,
            name=data["name"],
            scope=data["scope"],
            office=data["office"],
            expires_at=data["expires_at"],
        )
        obj.pk = token.pk
        request._issued_key = key

    def save_related(self, request, form, formsets, change):
        pass  # a token has no related rows to save

    def log_addition(self, request, obj, message):
        pass  # the audit log has the issue; the admin's own log would only copy it

    def response_add(self, request, obj, post_url_continue=None):
        token = ApiToken.objects.get(pk=obj.pk)
        return TemplateResponse(
            request,
            "admin/api/apitoken/issued.html",
            {
                **self.admin_site.each_context(request),
                "title": _("API token issued"),
                "token": token,
                "key": request._issued_key,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.revoke_token(token=token, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

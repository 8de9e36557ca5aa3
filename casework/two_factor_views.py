"""The pages of two-factor sign-in: enrolment, the code after the password, and new
recovery codes from My account."""

from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import roles, two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EnrolForm(CodeForm):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=8,
        help_text=gettext_lazy("The six digits the app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url("home")


def _refusal(wait_seconds: int) -> str:
    if wait_seconds:
        return ngettext(
            "Too many wrong codes. Wait %(seconds)d second and try again.",
            "Too many wrong codes. Wait %(seconds)d seconds and try again.",
            wait_seconds,
        ) % {"seconds": wait_seconds}
    return _(
        "That code is not right. Enter the code the app shows now; if it keeps being "
        "refused, check that the phone's clock is set automatically."
    )


@never_cache
@sensitive_post_parameters("code")
def code(request: HttpRequest) -> HttpResponse:
    """The code after the password: from the authenticator app, or a recovery code."""
    if two_factor.is_verified(request) or not two_factor.owes_code(request):
        return redirect(_next_url(request))
    if not two_factor.is_on(request.user):
        return redirect("two_factor_enrol")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        check = two_factor.check_code(request, form.cleaned_data["code"])
        if check.passed:
            if check.recovery_code:
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(left)d is left. Make new "
                        "codes on My account if you are running out.",
                        "You signed in with a recovery code; %(left)d are left. Make new "
                        "codes on My account if you are running out.",
                        check.recovery_codes_left,
                    )
                    % {"left": check.recovery_codes_left},
                )
            return redirect(_next_url(request))
        form.add_error("code", _refusal(check.wait_seconds))
    return render(
        request,
        "casework/two_factor_code.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@sensitive_post_parameters("code")
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: a QR code and the secret as text, then a first code.

    Open to a user without an authenticator: on first sign-in for the roles that need
    one, from My account for a caseworker.
    """
    if two_factor.is_on(request.user):
        return redirect("account" if two_factor.is_verified(request) else "two_factor_code")
    device = two_factor.pending_authenticator(request.user)
    form = EnrolForm(request.POST or None)
    if form.is_valid():
        enrolment = two_factor.enrol(request, form.cleaned_data["code"])
        if enrolment.codes:
            # Shown on this response only: the codes are not kept for another look.
            return render(
                request,
                "casework/two_factor_recovery_codes.html",
                {"codes": enrolment.codes, "next": _next_url(request), "enrolled": True},
            )
        form.add_error("code", _refusal(enrolment.wait_seconds))
    return render(
        request,
        "casework/two_factor_enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device, title=_("QR code for your authenticator app")),
            "secret": two_factor.secret_text(device),
            "required": roles.requires_two_factor(request.user),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    """A caseworker turns two-factor sign-in off from My account."""
    if two_factor.turn_off(request):
        messages.success(request, _("Two-factor sign-in is off."))
    else:
        messages.error(request, _("Your role needs two-factor sign-in: it stays on."))
    return redirect("account")


@never_cache
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes from My account: the old ones stop working."""
    if not two_factor.is_on(request.user):
        messages.error(request, _("Set up two-factor sign-in first."))
        return redirect("account")
    codes = two_factor.renew_recovery_codes(request.user)
    return render(
        request,
        "casework/two_factor_recovery_codes.html",
        {"codes": codes, "next": resolve_url("account"), "enrolled": False},
    )

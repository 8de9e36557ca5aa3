from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import Action, current_ip, record


def client_ip(request) -> str | None:
    """The client's address; behind a trusted proxy, the one the proxy saw."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The proxy appends the address it saw last; earlier ones are the client's word.
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client's address available to audit entries written by services."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class LanguageMiddleware:
    """Simplified Chinese unless the user chose English with the language switch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    staff on an English-language browser still get the Chinese interface their
    colleagues see, until they switch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


IDLE_KEY = "last_activity"


def start_idle_clock(request) -> None:
    """Called on sign-in, so that the first request need not save the session."""
    request.session[IDLE_KEY] = int(timezone.now().timestamp())


class IdleTimeoutMiddleware:
    """Ends a session unused for SESSION_IDLE_TIMEOUT seconds (besides the absolute
    SESSION_COOKIE_AGE) and sends its user to the sign-in page with a message.

    The last activity is written at most once a minute, so that not every request
    saves the session.
    """

    KEY = IDLE_KEY

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                user = request.user
                logout(request)  # flushes the session
                record(Action.SESSION_EXPIRED, by=user, office=user.office_id)
                minutes = settings.SESSION_IDLE_TIMEOUT // 60
                messages.info(
                    request,
                    _(
                        "You were signed out after %(minutes)d minutes without activity. "
                        "Please sign in again."
                    )
                    % {"minutes": minutes},
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


# Pages a signed-in user who still owes a code may open, besides the public ones
# (login_not_required: sign-in, language switch, health and readiness checks).
TWO_FACTOR_OPEN = {"two_factor_code", "two_factor_enrol", "logout", "login", "set_language"}


class TwoFactorMiddleware:
    """After the password, a user whose role needs two-factor (or who turned it on)
    reaches no page but the code page (or, without an authenticator yet, enrolment),
    log-out and the public pages, until a code is accepted in this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from . import two_factor

        if not request.user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_OPEN:
            return None
        if not two_factor.owes_code(request):
            return None
        target = "two_factor_code" if two_factor.is_on(request.user) else "two_factor_enrol"
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(url)

"""Who calls: the token in `Authorization: Bearer <key>`, its scope, its rate, and
Django's own refusals answered as JSON. (Kept apart from base.py: DRF's settings
import these while rest_framework.views is still loading.)"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from . import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`; the request's user is the token's account."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>"))
        token = tokens.token_for_key(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This key is unknown, expired or revoked."))
        tokens.note_use(token)
        return token.acting_user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class HasScope(permissions.BasePermission):
    """A token whose scope is among the view's `scopes`."""

    message = gettext_lazy("This token's scope does not cover this call.")

    def has_permission(self, request, view):
        token = request.auth
        if token is None:
            raise exceptions.NotAuthenticated(_("Send an API key: Authorization: Bearer <key>"))
        return token.scope in view.scopes


class TokenThrottle(throttling.SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if request.auth is None:
            # No token: refused anyway (401), or the schema and its docs, which anyone
            # may read. Guessing a key is hopeless (256 random bits): nothing to count.
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


def exception_handler(exc, context):
    """Django's own refusals (the services') as DRF's, so that they answer as JSON
    with the same message as on the pages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, TransitionNotAllowed):
        exc = exceptions.ValidationError({"detail": [strip_tags(str(exc))]})
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400:
        if isinstance(response.data, list):
            response.data = {NON_FIELD: response.data}
        elif isinstance(response.data.get(NON_FIELD), str):
            response.data[NON_FIELD] = [response.data[NON_FIELD]]
    return response


NON_FIELD = "detail"


def by_field(messages) -> dict:
    """{"field": ["message", …]}, errors of no field under "detail"; plain text."""
    return {
        (NON_FIELD if name == "__all__" else name): [strip_tags(m) for m in texts]
        for name, texts in messages
    }


def validation_detail(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return by_field(error.message_dict.items())
    return by_field([("__all__", error.messages)])


def form_errors(form) -> dict:
    return by_field(form.errors.items())

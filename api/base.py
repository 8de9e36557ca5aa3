"""What every endpoint shares: the client's language, the audit entry of each call."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import views
from rest_framework.exceptions import ValidationError

from casework.audit import Action, record


class ApiView(views.APIView):
    """An endpoint: `scopes` says which tokens may call it."""

    scopes: tuple[str, ...] = ()
    # The query parameters it takes (OpenApiParameter, as its schema lists them).
    query_parameters: tuple = ()

    def initial(self, request, *args, **kwargs):
        # The client's language (Accept-Language), not the pages' cookie.
        language = translation.get_language_from_request(request._request)
        translation.activate(language)
        request._request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)
        if hasattr(self, request.method.lower()):
            self.check_query(request.query_params)

    def check_query(self, params) -> None:
        """Refuse what a page would ignore: a misspelt parameter, an empty one."""
        known = {parameter.name for parameter in self.query_parameters}
        errors = {
            name: [_("This call takes no parameter of this name.")]
            for name in params
            if name not in known
        }
        errors |= {
            name: [_("Leave this parameter out rather than send it empty.")]
            for name, value in params.items()
            if value == "" and name in known
        }
        if errors:
            raise ValidationError(errors)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        token = getattr(request, "_auth", None)  # None when the key was refused
        if token is not None:
            with transaction.atomic():
                record(
                    Action.API_CALL,
                    by=token.acting_user,
                    office=token.office_id,
                    details={
                        "token": token.name,
                        "method": request.method,
                        "path": request._request.path,
                        "status": response.status_code,
                    },
                )
        return response

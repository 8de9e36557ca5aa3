"""The auditor's check of the audit log's hash chain (it reads no case content)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import audit_chain


@never_cache
@require_safe
def verify_chain(request: HttpRequest) -> HttpResponse:
    """Walk the chain now and say whether it holds, or where it first breaks."""
    user = request.user
    if not (user.is_auditor or user.is_administrator):
        raise PermissionDenied(_("Only auditors and administrators verify the audit log."))
    return render(request, "casework/audit_chain.html", {"result": audit_chain.verify()})

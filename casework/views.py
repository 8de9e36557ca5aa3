import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from . import reference
from .audit import Action, record
from .forms import DibaoLineForm, ReminderPreferencesForm, SettingForm
from .models import DibaoLine, District, Setting
from .user_sessions import end_sessions, session_keys


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers and the task queue is being worked.

    503 when the database does not answer, or when the oldest job waiting to run has
    waited longer than READY_MAX_QUEUE_AGE_SECONDS (no worker is taking jobs).
    """
    from django_tasks_db.models import DBTaskResult

    try:
        waiting = DBTaskResult.objects.ready().order_by("enqueued_at")
        queued = waiting.count()
        oldest = waiting.values_list("enqueued_at", flat=True).first()
        running = DBTaskResult.objects.running().count()
    except DatabaseError:
        return JsonResponse({"ready": False, "database": "unavailable"}, status=503)
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    worked = age <= settings.READY_MAX_QUEUE_AGE_SECONDS
    body = {
        "ready": worked,
        "database": "ok",
        "tasks": {
            "queued": queued,
            "running": running,
            "oldest_queued_seconds": round(age),
            "max_queued_seconds": settings.READY_MAX_QUEUE_AGE_SECONDS,
        },
    }
    return JsonResponse(body, status=200 if worked else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; a lost database connection is a 503 with "try again" instead.

    Rendered without the request's context: the context processors would ask the
    database that just failed. The failed request's transaction was rolled back.
    """
    failure = sys.exc_info()[1]
    if isinstance(failure, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def reference_data(request: HttpRequest) -> HttpResponse:
    """Administrators edit the settings and 低保 lines; every change is kept."""
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only administrators change reference data."))
    setting_form = SettingForm(request.POST if "key" in request.POST else None)
    line_form = DibaoLineForm(request.POST if "residence" in request.POST else None)
    if request.method == "POST":
        if setting_form.is_bound and setting_form.is_valid():
            data = setting_form.cleaned_data
            reference.change_setting(key=data["key"], value=data["value"], by=request.user)
            messages.success(request, _("Setting changed."))
            return redirect("settings")
        if line_form.is_bound and line_form.is_valid():
            data = line_form.cleaned_data
            reference.change_dibao_line(
                district=data["district"],
                residence=data["residence"],
                amount=data["amount"],
                by=request.user,
            )
            messages.success(request, _("Minimum living allowance line changed."))
            return redirect("settings")
    current = reference.all_current()
    lines = [
        (district, residence, label, reference.dibao_line(district, residence))
        for district in [None, *District.objects.all()]
        for residence, label in DibaoLine._meta.get_field("residence").choices
    ]
    return render(
        request,
        "casework/reference_data.html",
        {
            "settings": [(key, key.label, current[key]) for key in Setting.Key],
            "lines": lines,
            "setting_form": setting_form,
            "line_form": line_form,
            "setting_history": Setting.objects.select_related("changed_by").order_by(
                "-changed_at", "-pk"
            )[:100],
            "line_history": DibaoLine.objects.select_related("district", "changed_by").order_by(
                "-changed_at", "-pk"
            )[:100],
        },
        status=400 if request.method == "POST" else 200,
    )


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a refused sign-in: the same page whether or not the
    account exists, so that it tells a guesser nothing."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


@transaction.atomic
def save_preferences(form: ReminderPreferencesForm, user) -> None:
    fields = form.changed_data
    if fields:
        form.save()
        record(
            Action.ACCOUNT_CHANGED,
            by=user,
            obj=user,
            office=user.office_id,
            details={
                "created": False,
                "fields": sorted(fields),
                "changes": {
                    name: {"from": form.initial.get(name), "to": form.cleaned_data[name]}
                    for name in fields
                },
            },
        )


def account(request: HttpRequest) -> HttpResponse:
    """My account: who I am signed in as, "sign out everywhere", and reminder e-mail."""
    preferences = ReminderPreferencesForm(
        request.POST if "preferences" in request.POST else None, instance=request.user
    )
    if preferences.is_bound:
        if preferences.is_valid():
            save_preferences(preferences, request.user)
            messages.success(request, _("Your reminder settings are saved."))
            return redirect("account")
    elif request.method == "POST":
        user = request.user
        here = request.session.session_key
        ended = end_sessions(user, by=user, keep=here, reason="sign_out_everywhere")
        logout(request)  # this session too, the usual way
        messages.success(
            request,
            ngettext(
                "Signed out here and in %(count)d other place.",
                "Signed out here and in %(count)d other places.",
                ended,
            )
            % {"count": ended},
        )
        return redirect("login")
    return render(
        request,
        "casework/account.html",
        {"sessions": len(session_keys(request.user)), "preferences": preferences},
        status=400 if preferences.is_bound else 200,
    )

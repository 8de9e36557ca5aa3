from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from . import audit_chain_views, station_views, two_factor_views, views

handler500 = "casework.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("settings/", views.reference_data, name="settings"),
    path("audit/chain/", audit_chain_views.verify_chain, name="audit_chain"),
    path("account/", views.account, name="account"),
    path("stations/", station_views.station_list, name="stations"),
    path("stations/<int:pk>/tally/", station_views.station_tally, name="station_tally"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("login/code/", two_factor_views.code, name="two_factor_code"),
    path("account/two-factor/", two_factor_views.enrol, name="two_factor_enrol"),
    path("account/two-factor/off/", two_factor_views.turn_off, name="two_factor_off"),
    path(
        "account/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", RedirectView.as_view(pattern_name="cases:queue"), name="home"),
    path("", include("cases.urls")),
    path("", include("assistance.urls")),
    path("", include("members.urls")),
    path("", include("public.urls")),
    path("", include("public.poster_urls")),
    path("", include("reminders.urls")),
    path("", include("reports.urls")),
    path("", include("reports.figures_urls")),
]

"""Casework settings, read from the environment.

A fresh clone runs on SQLite with nothing set. Production sets at least
SECRET_KEY, DEBUG=false, ALLOWED_HOSTS, DATABASE_URL, FIELD_ENCRYPTION_KEYS
and ID_HASH_KEY (see README.md). A `.env` file at the project root, if present,
provides defaults for variables the environment does not set; the run command
writes one with development keys.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


_load_dotenv(BASE_DIR / ".env")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for development).")
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Personal data. ID numbers are encrypted with FIELD_ENCRYPTION_KEYS (Fernet
# keys, comma-separated, newest first: older keys still decrypt, so keys can be
# rotated) and found by an HMAC keyed with ID_HASH_KEY. Neither is SECRET_KEY:
# losing them makes every stored ID unreadable, so back them up.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
ID_HASH_KEY = env("ID_HASH_KEY")
if not FIELD_ENCRYPTION_KEYS or not ID_HASH_KEY:
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS and ID_HASH_KEY (the run command writes development "
        "keys to .env; see README.md for production)."
    )

# Demo accounts and data exist only where this is on (never in production).
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

# Where the public pages are reached from outside (scheme and host, no path): the QR
# codes and posters of stations and membership drives print it (public/posters.py).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks_db",
    "axes",
    # Two-factor sign-in: TOTP devices and recovery codes (static tokens). Before
    # casework, whose admin takes their admin pages away (they would show secrets).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "casework",
    "cases",
    "assistance",
    "members",
    "public",
    "reminders",
    "reports",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "casework.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "casework.middleware.AuditContextMiddleware",
    "casework.middleware.IdleTimeoutMiddleware",
    # After the idle timeout: a signed-in user who still owes a code reaches only the
    # code, enrolment, log-out and public pages.
    "casework.middleware.TwoFactorMiddleware",
    # Last, as its documentation asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.context_processors.site",
                "casework.navigation.counts",
            ],
        },
    },
]

# Plain inputs, text areas and select boxes are written in Python, with Django's markup.
FORM_RENDERER = "casework.form_renderer.FastRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'casework.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Writers queue behind each other instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "casework.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:queue"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account, and
# separately an address, is refused for AXES_COOLOFF_TIME even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Sign-ins are already in the audit log; axes' own access log would only copy them.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "casework.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "casework.middleware.client_ip"

# The public pages (public/): limits kept in the database, so that they hold across
# several app servers. Posts of a public form per address and hour (a drive's riders
# may share one venue's Wi-Fi address: keep it well above a drive's size), stored
# submissions per mobile and day, wrong status answers per address and per code in
# each PUBLIC_STATUS_COOLOFF_MINUTES (like the sign-in lockout).
PUBLIC_LIMIT_PER_IP = int(env("PUBLIC_LIMIT_PER_IP", "600"))
PUBLIC_LIMIT_PER_MOBILE = int(env("PUBLIC_LIMIT_PER_MOBILE", "5"))
PUBLIC_STATUS_FAILURE_LIMIT = int(env("PUBLIC_STATUS_FAILURE_LIMIT", "5"))
PUBLIC_STATUS_COOLOFF_MINUTES = int(env("PUBLIC_STATUS_COOLOFF_MINUTES", "30"))
# A public form sent sooner than this after it was shown is a robot's; later than
# PUBLIC_FORM_MAX_AGE_SECONDS it is stale (the page is shown again to send).
PUBLIC_FORM_MIN_SECONDS = int(env("PUBLIC_FORM_MIN_SECONDS", "3"))
PUBLIC_FORM_MAX_AGE_SECONDS = int(env("PUBLIC_FORM_MAX_AGE_SECONDS", "7200"))
# A declined online request keeps the person's answers this long (public.retention).
PUBLIC_DECLINED_KEEP_DAYS = int(env("PUBLIC_DECLINED_KEEP_DAYS", "365"))
# The largest body a public form may post (its fields are short).
PUBLIC_MAX_REQUEST_BYTES = int(env("PUBLIC_MAX_REQUEST_BYTES", "20000"))

# Two-factor sign-in (django-otp): supervisors, auditors and administrators enter a code
# from an authenticator app after their password (casework.two_factor). Wrong codes
# are throttled per device: after n in a row the next try waits 2^(n-1) seconds.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Casework")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The demo accounts' authenticator secret (base32), known to everyone: only seed_demo
# uses it, and only where DEMO_MODE is on. `manage.py demo_totp` prints the current code.
DEMO_TOTP_SECRET = env("DEMO_TOTP_SECRET", "CASEWORKDEMOSUIZHOUTOTPSECRET234")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    # Case documents live outside the web root and are only served by a view
    # that checks the case's permissions. Each file is written beside its name and
    # renamed when whole (casework/storage.py): a full disk leaves no half file.
    "default": {
        "BACKEND": "casework.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": env("DOCUMENT_ROOT", str(BASE_DIR / "var" / "documents"))},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fonts cut for printable documents (casework/pdf_fonts.py), made on first use.
PDF_FONT_DIR = Path(env("PDF_FONT_DIR", str(BASE_DIR / "var" / "fonts")))
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail (reminders, issue 14), with Django 6.1's MAILERS. Development and the demo
# print messages on the console; production sets EMAIL_HOST and the rest for its
# SMTP server (EMAIL_BACKEND names another backend if needed).
_EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env("EMAIL_HOST", "localhost"),
    "port": int(env("EMAIL_PORT", "25")),
    "username": env("EMAIL_HOST_USER"),
    "password": env("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS"),
    "use_ssl": env_bool("EMAIL_USE_SSL"),
    "timeout": int(env("EMAIL_TIMEOUT", "30")),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "casework@localhost")
# Where links in e-mail point: the address staff open the application at.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# /readyz answers 503 when a job has waited longer than this: no worker is taking jobs.
READY_MAX_QUEUE_AGE_SECONDS = int(env("READY_MAX_QUEUE_AGE_SECONDS", "300"))
# The reaper (casework/task_reaper.py, `manage.py reap_tasks`) puts a RUNNING task that has
# shown no sign of life (claim or progress) for this long back to be claimed again: its
# worker died. After TASK_MAX_CLAIMS claims the task is failed instead.
TASK_RUNNING_LIMIT_SECONDS = int(env("TASK_RUNNING_LIMIT_SECONDS", "900"))
TASK_MAX_CLAIMS = int(env("TASK_MAX_CLAIMS", "3"))
# An export job that fails for a passing reason (the database, the disk) is queued again
# after EXPORT_RETRY_SECONDS, then 4 times that, and so on, EXPORT_MAX_ATTEMPTS builds in all.
EXPORT_MAX_ATTEMPTS = int(env("EXPORT_MAX_ATTEMPTS", "3"))
EXPORT_RETRY_SECONDS = int(env("EXPORT_RETRY_SECONDS", "30"))
# The figures page reads the precomputed summary (`manage.py refresh_figures`) when
# its latest refresh began no longer ago than this; otherwise it counts live.
FIGURES_SUMMARY_MAX_AGE_MINUTES = int(env("FIGURES_SUMMARY_MAX_AGE_MINUTES", "30"))

# The REST API for other systems (api/): tokens only, JSON only, errors in the
# client's language (Accept-Language). CASEWORK_API_RATE: calls per token, e.g.
# "600/min"; counted in the default cache (per process unless a shared cache is set).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("CASEWORK_API_RATE", "600/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.auth.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": (
        "For the federation's other systems: the 12351 hotline, the membership "
        "registry, the statistics portal. Send `Authorization: Bearer <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via
# TRUST_X_FORWARDED_PROTO=true.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
# Besides the absolute age: a session unused this long is ended (IdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = int(env("SESSION_IDLE_TIMEOUT_MINUTES", "30")) * 60
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind one reverse proxy that sets X-Forwarded-For, the audit log records the
# address the proxy saw instead of the proxy's own.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# The figures' summary tables have covering indexes (INCLUDE) for PostgreSQL's
# index-only reads; SQLite, the embedded default, builds them without the extra
# columns, which is all models.W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

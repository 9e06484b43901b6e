"""Django settings: wiring only. Everything about one council comes from sites/<slug>/site.toml."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.site import BASE_DIR, load_site


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in ("1", "true", "yes", "on")


CRM_SITE = load_site(os.environ.get("CRM_SITE", "demo"))
SITE_DIR: Path = CRM_SITE.data_dir

DEBUG = env_bool("CRM_DEBUG")


def _secret_key() -> tuple[str, str]:
    """The key and where it came from: the environment (CRM_SECRET_KEY), a file outside the
    repository (CRM_SECRET_KEY_FILE, e.g. a mounted secret), else a key generated once beside
    the site's data for the demo and the tests (`check --deploy` warns about that one)."""
    if key := os.environ.get("CRM_SECRET_KEY"):
        return key, "environment"
    if name := os.environ.get("CRM_SECRET_KEY_FILE"):
        path = Path(name).resolve()
        if path.is_relative_to(BASE_DIR.resolve()):
            raise ImproperlyConfigured(
                f"CRM_SECRET_KEY_FILE ({path}) is inside the repository: keep secrets outside it"
            )
        try:
            return path.read_text().strip(), "file"
        except OSError as exc:
            raise ImproperlyConfigured(f"CRM_SECRET_KEY_FILE cannot be read: {exc}") from exc
    if env_bool("CRM_REQUIRE_SECRET_KEY"):
        raise ImproperlyConfigured(
            "CRM_SECRET_KEY or CRM_SECRET_KEY_FILE must be set in this environment"
        )
    path = SITE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip(), "generated"


SECRET_KEY, CRM_SECRET_KEY_SOURCE = _secret_key()
ALLOWED_HOSTS = [
    h for h in os.environ.get("CRM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
# Where residents reach the site: the start of every link in a message or a feed (site.toml's
# [council] public_url; the environment may override it, e.g. per deployment stage).
CRM_PUBLIC_URL = (os.environ.get("CRM_PUBLIC_URL") or CRM_SITE.public_url).rstrip("/")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CRM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
CRM_ADMIN_URL = os.environ.get("CRM_ADMIN_URL", "admin/")  # where the Django admin is (urls.py)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "apps.council_crm",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.council_crm.context_processors.council",
            ],
        },
    },
]

# SQLite by default (the embedded demo); DATABASE_URL switches to PostgreSQL.
if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Server-side binding: psycopg prepares a statement a connection runs repeatedly, so
        # PostgreSQL plans each query shape once per connection instead of on every call.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool(
            "CRM_DB_SERVER_SIDE_BINDING", True
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SITE_DIR / "db.sqlite3"),
            "OPTIONS": {
                # WAL for concurrent readers; FULL so that an acknowledged write survives a
                # power cut; IMMEDIATE so writers queue instead of failing on upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "council_crm.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

_LANGUAGE_NAMES = {"en": _("English"), "cy": _("Welsh"), "ga": _("Irish")}
LANGUAGE_CODE = CRM_SITE.languages[0]
LANGUAGES = [(code, _LANGUAGE_NAMES[code]) for code in CRM_SITE.languages]
FORMAT_MODULE_PATH = ["apps.council_crm.formats"]
LOCALE_PATHS = [BASE_DIR / "apps" / "council_crm" / "locale"]
TIME_ZONE = CRM_SITE.timezone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = SITE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve from the apps' static folders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get(
    "CRM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = CRM_SITE.mail_sender
SERVER_EMAIL = CRM_SITE.mail_sender

SESSION_ENGINE = "apps.council_crm.sessions"  # Django's database sessions, read faster

# The cache counts rate limits (sign-in, sign-up, password reset, tracking look-ups), so it is
# shared by every process: a table in the database (`manage.py createcachetable`, run by
# `make migrate`; the test runner makes it in the test database).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "crm_cache",
    }
}

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:account"
LOGOUT_REDIRECT_URL = "portal:home"

# Resident accounts: django-allauth at /account/ (see docs/adr/0011-*). Residents sign up and
# sign in with their email address, verified before the first sign-in; staff and councillors
# (created by the council) sign in there too, by username or email. Every form is rate limited
# (allauth counts in the default cache, which every process shares).
INSTALLED_APPS += ["allauth", "allauth.account"]
MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "apps.council_crm.portal.allauth_adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "apps.council_crm.portal.allauth_adapter.SignupNamesForm"
ACCOUNT_FORMS = {
    name: f"apps.council_crm.portal.allauth_forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "change_password": "ChangePasswordForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account: the one the citizen record matches
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = False
# Changing the email address or password, downloading everything held about you and deleting
# the account ask for the password again (signing in does not count); it holds for 5 minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    # failed sign-ins: 10 a minute from one address, 5 in 5 minutes for one account (a wrong
    # second-factor code counts against the account too: allauth.mfa uses "login_failed")
    "login_failed": "10/m/ip,5/300s/key",
    "login": "30/m/ip",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}

# --- Sign-in security: MFA and sessions (issue 15; docs/adr/0020-*) ---------------------------
# One block for the second factor, session lifetimes and signing out everywhere; the security
# headers are elsewhere in this file.
#
# allauth.mfa at /account/2fa/: an authenticator app (TOTP, with recovery codes) and security
# keys or passkeys (WebAuthn). `apps.council_crm.security.MfaRequiredMiddleware` sends anyone who
# can see other people's personal data (every role but the resident; is_staff; superusers) to
# set one up before anything else, unless the site turns it off ([security] require_mfa = false,
# the demo sites only). Residents may add one from their account page.
INSTALLED_APPS += ["allauth.mfa"]
MFA_ADAPTER = "apps.council_crm.portal.mfa_adapter.MfaAdapter"
MFA_FORMS = {
    name: f"apps.council_crm.portal.mfa_forms.{form}"
    for name, form in {
        "authenticate": "AuthenticateForm",
        "reauthenticate": "ReauthenticateForm",
        "activate_totp": "ActivateTOTPForm",
        "add_webauthn": "AddWebAuthnForm",
        "edit_webauthn": "EditWebAuthnForm",
    }.items()
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True  # "Sign in with a passkey" on the sign-in page
MFA_TOTP_ISSUER = CRM_SITE.name  # the name the authenticator app shows
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side, for a phone's clock drift
MFA_RECOVERY_CODE_COUNT = 10
# allauth counts MFA sign-in failures under "login_failed" (ACCOUNT_RATE_LIMITS, per account);
# a passkey sign-in, which has no account to count against, is limited per address.
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
# WebAuthn needs a secure origin; the demo runs on http://127.0.0.1, which browsers treat as one.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
CRM_REQUIRE_MFA = CRM_SITE.require_mfa

# The same answer whether an account exists or not (sign-in, reset, sign-up).
ACCOUNT_PREVENT_ENUMERATION = True
# Changing the password signs the account out everywhere, this browser included (Django's
# session hash ends the other sessions; allauth ends this one). A second-factor change ends
# every other session (MfaAdapter -> services.accounts.sessions_end_others).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Django rotates the session key at every sign-in (cycle_key), so a session id planted before
# signing in is worthless afterwards (tests/council_crm/test_security.py).

# Staff sessions (everyone MFA is required for) end after [security] staff_idle_minutes
# without a request and staff_session_hours after signing in, whatever the activity
# (`StaffSessionMiddleware`); residents keep Django's session (two weeks, closing the browser
# does not end it).
CRM_STAFF_IDLE_SECONDS = CRM_SITE.staff_idle_minutes * 60
CRM_STAFF_SESSION_SECONDS = CRM_SITE.staff_session_hours * 3600
MIDDLEWARE += [
    "apps.council_crm.security.StaffSessionMiddleware",
    "apps.council_crm.security.MfaRequiredMiddleware",
]
# --- end of sign-in security ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CRM_LOG_LEVEL", "INFO")},
}

# Notifications
# GOV.UK Notify: with no API key, texts go to a local capture (logged) and email to
# EMAIL_BACKEND, so the demo needs no Notify account. The SMS template (and the optional email
# template, which routes email through Notify too) must have the whole content ((body));
# the email template's subject is ((subject)).
CRM_NOTIFY_API_KEY = os.environ.get("CRM_NOTIFY_API_KEY", "")
CRM_NOTIFY_BASE_URL = os.environ.get(
    "CRM_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
CRM_NOTIFY_SMS_TEMPLATE_ID = os.environ.get("CRM_NOTIFY_SMS_TEMPLATE_ID", "")
CRM_NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("CRM_NOTIFY_EMAIL_TEMPLATE_ID", "")
CRM_NOTIFY_TIMEOUT = float(os.environ.get("CRM_NOTIFY_TIMEOUT", "10"))
EMAIL_TIMEOUT = float(os.environ.get("CRM_EMAIL_TIMEOUT", "10"))
# The outbox: give up after this many attempts (backoff 1, 5, 25 min ... capped at 6 h);
# a worker holds a message for the lease (raised to at least 2 x the timeouts + 1 s).
CRM_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("CRM_OUTBOX_MAX_ATTEMPTS", "8"))
CRM_OUTBOX_LEASE_SECONDS = float(os.environ.get("CRM_OUTBOX_LEASE_SECONDS", "300"))
CRM_OUTBOX_BACKOFF_SECONDS = float(os.environ.get("CRM_OUTBOX_BACKOFF_SECONDS", "60"))
CRM_CONFIG_CACHE_SECONDS = int(os.environ.get("CRM_CONFIG_CACHE_SECONDS", "30"))
# The worker gives way to the web server while the CPU is contended, for at most this many
# seconds before each report it logs (ADR 0014); 0 never gives way.
CRM_WORKER_GIVE_WAY_SECONDS = float(os.environ.get("CRM_WORKER_GIVE_WAY", "5"))


# ---------------------------------------------------------------------------------------------
# Security headers, cookies and production checks (issue 15 points 3 and 4, ADR 0021).
# One block so that it merges cleanly with the MFA and admin settings above.
# ---------------------------------------------------------------------------------------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# Served over HTTPS unless this is a loopback development server (CRM_DEBUG=1, `make run`) or
# CRM_HTTPS=0 says so (a private test host behind no TLS).
CRM_HTTPS = not DEBUG and env_bool("CRM_HTTPS", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CRM_HTTPS
SESSION_COOKIE_SAMESITE = "Lax"  # Lax: a link from an email to a case must arrive signed in
CSRF_COOKIE_SECURE = CRM_HTTPS
CSRF_COOKIE_HTTPONLY = True  # the forms carry the token; no script reads the cookie
CSRF_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SECURE = CRM_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if CRM_HTTPS else "http"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if CRM_HTTPS:
    # In production TLS usually ends at a proxy in front (nginx, a load balancer): it redirects
    # plain HTTP and sets X-Forwarded-Proto, which Django trusts only when told to (a client
    # could send the header itself when nothing in front overwrites it). CRM_SSL_REDIRECT=1
    # makes Django redirect too (tests/council_crm/security/test_deploy.py's production
    # environment sets both); health probes stay on plain HTTP inside.
    if env_bool("CRM_TRUST_X_FORWARDED_PROTO"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("CRM_SSL_REDIRECT")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("CRM_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CRM_HSTS_INCLUDE_SUBDOMAINS", True)
    # A council's domain belongs on the browsers' HSTS preload list (hstspreload.org) once
    # every subdomain serves HTTPS; CRM_HSTS_PRELOAD=0 until then.
    SECURE_HSTS_PRELOAD = env_bool("CRM_HSTS_PRELOAD", True)

# Content Security Policy (django-csp 4): scripts and styles only from this site's static
# files; no inline script, style attribute or <style> block in any template (a test greps
# them). A script that must be inline carries {{ request.csp_nonce }}. Leaflet positions its
# layers through element.style (CSSOM), which a CSP does not restrict. Map tiles, when the
# site has a tile server, come from its origin.
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(2, "apps.council_crm.middleware.PermissionsPolicyMiddleware")


def _origin(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return [f"{parts.scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_origin(CRM_SITE.tile_url)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": CRM_HTTPS,
    },
}
# Browser features the site never uses, turned off; geolocation only on the report journey,
# for "Use my location" (apps/council_crm/middleware.py).
CRM_PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "camera": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
}
CRM_GEOLOCATION_PATHS = ("/report/",)

# Abuse limits (issue 15 point 7, ADR 0023): (attempts, seconds) per client address and per
# session on the report's final POST, the tracking forms and sign-up; past one, 429 with
# Retry-After and nothing written. Behind proxies, ALLAUTH_TRUSTED_PROXY_COUNT (how many add
# themselves to X-Forwarded-For) says where the client's address is, for these limits and
# allauth's. A request that waited longer than CRM_MAX_QUEUE_SECONDS in the proxy's queue
# (X-Request-Start) gets 503 at once: its resident has likely given up waiting.
MIDDLEWARE.append("apps.council_crm.middleware.AbuseLimitMiddleware")
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("CRM_TRUSTED_PROXY_COUNT", "0"))
CRM_RATE_LIMITS = {
    "report-send": {"ip": (30, 3600), "session": (10, 3600)},
    "track": {"ip": (60, 900), "session": (30, 900)},
    "signup": {"ip": (20, 3600), "session": (5, 3600)},
}
CRM_MAX_QUEUE_SECONDS = float(os.environ.get("CRM_MAX_QUEUE_SECONDS", "15"))
# Uploads: at most this many files and this many bytes in one request, refused before Django
# reads the body (each photo is checked again, header first, in services/attachments.py).
DATA_UPLOAD_MAX_NUMBER_FILES = 10
CRM_MAX_REQUEST_BYTES = int(os.environ.get("CRM_MAX_REQUEST_BYTES", str(40 * 1024 * 1024)))

# DEBUG shows settings and stack traces to whoever causes an error: never on a host other than
# this machine.
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
if DEBUG and any(h not in _LOOPBACK for h in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "CRM_DEBUG is on with CRM_ALLOWED_HOSTS beyond this machine "
        f"({', '.join(h for h in ALLOWED_HOSTS if h not in _LOOPBACK)}): turn CRM_DEBUG off"
    )

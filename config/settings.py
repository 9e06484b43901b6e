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


def _secret_key() -> str:
    """From the environment; else a key generated once and kept beside the site's data."""
    if key := os.environ.get("CRM_SECRET_KEY"):
        return key
    if env_bool("CRM_REQUIRE_SECRET_KEY"):
        raise ImproperlyConfigured("CRM_SECRET_KEY must be set in this environment")
    path = SITE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h for h in os.environ.get("CRM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
# Where residents reach the site: the start of every link in a message or a feed (site.toml's
# [council] public_url; the environment may override it, e.g. per deployment stage).
CRM_PUBLIC_URL = (os.environ.get("CRM_PUBLIC_URL") or CRM_SITE.public_url).rstrip("/")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CRM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("CRM_HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SESSION_COOKIE_SECURE else "http"
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

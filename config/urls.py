"""URL wiring: each interface keeps its prefix from DESIGN.md."""

import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path

from apps.council_crm.portal import views as portal_views

# The admin signs in through allauth's sign-in page (password, then the second factor), never
# through Django's own form, which would skip the second factor (docs/adr/0020-*).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
# The first parts of the paths the interfaces own (DESIGN.md), which the admin may not take.
TAKEN = set(
    "account accessibility api cases desk favicon.ico healthz media member motions open311 "
    "privacy readyz report reports static track".split()
)


def admin_prefix(value: str | None = None) -> str:
    """The Django admin's path (`CRM_ADMIN_URL`, default `admin/`): a deployment may move it
    off the path every scanner tries (ADR 0023). Plain path characters, and not a path an
    interface owns, or the site refuses to start."""
    prefix = (settings.CRM_ADMIN_URL if value is None else value).strip().strip("/")
    parts = prefix.split("/")
    if (
        not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", prefix)
        or parts[0] in TAKEN
        or {".", ".."} & set(parts)
    ):
        raise ImproperlyConfigured(
            f"CRM_ADMIN_URL={prefix!r}: a path of letters, digits, '-', '_', '.', '~' and '/', "
            "not one the portal, desk, member area or API uses"
        )
    return prefix + "/"


urlpatterns = [
    path("healthz", portal_views.healthz, name="healthz"),
    path("readyz", portal_views.readyz, name="readyz"),
    path("favicon.ico", portal_views.favicon, name="favicon"),
    path(admin_prefix(), admin.site.urls),
    path("motions/", include("apps.council_crm.motions.urls")),
    path("desk/motions/", include("apps.council_crm.motions.desk_urls")),
    path("desk/", include("apps.council_crm.desk.urls")),
    path("member/", include("apps.council_crm.member.urls")),
    path("", include("apps.council_crm.portal.urls")),
    # Resident accounts (sign-up, email verification, password reset); `portal:login` and
    # `portal:logout` are allauth's views too, and the account pages are the portal's.
    path("account/", include("allauth.urls")),
]

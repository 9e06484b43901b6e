"""URL wiring: each interface keeps its prefix from DESIGN.md."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from apps.council_crm.portal import views as portal_views

# The admin signs in through allauth's sign-in page (password, then the second factor), never
# through Django's own form, which would skip the second factor (docs/adr/0020-*).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", portal_views.healthz, name="healthz"),
    path("readyz", portal_views.readyz, name="readyz"),
    path("favicon.ico", portal_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("motions/", include("apps.council_crm.motions.urls")),
    path("desk/motions/", include("apps.council_crm.motions.desk_urls")),
    path("desk/", include("apps.council_crm.desk.urls")),
    path("member/", include("apps.council_crm.member.urls")),
    path("", include("apps.council_crm.portal.urls")),
    # Resident accounts (sign-up, email verification, password reset); `portal:login` and
    # `portal:logout` are allauth's views too, and the account pages are the portal's.
    path("account/", include("allauth.urls")),
]

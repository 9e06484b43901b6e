"""Sign-in security middleware: a second factor before anything else, and staff session limits.

Both apply to the people `signin.mfa_required_for` names (everyone who can see other people's
personal data); residents pass through untouched. See docs/adr/0020-*.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.council_crm.signin import LAST_SEEN_AT, MFA_READY, SIGNED_IN_AT, mfa_required_for

# How often a staff session's "last seen" is written: more precision than this is not worth a
# session write on every request.
LAST_SEEN_RESOLUTION = 60


def _setup_paths() -> tuple[str, ...]:
    """Where someone who must set up a second factor may still go: the MFA pages (all under
    /account/2fa/, confirming their password included), the password confirmation allauth asks
    for before a change, and signing out."""
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        "/" + settings.STATIC_URL.lstrip("/"),
        reverse("healthz"),
        reverse("readyz"),
        reverse("favicon"),
    )


class MfaRequiredMiddleware:
    """Signed in without a second factor, someone it is required of is sent to set one up
    (the authenticator app page, which offers a security key instead) from every other page,
    the desk, the member area and the Django admin alike. Off when the site says so
    ([security] require_mfa = false: the demo sites)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up(request):
            request.crm_mfa_setup_required = True  # type: ignore[attr-defined]  # templates
            if not request.path.startswith(_setup_paths()):
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request: HttpRequest) -> bool:
        user = request.user
        if not settings.CRM_REQUIRE_MFA or not mfa_required_for(user):
            return False
        if request.session.get(MFA_READY):
            return False
        has_one = (
            Authenticator.objects.filter(user_id=user.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exists()
        )
        if has_one:
            request.session[MFA_READY] = True
        return not has_one


class StaffSessionMiddleware:
    """A staff session (anyone MFA is required of) ends after CRM_STAFF_IDLE_SECONDS without a
    request and CRM_STAFF_SESSION_SECONDS after signing in, whatever the activity; the next
    request signs out and goes to the sign-in page with a message saying why. (The cookie
    itself already ends with the browser: ACCOUNT_SESSION_REMEMBER = False.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if mfa_required_for(request.user):
            expired = self._expired(request)
            if expired:
                return expired
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest) -> HttpResponse | None:
        session, now = request.session, time.time()
        idle, lifetime = settings.CRM_STAFF_IDLE_SECONDS, settings.CRM_STAFF_SESSION_SECONDS
        signed_in = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN_AT)
        if not isinstance(signed_in, int | float) or not isinstance(last_seen, int | float):
            signed_in = last_seen = now  # signed in some other way than allauth's (tests)
            session[SIGNED_IN_AT] = now
        elif now - signed_in >= lifetime:
            return _sign_out(
                request,
                _("You have been signed out because you signed in more than %(hours)s hours ago")
                % {"hours": lifetime // 3600},
            )
        elif now - last_seen >= idle:
            return _sign_out(
                request,
                _("You have been signed out because you did nothing for %(minutes)s minutes")
                % {"minutes": idle // 60},
            )
        if now - last_seen >= LAST_SEEN_RESOLUTION or last_seen == now:
            session[LAST_SEEN_AT] = now
        return None


def _sign_out(request: HttpRequest, message: str) -> HttpResponse:
    next_url = request.get_full_path() if request.method == "GET" else ""
    logout(request)
    messages.info(request, message)
    login_url = resolve_url(settings.LOGIN_URL)
    if next_url:
        login_url = f"{login_url}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(login_url)

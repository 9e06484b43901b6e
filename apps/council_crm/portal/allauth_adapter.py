"""Resident accounts on django-allauth: its adapter, login stage and sign-up fields.

allauth runs sign-up, sign-in, email verification, password reset and rate limits; this module
is where the council's rules join in, through allauth's own extension points. The writes they
lead to are services (`services.accounts`), called explicitly here rather than from signals.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter

# allauth 65's stages and internal.flows import each other: loaded from `stages` first (as when
# a worker's system checks reach this adapter before any allauth view), the cycle fails. Load
# the flows first, as allauth's own views do.
from allauth.account.internal import flows  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.council_crm.models import Role, User
from apps.council_crm.services.accounts import (
    resident_citizen_link,
    sessions_end_others,
    sign_in_session_record,
)
from apps.council_crm.signin import LAST_SEEN_AT, MFA_READY, SIGNED_IN_AT

VERIFICATION_STAGE = "allauth.account.stages.EmailVerificationStage"


def home_url_for(user: User) -> str:
    """Where someone lands after signing in: residents their account, others their work."""
    if user.role == Role.RESIDENT and not (user.is_staff or user.is_superuser):
        return reverse("portal:account")
    if user.role in (Role.COUNCILLOR, Role.SUPPORT_OFFICER):
        return reverse("member:home")
    if user.is_staff_member or user.is_superuser:
        return reverse("desk:cases")
    return reverse("portal:home")


class ResidentEmailVerificationStage(EmailVerificationStage):
    """Residents prove their email address before they first sign in. Staff and councillors
    are given their accounts by the council, which already knows their addresses."""

    def handle(self) -> tuple[Any, bool]:
        user = self.login.user
        if user is not None and user.role != Role.RESIDENT:
            return None, True
        return super().handle()


class SignupNamesForm(forms.Form):
    """The names asked for on sign-up besides allauth's email and password fields
    (allauth's adapter saves `first_name` and `last_name` onto the user)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
        error_messages={"required": _("Enter your first name")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
        error_messages={"required": _("Enter your last name")},
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        """Nothing more to save: the adapter has set the names already."""


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("Enter a correct email address and password"),
        "username_password_mismatch": _("Enter a correct email address or username and password"),
        "too_many_login_attempts": _(
            "You have tried to sign in too many times. Wait 5 minutes, then try again"
        ),
        "email_taken": _("An account already exists with this email address"),
        "account_inactive": _("This account has been closed"),
        "rate_limited": _("You have tried too many times. Wait a few minutes, then try again"),
    }

    def new_user(self, request: HttpRequest) -> User:
        """Whoever signs up on the website is a resident (staff accounts are made by the
        council in the admin)."""
        user: User = super().new_user(request)
        user.role = Role.RESIDENT
        user.is_staff = False
        user.is_superuser = False
        return user

    def get_login_stages(self) -> list[str]:
        return [
            f"{ResidentEmailVerificationStage.__module__}.{ResidentEmailVerificationStage.__name__}"
            if path == VERIFICATION_STAGE
            else path
            for path in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up two-step verification straight after signing in (as staff must before
        anything else) does not ask for the password again: for five minutes after signing in,
        while every second factor the user has was added in this session. Adding, removing
        or renewing one later does ask."""
        request = self.request
        user = getattr(request, "user", None)
        if app == "allauth.mfa" and request is not None and isinstance(user, User):
            signed_in = request.session.get(SIGNED_IN_AT)
            if isinstance(signed_in, int | float) and (
                time.time() - signed_in < account_settings.REAUTHENTICATION_TIMEOUT
            ):
                since = datetime.fromtimestamp(signed_in, tz=UTC)
                older = Authenticator.objects.filter(user_id=user.pk, created_at__lt=since)
                if not older.exists():
                    return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return home_url_for(request.user)  # type: ignore[arg-type]  # called once signed in

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """A verified address links the account to the citizen record with that address,
        so requests made before signing up (or signed out) show in "Your requests"."""
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                resident_citizen_link(user=email_address.user, email=email_address.email)
        return bool(confirmed)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {"council": settings.CRM_SITE, **context})

    def login(self, request: HttpRequest, user: User) -> None:
        """Every sign-in (password, second factor, passkey, email link) ends here: Django gives
        the session a new key; we note when the user signed in (staff sessions' absolute
        lifetime runs from it) and which user the session is (to end it after a security
        change)."""
        super().login(request, user)
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
        if request.session.session_key:
            sign_in_session_record(user=user, session_key=request.session.session_key)

    def send_notification_mail(
        self,
        template_prefix: str,
        user: User,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        """allauth calls this once for each change to how an account signs in: a second factor
        added, removed or its recovery codes renewed ("mfa/email/..."), the password changed,
        set or reset. Each ends the user's other sessions (a password change ends them through
        Django's session hash too, and this one as well: ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE).
        The email itself goes only if ACCOUNT_EMAIL_NOTIFICATIONS is on."""
        if template_prefix.startswith("mfa/email/") or template_prefix.startswith(
            "account/email/password_"
        ):
            session = getattr(context_request(), "session", None)
            if session is not None:
                session.pop(MFA_READY, None)  # the middleware looks again at what is left
            sessions_end_others(
                user=user,
                keep_session_key=session.session_key if session is not None else None,
                actor=user,
                reason=template_prefix,
            )
        super().send_notification_mail(template_prefix, user, context, email)


def context_request() -> HttpRequest | None:
    """The request allauth is handling (its AccountMiddleware keeps it), if any."""
    from allauth.core import context

    return getattr(context, "request", None)

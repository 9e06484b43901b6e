"""Resident accounts on django-allauth: its adapter, login stage and sign-up fields.

allauth runs sign-up, sign-in, email verification, password reset and rate limits; this module
is where the council's rules join in, through allauth's own extension points. The writes they
lead to are services (`services.accounts`), called explicitly here rather than from signals.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

# allauth 65's stages and internal.flows import each other: loaded from `stages` first (as when
# a worker's system checks reach this adapter before any allauth view), the cycle fails. Load
# the flows first, as allauth's own views do.
from allauth.account.internal import flows  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.council_crm.models import Role, User
from apps.council_crm.services.accounts import resident_citizen_link

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

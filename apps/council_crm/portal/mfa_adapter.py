"""allauth.mfa's adapter: the council's rule that staff keep a second factor."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from apps.council_crm.signin import mfa_required_for


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Add another way to confirm it is you before you remove this one: your account "
            "must keep one"
        ),
        "incorrect_code": _(
            "Enter the code your authenticator app shows now, or one of your recovery codes"
        ),
        "unverified_email": _(
            "Confirm your email address from the link we sent before you set this up"
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone a second factor is required of may remove one only while another (an app or
        a security key; recovery codes alone do not count) remains."""
        if not mfa_required_for(authenticator.user):
            return True
        return (
            Authenticator.objects.filter(user_id=authenticator.user_id)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exists()
        )

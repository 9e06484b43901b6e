"""Sign-in sessions by user, so that a security change can end a user's other sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInSession(models.Model):
    """One row per session a user signed in with (Django's session table cannot be searched by
    user: the user id is inside the encoded data). Written when allauth signs someone in
    (`services.accounts.sign_in_session_record`); a password or second-factor change ends every
    other session of the user through it (`sessions_end_others`). Rows of sessions that ended
    otherwise (sign-out, expiry) are tidied when the user next signs in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    signed_in_at = models.DateTimeField(_("signed in"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "signed_in_at"], name="signinsession_user")]
        verbose_name = _("sign-in session")
        verbose_name_plural = _("sign-in sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"

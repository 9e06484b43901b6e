"""The member area's own settings: which emails a councillor wants about their casework."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .comms import NotificationEvent


class MemberPreferences(models.Model):
    """One councillor's (or support officer's) choice of emails; no row means the defaults:
    every case email, no weekly digest (opt-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_preferences"
    )
    email_logged = models.BooleanField(_("when a case is logged"), default=True)
    email_assigned = models.BooleanField(_("when a case is assigned"), default=True)
    email_delayed = models.BooleanField(_("when a case is delayed"), default=True)
    email_updated = models.BooleanField(_("when a case is updated"), default=True)
    email_completed = models.BooleanField(_("when a case is completed"), default=True)
    weekly_digest = models.BooleanField(_("weekly digest"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member email preferences")
        verbose_name_plural = _("member email preferences")

    def __str__(self) -> str:
        return f"Email preferences of {self.user_id}"

    def wants(self, event: str) -> bool:
        """Does this member want an email for this notification event?"""
        field = EVENT_PREFERENCE.get(event)
        return True if field is None else bool(getattr(self, field))


# The notification events a member may turn off, and the preference that says so.
EVENT_PREFERENCE: dict[str, str] = {
    NotificationEvent.ACKNOWLEDGEMENT: "email_logged",
    NotificationEvent.MEMBER_ASSIGNED: "email_assigned",
    NotificationEvent.DELAY: "email_delayed",
    NotificationEvent.PUBLIC_UPDATE: "email_updated",
    NotificationEvent.COMPLETION: "email_completed",
    NotificationEvent.MEMBER_DIGEST: "weekly_digest",
}
PREFERENCE_FIELDS = [
    "email_logged",
    "email_assigned",
    "email_delayed",
    "email_updated",
    "email_completed",
    "weekly_digest",
]

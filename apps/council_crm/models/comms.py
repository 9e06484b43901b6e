"""Communications: notification templates and the transactional outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import ServiceRequest
from .people import Citizen


class NotificationEvent(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    DELAY = "delay", _("Delay")
    PUBLIC_UPDATE = "public_update", _("Public update")
    COMPLETION = "completion", _("Completion")
    ASSIGNED = "assigned", _("Assigned to you (staff)")
    BREACH = "breach", _("Service standard breached (staff)")
    MOTION_ACTION_DUE = "motion_action_due", _("Motion follow-up action due soon (staff)")
    MOTION_ACTION_OVERDUE = "motion_action_overdue", _("Motion follow-up action overdue (staff)")
    MEMBER_ASSIGNED = "member_assigned", _("Case assigned (councillor)")
    MEMBER_DIGEST = "member_digest", _("Weekly digest (councillor)")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class NotificationTemplate(models.Model):
    event = models.CharField(_("event"), max_length=32, choices=NotificationEvent.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel.choices)
    language = models.CharField(_("language"), max_length=8, default="en")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(
        _("body"), help_text=_("Django template syntax, e.g. {{ case.reference }}.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="unique_notification_template"
            )
        ]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return f"{self.get_event_display()} – {self.get_channel_display()} ({self.language})"


class OutboxMessage(models.Model):
    """A message written in the same transaction as the change it reports; sent by the worker.

    Append-only apart from delivery state: it is its own history.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.CharField(_("event"), max_length=32, choices=NotificationEvent.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    case = models.ForeignKey(
        ServiceRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"

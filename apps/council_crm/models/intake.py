"""Reports received from the website and waiting for the worker to log them as cases (ADR 0013).

A resident's "Send report" writes one of these rows, with the case reference already taken,
and returns: the resident sees the reference, the team and the promised date at once, and the
worker makes the case (routing, duplicates, history, the acknowledgement) moments later, then
deletes the row in the same transaction. Only reports not yet logged are here: pending ones for
seconds, and failed ones until staff deal with them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogue import ServiceCategory
from .geography import Division
from .people import Team


class ReportSubmission(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be logged")
        LOGGING = "logging", _("Being logged")
        FAILED = "failed", _("Could not be logged")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    payload_hash = models.CharField(max_length=64)
    # case_create's arguments (category code, description, answers, location, contact,
    # anonymous), the photos waiting in the journey's upload folder, and the consent given
    payload = models.JSONField()
    # what the confirmation page shows until the case exists
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promised_date = models.DateField(_("promised date"))
    # to find it by the contact given (tracking, subject access, erasure)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(_("received"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # after a failed attempt, not before this (empty: at once); while a worker holds it, the
    # end of its lease
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("web report waiting to be logged")
        verbose_name_plural = _("web reports waiting to be logged")

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_state_display()})"

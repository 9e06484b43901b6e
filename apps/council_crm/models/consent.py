"""Consent: what a citizen agreed to share, with whom, and when they withdrew it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .cases import ServiceRequest
from .people import Channel, Citizen, Councillor


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    class Purpose(models.TextChoices):
        SHARE_WITH_COUNCILLOR = "share_with_councillor", _("Share with my councillor")
        CONTACT_ABOUT_CASE = "contact_about_case", _("Contact me about this case")
        SURVEYS = "surveys", _("Satisfaction surveys")

    class Scope(models.TextChoices):
        CASE = "case", _("This case")
        ALL_CASES = "all_cases", _("All my cases")

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    case = models.ForeignKey(
        ServiceRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    councillor = models.ForeignKey(
        Councillor,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
        help_text=_("Empty: any councillor of the case's division."),
    )
    channel = models.CharField(_("given through"), max_length=16, choices=Channel.choices)
    wording_version = models.CharField(_("wording version"), max_length=32)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    objects = ConsentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["citizen", "purpose"], name="consent_citizen_purpose"),
            models.Index(fields=["case", "purpose"], name="consent_case_purpose"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="all_cases", case__isnull=True)
                | Q(scope="case", case__isnull=False),
                name="consent_scope_matches_case",
            )
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_scope_display()})"

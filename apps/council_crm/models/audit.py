"""Audit: who looked at personal data, and tombstones for erasure and retention."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """Append-only record of every view of a case's personal data or a citizen record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_label = models.CharField(_("who"), max_length=200)
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.CharField(_("record"), max_length=64)
    citizen_id = models.BigIntegerField(_("citizen"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=32, default="view")
    via = models.CharField(_("page or API"), max_length=300)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="accesslog_object")]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.user_label} {self.action} {self.object_type} {self.object_id}"


class AuditAction(models.TextChoices):
    """Every act the audit trail records; `services.audit.audit_record` writes them."""

    ACCOUNT_LINKED = "account_linked", _("account linked to a citizen record")
    CITIZEN_EMAIL_CHANGED = "citizen_email_changed", _("citizen's email address changed")
    CITIZEN_PREFERENCES_CHANGED = "citizen_preferences_changed", _("citizen's preferences changed")
    CITIZEN_ANONYMISED = "citizen_anonymised", _("citizen's personal data erased")
    CASE_RETENTION_ANONYMISED = "case_retention_anonymised", _("case anonymised at retention")
    SUBJECT_ACCESS_EXPORT = "subject_access_export", _("subject access export")
    CONSENT_GRANTED = "consent_granted", _("consent granted")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
    WEB_REPORT_RETRIED = "web_report_retried", _("web report sent again")
    CASE_STATUS_CHANGED = "case_status_changed", _("case status changed")
    CASE_REASSIGNED = "case_reassigned", _("case reassigned")
    CASE_PRIORITY_CHANGED = "case_priority_changed", _("case priority changed")
    CASE_CATEGORY_CHANGED = "case_category_changed", _("case category changed")
    CASE_UPDATED = "case_updated", _("public update or internal note added")
    CASE_MERGED = "case_merged", _("case merged into another")
    CASE_LINKED = "case_linked", _("cases linked")
    CASE_REOPENED = "case_reopened", _("case reopened")
    CASE_FILE_ATTACHED = "case_file_attached", _("file attached to a case")
    CONTACT_LOGGED = "contact_logged", _("contact logged")
    SAVED_VIEW_CHANGED = "saved_view_changed", _("saved view changed")
    SESSIONS_ENDED = "sessions_ended", _("other sessions ended after a security change")
    CASE_FOLLOWED = "case_followed", _("case followed or unfollowed")
    MEMBER_PREFERENCES_CHANGED = "member_preferences_changed", _("member's emails changed")


class AuditEvent(models.Model):
    """A significant act (consent, account, erasure, retention, export), kept as a tombstone.

    `data["changes"]` holds `{field: [old, new]}`; the values of personal fields are never
    written here, because an audit row outlives the erasure of the person it is about.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.CharField(_("record"), max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"

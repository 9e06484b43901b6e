"""Notices of Motion: the public register of motions, replies and follow-up actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import ServiceCategory
from .people import Councillor, Department, Team


class Meeting(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("committee or body"), max_length=200, default=_("Full Council"))
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["-date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %B %Y})"


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    categories = models.ManyToManyField(ServiceCategory, blank=True, related_name="topics")

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Motion(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ON_AGENDA = "on_agenda", _("On agenda")
        PASSED = "passed", _("Passed")
        PASSED_AMENDED = "passed_amended", _("Passed as amended")
        DEFEATED = "defeated", _("Defeated")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DEFERRED = "deferred", _("Deferred")
        RULED_OUT = "ruled_out", _("Ruled out of order")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    proposer = models.ForeignKey(
        Councillor, on_delete=models.PROTECT, related_name="motions_proposed"
    )
    seconder = models.ForeignKey(
        Councillor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions_seconded",
    )
    submitted_on = models.DateField(_("submitted"))
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="motions"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    decision_text = models.TextField(_("decision"), blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="motions")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["status", "-submitted_on"], name="motion_status")]
        verbose_name = _("notice of motion")
        verbose_name_plural = _("notices of motion")

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class MotionReply(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer_name = models.CharField(_("officer"), max_length=200, blank=True)
    replied_on = models.DateField(_("date"))
    text = models.TextField(_("reply"))

    class Meta:
        ordering = ["replied_on", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"Reply to {self.motion.reference} ({self.replied_on})"


class FollowUpAction(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        CANCELLED = "cancelled", _("Cancelled")

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="motion_actions")
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    completed_on = models.DateField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due")]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.description[:80]


class ActionProgressNote(models.Model):
    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:60]}"


class MotionEvent(models.Model):
    """The motion's public timeline; the staff actor is kept but never shown publicly."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("motion event")
        verbose_name_plural = _("motion events")

    def __str__(self) -> str:
        return self.text[:80]

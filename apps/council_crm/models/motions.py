"""Notices of Motion: the public register of motions, replies and follow-up actions."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.expressions import CombinedExpression
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import ServiceCategory
from .people import Councillor, Department, Team

# PostgreSQL text-search configuration for the register (stemming and stop words).
SEARCH_CONFIG = "english"


def motion_search_vector() -> CombinedExpression:
    """What Motion.search_vector holds: the title (weight A) and the text (weight B)."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "text", weight="B", config=SEARCH_CONFIG
    )


class Meeting(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("committee or body"), max_length=200, default=_("Full Council"))
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["body", "date"], name="unique_meeting")]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %B %Y})"


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(ServiceCategory, blank=True, related_name="topics")

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("motions:topic", args=[self.slug])


class MotionQuerySet(models.QuerySet["Motion"]):
    def decided(self) -> MotionQuerySet:
        return self.filter(status__in=Motion.DECIDED)

    def by_councillor(self, councillor: Councillor) -> MotionQuerySet:
        return self.filter(models.Q(proposer=councillor) | models.Q(seconder=councillor))


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

    # Outcomes: each needs a decision date. Deferred is recorded with a date too but stays open.
    DECIDED = (
        Status.PASSED,
        Status.PASSED_AMENDED,
        Status.DEFEATED,
        Status.WITHDRAWN,
        Status.RULED_OUT,
    )
    # Motions that can take follow-up actions (a withdrawn or ruled-out motion cannot).
    NO_ACTIONS = (Status.WITHDRAWN, Status.RULED_OUT)

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
    # Full-text search on PostgreSQL (GIN-indexed, kept up to date by the services); unused and
    # empty on SQLite, where the register is searched with LIKE.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = MotionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["status", "-submitted_on"], name="motion_status"),
            models.Index(fields=["-submitted_on", "-id"], name="motion_submitted"),
        ]
        verbose_name = _("notice of motion")
        verbose_name_plural = _("notices of motion")

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("motions:detail", args=[self.reference])

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED


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

    @property
    def author(self) -> str:
        """Who replied, as the public sees it: the officer's role and the department."""
        parts = [self.officer_name, self.department.name if self.department else ""]
        return ", ".join(p for p in parts if p)


class FollowUpActionQuerySet(models.QuerySet["FollowUpAction"]):
    def open(self) -> FollowUpActionQuerySet:
        return self.filter(status__in=FollowUpAction.OPEN)

    def overdue(self, today: date | None = None) -> FollowUpActionQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class FollowUpAction(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED)

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="motion_actions")
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    created_on = models.DateField(_("agreed"), default=timezone.localdate)
    completed_on = models.DateField(_("completed"), null=True, blank=True)

    objects = FollowUpActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due")]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


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
    """The motion's public timeline; the staff actor is kept but never shown publicly.

    Append-only, like the case timeline: it is its own history.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        EDITED = "edited", _("Wording or details changed")
        SCHEDULED = "scheduled", _("Put on an agenda")
        DECISION = "decision", _("Decision")
        REPLY = "reply", _("Reply")
        ACTION = "action", _("Follow-up action agreed")
        ACTION_CHANGED = "action_changed", _("Follow-up action changed")
        PROGRESS = "progress", _("Progress on an action")

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.EDITED, db_index=True
    )
    text = models.TextField()
    action = models.ForeignKey(
        FollowUpAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="motion_event_recent")]
        verbose_name = _("motion event")
        verbose_name_plural = _("motion events")

    def __str__(self) -> str:
        return self.text[:80]


class MotionReport(models.Model):
    """The monthly report of motions and action status, kept as published for each month."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    html = models.TextField(_("report (HTML)"))
    csv = models.TextField(_("report (CSV)"))
    generated_at = models.DateTimeField(_("generated"))
    final = models.BooleanField(
        _("final"), default=False, help_text=_("Generated after the month ended.")
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly motions report")
        verbose_name_plural = _("monthly motions reports")

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("motions:report", args=[self.month])

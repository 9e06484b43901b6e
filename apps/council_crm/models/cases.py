"""Cases: service requests, their timeline, attachments, contacts and references."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue import CaseStatus, Priority, ServiceCategory, StateCategory
from .geography import Division
from .people import Channel, Citizen, Councillor, Team

OPEN_STATES = (StateCategory.NEW, StateCategory.OPEN, StateCategory.PAUSED)


class ServiceRequestQuerySet(models.QuerySet["ServiceRequest"]):
    def open(self) -> ServiceRequestQuerySet:
        return self.filter(status__state__in=OPEN_STATES)

    def overdue(self) -> ServiceRequestQuerySet:
        return self.open().filter(sla_due_at__lt=timezone.now())

    def in_division(self, division: Division) -> ServiceRequestQuerySet:
        return self.filter(division=division)


class ServiceRequest(models.Model):
    """A case: one request for service, however it reached the council."""

    class RaisedAs(models.TextChoices):
        COUNCILLOR = "councillor", _("In their role as councillor")
        INDIVIDUAL = "individual", _("As an individual")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    # Foreign keys that lead a composite index below have no index of their own (db_index=False):
    # each index is written on every insert, and the composite serves the same look-ups.
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    status = models.ForeignKey(
        CaseStatus, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    description = models.TextField(_("description"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    division = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    is_anonymous = models.BooleanField(_("anonymous report"), default=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_cases",
    )
    on_behalf_of = models.ForeignKey(
        Councillor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="casework",
        verbose_name=_("on behalf of councillor"),
        db_index=False,
    )
    raised_as = models.CharField(
        _("councillor raised it"), max_length=16, choices=RaisedAs.choices, blank=True
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_due_at = models.DateTimeField(_("due"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # Related cases an officer linked by hand (not duplicates: both stay open on their own).
    linked_cases = models.ManyToManyField("self", symmetrical=True, blank=True)
    demand_count = models.PositiveIntegerField(_("reports of this issue"), default=1)
    is_recurring = models.BooleanField(_("recurring issue"), default=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    # History is read by the case's id and date, and by citizen and raiser for subject access
    # and erasure: its copies of the other indexed columns need no index.
    history = HistoricalRecords(
        excluded_fields=["payload_hash", "idempotency_key"],
        no_db_index=[
            "reference",
            "category",
            "status",
            "division",
            "on_behalf_of",
            "team",
            "assignee",
            "duplicate_of",
        ],
    )
    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            models.Index(fields=["team", "status"], name="case_team_status"),
            # with the team: "assigned to me" in my teams is read from the index alone
            models.Index(fields=["assignee", "status", "team"], name="case_assignee_status_team"),
            # a division's cases by date; on PostgreSQL its counts by (category, status) and the
            # member's division page are read from the index alone (ADR 0025)
            models.Index(
                fields=["division", "-created_at"],
                name="case_division_cover",
                include=["category", "status", "id"],
            ),
            models.Index(fields=["category", "-created_at"], name="case_category_created"),
            models.Index(fields=["-created_at"], name="case_created"),
            models.Index(fields=["latitude", "longitude"], name="case_location"),
            # duplicates.survey: the same category inside a bounding box
            models.Index(
                fields=["category", "latitude", "longitude"], name="case_category_location"
            ),
            models.Index(fields=["sla_due_at"], name="case_sla_due"),
            # the desk's "recently closed" queue and its count, for a team or for everyone
            models.Index(fields=["resolved_at", "team"], name="case_resolved_team"),
            # the desk's "unassigned" queue and its count: few rows, read on every queue page
            models.Index(
                fields=["team", "status"],
                name="case_unassigned",
                condition=Q(assignee__isnull=True),
            ),
            models.Index(fields=["on_behalf_of"], name="case_on_behalf_of"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="case_location_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseEvent(models.Model):
    """One line of a case's timeline. Append-only: it is the case's own history."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ASSIGNED = "assigned", _("Assigned")
        STATUS = "status", _("Status changed")
        PUBLIC_UPDATE = "public_update", _("Public update")
        INTERNAL_NOTE = "internal_note", _("Internal note")
        NOTIFICATION = "notification", _("Notification sent")
        MERGED = "merged", _("Merged")
        CATEGORY = "category", _("Category changed")
        SLA = "sla", _("Service standard")
        CONTACT = "contact", _("Contact logged")
        PRIORITY = "priority", _("Priority changed")
        LINKED = "linked", _("Linked")
        ATTACHMENT = "attachment", _("File attached")

    # indexed by event_case_created, which leads with the case
    case = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    is_public = models.BooleanField(_("shown to the resident"), default=False)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_events",
    )
    on_behalf_of = models.ForeignKey(
        Councillor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_created")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class CaseFollower(models.Model):
    """Someone who receives a case's public updates without having raised it."""

    class Reason(models.TextChoices):
        MERGED = "merged", _("Their report was merged into this case")
        FOLLOWED = "followed", _("Chose to follow this case")
        COUNCILLOR = "councillor", _("Councillor following the case")

    case = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="followers")
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.CASCADE, related_name="following"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="following",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "citizen"], name="unique_citizen_follower"),
            models.UniqueConstraint(fields=["case", "user"], name="unique_user_follower"),
            models.CheckConstraint(
                condition=Q(citizen__isnull=False) | Q(user__isnull=False),
                name="follower_is_someone",
            ),
        ]
        verbose_name = _("case follower")
        verbose_name_plural = _("case followers")

    def __str__(self) -> str:
        return f"{self.case_id} followed by {self.citizen_id or self.user_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.case.created_at:%Y/%m}/{instance.case.reference}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Interaction(models.Model):
    """Any contact with a citizen, so that their history is one list."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the citizen")
        OUTBOUND = "outbound", _("To the citizen")

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="interactions")
    case = models.ForeignKey(
        ServiceRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )

    class Outcome(models.TextChoices):
        CASE_CREATED = "case_created", _("A new case was logged")
        ADDED_TO_CASE = "added_to_case", _("Added to an existing case")
        RESOLVED = "resolved", _("Resolved at first contact")
        REFERRED = "referred", _("Referred elsewhere")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    summary = models.TextField(_("summary"))
    # How a contact logged at the desk ended (blank for messages the system recorded itself):
    # "resolved at first contact" is counted from it.
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["citizen", "-created_at"], name="interaction_citizen")]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d}"
        return f"{self.get_channel_display()} {self.get_direction_display()} {when}"


class SatisfactionSurvey(models.Model):
    """One survey per resolved case; answered once."""

    case = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="survey")
    token = models.CharField(max_length=64, unique=True)
    score = models.PositiveSmallIntegerField(_("score (1 to 5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_score_range",
            )
        ]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"Survey for {self.case_id}"


class ReferenceCounter(models.Model):
    """The last number issued per prefix and year; incremented under a row lock."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


class ResponseTemplate(models.Model):
    """A reply staff start a public update from; placeholders are filled before they edit it.

    Placeholders: {reference}, {category}, {promised_date}, {status}, {officer}, {team},
    {first_name}. Unknown ones are left as written, so a typo shows before sending.
    """

    name = models.CharField(_("name"), max_length=200)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        ServiceCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response_templates",
        help_text=_("Offered only on cases of this category; empty means every case."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A desk queue with its filters, saved by one officer under a name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="unique_saved_view_name")
        ]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name

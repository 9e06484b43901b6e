"""Catalogue: what residents can report, how it is routed, its statuses and service standard."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .geography import Division
from .people import Department, Team


class StateCategory(models.TextChoices):
    """Fixed state categories; council-named statuses map onto them (SLA clock, Open311)."""

    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class CaseStatus(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    state = models.CharField(_("state category"), max_length=16, choices=StateCategory.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_default = models.BooleanField(_("status of a new case"), default=False)
    public = models.BooleanField(_("shown to residents"), default=True)
    allowed_next = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_previous",
        verbose_name=_("may change to"),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("case status")
        verbose_name_plural = _("case statuses")

    def __str__(self) -> str:
        return self.name


class CategoryGroup(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ServiceCategory(models.Model):
    class SlaKind(models.TextChoices):
        WORKING_DAYS = "working_days", _("Working days")
        WORKING_HOURS = "working_hours", _("Working hours (urgent)")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.ForeignKey(CategoryGroup, on_delete=models.PROTECT, related_name="categories")
    description = models.TextField(_("description"), blank=True)
    notice = models.TextField(
        _("notice"),
        blank=True,
        help_text=_("Shown before reporting, e.g. 'If it is dangerous, call …'."),
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="categories")
    default_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="categories")
    sla_kind = models.CharField(
        _("service standard unit"),
        max_length=16,
        choices=SlaKind.choices,
        default=SlaKind.WORKING_DAYS,
    )
    sla_value = models.PositiveIntegerField(_("service standard"), default=10)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    allow_anonymous = models.BooleanField(_("anonymous reports allowed"), default=True)
    is_sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Never shown publicly or on public maps.")
    )
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (metres)"), default=50)
    duplicate_window_days = models.PositiveIntegerField(_("duplicate window (days)"), default=30)
    recurring_threshold = models.PositiveIntegerField(
        _("recurring after N reports in 12 months"), default=3
    )
    retention_days = models.PositiveIntegerField(_("retention after closure (days)"), default=2190)
    open311_code = models.CharField(_("Open311 service code"), max_length=64, blank=True)
    statuses = models.ManyToManyField(
        CaseStatus,
        blank=True,
        related_name="categories",
        help_text=_("Statuses used by this category; none selected means all."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group__order", "name"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return self.name


class CategoryQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes or no")

    category = models.ForeignKey(
        ServiceCategory, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("question"), max_length=300)
    hint = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("answer type"), max_length=16, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="unique_question_code")
        ]
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")

    def __str__(self) -> str:
        return self.label


class RoutingRule(models.Model):
    """Ordered: the first active rule that matches a case decides its team."""

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Least open cases")
        TEAM_QUEUE = "team_queue", _("Team queue (no assignee)")

    order = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ServiceCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    divisions = models.ManyToManyField(Division, blank=True, related_name="routing_rules")
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; any one in the description matches."),
    )
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_('Question code to answer, e.g. {"bin_type": "Recycling"}.'),
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routing_rules")
    strategy = models.CharField(
        _("assignment"), max_length=16, choices=Strategy.choices, default=Strategy.TEAM_QUEUE
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ClosureDay(models.Model):
    """A day the council is closed that is not a bank holiday (it stops the SLA clock)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200, default=_("Council closure"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.name}"

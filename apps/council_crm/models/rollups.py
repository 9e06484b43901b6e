"""Daily and monthly roll-ups of cases for the member portal's management information."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRollup(models.Model):
    """One count of cases (or contacts, or survey answers) for one day or month, one division or
    the whole council (division empty), one kind of figure and one key within it.

    Rebuilt by services.rollups from the cases; never edited by hand. The management
    information page adds up whole months and the days at either end of its period.
    """

    class Grain(models.TextChoices):
        DAY = "d", _("day")
        MONTH = "m", _("month")

    class Kind(models.TextChoices):
        # cases received on the day, by category and the state they are in now (key)
        RECEIVED = "received", _("received")
        # cases resolved on the day, by category and whole days taken (key); `late` of them
        # after their service standard, `seconds` the time taken added up
        RESOLVED = "resolved", _("resolved")
        CHANNEL = "channel", _("channel")  # cases received, by channel (key)
        AGE = "age", _("age band")  # cases received, by the reporter's age band (key, "" none)
        CELL = "cell", _("grid cell")  # cases received, by heat grid square (key "row:col")
        SATISFACTION = "satisfaction", _("satisfaction")  # answers given, by score (key)
        # contacts logged at the desk with an outcome, by channel and outcome ("channel:outcome")
        CONTACT = "contact", _("contact")

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()  # the first of the month for a month
    kind = models.CharField(max_length=16, choices=Kind.choices)
    division = models.ForeignKey(
        "council_crm.Division", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "council_crm.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(max_length=64, blank=True)
    count = models.IntegerField()
    late = models.IntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "grain", "division", "day"], name="rollup_kind_scope_day")
        ]
        verbose_name = _("member roll-up")
        verbose_name_plural = _("member roll-ups")

    def __str__(self) -> str:
        return f"{self.kind} {self.grain} {self.day} {self.division_id} {self.key}: {self.count}"


class MemberRollupRun(models.Model):
    """When the roll-ups were last rebuilt, and up to which day they count (one row)."""

    up_to = models.DateField(_("whole days up to"))  # the last day counted
    finished_at = models.DateTimeField(_("rebuilt at"))
    took_ms = models.IntegerField(default=0)
    rows = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("member roll-up run")

    def __str__(self) -> str:
        return f"up to {self.up_to} at {self.finished_at:%Y-%m-%d %H:%M}"

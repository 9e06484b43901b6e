"""Service standards: due dates on the site's working calendar, pauses, at-risk and breach."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.conf import settings

from apps.council_crm.calendar import WorkingCalendar
from apps.council_crm.config_cache import cached, rebuilt_on_change
from apps.council_crm.models import ClosureDay


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    STOPPED = "stopped"  # resolved or closed: the clock no longer runs


def due_at(*, created: datetime, kind: str, value: int, calendar: WorkingCalendar) -> datetime:
    """When a case created at `created` is due.

    Working days: the end of the working day `value` working days after the day it was logged
    (a report on a Saturday counts from Monday). Working hours: `value` hours of working time.
    """
    if kind == "working_hours":
        return calendar.add_working_hours(created, value)
    local = created.astimezone(calendar.tzinfo)
    day = calendar.add_working_days(local.date(), value)
    return datetime.combine(day, calendar.day_end, tzinfo=calendar.tzinfo)


def due_after_pause(
    *, due: datetime, paused_from: datetime, resumed_at: datetime, calendar: WorkingCalendar
) -> datetime:
    """The due date moves on by the working time the clock was stopped."""
    stopped = calendar.working_seconds_between(paused_from, resumed_at)
    return calendar.add_working_seconds(due, stopped) if stopped else due


def state(
    *,
    created: datetime,
    due: datetime | None,
    now: datetime,
    paused_since: datetime | None,
    open_: bool,
    calendar: WorkingCalendar,
    at_risk_fraction: float,
) -> SlaState:
    if not open_ or due is None:
        return SlaState.STOPPED
    if paused_since is not None:
        return SlaState.PAUSED
    if now >= due:
        return SlaState.BREACHED
    allowance = calendar.working_seconds_between(created, due)
    remaining = calendar.working_seconds_between(now, due)
    if allowance and remaining < allowance * at_risk_fraction:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def site_calendar() -> WorkingCalendar:
    """The site's calendar (region, timezone, hours, closure days), rebuilt when closures change."""
    site = settings.CRM_SITE
    closures = cached(
        "closure_days",
        lambda: tuple(ClosureDay.objects.order_by("date").values_list("date", "name")),
    )
    return rebuilt_on_change(
        "site_calendar",
        (site.slug, site.region, closures),
        lambda: WorkingCalendar(
            region=site.region,
            closures=dict(closures),
            timezone=site.timezone,
            day_start=site.working_day_start,
            day_end=site.working_day_end,
        ),
    )

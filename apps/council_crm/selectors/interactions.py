"""Contacts logged at the desk, counted: how many were resolved at first contact, per channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from apps.council_crm.models import Channel, Interaction

# What a contact at the desk arrives by (the web and the API log their own), in the order staff
# meet them.
DESK_CHANNELS = [
    Channel.PHONE,
    Channel.FACE_TO_FACE,
    Channel.EMAIL,
    Channel.POST,
    Channel.SOCIAL,
    Channel.SMS,
]


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    label: str
    logged: int  # every contact logged at the desk with an outcome
    resolved: int  # resolved at first contact
    referred: int
    case_created: int
    added_to_case: int


def first_contact_counts(*, since: date, until: date) -> list[ChannelCount]:
    """Contacts logged at the desk from `since` to `until` (both included, the site's days),
    per channel: how many were resolved there and then. One query."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    outcome = Interaction.Outcome
    rows = {
        row["channel"]: row
        for row in Interaction.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(outcome="")
        .order_by()
        .values("channel")
        .annotate(
            logged=Count("id"),
            resolved=Count("id", filter=Q(outcome=outcome.RESOLVED)),
            referred=Count("id", filter=Q(outcome=outcome.REFERRED)),
            case_created=Count("id", filter=Q(outcome=outcome.CASE_CREATED)),
            added_to_case=Count("id", filter=Q(outcome=outcome.ADDED_TO_CASE)),
        )
    }
    counts = []
    for channel in DESK_CHANNELS:
        row = rows.get(channel.value, {})
        counts.append(
            ChannelCount(
                channel=channel.value,
                label=str(channel.label),
                logged=row.get("logged", 0),
                resolved=row.get("resolved", 0),
                referred=row.get("referred", 0),
                case_created=row.get("case_created", 0),
                added_to_case=row.get("added_to_case", 0),
            )
        )
    return counts

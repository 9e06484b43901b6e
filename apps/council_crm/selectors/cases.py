"""Reads of cases for a role: the full cases a user may see, and anonymised summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.council_crm.models import (
    CaseEvent,
    CaseStatus,
    Division,
    ReportSubmission,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    User,
)
from apps.council_crm.permissions import cases_visible_to, member_divisions
from apps.council_crm.suppression import SuppressedTable, suppress


def case_for(*, user: User | None, reference: str) -> ServiceRequest:
    """The case if this user may see it in full; otherwise 404, as if it did not exist."""
    case = (
        cases_visible_to(user=user)
        .select_related("category", "status", "division", "team", "assignee", "citizen")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


@dataclass(frozen=True)
class WebReportsHeldUp:
    failed: int  # could not be logged: staff send them again from the admin
    late: int  # waiting longer than a few minutes: is the worker running?


def web_reports_held_up(*, late_after: timedelta = timedelta(minutes=5)) -> WebReportsHeldUp:
    """Web reports that are not cases yet and should be (ADR 0013), for the desk's warning."""
    counts = ReportSubmission.objects.aggregate(
        failed=Count("id", filter=Q(state=ReportSubmission.State.FAILED)),
        late=Count(
            "id",
            filter=~Q(state=ReportSubmission.State.FAILED)
            & Q(received_at__lt=timezone.now() - late_after),
        ),
    )
    return WebReportsHeldUp(failed=counts["failed"], late=counts["late"])


def case_list_for(*, user: User | None) -> QuerySet[ServiceRequest]:
    """A page of the user's visible cases, newest first (the desk, member and account lists)."""
    return (
        cases_visible_to(user=user)
        .select_related("category", "status", "division", "team")
        .order_by("-created_at", "-id")
    )


def timeline_for(*, user: User | None, case: ServiceRequest) -> QuerySet[CaseEvent]:
    """Staff see the whole timeline; councillors and residents the public entries only."""
    events = case.events.select_related("actor", "on_behalf_of__user").order_by("created_at", "id")
    if user is not None and (user.is_staff_member or user.is_superuser):
        return events
    return events.filter(is_public=True)


@dataclass(frozen=True)
class CaseSummary:
    """What a councillor may know of a case they cannot see in full: nothing personal."""

    category: str
    status: str
    state: str
    division: str
    latitude: float | None  # rounded to about 100 m (street level); None for sensitive kinds
    longitude: float | None
    created: date
    resolved: date | None


def anonymised_summaries(*, user: User, division: Division, limit: int = 200) -> list[CaseSummary]:
    """Cases in one of the member's divisions that they may not see in full."""
    if division.pk not in member_divisions(user):
        raise Http404("No such division")
    visible = cases_visible_to(user=user).values("pk")
    rows = (
        ServiceRequest.objects.filter(division=division, anonymised_at__isnull=True)
        .exclude(pk__in=visible)
        .select_related("category", "status")
        .order_by("-created_at")[:limit]
    )
    tz = timezone.get_current_timezone()
    summaries = []
    for case in rows:
        hide = case.category.is_sensitive or case.latitude is None
        summaries.append(
            CaseSummary(
                category=case.category.name,
                status=case.status.name,
                state=case.status.state,
                division=division.name,
                latitude=None if hide or case.latitude is None else round(case.latitude, 3),
                longitude=None if hide or case.longitude is None else round(case.longitude, 3),
                created=case.created_at.astimezone(tz).date(),
                resolved=case.resolved_at.astimezone(tz).date() if case.resolved_at else None,
            )
        )
    return summaries


STATE_ORDER = [
    StateCategory.NEW,
    StateCategory.OPEN,
    StateCategory.PAUSED,
    StateCategory.RESOLVED,
    StateCategory.CLOSED,
]


def division_summary(
    *, user: User, division: Division, since: datetime | None = None
) -> SuppressedTable:
    """Cases in a division by category and state over the last year, small numbers hidden."""
    if division.pk not in member_divisions(user):
        raise Http404("No such division")
    since = since or timezone.now() - timedelta(days=365)
    # Group on the ids (no joins: the (division, created) index answers), then name them.
    rows = (
        ServiceRequest.objects.filter(division=division, created_at__gte=since)
        .order_by()
        .values_list("category_id", "status_id")
        .annotate(n=Count("id"))
    )
    names = dict(ServiceCategory.objects.values_list("pk", "name"))
    states = dict(CaseStatus.objects.values_list("pk", "state"))
    counts: dict[str, dict[str, int]] = {}
    for category_id, status_id, n in rows:
        by_state = counts.setdefault(names[category_id], {})
        by_state[states[status_id]] = by_state.get(states[status_id], 0) + n
    categories = sorted(counts)
    table = [[counts[c].get(s, 0) for s in STATE_ORDER] for c in categories]
    labels = [str(StateCategory(s).label) for s in STATE_ORDER]
    if not table:
        return SuppressedTable(
            rows=[],
            columns=labels,
            cells=[],
            row_totals=[],
            column_totals=[0] * len(labels),
            total=0,
            threshold=settings.CRM_SITE.small_number_threshold,
        )
    return suppress(categories, labels, table, settings.CRM_SITE.small_number_threshold)

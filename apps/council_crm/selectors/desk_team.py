"""Reads for the team pages (/desk/team/): workload per officer, team totals and breaches.

A fixed number of queries whatever the number of teams and officers: the teams, their members,
one grouped aggregate of the open cases by (team, officer), and the page of breaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.council_crm.models import (
    OPEN_STATES,
    CaseStatus,
    ServiceRequest,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.permissions import cases_visible_to, teams_led_by

BREACHES_PER_PAGE = 25


@dataclass
class Workload:
    """Open cases of one officer (or of a whole team) and how they stand."""

    open: int = 0
    overdue: int = 0  # past the service standard, clock running
    due_this_week: int = 0  # due before the end of this week (Sunday), not overdue yet
    paused: int = 0  # clock stopped, waiting on the resident or a third party

    def add(self, other: Workload) -> None:
        self.open += other.open
        self.overdue += other.overdue
        self.due_this_week += other.due_this_week
        self.paused += other.paused


@dataclass
class OfficerWorkload:
    user_id: int
    name: str
    is_leader: bool
    is_member: bool  # False: cases still assigned to someone who left the team
    load: Workload = field(default_factory=Workload)


@dataclass
class TeamWorkload:
    team: Team
    officers: list[OfficerWorkload]
    unassigned: Workload
    total: Workload


@dataclass(frozen=True)
class TeamOverview:
    teams: list[TeamWorkload]  # every team in scope, by name
    shown: list[TeamWorkload]  # the teams whose officers are listed (one, if one was chosen)
    selected: Team | None
    breaches: Page[ServiceRequest]
    week_ends: datetime

    @property
    def week_last_day(self) -> date:
        return (self.week_ends - timedelta(days=1)).date()


def week_end(now: datetime) -> datetime:
    """The end of this week (Sunday midnight, local time): "due this week" is before it."""
    local = timezone.localtime(now)
    monday = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=local.weekday()
    )
    return monday + timedelta(days=7)


def open_status_ids() -> list[int]:
    """The statuses a case is open in. Listed (one small query) so that PostgreSQL reads the
    open cases of a team straight from the (team, status) index, not every case of the team."""
    return list(CaseStatus.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True))


def _open_cases(user: User, team_ids: list[int], statuses: list[int]) -> QuerySet[ServiceRequest]:
    return cases_visible_to(user=user).filter(team_id__in=team_ids, status_id__in=statuses)


def breached(
    *, user: User, team_ids: list[int], now: datetime, statuses: list[int] | None = None
) -> QuerySet[ServiceRequest]:
    """Open cases past their service standard with the clock running, oldest due first."""
    if statuses is None:
        statuses = open_status_ids()
    return (
        _open_cases(user, team_ids, statuses)
        .filter(sla_due_at__lt=now, sla_paused_at__isnull=True)
        .select_related("category", "status", "team", "assignee")
        # an expression, not the column: PostgreSQL would otherwise walk the whole due-date
        # index (every case ever due) to find 25 open ones; the team's open cases are few
        .order_by(Coalesce("sla_due_at", "created_at"), "id")
    )


def team_overview(
    *, user: User, team_id: int | None = None, page: str | int | None = None
) -> TeamOverview:
    """The workload of the teams this user oversees (`teams_led_by`); `team_id` narrows the
    officers and breaches to one of them (ignored if it is not theirs)."""
    now = timezone.now()
    ends = week_end(now)
    teams = list(teams_led_by(user).select_related("department"))
    by_id = {t.pk: t for t in teams}
    selected = by_id.get(team_id) if team_id is not None else None
    ids = list(by_id)

    members = (
        TeamMembership.objects.filter(team_id__in=ids)
        .select_related("staff__user")
        .order_by("staff__user__first_name", "staff__user__last_name", "staff__user__pk")
    )
    officers: dict[int, dict[int, OfficerWorkload]] = {pk: {} for pk in ids}
    for membership in members:
        u = membership.staff.user
        officers[membership.team_id][u.pk] = OfficerWorkload(
            user_id=u.pk,
            name=u.get_full_name() or u.username,
            is_leader=membership.role == TeamMembership.TeamRole.LEADER,
            is_member=True,
        )

    statuses = open_status_ids()
    running = Q(sla_paused_at__isnull=True)
    rows = (
        _open_cases(user, ids, statuses)
        .values("team_id", "assignee_id", "assignee__first_name", "assignee__last_name")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=running & Q(sla_due_at__lt=now)),
            due_this_week=Count("id", filter=running & Q(sla_due_at__gte=now, sla_due_at__lt=ends)),
            paused=Count("id", filter=Q(sla_paused_at__isnull=False)),
        )
        .order_by()
    )
    unassigned = {pk: Workload() for pk in ids}
    for row in rows:
        load = Workload(row["open"], row["overdue"], row["due_this_week"], row["paused"])
        assignee = row["assignee_id"]
        if assignee is None:
            unassigned[row["team_id"]].add(load)
            continue
        team_officers = officers[row["team_id"]]
        if assignee not in team_officers:
            name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
            team_officers[assignee] = OfficerWorkload(assignee, name, False, False)
        team_officers[assignee].load.add(load)

    workloads = []
    for team in teams:
        listed = sorted(officers[team.pk].values(), key=lambda o: (not o.is_member, o.name.lower()))
        total = Workload()
        for officer in listed:
            total.add(officer.load)
        total.add(unassigned[team.pk])
        workloads.append(TeamWorkload(team, listed, unassigned[team.pk], total))

    shown = [w for w in workloads if selected is None or w.team == selected]
    breach_ids = [selected.pk] if selected else ids
    breaches = Paginator(
        breached(user=user, team_ids=breach_ids, now=now, statuses=statuses), BREACHES_PER_PAGE
    )
    return TeamOverview(
        teams=workloads,
        shown=shown,
        selected=selected,
        breaches=breaches.get_page(page),
        week_ends=ends,
    )

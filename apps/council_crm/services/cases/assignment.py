"""Which team and officer a case goes to, and the timeline entry that says why.

The decision itself is the pure engine in `apps/council_crm/routing.py`; this module feeds it
the configuration, picks the officer (round robin or least open cases) and records the result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

from apps.council_crm import routing
from apps.council_crm.models import (
    CaseEvent,
    Division,
    NotificationEvent,
    RoutingRule,
    ServiceCategory,
    ServiceRequest,
    Team,
    User,
)
from apps.council_crm.services.notify import notify_staff

from . import config


def decide_for(
    *,
    category: ServiceCategory,
    division: Division | None,
    description: str,
    answers: dict[str, Any],
) -> routing.Decision:
    default = (
        (category.default_team_id, category.default_team.name)
        if category.default_team.active
        else None
    )
    triage = config.triage_team()
    return routing.route(
        config.active_rules(),
        category_id=category.pk,
        category_name=category.name,
        division_id=division.pk if division else None,
        division_name=division.name if division else None,
        description=description,
        answers=answers,
        default_team=default,
        triage_team=(triage.pk, triage.name) if triage else None,
    )


def _decide(case: ServiceRequest) -> routing.Decision:
    return decide_for(
        category=case.category,
        division=case.division if case.division_id else None,
        description=case.description,
        answers=case.answers,
    )


_ROUND_ROBIN = (
    f"UPDATE {Team._meta.db_table} SET round_robin_cursor = round_robin_cursor + 1 "  # noqa: S608
    "WHERE id = %s RETURNING round_robin_cursor"
)


def _pick_assignee(team: Team, strategy: str) -> User | None:
    if strategy == RoutingRule.Strategy.TEAM_QUEUE:
        return None
    members = {u.pk: u for u in config.team_members().get(team.pk, [])}
    if not members:
        return None
    if strategy == RoutingRule.Strategy.ROUND_ROBIN:
        with connection.cursor() as cursor:
            cursor.execute(_ROUND_ROBIN, [team.pk])
            cursor_value = int(cursor.fetchone()[0]) - 1
        user_id, _cursor = routing.choose_member(
            strategy, member_ids=list(members), cursor=cursor_value
        )
    else:
        counts = dict(
            ServiceRequest.objects.filter(
                assignee_id__in=list(members), status_id__in=config.open_status_ids()
            )
            .values_list("assignee_id")
            .annotate(n=Count("id"))
        )
        user_id, _cursor = routing.choose_member(
            strategy, member_ids=list(members), cursor=0, open_counts=counts
        )
    return members[user_id] if user_id else None


def route_case(case: ServiceRequest) -> tuple[routing.Decision, Team, User | None]:
    """Decide the team and assignee and set them on the (possibly unsaved) case."""
    decision = _decide(case)
    team = config.teams()[decision.team_id]
    assignee = _pick_assignee(team, decision.strategy)
    case.team, case.assignee = team, assignee
    return decision, team, assignee


def routing_apply(case: ServiceRequest, *, actor: User | None, now: datetime) -> None:
    """Route a saved case again (its category changed), recording and telling as on creation."""
    decision, team, assignee = route_case(case)
    event = routing_event(case, decision, team, assignee, actor=actor, now=now)
    event.save()
    assignee_notify(case, event, assignee)


def assignee_notify(case: ServiceRequest, event: CaseEvent, assignee: User | None) -> None:
    if assignee is not None:
        notify_staff(
            case=case, event=NotificationEvent.ASSIGNED, occurrence=str(event.pk), users=[assignee]
        )


def routing_event(
    case: ServiceRequest,
    decision: routing.Decision,
    team: Team,
    assignee: User | None,
    *,
    actor: User | None,
    now: datetime,
) -> CaseEvent:
    """The timeline entry saying where the case went and why (not saved yet)."""
    message = decision.reason
    if assignee is not None:
        message += _(" and to %(name)s (%(strategy)s)") % {
            "name": assignee.get_full_name() or assignee.username,
            "strategy": RoutingRule.Strategy(decision.strategy).label.lower(),
        }
    return CaseEvent(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        message=message,
        data={
            "team": team.code,
            "rule": decision.rule_id,
            "assignee": assignee.pk if assignee else None,
        },
        actor=actor,
        created_at=now,
    )

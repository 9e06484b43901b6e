"""Case configuration as the case services read it: cached per process (config_cache.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.council_crm import routing
from apps.council_crm.config_cache import cached
from apps.council_crm.models import (
    OPEN_STATES,
    CaseStatus,
    Division,
    ServiceCategory,
    StateCategory,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.selectors.routing import routing_rules_active


def active_rules() -> list[routing.Rule]:
    return cached("routing_rules", routing_rules_active)


def open_status_ids() -> list[int]:
    """Filtering on the ids lets the (assignee, status) index answer without a join."""
    return cached(
        "open_status_ids",
        lambda: list(CaseStatus.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True)),
    )


def teams() -> dict[int, Team]:
    return cached("teams", lambda: {t.pk: t for t in Team.objects.all()})


def team_members() -> dict[int, list[User]]:
    def load() -> dict[int, list[User]]:
        table: dict[int, list[User]] = {}
        rows = TeamMembership.objects.filter(staff__user__is_active=True).select_related(
            "staff__user"
        )
        for membership in rows:
            table.setdefault(membership.team_id, []).append(membership.staff.user)
        return table

    return cached("team_members", load)


def divisions() -> dict[int, Division]:
    return cached("divisions", lambda: {d.pk: d for d in Division.objects.defer("boundary")})


def categories() -> dict[str, ServiceCategory]:
    """The active categories by code, with their default team and questions."""
    return cached(
        "categories",
        lambda: {
            c.code: c
            for c in ServiceCategory.objects.filter(active=True)
            .select_related("default_team")
            .prefetch_related("questions")
        },
    )


def triage_team() -> Team | None:
    return cached(
        "triage_team",
        lambda: Team.objects.filter(is_triage=True, active=True).order_by("id").first(),
    )


def default_status() -> CaseStatus:
    """The status of a new case. Raises ValidationError when none is configured."""
    status = cached(
        "default_status",
        lambda: (
            CaseStatus.objects.filter(is_default=True).first()
            or CaseStatus.objects.filter(state=StateCategory.NEW).order_by("order").first()
        ),
    )
    if status is None:
        raise ValidationError({"status": [_("No status is marked as the status of a new case")]})
    return status

"""The one visibility policy: who may see or do what with a case.

Every interface (desk, member portal, resident portal, API, exports, reports) starts from
`cases_visible_to(user=...)` and asks `can(user, action, case)`; a case a user may not see does
not exist for them (views answer 404, never 403).

Councillors: a case is visible in full only if they raised it (themselves, or a support officer
on their behalf) or an active "share with my councillor" consent covers it (that case or all the
citizen's cases; naming that councillor, or any councillor of the case's division). Other cases
in their divisions are available only as anonymised summaries (selectors.cases).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.council_crm.models import (
    Consent,
    Councillor,
    MemberSupportDelegation,
    Role,
    ServiceRequest,
    Team,
    User,
)


class Action(StrEnum):
    VIEW = "view"
    UPDATE = "update"
    ADD_NOTE = "add_note"
    REASSIGN = "reassign"
    MERGE = "merge"
    EXPORT = "export"


STAFF_ROLES = {Role.CASE_OFFICER, Role.TEAM_LEADER, Role.DEPARTMENT_MANAGER}
SEE_ALL_ROLES = {Role.SERVICE_ADMIN, Role.DPO}
MEMBER_ROLES = {Role.COUNCILLOR, Role.SUPPORT_OFFICER}


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def acting_for(user: User) -> list[Councillor]:
    """The councillors whose casework this user may see: themselves, or those they support."""
    if user.role == Role.COUNCILLOR:
        councillor = Councillor.objects.filter(user=user).first()
        return [councillor] if councillor else []
    if user.role == Role.SUPPORT_OFFICER:
        today = timezone.localdate()
        ids = (
            MemberSupportDelegation.objects.filter(officer=user)
            .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values("councillor_id")
        )
        return list(Councillor.objects.filter(pk__in=ids))
    return []


def member_divisions(user: User) -> list[int]:
    """Divisions whose anonymised summaries a councillor (or their support officer) may see."""
    return sorted({d for c in acting_for(user) for d in c.divisions.values_list("pk", flat=True)})


def _consent() -> QuerySet[Consent]:
    return Consent.objects.filter(
        citizen_id=OuterRef("citizen_id"),
        purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
        withdrawn_at__isnull=True,
        granted_at__lte=timezone.now(),
    ).filter(Q(scope=Consent.Scope.ALL_CASES) | Q(case_id=OuterRef("pk")))


def _member_filter(user: User) -> Q:
    councillors = acting_for(user)
    ids = [c.pk for c in councillors]
    divisions = sorted({d for c in councillors for d in c.divisions.values_list("pk", flat=True)})
    raised = Q(raised_by=user) | Q(on_behalf_of_id__in=ids)
    named = Exists(_consent().filter(councillor_id__in=ids))
    any_of_division = Q(division_id__in=divisions) & Exists(
        _consent().filter(councillor__isnull=True)
    )
    return raised | named | any_of_division


def _team_ids(user: User) -> QuerySet[Team]:
    teams = Team.objects.filter(memberships__staff__user=user)
    if user.role == Role.DEPARTMENT_MANAGER:
        teams = Team.objects.filter(Q(memberships__staff__user=user) | Q(department__manager=user))
    return teams.values("pk")


def cases_visible_to(*, user: User | None) -> QuerySet[ServiceRequest]:
    """The cases this user may see in full, as one SQL-filtered queryset."""
    cases = ServiceRequest.objects.all()
    if not _active(user):
        return cases.none()
    assert user is not None  # noqa: S101 - narrowed by _active
    if user.is_superuser or user.role in SEE_ALL_ROLES:
        return cases
    if user.role in STAFF_ROLES:
        return cases.filter(team_id__in=_team_ids(user))
    if user.role in MEMBER_ROLES:
        return cases.filter(_member_filter(user))
    if user.role == Role.RESIDENT:
        return cases.filter(citizen__user=user, citizen__anonymised_at__isnull=True)
    return cases.none()


def can(user: User | None, action: str, case: ServiceRequest) -> bool:
    """May this user do this to this case? Seeing it is the first condition of everything."""
    action = Action(action)
    if not _active(user) or not cases_visible_to(user=user).filter(pk=case.pk).exists():
        return False
    assert user is not None  # noqa: S101
    role = user.role
    if action == Action.VIEW:
        return True
    if user.is_superuser or role == Role.SERVICE_ADMIN:
        return True
    if role == Role.DPO:
        return action == Action.EXPORT
    if role in STAFF_ROLES:
        if action == Action.EXPORT:
            return role != Role.CASE_OFFICER
        return True
    if role in MEMBER_ROLES:
        raised = case.raised_by_id == user.pk or case.on_behalf_of_id in {
            c.pk for c in acting_for(user)
        }
        if action == Action.ADD_NOTE:
            return raised
        return action == Action.EXPORT
    if role == Role.RESIDENT:
        return action == Action.EXPORT
    return False


def can_manage_motions(user: User | None) -> bool:
    """May this user record motions, decisions, replies and actions at /desk/motions/?

    Council staff and administrators: the register is public, so this guards only writing to
    it (and the desk's views of overdue actions and imports)."""
    return _active(user) and (user.is_staff_member or user.is_superuser)  # type: ignore[union-attr]


def consent_covers(*, case: ServiceRequest, councillor: Councillor) -> bool:
    """An active 'share with my councillor' consent covers this case and this councillor."""
    if case.citizen_id is None:
        return False
    in_division = (
        case.division_id is not None and councillor.divisions.filter(pk=case.division_id).exists()
    )
    who = Q(councillor=councillor)
    if in_division:
        who |= Q(councillor__isnull=True)
    return (
        Consent.objects.active()
        .filter(
            who,
            Q(scope=Consent.Scope.ALL_CASES) | Q(scope=Consent.Scope.CASE, case=case),
            citizen_id=case.citizen_id,
            purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
            granted_at__lte=timezone.now(),
        )
        .exists()
    )

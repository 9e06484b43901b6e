"""The one visibility policy: who may see or do what with a case.

Every interface (desk, member portal, resident portal, API, exports, reports) starts from
`cases_visible_to(user=...)` and asks `can(user, action, case)`; a case a user may not see does
not exist for them (views answer 404, never 403).

Councillors: a case is visible in full only if they raised it (themselves, or a support officer
on their behalf) or an active "share with my councillor" consent covers it (that case or all the
citizen's cases; naming that councillor, or any councillor of the case's division). Other cases
in their divisions are available only as anonymised summaries (selectors.cases). A support
officer sees what the councillors they support see, only while the delegation is active: the
cases they raised themselves on a councillor's behalf too (raising one gives no lasting right).

Areas: each interface asks one `can_use_*` rule whether the user may be there at all, through
`area_required(rule)` on its views: signed out goes to sign in, signed in without the area is a
404, as for a case they may not see. The superuser flag and the service administrator are
configuration roles: they never by themselves open citizen pages or subject access exports.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, TypeGuard, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
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
from apps.council_crm.models.cases import ServiceRequestQuerySet


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
DESK_ROLES = STAFF_ROLES | SEE_ALL_ROLES
CITIZEN_ROLES = STAFF_ROLES | {Role.DPO}

# Whoever a request carries: a signed-in user, the anonymous user, or no one (a task).
AnyUser = User | AnonymousUser | None


def _active(user: AnyUser) -> TypeGuard[User]:
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


def _raised_filter(user: User, ids: list[int]) -> Q:
    """Casework raised for the councillors this user acts for now. A councillor's own cases are
    theirs whoever raised them; a support officer's `raised_by` counts only through the active
    delegation's councillor (`on_behalf_of`), never by itself: the delegation ending (or not
    having started) closes the cases they raised, as it closes the rest (ADR 0007)."""
    raised = Q(on_behalf_of_id__in=ids)
    if user.role == Role.COUNCILLOR:
        raised |= Q(raised_by=user)
    return raised


def _raised(user: User, case: ServiceRequest) -> bool:
    """`_raised_filter` for one case already in hand."""
    ids = {c.pk for c in acting_for(user)}
    return case.on_behalf_of_id in ids or (
        user.role == Role.COUNCILLOR and case.raised_by_id == user.pk
    )


def _member_filter(user: User) -> Q:
    councillors = acting_for(user)
    ids = [c.pk for c in councillors]
    divisions = sorted({d for c in councillors for d in c.divisions.values_list("pk", flat=True)})
    raised = _raised_filter(user, ids)
    named = Exists(_consent().filter(councillor_id__in=ids))
    any_of_division = Q(division_id__in=divisions) & Exists(
        _consent().filter(councillor__isnull=True)
    )
    return raised | named | any_of_division


def _team_ids(user: User) -> QuerySet[Team, int]:
    teams = Team.objects.filter(memberships__staff__user=user)
    if user.role == Role.DEPARTMENT_MANAGER:
        teams = Team.objects.filter(Q(memberships__staff__user=user) | Q(department__manager=user))
    return teams.values_list("pk", flat=True)


def cases_visible_to(*, user: User | None, resolve_teams: bool = False) -> ServiceRequestQuerySet:
    """The cases this user may see in full, as one SQL-filtered queryset.

    `resolve_teams` reads a staff member's team ids first (one small query) and filters on them
    as literals: the same cases, but the planner then estimates each team's rows and uses the
    indexes that lead with the team (the desk's queues count and sort big teams' cases)."""
    cases = ServiceRequest.objects.all()
    if not _active(user):
        return cases.none()
    assert user is not None  # noqa: S101 - narrowed by _active
    if user.is_superuser or user.role in SEE_ALL_ROLES:
        return cases
    if user.role in STAFF_ROLES:
        teams = _team_ids(user)
        return cases.filter(team_id__in=sorted(set(teams)) if resolve_teams else teams)
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
    return _may_if_visible(user, action, case)


def actions_on(
    user: User | None, case: ServiceRequest, *, visible: bool = False
) -> frozenset[Action]:
    """Everything this user may do to this case: `can` for every action, seeing it asked once
    (the desk's case page offers all its actions on one page). `visible=True` says the caller
    read the case through `cases_visible_to(user=user)` for this request, so seeing it is known.
    """
    if not _active(user):
        return frozenset()
    if not visible and not cases_visible_to(user=user).filter(pk=case.pk).exists():
        return frozenset()
    assert user is not None  # noqa: S101
    return frozenset(a for a in Action if _may_if_visible(user, a, case))


def _may_if_visible(user: User, action: Action, case: ServiceRequest) -> bool:
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
        if action == Action.ADD_NOTE:
            return _raised(user, case)
        return action == Action.EXPORT
    if role == Role.RESIDENT:
        return action == Action.EXPORT
    return False


def can_manage_motions(user: AnyUser) -> bool:
    """May this user record motions, decisions, replies and actions at /desk/motions/?

    Council staff and administrators: the register is public, so this guards only writing to
    it (and the desk's views of overdue actions and imports)."""
    return _active(user) and (user.is_staff_member or user.is_superuser)


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


def can_use_desk(user: AnyUser) -> bool:
    """The staff desk (/desk/): council staff, the service administrator, the data protection
    officer and the superuser. Which cases each sees there is still `cases_visible_to`."""
    return _active(user) and (user.is_superuser or user.role in DESK_ROLES)


def can_lead_teams(user: AnyUser) -> bool:
    """The team pages (/desk/team/): workload per officer, breaches, bulk reassignment. Team
    leaders and department managers for their own teams; the service administrator for all."""
    return _active(user) and (
        user.is_superuser
        or user.role in (Role.TEAM_LEADER, Role.DEPARTMENT_MANAGER, Role.SERVICE_ADMIN)
    )


def teams_led_by(user: AnyUser) -> QuerySet[Team]:
    """The teams whose workload this user oversees at /desk/team/: a team leader the teams they
    lead, a department manager every team of their departments (and any they lead), the
    service administrator and the superuser every active team; anyone else none."""
    if not _active(user) or not can_lead_teams(user):
        return Team.objects.none()
    if user.is_superuser or user.role == Role.SERVICE_ADMIN:
        return Team.objects.filter(active=True).order_by("name", "pk")
    led = Q(memberships__staff__user=user, memberships__role="leader")
    if user.role == Role.DEPARTMENT_MANAGER:
        led |= Q(department__manager=user)
    ids = Team.objects.filter(led, active=True).values("pk")
    return Team.objects.filter(pk__in=ids).order_by("name", "pk")


def can_use_member_area(user: AnyUser) -> bool:
    """The member area (/member/): councillors and the support officers who act for them."""
    return _active(user) and user.role in MEMBER_ROLES


def can_read_mi(user: AnyUser) -> bool:
    """The management information page (/member/mi/): anonymised, suppressed counts only.
    Councillors (their divisions and the council) and the support officers acting for them;
    team leaders, department managers and the service administrator (any division and the
    council: the same aggregates, no case). Not case officers, residents or the data protection
    officer, whose work is single cases."""
    if not _active(user):
        return False
    if user.is_superuser or user.role in (
        Role.TEAM_LEADER,
        Role.DEPARTMENT_MANAGER,
        Role.SERVICE_ADMIN,
    ):
        return True
    # a support officer only while a delegation is in force, like everything else they see
    return user.role in MEMBER_ROLES and bool(acting_for(user))


def can_see_citizens(user: AnyUser) -> bool:
    """Find a citizen, open their page (/desk/citizens/<pk>/), search (/desk/search/) and log a
    contact (/desk/contact/): council staff (case officer, team leader, department manager) and
    the data protection officer. The contact centre must find anyone who calls, whichever team
    their cases are with; what of each case they see is still `cases_visible_to`. Not the
    superuser nor the service administrator: configuration roles (ADR 0016, ADR 0017)."""
    return _active(user) and user.role in CITIZEN_ROLES


def can_handle_subject_access(user: AnyUser) -> bool:
    """Subject access export and erasure (/desk/citizens/<pk>/export/, erase/): the data
    protection officer only. Not the superuser nor the service administrator: configuring the
    system is not a reason to read a resident's whole record."""
    return _active(user) and user.role == Role.DPO


def can_read_access_log(user: AnyUser) -> bool:
    """The access log (/desk/access-log/): the data protection officer, and the superuser, who
    also sees it in the admin (append-only there)."""
    return _active(user) and (user.is_superuser or user.role == Role.DPO)


class AuthenticatedRequest(HttpRequest):
    """A request `area_required` let through: its user is signed in, active and ours."""

    user: User


P = ParamSpec("P")


class AreaGuard(Protocol):
    """What `area_required(rule)` gives: a decorator for any view taking a signed-in request."""

    def __call__(
        self, view: Callable[Concatenate[AuthenticatedRequest, P], HttpResponse], /
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]: ...


def area_required(rule: Callable[[AnyUser], bool]) -> AreaGuard:
    """Guard a view with an area rule: signed out goes to sign in; without the area, 404."""

    def decorate(
        view: Callable[Concatenate[AuthenticatedRequest, P], HttpResponse], /
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not rule(request.user):
                raise Http404
            # Every rule asks `_active` first, so the user is a signed-in User from here on.
            return view(cast(AuthenticatedRequest, request), *args, **kwargs)

        return wrapped

    return decorate


def can_export_lists(user: AnyUser) -> bool:
    """A desk queue's CSV export (every matching case at once): team leaders, department
    managers and the service administrator, not case officers (they export one case at a time
    where `can(user, Action.EXPORT, case)` allows). What the list holds is still
    `cases_visible_to`."""
    return _active(user) and (
        user.is_superuser
        or user.role in (Role.TEAM_LEADER, Role.DEPARTMENT_MANAGER, Role.SERVICE_ADMIN)
    )

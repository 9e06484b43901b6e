"""The desk's queues: which of a user's visible cases a view, its filters and search select.

Everything starts from `cases_visible_to(user=...)`. The page is cheap at a million cases: the
rows are one LIMIT query, and every count (each view's, the list's) stops at `COUNT_CAP` rows
("1,000+"), so no request counts millions. PostgreSQL searches through two GIN expression
indexes (migration 0008: the case's reference, description and address; the citizen's name,
email, phone and postcode); SQLite, the embedded default, falls back to `icontains`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import CombinedExpression, RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.council_crm.config_cache import cached
from apps.council_crm.models import (
    CaseStatus,
    Channel,
    Citizen,
    Consent,
    Division,
    Priority,
    Role,
    SavedView,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    Team,
    User,
)
from apps.council_crm.models.cases import ServiceRequestQuerySet
from apps.council_crm.params import id_param
from apps.council_crm.permissions import SEE_ALL_ROLES, can_see_citizens, cases_visible_to
from apps.council_crm.selectors.desk_case import clock_moves
from apps.council_crm.selectors.desk_team import week_end

PAGE_SIZE = 50
COUNT_CAP = 1000
# Up to this many cases to search, the words are matched on the rows themselves (about 7 µs a
# row on the reference machine) rather than through the full-text index (`_search`).
FEW_TO_SCAN = 2000
DUE_SOON = timedelta(hours=48)
RECENTLY_CLOSED = timedelta(days=30)
MAX_CITIZEN_HITS = 500

# (key, label) in the order of the sub navigation.
VIEWS = [
    ("mine", gettext_lazy("Assigned to me")),
    ("teams", gettext_lazy("My teams")),
    ("triage", gettext_lazy("Unassigned")),
    ("due-soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("paused", gettext_lazy("Paused")),
    ("closed", gettext_lazy("Recently closed")),
]
VIEW_KEYS = [key for key, _label in VIEWS]
OWNERSHIP_VIEWS = ("mine", "teams", "triage")

# sort key -> the columns it orders by (ascending); "-key" reverses them all.
SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "category": ("category__name",),
    "received": ("created_at",),
    "due": ("sla_due_at",),
    "status": ("status__order", "status__name"),
    "officer": ("assignee__first_name", "assignee__last_name"),
    "division": ("division__name",),
}

SLA_STATES = [
    ("on_track", gettext_lazy("On track")),
    ("due_soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("paused", gettext_lazy("Paused")),
    ("due_week", gettext_lazy("Due this week, not yet overdue")),
]

# The parameters a queue's URL may carry (a saved view keeps these, nothing else).
LIST_PARAMS = ("status", "category")
PARAMS = (
    "view",
    "status",
    "category",
    "team",
    "officer",
    "division",
    "channel",
    "priority",
    "received_from",
    "received_to",
    "due_from",
    "due_to",
    "sla",
    "consent",
    "q",
    "sort",
)

# The search expressions; migration 0008 indexes exactly these (GIN), so keep them equal.
CASE_SEARCH_SQL = (
    "to_tsvector('simple'::regconfig, {t}.reference || ' ' || {t}.description || ' ' || "
    "{t}.address)"
)
CITIZEN_SEARCH_SQL = (
    "to_tsvector('simple'::regconfig, {t}.first_name || ' ' || {t}.last_name || ' ' || "
    "{t}.email || ' ' || {t}.phone || ' ' || {t}.postcode)"
)


def default_view(user: User) -> str:
    """Case officers start on their own cases; everyone else on their teams' open cases."""
    return "mine" if user.role == Role.CASE_OFFICER else "teams"


def default_sort(view: str) -> str:
    return "due" if view in ("due-soon", "overdue") else "-received"


@dataclass
class QueueQuery:
    """A queue's parameters, parsed from the URL; `errors` names the fields that were wrong."""

    view: str
    sort: str
    states: list[str] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)
    team: int | None = None
    officer: int | None = None
    unassigned: bool = False
    division: int | None = None
    channel: str = ""
    priority: str = ""
    received_from: date | None = None
    received_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    sla: str = ""
    consent: bool = False
    q: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        """Any filter or search beyond the view itself."""
        return bool(
            self.states
            or self.categories
            or self.team
            or self.officer
            or self.unassigned
            or self.division
            or self.channel
            or self.priority
            or self.received_from
            or self.received_to
            or self.due_from
            or self.due_to
            or self.sla
            or self.consent
            or self.q
        )


def _ids(values: Iterable[str]) -> list[int]:
    return [pk for v in values if (pk := id_param(v)) is not None]


def _date(data: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_date(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        errors[name] = [_("Enter a real date, for example 2026-03-31")]
    return parsed


def queue_query_parse(*, user: User, data: Any) -> QueueQuery:
    """The queue's parameters from a QueryDict (`getlist`) with defaults; unknown values of a
    choice are ignored, dates that are not dates are errors."""
    view = data.get("view", "")
    if view not in VIEW_KEYS:
        view = default_view(user)
    sort = data.get("sort", "")
    if sort.lstrip("-") not in SORTS:
        sort = default_sort(view)
    errors: dict[str, list[str]] = {}
    officer_raw = data.get("officer", "")
    query = QueueQuery(
        view=view,
        sort=sort,
        states=[s for s in data.getlist("status") if s in StateCategory.values],
        categories=_ids(data.getlist("category")),
        team=id_param(data.get("team", "")),
        officer=id_param(officer_raw),
        unassigned=officer_raw == "none",
        division=id_param(data.get("division", "")),
        channel=data.get("channel", "") if data.get("channel") in Channel.values else "",
        priority=data.get("priority", "") if data.get("priority") in Priority.values else "",
        received_from=_date(data, "received_from", errors),
        received_to=_date(data, "received_to", errors),
        due_from=_date(data, "due_from", errors),
        due_to=_date(data, "due_to", errors),
        sla=data.get("sla", "") if data.get("sla") in dict(SLA_STATES) else "",
        consent=data.get("consent") == "yes",
        q=" ".join(data.get("q", "").split())[:200],
        errors=errors,
    )
    for start, end in (("received_from", "received_to"), ("due_from", "due_to")):
        a, b = getattr(query, start), getattr(query, end)
        if a and b and a > b:
            errors[end] = [_("The end date must be the same as or after the start date")]
    return query


@dataclass(frozen=True)
class StatusStates:
    """Status ids per state category, read once per request: filtering on ids keeps the
    composite indexes that lead with the status usable and the status table out of the join."""

    by_state: dict[str, list[int]]

    def ids(self, *states: str) -> list[int]:
        return [pk for s in states for pk in self.by_state.get(s, [])]

    @property
    def open(self) -> list[int]:
        return self.ids(StateCategory.NEW, StateCategory.OPEN, StateCategory.PAUSED)


def _status_states_load() -> StatusStates:
    by_state: dict[str, list[int]] = {}
    for pk, state in CaseStatus.objects.values_list("pk", "state").order_by("pk"):
        by_state.setdefault(state, []).append(pk)
    return StatusStates(by_state)


def status_states() -> StatusStates:
    """Configuration: cached in the process like the rest of it (config_cache)."""
    return cached("desk_queue_status_states", _status_states_load)


def _view_filter(
    view: str, *, user: User, statuses: StatusStates, now: datetime
) -> tuple[Q, list[int]]:
    """The view's condition and the statuses it allows (ANDed with the state filter)."""
    running = statuses.ids(StateCategory.NEW, StateCategory.OPEN)
    if view == "all":  # not a view of its own: every state, for a reference typed in the search
        return Q(), [pk for ids in statuses.by_state.values() for pk in ids]
    if view == "mine":
        return Q(assignee=user), statuses.open
    if view == "triage":
        return Q(assignee__isnull=True), statuses.open
    if view == "due-soon":
        return Q(sla_due_at__gte=now, sla_due_at__lt=now + DUE_SOON), running
    if view == "overdue":
        return Q(sla_due_at__lt=now), running
    if view == "paused":
        return Q(), statuses.ids(StateCategory.PAUSED)
    if view == "closed":
        closed = statuses.ids(StateCategory.RESOLVED, StateCategory.CLOSED)
        return Q(resolved_at__gte=now - RECENTLY_CLOSED), closed
    return Q(), statuses.open  # teams


def _sla_filter(sla: str, *, statuses: StatusStates, now: datetime) -> Q:
    running = Q(status_id__in=statuses.ids(StateCategory.NEW, StateCategory.OPEN))
    if sla == "paused":
        return Q(status_id__in=statuses.ids(StateCategory.PAUSED))
    if sla == "overdue":
        return running & Q(sla_due_at__lt=now)
    if sla == "due_soon":
        return running & Q(sla_due_at__gte=now, sla_due_at__lt=now + DUE_SOON)
    if sla == "due_week":  # as the team page counts it
        return running & Q(sla_due_at__gte=now, sla_due_at__lt=week_end(now))
    return running & (Q(sla_due_at__gte=now + DUE_SOON) | Q(sla_due_at__isnull=True))


def sla_filter(sla: str, *, statuses: StatusStates, now: datetime) -> Q:
    """The condition of a service standard state (SLA_STATES), for any list of cases."""
    return _sla_filter(sla, statuses=statuses, now=now)


def _consented() -> Exists:
    return Exists(
        Consent.objects.filter(
            citizen_id=OuterRef("citizen_id"),
            purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
            withdrawn_at__isnull=True,
            granted_at__lte=timezone.now(),
        ).filter(Q(scope=Consent.Scope.ALL_CASES) | Q(case_id=OuterRef("pk")))
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def prefix_terms(q: str) -> list[str]:
    """Each word as a `to_tsquery` term, a quoted prefix ('pot':*). Only word characters and
    those of an email address or phone number are kept, so no input reads as an operator."""
    # split as PostgreSQL's parser splits ("O'Brien" is two words, o and brien)
    words = re.findall(r"[\w@.+-]+", q)[:8]
    return [f"'{word}':*" for word in words if re.search(r"\w", word)]


def _matches(sql: str, term: str) -> RawSQL:
    return RawSQL(  # noqa: S611 - table names and fixed SQL; the term is a parameter
        f"{sql} @@ to_tsquery('simple'::regconfig, %s)", [term], output_field=BooleanField()
    )


def _search(
    cases: ServiceRequestQuerySet, q: str, *, few: bool = False, people: bool = True
) -> ServiceRequestQuerySet:
    """Every word must match, in the case or in its citizen (a name and a street, say), on
    both databases alike.

    `few`: the cases being searched are few (a team's open cases, say, a thousand or so). A
    common word ("pothole") is in a hundred thousand cases, and the full-text index would list
    them all to intersect them with those few: the words are then matched on the few rows
    themselves, through an expression the index does not hold.

    `people=False` (the configuration roles, who may not see citizens: ADR 0017) searches the
    case alone, not its resident's name or contact details."""
    if connection.vendor == "postgresql":
        terms = prefix_terms(q)
        if not terms:
            return cases.none()
        case_sql = CASE_SEARCH_SQL.format(t=ServiceRequest._meta.db_table)
        if few:
            case_sql = f"({case_sql} || ''::tsvector)"
        citizen_sql = CITIZEN_SEARCH_SQL.format(t=Citizen._meta.db_table)
        # The citizens first, in one small query through their own index (which words each
        # matches), so that the cases' condition is index scans rather than a join.
        hits = {f"word_{i}": _matches(citizen_sql, term) for i, term in enumerate(terms)}
        if not people:
            for i, term in enumerate(terms):
                cases = cases.alias(**{f"search_{i}": _matches(case_sql, term)})
                cases = cases.filter(**{f"search_{i}": True})
            return cases
        found = Q()
        for name in hits:
            found |= Q(**{name: True})
        rows = list(
            Citizen.objects.alias(**hits)
            .annotate(**{f"{name}_hit": F(name) for name in hits})
            .filter(found)
            .values_list("pk", *(f"{name}_hit" for name in hits))[:MAX_CITIZEN_HITS]
        )
        condition = Q()
        for i, term in enumerate(terms):
            cases = cases.alias(**{f"search_{i}": _matches(case_sql, term)})
            citizens = [row[0] for row in rows if row[i + 1]]
            condition &= Q(**{f"search_{i}": True}) | Q(citizen_id__in=citizens)
        return cases.filter(condition)
    condition = Q()
    for word in q.split()[:8]:
        in_case = (
            Q(reference__icontains=word)
            | Q(description__icontains=word)
            | Q(address__icontains=word)
        )
        if not people:
            condition &= in_case
            continue
        condition &= (
            in_case
            | Q(citizen__first_name__icontains=word)
            | Q(citizen__last_name__icontains=word)
            | Q(citizen__email__icontains=word)
            | Q(citizen__phone__icontains=word)
            | Q(citizen__postcode__icontains=word)
        )
    return cases.filter(condition)


def _unindexed(column: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(column) + Value(timedelta(0)), output_field=DateTimeField())


def _order(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    columns = SORTS[sort.lstrip("-")]
    # Newest first (received or due) reads the first page from the btree indexes on created_at
    # and sla_due_at, in their own null order: open cases are the recent ones. Oldest first
    # would walk those indexes from cases closed years ago, so it sorts an expression (the
    # same instant) that no index holds: the planner then sorts the view's own rows.
    order: list[Any] = [
        F(c).desc()
        if descending
        else (_unindexed(c) if c in ("created_at", "sla_due_at") else F(c)).asc()
        for c in columns
    ]
    order.append("-id" if descending else "id")
    return order


def visible_cases(*, user: User) -> ServiceRequestQuerySet:
    """What the queues start from: `cases_visible_to`, the user's teams read once."""
    return cases_visible_to(user=user, resolve_teams=True)


def queue_cases(
    *,
    user: User,
    query: QueueQuery,
    statuses: StatusStates,
    view: str | None = None,
    now: datetime | None = None,
    visible: ServiceRequestQuerySet | None = None,
) -> ServiceRequestQuerySet:
    """The user's visible cases in a view (the query's, or `view`), filtered, searched, sorted.
    Pass `visible` (from `visible_cases`) to build several queues on one reading of the teams."""
    now = now or timezone.now()
    if visible is None:
        visible = visible_cases(user=user)
    view = view or query.view
    condition, allowed = _view_filter(view, user=user, statuses=statuses, now=now)
    if query.states:
        chosen = statuses.ids(*query.states)
        # the views of whose cases they are hold open cases unless a state is chosen ("my
        # closed cases"); the views of a clock or of closure keep their own states
        in_view = view in OWNERSHIP_VIEWS
        allowed = chosen if in_view else [pk for pk in allowed if pk in chosen]
    cases = visible.filter(condition, status_id__in=allowed)
    if query.categories:
        cases = cases.filter(category_id__in=query.categories)
    if query.team:
        cases = cases.filter(team_id=query.team)
    if query.unassigned:
        cases = cases.filter(assignee__isnull=True)
    elif query.officer:
        cases = cases.filter(assignee_id=query.officer)
    if query.division:
        cases = cases.filter(division_id=query.division)
    if query.channel:
        cases = cases.filter(channel=query.channel)
    if query.priority:
        cases = cases.filter(priority=query.priority)
    if query.received_from:
        cases = cases.filter(created_at__gte=_day_start(query.received_from))
    if query.received_to:
        cases = cases.filter(created_at__lt=_day_start(query.received_to + timedelta(days=1)))
    if query.due_from:
        cases = cases.filter(sla_due_at__gte=_day_start(query.due_from))
    if query.due_to:
        cases = cases.filter(sla_due_at__lt=_day_start(query.due_to + timedelta(days=1)))
    if query.sla:
        cases = cases.filter(_sla_filter(query.sla, statuses=statuses, now=now))
    if query.consent:
        cases = cases.filter(_consented())
    if query.q:
        # how many there are to search, up to FEW_TO_SCAN: one small query on the indexes
        cases = _search(
            cases,
            query.q,
            few=capped_count(cases, cap=FEW_TO_SCAN) <= FEW_TO_SCAN,
            people=can_see_citizens(user),
        )
    return cases.order_by(*_order(query.sort))


def capped_count(cases: QuerySet[Any], *, cap: int = COUNT_CAP) -> int:
    """How many, up to `cap` + 1: COUNT over a LIMITed subquery stops early."""
    return cases.order_by().values("pk")[: cap + 1].count()


def count_text(n: int) -> str:
    """A capped count as shown: "1,000+" once it passed the cap."""
    return f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"


def view_counts(
    *,
    user: User,
    statuses: StatusStates,
    now: datetime,
    visible: ServiceRequestQuerySet | None = None,
) -> dict[str, int]:
    """Each view's count (capped, before filters): one small query per view."""
    plain = QueueQuery(view="teams", sort="-received")
    visible = visible if visible is not None else visible_cases(user=user)
    return {
        key: capped_count(
            queue_cases(
                user=user, query=plain, statuses=statuses, view=key, now=now, visible=visible
            )
        )
        for key in VIEW_KEYS
    }


def sla_state(case: ServiceRequest, *, statuses: StatusStates, now: datetime) -> str:
    """on_track / due_soon / overdue / paused for an open case; "" once resolved or closed."""
    if case.status_id in statuses.ids(StateCategory.PAUSED):
        return "paused"
    if case.status_id not in statuses.open:
        return ""
    if case.sla_due_at is None or case.sla_due_at >= now + DUE_SOON:
        return "on_track"
    return "overdue" if case.sla_due_at < now else "due_soon"


# What a queue's row shows, and nothing else: a case's answers and a division's boundary are
# big JSON documents that a list of 50 would otherwise read and decode.
ROW_FIELDS = (
    "reference",
    "status_id",
    "created_at",
    "sla_due_at",
    "promised_date",
    "priority",
    "channel",
    "category__name",
    "status__name",
    "team__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "division__name",
    "on_behalf_of_id",
)
ROW_RELATIONS = ("category", "status", "division", "team", "assignee")


def _rows(cases: ServiceRequestQuerySet) -> ServiceRequestQuerySet:
    return cases.select_related(*ROW_RELATIONS).only(*ROW_FIELDS)


@dataclass(frozen=True)
class QueueRow:
    case: ServiceRequest
    sla: str


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue. `total` is capped: `total_capped` says there are more than that."""

    rows: list[QueueRow]
    number: int
    total: int
    total_capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def start(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def end(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)


def queue_page(
    *,
    cases: ServiceRequestQuerySet,
    number: int,
    statuses: StatusStates,
    now: datetime,
    total: int | None = None,
) -> QueuePage:
    """The page's rows (one query, the columns the table shows) and the list's capped count
    (`total` when the caller has it already: an unfiltered view's count is its tab's).

    Without `total`, the matching ids are read (up to the cap) instead of counted; when they
    are all of them, the page is read by those ids, so that a search's words are matched once
    per page, not twice."""
    source = cases
    if total is None:
        ids = list(cases.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
        total = len(ids)
        if total <= COUNT_CAP:
            source = ServiceRequest.objects.filter(pk__in=ids).order_by(*cases.query.order_by)
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    last = max(1, -(-total // PAGE_SIZE))
    # past the count cap the pages go on only as far as the cap's last page and one more
    number = min(number, last if not capped else COUNT_CAP // PAGE_SIZE + 1)
    number = max(1, number)
    offset = (number - 1) * PAGE_SIZE
    rows = list(_rows(source)[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return QueuePage(
        rows=[QueueRow(c, sla_state(c, statuses=statuses, now=now)) for c in rows],
        number=number,
        total=total,
        total_capped=capped,
        has_next=has_next,
    )


def exact_reference_hit(
    *, user: User, q: str, statuses: StatusStates, visible: ServiceRequestQuerySet
) -> str | None:
    """The reference when the search is a visible case's reference and, searched over every
    state, that case is its only hit. One look-up by the unique reference; the search runs
    only when it found one."""
    if not q or " " in q or not re.fullmatch(r"[A-Za-z0-9-]{1,32}", q):
        return None
    reference = visible.filter(reference=q.upper()).values_list("reference", flat=True).first()
    if reference is None:
        return None
    everywhere = QueueQuery(view="all", sort="-received", q=q)
    cases = queue_cases(user=user, query=everywhere, statuses=statuses, visible=visible)
    hits = list(cases.values_list("reference", flat=True)[:2])
    return reference if hits == [reference] else None


# --- what the filter panel offers ------------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    categories: list[tuple[int, str]]
    teams: list[tuple[int, str]]
    officers: list[tuple[int, str]]
    divisions: list[tuple[int, str]]


def _categories_load() -> list[tuple[int, str]]:
    return list(
        ServiceCategory.objects.filter(active=True).order_by("name").values_list("pk", "name")
    )


def _divisions_load() -> list[tuple[int, str]]:
    return list(Division.objects.order_by("name").values_list("pk", "name"))


def _my_teams(user: User) -> QuerySet[Team]:
    teams = Team.objects.filter(active=True)
    if user.is_superuser or user.role in SEE_ALL_ROLES:
        return teams
    mine = Q(memberships__staff__user=user)
    if user.role == Role.DEPARTMENT_MANAGER:
        mine |= Q(department__manager=user)
    return teams.filter(mine).distinct()


def filter_options(*, user: User) -> FilterOptions:
    teams = list(_my_teams(user).order_by("name").values_list("pk", "name"))
    officers = (
        User.objects.filter(staff_profile__memberships__team_id__in=[pk for pk, _n in teams])
        .distinct()
        .order_by("first_name", "last_name")
        .values_list("pk", "first_name", "last_name", "username")
    )
    return FilterOptions(
        categories=cached("desk_queue_categories", _categories_load),
        teams=teams,
        officers=[(pk, f"{f} {ln}".strip() or u) for pk, f, ln, u in officers],
        divisions=cached("desk_queue_divisions", _divisions_load),
    )


def assignable_teams(*, user: User) -> QuerySet[Team]:
    """Teams this user may hand cases to: their own (a department manager's department's);
    every active team for the roles that see every case."""
    return _my_teams(user).order_by("name")


def team_officers(*, teams: Iterable[int]) -> list[tuple[int, int, str]]:
    """(team id, user id, name) of the members of these teams, for the assign form."""
    rows = (
        User.objects.filter(staff_profile__memberships__team_id__in=list(teams), is_active=True)
        .order_by("first_name", "last_name")
        .values_list("staff_profile__memberships__team_id", "pk", "first_name", "last_name")
    )
    return [(t, pk, f"{f} {ln}".strip()) for t, pk, f, ln in rows]


def saved_views_for(*, user: User) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name")


def saved_view_for(*, user: User, pk: int) -> SavedView:
    """One of the user's own saved views; anyone else's does not exist for them (404)."""
    view = SavedView.objects.filter(user=user, pk=pk).first()
    if view is None:
        raise Http404("No such saved view")
    return view


def officer_in_team(*, team: Team, pk: int) -> User | None:
    """The active member `pk` of `team`, or None if they are not one."""
    return (
        User.objects.filter(pk=pk, is_active=True, staff_profile__memberships__team=team)
        .distinct()
        .first()
    )


def statuses_in_order() -> list[CaseStatus]:
    """Every status, in the council's order (the bulk status change offers them all; which
    case may take which is `transition_blocker`'s)."""
    return list(CaseStatus.objects.order_by("order", "name"))


def query_string_clean(data: Any) -> str:
    """The queue parameters of a QueryDict as a query string, without the page (for saving)."""
    kept = data.copy()
    for key in list(kept.keys()):
        if key not in PARAMS or not any(v.strip() for v in kept.getlist(key)):
            del kept[key]
    return str(kept.urlencode())[:2000]


# --- the transitions a bulk status change may make -------------------------------------------


def transition_blocker(case: ServiceRequest, status: CaseStatus) -> str:
    """Why this case cannot move to `status` ("" if it can), by the workflow's own rule:
    the status's allowed next steps and, where the category limits them, its statuses. Needs
    `status__allowed_next` and `category__statuses` prefetched."""
    if case.status_id == status.pk:
        return _("It is already %(status)s") % {"status": status.name}
    allowed = {s.pk for s in case.status.allowed_next.all()}
    limited = {s.pk for s in case.category.statuses.all()}
    if status.pk not in allowed or (limited and status.pk not in limited):
        return _("A case that is %(old)s cannot become %(new)s") % {
            "old": case.status.name,
            "new": status.name,
        }
    if clock_moves(case, status):
        return _("Its clock is paused or restarted on the case, with a reason")
    return ""


def cases_by_reference(*, user: User, references: Iterable[str]) -> list[ServiceRequest]:
    """The visible cases among these references, in the order given; the caller compares the
    count with what it asked for (a reference this user may not see is not there)."""
    wanted = list(dict.fromkeys(r for r in references if re.fullmatch(r"[A-Za-z0-9-]{1,32}", r)))
    found = {
        c.reference: c
        for c in cases_visible_to(user=user)
        .filter(reference__in=wanted)
        .select_related("category", "status", "team", "assignee")
        .prefetch_related("status__allowed_next", "category__statuses")
    }
    return [found[r] for r in wanted if r in found]


# --- CSV --------------------------------------------------------------------------------------

CSV_HEADER = [
    "reference",
    "category",
    "status",
    "received",
    "due",
    "promised_date",
    "sla",
    "priority",
    "channel",
    "team",
    "officer",
    "division",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def queue_csv_rows(
    *, cases: ServiceRequestQuerySet, statuses: StatusStates, now: datetime
) -> Iterator[str]:
    """The filtered list as CSV lines, every matching row, read in chunks (for streaming)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for case in _rows(cases).iterator(chunk_size=2000):
        yield writer.writerow(
            [
                case.reference,
                case.category.name,
                case.status.name,
                case.created_at.isoformat(),
                case.sla_due_at.isoformat() if case.sla_due_at else "",
                case.promised_date.isoformat() if case.promised_date else "",
                sla_state(case, statuses=statuses, now=now),
                case.priority,
                case.channel,
                case.team.name if case.team else "",
                case.assignee.get_full_name() if case.assignee else "",
                case.division.name if case.division else "",
            ]
        )

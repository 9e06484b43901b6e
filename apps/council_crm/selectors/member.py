"""Member area reads: whom a user acts for, their casework, their divisions' cases, the digest.

Every case read starts from `cases_visible_to` (a case in full) or from a division the member
may see (`member_divisions`), where the cases they may not see in full are shown in outline
only: category, street (no house number), status, service standard state and dates, and only
for the (category, state) cells of the division's table that suppression leaves shown
(ADR 0025): the outline list never tells more than the table beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.council_crm.models import (
    CaseEvent,
    CaseFollower,
    Councillor,
    Division,
    GazetteerEntry,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    User,
)
from apps.council_crm.models.cases import ServiceRequestQuerySet
from apps.council_crm.params import id_param
from apps.council_crm.permissions import acting_for, cases_visible_to, member_divisions
from apps.council_crm.selectors.desk_queues import (
    SLA_STATES,
    StatusStates,
    sla_filter,
    sla_state,
    status_states,
)
from apps.council_crm.suppression import SuppressedTable, suppress

PAGE_SIZE = 25
ACTING_SESSION_KEY = "member_acting_for"
# The service standard states a member may filter on (the desk's, without its team-page one).
MEMBER_SLA_STATES = [(k, label) for k, label in SLA_STATES if k != "due_week"]
SLA_LABELS = dict(MEMBER_SLA_STATES)
STATE_ORDER = [
    StateCategory.NEW,
    StateCategory.OPEN,
    StateCategory.PAUSED,
    StateCategory.RESOLVED,
    StateCategory.CLOSED,
]


# --- whom the user acts for ------------------------------------------------------------------


def acting_councillor(*, user: User, chosen: Any = None) -> Councillor | None:
    """The councillor this user acts for on this request: themselves if a councillor; for a
    support officer the one they chose (`chosen`, a primary key) if a delegation to them is in
    force today, else the first of those they support; None if they support no one today."""
    councillors = sorted(acting_for(user), key=lambda c: (str(c), c.pk))
    pk = id_param(str(chosen)) if chosen is not None else None
    for c in councillors:
        if c.pk == pk:
            return c
    return councillors[0] if councillors else None


def councillors_supported(*, user: User) -> list[Councillor]:
    """The councillors a user may switch between (a support officer's delegations in force)."""
    return sorted(acting_for(user), key=lambda c: (str(c), c.pk))


# --- my casework -----------------------------------------------------------------------------


def _followed_by(user_ids: list[int]) -> Exists:
    return Exists(CaseFollower.objects.filter(case_id=OuterRef("pk"), user_id__in=user_ids))


def casework_for(*, user: User, councillor: Councillor) -> ServiceRequestQuerySet:
    """The councillor's casework, as this user may see it: cases raised for them (by them or
    their support officer, as councillor or individual) and cases they follow."""
    followers = sorted({councillor.user_id, user.pk})
    return (
        cases_visible_to(user=user)
        .filter(Q(on_behalf_of=councillor) | _followed_by(followers))
        .select_related("category", "status", "division", "team")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class CaseworkRow:
    case: ServiceRequest
    sla: str
    delayed: bool
    following: bool


def casework_page(
    *, user: User, councillor: Councillor, page: Any, now: datetime | None = None
) -> tuple[Page[ServiceRequest], list[CaseworkRow]]:
    now = now or timezone.now()
    statuses = status_states()
    paged = Paginator(casework_for(user=user, councillor=councillor), PAGE_SIZE).get_page(page)
    cases = list(paged.object_list)
    followed = set(
        CaseFollower.objects.filter(
            case_id__in=[c.pk for c in cases], user=councillor.user
        ).values_list("case_id", flat=True)
    )
    delayed = set(
        CaseEvent.objects.filter(
            case_id__in=[c.pk for c in cases], kind=CaseEvent.Kind.SLA
        ).values_list("case_id", flat=True)
    )
    rows = [
        CaseworkRow(
            case=c,
            sla=sla_state(c, statuses=statuses, now=now),
            delayed=c.pk in delayed or c.sla_breached_at is not None,
            following=c.pk in followed,
        )
        for c in cases
    ]
    return paged, rows


def is_following(*, councillor: Councillor, case: ServiceRequest) -> bool:
    return CaseFollower.objects.filter(case=case, user=councillor.user).exists()


def member_timeline(*, user: User, case: ServiceRequest) -> QuerySet[CaseEvent]:
    """The case's public timeline, and what the councillors this user acts for added to it."""
    ids = [c.pk for c in acting_for(user)]
    return (
        case.events.select_related("actor", "on_behalf_of__user")
        .filter(Q(is_public=True) | Q(kind=CaseEvent.Kind.CONTACT, on_behalf_of_id__in=ids))
        .order_by("created_at", "id")
    )


# --- the division's cases --------------------------------------------------------------------

_NUMBER = re.compile(r"^(flat|unit|apartment|apt|no\.?)\b|\d", re.IGNORECASE)
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$|^[A-Z]\d{2}\s?[A-Z\d]{4}$", re.I)


def street_of(address: str) -> str:
    """The street and locality of an address, never a house or flat number nor a postcode:
    '12a High Street\\nFernbridge' -> 'High Street, Fernbridge'; 'Flat 3, 4 Mill Lane' ->
    'Mill Lane'. Words with a digit in them are dropped, whatever their place."""
    parts = [p.strip() for p in re.split(r"[\n,]", address) if p.strip()]
    kept: list[str] = []
    for part in parts:
        if _POSTCODE.match(part):
            continue
        words = [w for w in part.split() if not _NUMBER.search(w)]
        if words and words[0].lower().rstrip(".") in {"flat", "unit", "apartment", "apt", "no"}:
            words = words[1:]
        text = " ".join(words).strip(" -/")
        if text and text not in kept:
            kept.append(text)
    return ", ".join(kept[:2])


class _Streets:
    """The division's streets in the gazetteer, for a case with a point and no address."""

    def __init__(self, division: Division) -> None:
        self.entries: list[GazetteerEntry] | None = None
        self.division = division

    def nearest(self, lat: float, lon: float) -> str:
        if self.entries is None:
            self.entries = list(
                GazetteerEntry.objects.filter(
                    division=self.division, kind=GazetteerEntry.Kind.STREET
                )
            )
        if not self.entries:
            return ""
        best = min(self.entries, key=lambda e: (e.latitude - lat) ** 2 + (e.longitude - lon) ** 2)
        return str(best)


@dataclass(frozen=True)
class DivisionQuery:
    """The division page's filters, read from its GET form."""

    category: str = ""
    state: str = ""
    sla: str = ""
    received_from: date | None = None
    received_to: date | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return bool(self.category or self.state or self.sla or self.received_from)

    def as_query(self) -> str:
        from urllib.parse import urlencode

        pairs = [
            ("category", self.category),
            ("state", self.state),
            ("sla", self.sla),
            ("received_from", self.received_from.isoformat() if self.received_from else ""),
            ("received_to", self.received_to.isoformat() if self.received_to else ""),
        ]
        return urlencode([(k, v) for k, v in pairs if v])


def _date_of(data: Any, name: str, errors: dict[str, list[str]], label: str) -> date | None:
    text = str(data.get(name, "")).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("Enter %(label)s as a date, like 2026-03-31") % {"label": label}]
        return None


def division_query_parse(*, data: Any) -> DivisionQuery:
    """Unknown values are errors shown on the page (nothing is filtered by them)."""
    errors: dict[str, list[str]] = {}
    category = str(data.get("category", "")).strip()
    if category and not ServiceCategory.objects.filter(code=category).exists():
        errors["category"] = [_("Select a problem from the list")]
        category = ""
    state = str(data.get("state", "")).strip()
    if state and state not in StateCategory.values:
        errors["state"] = [_("Select a status from the list")]
        state = ""
    sla = str(data.get("sla", "")).strip()
    if sla and sla not in SLA_LABELS:
        errors["sla"] = [_("Select a service standard state from the list")]
        sla = ""
    start = _date_of(data, "received_from", errors, _("the first date"))
    end = _date_of(data, "received_to", errors, _("the last date"))
    if start and end and end < start:
        errors["received_to"] = [_("The last date must be on or after the first date")]
        end = None
    return DivisionQuery(category, state, sla, start, end, errors)


@dataclass(frozen=True)
class DivisionRow:
    """One case in the division: in full (`case` set) or in outline (nothing personal)."""

    category: str
    status: str
    state: str
    sla: str
    where: str
    created: date
    resolved: date | None
    case: ServiceRequest | None = None

    @property
    def sla_label(self) -> str:
        return str(SLA_LABELS.get(self.sla, ""))


@dataclass(frozen=True)
class DivisionListing:
    table: SuppressedTable
    page: Page[ServiceRequest]
    rows: list[DivisionRow]
    since: date
    until: date


def _period(query: DivisionQuery, now: datetime) -> tuple[datetime, datetime, date, date]:
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    first = query.received_from or today - timedelta(days=365)
    last = query.received_to or today
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start, end, first, last


def _filtered(
    division: Division, query: DivisionQuery, statuses: StatusStates, now: datetime
) -> QuerySet[ServiceRequest]:
    start, end, _first, _last = _period(query, now)
    cases = ServiceRequest.objects.filter(division=division, created_at__gte=start).filter(
        created_at__lt=end
    )
    if query.category:
        cases = cases.filter(category__code=query.category)
    if query.state:
        cases = cases.filter(status_id__in=statuses.ids(query.state))
    if query.sla:
        cases = cases.filter(sla_filter(query.sla, statuses=statuses, now=now))
    return cases


def _table(
    cases: QuerySet[ServiceRequest], statuses: StatusStates
) -> tuple[SuppressedTable, list[int], list[list[int]]]:
    """The filtered cases by category and state, suppressed; the category ids in row order; and
    the counts before suppression (to count the listed rows without counting them again)."""
    state_of = {pk: s for s, ids in statuses.by_state.items() for pk in ids}
    names = dict(ServiceCategory.objects.values_list("pk", "name"))
    counts: dict[int, dict[str, int]] = {}
    rows = cases.order_by().values_list("category_id", "status_id").annotate(n=Count("id"))
    for category_id, status_id, n in rows:
        by_state = counts.setdefault(category_id, {})
        state = state_of.get(status_id, StateCategory.OPEN)
        by_state[state] = by_state.get(state, 0) + n
    order = sorted(counts, key=lambda pk: (names[pk], pk))
    labels = [str(StateCategory(s).label) for s in STATE_ORDER]
    threshold = settings.CRM_SITE.small_number_threshold
    if not order:
        empty = SuppressedTable([], labels, [], [], [0] * len(labels), 0, threshold)
        return empty, [], []
    body = [[counts[pk].get(s, 0) for s in STATE_ORDER] for pk in order]
    return suppress([names[pk] for pk in order], labels, body, threshold), order, body


_CELL = 1_000_000  # more statuses than a council will ever name


class _Counted(Paginator):  # type: ignore[type-arg]
    """A paginator told how many rows there are (the division page knows from its table)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = count

    @property
    def count(self) -> int:
        return self._known


def division_listing(
    *,
    user: User,
    division: Division,
    query: DivisionQuery,
    page: Any = 1,
    now: datetime | None = None,
) -> DivisionListing:
    """Every case in one of the member's divisions that the filters match, newest first, a
    page at a time: those they may see in full with their details, the others in outline, and
    in outline only where the table's cell for its (category, state) is shown."""
    if division.pk not in member_divisions(user):
        raise Http404("No such division")
    now = now or timezone.now()
    statuses = status_states()
    cases = _filtered(division, query, statuses, now)
    table, category_ids, body = _table(cases, statuses)
    visible = cases_visible_to(user=user)  # the policy's filter, built once for this page
    # Listed: the cases of the shown cells, and those the member may see in full in the hidden
    # ones. Counted from the table (no second count over the division), and the hidden cells'
    # visible cases found among that cell's few rows, never by a set of every visible case.
    shown = Q(pk__in=[])
    hidden: list[int] = []  # (category, status) cells as one number: see below
    listed_count = 0
    for i, category_id in enumerate(category_ids):
        states = [s for j, s in enumerate(STATE_ORDER) if table.cells[i][j] is not None]
        gone = [s for j, s in enumerate(STATE_ORDER) if table.cells[i][j] is None and body[i][j]]
        listed_count += sum(body[i][j] for j, s in enumerate(STATE_ORDER) if s in states)
        if states:
            shown |= Q(category_id=category_id, status_id__in=statuses.ids(*states))
        hidden += [category_id * _CELL + status_id for status_id in statuses.ids(*gone)]
    in_full: list[int] = []
    if hidden:
        # The hidden cells' few cases, read from the division's own index: one expression
        # rather than an OR of (category, status) pairs, which PostgreSQL would answer from
        # the category indexes across every division.
        few = list(
            cases.annotate(cell=F("category_id") * _CELL + F("status_id"))
            .filter(cell__in=hidden)
            .values_list("pk", flat=True)
        )
        in_full = list(visible.filter(pk__in=few).values_list("pk", flat=True))
        listed = cases.filter(shown | Q(pk__in=in_full))
    else:
        listed = cases
    listed_count += len(in_full)
    listed = listed.select_related("category", "status").order_by("-created_at", "-id")
    paged = _Counted(listed, PAGE_SIZE, count=listed_count).get_page(page)
    found = list(paged.object_list)
    full = set(visible.filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
    streets = _Streets(division)
    tz = timezone.get_current_timezone()
    rows = []
    for c in found:
        if c.pk in full:
            where = c.address.replace("\n", ", ")
        elif c.category.is_sensitive:
            where = ""  # never where a sensitive kind of case is, even to the street
        elif c.address:
            where = street_of(c.address)
        elif c.latitude is not None and c.longitude is not None:
            where = streets.nearest(c.latitude, c.longitude)
        else:
            where = ""
        rows.append(
            DivisionRow(
                category=c.category.name,
                status=c.status.name,
                state=c.status.state,
                sla=sla_state(c, statuses=statuses, now=now),
                where=where,
                created=c.created_at.astimezone(tz).date(),
                resolved=c.resolved_at.astimezone(tz).date() if c.resolved_at else None,
                case=c if c.pk in full else None,
            )
        )
    _start, _end, first, last = _period(query, now)
    return DivisionListing(table=table, page=paged, rows=rows, since=first, until=last)


def member_division(*, user: User, code: str) -> Division:
    """A division the member may see; 404 otherwise."""
    division = Division.objects.filter(code=code, pk__in=member_divisions(user)).first()
    if division is None:
        raise Http404("No such division")
    return division


def category_options() -> list[tuple[str, str]]:
    return list(ServiceCategory.objects.order_by("name").values_list("code", "name"))


STATE_OPTIONS = [(s.value, s.label) for s in STATE_ORDER]


# --- the weekly digest -----------------------------------------------------------------------


def digest_for(
    *, councillor: Councillor, start: datetime, end: datetime, now: datetime
) -> dict[str, Any]:
    """What a councillor's weekly digest says, as plain lines: their casework that changed in
    [start, end), their divisions' new cases in it (counts under the threshold not given), and
    their open casework past its due time."""
    user = councillor.user
    mine = casework_for(user=user, councillor=councillor)
    changed_ids = CaseEvent.objects.filter(
        case_id__in=mine.values("pk"), created_at__gte=start, created_at__lt=end
    ).filter(Q(is_public=True) | Q(kind=CaseEvent.Kind.ASSIGNED))
    changed = [
        _("%(ref)s %(category)s: %(status)s")
        % {"ref": c.reference, "category": c.category.name, "status": c.status.name}
        for c in mine.filter(pk__in=changed_ids.values("case_id")).order_by("reference")
    ]
    breached = [
        _("%(ref)s %(category)s: promised by %(date)s")
        % {
            "ref": c.reference,
            "category": c.category.name,
            "date": c.promised_date.strftime("%-d %B %Y") if c.promised_date else "–",
        }
        for c in mine.open().filter(sla_due_at__lt=now).order_by("sla_due_at")
    ]
    threshold = settings.CRM_SITE.small_number_threshold
    divisions = list(councillor.divisions.order_by("name"))
    counts = [
        [
            ServiceRequest.objects.filter(
                division=d, created_at__gte=start, created_at__lt=end
            ).count()
        ]
        for d in divisions
    ]
    new_lines: list[str] = []
    total = "0"
    if divisions:
        table = suppress([d.name for d in divisions], [_("New")], counts, threshold)
        hidden = _("fewer than %(n)s") % {"n": threshold}
        new_lines = [
            _("%(division)s: %(n)s") % {"division": name, "n": hidden if n is None else n}
            for name, n in zip(table.rows, table.row_totals, strict=True)
        ]
        total = hidden if table.total is None else str(table.total)
    return {
        "changed": changed,
        "breached": breached,
        "new_by_division": new_lines,
        "new_total": total,
    }


SLA_CHOICES = [("", gettext_lazy("Any"))] + [(k, v) for k, v in MEMBER_SLA_STATES]

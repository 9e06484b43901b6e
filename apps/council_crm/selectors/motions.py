"""Notices of Motion reads: the public register, similar motions, topics, reports, members.

The register is public, so these reads need no user; they never return the staff actor of a
timeline event. Service-request counts on topic pages are anonymised aggregates: sensitive
categories are left out and small numbers are suppressed.
"""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce

from django.conf import settings
from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import ExtractYear
from django.utils import timezone

from apps.council_crm import similarity
from apps.council_crm.models import (
    ActionProgressNote,
    Councillor,
    FollowUpAction,
    Motion,
    MotionEvent,
    MotionReply,
    MotionReport,
    ServiceRequest,
    Topic,
)
from apps.council_crm.models.motions import SEARCH_CONFIG

Status = Motion.Status
ActionStatus = FollowUpAction.Status

# How many candidates the database offers for the similarity score, and how many motions the
# SQLite scan reads at most (newest first).
SIMILAR_CANDIDATES = 60
SQLITE_SCAN_LIMIT = 5000


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- the register -------------------------------------------------------------------------------


def _listing(qs: QuerySet[Motion]) -> QuerySet[Motion]:
    return qs.select_related("proposer__user", "seconder__user", "meeting")


def motions_search(
    *,
    q: str = "",
    councillor: Councillor | None = None,
    status: str = "",
    topic: Topic | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Motion]:
    """The public register, filtered and ordered: with words, best match first on PostgreSQL
    (full-text, stemmed) and newest first on SQLite (every word in the title or text).

    Lean on purpose: only the ids and the sort keys. Thousands of motions can match, and
    sorting narrow rows is what keeps a search fast; `motions_page` fetches the page itself.
    """
    qs = Motion.objects.only("id", "submitted_on")
    if councillor is not None:
        qs = qs.by_councillor(councillor)
    if status:
        qs = qs.filter(status=status)
    if topic is not None:
        qs = qs.filter(topics=topic)
    if date_from is not None:
        qs = qs.filter(submitted_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(submitted_on__lte=date_to)
    q = " ".join(q.split())
    if not q:
        return qs.order_by("-submitted_on", "-id")
    if " " not in q and any(c.isdigit() for c in q):  # it may be a reference
        by_reference = qs.filter(reference__in={q, q.upper()})
        if by_reference.exists():
            return by_reference.order_by("-submitted_on", "-id")
    if _is_postgres():
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-submitted_on", "-id")
        )
    for word in similarity.words(q):
        qs = qs.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return qs.order_by("-submitted_on", "-id")


def motions_page(
    results: QuerySet[Motion], number: str | int | None, per_page: int = 20
) -> Page[Motion]:
    """One page of search results, each motion with its people, meeting and action summary.

    A ranked text search must score every match anyway, so the number of matches comes with
    the page's own rows (COUNT(*) OVER ()): one pass instead of two. Other filters count and
    then read the page, each an index scan. A page past the end falls back to the last.
    """
    paginator = Paginator(results, per_page)
    if "rank" not in results.query.annotations:
        page = paginator.get_page(number)
        return _with_details(page)
    try:
        wanted = max(int(str(number)), 1)
    except ValueError:
        wanted = 1
    start = (wanted - 1) * per_page
    rows = list(results.annotate(matches=Window(Count("pk")))[start : start + per_page])
    if rows:
        paginator.__dict__["count"] = rows[0].matches  # Paginator.count is a cached property
        page = Page(rows, wanted, paginator)
    else:
        page = paginator.get_page(wanted)  # empty, or past the end: count, then the last page
    return _with_details(page)


def _with_details(page: Page[Motion]) -> Page[Motion]:
    ids = [m.pk for m in page.object_list]
    motions = _listing(Motion.objects.filter(pk__in=ids)).defer("text", "search_vector").in_bulk()
    listed = [motions[pk] for pk in ids if pk in motions]
    summaries = action_summaries(listed)
    for motion in listed:
        # an attribute for the template, as annotate() would give (no model field to declare)
        motion.action_summary = summaries.get(motion.pk, ActionSummary())  # type: ignore[attr-defined]
    page.object_list = listed
    return page


@dataclass(frozen=True)
class ActionSummary:
    total: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0


def action_summaries(motions: list[Motion]) -> dict[int, ActionSummary]:
    """Action counts for a page of motions, in one query."""
    today = timezone.localdate()
    rows = (
        FollowUpAction.objects.filter(motion__in=[m.pk for m in motions])
        .values("motion_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=ActionStatus.DONE)),
            open=Count("id", filter=Q(status__in=FollowUpAction.OPEN)),
            overdue=Count("id", filter=Q(status__in=FollowUpAction.OPEN, due_date__lt=today)),
        )
    )
    return {
        r["motion_id"]: ActionSummary(r["total"], r["done"], r["open"], r["overdue"]) for r in rows
    }


def councillors_with_motions() -> QuerySet[Councillor]:
    """Councillors who proposed or seconded a motion, for the register's filter."""
    proposed = Motion.objects.filter(proposer=OuterRef("pk"))
    seconded = Motion.objects.filter(seconder=OuterRef("pk"))
    return (
        Councillor.objects.filter(Exists(proposed) | Exists(seconded))
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def topics_with_counts() -> QuerySet[Topic]:
    return Topic.objects.annotate(motion_count=Count("motions")).order_by("name")


def _actions_with_notes() -> Prefetch[str, QuerySet[FollowUpAction], str]:
    return Prefetch(
        "actions",
        queryset=FollowUpAction.objects.select_related("owner_team").prefetch_related("notes"),
    )


def motion_public(*, reference: str) -> Motion | None:
    """One motion with everything its public page shows (the timeline without actors)."""
    return (
        _listing(Motion.objects.filter(reference=reference))
        .prefetch_related(
            "topics",
            Prefetch("replies", queryset=MotionReply.objects.select_related("department")),
            _actions_with_notes(),
            Prefetch(
                "events",
                queryset=MotionEvent.objects.only("id", "motion_id", "created_at", "kind", "text"),
            ),
        )
        .first()
    )


def motion_events_recent(*, motion: Motion | None = None, limit: int = 50) -> list[MotionEvent]:
    """The newest changes to the register (or to one motion), for the Atom feed."""
    events = MotionEvent.objects.select_related("motion").only(
        "id", "created_at", "kind", "text", "motion__reference", "motion__title"
    )
    if motion is not None:
        events = events.filter(motion=motion)
    return list(events.order_by("-created_at", "-id")[:limit])


# --- similar motions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarMotion:
    motion: Motion
    score: float
    actions: ActionSummary

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _candidates_postgres(title: str, text: str, exclude: int | None) -> list[tuple[int, str, str]]:
    """Motions sharing two of the draft's five most telling words (full-text, GIN), best
    ranked first; when those are few, also motions whose title is trigram-similar (pg_trgm,
    GIN), which catches a short draft or words spelt differently."""
    keys = similarity.key_words(title, text, limit=5)
    qs = Motion.objects.all()
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    found: dict[int, tuple[int, str, str]] = {}
    if keys:
        words = [SearchQuery(w, search_type="plain", config=SEARCH_CONFIG) for w in keys]
        pairs = [a & b for i, a in enumerate(words) for b in words[i + 1 :]] or words
        query = reduce(operator.or_, pairs)
        for row in (
            qs.filter(search_vector=query)
            .annotate(score=SearchRank(F("search_vector"), query, normalization=32))
            .order_by("-score", "-submitted_on")
            .values_list("id", "title", "text")[:SIMILAR_CANDIDATES]
        ):
            found[row[0]] = row
    if title.strip() and len(found) < SIMILAR_CANDIDATES:  # few shared words: titles too
        for row in (
            qs.filter(TrigramSimilar(F("title"), title))
            .annotate(score=TrigramSimilarity("title", title))
            .order_by("-score", "-submitted_on")
            .values_list("id", "title", "text")[: SIMILAR_CANDIDATES // 4]
        ):
            found[row[0]] = row
    return list(found.values())


def _candidates_scan(exclude: int | None) -> list[tuple[int, str, str]]:
    qs = Motion.objects.order_by("-submitted_on", "-id")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.values_list("id", "title", "text")[:SQLITE_SCAN_LIMIT])


def motions_similar(
    *, title: str, text: str, exclude: Motion | None = None, limit: int = 5
) -> list[SimilarMotion]:
    """Earlier motions on the same issue as a draft (or as a recorded motion), best first.

    PostgreSQL offers candidates by full-text rank and title trigram similarity (indexed); on
    SQLite the register is scanned. Either way each candidate is scored by the same portable
    measure (similarity.py) and only those above its threshold are returned, so the answer
    does not depend on the database.
    """
    exclude_pk = exclude.pk if exclude is not None else None
    if _is_postgres():
        candidates = _candidates_postgres(title, text, exclude_pk)
    else:
        candidates = _candidates_scan(exclude_pk)
    matches = similarity.best_matches(similarity.profile(title, text), candidates)[:limit]
    if not matches:
        return []
    motions = _listing(Motion.objects.filter(pk__in=[pk for pk, _ in matches])).in_bulk()
    summaries = action_summaries(list(motions.values()))
    return [
        SimilarMotion(motions[pk], score, summaries.get(pk, ActionSummary()))
        for pk, score in matches
        if pk in motions
    ]


# --- topics: recurring issues ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountCell:
    value: int
    suppressed: bool


@dataclass
class TopicOverview:
    topic: Topic
    total: int
    motions_by_year: list[tuple[int, int, list[Motion]]]  # year, how many, the listed ones
    outcomes: list[tuple[str, int]]
    categories: list[str]
    listed: int = 0
    years: list[int] = field(default_factory=list)
    divisions: list[tuple[str, list[CountCell]]] = field(default_factory=list)
    threshold: int = 5


def topic_overview(*, topic: Topic, years: int = 4, listed: int = 100) -> TopicOverview:
    """The motions on a topic over time (every year counted; the latest `listed` shown), and
    service requests in its categories per division and year. Counts from 1 to threshold - 1
    are suppressed; sensitive categories are left out."""
    on_topic = Motion.objects.filter(topics=topic)
    per_year = dict(
        on_topic.annotate(year=ExtractYear("submitted_on"))
        .values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
    )
    by_status = dict(
        on_topic.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    recent = list(
        _listing(on_topic).defer("text", "search_vector").order_by("-submitted_on", "-id")[:listed]
    )
    by_year: dict[int, list[Motion]] = defaultdict(list)
    for motion in recent:
        by_year[motion.submitted_on.year].append(motion)
    categories = list(topic.categories.filter(is_sensitive=False))
    threshold = settings.CRM_SITE.small_number_threshold
    overview = TopicOverview(
        topic=topic,
        total=sum(per_year.values()),
        motions_by_year=[
            (year, n, by_year.get(year, [])) for year, n in sorted(per_year.items(), reverse=True)
        ],
        outcomes=sorted(
            ((str(Status(code).label), n) for code, n in by_status.items()), key=lambda kv: -kv[1]
        ),
        categories=[c.name for c in categories],
        listed=len(recent),
        threshold=threshold,
    )
    if not categories:
        return overview
    this_year = timezone.localdate().year
    overview.years = list(range(this_year - years + 1, this_year + 1))
    rows = (
        ServiceRequest.objects.filter(
            category__in=categories,
            division__isnull=False,
            created_at__date__gte=date(overview.years[0], 1, 1),
        )
        .annotate(year=ExtractYear("created_at"))
        .values("division__name", "year")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        counts[row["division__name"]][row["year"]] = row["n"]
    for name in sorted(counts):
        cells = []
        for year in overview.years:
            n = counts[name].get(year, 0)
            cells.append(CountCell(n, 0 < n < threshold))
        overview.divisions.append((name, cells))
    return overview


def topic_by_slug(*, slug: str) -> Topic | None:
    return Topic.objects.prefetch_related("categories").filter(slug=slug).first()


# --- actions --------------------------------------------------------------------------------------


def actions_overdue(*, today: date | None = None) -> QuerySet[FollowUpAction]:
    """Open actions past their due date, the longest overdue first."""
    return (
        FollowUpAction.objects.overdue(today)
        .select_related("motion", "owner_team")
        .order_by("due_date", "pk")
    )


def councillor_motions(*, councillor: Councillor) -> QuerySet[Motion]:
    """A councillor's own motions (proposed or seconded), with their actions and progress."""
    return (
        _listing(Motion.objects.by_councillor(councillor))
        .prefetch_related(_actions_with_notes())
        .order_by("-submitted_on", "-id")
    )


def motion_for_desk(*, reference: str) -> Motion | None:
    """One motion for the staff desk: as the public page, with the timeline's actors."""
    return (
        _listing(Motion.objects.filter(reference=reference))
        .prefetch_related(
            "topics",
            Prefetch("replies", queryset=MotionReply.objects.select_related("department")),
            _actions_with_notes(),
            Prefetch("events", queryset=MotionEvent.objects.select_related("actor")),
        )
        .first()
    )


# --- monthly reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportAction:
    action: FollowUpAction
    status: str  # the status label at the report date
    overdue: bool
    latest: ActionProgressNote | None


@dataclass
class MonthlyReportData:
    month: date
    as_of: date
    final: bool
    submitted: list[Motion]
    decided: list[Motion]
    replies: list[MotionReply]
    completed: list[FollowUpAction]
    outstanding: list[ReportAction]
    outcomes: list[tuple[str, int]]

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.outstanding if a.overdue)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def monthly_report_data(*, month: date, today: date | None = None) -> MonthlyReportData:
    """What the report for a month holds, as at the month's end (or today, for a draft).

    Actions count as outstanding at that date if they were agreed by then and not completed
    or cancelled by then; an action completed since shows as it stood (in progress).
    """
    month = month.replace(day=1)
    last = month_end(month)
    today = today or timezone.localdate()
    final = last < today
    as_of = last if final else today
    submitted = list(
        _listing(Motion.objects.filter(submitted_on__range=(month, last))).order_by(
            "submitted_on", "reference"
        )
    )
    decided = list(
        _listing(
            Motion.objects.filter(
                decision_date__range=(month, last),
                status__in=(*Motion.DECIDED, Status.DEFERRED),
            )
        ).order_by("decision_date", "reference")
    )
    replies = list(
        MotionReply.objects.filter(replied_on__range=(month, last))
        .select_related("motion", "department")
        .order_by("replied_on", "id")
    )
    completed = list(
        FollowUpAction.objects.filter(status=ActionStatus.DONE, completed_on__range=(month, last))
        .select_related("motion", "owner_team")
        .order_by("completed_on", "id")
    )
    candidates = (
        FollowUpAction.objects.filter(created_on__lte=as_of)
        .filter(
            Q(status__in=FollowUpAction.OPEN) | Q(status=ActionStatus.DONE, completed_on__gt=as_of)
        )
        .select_related("motion", "owner_team")
        .prefetch_related(
            Prefetch("notes", queryset=ActionProgressNote.objects.filter(date__lte=as_of))
        )
        .order_by("due_date", "id")
    )
    outstanding = []
    for action in candidates:
        status = (
            str(ActionStatus.IN_PROGRESS.label)
            if action.status == ActionStatus.DONE
            else action.get_status_display()
        )
        notes = list(action.notes.all())
        outstanding.append(
            ReportAction(action, status, action.due_date < as_of, notes[-1] if notes else None)
        )
    outcomes = Counter(m.get_status_display() for m in decided)
    return MonthlyReportData(
        month=month,
        as_of=as_of,
        final=final,
        submitted=submitted,
        decided=decided,
        replies=replies,
        completed=completed,
        outstanding=outstanding,
        outcomes=sorted(outcomes.items(), key=lambda kv: -kv[1]),
    )


def motion_reports() -> QuerySet[MotionReport]:
    return MotionReport.objects.defer("html", "csv").order_by("-month")


def motion_report(*, month: date) -> MotionReport | None:
    return MotionReport.objects.filter(month=month.replace(day=1)).first()

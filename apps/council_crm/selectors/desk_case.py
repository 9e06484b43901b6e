"""The desk's case page: everything one case officer reads about one case, in a fixed number
of queries whatever the case holds (no per-row query, no count over the whole table)."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm import config_cache, sla
from apps.council_crm.config_cache import cached
from apps.council_crm.duplicates import bounding_box, distance_m
from apps.council_crm.geo import boundary_svg_path
from apps.council_crm.models import (
    OPEN_STATES,
    Attachment,
    CaseEvent,
    CaseStatus,
    CategoryQuestion,
    Citizen,
    Consent,
    Councillor,
    Division,
    Interaction,
    OutboxMessage,
    Priority,
    ResponseTemplate,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.models.cases import ServiceRequestQuerySet
from apps.council_crm.params import id_param
from apps.council_crm.permissions import Action, actions_on, can_see_citizens, cases_visible_to

REPEAT_REPORTER_CASES = 3  # this many cases or more in the last 12 months
LIST_LIMIT = 50  # the citizen's cases and contacts, duplicates and links shown on the page
TIMELINE_LIMIT = 500
MAP_SIZE = 240


@dataclass(frozen=True)
class Answer:
    label: str
    value: str


@dataclass(frozen=True)
class SlaBadge:
    state: str  # on_track, due_soon, overdue, paused, stopped
    label: str
    colour: str  # the MOJ badge modifier
    detail: str  # "3 working days left", "2 working days overdue", "paused since 4 May"


@dataclass(frozen=True)
class MapPicture:
    """The division's outline with the case's point on it: no tiles, no JavaScript."""

    path: str
    x: float
    y: float
    width: int
    height: int


@dataclass(frozen=True)
class OtherCase:
    """A case named on this page: a link if the officer may see it, otherwise only its team
    (and its category, unless the category is sensitive)."""

    reference: str | None
    category: str | None
    team: str
    status: str
    state: str
    created: datetime


@dataclass(frozen=True)
class Contact:
    when: datetime
    channel: str
    direction: str
    summary: str | None  # None when it is about a case the officer may not see
    staff: str
    case: OtherCase | None


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    title: str
    text: str
    who: str
    badge: str
    badge_colour: str
    public: bool


@dataclass
class CasePage:
    case: ServiceRequest
    allowed: frozenset[Action]
    answers: list[Answer]
    councillors: list[Councillor]
    sla: SlaBadge
    map: MapPicture | None
    duplicates: list[OtherCase]
    merged_into: OtherCase | None
    linked: list[OtherCase]
    citizen: Citizen | None
    citizen_hidden: bool
    consents: list[Consent]
    citizen_cases: list[OtherCase]
    contacts: list[Contact]
    repeat_reporter: bool
    cases_this_year: int
    timeline: list[TimelineItem]
    attachments: list[Attachment]
    next_statuses: list[CaseStatus]
    templates: list[ResponseTemplate]
    teams: list[Team]
    officers: dict[int, list[User]] = field(default_factory=dict)

    @property
    def seen(self) -> str:
        """The case's `updated_at` as every form on the page carries it back."""
        return self.case.updated_at.isoformat()

    @property
    def is_open(self) -> bool:
        return self.case.status.state in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.case.status.state == StateCategory.PAUSED

    def _of(self, *states: str) -> list[CaseStatus]:
        return [s for s in self.next_statuses if s.state in states]

    @property
    def change_statuses(self) -> list[CaseStatus]:
        """What the status form offers: not a pause nor a restart of the clock (their own form
        asks the reason), nor a resolution (closing asks what was done)."""
        return [
            s
            for s in self._of(StateCategory.NEW, StateCategory.OPEN, StateCategory.CLOSED)
            if not clock_moves(self.case, s)
        ]

    @property
    def pause_statuses(self) -> list[CaseStatus]:
        return self._of(StateCategory.PAUSED) if not self.is_paused else []

    @property
    def resume_statuses(self) -> list[CaseStatus]:
        return self._of(StateCategory.OPEN) if self.is_paused else []

    @property
    def resolve_statuses(self) -> list[CaseStatus]:
        return self._of(StateCategory.RESOLVED)

    @property
    def can_reopen(self) -> bool:
        return self.case.status.state in (StateCategory.RESOLVED, StateCategory.CLOSED)

    @property
    def priorities(self) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in Priority.choices]

    @property
    def officer_choices(self) -> list[tuple[Team, list[User]]]:
        return [(t, self.officers.get(t.pk, [])) for t in self.teams]

    @property
    def team_options(self) -> list[tuple[int, str]]:
        return [(t.pk, t.name) for t in self.teams]

    @property
    def officer_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The reassignment list: each team's officers (`templatetags/select_options`)."""
        return [
            (team.name, [(o.pk, o.get_full_name() or o.username) for o in officers])
            for team, officers in self.officer_choices
        ]


@dataclass(frozen=True)
class DeskConfig:
    """The configuration the case page names (categories, statuses, teams and their officers,
    divisions and their councillors, response templates): read together and kept in the process
    like the rest of the configuration (`config_cache`), so that a case is read in one short
    query and the page's cost does not grow with its joins."""

    categories: dict[int, ServiceCategory]
    questions: dict[int, list[CategoryQuestion]]
    statuses: dict[int, CaseStatus]
    allowed_next: dict[int, list[int]]  # status id -> the ids it may change to
    category_statuses: dict[int, set[int]]  # category id -> its statuses (none: all)
    teams: dict[int, Team]
    officers: dict[int, list[User]]
    divisions: dict[int, Division]
    councillors: dict[int, list[Councillor]]
    templates: list[ResponseTemplate]


def _desk_config_load() -> DeskConfig:
    allowed: dict[int, list[int]] = {}
    for from_id, to_id in CaseStatus.allowed_next.through.objects.values_list(
        "from_casestatus_id", "to_casestatus_id"
    ):
        allowed.setdefault(from_id, []).append(to_id)
    limited: dict[int, set[int]] = {}
    for category_id, status_id in ServiceCategory.statuses.through.objects.values_list(
        "servicecategory_id", "casestatus_id"
    ):
        limited.setdefault(category_id, set()).add(status_id)
    questions: dict[int, list[CategoryQuestion]] = {}
    for q in CategoryQuestion.objects.order_by("category_id", "order", "id"):
        questions.setdefault(q.category_id, []).append(q)
    councillors: dict[int, list[Councillor]] = {}
    through = Councillor.divisions.through.objects.select_related("councillor__user").order_by(
        "councillor__user__last_name", "councillor__user__first_name"
    )
    for link in through:
        councillors.setdefault(link.division_id, []).append(link.councillor)
    teams = {t.pk: t for t in Team.objects.order_by("name")}
    return DeskConfig(
        categories={c.pk: c for c in ServiceCategory.objects.all()},
        questions=questions,
        statuses={s.pk: s for s in CaseStatus.objects.order_by("order", "name")},
        allowed_next=allowed,
        category_statuses=limited,
        teams=teams,
        officers=officers_by_team(list(teams.values())),
        divisions={d.pk: d for d in Division.objects.all()},
        councillors=councillors,
        templates=list(ResponseTemplate.objects.filter(active=True).order_by("order", "name")),
    )


def clock_moves(case: ServiceRequest, status: CaseStatus) -> bool:
    """Would this change pause the case's clock or restart it? Those go through the clock's own
    form, with a reason; from a paused case straight to resolved or closed is not a restart."""
    if status.state == StateCategory.PAUSED:
        return case.status.state != StateCategory.PAUSED
    return case.status.state == StateCategory.PAUSED and status.state in (
        StateCategory.NEW,
        StateCategory.OPEN,
    )


def desk_config() -> DeskConfig:
    return cached("desk_case_config", _desk_config_load)


def _config_naming(
    case: ServiceRequest, config: DeskConfig, *, division: bool = True
) -> DeskConfig:
    """The configuration, read again if it is older than something this case refers to (a team
    or category added since this process last read it)."""
    known = (
        case.category_id in config.categories
        and case.status_id in config.statuses
        and (case.team_id is None or case.team_id in config.teams)
        and (not division or case.division_id is None or case.division_id in config.divisions)
    )
    if known:
        return config
    config_cache.clear()
    return desk_config()


def _named(case: ServiceRequest, config: DeskConfig) -> ServiceRequest:
    """Give a case read without joins its category, status, team and division."""
    config = _config_naming(case, config)
    case.category = config.categories[case.category_id]
    case.status = config.statuses[case.status_id]
    if case.team_id is not None:
        case.team = config.teams[case.team_id]
    if case.division_id is not None:
        case.division = config.divisions[case.division_id]
    return case


def desk_case_for(
    *,
    user: User,
    reference: str,
    visible: ServiceRequestQuerySet | None = None,
    config: DeskConfig | None = None,
) -> ServiceRequest:
    """The case with what its page shows of it in one query; 404 if the user may not see it."""
    if visible is None:
        visible = cases_visible_to(user=user, resolve_teams=True)
    case = (
        visible.select_related("assignee", "citizen", "on_behalf_of__user")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return _named(case, config or desk_config())


def _visible(visible: ServiceRequestQuerySet, ref: str = "pk") -> Exists:
    return Exists(visible.filter(pk=OuterRef(ref)))


def _other(case: ServiceRequest, seen: bool, config: DeskConfig | None = None) -> OtherCase:
    # rows read with only(_OTHER_FIELDS): their division is not asked for
    config = _config_naming(case, config or desk_config(), division=False)
    category = config.categories[case.category_id]
    status = config.statuses[case.status_id]
    team = config.teams[case.team_id] if case.team_id is not None else None
    return OtherCase(
        reference=case.reference if seen else None,
        category=category.name if seen or not category.is_sensitive else None,
        team=team.name if team else _("no team"),
        status=status.name,
        state=status.state,
        created=case.created_at,
    )


_OTHER_FIELDS = ("reference", "category_id", "status_id", "team_id", "created_at")


def _related(
    case: ServiceRequest, visible: ServiceRequestQuerySet, config: DeskConfig
) -> tuple[list[OtherCase], list[OtherCase], list[OtherCase]]:
    """The duplicates merged into this case and the case it was merged into (one query: both
    conditions are on an index), then the cases linked to it; newest first."""

    def other(row: ServiceRequest) -> OtherCase:
        return _other(row, bool(getattr(row, "seen_by", False)), config)

    family = (
        ServiceRequest.objects.filter(Q(duplicate_of_id=case.pk) | Q(pk=case.duplicate_of_id or 0))
        .only(*_OTHER_FIELDS, "duplicate_of_id")
        .annotate(seen_by=_visible(visible))
        .order_by("-created_at", "-id")[: LIST_LIMIT + 1]
    )
    duplicates = [other(r) for r in family if r.duplicate_of_id == case.pk][:LIST_LIMIT]
    merged = [other(r) for r in family if r.pk == case.duplicate_of_id]
    linked_rows = (
        case.linked_cases.only(*_OTHER_FIELDS)
        .annotate(seen_by=_visible(visible))
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    return duplicates, merged, [other(r) for r in linked_rows]


def answer_text(question: CategoryQuestion | None, value: Any) -> str:
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if question is not None and question.kind == CategoryQuestion.Kind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(str(value).lower(), str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def answers_for(case: ServiceRequest, config: DeskConfig | None = None) -> list[Answer]:
    """The resident's answers under their questions' labels, in the category's order; answers to
    questions no longer asked are kept, under their code."""
    questions = (config or desk_config()).questions.get(case.category_id, [])
    answers = dict(case.answers or {})
    out = [
        Answer(q.label, answer_text(q, answers.pop(q.code))) for q in questions if q.code in answers
    ]
    out += [Answer(code, answer_text(None, value)) for code, value in answers.items()]
    return out


def sla_badge(case: ServiceRequest, *, now: datetime | None = None) -> SlaBadge:
    """The service-standard badge: on track, due soon, overdue or paused, and time left."""
    now = now or timezone.now()
    calendar = sla.site_calendar()
    state = sla.state(
        created=case.created_at,
        due=case.sla_due_at,
        now=now,
        paused_since=case.sla_paused_at,
        open_=case.status.state in OPEN_STATES,
        calendar=calendar,
        at_risk_fraction=settings.CRM_SITE.at_risk_fraction,
    )
    tz = calendar.tzinfo
    if state == sla.SlaState.STOPPED or case.sla_due_at is None:
        return SlaBadge("stopped", _("Clock stopped"), "grey", "")
    today = now.astimezone(tz).date()
    due_day = case.sla_due_at.astimezone(tz).date()
    if state == sla.SlaState.PAUSED:
        assert case.sla_paused_at is not None  # noqa: S101 - paused means paused_at is set
        since = case.sla_paused_at.astimezone(tz)
        return SlaBadge(
            "paused", _("Paused"), "grey", _("paused since %(d)s") % {"d": f"{since:%-d %B %Y}"}
        )
    if state == sla.SlaState.BREACHED:
        late = calendar.working_days_between(due_day, today)
        detail = (
            _("due today, now late")
            if late == 0
            else _("%(n)s working days overdue") % {"n": late}
            if late != 1
            else _("1 working day overdue")
        )
        return SlaBadge("overdue", _("Overdue"), "red", detail)
    left = calendar.working_days_between(today, due_day)
    detail = (
        _("due today")
        if left == 0
        else _("1 working day left")
        if left == 1
        else _("%(n)s working days left") % {"n": left}
    )
    if state == sla.SlaState.AT_RISK:
        return SlaBadge("due_soon", _("Due soon"), "purple", detail)
    return SlaBadge("on_track", _("On track"), "green", detail)


_OUTLINES: dict[tuple[int, datetime], str] = {}


def _outline(division: Division) -> str:
    """The division's outline as an SVG path, drawn once per version of its boundary."""
    key = (division.pk, division.updated_at)
    if key not in _OUTLINES:
        if len(_OUTLINES) > 256:
            _OUTLINES.clear()
        _OUTLINES[key] = boundary_svg_path(division.boundary, width=MAP_SIZE, height=MAP_SIZE)
    return _OUTLINES[key]


def map_for(case: ServiceRequest) -> MapPicture | None:
    """The point on its division's outline, scaled as `geo.boundary_svg_path` scales it."""
    division = case.division
    if division is None or case.latitude is None or case.longitude is None:
        return None
    span = max(division.max_lon - division.min_lon, division.max_lat - division.min_lat) or 1.0
    scale = MAP_SIZE / span
    return MapPicture(
        path=_outline(division),
        x=round((case.longitude - division.min_lon) * scale, 1),
        y=round((division.max_lat - case.latitude) * scale, 1),
        width=max(1, round((division.max_lon - division.min_lon) * scale)),
        height=max(1, round((division.max_lat - division.min_lat) * scale)),
    )


_OUTBOX_BADGE = {
    OutboxMessage.Status.SENT: "green",
    OutboxMessage.Status.PENDING: "blue",
    OutboxMessage.Status.SENDING: "blue",
    OutboxMessage.Status.FAILED: "red",
}


def _who(user: User | None) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


def timeline_items(case: ServiceRequest) -> list[TimelineItem]:
    """Events and the messages sent about the case, oldest first, told apart by their badges."""
    items: list[TimelineItem] = []
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "on_behalf_of__user")
        .order_by("-created_at", "-id")[:TIMELINE_LIMIT]
    )
    for e in events:
        if e.kind == CaseEvent.Kind.INTERNAL_NOTE or (
            e.kind == CaseEvent.Kind.PUBLIC_UPDATE and not e.is_public
        ):
            badge, colour = _("Internal note"), "grey"
        elif e.kind == CaseEvent.Kind.PUBLIC_UPDATE:
            badge, colour = _("Public update"), "blue"
        else:
            badge, colour = (
                (_("Public") if e.is_public else _("Internal")),
                ("blue" if e.is_public else "grey"),
            )
        who = _who(e.actor)
        if e.on_behalf_of is not None:
            who = _("%(who)s on behalf of %(cllr)s") % {"who": who, "cllr": e.on_behalf_of}
        items.append(
            TimelineItem(
                when=e.created_at,
                title=str(CaseEvent.Kind(e.kind).label) if e.kind in CaseEvent.Kind else e.kind,
                text=e.message,
                who=who,
                badge=badge,
                badge_colour=colour,
                public=e.is_public,
            )
        )
    messages = (
        OutboxMessage.objects.filter(case=case)
        .only("event", "channel", "status", "created_at", "sent_at", "citizen_id", "user_id")
        .order_by("-created_at", "-id")[:TIMELINE_LIMIT]
    )
    for msg in messages:
        to = _("the resident") if msg.citizen_id else _("staff") if msg.user_id else _("someone")
        if msg.user_id and msg.event not in ("assigned", "breach"):
            to = _("the councillor")
        status = OutboxMessage.Status(msg.status)
        items.append(
            TimelineItem(
                when=msg.created_at,
                title=_("%(event)s sent by %(channel)s")
                % {"event": msg.get_event_display(), "channel": msg.get_channel_display().lower()},
                text=_("To %(to)s: %(status)s") % {"to": to, "status": status.label.lower()}
                + (
                    _(" at %(t)s") % {"t": f"{timezone.localtime(msg.sent_at):%H:%M}"}
                    if msg.sent_at
                    else ""
                ),
                who=_("the system"),
                badge=_("Message %(status)s") % {"status": status.label.lower()},
                badge_colour=_OUTBOX_BADGE.get(status, "grey"),
                public=False,
            )
        )
    items.sort(key=lambda i: i.when)
    return items


def next_statuses_for(case: ServiceRequest, config: DeskConfig | None = None) -> list[CaseStatus]:
    """The statuses the workflow allows this case to move to (as `case_transition` checks)."""
    config = config or desk_config()
    allowed = set(config.allowed_next.get(case.status_id, []))
    limited = config.category_statuses.get(case.category_id)
    if limited:
        allowed &= limited
    return [s for pk, s in config.statuses.items() if pk in allowed]


def templates_for(case: ServiceRequest, config: DeskConfig | None = None) -> list[ResponseTemplate]:
    return [
        t
        for t in (config or desk_config()).templates
        if t.category_id is None or t.category_id == case.category_id
    ]


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template_fill(template: ResponseTemplate, *, case: ServiceRequest, officer: User) -> str:
    """The template's text with its placeholders filled; unknown ones are left as written."""
    citizen = case.citizen
    values = _KeepUnknown(
        reference=case.reference,
        category=case.category.name,
        promised_date=f"{case.promised_date:%-d %B %Y}" if case.promised_date else "",
        status=case.status.name,
        officer=officer.get_full_name() or officer.username,
        team=case.team.name if case.team else "",
        first_name=(citizen.first_name if citizen and not citizen.anonymised_at else "")
        or _("resident"),
    )
    try:
        return string.Formatter().vformat(template.body, (), values)
    except (ValueError, IndexError, AttributeError, KeyError):
        return template.body  # a stray brace: the officer edits the text as written


def template_for(*, case: ServiceRequest, template_id: str) -> ResponseTemplate | None:
    """An active template offered on this case, or None."""
    if id_param(template_id) is None:
        return None
    return (
        ResponseTemplate.objects.filter(active=True, pk=int(template_id))
        .filter(Q(category__isnull=True) | Q(category_id=case.category_id))
        .first()
    )


def _citizen_panel(
    case: ServiceRequest, visible: ServiceRequestQuerySet, config: DeskConfig, now: datetime
) -> tuple[list[Consent], list[OtherCase], list[Contact], int]:
    # an anonymous case has no citizen: 0 matches nothing, and the page's queries stay the same
    citizen_id = case.citizen_id or 0
    consents = list(
        Consent.objects.filter(citizen_id=citizen_id)
        .select_related("councillor__user", "case")
        .annotate(case_seen=_visible(visible, "case_id"))
        .order_by("-granted_at")[:LIST_LIMIT]
    )
    rows = (
        ServiceRequest.objects.filter(citizen_id=citizen_id)
        .only(*_OTHER_FIELDS)
        .annotate(seen_by=_visible(visible))
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    cases = []
    year_ago = now - timedelta(days=365)
    this_year = 0
    for c in rows:
        this_year += c.created_at >= year_ago
        if c.pk != case.pk:
            cases.append(_other(c, bool(getattr(c, "seen_by", False)), config))
    interactions = (
        Interaction.objects.filter(citizen_id=citizen_id)
        .select_related("staff", "case")
        .annotate(case_seen=_visible(visible, "case_id"))
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    contacts = []
    for i in interactions:
        seen = bool(getattr(i, "case_seen", False))
        about = _other(i.case, seen, config) if i.case is not None else None
        contacts.append(
            Contact(
                when=i.created_at,
                channel=i.get_channel_display(),
                direction=i.get_direction_display(),
                summary=i.summary if i.case is None or seen else None,
                staff=_who(i.staff) if i.staff else "",
                case=about,
            )
        )
    return consents, cases, contacts, this_year


def officers_by_team(teams: list[Team]) -> dict[int, list[User]]:
    out: dict[int, list[User]] = {}
    rows = (
        TeamMembership.objects.filter(team__in=[t.pk for t in teams], staff__user__is_active=True)
        .select_related("staff__user")
        .order_by("staff__user__first_name", "staff__user__last_name")
    )
    for m in rows:
        out.setdefault(m.team_id, []).append(m.staff.user)
    return out


def case_page_for(*, user: User, reference: str, now: datetime | None = None) -> CasePage:
    """Everything the desk's case page shows; 404 if the user may not see the case."""
    now = now or timezone.now()
    # the user's team ids are read once; every "may they see it" below reuses them
    visible = cases_visible_to(user=user, resolve_teams=True)
    config = desk_config()
    case = desk_case_for(user=user, reference=reference, visible=visible, config=config)
    config = _config_naming(case, config)
    allowed = actions_on(user, case, visible=True)
    if Action.VIEW not in allowed:
        raise Http404("No such case")
    duplicates, merged, linked = _related(case, visible, config)
    # the resident's record is for those who may see citizens (ADR 0017): not the superuser
    # nor the service administrator, who see every case for configuration's sake
    citizen_shown = can_see_citizens(user)
    consents, citizen_cases, contacts, this_year = (
        _citizen_panel(case, visible, config, now) if citizen_shown else ([], [], [], 0)
    )
    teams = [t for t in config.teams.values() if t.active]
    return CasePage(
        case=case,
        allowed=allowed,
        answers=answers_for(case, config),
        councillors=config.councillors.get(case.division_id or 0, []),
        sla=sla_badge(case, now=now),
        map=map_for(case),
        duplicates=duplicates,
        merged_into=merged[0] if merged else None,
        linked=linked,
        citizen=case.citizen if citizen_shown else None,
        citizen_hidden=not citizen_shown,
        consents=consents,
        citizen_cases=citizen_cases,
        contacts=contacts,
        repeat_reporter=this_year >= REPEAT_REPORTER_CASES,
        cases_this_year=this_year,
        timeline=timeline_items(case),
        attachments=list(case.attachments.order_by("created_at", "id")),
        next_statuses=next_statuses_for(case, config),
        templates=templates_for(case, config),
        teams=teams,
        officers=config.officers,
    )


@dataclass(frozen=True)
class MergeCandidate:
    case: ServiceRequest
    distance_m: float | None


def merge_candidates(
    *, user: User, case: ServiceRequest, now: datetime | None = None, limit: int = 10
) -> list[MergeCandidate]:
    """Open cases of the same category near this one that the officer may see, newest first:
    a bounding box on the (category, latitude, longitude) index, then the exact distance."""
    now = now or timezone.now()
    rows = (
        cases_visible_to(user=user)
        .filter(
            category_id=case.category_id,
            status__state__in=OPEN_STATES,
            duplicate_of__isnull=True,
        )
        .exclude(pk=case.pk)
        .select_related("status", "category")
    )
    radius = max(case.category.duplicate_radius_m, 200)
    if case.latitude is None or case.longitude is None:
        window = now - timedelta(days=case.category.duplicate_window_days)
        found = rows.filter(created_at__gte=window).order_by("-created_at", "-id")[:limit]
        return [MergeCandidate(c, None) for c in found]
    min_lat, max_lat, min_lon, max_lon = bounding_box(case.latitude, case.longitude, radius)
    near = rows.filter(
        latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
    ).order_by("-created_at", "-id")[:200]
    out = []
    for c in near:
        if c.latitude is None or c.longitude is None:
            continue
        d = distance_m(case.latitude, case.longitude, c.latitude, c.longitude)
        if d <= radius:
            out.append(MergeCandidate(c, round(d)))
    return out[:limit]


def other_case_for(*, user: User, reference: str) -> ServiceRequest | None:
    """Another case named by reference in a form, if this user may see it."""
    reference = reference.strip().upper()
    if not reference:
        return None
    return (
        cases_visible_to(user=user)
        .select_related("status", "category", "team")
        .filter(reference=reference)
        .first()
    )


def status_for(status_id: str) -> CaseStatus | None:
    """A status named by a posted id (the service checks the workflow allows it)."""
    pk = id_param(status_id)
    return CaseStatus.objects.filter(pk=pk).first() if pk else None


def team_and_officer(team_id: str, officer_id: str) -> tuple[Team | None, User | None]:
    team = Team.objects.filter(pk=pk).first() if (pk := id_param(team_id)) else None
    officer = User.objects.filter(pk=pk).first() if (pk := id_param(officer_id)) else None
    return team, officer
